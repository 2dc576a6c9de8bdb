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
// each school's principal (gongkai.EventOrderIssued). The rules are
// gongkai.IssueOrders'; its errors pass through.
func (db *DB) IssueOrders(ctx context.Context, bureauID int64, actor *gongkai.Actor, in gongkai.OrderIssue) ([]*gongkai.Order, error) {
	if !gongkai.CanIssueOrder(actor, bureauID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以下发督办通知。")
	}
	var ids []int64
	var orders []*gongkai.Order
	err := db.withTx(ctx, func(tx *Tx) error {
		f, err := tx.orderIssueFacts(ctx, bureauID, in)
		if err != nil {
			return err
		}
		out, err := gongkai.IssueOrders(actor, in, f)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE order_numbers SET last = $3 WHERE bureau_id = $1 AND year = $2`, bureauID, f.Year, out.LastSeq); err != nil {
			return fmt.Errorf("store: order number: %w", err)
		}
		orders, ids = out.Orders, nil
		for i, o := range out.Orders {
			if err := tx.insertOrder(ctx, o, f.Year, f.LastSeq+1+i, out.Rule); err != nil {
				return err
			}
			if err := tx.emitStep(ctx, o.SchoolID, o.ID, out.Events[i]); err != nil {
				return err
			}
			ids = append(ids, o.SchoolID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	orderIDs := make([]int64, len(orders))
	for i, o := range orders {
		orderIDs[i] = o.ID
	}
	return db.findOrdersByIDs(ctx, bureauID, ids, orderIDs)
}

// orderIssueFacts looks up what gongkai.IssueOrders decides on. It locks
// the bureau's numbers of the year, so that concurrent issuers queue for
// theirs on PostgreSQL (SQLite has one writer anyway).
func (tx *Tx) orderIssueFacts(ctx context.Context, bureauID int64, in gongkai.OrderIssue) (gongkai.OrderIssueFacts, error) {
	f := gongkai.OrderIssueFacts{BureauID: bureauID, Now: tx.Now, Year: tx.Now.In(gongkai.Beijing).Year(), Schools: map[int64]*gongkai.School{}}
	bureau, err := tx.db.FindBureauByID(ctx, bureauID)
	if err != nil {
		return f, err
	}
	f.BureauName = bureau.Name
	if f.Calendar, err = tx.db.Calendar(ctx, bureau.RegionCode); err != nil {
		return f, err
	}
	schools, err := tx.db.FindSchools(ctx, bureauID)
	if err != nil {
		return f, err
	}
	for _, s := range schools {
		f.Schools[s.ID] = s
	}
	if ids := gongkai.OrderSchools(in); len(ids) > 0 {
		if f.Obligation, err = tx.linkedObligation(ctx, ids[0], in.ObligationID); err != nil {
			return f, err
		}
		if f.Case, err = tx.linkedCase(ctx, ids[0], in.FeedbackID); err != nil {
			return f, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_numbers (bureau_id, year, last) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, bureauID, f.Year); err != nil {
		return f, fmt.Errorf("store: order number: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT last FROM order_numbers WHERE bureau_id = $1 AND year = $2`+tx.db.dialect.forUpdate(), bureauID, f.Year).Scan(&f.LastSeq); err != nil {
		return f, fmt.Errorf("store: order number: %w", err)
	}
	return f, nil
}

func (tx *Tx) linkedObligation(ctx context.Context, schoolID, id int64) (gongkai.LinkedObligation, error) {
	var ob gongkai.LinkedObligation
	if id == 0 {
		return ob, nil
	}
	var met int64
	err := tx.QueryRowContext(ctx, `SELECT met_at, waived FROM obligations WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&met, &ob.Waived)
	if errors.Is(err, sql.ErrNoRows) {
		return ob, nil
	}
	if err != nil {
		return ob, fmt.Errorf("store: obligation %d of order: %w", id, err)
	}
	ob.Found, ob.Met = true, met != 0
	return ob, nil
}

func (tx *Tx) linkedCase(ctx context.Context, schoolID, id int64) (gongkai.LinkedCase, error) {
	var c gongkai.LinkedCase
	if id == 0 {
		return c, nil
	}
	err := tx.QueryRowContext(ctx, `SELECT to_bureau, escalated FROM feedback_cases WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&c.ToBureau, &c.Escalated)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("store: feedback %d of order: %w", id, err)
	}
	c.Found = true
	return c, nil
}

