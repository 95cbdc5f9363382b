-- A run's row version: bumped by the database itself on every UPDATE of the row, whoever writes it. The run
-- cache (runs/RunCache) serves GET /agent/runs/{id} from memory only while the row's version is the one it cached,
-- checked against the database for every request (many requests share one check: runs/RunVersions). A trigger
-- rather than each write site bumping it, so that a write added later cannot forget to.
ALTER TABLE runs ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0;

-- SQLite cannot assign NEW in a trigger: an AFTER trigger writes the bump. The WHEN clause keeps the bump's own
-- UPDATE from bumping again (recursive triggers are off, but the guard does not depend on that).
CREATE TRIGGER runs_row_version AFTER UPDATE ON runs FOR EACH ROW WHEN new.row_version = old.row_version BEGIN
    UPDATE runs SET row_version = old.row_version + 1 WHERE id = old.id;
END;
