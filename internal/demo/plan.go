package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gongkai"
)

// The demo's compliance calendar. The builder reads it to decide which
// item meets which obligation, which are published late, and which periods
// have no item at all (left overdue, or waived); the loader creates the same
// obligations before it loads the items, so that every obligation is met by
// the item the board shows for it and the obligations page, the dashboard
// and the annual report tell the board's story.

// obligationWindow is the span of due dates of the demo's obligations: a
// year of history and the next two months.
func obligationWindow(now time.Time) (from, to time.Time) {
	return now.AddDate(-1, 0, 0), now.AddDate(0, 2, 0)
}

// duty is one obligation of the window: a catalogue item due in a period.
type duty struct {
	code string
	gongkai.Period
}

func dutyKey(code, period string) string { return code + "/" + period }

// compliance is one school's calendar at one moment.
type compliance struct {
	duties  map[string]duty   // by dutyKey
	overdue map[string]bool   // left without an item
	waived  map[string]string // the principal's reason
}

// overdueCount is how many of its most recent obligations each school
// leaves unmet, so that the bureau sees differences.
var overdueCount = map[string]int{"pingan": 1, "xiangqian": 3, "yuanba": 0, "kaiwu": 1}

// waivers are the obligations two schools were released from: the latest
// one of the catalogue item that has fallen due.
var waivers = map[string]struct{ code, reason string }{
	"pingan":    {"aid-roster", "本学期中职国家助学金名单由县学生资助管理中心统一评定并公示，学校无需另行公示。"},
	"xiangqian": {"staff-evaluation", "本年度教职工考核方案调整，经县教育局同意延至下学年与新方案一并公开。"},
}

// lateDuty reports whether the school publishes the item of the period after
// its due date. It depends on the school and the period only, so an item
// reads the same whatever the day the demo is loaded.
func lateDuty(slug, code, period string) bool {
	switch slug {
	case "xiangqian": // the statements of March and April: see demoShortfalls
		return code == "monthly-finance" && (strings.HasSuffix(period, "-03") || strings.HasSuffix(period, "-04"))
	case "kaiwu": // February's, after the Spring Festival
		return code == "monthly-finance" && strings.HasSuffix(period, "-02")
	case "yuanba":
		return code == "staff-evaluation"
	case "pingan":
		return code == "disclosure-meeting" && strings.HasSuffix(period, "-Q3")
	}
	return false
}

// planCompliance computes the school's calendar at now, from the default
// catalogue (the demo schools keep it) and the working-day calendar.
func planCompliance(slug string, now time.Time, cal *gongkai.WorkCalendar) *compliance {
	from, to := obligationWindow(now)
	c := &compliance{duties: map[string]duty{}, overdue: map[string]bool{}, waived: map[string]string{}}
	var past []duty
	for _, it := range gongkai.DefaultCatalogue {
		for _, p := range it.Schedule.Periods(cal, from, to) {
			d := duty{it.Code, p}
			c.duties[dutyKey(d.code, d.Key)] = d
			if gongkai.PeriodOver(p.Due, now) {
				past = append(past, d)
			}
		}
	}
	slices.SortStableFunc(past, func(a, b duty) int { return b.Due.Compare(a.Due) }) // the latest first
	if w, ok := waivers[slug]; ok {
		for _, d := range past {
			if d.code == w.code && !lateDuty(slug, d.code, d.Key) {
				c.waived[dutyKey(d.code, d.Key)] = w.reason
				break
			}
		}
	}
	n := overdueCount[slug]
	for _, d := range past {
		k := dutyKey(d.code, d.Key)
		if n == 0 {
			break
		}
		if c.waived[k] != "" || lateDuty(slug, d.code, d.Key) {
			continue
		}
		c.overdue[k] = true
		n--
	}
	return c
}

// dueOf is the due date of the catalogue item's period, whether or not it
// lies in the window; around is a day of that period or shortly after.
func dueOf(cal *gongkai.WorkCalendar, code, period string, around time.Time) (time.Time, bool) {
	for _, it := range gongkai.DefaultCatalogue {
		if it.Code != code {
			continue
		}
		for _, p := range it.Schedule.Periods(cal, around.AddDate(0, -3, 0), around.AddDate(1, 3, 0)) {
			if p.Key == period {
				return p.Due, true
			}
		}
	}
	return time.Time{}, false
}

// dutyCreated adjusts when the item meeting the period is drafted: late
// ones the working day after the due date, on-time ones at least three
// working days before it (a statement of September is drafted before the
// National Day holiday, not after).
func (b *builder) dutyCreated(code, period string, created time.Time) time.Time {
	due, ok := dueOf(b.cal, code, period, created)
	if !ok {
		panic(fmt.Sprintf("demo: no period %s of %s", period, code)) // a mistake in the generators
	}
	if lateDuty(b.s.seed.Slug, code, period) {
		d, _ := b.cal.AddWorkdays(due, 1)
		return d.Add(created.Sub(dayOf(created)))
	}
	if b.cal.WorkdaysBetween(created, due) >= 3 {
		return created
	}
	d := dayOf(due)
	for n := 3; n > 0; {
		d = d.AddDate(0, 0, -1)
		if b.cal.IsWorkday(d) {
			n--
		}
	}
	return d.Add(created.Sub(dayOf(created)))
}

// dutyWanted says whether the item of the period, drafted at created, is
// part of the demo at now: drafted by now, not a period left overdue or
// waived, and either recent or meeting an obligation of the window.
func (b *builder) dutyWanted(code, period string, created time.Time) bool {
	k := dutyKey(code, period)
	if created.After(b.now.Add(-12*time.Hour)) || b.plan.overdue[k] || b.plan.waived[k] != "" {
		return false
	}
	_, inWindow := b.plan.duties[k]
	return inWindow || b.fresh(created)
}

// meets names the obligation the item meets, when it is one of the window;
// older items were published before the calendar's history begins and name
// no catalogue item, lest they meet a later period's obligation.
func (b *builder) meets(it *ItemSeed, code, period string) {
	if _, ok := b.plan.duties[dutyKey(code, period)]; ok {
		it.Catalogue, it.Period = code, period
	}
}

// everyDuty adds, for each year, the item that fn makes: drafted around
// month/day, meeting the catalogue item code in the period period(y).
func (b *builder) everyDuty(kind, code string, m time.Month, d int, period func(y int) string, fn func(key string, y int, created time.Time, r *rand.Rand) ItemSeed) {
	for y := b.now.Year() + 1; y >= b.now.Year()-2; y-- {
		key := fmt.Sprintf("%s-%d", kind, y)
		r := b.rng(key)
		p := period(y)
		c := b.dutyCreated(code, p, b.formed(y, m, d, r))
		if !b.dutyWanted(code, p, c) {
			continue
		}
		it := fn(key, y, c, r)
		b.meets(&it, code, p)
		b.add(it, "", r)
	}
}

// workdayOnOrAfter is the same time of day on the first working day from
// t's date; workdayOnOrBefore on the last working day up to it.
func workdayOnOrAfter(t time.Time) time.Time  { return shiftToWorkday(t, 1) }
func workdayOnOrBefore(t time.Time) time.Time { return shiftToWorkday(t, -1) }

func shiftToWorkday(t time.Time, step int) time.Time {
	cal := workCalendar()
	d := dayOf(t)
	for i := 0; i < 30 && !cal.IsWorkday(d); i++ {
		d = d.AddDate(0, 0, step)
	}
	return d.Add(t.In(gongkai.Beijing).Sub(dayOf(t)))
}
