-- The stamp every event gives its run (updated_at, updated_seq, created_seq) is written while its transaction holds
-- the event counter, which every appending transaction waits for (docs/events.md). An UPDATE that changes an indexed
-- column inserts into every one of runs' two dozen indexes; one that changes none can be HOT (a new version on the
-- same page, no index entry). Transitions now write updated_at with their compare-and-set, before the counter, so the
-- stamp changes only the sequences; this index was the one that held updated_seq. The runs changed since a listing's
-- snapshot are found from the events above it instead (RunListSql.page). Measured: docs/benchmarks.md, "The run's
-- stamp off the indexes".
DROP INDEX runs_by_owner_updated_seq;
-- Room on each page for the new versions of its runs (HOT needs it); new pages only, nothing is rewritten.
ALTER TABLE runs SET (fillfactor = 85);
