-- What committee did: role changes, academic-year roll-overs, attendance
-- imports, readings of the outbox, edits of the privacy page. Written in
-- the same transaction as the action; nothing edits or deletes a row.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE INDEX audit_log_newest ON audit_log (created_at, id);
