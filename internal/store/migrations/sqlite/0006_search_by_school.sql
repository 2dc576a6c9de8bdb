-- Every item's search row carries its school's word (gkschool<id>), so a
-- search walks one school's postings; see search.SchoolToken. A contentless
-- FTS5 table cannot be updated in SQL, so it is emptied here and rebuilt in
-- Go at start (store.reindexSearch) while this flag is set.
INSERT INTO disclosures_fts (disclosures_fts) VALUES ('delete-all');
CREATE TABLE search_reindex (pending INTEGER NOT NULL);
INSERT INTO search_reindex (pending) VALUES (1);