// insertOrder writes a new order with the first entry of its trail and
// sets its id.
func (tx *Tx) insertOrder(ctx context.Context, o *gongkai.Order, year, seq int, rule gongkai.WorkdayRule) error {
	if err := tx.QueryRowContext(ctx, `INSERT INTO orders (school_id, bureau_id, number, year, seq, kind, state, title, body, deadline,
		obligation_id, feedback_id, issued_by, created_at, updated_at, deadline_from, deadline_workdays) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15, $16) RETURNING id`,
		o.SchoolID, o.BureauID, o.Number, year, seq, string(o.Kind), string(o.State), o.Title, o.Body, formatDay(o.Deadline),
		nullID(o.ObligationID), nullID(o.FeedbackID), nullID(o.IssuedBy), ms(tx.Now), formatDay(rule.From), rule.Workdays).Scan(&o.ID); err != nil {
		return fmt.Errorf("store: issue order: %w", err)
	}
	for _, s := range o.Trail {
		if err := tx.addOrderStep(ctx, o, s); err != nil {
			return err
		}
	}
	return nil
}

// emitStep records an event a step of the domain decided on.
func (tx *Tx) emitStep(ctx context.Context, schoolID, subject int64, e gongkai.StepEvent) error {
	return tx.emit(ctx, Event{SchoolID: schoolID, Type: e.Type, Subject: subject, Data: e.Data})
}

// emitSteps records the events a step of the domain decided on.
func (tx *Tx) emitSteps(ctx context.Context, schoolID, subject int64, es []gongkai.StepEvent) error {
	for _, e := range es {
		if err := tx.emitStep(ctx, schoolID, subject, e); err != nil {
			return err
		}
	}
	return nil
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

func (tx *Tx) addOrderStep(ctx context.Context, o *gongkai.Order, s gongkai.OrderStep) error {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO order_steps (school_id, order_id, action, from_state, to_state, author_id, author_name, comment, result_id, deadline, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		o.SchoolID, o.ID, string(s.Action), string(s.From), string(s.To), nullID(s.AuthorID), s.Author, s.Comment, nullID(s.ResultID), formatDay(s.Deadline), ms(tx.Now)).Scan(&id)
	if err != nil {
		return fmt.Errorf("store: trail of order %d: %w", o.ID, err)
	}
	for _, a := range s.Files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_attachments (school_id, order_id, step_id, filename, content_type, size, sha256, storage_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, o.SchoolID, o.ID, id, a.Filename, a.ContentType, a.Size, a.SHA256, a.StorageKey, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: file of order %d: %w", o.ID, err)
		}
	}
	return nil
}

const orderFileColumns = `id, step_id, filename, content_type, size, sha256, storage_key, created_at`

func scanOrderFile(sc interface{ Scan(...any) error }) (stepID int64, a gongkai.Attachment, err error) {
	var at int64
	err = sc.Scan(&a.ID, &stepID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &at)
	a.CreatedAt = fromMS(at)
	return stepID, a, err
}

// orderFiles attaches the files of the order's answers to their trail
// entries.
func (db *DB) orderFiles(ctx context.Context, o *gongkai.Order) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderFileColumns+` FROM order_attachments WHERE school_id = $1 AND order_id = $2 ORDER BY id`, o.SchoolID, o.ID)
	if err != nil {
		return fmt.Errorf("store: files of order %d: %w", o.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		stepID, a, err := scanOrderFile(rows)
		if err != nil {
			return fmt.Errorf("store: files of order %d: %w", o.ID, err)
		}
		a.SchoolID = o.SchoolID
		for i := range o.Trail {
			if o.Trail[i].ID == stepID {
				o.Trail[i].Files = append(o.Trail[i].Files, a)
			}
		}
	}
	return rows.Err()
}

