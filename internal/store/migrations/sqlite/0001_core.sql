CREATE TABLE bureaus (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  region_code TEXT NOT NULL DEFAULT 'CN',
  created_at BIGINT NOT NULL
);

CREATE TABLE schools (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  full_name TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX schools_bureau ON schools (bureau_id, name);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  bureau_id BIGINT REFERENCES bureaus(id),
  bureau_role TEXT NOT NULL DEFAULT '',
  disabled BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);

CREATE TABLE departments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  name TEXT NOT NULL,
  UNIQUE (school_id, name)
);

CREATE TABLE memberships (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  department_id BIGINT REFERENCES departments(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, user_id, role)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  code TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT 'parent',
  max_uses INTEGER NOT NULL DEFAULT 100,
  uses INTEGER NOT NULL DEFAULT 0,
  expires_at BIGINT NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX invitations_school ON invitations (school_id, created_at);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  kind TEXT NOT NULL DEFAULT 'web',
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE catalogue_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  audience TEXT NOT NULL,
  publicity_days INTEGER NOT NULL DEFAULT 0,
  frequency TEXT NOT NULL DEFAULT '',
  department TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  UNIQUE (school_id, code)
);

CREATE TABLE disclosures (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  index_no TEXT NOT NULL DEFAULT '',
  catalogue_code TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  audience TEXT NOT NULL,
  state TEXT NOT NULL,
  doc_number TEXT NOT NULL DEFAULT '',
  department_id BIGINT REFERENCES departments(id),
  clerk_id BIGINT REFERENCES users(id),
  channels TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  contact TEXT NOT NULL DEFAULT '',
  publicity_days INTEGER NOT NULL DEFAULT 0,
  publicity_start TEXT NOT NULL DEFAULT '',
  publicity_end TEXT NOT NULL DEFAULT '',
  end_provisional BOOLEAN NOT NULL DEFAULT FALSE,
  version INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  published_at BIGINT NOT NULL DEFAULT 0,
  signed_by BIGINT REFERENCES users(id),
  signed_at BIGINT NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT ''
);
-- Boards list published items of one school newest first; the work queue
-- finds items by state; the sweeper finds periods that ended.
CREATE INDEX disclosures_board ON disclosures (school_id, state, published_at DESC);
CREATE INDEX disclosures_category ON disclosures (school_id, category, published_at DESC);
CREATE INDEX disclosures_period ON disclosures (state, publicity_end);

CREATE TABLE disclosure_versions (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  version INTEGER NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  doc_number TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  published_at BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, disclosure_id, version)
);

CREATE TABLE disclosure_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  action TEXT NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  actor_id BIGINT REFERENCES users(id),
  actor_name TEXT NOT NULL DEFAULT '',
  actor_role TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);
CREATE INDEX disclosure_events_item ON disclosure_events (school_id, disclosure_id, id);

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  disclosure_id BIGINT NOT NULL REFERENCES disclosures(id),
  version INTEGER NOT NULL,
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX attachments_item ON attachments (school_id, disclosure_id, version);

-- Counters for index numbers: one row per school, year and category.
CREATE TABLE index_sequences (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  year INTEGER NOT NULL,
  category TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (school_id, year, category)
);

-- The working-day calendar: statutory days off and 调休 working days, per
-- region, seeded from published State Council schedules and editable.
CREATE TABLE work_calendar (
  region_code TEXT NOT NULL,
  day TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (region_code, day)
);
CREATE TABLE work_calendar_years (
  region_code TEXT NOT NULL,
  year INTEGER NOT NULL,
  PRIMARY KEY (region_code, year)
);

-- Search: Go-made CJK bigrams in a contentless FTS5 table whose rowid is the
-- disclosure id (the trigram tokenizer finds nothing for two characters).
CREATE VIRTUAL TABLE disclosures_fts USING fts5(title, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0');
