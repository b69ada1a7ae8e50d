-- A member's export: the link e-mailed to them (only its hash is kept) and,
-- apart from it as materials keep theirs, the ZIP file until it is
-- downloaded or its 24 hours are over. The row stays after the file has
-- gone, so that a used or expired link is told apart from a wrong one.
CREATE TABLE data_exports (
    request_id BIGINT PRIMARY KEY REFERENCES data_requests (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL UNIQUE,
    size       BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX data_exports_expiry ON data_exports (expires_at);

CREATE TABLE data_export_files (
    request_id BIGINT PRIMARY KEY REFERENCES data_exports (request_id) ON DELETE CASCADE,
    data       BYTEA NOT NULL
);
