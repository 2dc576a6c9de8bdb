-- Every token of the index is now marked as its school's (search.SchoolTokens),
-- so a search walks one school's postings even for words common everywhere.
-- The tokens are made in Go: the table is emptied here and rebuilt at start.
INSERT INTO disclosures_fts (disclosures_fts) VALUES ('delete-all');
UPDATE search_reindex SET pending = 1;
