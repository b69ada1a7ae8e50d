-- Accounts, logins and tokens, the outbox, job locks, settings,
-- teaching sessions and bookings.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'teacher', 'committee')),
    year_of_study INTEGER CHECK (year_of_study BETWEEN 1 AND 6),
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_role_year ON users (role, year_of_study);

-- Logins (browser), API tokens, password-reset links and calendar feeds:
-- only a SHA-256 of each secret is stored.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL CHECK (kind IN ('login', 'api', 'password_reset', 'calendar')),
    hash         TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   DATETIME NOT NULL,
    expires_at   DATETIME,
    used_at      DATETIME,
    last_seen_at DATETIME
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_user_kind ON tokens (user_id, kind);
CREATE INDEX tokens_expires ON tokens (expires_at);

-- Failed log-in attempts, per account and per address, in a fixed window.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start DATETIME NOT NULL
);

-- The outbox: every e-mail is written here in the same transaction as the
-- change that causes it; dedupe_key makes a second write of the same e-mail
-- a no-op. The message is rendered when it is delivered and kept here.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    dedupe_key      TEXT NOT NULL,
    user_id         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    session_id      INTEGER,
    to_addr         TEXT NOT NULL,
    to_name         TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    subject         TEXT NOT NULL DEFAULT '',
    body_text       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    claimed_until   DATETIME,
    claimed_by      TEXT NOT NULL DEFAULT '',
    last_error      TEXT NOT NULL DEFAULT '',
    logged_at       DATETIME,
    sent_at         DATETIME,
    created_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_session ON outbox (session_id, kind);

CREATE TABLE job_locks (
    name         TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    locked_until DATETIME NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE sessions (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    title              TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    topic              TEXT NOT NULL DEFAULT '',
    format             TEXT NOT NULL CHECK (format IN ('lecture', 'small_group', 'practical', 'workshop')),
    mode               TEXT NOT NULL CHECK (mode IN ('in_person', 'online', 'hybrid')),
    year_groups        INTEGER NOT NULL DEFAULT 0,
    venue              TEXT NOT NULL DEFAULT '',
    online_url         TEXT NOT NULL DEFAULT '',
    in_person_capacity INTEGER NOT NULL DEFAULT 0,
    online_capacity    INTEGER,
    starts_at          DATETIME NOT NULL,
    ends_at            DATETIME NOT NULL,
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'cancelled')),
    cancel_reason      TEXT NOT NULL DEFAULT '',
    sequence           INTEGER NOT NULL DEFAULT 0,
    created_by         INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL
);
CREATE INDEX sessions_status_start ON sessions (status, starts_at);
CREATE INDEX sessions_start ON sessions (starts_at);

CREATE TABLE session_teachers (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_teachers_user ON session_teachers (user_id);

CREATE TABLE bookings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id   INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mode         TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    status       TEXT NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    queued_at    DATETIME NOT NULL,
    booked_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    cancelled_at DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX bookings_session_user ON bookings (session_id, user_id);
CREATE INDEX bookings_queue ON bookings (session_id, mode, status, queued_at, id);
CREATE INDEX bookings_user ON bookings (user_id, status);
