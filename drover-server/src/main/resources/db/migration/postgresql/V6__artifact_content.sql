-- Artifact bytes (FILE, SCREENSHOT) live in the blob store under blob_key; a PLAN's markdown in content.
-- data_json stays exactly what the API shows on the run.
ALTER TABLE artifacts ADD COLUMN blob_key TEXT;
ALTER TABLE artifacts ADD COLUMN content TEXT;
ALTER TABLE artifacts ADD COLUMN size_bytes BIGINT;
ALTER TABLE artifacts ADD COLUMN mime_type TEXT;
