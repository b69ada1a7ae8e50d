-- Year of study over time, and the roll-ups behind the committee dashboard.

-- A member's year of study from valid_from on (NULL: graduate). The year a
-- student was in when a session took place is the newest row at or before
-- the session; for earlier sessions, their earliest row.
CREATE TABLE year_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    year_of_study INTEGER CHECK (year_of_study BETWEEN 1 AND 6),
    valid_from    DATETIME NOT NULL
);
CREATE INDEX year_history_user ON year_history (user_id, valid_from);
INSERT INTO year_history (user_id, year_of_study, valid_from) SELECT id, year_of_study, created_at FROM users;

-- Sessions whose figures must be worked out again (once they have ended).
CREATE TABLE stats_dirty (
    session_id INTEGER PRIMARY KEY
);
INSERT INTO stats_dirty (session_id) SELECT id FROM sessions;

-- One row per ended, not cancelled session.
CREATE TABLE session_figures (
    session_id        INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    ends_at           DATETIME NOT NULL,
    week              TEXT NOT NULL,
    month             TEXT NOT NULL,
    topic             TEXT NOT NULL,
    format            TEXT NOT NULL,
    mode              TEXT NOT NULL,
    waitlisted        INTEGER NOT NULL,
    responses         INTEGER NOT NULL,
    overall_sum       INTEGER NOT NULL,
    teaching_sum      INTEGER NOT NULL,
    gain_sum          INTEGER NOT NULL
);
CREATE INDEX session_figures_ends ON session_figures (ends_at);

-- Bookings and attendance of an ended session by the attendee's year of
-- study then (0: graduate or unknown) and mode.
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
    PRIMARY KEY (session_id, year_of_study, mode)
);
CREATE INDEX session_stats_ends ON session_stats (ends_at);
