-- A member's passkeys (WebAuthn credentials), several per member, each
-- named by the member; and the ceremonies begun by a browser to add one or
-- to sign in with one: single use, short-lived, looked up by the hash of a
-- secret held in that browser's cookie, so that a ceremony begun on one
-- instance can finish on another.
CREATE TABLE passkeys (
    id                 BIGSERIAL PRIMARY KEY,
    user_id            BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id      BYTEA NOT NULL,
    user_handle        BYTEA NOT NULL,
    public_key         BYTEA NOT NULL,
    sign_count         BIGINT NOT NULL DEFAULT 0,
    transports         TEXT NOT NULL DEFAULT '',
    aaguid             BYTEA NOT NULL,
    attestation_type   TEXT NOT NULL DEFAULT '',
    attestation_format TEXT NOT NULL DEFAULT '',
    user_verified      BOOLEAN NOT NULL DEFAULT FALSE,
    backup_eligible    BOOLEAN NOT NULL DEFAULT FALSE,
    backup_state       BOOLEAN NOT NULL DEFAULT FALSE,
    name               TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    last_used_at       TIMESTAMPTZ
);
CREATE UNIQUE INDEX passkeys_credential ON passkeys (credential_id);
CREATE INDEX passkeys_user ON passkeys (user_id, id);

CREATE TABLE passkey_ceremonies (
    secret_hash  TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    user_id      BIGINT REFERENCES users (id) ON DELETE CASCADE,
    session_data TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);
