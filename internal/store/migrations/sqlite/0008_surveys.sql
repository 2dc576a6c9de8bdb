-- Surveys (测评 / 民主评议): the supervision group asks an audience of the
-- school; each eligible member answers once, without their name.
--
-- Anonymity rests on keeping who answered apart from what was answered:
-- survey_participants says only that a user took part (no time, no
-- address, no device), and survey_responses and survey_answers say only
-- what was answered, with no user id, time or day, and a random id rather
-- than a sequence: a shared or parallel autoincrement, or a timestamp,
-- would line the n-th participant up with the n-th response. On SQLite
-- all three tables are WITHOUT ROWID, so even their stored order follows
-- the user id on one side and the random id on the other, never the order
-- of arrival. See internal/store/survey.go for what is left.
CREATE TABLE surveys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  school_id BIGINT NOT NULL REFERENCES schools(id),
  kind TEXT NOT NULL,
  title TEXT NOT NULL,
  intro TEXT NOT NULL DEFAULT '',
  audience TEXT NOT NULL,
  state TEXT NOT NULL,
  opens_on TEXT NOT NULL,
  closes_on TEXT NOT NULL,
  -- when answers stop: the end of closes_on (Beijing), or when closed by hand
  ends_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL DEFAULT 0,
  disclosure_id BIGINT REFERENCES disclosures(id),
  created_by BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  opened_at BIGINT NOT NULL DEFAULT 0
);
-- Lists by school newest first; the work page and the scores find open and
-- ended surveys by school.
CREATE INDEX surveys_school ON surveys (school_id, created_at DESC);
CREATE INDEX surveys_ends ON surveys (school_id, state, ends_at);

CREATE TABLE survey_questions (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  survey_id BIGINT NOT NULL REFERENCES surveys(id),
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  options TEXT NOT NULL DEFAULT '[]',
  max_choices INTEGER NOT NULL DEFAULT 0,
  required BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (school_id, survey_id, position)
);

-- Who took part: once per user, and nothing more.
CREATE TABLE survey_participants (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  survey_id BIGINT NOT NULL REFERENCES surveys(id),
  user_id BIGINT NOT NULL REFERENCES users(id),
  PRIMARY KEY (school_id, survey_id, user_id)
) WITHOUT ROWID;

-- One row per response, under a random id.
CREATE TABLE survey_responses (
  school_id BIGINT NOT NULL REFERENCES schools(id),
  survey_id BIGINT NOT NULL REFERENCES surveys(id),
  id BIGINT NOT NULL,
  PRIMARY KEY (school_id, survey_id, id)
) WITHOUT ROWID;

-- The answers of a response: one row per chosen option (choice from 1),
-- per rating (choice 1–5) or per text (choice 0).
CREATE TABLE survey_answers (
  school_id BIGINT NOT NULL,
  survey_id BIGINT NOT NULL,
  response_id BIGINT NOT NULL,
  position INTEGER NOT NULL,
  choice INTEGER NOT NULL DEFAULT 0,
  text TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (school_id, survey_id, response_id, position, choice),
  FOREIGN KEY (school_id, survey_id, response_id) REFERENCES survey_responses (school_id, survey_id, id)
) WITHOUT ROWID;
CREATE INDEX survey_answers_tally ON survey_answers (school_id, survey_id, position, choice);
