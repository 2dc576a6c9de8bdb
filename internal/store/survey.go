package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"gongkai"
)

// Surveys (测评 / 民主评议): created and run by the supervision group,
// answered once per eligible member, anonymously.
//
// How answers stay anonymous. Taking part and answering are written in the
// same transaction (so that one cannot happen without the other), into
// tables that share nothing:
//
//   - survey_participants holds (school, survey, user) and nothing else: no
//     time, no address, no device.
//   - survey_responses and survey_answers hold what was answered under a
//     random 63-bit response id, with no user id, no time and no day. A
//     sequence would not do: ids handed out in order of arrival, or a
//     timestamp, line the n-th participant up with the n-th response for
//     anyone who can list both tables.
//   - Nothing else is written: no outbox event, no notification, no log
//     line names the survey together with the person (the request log has
//     no user).
//
// What a database keeps besides its columns is the order of arrival. On
// SQLite the three tables are WITHOUT ROWID, so rows are stored in key
// order: participants by user id, responses by their random id. PostgreSQL
// keeps rows in the order they were written, and stamps each with the id of
// its transaction (xmin), which participant and response of one answer
// would share; a dump (pg_dump writes rows in stored order) or a
// SELECT xmin would then pair them. So every answer rewrites the survey's
// participant rows in user-id order (they are three integers each):
// afterwards all of them carry the last answer's transaction and lie in
// user-id order, whoever answered when. Answers are serialised per survey
// by a lock on its row, which the rewrite needs and which also makes "once
// per person" hold under concurrency (the primary key holds it anyway).
// What no schema can hide is the database's own history (WAL, pages not
// yet vacuumed) from an administrator who reads it, as for anonymous
// feedback.

// SurveyScore is a school's satisfaction score over a time range, for the
// bureau's dashboard and the annual report.
type SurveyScore struct {
	Surveys   int     // satisfaction surveys closed in the range with enough responses
	Responses int     // their responses
	Score     float64 // 0–100, averaged over them weighted by responses; -1 when none
}

// surveyQuerier is what survey reads need of the read pool or a transaction.
type surveyQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const surveyColumns = `s.id, s.school_id, s.kind, s.title, s.intro, s.audience, s.state, s.opens_on, s.closes_on, s.closed_at,
	COALESCE(s.disclosure_id, 0), s.created_by, COALESCE(u.display_name, ''), s.created_at, s.updated_at, s.opened_at,
	(SELECT COUNT(*) FROM survey_responses r WHERE r.school_id = s.school_id AND r.survey_id = s.id)`

const surveyFrom = ` FROM surveys s LEFT JOIN users u ON u.id = s.created_by`

func scanSurvey(sc interface{ Scan(...any) error }) (*gongkai.Survey, error) {
	var s gongkai.Survey
	var kind, aud, state, opens, closes string
	var closed, created, updated, opened int64
	if err := sc.Scan(&s.ID, &s.SchoolID, &kind, &s.Title, &s.Intro, &aud, &state, &opens, &closes, &closed,
		&s.DisclosureID, &s.CreatedBy, &s.CreatedByName, &created, &updated, &opened, &s.Responses); err != nil {
		return nil, err
	}
	s.Kind, s.Audience, s.State = gongkai.SurveyKind(kind), gongkai.SurveyAudience(aud), gongkai.SurveyState(state)
	s.OpensOn, s.ClosesOn = parseDay(opens), parseDay(closes)
	s.ClosedAt, s.CreatedAt, s.UpdatedAt, s.OpenedAt = fromMS(closed), fromMS(created), fromMS(updated), fromMS(opened)
	return &s, nil
}

// FindSurveys returns the school's surveys, newest first, without their
// questions.
func (db *DB) FindSurveys(ctx context.Context, schoolID int64) ([]*gongkai.Survey, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+surveyColumns+surveyFrom+` WHERE s.school_id = $1 ORDER BY s.created_at DESC, s.id DESC`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: surveys of school %d: %w", schoolID, err)
	}
	return collect(rows, scanSurvey)
}

// FindSurveyByID returns a survey of the school with its questions;
// ENOTFOUND when there is none.
func (db *DB) FindSurveyByID(ctx context.Context, schoolID, id int64) (*gongkai.Survey, error) {
	return findSurvey(ctx, db.read, schoolID, id, "")
}

