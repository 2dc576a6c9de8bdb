package gongkai

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Frequency says how often a catalogue item must be disclosed.
type Frequency string

// Frequencies of the catalogue (seeds 1, 2 and 4).
const (
	FreqNone      Frequency = ""          // a standing document: no schedule
	FreqMonthly   Frequency = "monthly"   // each month's by DueDay of the next month (the statement by the 5th)
	FreqQuarterly Frequency = "quarterly" // each quarter's by DueDay of the month after it
	FreqTerm      Frequency = "term"      // before each term: by TermDue[0] (spring) and TermDue[1] (autumn)
	FreqYearly    Frequency = "yearly"    // once a year by DueMonthDay
	FreqEvent     Frequency = "event"     // within DueWorkdays working days after each event
)

// Frequencies lists the frequencies in the order forms show them.
var Frequencies = []Frequency{FreqNone, FreqMonthly, FreqQuarterly, FreqTerm, FreqYearly, FreqEvent}

// Label is the Chinese name of the frequency.
func (f Frequency) Label() string {
	switch f {
	case FreqNone:
		return "长期公开"
	case FreqMonthly:
		return "每月"
	case FreqQuarterly:
		return "每季度"
	case FreqTerm:
		return "每学期"
	case FreqYearly:
		return "每年"
	case FreqEvent:
		return "按事项"
	}
	return string(f)
}

// Schedule is the due-date rule of a catalogue item.
type Schedule struct {
	Frequency   Frequency
	DueDay      int       // monthly, quarterly: day of the month after the period, 1–28, or 0 for its last day
	DueMonthDay string    // yearly: "MM-DD"
	TermDue     [2]string // term: "MM-DD" before the spring and the autumn term
	DueWorkdays int       // event: working days after the event (the national rule is 20)
}

// Validate refuses a rule that cannot produce a date every period: a day
// that some months lack, 02-29 (missing three years in four), a term date
// that does not exist.
func (s Schedule) Validate() error {
	fe := FieldErrors{}
	switch s.Frequency {
	case FreqNone:
	case FreqMonthly, FreqQuarterly:
		if s.DueDay < 0 || s.DueDay > 28 {
			fe.Add("due_day", "截止日须在 1–28 日之间（29–31 日并非每月都有），或填 0 表示月末。")
		}
	case FreqYearly:
		if _, _, err := parseMonthDay(s.DueMonthDay); err != nil {
			fe.Add("due_month_day", err.Error())
		}
	case FreqTerm:
		for i, md := range s.TermDue {
			if _, _, err := parseMonthDay(md); err != nil {
				fe.Add("term_due", []string{"春季学期", "秋季学期"}[i]+"："+err.Error())
			}
		}
	case FreqEvent:
		if s.DueWorkdays < 1 || s.DueWorkdays > 60 {
			fe.Add("due_workdays", "事项发生后的公开时限须在 1–60 个工作日之间。")
		}
	default:
		fe.Add("frequency", "请选择公开频次。")
	}
	return fe.Err()
}

// parseMonthDay reads "MM-DD" of a date that exists in every year.
func parseMonthDay(md string) (time.Month, int, error) {
	m, d, ok := strings.Cut(strings.TrimSpace(md), "-")
	mi, err1 := strconv.Atoi(m)
	di, err2 := strconv.Atoi(d)
	if !ok || err1 != nil || err2 != nil || mi < 1 || mi > 12 || di < 1 {
		return 0, 0, fmt.Errorf("日期格式应为“月-日”，例如 02-25。")
	}
	if mi == 2 && di == 29 {
		return 0, 0, fmt.Errorf("2月29日并非每年都有，请改为 02-28 或 03-01。")
	}
	if di > time.Date(2025, time.Month(mi)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return 0, 0, fmt.Errorf("%d月没有%d日。", mi, di)
	}
	return time.Month(mi), di, nil
}

// Period is one occurrence of a scheduled item.
type Period struct {
	Key   string    // "2026-09", "2026-Q3", "2026-spring", "2026", or "event-<id>"
	Label string    // 2026年9月, 2026年第三季度, 2026年春季学期, 2026年度
	Due   time.Time // the last day to publish (Beijing date)
	// Rule is how Due was counted (the date the schedule names, moved on
	// past days off), kept to count it again when the calendar changes.
	Rule WorkdayRule
}

// Periods returns the periods whose due date falls in [from, to], in order.
// A due date that is not a working day moves to the next working day, as
// Chinese rules on time limits provide (期间届满日为节假日的，顺延).
func (s Schedule) Periods(cal *WorkCalendar, from, to time.Time) []Period {
	from, to = dateOf(from), dateOf(to)
	var out []Period
	add := func(p Period) {
		p.Rule = WorkdayRule{From: p.Due}
		p.Due = nextWorkday(cal, p.Due)
		if !p.Due.Before(from) && !p.Due.After(to) {
			out = append(out, p)
		}
	}
	switch s.Frequency {
	case FreqMonthly:
		for m := time.Date(from.Year(), from.Month()-2, 1, 0, 0, 0, 0, Beijing); !m.After(to); m = m.AddDate(0, 1, 0) {
			add(Period{Key: m.Format("2006-01"), Label: fmt.Sprintf("%d年%d月", m.Year(), m.Month()), Due: dayOfMonth(m.AddDate(0, 1, 0), s.DueDay)})
		}
	case FreqQuarterly:
		for q := time.Date(from.Year()-1, 1, 1, 0, 0, 0, 0, Beijing); !q.After(to); q = q.AddDate(0, 3, 0) {
			n := (int(q.Month())-1)/3 + 1
			add(Period{Key: fmt.Sprintf("%d-Q%d", q.Year(), n), Label: fmt.Sprintf("%d年第%s季度", q.Year(), []string{"一", "二", "三", "四"}[n-1]),
				Due: dayOfMonth(q.AddDate(0, 3, 0), s.DueDay)})
		}
	case FreqTerm:
		for y := from.Year() - 1; y <= to.Year()+1; y++ {
			for i, name := range []string{"spring", "autumn"} {
				m, d, err := parseMonthDay(s.TermDue[i])
				if err != nil {
					continue
				}
				add(Period{Key: fmt.Sprintf("%d-%s", y, name), Label: fmt.Sprintf("%d年%s学期", y, []string{"春季", "秋季"}[i]),
					Due: time.Date(y, m, d, 0, 0, 0, 0, Beijing)})
			}
		}
	case FreqYearly:
		m, d, err := parseMonthDay(s.DueMonthDay)
		if err != nil {
			return nil
		}
		for y := from.Year() - 1; y <= to.Year()+1; y++ {
			add(Period{Key: strconv.Itoa(y), Label: fmt.Sprintf("%d年度", y), Due: time.Date(y, m, d, 0, 0, 0, 0, Beijing)})
		}
	}
	return out
}

