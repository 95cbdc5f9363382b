-- q of one or two characters by pairs, not characters (issue 13, docs/benchmarks.md). V26's index of each run's
-- characters finds a rare character, but not two common ones that seldom sit side by side (q=xq: every run has an
-- x and a q, so every run was tested, 2.5 s over a million runs). This table holds each run's printable ASCII
-- characters and every pair of them side by side, as numbers (runs/RunTextTerms): the server computes them when
-- it creates the run and writes them once, here and not on the run's row, which changes on every transition and
-- whose indexes are all written again each time it does (V26's index was one of them).
CREATE TABLE run_text_terms (
    run_id TEXT PRIMARY KEY REFERENCES runs (id),
    terms  INTEGER[] NOT NULL
);
CREATE INDEX run_text_terms_by_term ON run_text_terms USING gin (terms);

-- The runs created before this migration get their terms from the nodes, in batches in the order of their ids,
-- after it (runs/RunTextTermsBackfill): computing them in SQL took 0.5 ms per run, eight minutes per million runs
-- inside this migration, while no node serves. This row, while it exists, holds the id after which the next batch
-- starts; until the last batch deletes it, a short q is found by walking, as before V26. (As with every migration,
-- the nodes of the older build are stopped first: they would create runs without terms.)
CREATE TABLE run_text_terms_backfill (
    after_id TEXT NOT NULL
);
INSERT INTO run_text_terms_backfill (after_id) SELECT '' WHERE EXISTS (SELECT 1 FROM runs);

DROP INDEX runs_search_characters;
