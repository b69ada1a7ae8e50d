-- The ratings of each ended session's feedback added up answer by answer,
-- in the order the answers arrived: the row of `answers` holds the sums of
-- the first `answers` of them. The dashboard reads, for each session, the
-- row of the answers it may show (a whole number of steps of the anonymity
-- threshold), whatever the threshold is set to.
CREATE TABLE feedback_prefixes (
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    answers      INTEGER NOT NULL,
    overall_sum  INTEGER NOT NULL,
    teaching_sum INTEGER NOT NULL,
    gain_sum     INTEGER NOT NULL,
    PRIMARY KEY (session_id, answers)
);
INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING;
