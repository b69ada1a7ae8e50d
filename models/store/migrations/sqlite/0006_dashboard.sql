-- The committee dashboard's roll-ups, second version: session_figures
-- holds each session's totals, session_stats also
-- counts the unserved waitlist and the feedback by year of study and mode,
-- and is stored in end-time order so that a period is read as one range;
-- session_attendees lists who came to each session, and attendee_months
-- who came in each month, for the counts of different people (unique
-- attendees, students reached). All are worked out from the raw records,
-- so they are rebuilt: every session is marked.

DROP TABLE session_stats;
CREATE TABLE session_stats (
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    year_of_study INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    ends_at       DATETIME NOT NULL,
    week          TEXT NOT NULL,
    month         TEXT NOT NULL,
    topic         TEXT NOT NULL,
    format        TEXT NOT NULL,
    booked        INTEGER NOT NULL,
    attended      INTEGER NOT NULL,
    walk_ins      INTEGER NOT NULL,
    waitlisted    INTEGER NOT NULL,
    responses     INTEGER NOT NULL,
    overall_sum   INTEGER NOT NULL,
    teaching_sum  INTEGER NOT NULL,
    gain_sum      INTEGER NOT NULL,
    PRIMARY KEY (ends_at, session_id, year_of_study, mode)
) WITHOUT ROWID;
CREATE INDEX session_stats_session ON session_stats (session_id);

-- One row per student who came (present or late, booked or not) to an
-- ended, not cancelled session, with their year of study then (0: graduate
-- or unknown) and their mode (booking mode, or attendance mode for walk-ins).
CREATE TABLE session_attendees (
    session_id    INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ends_at       DATETIME NOT NULL,
    year_of_study INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
) WITHOUT ROWID;
CREATE INDEX session_attendees_ends ON session_attendees (ends_at, user_id, year_of_study, mode);

-- Who came in each month (of the session's end, in the society's time
-- zone): session_attendees folded by month, so that counting different
-- students over a long period reads a few rows per student and month.
CREATE TABLE attendee_months (
    month         TEXT NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    year_of_study INTEGER NOT NULL,
    mode          TEXT NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (month, user_id, year_of_study, mode)
) WITHOUT ROWID;
-- Did this member come in these months? One look-up per member.
CREATE INDEX attendee_months_user ON attendee_months (user_id, month, year_of_study, mode);

-- Each session's own totals, for the breakdowns by a property of the
-- session (topic, format, week, month, teacher).
DELETE FROM session_figures;
ALTER TABLE session_figures ADD COLUMN booked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_figures ADD COLUMN attended INTEGER NOT NULL DEFAULT 0;
ALTER TABLE session_figures ADD COLUMN walk_ins INTEGER NOT NULL DEFAULT 0;
INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING;
