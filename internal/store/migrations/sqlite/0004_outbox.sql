-- The outbox: events written in the transaction of the change they tell of
-- and delivered after commit by the dispatcher (internal/notify), so a
-- notification goes out exactly when its change commits, even across a
-- crash. A row is pending while done_at is 0; a dispatcher leases it by
-- moving next_at ahead and counting the attempt.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL,
  type TEXT NOT NULL,
  subject BIGINT NOT NULL DEFAULT 0,
  data TEXT NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at BIGINT NOT NULL,
  done_at BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT ''
);
-- The dispatchers' queue runs across schools, so its index leads with the
-- time the row is due and holds pending rows only.
CREATE INDEX outbox_pending ON outbox (next_at, id) WHERE done_at = 0;
CREATE INDEX outbox_school ON outbox (school_id, created_at);

-- In-app notifications, newest first per user; the header counts the unread.
CREATE TABLE notifications (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id BIGINT NOT NULL REFERENCES users(id),
  school_id BIGINT REFERENCES schools(id),
  title TEXT NOT NULL,
  body TEXT NOT NULL DEFAULT '',
  link TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  read_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at = 0;

-- A deadline of a case passed and was announced: once per case and deadline.
CREATE TABLE feedback_overdue (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  feedback_id BIGINT NOT NULL,
  due TEXT NOT NULL,
  raised_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, feedback_id, due)
);

-- The weekly digest of a school was sent for an ISO week ("2026-W10"): the
-- primary key makes sure only one node, once, sends it.
CREATE TABLE digests (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  week TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (school_id, week)
);

-- Periodic jobs shared by every node: the node that moves next_at ahead
-- runs the job; the others skip it.
CREATE TABLE sweeps (
  name TEXT PRIMARY KEY,
  next_at BIGINT NOT NULL
);
