-- The execution plane (SQLite): workers pull runs from a pool under an expiring lease.

CREATE TABLE workers (
    id                 TEXT PRIMARY KEY,
    principal_id       TEXT NOT NULL REFERENCES principals (id),
    name               TEXT NOT NULL,
    pool               TEXT NOT NULL,
    slots              INTEGER NOT NULL,
    host               TEXT,
    registered_at      BIGINT NOT NULL,
    last_heartbeat_at  BIGINT NOT NULL
);
CREATE INDEX workers_by_heartbeat ON workers (last_heartbeat_at);

-- pool: where the run may execute (config.worker_host, else 'default'); worker_id and lease_expires_at: who
-- holds it and until when; attempts: how many times it was handed to a worker (a requeue adds one)
ALTER TABLE runs ADD COLUMN pool TEXT NOT NULL DEFAULT 'default';
ALTER TABLE runs ADD COLUMN worker_id TEXT;
ALTER TABLE runs ADD COLUMN lease_expires_at BIGINT;
ALTER TABLE runs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;

-- the queue: oldest QUEUED run of a pool first
CREATE INDEX runs_queue ON runs (pool, state, created_at, id);
-- the lease sweeper looks only at runs that hold a lease
CREATE INDEX runs_leases ON runs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
