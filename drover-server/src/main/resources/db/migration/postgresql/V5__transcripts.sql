-- Transcripts are appended incrementally while a run executes, so a live page can follow them. Each append is
-- one row per message, ordered by the sequence of the transcript_appended event written in the same
-- transaction (unique and in commit order on every node). Rows, not blobs: appends from any node are safe.
CREATE TABLE transcript_entries (
    run_id        TEXT NOT NULL REFERENCES runs (id),
    sequence      BIGINT NOT NULL,
    position      INTEGER NOT NULL,
    message_id    TEXT NOT NULL,
    role          TEXT NOT NULL,
    content_json  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (run_id, sequence, position)
);

-- Secrets every node must share, e.g. the key that signs download URLs.
CREATE TABLE server_secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
