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

// NewOrder is what a bureau administrator issues: one order per school.
type NewOrder struct {
	Kind      gongkai.OrderKind
	Title     string
	Body      string
	Deadline  time.Time // the last day to answer; zero for Workdays working days from today
	Workdays  int
	SchoolIDs []int64
	// What the order is about, if anything; either links the order to one
	// school, so it may then go to that school only.
	ObligationID int64 // an overdue obligation
	FeedbackID   int64 // a case with the bureau (escalated, or a report about the leadership)
}

// OrderStepInput is one step on an issued order.
type OrderStepInput struct {
	Action   gongkai.OrderAction
	Comment  string    // answer: the reply; return: the reason; accept: optional
	ResultID int64     // answer: a published disclosure of the school as the result
	Deadline time.Time // return: a new deadline; zero keeps the old one
}

// OrderFilter selects orders for a list.
type OrderFilter struct {
	SchoolID int64 // 0: every school of the bureau
	States   []gongkai.OrderState
	Open     bool // not accepted yet
	Overdue  bool // waiting for the school past the deadline (at the store's clock)
	Page     int
	PerPage  int
}

// OrderFigures are a school's orders for the bureau's dashboard.
type OrderFigures struct{ Open, Overdue, AnsweredThisYear, IssuedThisYear int }

const orderColumns = `o.id, o.bureau_id, o.school_id, o.number, o.kind, o.state, o.title, o.deadline, o.reply,
	COALESCE(o.obligation_id, 0), COALESCE(c.name, ob.catalogue_code, ''), COALESCE(ob.period_label, ''), COALESCE(ob.due, ''),
	COALESCE(o.feedback_id, 0), COALESCE(f.subject, ''), COALESCE(o.result_id, 0), COALESCE(d.title, ''),
	COALESCE(o.issued_by, 0), COALESCE(u.display_name, ''), o.created_at, o.updated_at, o.answered_at, o.closed_at`

const orderJoins = ` FROM orders o
	LEFT JOIN obligations ob ON ob.school_id = o.school_id AND ob.id = o.obligation_id
	LEFT JOIN catalogue_items c ON c.school_id = ob.school_id AND c.code = ob.catalogue_code
	LEFT JOIN feedback_cases f ON f.school_id = o.school_id AND f.id = o.feedback_id
	LEFT JOIN disclosures d ON d.school_id = o.school_id AND d.id = o.result_id
	LEFT JOIN users u ON u.id = o.issued_by`

