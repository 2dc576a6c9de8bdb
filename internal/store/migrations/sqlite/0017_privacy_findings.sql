-- Personal data found in attachments, per file content (its SHA-256) and
-- school: the findings as JSON, each with its place in the file and its
-- value already masked. The values themselves are never stored again.
CREATE TABLE privacy_scans (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  sha256 TEXT NOT NULL,
  findings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, sha256)
);

-- A finding the principal let stand, with the reason, for the supervision
-- group to see when they check the item. finding_key is kind|place|mask.
CREATE TABLE privacy_overrides (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  finding_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  place TEXT NOT NULL,
  masked TEXT NOT NULL,
  reason TEXT NOT NULL,
  principal_id BIGINT REFERENCES users(id),
  principal_name TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX privacy_overrides_finding ON privacy_overrides (school_id, disclosure_id, finding_key);
