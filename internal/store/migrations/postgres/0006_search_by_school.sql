-- Every item's search vector carries its school's word (gkschool<id>), so a
-- search walks one school's postings; see search.SchoolToken.
UPDATE disclosures SET tsv = COALESCE(tsv, ''::tsvector) || setweight(to_tsvector('simple', 'gkschool' || school_id), 'A');
