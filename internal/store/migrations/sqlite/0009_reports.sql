-- Self-inspections (自查, seed 4 section 七.5): one checklist per school and
-- term, filled in by the supervision group, read-only once submitted. The
-- items keep the wording they were answered under, so a later change of the
-- default checklist leaves past terms as they were.
CREATE TABLE inspections (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  term TEXT NOT NULL,
  state TEXT NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  created_by BIGINT NOT NULL REFERENCES users(id),
  updated_by BIGINT REFERENCES users(id),
  submitted_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  submitted_at BIGINT NOT NULL DEFAULT 0,
  UNIQUE (school_id, term)
);

CREATE TABLE inspection_items (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  inspection_id BIGINT NOT NULL REFERENCES inspections(id),
  code TEXT NOT NULL,
  position INTEGER NOT NULL,
  title TEXT NOT NULL,
  verdict TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  measure TEXT NOT NULL DEFAULT '',
  measure_due TEXT NOT NULL DEFAULT '',
  done BOOLEAN NOT NULL DEFAULT FALSE,
  done_note TEXT NOT NULL DEFAULT '',
  done_by BIGINT REFERENCES users(id),
  done_at BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (school_id, inspection_id, code)
);

-- The paragraphs of a school's annual disclosure report (年度报告) that
-- people write; the figures are computed from the data each time. The
-- report published as a disclosure is linked here.
CREATE TABLE annual_reports (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  year INTEGER NOT NULL,
  summary TEXT NOT NULL DEFAULT '',
  problems TEXT NOT NULL DEFAULT '',
  other TEXT NOT NULL DEFAULT '',
  disclosure_id BIGINT REFERENCES disclosures(id),
  updated_by BIGINT REFERENCES users(id),
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, year)
);
