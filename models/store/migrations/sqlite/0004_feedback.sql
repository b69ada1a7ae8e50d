-- Feedback from attendees, and certificates.

CREATE TABLE feedback (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id        INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    overall           INTEGER NOT NULL CHECK (overall BETWEEN 1 AND 5),
    teaching          INTEGER NOT NULL CHECK (teaching BETWEEN 1 AND 5),
    confidence_before INTEGER NOT NULL CHECK (confidence_before BETWEEN 1 AND 5),
    confidence_after  INTEGER NOT NULL CHECK (confidence_after BETWEEN 1 AND 5),
    benefits          TEXT NOT NULL DEFAULT '',
    went_well         TEXT NOT NULL DEFAULT '',
    improve           TEXT NOT NULL DEFAULT '',
    created_at        DATETIME NOT NULL
);
CREATE UNIQUE INDEX feedback_session_user ON feedback (session_id, user_id);

CREATE TABLE certificates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('attendance', 'teaching')),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    title       TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    period_from DATETIME,
    period_to   DATETIME,
    issued_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX certificates_code ON certificates (code);
CREATE UNIQUE INDEX certificates_attendance ON certificates (user_id, session_id) WHERE kind = 'attendance';
CREATE INDEX certificates_user ON certificates (user_id, issued_at);
