-- The verifiable record (存证): each school's append-only Merkle log
-- (docs/ledger.md). ledger_entries holds the entries, ledger_hashes the
-- tree's stored hashes (tlog.StoredHashIndex), ledger_heads the size
-- appended so far (its row lock serialises a school's appends), and
-- ledger_checkpoints the latest signed checkpoint, advanced only by
-- compare-and-swap on its size so that two nodes never sign two trees of
-- one size. ledger_keys lists the public keys; private keys stay in files
-- under --data.
CREATE TABLE ledger_entries (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  idx BIGINT NOT NULL,
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  version INTEGER NOT NULL,
  action TEXT NOT NULL,
  entry BLOB NOT NULL,
  leaf_hash BLOB NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, idx)
);
CREATE INDEX ledger_entries_item ON ledger_entries (school_id, disclosure_id, idx);
CREATE TABLE ledger_hashes (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  id BIGINT NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (school_id, id)
);
CREATE TABLE ledger_heads (
  school_id BIGINT PRIMARY KEY REFERENCES schools(id),
  size BIGINT NOT NULL
);
CREATE TABLE ledger_checkpoints (
  school_id BIGINT PRIMARY KEY REFERENCES schools(id),
  size BIGINT NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  signed_at BIGINT NOT NULL
);
CREATE TABLE ledger_keys (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  key_hash BIGINT NOT NULL,
  origin TEXT NOT NULL,
  vkey TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  retired_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (school_id, key_hash)
);
