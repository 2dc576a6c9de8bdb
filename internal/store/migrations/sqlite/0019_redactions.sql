-- Redaction (删除个人信息): the principal purges one version's body or one
-- file that published personal data by mistake. The version and the file
-- rows stay, marked with the time; what they held is gone.
ALTER TABLE disclosure_versions ADD COLUMN redacted_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN redacted_at BIGINT NOT NULL DEFAULT 0;

-- A file is deleted from the store only when nothing else uses its key:
-- keys are content hashes shared by every school, so the lookup is by key.
CREATE INDEX attachments_storage_key ON attachments (storage_key);
CREATE INDEX feedback_attachments_storage_key ON feedback_attachments (storage_key);

-- What each redaction removed, for the staff and the bureau; the reason is
-- the comment of its trail event.
CREATE TABLE redactions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  event_id BIGINT NOT NULL REFERENCES disclosure_events(id),
  target TEXT NOT NULL,
  version INTEGER NOT NULL,
  attachment_id BIGINT NOT NULL DEFAULT 0,
  filename TEXT NOT NULL DEFAULT '',
  versions TEXT NOT NULL DEFAULT '',
  file_deleted BOOLEAN NOT NULL DEFAULT FALSE,
  -- The key of a file whose deletion failed, until a retry deletes it.
  pending_key TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX redactions_item ON redactions (school_id, disclosure_id, id);
CREATE INDEX redactions_pending ON redactions (pending_key) WHERE pending_key <> '';