func scanOrder(sc interface{ Scan(...any) error }, extra ...any) (*gongkai.Order, error) {
	var o gongkai.Order
	var kind, state, deadline, obDue string
	var created, updated, answered, closed int64
	dest := []any{&o.ID, &o.BureauID, &o.SchoolID, &o.Number, &kind, &state, &o.Title, &deadline, &o.Reply,
		&o.ObligationID, &o.ObligationName, &o.ObligationPeriod, &obDue,
		&o.FeedbackID, &o.FeedbackSubject, &o.ResultID, &o.ResultTitle,
		&o.IssuedBy, &o.IssuedByName, &created, &updated, &answered, &closed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	o.Kind, o.State = gongkai.OrderKind(kind), gongkai.OrderState(state)
	o.Deadline, o.ObligationDue = parseDay(deadline), parseDay(obDue)
	o.CreatedAt, o.UpdatedAt, o.AnsweredAt, o.ClosedAt = fromMS(created), fromMS(updated), fromMS(answered), fromMS(closed)
	return &o, nil
}

// IssueOrders issues one order per chosen school of the bureau, each with
// the next number of the bureau's year, in one transaction, and tells
// each school's principal ("order.issued"). Errors: EFORBIDDEN unless the
// actor administers the bureau; EINVALID (fields kind, title, body,
// deadline, workdays, schools, obligation, feedback) for bad input.
func (db *DB) IssueOrders(ctx context.Context, bureauID int64, actor *gongkai.Actor, in NewOrder) ([]*gongkai.Order, error) {
	if !gongkai.CanIssueOrder(actor, bureauID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以下发督办通知。")
	}
	bureau, err := db.FindBureauByID(ctx, bureauID)
	if err != nil {
		return nil, err
	}
	fe := gongkai.FieldErrors{}
	now := db.Now()
	deadline := in.Deadline
	var rule gongkai.WorkdayRule
	if deadline.IsZero() {
		if in.Workdays < 1 || in.Workdays > gongkai.MaxOrderWorkdays {
			fe.Add("workdays", fmt.Sprintf("办理期限须为 1–%d 个工作日，或指定截止日期。", gongkai.MaxOrderWorkdays))
		} else {
			cal, err := db.Calendar(ctx, bureau.RegionCode)
			if err != nil {
				return nil, err
			}
			rule = gongkai.WorkdayRule{From: now, Workdays: in.Workdays}
			deadline, _ = rule.Due(cal)
		}
	}
	proto := gongkai.Order{Kind: in.Kind, Title: in.Title, Body: in.Body, Deadline: deadline}
	if err := proto.Validate(now); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			if k != "deadline" || len(fe) == 0 || fe["workdays"] == "" {
				fe.Add(k, v)
			}
		}
	}
	schools := map[int64]bool{}
	var ids []int64
	for _, id := range in.SchoolIDs {
		if !schools[id] {
			schools[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		fe.Add("schools", "请选择接收通知的学校。")
	}
	if len(ids) > 0 {
		own, err := db.FindSchools(ctx, bureauID)
		if err != nil {
			return nil, err
		}
		ofBureau := map[int64]*gongkai.School{}
		for _, s := range own {
			ofBureau[s.ID] = s
		}
		for _, id := range ids {
			switch s := ofBureau[id]; {
			case s == nil:
				fe.Add("schools", "请选择本局所属的学校。")
			case !s.Allows(gongkai.UseNewOrder):
				fe.Add("schools", gongkai.ErrorMessage(s.Refusal(gongkai.UseNewOrder)))
			}
		}
	}
	if (in.ObligationID != 0 || in.FeedbackID != 0) && len(ids) > 1 {
		fe.Add("schools", "关联了公开义务或来信的通知只能发给该校一所学校。")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out []int64
	err = db.withTx(ctx, func(tx *Tx) error {
		out = out[:0]
		if in.ObligationID != 0 {
			var met int64
			var waived bool
			err := tx.QueryRowContext(ctx, `SELECT met_at, waived FROM obligations WHERE school_id = $1 AND id = $2`, ids[0], in.ObligationID).Scan(&met, &waived)
			if errors.Is(err, sql.ErrNoRows) {
				return fieldError("obligation", "所关联的公开义务不属于该校。")
			}
			if err != nil {
				return fmt.Errorf("store: obligation %d of order: %w", in.ObligationID, err)
			}
			if met != 0 || waived {
				return fieldError("obligation", "所关联的公开义务已完成或已免除，无需督办。")
			}
		}
		if in.FeedbackID != 0 {
			var toBureau, escalated bool
			err := tx.QueryRowContext(ctx, `SELECT to_bureau, escalated FROM feedback_cases WHERE school_id = $1 AND id = $2`, ids[0], in.FeedbackID).Scan(&toBureau, &escalated)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && !toBureau && !escalated) {
				return fieldError("feedback", "所关联的来信不属于该校，或未提请教育局督办。")
			}
			if err != nil {
				return fmt.Errorf("store: feedback %d of order: %w", in.FeedbackID, err)
			}
		}
		year := tx.Now.In(gongkai.Beijing).Year()
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_numbers (bureau_id, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, bureauID, year); err != nil {
			return fmt.Errorf("store: order number: %w", err)
		}
		// The numbers of all the orders at once. The row lock of the UPDATE
		// makes concurrent issuers queue for their numbers on PostgreSQL;
		// SQLite has one writer anyway.
		var last int
		if err := tx.QueryRowContext(ctx, `UPDATE order_numbers SET last = last + $3 WHERE bureau_id = $1 AND year = $2 RETURNING last`, bureauID, year, len(ids)).Scan(&last); err != nil {
			return fmt.Errorf("store: order number: %w", err)
		}
		for i, schoolID := range ids {
			seq := last - len(ids) + 1 + i
			o := proto
			o.SchoolID, o.BureauID, o.State = schoolID, bureauID, gongkai.OrderIssued
			o.Number = gongkai.OrderNumber(bureau.Name, year, seq)
			if err := tx.QueryRowContext(ctx, `INSERT INTO orders (school_id, bureau_id, number, year, seq, kind, state, title, body, deadline,
				obligation_id, feedback_id, issued_by, created_at, updated_at, deadline_from, deadline_workdays) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16) RETURNING id`,
				schoolID, bureauID, o.Number, year, seq, string(o.Kind), string(o.State), o.Title, o.Body, formatDay(o.Deadline),
				nullID(in.ObligationID), nullID(in.FeedbackID), nullID(actor.ID), ms(tx.Now), formatDay(rule.From), rule.Workdays).Scan(&o.ID); err != nil {
				return fmt.Errorf("store: issue order: %w", err)
			}
			step := gongkai.OrderStep{Action: gongkai.OActIssue, To: o.State, AuthorID: actor.ID, Author: actor.DisplayName, Deadline: o.Deadline}
			if err := tx.addOrderStep(ctx, &o, step); err != nil {
				return err
			}
			if err := tx.emit(ctx, orderEvent(&o, gongkai.EventOrderIssued, nil)); err != nil {
				return err
			}
			out = append(out, o.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.findOrdersByIDs(ctx, bureauID, ids, out)
}

// findOrdersByIDs returns the orders of the ids (of the schools listed)
// with their bodies and trails, in the order of ids, in two queries however
// many there are.
func (db *DB) findOrdersByIDs(ctx context.Context, bureauID int64, schoolIDs, ids []int64) ([]*gongkai.Order, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{bureauID}
	list := func(vs []int64) string {
		ph := make([]string, len(vs))
		for i, v := range vs {
			args = append(args, v)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		return strings.Join(ph, ", ")
	}
	where := `o.school_id IN (` + list(schoolIDs) + `) AND o.id IN (` + list(ids) + `) AND o.bureau_id = $1`
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+`, o.body`+orderJoins+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find orders: %w", err)
	}
	byID := map[int64]*gongkai.Order{}
	if _, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Order, error) {
		var body string
		o, err := scanOrder(sc, &body)
		if err == nil {
			o.Body = body
			byID[o.ID] = o
		}
		return o, err
	}); err != nil {
		return nil, fmt.Errorf("store: find orders: %w", err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT s.order_id, s.id, s.action, s.from_state, s.to_state, COALESCE(s.author_id, 0), s.author_name, s.comment,
		COALESCE(s.result_id, 0), s.deadline, s.created_at
		FROM order_steps s JOIN orders o ON o.school_id = s.school_id AND o.id = s.order_id
		WHERE `+strings.ReplaceAll(where, "o.school_id IN", "s.school_id IN")+` ORDER BY s.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: trails of orders: %w", err)
	}
	if _, err := collect(rows, func(sc interface{ Scan(...any) error }) (int64, error) {
		var orderID int64
		s, err := scanOrderStep(sc, &orderID)
		if o := byID[orderID]; err == nil && o != nil {
			o.Trail = append(o.Trail, s)
		}
		return orderID, err
	}); err != nil {
		return nil, fmt.Errorf("store: trails of orders: %w", err)
	}
	out := make([]*gongkai.Order, 0, len(ids))
	for _, id := range ids {
		o := byID[id]
		if o == nil {
			return nil, notFound("通知")
		}
		out = append(out, o)
	}
	return out, nil
}

// scanOrderStep reads a trail entry; extra columns come first.
func scanOrderStep(sc interface{ Scan(...any) error }, extra ...any) (gongkai.OrderStep, error) {
	var s gongkai.OrderStep
	var action, from, to, deadline string
	var at int64
	err := sc.Scan(append(extra, &s.ID, &action, &from, &to, &s.AuthorID, &s.Author, &s.Comment, &s.ResultID, &deadline, &at)...)
	s.Action, s.From, s.To = gongkai.OrderAction(action), gongkai.OrderState(from), gongkai.OrderState(to)
	s.Deadline, s.At = parseDay(deadline), fromMS(at)
	return s, err
}

func orderEvent(o *gongkai.Order, typ gongkai.EventType, extra map[string]any) Event {
	data := map[string]any{"number": o.Number, "title": o.Title, "kind": string(o.Kind), "deadline": formatDay(o.Deadline)}
	for k, v := range extra {
		data[k] = v
	}
	return Event{SchoolID: o.SchoolID, Type: typ, Subject: o.ID, Data: data}
}

func (tx *Tx) addOrderStep(ctx context.Context, o *gongkai.Order, s gongkai.OrderStep) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_steps (school_id, order_id, action, from_state, to_state, author_id, author_name, comment, result_id, deadline, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		o.SchoolID, o.ID, string(s.Action), string(s.From), string(s.To), nullID(s.AuthorID), s.Author, s.Comment, nullID(s.ResultID), formatDay(s.Deadline), ms(tx.Now))
	if err != nil {
		return fmt.Errorf("store: trail of order %d: %w", o.ID, err)
	}
	return nil
}

// FindOrderSchoolID returns the school of an order, for routes that name
// the order alone; ENOTFOUND when there is none.
func (db *DB) FindOrderSchoolID(ctx context.Context, id int64) (int64, error) {
	var schoolID int64
	err := db.read.QueryRowContext(ctx, `SELECT school_id FROM orders WHERE id = $1`, id).Scan(&schoolID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("通知")
	}
	if err != nil {
		return 0, fmt.Errorf("store: school of order %d: %w", id, err)
	}
	return schoolID, nil
}

// FindOrderByID returns an order of the school with its body and trail.
func (db *DB) FindOrderByID(ctx context.Context, schoolID, id int64) (*gongkai.Order, error) {
	var body string
	o, err := scanOrder(db.read.QueryRowContext(ctx, `SELECT `+orderColumns+`, o.body`+orderJoins+` WHERE o.school_id = $1 AND o.id = $2`, schoolID, id), &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("通知")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find order %d: %w", id, err)
	}
	o.Body = body
	rows, err := db.read.QueryContext(ctx, `SELECT id, action, from_state, to_state, COALESCE(author_id, 0), author_name, comment, COALESCE(result_id, 0), deadline, created_at
		FROM order_steps WHERE school_id = $1 AND order_id = $2 ORDER BY id`, schoolID, id)
	if err != nil {
		return nil, fmt.Errorf("store: trail of order %d: %w", id, err)
	}
	o.Trail, err = collect(rows, func(sc interface{ Scan(...any) error }) (gongkai.OrderStep, error) { return scanOrderStep(sc) })
	if err != nil {
		return nil, fmt.Errorf("store: trail of order %d: %w", id, err)
	}
	return o, nil
}

// FindOrders returns one page of the bureau's orders (of one school with
// f.SchoolID), open ones by deadline first, then the closed newest first,
// and the total. Lists leave out the body and the trail.
func (db *DB) FindOrders(ctx context.Context, bureauID int64, f OrderFilter) ([]*gongkai.Order, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.SchoolID != 0 {
		where = append(where, "o.school_id = "+arg(f.SchoolID))
	} else {
		where = append(where, "o.school_id IN (SELECT id FROM schools WHERE bureau_id = "+arg(bureauID)+")")
	}
	where = append(where, "o.bureau_id = "+arg(bureauID))
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, s := range f.States {
			ph[i] = arg(string(s))
		}
		where = append(where, "o.state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Open {
		where = append(where, "o.state <> 'accepted'")
	}
	if f.Overdue {
		where = append(where, "o.state IN ('issued', 'returned') AND o.deadline < "+arg(formatDay(db.Now())))
	}
	w := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM orders o`+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count orders of bureau %d: %w", bureauID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+orderJoins+w+
		` ORDER BY CASE WHEN o.state = 'accepted' THEN 1 ELSE 0 END, CASE WHEN o.state = 'accepted' THEN '' ELSE o.deadline END, o.created_at DESC, o.id DESC`+
		pageClause(f.Page, f.PerPage), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find orders of bureau %d: %w", bureauID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Order, error) { return scanOrder(sc) })
	return out, total, err
}

// orderStepEvents are the outbox events of the steps.
var orderStepEvents = map[gongkai.OrderAction]gongkai.EventType{
	gongkai.OActAnswer: gongkai.EventOrderAnswered, gongkai.OActReturn: gongkai.EventOrderReturned, gongkai.OActAccept: gongkai.EventOrderAccepted,
}

// StepOrder takes a step on an order, checked by the domain
// (gongkai.CheckOrderStep), and records it in the trail with who, when
// and the comment, in one transaction. Errors: ENOTFOUND when the actor
// may not see the order, EFORBIDDEN when their role may not take the
// step, ECONFLICT when the state does not allow it, EINVALID (fields
// comment, result_id, deadline) for bad input.
func (db *DB) StepOrder(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, in OrderStepInput) (*gongkai.Order, error) {
	known := false
	for _, a := range gongkai.OrderActions {
		known = known || a == in.Action
	}
	if !known {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	in.Comment = strings.TrimSpace(strings.ReplaceAll(in.Comment, "\r\n", "\n"))
	err := db.withTx(ctx, func(tx *Tx) error {
		var state, deadline string
		var bureauOfOrder int64
		err := tx.QueryRowContext(ctx, `SELECT state, deadline, bureau_id FROM orders WHERE school_id = $1 AND id = $2`+tx.db.dialect.forUpdate(), schoolID, id).
			Scan(&state, &deadline, &bureauOfOrder)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("通知")
		}
		if err != nil {
			return fmt.Errorf("store: lock order %d: %w", id, err)
		}
		bureau, region, err := tx.schoolBureau(ctx, schoolID)
		if err != nil {
			return err
		}
		o := &gongkai.Order{ID: id, SchoolID: schoolID, BureauID: bureauOfOrder, State: gongkai.OrderState(state), Deadline: parseDay(deadline)}
		to, err := gongkai.CheckOrderStep(actor, bureau, o, in.Action)
		if err != nil {
			return err
		}
		if err := gongkai.CheckOrderText("comment", in.Comment, gongkai.CommentRequiredOrder(in.Action), gongkai.MaxOrderReply); err != nil {
			if in.Comment == "" {
				if in.Action == gongkai.OActReturn {
					return fieldError("comment", "请填写退回的理由，说明还需补充什么。")
				}
				return fieldError("comment", "请填写答复内容。")
			}
			return err
		}
		step := gongkai.OrderStep{Action: in.Action, From: o.State, To: to, AuthorID: actor.ID, Author: actor.DisplayName, Comment: in.Comment}
		set := []string{"state = $1", "updated_at = $2"}
		args := []any{string(to), ms(tx.Now)}
		add := func(col string, v any) {
			args = append(args, v)
			set = append(set, fmt.Sprintf("%s = $%d", col, len(args)))
		}
		switch in.Action {
		case gongkai.OActAnswer:
			if in.ResultID != 0 {
				if err := tx.checkResult(ctx, schoolID, in.ResultID); err != nil {
					return err
				}
				step.ResultID = in.ResultID
			}
			add("reply", in.Comment)
			add("result_id", nullID(in.ResultID))
			add("answered_at", ms(tx.Now))
		case gongkai.OActReturn:
			if in.Deadline.IsZero() && deadline < formatDay(tx.Now) {
				// Returned with a deadline already past, the order would be
				// overdue the moment the school sees it again.
				msg := "原办理期限已过，请给出新的截止日期。"
				return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"deadline": msg}}
			}
			if !in.Deadline.IsZero() && formatDay(in.Deadline) != deadline {
				var provisional bool
				var due time.Time
				if err := tx.setDue(ctx, region, &due, &provisional, in.Deadline, "deadline"); err != nil {
					return err
				}
				add("deadline", formatDay(due))
				// A date the bureau chose: no calendar edit moves it.
				add("deadline_from", "")
				add("deadline_workdays", 0)
				o.Deadline = due
			}
			step.Deadline = o.Deadline
		case gongkai.OActAccept:
			add("closed_at", ms(tx.Now))
		}
		args = append(args, schoolID, id)
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET `+strings.Join(set, ", ")+fmt.Sprintf(` WHERE school_id = $%d AND id = $%d`, len(args)-1, len(args)), args...); err != nil {
			return fmt.Errorf("store: step order %d: %w", id, err)
		}
		if err := tx.addOrderStep(ctx, o, step); err != nil {
			return err
		}
		var number, title, kind string
		if err := tx.QueryRowContext(ctx, `SELECT number, title, kind FROM orders WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&number, &title, &kind); err != nil {
			return fmt.Errorf("store: order %d: %w", id, err)
		}
		o.Number, o.Title, o.Kind = number, title, gongkai.OrderKind(kind)
		return tx.emit(ctx, orderEvent(o, orderStepEvents[in.Action], nil))
	})
	if err != nil {
		return nil, err
	}
	return db.FindOrderByID(ctx, schoolID, id)
}

// OrderFigures counts each school's orders for the bureau's dashboard at
// now: open (not accepted), overdue, answered this year (the latest answer
// in now's Beijing year) and issued this year; one query. Schools without
// orders are absent from the map.
func (db *DB) OrderFigures(ctx context.Context, bureauID int64, now time.Time) (map[int64]OrderFigures, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT o.school_id, o.state, o.deadline, o.created_at, o.answered_at FROM orders o
		WHERE o.school_id IN (SELECT id FROM schools WHERE bureau_id = $1) AND o.bureau_id = $1`, bureauID)
	if err != nil {
		return nil, fmt.Errorf("store: order figures of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	year := now.In(gongkai.Beijing).Year()
	out := map[int64]OrderFigures{}
	for rows.Next() {
		var o gongkai.Order
		var state, deadline string
		var created, answered int64
		if err := rows.Scan(&o.SchoolID, &state, &deadline, &created, &answered); err != nil {
			return nil, err
		}
		o.State, o.Deadline = gongkai.OrderState(state), parseDay(deadline)
		f := out[o.SchoolID]
		if o.State.Open() {
			f.Open++
		}
		if o.Overdue(now) {
			f.Overdue++
		}
		if answered != 0 && fromMS(answered).Year() == year {
			f.AnsweredThisYear++
		}
		if fromMS(created).Year() == year {
			f.IssuedThisYear++
		}
		out[o.SchoolID] = f
	}
	return out, rows.Err()
}

// RemindOverdueOrders emits "order.overdue" for every order the school
// let pass its deadline without an answer, once per order and Beijing day
// whatever the number of nodes, and returns how many it emitted. Orders
// are few (a bureau issues some a month), so one query over all of them.
func (db *DB) RemindOverdueOrders(ctx context.Context) (int, error) {
	now := db.Now()
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+orderJoins+`
		WHERE o.state IN ('issued', 'returned') AND o.deadline < $1 ORDER BY o.school_id, o.id`, formatDay(now))
	if err != nil {
		return 0, fmt.Errorf("store: overdue orders: %w", err)
	}
	orders, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Order, error) { return scanOrder(sc) })
	if err != nil {
		return 0, fmt.Errorf("store: overdue orders: %w", err)
	}
	n := 0
	for _, o := range orders {
		err := db.withTx(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `INSERT INTO order_reminders (school_id, order_id, day, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				o.SchoolID, o.ID, formatDay(tx.Now), ms(tx.Now))
			if err != nil {
				return fmt.Errorf("store: remind order %d: %w", o.ID, err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil // reminded today already, here or on another node
			}
			n++
			return tx.emit(ctx, orderEvent(o, gongkai.EventOrderOverdue, nil))
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