func findSurvey(ctx context.Context, q surveyQuerier, schoolID, id int64, lock string) (*gongkai.Survey, error) {
	s, err := scanSurvey(q.QueryRowContext(ctx, `SELECT `+surveyColumns+surveyFrom+` WHERE s.school_id = $1 AND s.id = $2`+lock, schoolID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("测评")
	}
	if err != nil {
		return nil, fmt.Errorf("store: survey %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT survey_id, position, kind, text, options, max_choices, required FROM survey_questions
		WHERE school_id = $1 AND survey_id = $2 ORDER BY position`, schoolID, id)
	if err != nil {
		return nil, fmt.Errorf("store: questions of survey %d: %w", id, err)
	}
	qs, err := collect(rows, scanQuestion)
	if err != nil {
		return nil, fmt.Errorf("store: questions of survey %d: %w", id, err)
	}
	for _, q := range qs {
		s.Questions = append(s.Questions, q.SurveyQuestion)
	}
	return s, nil
}

// surveyQuestion is a question with the survey it belongs to.
type surveyQuestion struct {
	surveyID int64
	gongkai.SurveyQuestion
}

func scanQuestion(sc interface{ Scan(...any) error }) (surveyQuestion, error) {
	var q surveyQuestion
	var kind, opts string
	if err := sc.Scan(&q.surveyID, &q.Position, &kind, &q.Text, &opts, &q.MaxChoices, &q.Required); err != nil {
		return q, err
	}
	q.Kind = gongkai.SurveyQuestionKind(kind)
	if err := json.Unmarshal([]byte(opts), &q.Options); err != nil {
		return q, fmt.Errorf("options of question %d: %w", q.Position, err)
	}
	return q, nil
}

// FindSurveysWithQuestions returns the school's surveys, newest first, each
// with its questions, in two queries whatever the number of surveys.
func (db *DB) FindSurveysWithQuestions(ctx context.Context, schoolID int64) ([]*gongkai.Survey, error) {
	out, err := db.FindSurveys(ctx, schoolID)
	if err != nil || len(out) == 0 {
		return out, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT survey_id, position, kind, text, options, max_choices, required FROM survey_questions
		WHERE school_id = $1 ORDER BY survey_id, position`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: questions of the surveys of school %d: %w", schoolID, err)
	}
	qs, err := collect(rows, scanQuestion)
	if err != nil {
		return nil, fmt.Errorf("store: questions of the surveys of school %d: %w", schoolID, err)
	}
	byID := make(map[int64]*gongkai.Survey, len(out))
	for _, s := range out {
		byID[s.ID] = s
	}
	for _, q := range qs {
		if s := byID[q.surveyID]; s != nil {
			s.Questions = append(s.Questions, q.SurveyQuestion)
		}
	}
	return out, nil
}

// FindSurveySchoolID returns the school of a survey, for the API's
// /surveys/{id} routes; ENOTFOUND when there is none.
func (db *DB) FindSurveySchoolID(ctx context.Context, id int64) (int64, error) {
	var schoolID int64
	err := db.read.QueryRowContext(ctx, `SELECT school_id FROM surveys WHERE id = $1`, id).Scan(&schoolID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("测评")
	}
	if err != nil {
		return 0, fmt.Errorf("store: school of survey %d: %w", id, err)
	}
	return schoolID, nil
}

// CreateSurvey saves a new draft survey with its questions. Errors:
// EFORBIDDEN for anyone but the supervision group and the principal,
// EINVALID with the fields of gongkai.Survey.Validate.
func (db *DB) CreateSurvey(ctx context.Context, schoolID int64, actor *gongkai.Actor, s *gongkai.Survey) error {
	if !gongkai.CanManageSurveys(actor, schoolID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "测评由监督小组或校长管理。")
	}
	s.SchoolID, s.State = schoolID, gongkai.SurveyDraft
	if err := s.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		s.CreatedBy, s.CreatedByName, s.CreatedAt, s.UpdatedAt = actor.ID, actor.DisplayName, tx.Now, tx.Now
		err := tx.QueryRowContext(ctx, `INSERT INTO surveys (school_id, kind, title, intro, audience, state, opens_on, closes_on, ends_at, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			schoolID, string(s.Kind), s.Title, s.Intro, string(s.Audience), string(s.State), formatDay(s.OpensOn), formatDay(s.ClosesOn),
			ms(s.EndsAt()), actor.ID, ms(tx.Now)).Scan(&s.ID)
		if err != nil {
			return fmt.Errorf("store: create survey: %w", err)
		}
		return tx.saveQuestions(ctx, s)
	})
}

func (tx *Tx) saveQuestions(ctx context.Context, s *gongkai.Survey) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM survey_questions WHERE school_id = $1 AND survey_id = $2`, s.SchoolID, s.ID); err != nil {
		return fmt.Errorf("store: questions of survey %d: %w", s.ID, err)
	}
	for _, q := range s.Questions {
		opts, _ := json.Marshal(q.Options)
		if q.Options == nil {
			opts = []byte("[]")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_questions (school_id, survey_id, position, kind, text, options, max_choices, required)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, s.SchoolID, s.ID, q.Position, string(q.Kind), q.Text, string(opts), q.MaxChoices, q.Required); err != nil {
			return fmt.Errorf("store: question %d of survey %d: %w", q.Position, s.ID, err)
		}
	}
	return nil
}

// UpdateSurvey replaces the fields and questions of a draft. Errors:
// ENOTFOUND, EFORBIDDEN, ECONFLICT once the survey was opened, EINVALID.
func (db *DB) UpdateSurvey(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, upd *gongkai.Survey) (*gongkai.Survey, error) {
	var out *gongkai.Survey
	err := db.withTx(ctx, func(tx *Tx) error {
		s, err := findSurvey(ctx, tx, schoolID, id, db.dialect.forUpdateOf("s"))
		if err != nil {
			return err
		}
		if err := gongkai.AuthorizeSurvey(actor, s, gongkai.SurveyEdit, tx.Now); err != nil {
			return err
		}
		upd.ID, upd.SchoolID, upd.State = s.ID, schoolID, s.State
		if err := upd.Validate(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE surveys SET kind = $1, title = $2, intro = $3, audience = $4, opens_on = $5, closes_on = $6, ends_at = $7, updated_at = $8
			WHERE school_id = $9 AND id = $10`, string(upd.Kind), upd.Title, upd.Intro, string(upd.Audience), formatDay(upd.OpensOn), formatDay(upd.ClosesOn),
			ms(upd.EndsAt()), ms(tx.Now), schoolID, id); err != nil {
			return fmt.Errorf("store: update survey %d: %w", id, err)
		}
		if err := tx.saveQuestions(ctx, upd); err != nil {
			return err
		}
		out, err = findSurvey(ctx, tx, schoolID, id, "")
		return err
	})
	return out, err
}

// SurveyAct opens or closes a survey as gongkai.Survey.Take decides;
// its errors pass through.
func (db *DB) SurveyAct(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, act gongkai.SurveyAction) (*gongkai.Survey, error) {
	var out *gongkai.Survey
	err := db.withTx(ctx, func(tx *Tx) error {
		s, err := findSurvey(ctx, tx, schoolID, id, db.dialect.forUpdateOf("s"))
		if err != nil {
			return err
		}
		res, err := s.Take(actor, act, gongkai.SurveyFacts{Now: tx.Now})
		if err != nil {
			return err
		}
		out = res.Survey
		// Closing by hand ends it now rather than at the end of its last day.
		if _, err := tx.ExecContext(ctx, `UPDATE surveys SET state = $1, opened_at = $2, closed_at = $3, ends_at = $4, updated_at = $5 WHERE school_id = $6 AND id = $7`,
			string(out.State), ms(out.OpenedAt), ms(out.ClosedAt), ms(out.EndsAt()), ms(tx.Now), schoolID, id); err != nil {
			return fmt.Errorf("store: %s survey %d: %w", act, id, err)
		}
		return tx.emitSteps(ctx, schoolID, id, res.Events)
	})
	return out, err
}

// HasAnswered reports whether the user took part in the survey.
func (db *DB) HasAnswered(ctx context.Context, schoolID, surveyID, userID int64) (bool, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_participants WHERE school_id = $1 AND survey_id = $2 AND user_id = $3`,
		schoolID, surveyID, userID).Scan(&n); err != nil {
		return false, fmt.Errorf("store: participation in survey %d: %w", surveyID, err)
	}
	return n > 0, nil
}

// AnsweredSurveys returns the ids of the school's surveys the user took
// part in.
func (db *DB) AnsweredSurveys(ctx context.Context, schoolID, userID int64) (map[int64]bool, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT survey_id FROM survey_participants WHERE school_id = $1 AND user_id = $2`, schoolID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: surveys answered: %w", err)
	}
	ids, err := collect(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// FindOpenSurveysFor returns the surveys open now in the actor's schools
// that the actor may answer and has not answered yet, closing soonest first.
func (db *DB) FindOpenSurveysFor(ctx context.Context, actor *gongkai.Actor) ([]*gongkai.Survey, error) {
	var out []*gongkai.Survey
	now := db.Now()
	args := []any{ms(now), actor.ID}
	var ph []string
	for _, m := range actor.Memberships {
		if !slices.Contains(args[2:], any(m.SchoolID)) {
			args = append(args, m.SchoolID)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
	}
	if len(ph) == 0 {
		return nil, nil
	}
	// One query over the actor's schools, however many they belong to.
	rows, err := db.read.QueryContext(ctx, `SELECT `+surveyColumns+surveyFrom+` WHERE s.school_id IN (`+strings.Join(ph, ", ")+`) AND s.state = 'open' AND s.ends_at > $1
		AND NOT EXISTS (SELECT 1 FROM survey_participants p WHERE p.school_id = s.school_id AND p.survey_id = s.id AND p.user_id = $2)
		ORDER BY s.ends_at, s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: open surveys: %w", err)
	}
	ss, err := collect(rows, scanSurvey)
	if err != nil {
		return nil, fmt.Errorf("store: open surveys: %w", err)
	}
	for _, s := range ss {
		if s.Eligible(actor) && s.Status(now) == gongkai.SurveyStatusOpen {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b *gongkai.Survey) int { return a.EndsAt().Compare(b.EndsAt()) })
	return out, nil
}

// responseID is a random positive 63-bit id: nothing about when or by whom.
func responseID() int64 {
	var b [8]byte
	rand.Read(b[:])
	id := int64(binary.BigEndian.Uint64(b[:]) >> 1)
	if id == 0 {
		id = 1
	}
	return id
}

// AnswerSurvey records the actor's response: that they took part, and
// apart from it what they answered (see the top of this file). Errors:
// ENOTFOUND for a survey the actor may not see, EFORBIDDEN outside its
// audience, ECONFLICT when it is not open or the actor answered already,
// EINVALID with fields q<N>.
func (db *DB) AnswerSurvey(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, in []gongkai.SurveyAnswer) error {
	return db.withTx(ctx, func(tx *Tx) error {
		s, err := findSurvey(ctx, tx, schoolID, id, db.dialect.forUpdateOf("s"))
		if err != nil {
			return err
		}
		f := gongkai.SurveyFacts{Now: tx.Now}
		if f.SchoolBureauID, _, err = tx.schoolBureau(ctx, schoolID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT user_id FROM survey_participants WHERE school_id = $1 AND survey_id = $2`, schoolID, id)
		if err != nil {
			return fmt.Errorf("store: participants of survey %d: %w", id, err)
		}
		participants, err := collect(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
			var u int64
			return u, sc.Scan(&u)
		})
		if err != nil {
			return fmt.Errorf("store: participants of survey %d: %w", id, err)
		}
		f.Answered = slices.Contains(participants, actor.ID)
		res, err := s.TakeAnswer(actor, in, f)
		if err != nil {
			return err
		}
		if err := tx.rewriteParticipants(ctx, schoolID, id, append(participants, actor.ID)); err != nil {
			return err
		}
		return tx.saveResponse(ctx, schoolID, id, res.Answers)
	})
}

// saveResponse writes the answers of one response under a random id,
// apart from who gave them.
func (tx *Tx) saveResponse(ctx context.Context, schoolID, id int64, answers []gongkai.SurveyAnswer) error {
	var rid int64
	for try := 0; rid == 0; try++ {
		if try == 3 {
			return fmt.Errorf("store: no free response id after %d tries", try)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO survey_responses (school_id, survey_id, id) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING RETURNING id`, schoolID, id, responseID()).Scan(&rid)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: response to survey %d: %w", id, err)
		}
	}
	for _, a := range answers {
		choices := a.Choices
		if len(choices) == 0 {
			choices = []int{0}
		}
		for _, c := range choices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (school_id, survey_id, response_id, position, choice, text) VALUES ($1, $2, $3, $4, $5, $6)`,
				schoolID, id, rid, a.Position, c, a.Text); err != nil {
				return fmt.Errorf("store: answer to survey %d: %w", id, err)
			}
		}
	}
	return nil
}

// rewriteParticipants replaces the survey's participant rows by the same
// set in user-id order, so that neither their stored order nor their
// transaction stamp tells who answered when (see the top of this file).
func (tx *Tx) rewriteParticipants(ctx context.Context, schoolID, surveyID int64, users []int64) error {
	slices.Sort(users)
	if _, err := tx.ExecContext(ctx, `DELETE FROM survey_participants WHERE school_id = $1 AND survey_id = $2`, schoolID, surveyID); err != nil {
		return fmt.Errorf("store: participants of survey %d: %w", surveyID, err)
	}
	for len(users) > 0 {
		n := min(len(users), 300)
		var b strings.Builder
		args := []any{schoolID, surveyID}
		for i, u := range users[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			args = append(args, u)
			fmt.Fprintf(&b, "($1, $2, $%d)", len(args))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_participants (school_id, survey_id, user_id) VALUES `+b.String(), args...); err != nil {
			if isUniqueViolation(err) {
				return gongkai.Errorf(gongkai.ECONFLICT, "您已参加本次测评，每人限答一次，感谢您的参与。")
			}
			return fmt.Errorf("store: participants of survey %d: %w", surveyID, err)
		}
		users = users[n:]
	}
	return nil
}

// SurveyResults returns the survey with its aggregated results: counts per
// option and rating, means, the overall score, the free texts in random
// order, the responses and how many members may answer now. The caller
// decides who sees them and withholds them under MinSurveyResponses.
func (db *DB) SurveyResults(ctx context.Context, schoolID, id int64) (*gongkai.Survey, *gongkai.SurveyResults, error) {
	s, err := db.FindSurveyByID(ctx, schoolID, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := tallySurvey(ctx, db.read, s)
	if err != nil {
		return nil, nil, err
	}
	if s.Status(db.Now()) != gongkai.SurveyStatusClosed {
		// Only the count while answers may still arrive (gongkai.SurveyResults).
		r = &gongkai.SurveyResults{Running: true, Responses: r.Responses, Eligible: r.Eligible, Score: -1}
	}
	return s, r, nil
}

func tallySurvey(ctx context.Context, q surveyQuerier, s *gongkai.Survey) (*gongkai.SurveyResults, error) {
	fail := func(err error) (*gongkai.SurveyResults, error) {
		return nil, fmt.Errorf("store: results of survey %d: %w", s.ID, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT position, choice, COUNT(*) FROM survey_answers WHERE school_id = $1 AND survey_id = $2 AND choice > 0
		GROUP BY position, choice`, s.SchoolID, s.ID)
	if err != nil {
		return fail(err)
	}
	tallies, err := collect(rows, func(sc interface{ Scan(...any) error }) (gongkai.SurveyTally, error) {
		var t gongkai.SurveyTally
		return t, sc.Scan(&t.Position, &t.Choice, &t.N)
	})
	if err != nil {
		return fail(err)
	}
	answered := map[int]int{}
	rows, err = q.QueryContext(ctx, `SELECT position, COUNT(DISTINCT response_id) FROM survey_answers WHERE school_id = $1 AND survey_id = $2 GROUP BY position`, s.SchoolID, s.ID)
	if err != nil {
		return fail(err)
	}
	if _, err := collect(rows, func(sc interface{ Scan(...any) error }) (int, error) {
		var p, n int
		err := sc.Scan(&p, &n)
		answered[p] = n
		return p, err
	}); err != nil {
		return fail(err)
	}
	texts := map[int][]string{}
	rows, err = q.QueryContext(ctx, `SELECT position, text FROM survey_answers WHERE school_id = $1 AND survey_id = $2 AND choice = 0 AND text <> ''`, s.SchoolID, s.ID)
	if err != nil {
		return fail(err)
	}
	if _, err := collect(rows, func(sc interface{ Scan(...any) error }) (int, error) {
		var p int
		var t string
		err := sc.Scan(&p, &t)
		texts[p] = append(texts[p], t)
		return p, err
	}); err != nil {
		return fail(err)
	}
	// Texts in an order of their own each time, never that of arrival.
	for _, ts := range texts {
		mrand.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	}
	var responses, eligible int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses WHERE school_id = $1 AND survey_id = $2`, s.SchoolID, s.ID).Scan(&responses); err != nil {
		return fail(err)
	}
	roles := s.Audience.Roles()
	args := []any{s.SchoolID}
	var ph []string
	for _, r := range roles {
		args = append(args, string(r))
		ph = append(ph, fmt.Sprintf("$%d", len(args)))
	}
	if len(ph) > 0 {
		if err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT m.user_id) FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.school_id = $1 AND NOT u.disabled AND m.role IN (`+strings.Join(ph, ", ")+`)`, args...).Scan(&eligible); err != nil {
			return fail(err)
		}
	}
	return s.Tally(responses, eligible, tallies, answered, texts), nil
}

// PublishSurveyResults makes a draft disclosure of a closed survey's
// results (category 考核与评优, for the audience that was asked, the
// results as Markdown tables) and links it to the survey; the normal
// procedure then applies: the clerk named submits it, the principal signs,
// the supervision group checks, the clerk publishes. Errors: ENOTFOUND,
// EFORBIDDEN, ECONFLICT (not closed, already published, too few responses),
// EINVALID (field clerk).
func (db *DB) PublishSurveyResults(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, clerkID int64) (*gongkai.Disclosure, error) {
	var d *gongkai.Disclosure
	err := db.withTx(ctx, func(tx *Tx) error {
		s, err := findSurvey(ctx, tx, schoolID, id, db.dialect.forUpdateOf("s"))
		if err != nil {
			return err
		}
		f := gongkai.SurveyFacts{Now: tx.Now, ClerkID: clerkID}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE school_id = $1 AND user_id = $2 AND role IN ('clerk', 'principal')`,
			schoolID, clerkID).Scan(&n); err != nil {
			return fmt.Errorf("store: clerk %d: %w", clerkID, err)
		}
		f.ClerkOK = n > 0
		if f.Results, err = tallySurvey(ctx, tx, s); err != nil {
			return err
		}
		res, err := s.PublishResults(actor, f)
		if err != nil {
			return err
		}
		d = res.Disclosure
		if err := tx.insertResultsDraft(ctx, d, actor, s.Title); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE surveys SET disclosure_id = $1, state = $2, updated_at = $3 WHERE school_id = $4 AND id = $5`,
			d.ID, string(res.Survey.State), ms(tx.Now), schoolID, id); err != nil {
			return fmt.Errorf("store: link survey %d: %w", id, err)
		}
		for _, e := range res.Events {
			e.Data["disclosure_id"] = d.ID
		}
		return tx.emitSteps(ctx, schoolID, id, res.Events)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// insertResultsDraft writes the draft of a survey's results, its first
// version, its search entry and the first entry of its trail. It is the
// same row CreateDisclosure writes; that method is for those who may open
// a registration form, which the supervision group may not: here the
// draft is made for the clerk named.
func (tx *Tx) insertResultsDraft(ctx context.Context, d *gongkai.Disclosure, actor *gongkai.Actor, survey string) error {
	normalize(d)
	if err := tx.QueryRowContext(ctx, `INSERT INTO disclosures (school_id, catalogue_code, category, title, body, audience, state, doc_number,
		department_id, clerk_id, channels, legal_basis, contact, publicity_days, version, created_by, created_at, updated_at)
		VALUES ($1, '', $2, $3, $4, $5, $6, '', NULL, $7, $8, '', '', $9, 1, $10, $11, $11) RETURNING id`,
		d.SchoolID, d.Category, d.Title, d.Body, string(d.Audience), string(d.State), d.ClerkID, joinChannels(d.Channels), d.PublicityDays,
		actor.ID, ms(tx.Now)).Scan(&d.ID); err != nil {
		return fmt.Errorf("store: draft of survey results: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO disclosure_versions (school_id, disclosure_id, version, title, body, doc_number, created_by, created_at)
		VALUES ($1, $2, 1, $3, $4, '', $5, $6)`, d.SchoolID, d.ID, d.Title, d.Body, actor.ID, ms(tx.Now)); err != nil {
		return fmt.Errorf("store: version of survey results: %w", err)
	}
	if err := tx.index(ctx, d); err != nil {
		return err
	}
	return tx.record(ctx, d, actor, gongkai.ActionCreate, "", gongkai.StateDraft, "由测评“"+survey+"”的结果生成")
}

// SurveyScores returns, for every school of the bureau, its score from
// the satisfaction surveys that closed in [from, to) (and before now). A
// survey counts only with at least gongkai.MinSurveyResponses responses,
// as its results are not shown with fewer; each counts by its responses.
// Two queries, whatever the number of schools.
func (db *DB) SurveyScores(ctx context.Context, bureauID int64, from, to time.Time) (map[int64]SurveyScore, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM schools WHERE bureau_id = $1`, bureauID)
	if err != nil {
		return nil, fmt.Errorf("store: schools of bureau %d: %w", bureauID, err)
	}
	ids, err := collect(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	})
	if err != nil {
		return nil, fmt.Errorf("store: schools of bureau %d: %w", bureauID, err)
	}
	out := make(map[int64]SurveyScore, len(ids))
	for _, id := range ids {
		out[id] = SurveyScore{Score: -1}
	}
	scores, err := db.surveyScores(ctx, `s.school_id IN (SELECT id FROM schools WHERE bureau_id = $1)`, bureauID, from, to)
	if err != nil {
		return nil, fmt.Errorf("store: survey scores of bureau %d: %w", bureauID, err)
	}
	for id, sc := range scores {
		if _, ok := out[id]; ok {
			out[id] = sc
		}
	}
	return out, nil
}

// SchoolSurveyScore is SurveyScores for one school.
func (db *DB) SchoolSurveyScore(ctx context.Context, schoolID int64, from, to time.Time) (SurveyScore, error) {
	scores, err := db.surveyScores(ctx, `s.school_id = $1`, schoolID, from, to)
	if err != nil {
		return SurveyScore{}, fmt.Errorf("store: survey scores of school %d: %w", schoolID, err)
	}
	if sc, ok := scores[schoolID]; ok {
		return sc, nil
	}
	return SurveyScore{Score: -1}, nil
}

// surveyScores computes the scores of the schools the scope condition (on
// the alias s, with its argument at $1) selects, in one query: one row per
// satisfaction survey that ended in [from, min(to, now]), with its
// responses and the sum and number of its ratings. Schools without a
// survey that counts are absent from the map.
func (db *DB) surveyScores(ctx context.Context, scope string, key int64, from, to time.Time) (map[int64]SurveyScore, error) {
	end := min(ms(to), ms(db.Now())+1)
	rows, err := db.read.QueryContext(ctx, `SELECT s.school_id,
		(SELECT COUNT(*) FROM survey_responses r WHERE r.school_id = s.school_id AND r.survey_id = s.id),
		(SELECT COALESCE(SUM(a.choice), 0) FROM survey_answers a JOIN survey_questions q ON q.school_id = a.school_id AND q.survey_id = a.survey_id AND q.position = a.position
			WHERE a.school_id = s.school_id AND a.survey_id = s.id AND q.kind = 'rating'),
		(SELECT COUNT(*) FROM survey_answers a JOIN survey_questions q ON q.school_id = a.school_id AND q.survey_id = a.survey_id AND q.position = a.position
			WHERE a.school_id = s.school_id AND a.survey_id = s.id AND q.kind = 'rating')
		FROM surveys s WHERE `+scope+` AND s.state <> 'draft' AND s.kind = 'satisfaction' AND s.ends_at >= $2 AND s.ends_at < $3
		ORDER BY s.school_id, s.id`, key, ms(from), end)
	if err != nil {
		return nil, err
	}
	type one struct {
		school            int64
		responses, sum, n int
	}
	list, err := collect(rows, func(sc interface{ Scan(...any) error }) (one, error) {
		var o one
		return o, sc.Scan(&o.school, &o.responses, &o.sum, &o.n)
	})
	if err != nil {
		return nil, err
	}
	out := map[int64]SurveyScore{}
	weighted := map[int64]float64{}
	for _, o := range list {
		if o.responses < gongkai.MinSurveyResponses || o.n == 0 {
			continue
		}
		sc := out[o.school]
		sc.Surveys++
		sc.Responses += o.responses
		out[o.school] = sc
		weighted[o.school] += gongkai.RatingScore(float64(o.sum)/float64(o.n)) * float64(o.responses)
	}
	for id, sc := range out {
		sc.Score = weighted[id] / float64(sc.Responses)
		out[id] = sc
	}
	return out, nil
}
