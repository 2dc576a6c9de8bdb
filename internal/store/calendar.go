package store

import (
	"context"
	"fmt"
	"strconv"
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
		for _, d := range days {
			if _, err := tx.ExecContext(ctx, `INSERT INTO work_calendar (region_code, day, kind, name) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				region, d.Date, string(d.Kind), d.Name); err != nil {
				return fmt.Errorf("store: seed calendar day %s: %w", d.Date, err)
			}
		}
		for _, y := range years {
			if _, err := tx.ExecContext(ctx, `INSERT INTO work_calendar_years (region_code, year) VALUES ($1, $2) ON CONFLICT DO NOTHING`, region, y); err != nil {
				return fmt.Errorf("store: seed calendar year %d: %w", y, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.dropCalendar(region)
	return nil
}

// Calendar returns the working-day calendar of a region, cached until edited.
func (db *DB) Calendar(ctx context.Context, region string) (*gongkai.WorkCalendar, error) {
	db.calMu.RLock()
	c := db.calendar[region]
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
	db.calendar[region] = c
	db.calMu.Unlock()
	return c, nil
}

func (db *DB) dropCalendar(region string) {
	db.calMu.Lock()
	delete(db.calendar, region)
	db.calMu.Unlock()
}

// CalendarDays returns the listed days and the years with data of a region.
func (db *DB) CalendarDays(ctx context.Context, region string) ([]gongkai.CalendarDay, []int, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT day, kind, name FROM work_calendar WHERE region_code = $1 ORDER BY day`, region)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar: %w", err)
	}
	defer rows.Close()
	var days []gongkai.CalendarDay
	for rows.Next() {
		var d gongkai.CalendarDay
		var kind string
		if err := rows.Scan(&d.Date, &kind, &d.Name); err != nil {
			return nil, nil, err
		}
		d.Kind = gongkai.DayKind(kind)
		days = append(days, d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	yrows, err := db.read.QueryContext(ctx, `SELECT year FROM work_calendar_years WHERE region_code = $1 ORDER BY year`, region)
	if err != nil {
		return nil, nil, fmt.Errorf("store: read calendar years: %w", err)
	}
	defer yrows.Close()
	var years []int
	for yrows.Next() {
		var y int
		if err := yrows.Scan(&y); err != nil {
			return nil, nil, err
		}
		years = append(years, y)
	}
	return days, years, yrows.Err()
}

// SetCalendarDay lists a day as a holiday or a 调休 working day; an empty kind
// removes it. A year counts as having data only once MarkCalendarYear says so,
// since one entered day does not make a year's schedule complete.
func (db *DB) SetCalendarDay(ctx context.Context, region string, d gongkai.CalendarDay) error {
	day, err := time.ParseInLocation("2006-01-02", d.Date, gongkai.Beijing)
	if err != nil {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "日期格式应为 2026-10-01。", Fields: map[string]string{"date": "日期格式应为 2026-10-01。"}}
	}
	if d.Kind != "" && d.Kind != gongkai.DayHoliday && d.Kind != gongkai.DayWorkday {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "类型无效。", Fields: map[string]string{"kind": "请选择“放假”或“调休上班”。"}}
	}
	if len([]rune(d.Name)) > 40 {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: "名称过长。", Fields: map[string]string{"name": "名称不超过 40 字。"}}
	}
	err = db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM work_calendar WHERE region_code = $1 AND day = $2`, region, d.Date); err != nil {
			return err
		}
		if d.Kind == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO work_calendar (region_code, day, kind, name) VALUES ($1, $2, $3, $4)`, region, day.Format("2006-01-02"), string(d.Kind), d.Name); err != nil {
			return fmt.Errorf("store: set calendar day: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	db.dropCalendar(region)
	return nil
}

// MarkCalendarYear records that the calendar of a year is complete (the
// State Council's notice has been entered), so its deadlines are no longer
// provisional.
func (db *DB) MarkCalendarYear(ctx context.Context, region string, year int) error {
	if year < 2000 || year > 2100 {
		return gongkai.Errorf(gongkai.EINVALID, "年份无效：%s", strconv.Itoa(year))
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO work_calendar_years (region_code, year) VALUES ($1, $2) ON CONFLICT DO NOTHING`, region, year)
		return err
	})
	if err == nil {
		db.dropCalendar(region)
	}
	return err
}
