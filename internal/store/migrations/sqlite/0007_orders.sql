-- Supervision orders (督办通知 / 整改通知) from a bureau to one school, with
-- a deadline (a Beijing date) and a trail. The school owes an answer while
-- the order is issued or returned; past the deadline it is overdue.
CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  number TEXT NOT NULL,
  year INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  deadline TEXT NOT NULL,
  reply TEXT NOT NULL DEFAULT '',
  obligation_id BIGINT REFERENCES obligations(id),
  feedback_id BIGINT REFERENCES feedback_cases(id),
  result_id BIGINT REFERENCES disclosures(id),
  issued_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  answered_at BIGINT NOT NULL DEFAULT 0,
  closed_at BIGINT NOT NULL DEFAULT 0
);
-- Lists are per school newest first, or by state and deadline (open and
-- overdue orders); the bureau's list asks every school of the bureau.
CREATE INDEX orders_school ON orders (school_id, created_at DESC);
CREATE INDEX orders_state ON orders (school_id, state, deadline);

-- The last number given per bureau and year: 青禾教督〔2026〕3号.
CREATE TABLE order_numbers (
  bureau_id BIGINT NOT NULL REFERENCES bureaus(id),
  year INTEGER NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (bureau_id, year)
);

-- The trail: issue, answers, returns and the acceptance, each with who,
-- when and the comment.
CREATE TABLE order_steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  order_id BIGINT NOT NULL REFERENCES orders(id),
  action TEXT NOT NULL,
  from_state TEXT NOT NULL DEFAULT '',
  to_state TEXT NOT NULL,
  author_id BIGINT REFERENCES users(id),
  author_name TEXT NOT NULL DEFAULT '',
  comment TEXT NOT NULL DEFAULT '',
  result_id BIGINT REFERENCES disclosures(id),
  deadline TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL
);
CREATE INDEX order_steps_order ON order_steps (school_id, order_id, id);

-- The days on which an overdue order's reminder was sent: one a day,
-- whatever the number of nodes.
CREATE TABLE order_reminders (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  order_id BIGINT NOT NULL REFERENCES orders(id),
  day TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, order_id, day)
);
