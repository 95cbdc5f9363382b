-- q= search over title, prompt and skill spec: an FTS5 table with the trigram tokenizer answers substring
-- queries of three or more characters from its index (shorter ones fall back to LIKE on runs).
-- The run id is stored unindexed rather than relying on runs' implicit rowid, which VACUUM may renumber.
CREATE VIRTUAL TABLE runs_search USING fts5(run_id UNINDEXED, body, tokenize = 'trigram');

INSERT INTO runs_search (run_id, body)
SELECT id, title || char(31) || prompt || char(31) || COALESCE(skill_spec, '') FROM runs;

CREATE TRIGGER runs_search_insert AFTER INSERT ON runs BEGIN
    INSERT INTO runs_search (run_id, body)
    VALUES (new.id, new.title || char(31) || new.prompt || char(31) || COALESCE(new.skill_spec, ''));
END;

CREATE TRIGGER runs_search_update AFTER UPDATE OF title, prompt, skill_spec ON runs BEGIN
    DELETE FROM runs_search WHERE run_id = old.id;
    INSERT INTO runs_search (run_id, body)
    VALUES (new.id, new.title || char(31) || new.prompt || char(31) || COALESCE(new.skill_spec, ''));
END;
