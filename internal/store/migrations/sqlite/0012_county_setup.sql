-- A county starts from an empty database: the bureau's particulars for the
-- footer of every page, the schools' full records, the one-time setup link
-- and the admin log.

-- 行政区划代码 (division_code) is the county's code, e.g. 350121; region_code
-- stays the region of the working-day calendar. The rest is shown in the
-- footer: 监督举报电话, 主办单位, ICP备案号 and 公安备案号.
ALTER TABLE bureaus ADD COLUMN division_code TEXT NOT NULL DEFAULT '';
ALTER TABLE bureaus ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE bureaus ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE bureaus ADD COLUMN sponsor TEXT NOT NULL DEFAULT '';
ALTER TABLE bureaus ADD COLUMN icp TEXT NOT NULL DEFAULT '';
ALTER TABLE bureaus ADD COLUMN psb TEXT NOT NULL DEFAULT '';

-- 统一社会信用代码, 学段, the phones and hours the school publishes, its
-- 便民办事指南, and when it was deactivated (0: active).
ALTER TABLE schools ADD COLUMN credit_code TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN stage TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN admission_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN aid_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN office_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN guide TEXT NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN deactivated_at BIGINT NOT NULL DEFAULT 0;

-- Setup links printed at a start with no bureau: only the hash is kept, and
-- every one is deleted when one of them is used.
CREATE TABLE setup_tokens (
  token_hash TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);

-- Every administrative change: who, when, what. Rows are only ever added;
-- the triggers below refuse any change or deletion.
CREATE TABLE admin_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  school_id BIGINT REFERENCES schools(id),
  actor_id BIGINT REFERENCES users(id),
  actor_name TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX admin_log_bureau ON admin_log (bureau_id, id);
CREATE INDEX admin_log_school ON admin_log (school_id, id);
CREATE TRIGGER admin_log_no_update BEFORE UPDATE ON admin_log
BEGIN SELECT RAISE(ABORT, 'admin_log is append-only'); END;
CREATE TRIGGER admin_log_no_delete BEFORE DELETE ON admin_log
BEGIN SELECT RAISE(ABORT, 'admin_log is append-only'); END;
