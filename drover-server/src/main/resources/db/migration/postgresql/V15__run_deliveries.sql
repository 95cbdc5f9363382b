-- What became of a run's changes, per repository: the commit the worker made of them on the run's branch, whether
-- it reached the remote (and why not), and the unified diff against the cloned commit, capped at 5 MiB
-- (truncated). Kept here, not in the workspace, so the changes outlive the workspace's deletion. A second
-- execution of the run (a retry, a follow-up) replaces its repository's row.
CREATE TABLE run_deliveries (
    run_id          TEXT NOT NULL REFERENCES runs (id),
    repository      TEXT NOT NULL,
    base_commit     TEXT NOT NULL,
    head_commit     TEXT NOT NULL,
    branch          TEXT NOT NULL,
    files_changed   INTEGER NOT NULL,
    insertions      INTEGER NOT NULL,
    deletions       INTEGER NOT NULL,
    truncated       BOOLEAN NOT NULL,
    diff            TEXT NOT NULL,
    pushed          BOOLEAN NOT NULL,
    delivery_error  TEXT,
    execution_id    TEXT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (run_id, repository)
);
