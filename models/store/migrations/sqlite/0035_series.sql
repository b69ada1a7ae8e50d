-- Series of weekly sessions, made from one form and published together.
CREATE TABLE series (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);
ALTER TABLE sessions ADD COLUMN series_id INTEGER REFERENCES series (id) ON DELETE SET NULL;
CREATE INDEX sessions_series ON sessions (series_id, starts_at);
