-- The runs list over a million runs (issue 13).
--
-- The trigram index's vocabulary, one row per occurrence of each trigram, sorted by term: a two-character q
-- (which FTS5 cannot match) finds the trigrams that start or end with the pair here and reads the few runs that
-- contain a rare pair by id instead of scanning every run's text (runs/ShortTextSearch). A virtual table over
-- runs_search's own index: it stores nothing, so it costs no write and no space.
CREATE VIRTUAL TABLE runs_search_terms USING fts5vocab(runs_search, 'instance');
