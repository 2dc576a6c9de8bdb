package gongkai

import (
	"fmt"
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
	if _, ok := c.Presumed(d); ok {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// presumedHolidays are the days off that fall on the same date every year
// (《全国年节及纪念日放假办法》: 元旦 1 January, 劳动节 1 May, 国庆节 1–3
// October). In a year whose notice is not out yet they are still days off;
// only where the notice moves the rest of the holiday is unknown.
var presumedHolidays = []struct {
	month time.Month
	day   int
	name  string
}{
	{time.January, 1, "元旦"},
	{time.May, 1, "劳动节"},
	{time.October, 1, "国庆节"},
	{time.October, 2, "国庆节"},
	{time.October, 3, "国庆节"},
}

// Presumed returns the day off that the Beijing date of d is presumed to be
// because its year has no official schedule yet: 元旦, 劳动节 or 国庆 on their
// fixed dates, unless an administrator listed the date otherwise. Deadlines
// that count over such a day are provisional, as every deadline in that year.
func (c *WorkCalendar) Presumed(d time.Time) (CalendarDay, bool) {
	d = d.In(Beijing)
	if c.years[d.Year()] {
		return CalendarDay{}, false
	}
	if _, listed := c.days[d.Format(dateLayout)]; listed {
		return CalendarDay{}, false
	}
	for _, h := range presumedHolidays {
		if d.Month() == h.month && d.Day() == h.day {
			return CalendarDay{Date: d.Format(dateLayout), Kind: DayHoliday, Name: h.name}, true
		}
	}
	return CalendarDay{}, false
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

// WorkdayRule is how a deadline counted in working days was set, kept with
// the deadline so that it can be counted again when the calendar changes:
// Workdays working days after From, the day of From not counted
// (期间开始的当日不计入); with Workdays 0, From itself, moved on to the next
// working day when it is not one (期间届满日为节假日的，顺延). A zero From
// means the deadline was a date chosen by a person, which no calendar
// change moves.
type WorkdayRule struct {
	From     time.Time
	Workdays int
}

// Counted reports whether the rule counts working days at all.
func (r WorkdayRule) Counted() bool { return !r.From.IsZero() && r.Workdays >= 0 }

// Due returns the deadline the rule gives under cal, and whether it is
// provisional (a day examined lies in a year without an official schedule).
func (r WorkdayRule) Due(cal *WorkCalendar) (time.Time, bool) {
	if r.Workdays > 0 {
		return cal.AddWorkdays(r.From, r.Workdays)
	}
	d := dateOf(r.From)
	provisional := !cal.years[d.Year()]
	for i := 0; i < 60 && !cal.IsWorkday(d); i++ {
		d = d.AddDate(0, 0, 1)
		provisional = provisional || !cal.years[d.Year()]
	}
	return d, provisional
}

// Recount is what a stored deadline becomes under an edited calendar.
type Recount struct {
	Old, New                    time.Time
	OldProvisional, Provisional bool
}

// Moved reports whether the deadline is now another day.
func (r Recount) Moved() bool { return !dateOf(r.Old).Equal(dateOf(r.New)) }

// Changed reports whether anything stored must change: the day, or only
// whether the day is provisional (a year's schedule was completed).
func (r Recount) Changed() bool { return r.Moved() || r.OldProvisional != r.Provisional }

// RecountDeadline counts a deadline again by its rule under cal. A deadline
// without a counted rule (a date a person chose) stays as it is.
func RecountDeadline(cal *WorkCalendar, rule WorkdayRule, old time.Time, oldProvisional bool) Recount {
	r := Recount{Old: old, New: old, OldProvisional: oldProvisional, Provisional: oldProvisional}
	if !rule.Counted() {
		return r
	}
	r.New, r.Provisional = rule.Due(cal)
	return r
}

// Note is the line a trail records for a moved deadline: what the deadline
// is (答复期限, 公示期截止日, 办理期限, 公开期限) and the two days, with why.
func (r Recount) Note(what, why string) string {
	note := fmt.Sprintf("因%s，%s由%s改为%s", why, what, ChineseDate(r.Old), ChineseDate(r.New))
	if r.Provisional {
		note += "（暂定）"
	}
	return note + "。"
}

// ChineseDate writes a date as prose does: 2026年3月3日 (Beijing).
func ChineseDate(t time.Time) string {
	y, m, d := t.In(Beijing).Date()
	return fmt.Sprintf("%d年%d月%d日", y, m, d)
}

// CountdownState is where a deadline stands on a given day.
type CountdownState string

// Countdown states.
const (
	CountdownLeft     CountdownState = "left"      // 剩余 N 个工作日
	CountdownDueToday CountdownState = "due_today" // 今日到期
	CountdownOverdue  CountdownState = "overdue"   // 逾期 N 个工作日
)

// Countdown is how far a deadline is, in working days, in the one wording
// of every page, message and e-mail.
type Countdown struct {
	State CountdownState
	Days  int
}

// CountdownAt says how the deadline due stands at now, comparing Beijing
// dates. Before the due day, Days is the working days left after today up to
// and including the due day; on the due day itself it is 今日到期; after it,
// Days is the working days since the due day, at least 1, so that the
// weekend after a Friday deadline already reads 逾期 1 个工作日 and never
// 今日到期.
func CountdownAt(cal *WorkCalendar, due, now time.Time) Countdown {
	d, today := dateOf(due), dateOf(now)
	switch {
	case today.Equal(d):
		return Countdown{State: CountdownDueToday}
	case today.Before(d):
		return Countdown{State: CountdownLeft, Days: cal.WorkdaysBetween(today, d)}
	}
	return Countdown{State: CountdownOverdue, Days: max(cal.WorkdaysBetween(d, today), 1)}
}

// Format returns the wording as a format and its number, for translation:
// "剩余 %d 个工作日", "今日到期" or "逾期 %d 个工作日".
func (c Countdown) Format() (string, int) {
	switch c.State {
	case CountdownDueToday:
		return "今日到期", 0
	case CountdownOverdue:
		return "逾期 %d 个工作日", c.Days
	}
	return "剩余 %d 个工作日", c.Days
}

// String is the wording in Chinese.
func (c Countdown) String() string {
	f, n := c.Format()
	if c.State == CountdownDueToday {
		return f
	}
	return fmt.Sprintf(f, n)
}

// DayLabel is how the calendar page names a listed day: 放假（国庆节）,
// 调休上班（国庆节）, or 普通日 for a day not listed.
func DayLabel(d *CalendarDay) string {
	switch {
	case d == nil || d.Kind == "":
		return "普通日"
	case d.Kind == DayHoliday:
		return "放假（" + d.Name + "）"
	case d.Kind == DayWorkday:
		return "调休上班（" + d.Name + "）"
	}
	return string(d.Kind)
}

// DescribeCalendarEdit is the admin log's line for an edit of one day:
// "2027-10-09 调休上班（国庆节） → 普通日；重算期限 12 项". moved counts the
// open deadlines that the edit moved to another day.
func DescribeCalendarEdit(date string, old, new *CalendarDay, moved int) string {
	return fmt.Sprintf("%s %s → %s；重算期限 %d 项", date, DayLabel(old), DayLabel(new), moved)
}
