-- q of one or two characters by pairs, not characters (issue 13, docs/benchmarks.md). V26's index of each run's
-- characters finds a rare character, but not two common ones that seldom sit side by side (q=xq: every run has an
-- x and a q, so every run was tested, 2.5 s over a million runs). This table holds each run's printable ASCII
-- characters and every pair of them side by side, as numbers (runs/RunTextTerms), written once per run, and not on
-- the run's row, which changes on every transition and whose indexes are all written again each time it does
-- (V26's index was one of them).
CREATE TABLE run_text_terms (
    run_id TEXT PRIMARY KEY REFERENCES runs (id),
    terms  INTEGER[] NOT NULL
);
CREATE INDEX run_text_terms_by_term ON run_text_terms USING gin (terms);

-- The terms are not written by the create: their 150-odd index entries per run inside the create's transaction, which
-- holds the event counter, cost 15-23 % of the creates per second. The nodes write them after it, following the
-- event log in batches (runs/RunTextTermsFollower); this row holds how far: every run whose creation event is at or
-- below through_seq has its terms. A short q reads the terms, plus the few runs created above through_seq.
-- Starting from 0, the runs created before this migration get theirs the same way (0.5 ms per run computed in SQL
-- would have held this migration for eight minutes per million runs, while no node serves).
CREATE TABLE run_text_terms_progress (
    through_seq BIGINT NOT NULL
);
INSERT INTO run_text_terms_progress (through_seq) VALUES (0);

DROP INDEX runs_search_characters;