// FindOrderFile returns a file of an answer to the order; the caller
// checks that the actor may read the order. ENOTFOUND for a file of
// another order or school.
func (db *DB) FindOrderFile(ctx context.Context, schoolID, orderID, id int64) (*gongkai.Attachment, error) {
	_, a, err := scanOrderFile(db.read.QueryRowContext(ctx, `SELECT `+orderFileColumns+` FROM order_attachments WHERE school_id = $1 AND order_id = $2 AND id = $3`,
		schoolID, orderID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("附件")
	}
	if err != nil {
		return nil, fmt.Errorf("store: file %d of order %d: %w", id, orderID, err)
	}
	a.SchoolID = schoolID
	return &a, nil
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
	return o, db.orderFiles(ctx, o)
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

// StepOrder takes a step on an order as gongkai.Order.Take decides, and
// records it in the trail with who, when and the comment, in one
// transaction; Take's errors pass through.
func (db *DB) StepOrder(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, in gongkai.OrderCommand) (*gongkai.Order, error) {
	err := db.withTx(ctx, func(tx *Tx) error {
		o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+orderJoins+` WHERE o.school_id = $1 AND o.id = $2`+tx.db.dialect.forUpdateOf("o"), schoolID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("通知")
		}
		if err != nil {
			return fmt.Errorf("store: lock order %d: %w", id, err)
		}
		f := gongkai.OrderStepFacts{Now: tx.Now}
		if f.SchoolBureauID, _, err = tx.schoolBureau(ctx, schoolID); err != nil {
			return err
		}
		if f.ResultState, err = tx.disclosureState(ctx, schoolID, in.ResultID); err != nil {
			return err
		}
		out, err := o.Take(actor, in, f)
		if err != nil {
			return err
		}
		if err := tx.saveOrder(ctx, out); err != nil {
			return err
		}
		if err := tx.addOrderStep(ctx, out.Order, out.Entry); err != nil {
			return err
		}
		return tx.emitSteps(ctx, schoolID, id, out.Events)
	})
	if err != nil {
		return nil, err
	}
	return db.FindOrderByID(ctx, schoolID, id)
}

// disclosureState is the state of the school's disclosure, or "" when
// the school has none of that id (or id is 0).
func (tx *Tx) disclosureState(ctx context.Context, schoolID, id int64) (gongkai.State, error) {
	if id == 0 {
		return "", nil
	}
	var state string
	err := tx.QueryRowContext(ctx, `SELECT state FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, id).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: disclosure %d: %w", id, err)
	}
	return gongkai.State(state), nil
}

// saveOrder writes every field a step may change.
func (tx *Tx) saveOrder(ctx context.Context, out gongkai.OrderOutcome) error {
	o := out.Order
	set := `state = $1, reply = $2, result_id = $3, deadline = $4, updated_at = $5, answered_at = $6, closed_at = $7`
	if out.DeadlineSet {
		// A date the bureau chose: no calendar edit moves it.
		set += `, deadline_from = '', deadline_workdays = 0`
	}
	if _, err := tx.ExecContext(ctx, `UPDATE orders SET `+set+` WHERE school_id = $8 AND id = $9`,
		string(o.State), o.Reply, nullID(o.ResultID), formatDay(o.Deadline), ms(o.UpdatedAt), ms(o.AnsweredAt), ms(o.ClosedAt), o.SchoolID, o.ID); err != nil {
		return fmt.Errorf("store: step order %d: %w", o.ID, err)
	}
	return nil
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
			return tx.emitStep(ctx, o.SchoolID, o.ID, o.Event(gongkai.EventOrderOverdue))
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
