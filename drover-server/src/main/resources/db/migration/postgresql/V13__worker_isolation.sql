-- Which isolation backend a worker runs agents with (container, bubblewrap, none, or unavailable when it refuses
-- to run them), as it registered; GET /workers shows it.
ALTER TABLE workers ADD COLUMN isolation TEXT;
