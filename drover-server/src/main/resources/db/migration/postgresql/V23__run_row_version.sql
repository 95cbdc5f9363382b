-- A run's row version: bumped by the database itself on every UPDATE of the row, whoever writes it. The run
-- cache (runs/RunCache) serves GET /agent/runs/{id} from memory only while the row's version is the one it cached,
-- checked against the database for every request (many requests share one check: runs/RunVersions). A trigger
-- rather than each write site bumping it, so that a write added later cannot forget to.
ALTER TABLE runs ADD COLUMN row_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION runs_bump_row_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_version := OLD.row_version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER runs_row_version BEFORE UPDATE ON runs FOR EACH ROW EXECUTE FUNCTION runs_bump_row_version();
