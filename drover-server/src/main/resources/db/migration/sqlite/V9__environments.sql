-- Environments (SQLite): the repositories and setup commands a run's workspace is prepared with.

CREATE TABLE environments (
    uid             TEXT PRIMARY KEY,
    owner_type      TEXT NOT NULL CHECK (owner_type IN ('User', 'Team')),
    owner_id        TEXT NOT NULL,
    name            TEXT NOT NULL,
    config_json     TEXT NOT NULL,
    creator_id      TEXT NOT NULL REFERENCES principals (id),
    last_editor_id  TEXT NOT NULL REFERENCES principals (id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    -- the latest run whose setup finished: true if it failed (environment_setup_failed), false once one starts
    setup_failed    BOOLEAN NOT NULL DEFAULT FALSE,
    -- the run most recently created in the environment (set in that run's creating transaction) and when a run
    -- of the environment last started
    last_run_id     TEXT REFERENCES runs (id),
    last_run_at     BIGINT
);
-- the two sorts of the list, each led by the owner because every list is scoped to what the caller can see
CREATE INDEX environments_by_name    ON environments (owner_id, name, uid);
CREATE INDEX environments_by_updated ON environments (owner_id, updated_at, uid);