// EventDue is the due date of an event-driven obligation.
func (s Schedule) EventDue(cal *WorkCalendar, event time.Time) (time.Time, bool) {
	return s.EventRule(event).Due(cal)
}

// EventRule is how the due date of an event-driven obligation is counted.
func (s Schedule) EventRule(event time.Time) WorkdayRule {
	return WorkdayRule{From: dateOf(event), Workdays: s.DueWorkdays}
}

// dayOfMonth is day d of the month of m, or its last day for d = 0.
func dayOfMonth(m time.Time, d int) time.Time {
	if d == 0 {
		return time.Date(m.Year(), m.Month()+1, 0, 0, 0, 0, 0, Beijing)
	}
	return time.Date(m.Year(), m.Month(), d, 0, 0, 0, 0, Beijing)
}

func nextWorkday(cal *WorkCalendar, d time.Time) time.Time {
	if cal == nil {
		return d
	}
	for i := 0; i < 30 && !cal.IsWorkday(d); i++ {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// ObligationState is where an obligation stands.
type ObligationState string

// Obligation states.
const (
	ObUpcoming ObligationState = "upcoming"
	ObDueSoon  ObligationState = "due_soon" // within DueSoonWorkdays
	ObOverdue  ObligationState = "overdue"
	ObOnTime   ObligationState = "met_on_time"
	ObLate     ObligationState = "met_late"
	ObWaived   ObligationState = "waived"
)

// DueSoonWorkdays is how close a due date must be to count as due soon.
const DueSoonWorkdays = 5

// Label is the Chinese name of the state.
func (s ObligationState) Label() string {
	switch s {
	case ObUpcoming:
		return "未到期"
	case ObDueSoon:
		return "即将到期"
	case ObOverdue:
		return "已逾期"
	case ObOnTime:
		return "按时公开"
	case ObLate:
		return "逾期公开"
	case ObWaived:
		return "已免除"
	}
	return string(s)
}

// ObligationStateAt decides the state of an obligation due on due, met by a
// publication at metAt (zero if not met), at now. Met on the due day itself
// is on time: the due date is the last day allowed.
func ObligationStateAt(cal *WorkCalendar, due, metAt time.Time, waived bool, now time.Time) ObligationState {
	switch {
	case waived:
		return ObWaived
	case !metAt.IsZero() && !dateOf(metAt).After(dateOf(due)):
		return ObOnTime
	case !metAt.IsZero():
		return ObLate
	case PeriodOver(due, now):
		return ObOverdue
	case cal != nil && cal.WorkdaysBetween(dateOf(now), dateOf(due)) <= DueSoonWorkdays:
		return ObDueSoon
	}
	return ObUpcoming
}

// Obligation is one catalogue item due in one period, or after one event:
// what the compliance calendar lists.
type Obligation struct {
	ID              int64
	SchoolID        int64
	CatalogueCode   string
	CatalogueName   string // of the school's catalogue item; the code when the item is gone
	Department      string // the item's department
	PeriodKey       string
	PeriodLabel     string
	Due             time.Time
	DueProvisional  bool
	EventID         int64
	EventTitle      string
	EventAmountFen  int64
	DisclosureID    int64
	DisclosureTitle string
	MetAt           time.Time
	Waived          bool
	WaiveReason     string
	WaivedBy        int64
	WaivedByName    string
	WaivedAt        time.Time
	// Channel is where the item must also be made public ("须在公开栏张贴"):
	// the obligation is met only when a posting on it is recorded on the
	// item that fulfils it, not by publication alone. "" for none.
	Channel   Channel
	State     ObligationState // at the store's clock when read
	Workdays  int             // working days from today to the due date (open), or past it (overdue)
	Countdown Countdown       // how the due date stands today (open)
}

// Open reports whether the obligation still waits for a publication.
func (o *Obligation) Open() bool {
	return o.State == ObUpcoming || o.State == ObDueSoon || o.State == ObOverdue
}

// SetState decides the state at now, with the working days to the due
// date or past it and the countdown.
func (o *Obligation) SetState(cal *WorkCalendar, now time.Time) {
	o.State = ObligationStateAt(cal, o.Due, o.MetAt, o.Waived, now)
	if o.Open() {
		o.Countdown = CountdownAt(cal, o.Due, now)
	}
	switch o.State {
	case ObOverdue:
		o.Workdays = cal.WorkdaysBetween(o.Due, now)
	case ObUpcoming, ObDueSoon:
		o.Workdays = cal.WorkdaysBetween(now, o.Due)
	}
}
