package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
)

// LargeExpenseFen is the amount from which an expense must be disclosed on
// its own (3,000 yuan).
const LargeExpenseFen = 300000

// schoolCalendar returns the working-day calendar of the school's bureau.
func (db *DB) schoolCalendar(ctx context.Context, q queryRower, schoolID int64) (*gongkai.WorkCalendar, error) {
	var region string
	err := q.QueryRowContext(ctx, `SELECT b.region_code FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("学校")
	}
	if err != nil {
		return nil, fmt.Errorf("store: calendar of school %d: %w", schoolID, err)
	}
	return db.Calendar(ctx, region)
}

// EnsureObligations creates the obligations of every scheduled catalogue
// item of the school whose due date falls in [from, to]; those that exist
// stay as they are. It returns how many it created. An obligation already
// past its due date when created is history: nobody is reminded of it. A
// deactivated school owes nothing, so none are created for it.
func (db *DB) EnsureObligations(ctx context.Context, schoolID int64, from, to time.Time) (int, error) {
	school, err := db.FindSchoolByID(ctx, schoolID)
	if err != nil {
		return 0, err
	}
	if !school.Allows(gongkai.UseObligations) {
		return 0, nil
	}
	cat, err := db.FindCatalogue(ctx, schoolID)
	if err != nil {
		return 0, err
	}
	cal, err := db.Calendar(ctx, school.RegionCode)
	if err != nil {
		return 0, err
	}
	n := 0
	err = db.withTx(ctx, func(tx *Tx) error {
		n, err = tx.ensureObligations(ctx, schoolID, cat, cal, from, to)
		return err
	})
	return n, err
}

// ObligationMonths is how far ahead obligations are created: the daily
// sweep and a new or reactivated school create those due within it.
const ObligationMonths = 3

func (tx *Tx) ensureObligations(ctx context.Context, schoolID int64, cat []gongkai.CatalogueItem, cal *gongkai.WorkCalendar, from, to time.Time) (int, error) {
	n := 0
	today := formatDay(tx.Now)
	for _, it := range cat {
		for _, p := range it.Schedule.Periods(cal, from, to) {
			due := formatDay(p.Due)
			past := due < today
			res, err := tx.ExecContext(ctx, `INSERT INTO obligations (school_id, catalogue_code, period_key, period_label, due, due_provisional, reminded_soon, reminded_overdue, created_at, due_from, due_workdays, channel)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11) ON CONFLICT (school_id, catalogue_code, period_key) DO NOTHING`,
				schoolID, it.Code, p.Key, p.Label, due, !cal.HasYear(p.Due.Year()), past, ms(tx.Now), formatDay(p.Rule.From), p.Rule.Workdays, string(it.Channel))
			if err != nil {
				return n, fmt.Errorf("store: create obligation %s %s: %w", it.Code, p.Key, err)
			}
			k, _ := res.RowsAffected()
			n += int(k)
		}
	}
	return n, nil
}

// ensureObligationsAhead creates, inside the transaction that created or
// reactivated the school, the obligations of its coming months, reading its
// catalogue as the transaction sees it.
func (tx *Tx) ensureObligationsAhead(ctx context.Context, schoolID int64, region string) error {
	cat, err := readCatalogue(ctx, tx, schoolID)
	if err != nil {
		return err
	}
	cal, err := tx.db.Calendar(ctx, region)
	if err != nil {
		return err
	}
	_, err = tx.ensureObligations(ctx, schoolID, cat, cal, tx.Now, tx.Now.AddDate(0, ObligationMonths, 0))
	return err
}

// RecordEvent records an event that raises an obligation of an event item
// (a large expense, an award decision, a procurement result) and returns
// the obligation, due the item's working days after the event.
func (db *DB) RecordEvent(ctx context.Context, schoolID int64, actor *gongkai.Actor, catalogueCode, title string, date time.Time, amountFen int64) (*gongkai.Obligation, error) {
	if !gongkai.CanCreateDisclosure(actor, schoolID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有经办人或校长可以记录事项。")
	}
	title = strings.TrimSpace(title)
	fe := gongkai.FieldErrors{}
	cat, err := db.FindCatalogue(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	var item *gongkai.CatalogueItem
	for i := range cat {
		if cat[i].Code == catalogueCode && cat[i].Schedule.Frequency == gongkai.FreqEvent {
			item = &cat[i]
		}
	}
	if item == nil {
		fe.Add("catalogue", "请选择按事项公开的目录项。")
	}
	switch {
	case title == "":
		fe.Add("title", "请填写事项名称。")
	case utf8.RuneCountInString(title) > 100 || gongkai.HasNUL(title):
		fe.Add("title", "事项名称不能超过 100 字。")
	}
	if date.IsZero() {
		fe.Add("date", "请填写事项发生的日期。")
	} else if formatDay(date) > formatDay(db.Now()) {
		fe.Add("date", "事项发生日期不能晚于今天。")
	}
	if amountFen < 0 {
		fe.Add("amount", "金额不能为负数。")
	}
	if item != nil && item.Code == "large-expense" && amountFen < LargeExpenseFen {
		fe.Add("amount", "大额资金使用须为 3000 元及以上的支出；请填写金额（元）。")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	cal, err := db.schoolCalendar(ctx, db.read, schoolID)
	if err != nil {
		return nil, err
	}
	due, provisional := item.Schedule.EventDue(cal, date)
	var obID int64
	err = db.withTx(ctx, func(tx *Tx) error {
		var evID int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO obligation_events (school_id, catalogue_code, title, event_date, amount_fen, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, schoolID, item.Code, title, formatDay(date), amountFen, nullID(actor.ID), ms(tx.Now)).Scan(&evID); err != nil {
			return fmt.Errorf("store: record event: %w", err)
		}
		label := fmt.Sprintf("%s（%s）", title, date.In(gongkai.Beijing).Format("2006-01-02"))
		past := formatDay(due) < formatDay(tx.Now)
		rule := item.Schedule.EventRule(date)
		return tx.QueryRowContext(ctx, `INSERT INTO obligations (school_id, catalogue_code, period_key, period_label, due, due_provisional, event_id, reminded_soon, reminded_overdue, created_at, due_from, due_workdays, channel)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12) RETURNING id`,
			schoolID, item.Code, fmt.Sprintf("event-%d", evID), label, formatDay(due), provisional, evID, past, ms(tx.Now), formatDay(rule.From), rule.Workdays, string(item.Channel)).Scan(&obID)
	})
	if err != nil {
		return nil, err
	}
	return db.FindObligation(ctx, schoolID, obID)
}

// ObligationFilter selects obligations by due date, state and item.
type ObligationFilter struct {
	From, To      time.Time // due dates, inclusive; zero for no bound
	States        []gongkai.ObligationState
	CatalogueCode string
}

const obligationSelect = `SELECT o.id, o.school_id, o.catalogue_code, COALESCE(c.name, o.catalogue_code), COALESCE(c.department, ''),
	o.period_key, o.period_label, o.due, o.due_provisional, COALESCE(o.event_id, 0), COALESCE(e.title, ''), COALESCE(e.amount_fen, 0),
	COALESCE(o.disclosure_id, 0), COALESCE(d.title, ''), o.met_at, o.waived, o.waive_reason, COALESCE(o.waived_by, 0), COALESCE(u.display_name, ''), o.waived_at, o.channel
	FROM obligations o
	LEFT JOIN catalogue_items c ON c.school_id = o.school_id AND c.code = o.catalogue_code
	LEFT JOIN obligation_events e ON e.id = o.event_id
	LEFT JOIN disclosures d ON d.id = o.disclosure_id
	LEFT JOIN users u ON u.id = o.waived_by`

func scanObligation(sc interface{ Scan(...any) error }) (*gongkai.Obligation, error) {
	var o gongkai.Obligation
	var due, channel string
	var met, waived int64
	if err := sc.Scan(&o.ID, &o.SchoolID, &o.CatalogueCode, &o.CatalogueName, &o.Department, &o.PeriodKey, &o.PeriodLabel, &due, &o.DueProvisional,
		&o.EventID, &o.EventTitle, &o.EventAmountFen, &o.DisclosureID, &o.DisclosureTitle, &met, &o.Waived, &o.WaiveReason, &o.WaivedBy, &o.WaivedByName, &waived, &channel); err != nil {
		return nil, err
	}
	o.Channel = gongkai.Channel(channel)
	o.Due, o.MetAt, o.WaivedAt = parseDay(due), fromMS(met), fromMS(waived)
	return &o, nil
}

// FindObligations returns the school's obligations by due date, each with
// its state at the store's clock.
func (db *DB) FindObligations(ctx context.Context, schoolID int64, f ObligationFilter) ([]*gongkai.Obligation, error) {
	where := []string{"o.school_id = $1"}
	args := []any{schoolID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if !f.From.IsZero() {
		where = append(where, "o.due >= "+arg(formatDay(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "o.due <= "+arg(formatDay(f.To)))
	}
	if f.CatalogueCode != "" {
		where = append(where, "o.catalogue_code = "+arg(f.CatalogueCode))
	}
	cal, err := db.schoolCalendar(ctx, db.read, schoolID)
	if err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, obligationSelect+" WHERE "+strings.Join(where, " AND ")+" ORDER BY o.due, o.id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: find obligations of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	now := db.Now()
	var out []*gongkai.Obligation
	for rows.Next() {
		o, err := scanObligation(rows)
		if err != nil {
			return nil, err
		}
		o.SetState(cal, now)
		if len(f.States) > 0 && !containsState(f.States, o.State) {
			continue
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func containsState(ss []gongkai.ObligationState, s gongkai.ObligationState) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// FindObligation returns one obligation of the school.
func (db *DB) FindObligation(ctx context.Context, schoolID, id int64) (*gongkai.Obligation, error) {
	cal, err := db.schoolCalendar(ctx, db.read, schoolID)
	if err != nil {
		return nil, err
	}
	o, err := scanObligation(db.read.QueryRowContext(ctx, obligationSelect+" WHERE o.school_id = $1 AND o.id = $2", schoolID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("公开义务")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find obligation %d: %w", id, err)
	}
	o.SetState(cal, db.Now())
	return o, nil
}

// WaiveObligation releases the school from an obligation that is not met,
// with the principal's reason, recorded with who and when; the bureau sees
// it on the calendar.
func (db *DB) WaiveObligation(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, reason string) error {
	if !actor.HasRole(schoolID, gongkai.RolePrincipal) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有校长可以免除公开义务。")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "请填写免除的理由。", Fields: map[string]string{"reason": "请填写免除的理由。"}}
	case utf8.RuneCountInString(reason) > 500 || gongkai.HasNUL(reason):
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "理由不能超过 500 字。", Fields: map[string]string{"reason": "理由不能超过 500 字。"}}
	}
	return db.withTx(ctx, func(tx *Tx) error {
		var met int64
		var waived bool
		err := tx.QueryRowContext(ctx, `SELECT met_at, waived FROM obligations WHERE school_id = $1 AND id = $2`+tx.db.dialect.forUpdate(), schoolID, id).Scan(&met, &waived)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("公开义务")
		}
		if err != nil {
			return fmt.Errorf("store: lock obligation %d: %w", id, err)
		}
		if met != 0 {
			return gongkai.Errorf(gongkai.ECONFLICT, "该事项已公开，无需免除。")
		}
		if waived {
			return gongkai.Errorf(gongkai.ECONFLICT, "该事项已免除。")
		}
		_, err = tx.ExecContext(ctx, `UPDATE obligations SET waived = TRUE, waive_reason = $1, waived_by = $2, waived_at = $3 WHERE school_id = $4 AND id = $5`,
			reason, actor.ID, ms(tx.Now), schoolID, id)
		return err
	})
}

// SetDisclosureObligation chooses the obligation an item meets when it is
// published (0: the oldest open one of its catalogue item). The obligation
// must be one of the item's catalogue item and still open.
func (db *DB) SetDisclosureObligation(ctx context.Context, schoolID, disclosureID, obligationID int64) error {
	return db.withTx(ctx, func(tx *Tx) error {
		if obligationID != 0 {
			var code string
			var met int64
			var waived bool
			var other int64
			err := tx.QueryRowContext(ctx, `SELECT catalogue_code, met_at, waived, COALESCE(disclosure_id, 0) FROM obligations WHERE school_id = $1 AND id = $2`,
				schoolID, obligationID).Scan(&code, &met, &waived, &other)
			var dcode string
			if err == nil {
				err = tx.QueryRowContext(ctx, `SELECT catalogue_code FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, disclosureID).Scan(&dcode)
			}
			taken := other != 0 && other != disclosureID // fulfilled by another item, waiting for its posting
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (code != dcode || met != 0 || waived || taken)) {
				return &gongkai.Error{Code: gongkai.EINVALID, Message: "所选的公开义务不属于该公开事项或已完成。",
					Fields: map[string]string{"obligation": "所选的公开义务不属于该公开事项或已完成。"}}
			}
			if err != nil {
				return fmt.Errorf("store: check obligation %d: %w", obligationID, err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE disclosures SET obligation_id = $1 WHERE school_id = $2 AND id = $3`, nullID(obligationID), schoolID, disclosureID)
		return err
	})
}

// DisclosureObligation returns the obligation chosen for an item, or 0.
func (db *DB) DisclosureObligation(ctx context.Context, schoolID, disclosureID int64) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT COALESCE(obligation_id, 0) FROM disclosures WHERE school_id = $1 AND id = $2`, schoolID, disclosureID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// meetObligation records, at an item's first publication, that it fulfils
// its chosen obligation or else the oldest open one of its catalogue item
// that no other item fulfils. Only this names an obligation's item, so the
// locked row says all there is to know, and an item fulfils one obligation
// at most. An obligation that names a physical channel is met only once a
// posting on it is recorded (meetByPostings), not by the publication.
func (tx *Tx) meetObligation(ctx context.Context, it *lockedItem) error {
	d := it.Disclosure
	chosen, code := it.obligationID, d.CatalogueCode
	if chosen != 0 {
		ok, err := tx.claimObligation(ctx, d, chosen)
		if err != nil || ok {
			return err
		}
	}
	if code == "" {
		return nil
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM obligations WHERE school_id = $1 AND catalogue_code = $2 AND met_at = 0 AND waived = FALSE AND disclosure_id IS NULL
		ORDER BY due, id LIMIT 1`, d.SchoolID, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: open obligation of %s: %w", code, err)
	}
	if _, err := tx.claimObligation(ctx, d, id); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE disclosures SET obligation_id = $1 WHERE school_id = $2 AND id = $3`, id, d.SchoolID, d.ID)
	return err
}

// claimObligation makes the item the one that fulfils the obligation, if
// it is still open and no other item fulfils it, and records when it was
// met by the rule of its channel (gongkai.ChannelMetAt). It reports
// whether the obligation was claimed.
func (tx *Tx) claimObligation(ctx context.Context, d *gongkai.Disclosure, id int64) (bool, error) {
	var channel string
	err := tx.QueryRowContext(ctx, `SELECT channel FROM obligations WHERE school_id = $1 AND id = $2 AND met_at = 0 AND waived = FALSE
		AND (disclosure_id IS NULL OR disclosure_id = $3)`, d.SchoolID, id, d.ID).Scan(&channel)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: obligation %d: %w", id, err)
	}
	ps, err := findPostings(ctx, tx, d.SchoolID, d.ID)
	if err != nil {
		return false, err
	}
	met := gongkai.ChannelMetAt(gongkai.Channel(channel), tx.Now, ps)
	if _, err := tx.ExecContext(ctx, `UPDATE obligations SET disclosure_id = $1, met_at = $2 WHERE school_id = $3 AND id = $4`, d.ID, ms(met), d.SchoolID, id); err != nil {
		return false, fmt.Errorf("store: meet obligation %d: %w", id, err)
	}
	return true, nil
}

// RemindObligations emits, once each, "obligation.due_soon" for open
// obligations that have become due soon and "obligation.overdue" for those
// past their due date, and returns how many it emitted.
func (db *DB) RemindObligations(ctx context.Context) (int, error) {
	now := db.Now()
	horizon := formatDay(now.AddDate(0, 0, 21)) // DueSoonWorkdays fall well within three weeks
	rows, err := db.read.QueryContext(ctx, `SELECT o.school_id, o.id FROM obligations o
		WHERE o.met_at = 0 AND o.waived = FALSE AND o.school_id IN (SELECT id FROM schools WHERE deactivated_at = 0)
		AND ((o.reminded_soon = FALSE AND o.due <= $1) OR (o.reminded_overdue = FALSE AND o.due < $2))
		ORDER BY o.school_id, o.due, o.id`, horizon, formatDay(now))
	if err != nil {
		return 0, fmt.Errorf("store: obligations to remind: %w", err)
	}
	type ref struct{ school, id int64 }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.school, &r.id); err != nil {
			rows.Close()
			return 0, err
		}
		refs = append(refs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, r := range refs {
		o, err := db.FindObligation(ctx, r.school, r.id)
		if err != nil {
			return n, err
		}
		var typ gongkai.EventType
		var set, unset string
		switch o.State {
		case gongkai.ObOverdue:
			typ, set, unset = gongkai.EventObligationOverdue, "reminded_soon = TRUE, reminded_overdue = TRUE", "reminded_overdue = FALSE"
		case gongkai.ObDueSoon:
			typ, set, unset = gongkai.EventObligationDueSoon, "reminded_soon = TRUE", "reminded_soon = FALSE"
		default:
			continue
		}
		err = db.withTx(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE obligations SET `+set+` WHERE school_id = $1 AND id = $2 AND met_at = 0 AND waived = FALSE AND `+unset, r.school, r.id)
			if err != nil {
				return fmt.Errorf("store: remind obligation %d: %w", r.id, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return nil // another node reminded, or it was met meanwhile
			}
			return tx.emit(ctx, Event{SchoolID: r.school, Type: typ, Subject: o.ID, Data: map[string]any{
				"catalogue_code": o.CatalogueCode, "name": o.CatalogueName, "period": o.PeriodLabel,
				"due": formatDay(o.Due), "department": o.Department, "workdays": o.Workdays,
			}})
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
