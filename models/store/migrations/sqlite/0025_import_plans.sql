-- An attendance report checked before it is applied. The preview is a page
-- of its own (the upload redirects to it), so the plan waits here, for the
-- teacher who uploaded it, until it is applied or a day has passed.

CREATE TABLE import_plans (
    id          TEXT PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source      TEXT NOT NULL,
    title       TEXT NOT NULL,
    plan        TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE INDEX import_plans_created ON import_plans (created_at);
