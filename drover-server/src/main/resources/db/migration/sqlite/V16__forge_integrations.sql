-- Inbound repository events (GitHub/GitLab webhooks that start runs) and the comments Drover posts back; the
-- attempt history of outbound webhook deliveries.
--
-- A delivery that started a run is recorded in the same transaction as the run: the primary key (forge, delivery)
-- is what makes a replayed or concurrently repeated delivery start nothing twice. Deliveries that started nothing
-- (ignored events) are not recorded.
CREATE TABLE forge_deliveries (
    forge        TEXT NOT NULL CHECK (forge IN ('github', 'gitlab')),
    delivery_id  TEXT NOT NULL,
    run_id       TEXT NOT NULL REFERENCES runs (id),
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (forge, delivery_id)
);

-- Comments on the triggering issue or pull/merge request: one when the run is created (status pending at once) and
-- one with the outcome (waiting until the run ends, then pending with its body). A pending comment is due at
-- next_attempt_at; a node claims it by moving next_attempt_at past its lease and stamping claim_token, and records
-- the attempt only if the token is still its own (the webhook deliveries' scheme). Finished: sent, failed (given up
-- after the configured attempts) or skipped (no forge access configured).
CREATE TABLE forge_comments (
    id               TEXT PRIMARY KEY,
    run_id           TEXT NOT NULL REFERENCES runs (id),
    kind             TEXT NOT NULL CHECK (kind IN ('started', 'outcome')),
    forge            TEXT NOT NULL CHECK (forge IN ('github', 'gitlab')),
    project          TEXT NOT NULL,
    target           TEXT NOT NULL CHECK (target IN ('issue', 'pull_request', 'merge_request')),
    number           BIGINT NOT NULL,
    body             TEXT,
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL,
    next_attempt_at  BIGINT,
    claim_token      TEXT,
    last_error       TEXT,
    comment_url      TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (run_id, kind)
);
CREATE INDEX forge_comments_due ON forge_comments (next_attempt_at) WHERE status = 'pending';
CREATE INDEX forge_comments_waiting ON forge_comments (created_at) WHERE status = 'waiting';

-- Outbound webhooks: every attempt at a delivery, recorded in the transaction that records the attempt on the delivery
-- (webhook_deliveries keeps only the last one). Removed with its delivery (webhook deleted, retention).
CREATE TABLE webhook_delivery_attempts (
    id               TEXT PRIMARY KEY,
    delivery_id      TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at     BIGINT NOT NULL,
    response_status  INTEGER,
    latency_ms       BIGINT NOT NULL,
    error            TEXT,
    succeeded        BOOLEAN NOT NULL
);
CREATE INDEX webhook_delivery_attempts_by_delivery ON webhook_delivery_attempts (delivery_id, attempted_at);
