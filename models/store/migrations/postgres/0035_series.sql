-- Series of weekly sessions, made from one form and published together.
CREATE TABLE series (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
ALTER TABLE sessions ADD COLUMN series_id BIGINT REFERENCES series (id) ON DELETE SET NULL;
CREATE INDEX sessions_series ON sessions (series_id, starts_at);
