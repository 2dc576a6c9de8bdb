-- Feedback (有公示、有回音、有结果): objections, opinions, principal's-mailbox
-- letters, reports and disclosure requests, with their threads. For an
-- anonymous case no column holds anything that identifies the sender: no
-- user id, name, contact, address or session; the sender follows the case
-- with the receipt and a secret of which only the SHA-256 is kept.
CREATE TABLE feedback_cases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  receipt TEXT NOT NULL UNIQUE,
  secret_hash TEXT NOT NULL,
  disclosure_id BIGINT REFERENCES disclosures(id),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  anonymous BOOLEAN NOT NULL DEFAULT FALSE,
  sender_id BIGINT REFERENCES users(id),
  sender_name TEXT NOT NULL DEFAULT '',
  contact TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  about TEXT NOT NULL DEFAULT '',
  about_name TEXT NOT NULL DEFAULT '',
  about_user_id BIGINT REFERENCES users(id),
  to_bureau BOOLEAN NOT NULL DEFAULT FALSE,
  escalated BOOLEAN NOT NULL DEFAULT FALSE,
  department_id BIGINT REFERENCES departments(id),
  assignee_id BIGINT REFERENCES users(id),
  due TEXT NOT NULL DEFAULT '',
  due_provisional BOOLEAN NOT NULL DEFAULT FALSE,
  rectify_due TEXT NOT NULL DEFAULT '',
  result_id BIGINT REFERENCES disclosures(id),
  rating TEXT NOT NULL DEFAULT '',
  supporters INTEGER NOT NULL DEFAULT 0,
  must_answer_publicly BOOLEAN NOT NULL DEFAULT FALSE,
  qa_published BOOLEAN NOT NULL DEFAULT FALSE,
  qa_question TEXT NOT NULL DEFAULT '',
  qa_answer TEXT NOT NULL DEFAULT '',
  qa_published_at BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  replied_at BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NOT NULL DEFAULT 0
);
-- Queues list a school's cases newest first, by state or kind; an item's
-- page counts its objections; the board lists published questions and
-- answers; the bureau's queue finds the cases it handles.
CREATE INDEX feedback_cases_school ON feedback_cases (school_id, created_at DESC);
CREATE INDEX feedback_cases_state ON feedback_cases (school_id, state, created_at DESC);
CREATE INDEX feedback_cases_kind ON feedback_cases (school_id, kind, created_at DESC);
CREATE INDEX feedback_cases_item ON feedback_cases (school_id, disclosure_id) WHERE disclosure_id IS NOT NULL;
CREATE INDEX feedback_cases_qa ON feedback_cases (school_id, qa_published_at DESC) WHERE qa_published;
CREATE INDEX feedback_cases_bureau ON feedback_cases (school_id, to_bureau, created_at DESC) WHERE to_bureau;
CREATE INDEX feedback_cases_sender ON feedback_cases (school_id, sender_id) WHERE sender_id IS NOT NULL;

-- The thread: the original text, staff replies, steps with their comments,
-- internal notes and the sender's later messages. An anonymous sender's
-- entries are written by "来信人" with no author id.
CREATE TABLE feedback_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  feedback_id BIGINT NOT NULL REFERENCES feedback_cases(id),
  action TEXT NOT NULL DEFAULT '',
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL DEFAULT '',
  from_staff BOOLEAN NOT NULL DEFAULT FALSE,
  author_id BIGINT REFERENCES users(id),
  author_name TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL DEFAULT '',
  internal BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);
CREATE INDEX feedback_messages_case ON feedback_messages (school_id, feedback_id, id);

-- Files a sender added to a case, one message each.
CREATE TABLE feedback_attachments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  feedback_id BIGINT NOT NULL REFERENCES feedback_cases(id),
  message_id BIGINT NOT NULL REFERENCES feedback_messages(id),
  filename TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  storage_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX feedback_attachments_case ON feedback_attachments (school_id, feedback_id, message_id);

-- Who supports a disclosure request: once per user.
CREATE TABLE feedback_supporters (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  feedback_id BIGINT NOT NULL REFERENCES feedback_cases(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, feedback_id, user_id)
);

-- A school's reply deadlines (working days), support threshold and
-- channels; a school without a row has the defaults.
CREATE TABLE feedback_settings (
  school_id BIGINT PRIMARY KEY REFERENCES schools(id),
  days_objection INTEGER NOT NULL,
  days_opinion INTEGER NOT NULL,
  days_mailbox INTEGER NOT NULL,
  days_report INTEGER NOT NULL,
  days_request INTEGER NOT NULL,
  support_threshold INTEGER NOT NULL,
  notify_email TEXT NOT NULL DEFAULT '',
  webhook_url TEXT NOT NULL DEFAULT '',
  webhook_secret TEXT NOT NULL DEFAULT '',
  updated_at BIGINT NOT NULL
);

-- Reusable answers.
CREATE TABLE feedback_templates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  kind TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX feedback_templates_school ON feedback_templates (school_id, kind);
