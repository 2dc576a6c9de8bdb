package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"gongkai"
)

// lockFeedback loads a case of the school for a write, locking its row on
// PostgreSQL, with the bureau and calendar region of its school.
func (tx *Tx) lockFeedback(ctx context.Context, schoolID, id int64) (f *gongkai.Feedback, bureau int64, region string, err error) {
	var body string
	f, err = scanFeedback(tx.QueryRowContext(ctx, `SELECT `+feedbackColumns+`, f.body`+feedbackJoins+` WHERE f.school_id = $1 AND f.id = $2`+
		tx.db.dialect.forUpdateOf("f"), schoolID, id), &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, "", notFound("该件")
	}
	if err != nil {
		return nil, 0, "", fmt.Errorf("store: load feedback %d: %w", id, err)
	}
	f.Body = body
	bureau, region, err = tx.schoolBureau(ctx, schoolID)
	return f, bureau, region, err
}

func (tx *Tx) schoolBureau(ctx context.Context, schoolID int64) (bureau int64, region string, err error) {
	err = tx.QueryRowContext(ctx, `SELECT s.bureau_id, b.region_code FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID).Scan(&bureau, &region)
	if err != nil {
		return 0, "", fmt.Errorf("store: bureau of school %d: %w", schoolID, err)
	}
	return bureau, region, nil
}

// saveCase writes every field a step may change.
func (tx *Tx) saveCase(ctx context.Context, f *gongkai.Feedback) error {
	f.UpdatedAt = tx.Now
	_, err := tx.ExecContext(ctx, `UPDATE feedback_cases SET state = $1, about = $2, about_user_id = $3, to_bureau = $4, escalated = $5,
		department_id = $6, assignee_id = $7, due = $8, due_provisional = $9, rectify_due = $10, result_id = $11, rating = $12,
		supporters = $13, must_answer_publicly = $14, qa_published = $15, qa_question = $16, qa_answer = $17, qa_published_at = $18,
		updated_at = $19, replied_at = $20, closed_at = $21 WHERE school_id = $22 AND id = $23`,
		string(f.State), string(f.About), nullID(f.AboutUserID), f.ToBureau, f.Escalated,
		nullID(f.DepartmentID), nullID(f.AssigneeID), formatDay(f.Due), f.DueProvisional, formatDay(f.RectifyDue), nullID(f.ResultID), string(f.Rating),
		f.Supporters, f.MustAnswerPublicly, f.QAPublished, f.QAQuestion, f.QAAnswer, ms(f.QAPublishedAt),
		ms(f.UpdatedAt), ms(f.RepliedAt), ms(f.ClosedAt), f.SchoolID, f.ID)
	if err != nil {
		return fmt.Errorf("store: save feedback %d: %w", f.ID, err)
	}
	return nil
}

// saveOutcome writes what a step did to a stored case: its fields, the
// thread's new entry with the sender's files, how the deadline was set,
// the board's cache and the events.
func (tx *Tx) saveOutcome(ctx context.Context, out *gongkai.FeedbackOutcome) error {
	f := &out.Case
	if err := tx.saveCase(ctx, f); err != nil {
		return err
	}
	if out.DueRule != nil {
		if err := tx.setDueRule(ctx, f, *out.DueRule); err != nil {
			return err
		}
	}
	return tx.finishStep(ctx, out)
}

// finishStep adds the thread's entry, drops the board's cache when it
// changed and writes the events of a step.
func (tx *Tx) finishStep(ctx context.Context, out *gongkai.FeedbackOutcome) error {
	f := &out.Case
	m := out.Message
	atts := m.Attachments
	m.Attachments = nil
	if err := tx.addMessage(ctx, f, &m, out.From, f.State, atts); err != nil {
		return err
	}
	f.Messages = append(f.Messages, m)
	if out.Touch {
		if err := tx.touch(ctx, f.SchoolID); err != nil {
			return err
		}
	}
	return tx.emitAll(ctx, out)
}

// HandleFeedback takes a staff step on a case (gongkai.Feedback.Take),
// with the people, department, result item and calendar the step names.
// The step, its comment, who and when go into the thread in the same
// transaction. Errors as Take's: ENOTFOUND, EFORBIDDEN, ECONFLICT,
// EINVALID.
func (db *DB) HandleFeedback(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, step gongkai.FeedbackStep) (*gongkai.Feedback, error) {
	// People named in the step are loaded before the transaction: their
	// memberships decide whether they may take the case.
	var facts gongkai.FeedbackFacts
	if step.Action == gongkai.FActAssign && step.AssigneeID != 0 {
		facts.Assignee, _ = db.LoadActor(ctx, step.AssigneeID) // unknown: nil, refused by the domain
	}
	if step.AboutUserID != 0 {
		facts.About, _ = db.LoadActor(ctx, step.AboutUserID)
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		f, bureau, region, err := tx.lockFeedback(ctx, schoolID, id)
		if err != nil {
			return err
		}
		facts.Now, facts.BureauID = tx.Now, bureau
		if err := tx.stepFacts(ctx, schoolID, region, step, &facts); err != nil {
			return err
		}
		out, err := f.Take(actor, step, facts)
		if err != nil {
			return err
		}
		return tx.saveOutcome(ctx, &out)
	})
	if err != nil {
		return nil, err
	}
	return db.FindFeedbackByID(ctx, schoolID, id)
}

// stepFacts looks up what a staff step names: its department, its result
// item and, for a date, the calendar.
func (tx *Tx) stepFacts(ctx context.Context, schoolID int64, region string, step gongkai.FeedbackStep, facts *gongkai.FeedbackFacts) error {
	if step.DepartmentID != 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE school_id = $1 AND id = $2`, schoolID, step.DepartmentID).Scan(&n); err != nil {
			return fmt.Errorf("store: department %d: %w", step.DepartmentID, err)
		}
		if n > 0 {
			facts.Department = &gongkai.Department{ID: step.DepartmentID, SchoolID: schoolID}
		}
	}
	if step.ResultID != 0 {
		var state string
		err := tx.QueryRowContext(ctx, `SELECT state FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, step.ResultID).Scan(&state)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: result disclosure %d: %w", step.ResultID, err)
		}
		if err == nil {
			facts.Result = &gongkai.Disclosure{ID: step.ResultID, SchoolID: schoolID, State: gongkai.State(state)}
		}
	}
	if !step.Due.IsZero() {
		cal, err := tx.db.Calendar(ctx, region)
		if err != nil {
			return err
		}
		facts.Calendar = cal
	}
	return nil
}

// SenderAct lets the holder of a receipt and secret (or the signed-in
// named sender, with senderID and the receipt) add a message, rate the
// answer or escalate to the bureau (gongkai.Feedback.SenderTake), and
// returns the case as the sender sees it. Errors: ENOTFOUND for a receipt
// and secret that do not fit, and SenderTake's ECONFLICT and EINVALID.
func (db *DB) SenderAct(ctx context.Context, receipt, secret string, senderID int64, step gongkai.SenderStep) (*gongkai.Feedback, error) {
	var out *gongkai.Feedback
	err := db.withTx(ctx, func(tx *Tx) error {
		f, hash, err := findByReceipt(ctx, tx, receipt, tx.db.dialect.forUpdateOf("f"))
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			secretMatches(secret, strings.Repeat("0", 64))
			return err
		}
		if err != nil {
			return err
		}
		own := senderID != 0 && !f.Anonymous && f.SenderID == senderID
		if !secretMatches(secret, hash) && !own {
			return wrongCode()
		}
		facts := gongkai.SenderFacts{Now: tx.Now}
		if step.Action == gongkai.FActEscalate {
			_, region, err := tx.schoolBureau(ctx, f.SchoolID)
			if err != nil {
				return err
			}
			settings, err := tx.feedbackSettings(ctx, f.SchoolID)
			if err != nil {
				return err
			}
			if facts.Calendar, err = tx.db.Calendar(ctx, region); err != nil {
				return err
			}
			facts.ReplyDays = settings.ReplyDays[f.Kind]
		}
		o, err := f.SenderTake(step, facts)
		if err != nil {
			return err
		}
		out = &o.Case
		return tx.saveOutcome(ctx, &o)
	})
	if err != nil {
		return nil, err
	}
	if err := db.loadThread(ctx, out); err != nil {
		return nil, err
	}
	return out.SenderView(), nil
}

// SupportRequest records that a signed-in user supports a disclosure
// request (once per user: a second time changes nothing) and returns the
// number of supporters (gongkai.Feedback.Support). Errors: Support's
// EUNAUTHENTICATED, ENOTFOUND and ECONFLICT.
func (db *DB) SupportRequest(ctx context.Context, schoolID, id, userID int64) (int, error) {
	var n int
	err := db.withTx(ctx, func(tx *Tx) error {
		f, _, _, err := tx.lockFeedback(ctx, schoolID, id)
		if err != nil {
			return err
		}
		var already int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_supporters WHERE school_id = $1 AND feedback_id = $2 AND user_id = $3`,
			schoolID, id, userID).Scan(&already); err != nil {
			return fmt.Errorf("store: supporters of request %d: %w", id, err)
		}
		settings, err := tx.feedbackSettings(ctx, schoolID)
		if err != nil {
			return err
		}
		out, err := f.Support(userID, already > 0, settings.SupportThreshold)
		if err != nil {
			return err
		}
		n = out.Case.Supporters
		if !out.Changed {
			return nil
		}
		// The case's row is locked, so no other support of this user
		// comes between the count and the insert.
		if _, err := tx.ExecContext(ctx, `INSERT INTO feedback_supporters (school_id, feedback_id, user_id, created_at) VALUES ($1, $2, $3, $4)`,
			schoolID, id, userID, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: support request %d: %w", id, err)
		}
		if err := tx.saveCase(ctx, &out.Case); err != nil {
			return err
		}
		if err := tx.touch(ctx, schoolID); err != nil {
			return err
		}
		return tx.emitAll(ctx, &out)
	})
	return n, err
}

// emitAll writes the events of a step.
func (tx *Tx) emitAll(ctx context.Context, out *gongkai.FeedbackOutcome) error {
	for _, e := range out.Events {
		if err := tx.emit(ctx, Event{SchoolID: out.Case.SchoolID, Type: e.Type, Subject: out.Case.ID, Data: e.Data}); err != nil {
			return err
		}
	}
	return nil
}
