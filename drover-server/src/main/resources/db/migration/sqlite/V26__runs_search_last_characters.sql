-- The runs list's q of one or two characters (issue 13). runs_search's trigrams cover every character of a run's
-- search text (title, prompt and skill spec joined by U+001F) as the first of a trigram but the text's last two,
-- and every adjacent pair but the last: a rare character or pair is found from the trigrams that begin with it,
-- and from these two indexes of the text's end (runs/ShortTextSearch), instead of testing every run's text.
CREATE INDEX runs_search_last_two ON runs (substr(title || char(31) || prompt || char(31) || COALESCE(skill_spec, ''), -2));
CREATE INDEX runs_search_last_one ON runs (substr(title || char(31) || prompt || char(31) || COALESCE(skill_spec, ''), -1));
