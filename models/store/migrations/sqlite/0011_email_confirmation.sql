-- A sign-up proves its e-mail address by opening a link sent to it. Members
-- who are here already count as confirmed; a new sign-up is written with
-- email_confirmed false when confirmation is required.
ALTER TABLE users ADD COLUMN email_confirmed BOOLEAN NOT NULL DEFAULT 1;

-- The links: single use, for a limited time; only a SHA-256 of each secret
-- is stored.
CREATE TABLE email_confirmations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at DATETIME NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);
CREATE UNIQUE INDEX email_confirmations_hash ON email_confirmations (hash);
CREATE INDEX email_confirmations_user ON email_confirmations (user_id);
