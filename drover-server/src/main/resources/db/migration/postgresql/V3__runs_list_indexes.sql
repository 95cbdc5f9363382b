-- Found by bench/ with 100k runs of one team (see docs/benchmarks.md):
-- The capacity check on every create counts an owner's active runs; no index led with (owner_id, state), so it
-- read every run the owner ever had, inside the write transaction.
CREATE INDEX runs_by_owner_state ON runs (owner_id, state);
-- Later pages of an updated_at listing also read the owner's runs changed since the snapshot
-- (updated_seq > snapshot); with updated_seq indexed alone the planner chose an owner index and read every run
-- of the owner (~90 ms at 100k). Every list query is per owner, so the owner leads here too.
DROP INDEX runs_by_updated_seq;
CREATE INDEX runs_by_owner_updated_seq ON runs (owner_id, updated_seq);
