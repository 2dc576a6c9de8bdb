-- Every lexeme of the index is now marked as its school's (search.SchoolTokens),
-- so a search walks one school's postings even for words common everywhere.
-- The lexemes are made in Go: the vectors are rebuilt at start while the flag
-- is set (store.reindexSearch).
CREATE TABLE search_reindex (pending INTEGER NOT NULL);
INSERT INTO search_reindex (pending) VALUES (1);
