-- Materials of a session: files (their bytes in material_files, apart from
-- every query about sessions) and links.
CREATE TABLE materials (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    title        TEXT NOT NULL,
    url          TEXT NOT NULL DEFAULT '',
    filename     TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    visible      TEXT NOT NULL CHECK (visible IN ('booked_before', 'attendees_after')),
    added_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   DATETIME NOT NULL
);
CREATE INDEX materials_session ON materials (session_id, id);

CREATE TABLE material_files (
    material_id INTEGER PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
    data        BLOB NOT NULL
);
