-- Follow-ups (POST /agent/runs/{runId}/followups). A follow-up is an inbox message of its run (kind 'followup',
-- sent by a person or a parent agent, sender_run_id = the run itself), so that the running agent receives it the
-- way it receives any message; mode is the follow-up's query mode. A follow-up to a run that had ended continues
-- it: the run's turn counts those continuations (1 = its first execution).
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
ALTER TABLE messages ADD COLUMN mode TEXT;
ALTER TABLE messages ADD COLUMN sender_principal_id TEXT;
CREATE INDEX messages_unread_by_kind ON messages (recipient_id, kind, read_at);

ALTER TABLE runs ADD COLUMN turn INTEGER NOT NULL DEFAULT 1;

-- Idempotency-Key of follow-ups, per principal like run creation's: the reply is kept to answer a repeat.
CREATE TABLE followup_keys (
    principal_id  TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    run_id        TEXT NOT NULL REFERENCES runs (id),
    reply_json    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (principal_id, key)
);
