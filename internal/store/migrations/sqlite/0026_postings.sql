-- Postings (张贴): the facts that an item was also posted on a physical
-- board or announced at a meeting or on the loudspeakers. Rows are never
-- updated but to void a mistaken one (voided_at, void_reason, voided_by),
-- and never deleted. The photo is stored without its metadata.
CREATE TABLE postings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  channel TEXT NOT NULL,
  posted_on TEXT NOT NULL,
  place TEXT NOT NULL,
  posted_by TEXT NOT NULL,
  photo_key TEXT NOT NULL DEFAULT '',
  photo_type TEXT NOT NULL DEFAULT '',
  photo_size BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  voided_at BIGINT NOT NULL DEFAULT 0,
  void_reason TEXT NOT NULL DEFAULT '',
  voided_by BIGINT REFERENCES users(id)
);
CREATE INDEX postings_item ON postings (school_id, disclosure_id, id);
CREATE INDEX postings_photo_key ON postings (photo_key);

-- A catalogue item, and the obligations it raises, may name the channel on
-- which the item must also be made public ("须在公开栏张贴"): such an
-- obligation is met only once a posting on that channel is recorded.
ALTER TABLE catalogue_items ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE bureau_catalogue_items ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE obligations ADD COLUMN channel TEXT NOT NULL DEFAULT '';
