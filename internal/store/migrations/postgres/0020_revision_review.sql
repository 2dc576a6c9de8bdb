-- Revisions are signed again: a revision of a published item is a new
-- version that goes through the procedure before it replaces the current
-- one. The item keeps where its pending revision stands ('' for none; the
-- pending version is version + 1, unpublished); each version keeps who
-- signed it (签发) and who checked it (审核), shown on the public trail;
-- and each step of a revision is marked as such in the item's trail.
ALTER TABLE disclosures ADD COLUMN revision_state TEXT NOT NULL DEFAULT '';
CREATE INDEX disclosures_revision ON disclosures (school_id, revision_state) WHERE revision_state <> '';

ALTER TABLE disclosure_versions ADD COLUMN signed_by BIGINT REFERENCES users(id);
ALTER TABLE disclosure_versions ADD COLUMN signed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE disclosure_versions ADD COLUMN checked_by BIGINT REFERENCES users(id);
ALTER TABLE disclosure_versions ADD COLUMN checked_at BIGINT NOT NULL DEFAULT 0;

ALTER TABLE disclosure_events ADD COLUMN revision BOOLEAN NOT NULL DEFAULT FALSE;

-- Versions from before: the last signature and check recorded for each. A
-- revision that went live at once has neither, and the trail says so.
UPDATE disclosure_versions SET
  signed_by = (SELECT e.actor_id FROM disclosure_events e WHERE e.school_id = disclosure_versions.school_id
    AND e.disclosure_id = disclosure_versions.disclosure_id AND e.version = disclosure_versions.version AND e.action = 'approve'
    ORDER BY e.id DESC LIMIT 1),
  signed_at = COALESCE((SELECT e.created_at FROM disclosure_events e WHERE e.school_id = disclosure_versions.school_id
    AND e.disclosure_id = disclosure_versions.disclosure_id AND e.version = disclosure_versions.version AND e.action = 'approve'
    ORDER BY e.id DESC LIMIT 1), 0),
  checked_by = (SELECT e.actor_id FROM disclosure_events e WHERE e.school_id = disclosure_versions.school_id
    AND e.disclosure_id = disclosure_versions.disclosure_id AND e.version = disclosure_versions.version AND e.action = 'check'
    ORDER BY e.id DESC LIMIT 1),
  checked_at = COALESCE((SELECT e.created_at FROM disclosure_events e WHERE e.school_id = disclosure_versions.school_id
    AND e.disclosure_id = disclosure_versions.disclosure_id AND e.version = disclosure_versions.version AND e.action = 'check'
    ORDER BY e.id DESC LIMIT 1), 0);
