-- Single sign-on: who a member is at an OpenID provider. The provider's
-- issuer and subject ("sub") name a person for good, whatever their e-mail
-- address becomes there, so a later sign-in finds the same account. One
-- account per identity, and one identity per account and provider.
CREATE TABLE identities (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    last_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX identities_subject ON identities (issuer, subject);
CREATE UNIQUE INDEX identities_user ON identities (user_id, issuer);
