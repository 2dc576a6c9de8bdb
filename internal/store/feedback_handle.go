package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai"
)

// Limits of what handling adds to a case.
const (
	MaxQAQuestion = 2000
	maxSenderNote = 2000 // what a sender writes with a rating or an escalation
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

func fieldError(field, msg string) error {
	return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// stepEvents are the outbox events of the staff steps that have one.
var stepEvents = map[gongkai.FeedbackAction]gongkai.EventType{
	gongkai.FActAssign: gongkai.EventFeedbackAssigned, gongkai.FActReply: gongkai.EventFeedbackReplied, gongkai.FActRectify: gongkai.EventFeedbackRectifying,
	gongkai.FActRectified: gongkai.EventFeedbackRectified, gongkai.FActClose: gongkai.EventFeedbackClosed, gongkai.FActDecline: gongkai.EventFeedbackDeclined,
}

// HandleFeedback takes a staff step on a case, checking with the domain
// that the actor may handle it (gongkai.CanHandleFeedback; a note also the
// supervision group) and that the state allows the step. The step, its
// comment, who and when go into the thread in the same transaction.
// Errors: ENOTFOUND when the actor may not see the case or the step is
// unknown, EFORBIDDEN when they may see but not handle it, ECONFLICT when
// the state does not allow the step, EINVALID (fields comment, assignee,
// department, due, result_id, qa_question, qa_answer, about_user) for
// missing or bad input.
func (db *DB) HandleFeedback(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, step FeedbackStep) (*gongkai.Feedback, error) {
	known := false
	for _, a := range gongkai.StaffFeedbackActions {
		known = known || a == step.Action
	}
	if !known {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	step.Comment = strings.TrimSpace(strings.ReplaceAll(step.Comment, "\r\n", "\n"))
	// People named in the step are loaded before the transaction: their
	// memberships decide whether they may take the case.
	var assignee, about *gongkai.Actor
	if step.Action == gongkai.FActAssign && step.AssigneeID != 0 {
		a, err := db.LoadActor(ctx, step.AssigneeID)
		if err != nil {
			return nil, fieldError("assignee", "承办人不存在或已停用。")
		}
		assignee = a
	}
	if step.AboutUserID != 0 {
		a, err := db.LoadActor(ctx, step.AboutUserID)
		if err != nil || !a.IsMember(schoolID) {
			return nil, fieldError("about_user", "被举报人须为本校人员。")
		}
		about = a
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		f, bureau, region, err := tx.lockFeedback(ctx, schoolID, id)
		if err != nil {
			return err
		}
		if !gongkai.CanSeeFeedback(actor, bureau, f) {
			return notFound("该件")
		}
		may := gongkai.CanHandleFeedback(actor, bureau, f)
		if step.Action == gongkai.FActNote {
			may = gongkai.CanNoteFeedback(actor, bureau, f)
		}
		if !may {
			if f.ToBureau || f.Escalated {
				return gongkai.Errorf(gongkai.EFORBIDDEN, "该件由教育局办理，学校只能查看。")
			}
			return gongkai.Errorf(gongkai.EFORBIDDEN, "您不是该件的办理人，不能%s。", step.Action.Label())
		}
		from := f.State
		to, err := gongkai.NextFeedback(from, step.Action)
		if err != nil {
			return err
		}
		if err := gongkai.CheckFeedbackText("comment", step.Comment, gongkai.CommentRequiredFeedback(step.Action), gongkai.MaxFeedbackBody); err != nil {
			if gongkai.CommentRequiredFeedback(step.Action) && step.Comment == "" {
				return fieldError("comment", commentPrompt(step.Action))
			}
			return err
		}
		extra := map[string]any{}
		touch := f.Kind == gongkai.KindObjection && from != to
		internal := false
		switch step.Action {
		case gongkai.FActAssign:
			internal = true
			if step.DepartmentID == 0 && step.AssigneeID == 0 {
				return fieldError("assignee", "请选择承办处室或承办人。")
			}
			if err := tx.checkDepartment(ctx, schoolID, step.DepartmentID); err != nil {
				return err
			}
			if assignee != nil && !gongkai.CanBeAssigned(assignee, bureau, f) {
				return fieldError("assignee", "该人员不能办理此件：举报只能交监督小组办理，教育局办理的件只能交教育局人员，被反映人不能办理。")
			}
			f.DepartmentID, f.AssigneeID = step.DepartmentID, step.AssigneeID
			if !step.Due.IsZero() {
				if err := tx.setDue(ctx, region, &f.Due, &f.DueProvisional, step.Due, "due"); err != nil {
					return err
				}
				if err := tx.setDueRule(ctx, f, gongkai.WorkdayRule{}); err != nil {
					return err
				}
			}
		case gongkai.FActReply:
			if step.ResultID != 0 {
				if err := tx.checkResult(ctx, schoolID, step.ResultID); err != nil {
					return err
				}
				f.ResultID, touch = step.ResultID, true
			}
			if f.RepliedAt.IsZero() {
				f.RepliedAt = tx.Now
			}
		case gongkai.FActRectify:
			if step.Due.IsZero() {
				return fieldError("due", "请填写整改完成期限。")
			}
			var provisional bool
			if err := tx.setDue(ctx, region, &f.RectifyDue, &provisional, step.Due, "due"); err != nil {
				return err
			}
		case gongkai.FActRectified:
			if step.ResultID == 0 {
				return fieldError("result_id", "请选择公布整改结果的公开事项（须为本校已发布的事项）。")
			}
			if err := tx.checkResult(ctx, schoolID, step.ResultID); err != nil {
				return err
			}
			f.ResultID, touch = step.ResultID, true
		case gongkai.FActClose:
			if f.Kind == gongkai.KindRequest && f.ResultID == 0 && !f.QAPublished {
				return fieldError("result_id", "点题公开须以发布的公开事项或公开答复办结：请先在答复中关联公开事项，或发布公开问答。")
			}
			f.ClosedAt = tx.Now
		case gongkai.FActDecline:
			f.ClosedAt = tx.Now
			if f.RepliedAt.IsZero() {
				f.RepliedAt = tx.Now
			}
			if f.Kind == gongkai.KindRequest {
				// A request ends in a disclosure or a refusal made public
				// with its reason.
				q := strings.TrimSpace(step.QAQuestion)
				if q == "" {
					q = f.Subject
				}
				if err := gongkai.CheckFeedbackText("qa_question", q, true, MaxQAQuestion); err != nil {
					return err
				}
				f.QAPublished, f.QAQuestion, f.QAAnswer, f.QAPublishedAt = true, q, step.Comment, tx.Now
				touch = true
			}
		case gongkai.FActNote:
			internal = true
		case gongkai.FActPublishQA:
			internal = true
			if !f.Answered() {
				return gongkai.Errorf(gongkai.ECONFLICT, "答复之后才能发布公开问答。")
			}
			q, a := strings.TrimSpace(step.QAQuestion), strings.TrimSpace(strings.ReplaceAll(step.QAAnswer, "\r\n", "\n"))
			if err := gongkai.CheckFeedbackText("qa_question", q, true, MaxQAQuestion); err != nil {
				return fieldError("qa_question", "请填写隐去个人信息后的问题（"+gongkai.ErrorMessage(err)+"）")
			}
			if err := gongkai.CheckFeedbackText("qa_answer", a, true, gongkai.MaxFeedbackBody); err != nil {
				return fieldError("qa_answer", "请填写公开的答复（"+gongkai.ErrorMessage(err)+"）")
			}
			f.QAPublished, f.QAQuestion, f.QAAnswer, f.QAPublishedAt = true, q, a, tx.Now
			touch = true
		}
		routed := false
		if about != nil {
			if f.Kind != gongkai.KindReport {
				return fieldError("about_user", "只有举报件可以记录被举报人。")
			}
			f.AboutUserID, f.About = about.ID, gongkai.SubjectStaff
			if about.HasRole(schoolID, gongkai.RolePrincipal) || about.HasRole(schoolID, gongkai.RoleLeader) {
				// A report about the leadership bypasses the school.
				f.About = gongkai.SubjectLeadership
				routed = !f.ToBureau
				f.ToBureau = true
			}
			if f.AssigneeID == about.ID {
				f.AssigneeID = 0
			}
		}
		f.State = to
		if err := tx.saveCase(ctx, f); err != nil {
			return err
		}
		m := gongkai.FeedbackMessage{Action: step.Action, FromStaff: true, AuthorID: actor.ID, Author: actor.DisplayName, Body: step.Comment, Internal: internal}
		if err := tx.addMessage(ctx, f, &m, from, to, nil); err != nil {
			return err
		}
		if touch {
			if err := tx.touch(ctx, schoolID); err != nil {
				return err
			}
		}
		if typ := stepEvents[step.Action]; typ != "" {
			if err := tx.emit(ctx, feedbackEvent(f, typ, extra)); err != nil {
				return err
			}
		}
		if routed {
			return tx.emit(ctx, feedbackEvent(f, gongkai.EventFeedbackEscalated, map[string]any{"reason": "about_leadership"}))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.FindFeedbackByID(ctx, schoolID, id)
}

func commentPrompt(a gongkai.FeedbackAction) string {
	switch a {
	case gongkai.FActReply:
		return "请填写答复内容。"
	case gongkai.FActRectify:
		return "请填写整改方案。"
	case gongkai.FActRectified:
		return "请填写整改完成情况。"
	case gongkai.FActDecline:
		return "请填写不予受理的理由。"
	case gongkai.FActNote:
		return "请填写备注内容。"
	}
	return "请填写内容。"
}

// setDue sets a deadline chosen by staff: a date not before today.
func (tx *Tx) setDue(ctx context.Context, region string, due *time.Time, provisional *bool, want time.Time, field string) error {
	y, m, d := want.In(gongkai.Beijing).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)
	if gongkai.PeriodOver(day, tx.Now) {
		return fieldError(field, "期限不能早于今天。")
	}
	if day.After(tx.Now.AddDate(2, 0, 0)) {
		return fieldError(field, "期限不能超过两年。")
	}
	cal, err := tx.db.Calendar(ctx, region)
	if err != nil {
		return err
	}
	*due, *provisional = day, !cal.HasYear(day.Year()) || !cal.HasYear(tx.Now.In(gongkai.Beijing).Year())
	return nil
}

// checkResult checks that a disclosure may stand as the result of a case:
// an item of the same school that is published (not withdrawn).
func (tx *Tx) checkResult(ctx context.Context, schoolID, id int64) error {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return fieldError("result_id", "所选公开事项不存在，请选择本校已发布的事项。")
	}
	if err != nil {
		return fmt.Errorf("store: result disclosure %d: %w", id, err)
	}
	d := gongkai.Disclosure{State: gongkai.State(state)}
	if !d.Published() || d.State == gongkai.StateWithdrawn {
		return fieldError("result_id", "所选公开事项尚未发布或已撤回，请选择本校已发布的事项。")
	}
	return nil
}

// SenderAct lets the holder of a receipt and secret (or the signed-in
// named sender, with senderID and the receipt) add a message, rate the
// answer or escalate to the bureau, and returns the case as the sender
// sees it. Errors: ENOTFOUND for a receipt and secret that do not fit,
// ECONFLICT when the case does not allow the step yet (rating before an
// answer, escalating within the deadline and without an unsatisfied
// rating, escalating twice), EINVALID for bad text or rating.
func (db *DB) SenderAct(ctx context.Context, receipt, secret string, senderID int64, step SenderStep) (*gongkai.Feedback, error) {
	switch step.Action {
	case gongkai.FActMessage, gongkai.FActRate, gongkai.FActEscalate:
	default:
		return nil, fieldError("action", "操作只能是补充留言（message）、评价（rate）或提请教育局督办（escalate）。")
	}
	step.Body = strings.TrimSpace(strings.ReplaceAll(step.Body, "\r\n", "\n"))
	if step.Action == gongkai.FActMessage {
		if err := gongkai.CheckFeedbackText("body", step.Body, true, gongkai.MaxFeedbackBody); err != nil {
			return nil, err
		}
	} else if err := gongkai.CheckFeedbackText("body", step.Body, false, maxSenderNote); err != nil {
		return nil, err
	}
	if step.Action == gongkai.FActRate && !step.Rating.Valid() {
		return nil, fieldError("rating", "请选择满意、基本满意或不满意。")
	}
	if step.Action != gongkai.FActMessage && len(step.Attachments) > 0 {
		return nil, fieldError("attachments", "附件请随补充留言上传。")
	}
	if err := checkAttachments(step.Attachments); err != nil {
		return nil, fieldError("attachments", gongkai.ErrorMessage(err))
	}
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
		from := f.State
		author, authorID := senderAuthor(f, nil)
		m := gongkai.FeedbackMessage{Action: step.Action, Author: author, AuthorID: authorID, Body: step.Body}
		var typ gongkai.EventType
		extra := map[string]any{}
		touch := false
		switch step.Action {
		case gongkai.FActMessage:
			typ = gongkai.EventFeedbackMessage
		case gongkai.FActRate:
			if !f.CanRate() {
				return gongkai.Errorf(gongkai.ECONFLICT, "学校答复之后才能评价。")
			}
			f.Rating, typ = step.Rating, gongkai.EventFeedbackRated
			extra["rating"] = string(step.Rating)
			if m.Body == "" {
				m.Body = step.Rating.Label()
			} else {
				m.Body = step.Rating.Label() + "：" + m.Body
			}
		case gongkai.FActEscalate:
			if err := f.CanEscalate(tx.Now); err != nil {
				return err
			}
			_, region, err := tx.schoolBureau(ctx, f.SchoolID)
			if err != nil {
				return err
			}
			settings, err := tx.feedbackSettings(ctx, f.SchoolID)
			if err != nil {
				return err
			}
			f.Escalated, f.ToBureau = true, true
			f.State = gongkai.EscalatedState(from)
			if f.State != from {
				f.ClosedAt = time.Time{} // reopened for the bureau
			}
			// The bureau gets a deadline of its own, counted from today.
			var rule gongkai.WorkdayRule
			if f.Due, f.DueProvisional, rule, err = tx.dueIn(ctx, region, settings.ReplyDays[f.Kind]); err != nil {
				return err
			}
			if err := tx.setDueRule(ctx, f, rule); err != nil {
				return err
			}
			touch = f.Kind == gongkai.KindObjection && f.State != from
			typ = gongkai.EventFeedbackEscalated
			extra["reason"] = "sender"
		}
		if err := tx.saveCase(ctx, f); err != nil {
			return err
		}
		if err := tx.addMessage(ctx, f, &m, from, f.State, step.Attachments); err != nil {
			return err
		}
		if touch {
			if err := tx.touch(ctx, f.SchoolID); err != nil {
				return err
			}
		}
		out = f
		return tx.emit(ctx, feedbackEvent(f, typ, extra))
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
// number of supporters; at the school's threshold the request must be
// answered in public. Errors: EUNAUTHENTICATED without a user, ENOTFOUND
// for what is not a request of the school, ECONFLICT for a request already
// closed or declined.
func (db *DB) SupportRequest(ctx context.Context, schoolID, id, userID int64) (int, error) {
	if userID == 0 {
		return 0, gongkai.Errorf(gongkai.EUNAUTHENTICATED, "请先登录，再支持该点题。")
	}
	var n int
	err := db.withTx(ctx, func(tx *Tx) error {
		f, _, _, err := tx.lockFeedback(ctx, schoolID, id)
		if err != nil {
			return err
		}
		if f.Kind != gongkai.KindRequest {
			return notFound("点题")
		}
		if f.State == gongkai.FeedbackClosed || f.State == gongkai.FeedbackDeclined {
			return gongkai.Errorf(gongkai.ECONFLICT, "该点题已办结，不再征集支持。")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO feedback_supporters (school_id, feedback_id, user_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
			schoolID, id, userID, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: support request %d: %w", id, err)
		}
		n = f.Supporters
		if added, _ := res.RowsAffected(); added == 0 {
			return nil
		}
		settings, err := tx.feedbackSettings(ctx, schoolID)
		if err != nil {
			return err
		}
		n++
		f.Supporters = n
		reached := !f.MustAnswerPublicly && n >= settings.SupportThreshold
		if reached {
			f.MustAnswerPublicly = true
		}
		if err := tx.saveCase(ctx, f); err != nil {
			return err
		}
		if err := tx.touch(ctx, schoolID); err != nil {
			return err
		}
		return tx.emit(ctx, feedbackEvent(f, gongkai.EventFeedbackSupported, map[string]any{
			"supporters": n, "threshold": settings.SupportThreshold, "must_answer_publicly": f.MustAnswerPublicly, "threshold_reached": reached}))
	})
	return n, err
}
