-- Token buckets shared by every node, e.g. sign-in attempts per username.
-- The key is stored as its SHA-256 (see ratelimit.go); updated_at is unix ms.
CREATE TABLE rate_limits (
  key TEXT PRIMARY KEY,
  tokens REAL NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX rate_limits_updated ON rate_limits (updated_at);
