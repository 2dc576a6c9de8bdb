-- A board counts and pages a school's published items by audience, category
-- and date; this index answers those filters and the search's membership
-- test without reading the rows (bodies make the table large).
CREATE INDEX disclosures_public ON disclosures (school_id, audience, published_at DESC, state, category);
