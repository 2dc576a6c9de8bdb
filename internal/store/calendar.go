package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// SeedCalendar inserts calendar days and data years that are not there yet,
// leaving edited rows alone, so it can run at every start.
func (db *DB) SeedCalendar(ctx context.Context, region string, days []gongkai.CalendarDay, years []int) error {
	err := db.withTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM work_calendar_years WHERE region_code = $1`, region).Scan(&n); err != nil {
			return fmt.Errorf("store: count calendar years: %w", err)
		}
		if n >= len(years) {
			return nil
		}
		if err := tx.calendarChanged(ctx, region); err != nil {
			return err
		}
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO work_calendar (region_code, day, kind, name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				region, d.Date, string(d.Kind), d.Name); err != nil {
				return fmt.Errorf("store: seed calendar day %s: %w", d.Date, err)
			}
		}
		var added []string
		for _, y := range years {
			res, err := tx.ExecContext(ctx, `INSERT INTO work_calendar_years (region_code, year) VALUES ($1, $2) ON CONFLICT DO NOTHING`, region, y)
			if err != nil {
				return fmt.Errorf("store: seed calendar year %d: %w", y, err)
			}
			if k, _ := res.RowsAffected(); k > 0 {
				added = append(added, strconv.Itoa(y))
			}
		}
		if n == 0 || len(added) == 0 {
			return nil // a new database: no deadline yet
		}
		// A newer release brought a year's schedule (2027 with lunar-go
		// v1.4.7): deadlines counted provisionally into it are counted again.
		_, err := tx.recountDeadlines(ctx, region, "载入"+strings.Join(added, "、")+"年节假日安排")
		return err
	})
	return err
}

// Calendar returns the working-day calendar of a region, cached until edited.
func (db *DB) Calendar(ctx context.Context, region string) (*gongkai.WorkCalendar, error) {
	db.calMu.RLock()
	c, gen := db.calendar[region], db.calGen
	db.calMu.RUnlock()
	if c != nil {
		return c, nil
	}
	days, years, err := db.CalendarDays(ctx, region)
	if err != nil {
		return nil, err
	}
	c = gongkai.NewWorkCalendar(days, years)
	db.calMu.Lock()
	if db.calGen == gen { // not dropped while it was read: it is current
		db.calendar[region] = c
	}
	db.calMu.Unlock()
	return c, nil
}

// dropCalendar forgets the cached calendar of a region; "" forgets every
// region's.
func (db *DB) dropCalendar(region string) {
	db.calMu.Lock()
	if region == "" {
		clear(db.calendar)
	} else {
		delete(db.calendar, region)
	}
	db.calGen++
	db.calMu.Unlock()
}

// calendarChanged records that the transaction changes the region's
// calendar: this node drops it after the commit, and on PostgreSQL every
// other node hears of it when it commits (Listen).
func (tx *Tx) calendarChanged(ctx context.Context, region string) error {
	tx.calendars = append(tx.calendars, region)
	if tx.db.dialect == postgresDialect {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, calendarChannel, region); err != nil {
			return fmt.Errorf("store: notify calendar change: %w", err)
		}
	}
	return nil
}

// CalendarDays returns the listed days and the years with data of a region.
func (db *DB) CalendarDays(ctx context.Context, region string) ([]gongkai.CalendarDay, []int, error) {
	return calendarDays(ctx, db.read, region)
}

func calendarDays(ctx context.Context, q querier, region string) ([]gongkai.CalendarDay, []int, error) {
	rows, err := q.QueryContext(ctx, `SELECT day, kind, name FROM work_calendar WHERE region_code = $1 ORDER BY day`, region)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar: %w", err)
	}
	days, err := collect(rows, func(sc interface{ Scan(...any) error }) (gongkai.CalendarDay, error) {
		var d gongkai.CalendarDay
		var kind string
		err := sc.Scan(&d.Date, &kind, &d.Name)
		d.Kind = gongkai.DayKind(kind)
		return d, err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar: %w", err)
	}
	yrows, err := q.QueryContext(ctx, `SELECT year FROM work_calendar_years WHERE region_code = $1 ORDER BY year`, region)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar years: %w", err)
	}
	years, err := collect(yrows, func(sc interface{ Scan(...any) error }) (int, error) {
		var y int
		return y, sc.Scan(&y)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar years: %w", err)
	}
	return days, years, nil
}

// CalendarEdit is what an edit of the calendar did to the open deadlines of
// the region's schools.
type CalendarEdit struct {
	// Moved counts the deadlines now on another day.
	Moved int
	// Settled counts those that stayed on their day but are no longer
	// provisional (or became so).
	Settled int
}

// SetCalendarDay lists a day as a holiday or a 调休 working day; an empty kind
// removes it. A year counts as having data only once MarkCalendarYear says so,
// since one entered day does not make a year's schedule complete. In the same
// transaction every open deadline of the region's schools is counted again
// (recountDeadlines) and the edit goes to the admin log of the actor's
// bureau. Errors: EFORBIDDEN unless the actor administers a bureau;
// EINVALID (fields date, kind, name).
func (db *DB) SetCalendarDay(ctx context.Context, region string, actor *gongkai.Actor, d gongkai.CalendarDay) (CalendarEdit, error) {
	var edit CalendarEdit
	if actor == nil || !gongkai.CanAdminBureau(actor, actor.BureauID) {
		return edit, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以维护工作日历。")
	}
	day, err := time.ParseInLocation("2006-01-02", d.Date, gongkai.Beijing)
	if err != nil {
		return edit, &gongkai.Error{Code: gongkai.EINVALID, Message: "日期格式应为 2026-10-01。", Fields: map[string]string{"date": "日期格式应为 2026-10-01。"}}
	}
	if d.Kind != "" && d.Kind != gongkai.DayHoliday && d.Kind != gongkai.DayWorkday {
		return edit, &gongkai.Error{Code: gongkai.EINVALID, Message: "类型无效。", Fields: map[string]string{"kind": "请选择“放假”或“调休上班”。"}}
	}
	if len([]rune(d.Name)) > 40 {
		return edit, &gongkai.Error{Code: gongkai.EINVALID, Message: "名称过长。", Fields: map[string]string{"name": "名称不超过 40 字。"}}
	}
	d.Date = day.Format("2006-01-02")
	err = db.withTx(ctx, func(tx *Tx) error {
		var old *gongkai.CalendarDay
		var kind, name string
		err := tx.QueryRowContext(ctx, `SELECT kind, name FROM work_calendar WHERE region_code = $1 AND day = $2`, region, d.Date).Scan(&kind, &name)
		switch {
		case err == nil:
			old = &gongkai.CalendarDay{Date: d.Date, Kind: gongkai.DayKind(kind), Name: name}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("store: calendar day %s: %w", d.Date, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM work_calendar WHERE region_code = $1 AND day = $2`, region, d.Date); err != nil {
			return err
		}
		var nd *gongkai.CalendarDay
		if d.Kind != "" {
			nd = &d
			if _, err := tx.ExecContext(ctx, `INSERT INTO work_calendar (region_code, day, kind, name) VALUES ($1, $2, $3, $4)`, region, d.Date, string(d.Kind), d.Name); err != nil {
				return fmt.Errorf("store: set calendar day: %w", err)
			}
		}
		if err := tx.calendarChanged(ctx, region); err != nil {
			return err
		}
		if edit, err = tx.recountDeadlines(ctx, region, "工作日历调整（"+d.Date+"）"); err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: actor.BureauID, Action: gongkai.AdminCalendarEdited,
			Subject: d.Date, Detail: gongkai.DescribeCalendarEdit(d.Date, old, nd, edit.Moved)})
	})
	if err != nil {
		return CalendarEdit{}, err
	}
	return edit, nil
}

