-- q= search over title, prompt and skill spec: a trigram GIN index over the three fields joined by a unit
-- separator (so a match cannot straddle two fields) answers ILIKE '%q%' from the index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX runs_search ON runs
    USING gin ((title || chr(31) || prompt || chr(31) || COALESCE(skill_spec, '')) gin_trgm_ops);
