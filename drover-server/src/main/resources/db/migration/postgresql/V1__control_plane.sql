-- Drover control plane schema (PostgreSQL). Timestamps are microseconds since the epoch (BIGINT) in both
-- dialects so that ordering, keyset cursors and arithmetic are identical everywhere.

CREATE TABLE teams (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Users and service accounts are both principals; kind is 'user' or 'service_account'.
CREATE TABLE principals (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('user', 'service_account')),
    display_name  TEXT NOT NULL,
    email         TEXT,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id       TEXT NOT NULL REFERENCES teams (id),
    principal_id  TEXT NOT NULL REFERENCES principals (id),
    PRIMARY KEY (team_id, principal_id)
);
CREATE INDEX team_members_by_principal ON team_members (principal_id);

-- Keys are stored as SHA-256 of the secret (the secret is 256 random bits, so a slow hash adds nothing);
-- prefix is the first characters of the key, shown in listings so a human can tell keys apart.
CREATE TABLE api_keys (
    id            TEXT PRIMARY KEY,
    principal_id  TEXT NOT NULL REFERENCES principals (id),
    name          TEXT NOT NULL,
    prefix        TEXT NOT NULL,
    secret_hash   TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL DEFAULT 'standard',
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);

CREATE TABLE runs (
    id                  TEXT PRIMARY KEY,
    owner_type          TEXT NOT NULL CHECK (owner_type IN ('User', 'Team')),
    owner_id            TEXT NOT NULL,
    creator_id          TEXT NOT NULL REFERENCES principals (id),
    title               TEXT NOT NULL,
    prompt              TEXT NOT NULL,
    state               TEXT NOT NULL,
    source              TEXT NOT NULL,
    execution_location  TEXT NOT NULL,
    config_json         TEXT NOT NULL,
    config_name         TEXT,
    model_id            TEXT,
    environment_id      TEXT,
    skill_spec          TEXT,
    skill_name          TEXT,
    agent_skill_json    TEXT,
    schedule_id         TEXT,
    schedule_json       TEXT,
    conversation_id     TEXT NOT NULL,
    parent_run_id       TEXT REFERENCES runs (id),
    depth               INTEGER NOT NULL DEFAULT 0,
    session_id          TEXT NOT NULL,
    interactive         BOOLEAN NOT NULL DEFAULT FALSE,
    metadata_json       TEXT,
    status_message_json TEXT,
    request_usage_json  TEXT,
    sandbox_running     BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_requested    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    started_at          BIGINT,
    -- sequence of the run's first and latest event: the keyset snapshot of the runs list reads these
    created_seq         BIGINT NOT NULL,
    updated_seq         BIGINT NOT NULL
);
-- one index per sort order, led by the owner because every list is scoped to what the caller can see
CREATE INDEX runs_by_updated ON runs (owner_id, updated_at, id);
CREATE INDEX runs_by_created ON runs (owner_id, created_at, id);
CREATE INDEX runs_by_title   ON runs (owner_id, title COLLATE "C", id);
CREATE INDEX runs_by_agent   ON runs (owner_id, (CASE WHEN skill_name IS NULL THEN 1 ELSE 0 END), (COALESCE(skill_name, '') COLLATE "C"), id);
CREATE INDEX runs_by_updated_seq ON runs (updated_seq);
CREATE INDEX runs_by_state   ON runs (state, created_at);
CREATE INDEX runs_by_parent  ON runs (parent_run_id);
CREATE INDEX runs_by_session ON runs (session_id);
CREATE INDEX runs_by_conversation ON runs (conversation_id);
CREATE INDEX runs_by_schedule ON runs (schedule_id);
CREATE INDEX runs_by_environment ON runs (environment_id);

CREATE TABLE run_metadata (
    run_id  TEXT NOT NULL REFERENCES runs (id),
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
CREATE INDEX run_metadata_by_pair ON run_metadata (key, value);

-- closure of the parent relation, written once at creation (parents never change): ancestor filters are
-- one indexed lookup at any depth
CREATE TABLE run_ancestors (
    run_id       TEXT NOT NULL REFERENCES runs (id),
    ancestor_id  TEXT NOT NULL REFERENCES runs (id),
    distance     INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, run_id)
);

CREATE TABLE run_attachments (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    position    INTEGER NOT NULL,
    file_name   TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    size_bytes  BIGINT NOT NULL,
    blob_key    TEXT NOT NULL
);
CREATE INDEX run_attachments_by_run ON run_attachments (run_id, position);

CREATE TABLE artifacts (
    id             TEXT PRIMARY KEY,
    run_id         TEXT NOT NULL REFERENCES runs (id),
    artifact_type  TEXT NOT NULL,
    data_json      TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX artifacts_by_run ON artifacts (run_id, artifact_type);

-- Idempotency-Key: the same key from the same principal returns the run it first created
CREATE TABLE idempotency_keys (
    principal_id  TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    run_id        TEXT NOT NULL REFERENCES runs (id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (principal_id, key)
);

-- The event log. sequence comes from event_counter inside the writing transaction: the counter row's lock
-- is held until commit, so events become visible in sequence order and a reader at since=N never misses one.
CREATE TABLE events (
    sequence      BIGINT PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs (id),
    event_type    TEXT NOT NULL,
    ref_id        TEXT,
    execution_id  TEXT,
    occurred_at   BIGINT NOT NULL
);
CREATE INDEX events_by_run ON events (run_id, sequence);

CREATE TABLE event_counter (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  BIGINT NOT NULL
);
INSERT INTO event_counter (id, value) VALUES (1, 0);

CREATE TABLE messages (
    id             TEXT PRIMARY KEY,
    recipient_id   TEXT NOT NULL REFERENCES runs (id),
    sender_run_id  TEXT NOT NULL REFERENCES runs (id),
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    sent_at        BIGINT NOT NULL,
    delivered_at   BIGINT,
    read_at        BIGINT
);
CREATE INDEX messages_by_recipient ON messages (recipient_id, sent_at, id);