// MarkCalendarYear records that the calendar of a year is complete (the
// State Council's notice has been entered), so its deadlines are no longer
// provisional, and counts the open deadlines again as SetCalendarDay does:
// the days presumed off in a year without a schedule are now only what is
// listed.
func (db *DB) MarkCalendarYear(ctx context.Context, region string, actor *gongkai.Actor, year int) (CalendarEdit, error) {
	var edit CalendarEdit
	if actor == nil || !gongkai.CanAdminBureau(actor, actor.BureauID) {
		return edit, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局管理员可以维护工作日历。")
	}
	if year < 2000 || year > 2100 {
		return edit, gongkai.Errorf(gongkai.EINVALID, "年份无效：%s", strconv.Itoa(year))
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO work_calendar_years (region_code, year) VALUES ($1, $2) ON CONFLICT DO NOTHING`, region, year)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // marked already: nothing changed
		}
		if err := tx.calendarChanged(ctx, region); err != nil {
			return err
		}
		if edit, err = tx.recountDeadlines(ctx, region, fmt.Sprintf("%d年节假日安排录入完整", year)); err != nil {
			return err
		}
		return tx.logAdmin(ctx, actor, gongkai.AdminEntry{BureauID: actor.BureauID, Action: gongkai.AdminCalendarEdited,
			Subject: fmt.Sprintf("%d年", year), Detail: fmt.Sprintf("%d年 尚未录入完整 → 录入完整；重算期限 %d 项", year, edit.Moved)})
	})
	if err != nil {
		return CalendarEdit{}, err
	}
	return edit, nil
}

// recountDeadlines counts every open deadline of the region's schools again
// under the calendar as the transaction sees it, by the rule each was set
// by (gongkai.RecountDeadline): obligations not met or waived, the reply
// deadlines of cases waiting for a reply, the publicity periods of
// published items, and orders not closed. A deadline that moves is written
// to its trail where it has one (the item's events, the case's thread, the
// order's steps), with why; the schools whose deadlines changed have their
// cached pages dropped after commit.
func (tx *Tx) recountDeadlines(ctx context.Context, region, why string) (CalendarEdit, error) {
	days, years, err := calendarDays(ctx, tx, region)
	if err != nil {
		return CalendarEdit{}, err
	}
	rc := &recounter{tx: tx, region: region, why: why, cal: gongkai.NewWorkCalendar(days, years),
		today: formatDay(tx.Now), touched: map[int64]bool{}}
	for _, kind := range []func(context.Context) error{rc.obligations, rc.cases, rc.items, rc.orders} {
		if err := kind(ctx); err != nil {
			return CalendarEdit{}, err
		}
	}
	ids := make([]int64, 0, len(rc.touched))
	for id := range rc.touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return rc.edit, tx.touchAll(ctx, ids)
}

// recounter counts the open deadlines of a region's schools again after an
// edit of its calendar, one kind of deadline at a time.
type recounter struct {
	tx      *Tx
	region  string
	why     string // what changed the calendar, for the notes on the trails
	cal     *gongkai.WorkCalendar
	today   string
	edit    CalendarEdit
	touched map[int64]bool // schools whose pages change
}

// openDeadline is one running deadline as the recount reads it.
type openDeadline struct {
	id, schoolID int64
	version      int
	state        string
	due, from    string
	workdays     int
	provisional  bool
}

// list reads the open deadlines of one kind in the region; query selects
// from the table aliased x and ends in the conditions after inRegion.
func (rc *recounter) list(ctx context.Context, query string) ([]openDeadline, error) {
	rows, err := rc.tx.QueryContext(ctx, query, rc.region)
	if err != nil {
		return nil, fmt.Errorf("store: open deadlines: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (openDeadline, error) {
		var o openDeadline
		return o, sc.Scan(&o.id, &o.schoolID, &o.version, &o.state, &o.due, &o.provisional, &o.from, &o.workdays)
	})
}

// inRegion joins a deadline's table (x) to its school's bureau's region.
const inRegion = ` JOIN schools s ON s.id = x.school_id JOIN bureaus b ON b.id = s.bureau_id WHERE b.region_code = $1 AND `

func (rc *recounter) recount(o openDeadline, from time.Time) gongkai.Recount {
	return gongkai.RecountDeadline(rc.cal, gongkai.WorkdayRule{From: from, Workdays: o.workdays}, parseDay(o.due), o.provisional)
}

func (rc *recounter) count(schoolID int64, r gongkai.Recount) {
	rc.touched[schoolID] = true
	if r.Moved() {
		rc.edit.Moved++
	} else {
		rc.edit.Settled++
	}
}

func (rc *recounter) obligations(ctx context.Context) error {
	list, err := rc.list(ctx, `SELECT x.id, x.school_id, 0, '', x.due, x.due_provisional, x.due_from, x.due_workdays FROM obligations x`+inRegion+
		`x.met_at = 0 AND NOT x.waived AND x.due_from <> '' ORDER BY x.id`)
	if err != nil {
		return err
	}
	for _, o := range list {
		r := rc.recount(o, parseDay(o.from))
		if !r.Changed() {
			continue
		}
		due := formatDay(r.New)
		// A deadline moved into the future is reminded of again.
		q := `UPDATE obligations SET due = $1, due_provisional = $2 WHERE school_id = $3 AND id = $4`
		if r.Moved() && due >= rc.today {
			q = `UPDATE obligations SET due = $1, due_provisional = $2, reminded_soon = FALSE, reminded_overdue = FALSE WHERE school_id = $3 AND id = $4`
		}
		if _, err := rc.tx.ExecContext(ctx, q, due, r.Provisional, o.schoolID, o.id); err != nil {
			return fmt.Errorf("store: recount obligation %d: %w", o.id, err)
		}
		rc.count(o.schoolID, r)
	}
	return nil
}

// cases recounts only cases waiting for a reply: after the reply the
// deadline no longer runs (gongkai.Feedback.Overdue).
func (rc *recounter) cases(ctx context.Context) error {
	list, err := rc.list(ctx, `SELECT x.id, x.school_id, 0, x.state, x.due, x.due_provisional, x.due_from, x.due_workdays FROM feedback_cases x`+inRegion+
		`x.state IN ('received', 'assigned') AND x.due_from <> '' ORDER BY x.id`)
	if err != nil {
		return err
	}
	for _, o := range list {
		r := rc.recount(o, parseDay(o.from))
		if !r.Changed() {
			continue
		}
		if _, err := rc.tx.ExecContext(ctx, `UPDATE feedback_cases SET due = $1, due_provisional = $2 WHERE school_id = $3 AND id = $4`,
			formatDay(r.New), r.Provisional, o.schoolID, o.id); err != nil {
			return fmt.Errorf("store: recount feedback %d: %w", o.id, err)
		}
		if r.Moved() {
			f := &gongkai.Feedback{ID: o.id, SchoolID: o.schoolID}
			st := gongkai.FeedbackState(o.state)
			msg := gongkai.FeedbackMessage{Action: gongkai.FActRecount, FromStaff: true, Author: "系统", Body: r.Note("答复期限", rc.why)}
			if err := rc.tx.addMessage(ctx, f, &msg, st, st, nil); err != nil {
				return err
			}
		}
		rc.count(o.schoolID, r)
	}
	return nil
}

// items recounts the publicity periods of published items.
func (rc *recounter) items(ctx context.Context) error {
	list, err := rc.list(ctx, `SELECT x.id, x.school_id, x.version, x.state, x.publicity_end, x.end_provisional, x.publicity_start, x.publicity_days FROM disclosures x`+inRegion+
		`x.state = 'published' AND x.publicity_days > 0 AND x.publicity_start <> '' ORDER BY x.id`)
	if err != nil {
		return err
	}
	for _, o := range list {
		// The day of publication counts (startPeriod): count from the day
		// before.
		r := rc.recount(o, parseDay(o.from).AddDate(0, 0, -1))
		if !r.Changed() {
			continue
		}
		if _, err := rc.tx.ExecContext(ctx, `UPDATE disclosures SET publicity_end = $1, end_provisional = $2 WHERE school_id = $3 AND id = $4`,
			formatDay(r.New), r.Provisional, o.schoolID, o.id); err != nil {
			return fmt.Errorf("store: recount disclosure %d: %w", o.id, err)
		}
		if r.Moved() {
			d := &gongkai.Disclosure{ID: o.id, SchoolID: o.schoolID, Version: o.version}
			if err := rc.tx.record(ctx, d, nil, gongkai.ActionRecount, gongkai.StatePublished, gongkai.StatePublished, r.Note("公示期截止日", rc.why)); err != nil {
				return err
			}
		}
		rc.count(o.schoolID, r)
	}
	return nil
}

// orders recounts the deadlines of supervision orders not yet accepted;
// orders keep no provisional mark.
func (rc *recounter) orders(ctx context.Context) error {
	list, err := rc.list(ctx, `SELECT x.id, x.school_id, 0, x.state, x.deadline, FALSE, x.deadline_from, x.deadline_workdays FROM orders x`+inRegion+
		`x.state <> 'accepted' AND x.deadline_from <> '' ORDER BY x.id`)
	if err != nil {
		return err
	}
	for _, o := range list {
		r := rc.recount(o, parseDay(o.from))
		if !r.Moved() {
			continue
		}
		if _, err := rc.tx.ExecContext(ctx, `UPDATE orders SET deadline = $1 WHERE school_id = $2 AND id = $3`, formatDay(r.New), o.schoolID, o.id); err != nil {
			return fmt.Errorf("store: recount order %d: %w", o.id, err)
		}
		st := gongkai.OrderState(o.state)
		r.Provisional = false
		step := gongkai.OrderStep{Action: gongkai.OActRecount, From: st, To: st, Author: "系统", Comment: r.Note("办理期限", rc.why), Deadline: r.New}
		if err := rc.tx.addOrderStep(ctx, &gongkai.Order{ID: o.id, SchoolID: o.schoolID}, step); err != nil {
			return err
		}
		rc.count(o.schoolID, r)
	}
	return nil
}
