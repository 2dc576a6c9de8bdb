-- People: one-time links to set a password, staff invitations, and what a
-- user sees of their own sessions.

-- A link to set a password: for a new account (purpose 'new') or a reset
-- by an administrator ('reset'). Only the hash of the token is kept; a
-- link is used once (used_at), and a newer link for the same user ends
-- the older ones.
CREATE TABLE password_links (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX password_links_user ON password_links (user_id);

-- A staff invitation: roles (comma-separated) and department chosen in
-- advance, one use, valid 7 days. Only the hash of the token is kept.
CREATE TABLE staff_invitations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  roles TEXT NOT NULL,
  department_id BIGINT REFERENCES departments(id),
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT NOT NULL DEFAULT 0,
  used_by BIGINT REFERENCES users(id)
);
CREATE INDEX staff_invitations_school ON staff_invitations (school_id, created_at);

-- The device a session was started on, described from the User-Agent
-- ("Chrome · Android"; never the address), and when it was last used.
ALTER TABLE sessions ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
