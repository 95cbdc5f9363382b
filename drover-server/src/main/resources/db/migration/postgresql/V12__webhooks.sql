-- Outbound webhooks. A webhook follows the event log with its own cursor (cursor_seq: the last sequence it has
-- looked at); the fan-out pass inserts one delivery per subscribed event in the same transaction that moves the
-- cursor, so an event is turned into a delivery exactly once whatever the number of nodes. The secret is kept as
-- issued (whsec_...): the server needs it to sign every attempt.
CREATE TABLE webhooks (
    id                    TEXT PRIMARY KEY,
    owner_type            TEXT NOT NULL CHECK (owner_type IN ('User', 'Team')),
    owner_id              TEXT NOT NULL,
    url                   TEXT NOT NULL,
    description           TEXT,
    event_types           TEXT NOT NULL,
    secret                TEXT NOT NULL,
    enabled               BOOLEAN NOT NULL,
    disabled_reason       TEXT,
    consecutive_failures  INTEGER NOT NULL,
    cursor_seq            BIGINT NOT NULL,
    created_by            TEXT NOT NULL REFERENCES principals (id),
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX webhooks_by_owner ON webhooks (owner_id, created_at);

-- One row per (webhook, event): its id is the webhook-id header, the same on every attempt. A pending delivery is
-- due at next_attempt_at; a node claims it by moving next_attempt_at past its lease and stamping claim_token, and
-- records the attempt only if the token is still its own. A node that dies mid-attempt leaves the delivery due again
-- when the lease ends.
CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id),
    event_sequence   BIGINT NOT NULL,
    event_type       TEXT NOT NULL,
    run_id           TEXT NOT NULL,
    payload          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT,
    claim_token      TEXT,
    last_attempt_at  BIGINT,
    response_status  INTEGER,
    latency_ms       BIGINT,
    error            TEXT,
    created_at       BIGINT NOT NULL,
    UNIQUE (webhook_id, event_sequence)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_id, created_at);
-- finished deliveries are kept DROVER_WEBHOOK_RETENTION_DAYS, then removed oldest first
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (created_at) WHERE status <> 'pending';
