-- Most runs have no artifacts; this flag (set in the transaction that records a run's first artifact) lets a
-- read of a run skip the artifacts query, one round trip of two on the hottest endpoint.
ALTER TABLE runs ADD COLUMN has_artifacts BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE runs SET has_artifacts = TRUE WHERE id IN (SELECT run_id FROM artifacts);
