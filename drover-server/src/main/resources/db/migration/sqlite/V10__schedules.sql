-- Scheduled agents. next_run is the tick the schedule fires next (null while paused). A node fires a tick by
-- moving next_run forward with a compare-and-set in the transaction that creates the tick's run, and records
-- the tick in schedule_fires, whose primary key makes a second run for one tick impossible whatever the number
-- of nodes, restarts or clock skew between them.
CREATE TABLE schedules (
    id                TEXT PRIMARY KEY,
    owner_type        TEXT NOT NULL CHECK (owner_type IN ('User', 'Team')),
    owner_id          TEXT NOT NULL,
    name              TEXT NOT NULL,
    cron_schedule     TEXT NOT NULL,
    enabled           BOOLEAN NOT NULL,
    prompt            TEXT NOT NULL,
    config_json       TEXT,
    environment_id    TEXT,
    created_by        TEXT NOT NULL REFERENCES principals (id),
    updated_by        TEXT NOT NULL REFERENCES principals (id),
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    next_run          BIGINT,
    last_ran          BIGINT,
    last_spawn_error  TEXT
);
CREATE INDEX schedules_due ON schedules (next_run) WHERE next_run IS NOT NULL;
CREATE INDEX schedules_by_owner ON schedules (owner_id, name);
CREATE INDEX schedules_by_environment ON schedules (environment_id) WHERE environment_id IS NOT NULL;

CREATE TABLE schedule_fires (
    schedule_id  TEXT NOT NULL,
    tick         BIGINT NOT NULL,
    run_id       TEXT,
    error        TEXT,
    fired_at     BIGINT NOT NULL,
    PRIMARY KEY (schedule_id, tick)
);
