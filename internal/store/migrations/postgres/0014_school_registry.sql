-- The bureau's school registry: within a bureau a 学校标识码 and a
-- 统一社会信用代码 belong to one school (slugs are unique everywhere already).
-- Empty values are schools registered before the bureau kept them.
CREATE UNIQUE INDEX schools_bureau_code ON schools (bureau_id, code) WHERE code <> '';
CREATE UNIQUE INDEX schools_bureau_credit_code ON schools (bureau_id, credit_code) WHERE credit_code <> '';

-- A school list uploaded for import, kept between its preview and the
-- administrator's confirmation (any node may serve either request). The
-- file is parsed and checked again on confirmation; rows older than a day
-- are deleted at the next upload.
CREATE TABLE school_imports (
  token_hash TEXT PRIMARY KEY,
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  actor_id BIGINT NOT NULL,
  filename TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  data BYTEA NOT NULL,
  created_at BIGINT NOT NULL
);
