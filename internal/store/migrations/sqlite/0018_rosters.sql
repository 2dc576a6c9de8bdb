-- Rosters (lists of people): what each catalogue item lists, which fields
-- may be public and when its people are taken down (教财厅函〔2017〕28号);
-- when an item was withdrawn, since a withdrawn roster is taken down then.
ALTER TABLE catalogue_items ADD COLUMN roster TEXT NOT NULL DEFAULT 'none';
ALTER TABLE catalogue_items ADD COLUMN roster_fields TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_items ADD COLUMN takedown TEXT NOT NULL DEFAULT '';
ALTER TABLE bureau_catalogue_items ADD COLUMN roster TEXT NOT NULL DEFAULT 'none';
ALTER TABLE bureau_catalogue_items ADD COLUMN roster_fields TEXT NOT NULL DEFAULT '';
ALTER TABLE bureau_catalogue_items ADD COLUMN takedown TEXT NOT NULL DEFAULT '';

-- Existing schools' items of the default catalogue get its defaults.
UPDATE catalogue_items SET roster = 'students', roster_fields = 'name,school,class,level,amount', takedown = 'period_end'
  WHERE code IN ('aid-roster', 'student-awards');
UPDATE catalogue_items SET roster = 'staff', roster_fields = 'name,school,post,level', takedown = 'period_end'
  WHERE code IN ('staff-awards', 'staff-evaluation', 'title-review');

ALTER TABLE disclosures ADD COLUMN withdrawn_at BIGINT NOT NULL DEFAULT 0;
UPDATE disclosures SET withdrawn_at = (SELECT MAX(e.created_at) FROM disclosure_events e
    WHERE e.school_id = disclosures.school_id AND e.disclosure_id = disclosures.id AND e.action = 'withdraw')
  WHERE EXISTS (SELECT 1 FROM disclosure_events e
    WHERE e.school_id = disclosures.school_id AND e.disclosure_id = disclosures.id AND e.action = 'withdraw');

-- 个人信息保护影响评估 (PIPL art. 55), kept for every catalogue item that
-- publishes personal data; the latest one of an item is the one in force.
CREATE TABLE impact_assessments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  catalogue_code TEXT NOT NULL,
  purpose TEXT NOT NULL,
  fields TEXT NOT NULL,
  audience TEXT NOT NULL,
  retention TEXT NOT NULL,
  checked_by TEXT NOT NULL,
  assessed_on TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX impact_assessments_item ON impact_assessments (school_id, catalogue_code, id);

-- Every opening of a taken-down roster's original, with its reason.
CREATE TABLE roster_audits (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  actor_id BIGINT REFERENCES users(id),
  actor_name TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX roster_audits_school ON roster_audits (school_id, id);

-- Items taken down already leave the search index: rebuild it.
UPDATE search_reindex SET pending = 1;
