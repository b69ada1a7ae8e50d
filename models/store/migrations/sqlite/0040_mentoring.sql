-- Near-peer mentoring: schemes, invitations, applications, pairs, meetings
-- with private notes, end requests and questionnaire answers.

CREATE TABLE schemes (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    title               TEXT NOT NULL,
    purpose             TEXT NOT NULL DEFAULT '',
    status              TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'matched', 'running', 'closed')),
    mentor_roles        TEXT NOT NULL DEFAULT '[]',
    mentor_min_year     INTEGER,
    mentor_invited      BOOLEAN NOT NULL DEFAULT FALSE,
    mentee_years        INTEGER NOT NULL DEFAULT 0,
    interests           TEXT NOT NULL DEFAULT '[]',
    questions           TEXT NOT NULL DEFAULT '[]',
    applications_open   DATETIME NOT NULL,
    applications_close  DATETIME NOT NULL,
    match_at            DATETIME NOT NULL,
    starts_on           TEXT NOT NULL,
    ends_on             TEXT NOT NULL,
    meet_every_days     INTEGER NOT NULL DEFAULT 30,
    max_mentees_default INTEGER NOT NULL DEFAULT 2 CHECK (max_mentees_default BETWEEN 1 AND 5),
    weights             TEXT NOT NULL DEFAULT '{}',
    lead_ids            TEXT NOT NULL DEFAULT '[]',
    before_items        TEXT NOT NULL DEFAULT '[]',
    after_items         TEXT NOT NULL DEFAULT '[]',
    created_by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE INDEX schemes_status ON schemes (status);

CREATE TABLE scheme_invitations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id   INTEGER NOT NULL REFERENCES schemes (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    hash        TEXT NOT NULL,
    invited_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL,
    accepted_at DATETIME
);
CREATE UNIQUE INDEX scheme_invitations_hash ON scheme_invitations (hash);
CREATE UNIQUE INDEX scheme_invitations_email ON scheme_invitations (scheme_id, email);

CREATE TABLE mentoring_applications (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id        INTEGER NOT NULL REFERENCES schemes (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),
    interests        TEXT NOT NULL DEFAULT '[]',
    mode             TEXT NOT NULL CHECK (mode IN ('in_person', 'online', 'either')),
    availability     TEXT NOT NULL DEFAULT '[]',
    hopes            TEXT NOT NULL DEFAULT '',
    max_mentees      INTEGER NOT NULL DEFAULT 0,
    exclude_user_ids TEXT NOT NULL DEFAULT '[]',
    answers          TEXT NOT NULL DEFAULT '{}',
    research_consent BOOLEAN NOT NULL DEFAULT FALSE,
    pseudonym        TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX mentoring_applications_user ON mentoring_applications (scheme_id, user_id);
CREATE UNIQUE INDEX mentoring_applications_pseudonym ON mentoring_applications (scheme_id, pseudonym);
CREATE INDEX mentoring_applications_member ON mentoring_applications (user_id);

CREATE TABLE mentoring_pairs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id    INTEGER NOT NULL REFERENCES schemes (id) ON DELETE CASCADE,
    mentor_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mentee_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'ended')),
    locked       BOOLEAN NOT NULL DEFAULT FALSE,
    score        INTEGER NOT NULL DEFAULT 0,
    reasons      TEXT NOT NULL DEFAULT '[]',
    goals        TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    published_at DATETIME,
    ended_at     DATETIME
);
CREATE UNIQUE INDEX mentoring_pairs_mentee ON mentoring_pairs (scheme_id, mentee_id) WHERE status <> 'ended';
CREATE INDEX mentoring_pairs_mentor ON mentoring_pairs (mentor_id, status);
CREATE INDEX mentoring_pairs_member ON mentoring_pairs (mentee_id, status);

CREATE TABLE mentoring_meetings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id      INTEGER NOT NULL REFERENCES mentoring_pairs (id) ON DELETE CASCADE,
    proposed_by  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at    DATETIME NOT NULL,
    minutes      INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    mode         TEXT NOT NULL CHECK (mode IN ('in_person', 'online')),
    place_or_url TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'accepted')),
    held         BOOLEAN,
    sequence     INTEGER NOT NULL DEFAULT 0,
    created_at   DATETIME NOT NULL,
    accepted_at  DATETIME,
    marked_at    DATETIME
);
CREATE INDEX mentoring_meetings_pair ON mentoring_meetings (pair_id, starts_at);
CREATE INDEX mentoring_meetings_start ON mentoring_meetings (status, starts_at);

-- A note on a meeting is read by its author only.
CREATE TABLE mentoring_notes (
    meeting_id INTEGER NOT NULL REFERENCES mentoring_meetings (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    note       TEXT NOT NULL,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE mentoring_end_requests (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    pair_id    INTEGER NOT NULL REFERENCES mentoring_pairs (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX mentoring_end_requests_pair ON mentoring_end_requests (pair_id);

CREATE TABLE questionnaire_responses (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id  INTEGER NOT NULL REFERENCES schemes (id) ON DELETE CASCADE,
    phase      TEXT NOT NULL CHECK (phase IN ('before', 'after')),
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),
    answers    TEXT NOT NULL DEFAULT '{}',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX questionnaire_responses_once ON questionnaire_responses (scheme_id, phase, user_id);
