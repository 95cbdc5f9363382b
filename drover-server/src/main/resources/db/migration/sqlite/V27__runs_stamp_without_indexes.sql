-- As on PostgreSQL (its V27): the runs changed since a listing's snapshot are found from the events above it, so
-- the event's stamp of its run (updated_seq) no longer maintains an index. SQLite rewrites a changed row in place
-- and updates only the indexes of changed columns: one index less per event.
DROP INDEX runs_by_owner_updated_seq;
