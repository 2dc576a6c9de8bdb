-- A board counts and pages a school's published items by audience, category
-- and date; this index answers those filters without reading the rows.
CREATE INDEX disclosures_public ON disclosures (school_id, audience, published_at DESC) INCLUDE (state, category, id);
