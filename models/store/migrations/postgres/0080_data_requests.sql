-- What members asked of their own data: a copy (export) or erasure. One
-- row per request; committee reads them on /committee/requests. An export's
-- file and link live with the export; an erasure waits until erase_at and
-- can be cancelled until then.
CREATE TABLE data_requests (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ,
    done_at      TIMESTAMPTZ,
    cancelled_at TIMESTAMPTZ,
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX data_requests_user ON data_requests (user_id, kind, status);
CREATE INDEX data_requests_newest ON data_requests (requested_at, id);
CREATE INDEX data_requests_due ON data_requests (status, due_at);
