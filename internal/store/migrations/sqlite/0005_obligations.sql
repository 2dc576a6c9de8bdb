-- The catalogue's due-date rules (the old frequency column stays as the
-- text readers see, e.g. 每月5日前公布上月报表).
ALTER TABLE catalogue_items ADD COLUMN schedule TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_items ADD COLUMN due_day INTEGER NOT NULL DEFAULT 0;
ALTER TABLE catalogue_items ADD COLUMN due_month_day TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_items ADD COLUMN term_due_spring TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_items ADD COLUMN term_due_autumn TEXT NOT NULL DEFAULT '';
ALTER TABLE catalogue_items ADD COLUMN due_workdays INTEGER NOT NULL DEFAULT 0;
-- Items a bureau requires of all its schools; schools cannot drop them.
ALTER TABLE catalogue_items ADD COLUMN required BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE bureau_catalogue_items (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  code TEXT NOT NULL,
  name TEXT NOT NULL,
  category TEXT NOT NULL,
  audience TEXT NOT NULL,
  publicity_days INTEGER NOT NULL DEFAULT 0,
  frequency TEXT NOT NULL DEFAULT '',
  schedule TEXT NOT NULL DEFAULT '',
  due_day INTEGER NOT NULL DEFAULT 0,
  due_month_day TEXT NOT NULL DEFAULT '',
  term_due_spring TEXT NOT NULL DEFAULT '',
  term_due_autumn TEXT NOT NULL DEFAULT '',
  due_workdays INTEGER NOT NULL DEFAULT 0,
  department TEXT NOT NULL DEFAULT '',
  legal_basis TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  UNIQUE (bureau_id, code)
);

-- An obligation: one catalogue item due in one period (or after one event).
CREATE TABLE obligations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  catalogue_code TEXT NOT NULL,
  period_key TEXT NOT NULL,
  period_label TEXT NOT NULL,
  due TEXT NOT NULL,
  due_provisional BOOLEAN NOT NULL DEFAULT FALSE,
  event_id BIGINT,
  disclosure_id BIGINT REFERENCES disclosures(id),
  met_at BIGINT NOT NULL DEFAULT 0,
  waived BOOLEAN NOT NULL DEFAULT FALSE,
  waive_reason TEXT NOT NULL DEFAULT '',
  waived_by BIGINT REFERENCES users(id),
  waived_at BIGINT NOT NULL DEFAULT 0,
  reminded_soon BOOLEAN NOT NULL DEFAULT FALSE,
  reminded_overdue BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL,
  UNIQUE (school_id, catalogue_code, period_key)
);
CREATE INDEX obligations_due ON obligations (school_id, due);

-- Events that raise per-event obligations (an expense of 3,000 yuan or
-- more, an award decision, a procurement result).
CREATE TABLE obligation_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  catalogue_code TEXT NOT NULL,
  title TEXT NOT NULL,
  event_date TEXT NOT NULL,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX obligation_events_school ON obligation_events (school_id, event_date);

ALTER TABLE disclosures ADD COLUMN obligation_id BIGINT;

-- Schools created before this migration get the default rules of their items.
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '09-30', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'plan' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'major-decision' AND schedule = '';
UPDATE catalogue_items SET schedule = 'monthly', due_day = 5, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'monthly-finance' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '03-31', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'budget' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'large-expense' AND schedule = '';
UPDATE catalogue_items SET schedule = 'term', due_day = 0, due_month_day = '', term_due_spring = '02-25', term_due_autumn = '08-25', due_workdays = 0 WHERE code = 'fees' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'procurement' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'works' AND schedule = '';
UPDATE catalogue_items SET schedule = 'term', due_day = 0, due_month_day = '', term_due_spring = '04-30', term_due_autumn = '10-31', due_workdays = 0 WHERE code = 'aid-roster' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'student-awards' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'staff-awards' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '07-15', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'staff-evaluation' AND schedule = '';
UPDATE catalogue_items SET schedule = 'event', due_day = 0, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 20 WHERE code = 'title-review' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '08-20', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'enrolment' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '09-30', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'duties' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '12-31', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'congress' AND schedule = '';
UPDATE catalogue_items SET schedule = 'yearly', due_day = 0, due_month_day = '12-31', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'integrity' AND schedule = '';
UPDATE catalogue_items SET schedule = 'quarterly', due_day = 10, due_month_day = '', term_due_spring = '', term_due_autumn = '', due_workdays = 0 WHERE code = 'disclosure-meeting' AND schedule = '';
