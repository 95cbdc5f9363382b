-- Worker reports that changed something (transcript appends, artifacts, usage) carry a report id chosen by the
-- worker (Idempotency-Key). A worker retries a report whose answer it did not get — the server may have committed
-- it and died before answering — so the id is recorded in the report's own transaction with the answer given,
-- and a repeat gets that answer instead of a second transcript entry, artifact or usage charge.
CREATE TABLE worker_report_replays (
    run_id      TEXT NOT NULL REFERENCES runs (id),
    report_id   TEXT NOT NULL,
    reply_json  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (run_id, report_id)
);
