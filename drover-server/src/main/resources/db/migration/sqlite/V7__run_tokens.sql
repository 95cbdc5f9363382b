-- Run-scoped API tokens, minted when a worker claims a run and handed to its agent: they act as the run's
-- creator and stop working when the run ends (or is claimed again). Stored hashed, like API keys.
CREATE TABLE run_tokens (
    token_hash  TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES runs (id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX run_tokens_by_run ON run_tokens (run_id);
