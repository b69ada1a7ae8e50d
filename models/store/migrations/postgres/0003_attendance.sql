-- Attendance: one record per student per session, with where it came from,
-- and an audit trail of every change.

CREATE TABLE attendance (
    id            BIGSERIAL PRIMARY KEY,
    session_id    BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent', 'excused')),
    mode          TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    source        TEXT NOT NULL CHECK (source IN ('apology', 'code', 'join_link', 'import', 'register')),
    checked_in_at TIMESTAMPTZ,
    minutes       INTEGER,
    recorded_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX attendance_session_user ON attendance (session_id, user_id);
CREATE INDEX attendance_user ON attendance (user_id, status);

CREATE TABLE attendance_audit (
    id          BIGSERIAL PRIMARY KEY,
    session_id  BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at          TIMESTAMPTZ NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL,
    from_mode   TEXT NOT NULL DEFAULT '',
    to_mode     TEXT NOT NULL,
    from_source TEXT NOT NULL DEFAULT '',
    to_source   TEXT NOT NULL
);
CREATE INDEX attendance_audit_session ON attendance_audit (session_id, at);
