-- Materials of a session: files (their bytes in material_files, apart from
-- every query about sessions) and links.
CREATE TABLE materials (
    id           BIGSERIAL PRIMARY KEY,
    session_id   BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    title        TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    visible      TEXT NOT NULL CHECK (visible IN ('booked_before', 'attendees_after')),
    added_by     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX materials_session ON materials (session_id, id);

CREATE TABLE material_files (
    material_id BIGINT PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
    data        BYTEA NOT NULL
);
