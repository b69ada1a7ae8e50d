-- A certificate may also record mentoring in a scheme (kind 'mentoring').
-- SQLite cannot change a CHECK: the table is made again, rows and ids kept.

CREATE TABLE certificates_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('attendance', 'teaching', 'mentoring')),
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id  INTEGER REFERENCES sessions (id) ON DELETE SET NULL,
    title       TEXT NOT NULL,
    data        TEXT NOT NULL DEFAULT '{}',
    period_from DATETIME,
    period_to   DATETIME,
    issued_at   DATETIME NOT NULL
);
INSERT INTO certificates_new (id, code, kind, user_id, session_id, title, data, period_from, period_to, issued_at)
SELECT id, code, kind, user_id, session_id, title, data, period_from, period_to, issued_at FROM certificates;
DROP TABLE certificates;
ALTER TABLE certificates_new RENAME TO certificates;
CREATE UNIQUE INDEX certificates_code ON certificates (code);
CREATE UNIQUE INDEX certificates_attendance ON certificates (user_id, session_id) WHERE kind = 'attendance';
CREATE INDEX certificates_user ON certificates (user_id, issued_at);
