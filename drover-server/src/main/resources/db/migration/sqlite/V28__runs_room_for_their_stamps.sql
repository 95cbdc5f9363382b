-- PostgreSQL's V28 leaves room on runs' pages for HOT updates; SQLite rewrites a changed row in place and has no
-- fill factor. Kept so that both databases have the same versions.
SELECT 1;
