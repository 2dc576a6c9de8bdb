-- The bureau as witness (docs/ledger.md): the checkpoints of the logs it
-- watches that it cosigned, speaking C2SP tlog-witness. witness_logs lists
-- the logs of schools on other gongkai instances that a bureau registered
-- (a school of this instance is known from ledger_keys). witness_heads holds
-- the latest cosigned tree per origin and moves only by compare-and-swap on
-- its size; witness_trees keeps every tree cosigned, whose key forbids two
-- trees of one size. witness_alarms keeps the evidence of a log that forked
-- or shrank: the two signed checkpoints that disagree.
CREATE TABLE witness_logs (
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  origin TEXT NOT NULL,
  vkey TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (origin, vkey)
);
CREATE INDEX witness_logs_bureau ON witness_logs (bureau_id, origin);
CREATE TABLE witness_heads (
  origin TEXT PRIMARY KEY,
  size BIGINT NOT NULL,
  root BYTEA NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE witness_trees (
  origin TEXT NOT NULL,
  size BIGINT NOT NULL,
  root BYTEA NOT NULL,
  note TEXT NOT NULL,
  cosigned_at BIGINT NOT NULL,
  PRIMARY KEY (origin, size)
);
CREATE TABLE witness_alarms (
  id BIGSERIAL PRIMARY KEY,
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  school_id BIGINT REFERENCES schools(id),
  origin TEXT NOT NULL,
  kind TEXT NOT NULL,
  size BIGINT NOT NULL,
  root BYTEA NOT NULL,
  note TEXT NOT NULL,
  known_size BIGINT NOT NULL,
  known_note TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  resolved_at BIGINT NOT NULL DEFAULT 0,
  UNIQUE (origin, kind, size, root)
);
CREATE INDEX witness_alarms_bureau ON witness_alarms (bureau_id, resolved_at, created_at);
