-- The runs list over a million runs, PostgreSQL's misses (issue 13, docs/benchmarks.md).
-- One transaction, as every migration: a crash leaves none of it. Building the GIN index takes about two minutes
-- per million runs, and meanwhile writes to runs wait on every node (CREATE INDEX's lock); CONCURRENTLY would
-- need a migration outside a transaction, for a wait that comes once, at the upgrade.

-- q of one or two characters. pg_trgm's index cannot answer fewer than three characters (nor characters outside
-- words, such as # or -), so such a q tested every run's text with ILIKE: a rare one took over a second. This
-- index holds each run's characters, of the same text the trigram index covers, lower-cased as ILIKE folds it:
-- a short q looks up the runs that have all of its characters (runs/ShortTextSearch), and ILIKE stays the exact
-- test. Characters and not pairs: an index of every adjacent pair, built with SQL's functions, cost a create four
-- times what this one does.
CREATE INDEX runs_search_characters ON runs
    USING gin (string_to_array(lower(title || chr(31) || prompt || chr(31) || COALESCE(skill_spec, '')), NULL));

-- metadata[key]=value: the matching runs' ids from the index alone (an index-only scan), instead of a scan of the
-- whole table, which the planner preferred to fetching each match's row.
DROP INDEX run_metadata_by_pair;
CREATE INDEX run_metadata_by_pair ON run_metadata (key, value, run_id);

-- Statistics of the new index's expression: with them the planner reads a common character's runs by walking
-- (a page of matches at once) and a rare one's from the index; without, it guesses the same for both.
ANALYZE runs;
