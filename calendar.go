package gongkai

import (
	"slices"
	"strings"
	"time"
)

// Beijing is the time zone in which every working-day computation is done.
// China has kept UTC+8 without daylight saving since 1991, so a fixed zone
// is exact for the years we care about and spares the binary tzdata.
var Beijing = time.FixedZone("CST", 8*3600)

// dateLayout is the layout of CalendarDay.Date; it is also the map key, so a
// lookup needs no parsing.
const dateLayout = "2006-01-02"

// DayKind says how a listed date departs from the plain Monday–Friday week.
type DayKind string

const (
	// DayHoliday is a statutory day off. It may fall on a weekday, which is
	// why it has to be listed.
	DayHoliday DayKind = "holiday"
	// DayWorkday is an adjusted working day (调休): a Saturday or Sunday on
	// which people work to make a holiday longer.
	DayWorkday DayKind = "workday"
)

// CalendarDay is one date of a published holiday schedule (国务院办公厅
// notice, or a provincial addition).
type CalendarDay struct {
	// Date is the calendar date in the form "2006-01-02". A date in any other
	// form never matches; input is validated where it is entered.
	Date string
	// Kind says whether the date is a day off or an adjusted working day.
	Kind DayKind
	// Name is the festival the date belongs to, e.g. 春节, so that a deadline
	// can be explained to the user.
	Name string
}

// WorkCalendar answers which dates are working days. It is immutable once
// built and therefore safe for concurrent use; an edited schedule means a new
// WorkCalendar.
type WorkCalendar struct {
	days  map[string]CalendarDay
	years map[int]bool
}

// NewWorkCalendar builds a calendar from the listed days and the years for
// which an official schedule exists. Years matter because an unlisted weekday
// in a year without a schedule is only presumed to be a working day, and a
// deadline that relies on that presumption is provisional. When a date is
// listed twice, the later entry wins, as an administrator's correction would.
func NewWorkCalendar(days []CalendarDay, years []int) *WorkCalendar {
	c := &WorkCalendar{
		days:  make(map[string]CalendarDay, len(days)),
		years: make(map[int]bool, len(years)),
	}
	for _, d := range days {
		c.days[d.Date] = d
	}
	for _, y := range years {
		c.years[y] = true
	}
	return c
}

// IsWorkday reports whether the Beijing calendar date of d is a working day:
// Monday to Friday unless listed as a holiday, Saturday and Sunday only when
// listed as an adjusted working day.
func (c *WorkCalendar) IsWorkday(d time.Time) bool {
	d = d.In(Beijing)
	if day, ok := c.days[d.Format(dateLayout)]; ok {
		switch day.Kind {
		case DayHoliday:
			return false
		case DayWorkday:
			return true
		}
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// HasYear reports whether an official schedule for year y has been loaded.
// The schedule for next year is usually published in October or November,
// so administrators are alerted while it is still missing.
func (c *WorkCalendar) HasYear(y int) bool {
	return c.years[y]
}

// AddWorkdays returns the date (midnight, Beijing) of the n-th working day
// after from. The day of from itself is never counted, whatever it is,
// because 期间开始的当日不计入: a request received on Friday starts its
// clock on the next working day. For n <= 0 it returns the date of from.
//
// provisional is true when any day examined lies in a year without an
// official schedule: there Monday to Friday are presumed to be working days,
// and the deadline may move once the schedule is published.
func (c *WorkCalendar) AddWorkdays(from time.Time, n int) (due time.Time, provisional bool) {
	d := dateOf(from)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if !c.years[d.Year()] {
			provisional = true
		}
		if c.IsWorkday(d) {
			n--
		}
	}
	return d, provisional
}

// WorkdaysBetween counts the working days d with from < d <= to, comparing
// Beijing calendar dates, so that WorkdaysBetween(from, AddWorkdays(from, n))
// is n. It returns 0 when to is not after from.
func (c *WorkCalendar) WorkdaysBetween(from, to time.Time) int {
	d, end := dateOf(from), dateOf(to)
	n := 0
	for d.Before(end) {
		d = d.AddDate(0, 0, 1)
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// Days returns the listed days sorted by date, as a new slice the caller may
// modify; it is what an administrator reviews and what gets stored.
func (c *WorkCalendar) Days() []CalendarDay {
	days := make([]CalendarDay, 0, len(c.days))
	for _, d := range c.days {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	return days
}

// dateOf returns midnight in Beijing of the Beijing calendar date of t, so
// that a request filed at 23:30 and one filed at 08:00 the same day count
// alike.
func dateOf(t time.Time) time.Time {
	y, m, d := t.In(Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, Beijing)
}
