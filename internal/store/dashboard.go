package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"gongkai"
)

// MinRankCases is how many decided obligations (met on time, met late or
// overdue) a school needs in a period before it is ranked on its on-time
// rate: a rate of two cases says little, and ranking on it would be unfair.
const MinRankCases = 5

// DashPeriod is a period of the bureau's dashboard.
type DashPeriod string

// Dashboard periods.
const (
	PeriodMonth DashPeriod = "month"
	PeriodTerm  DashPeriod = "term" // spring: February–July, autumn: August–January
	PeriodYear  DashPeriod = "year"
)

// DashPeriods lists the periods in the order pages show them.
var DashPeriods = []DashPeriod{PeriodMonth, PeriodTerm, PeriodYear}

// Bounds returns the first and last day (Beijing dates) of the period that
// contains now, and its Chinese label.
func (p DashPeriod) Bounds(now time.Time) (from, to time.Time, label string) {
	now = now.In(gongkai.Beijing)
	y, m := now.Year(), now.Month()
	switch p {
	case PeriodMonth:
		from = time.Date(y, m, 1, 0, 0, 0, 0, gongkai.Beijing)
		return from, from.AddDate(0, 1, -1), fmt.Sprintf("%d年%d月", y, m)
	case PeriodTerm:
		switch {
		case m >= time.February && m <= time.July:
			from = time.Date(y, time.February, 1, 0, 0, 0, 0, gongkai.Beijing)
			return from, time.Date(y, time.July, 31, 0, 0, 0, 0, gongkai.Beijing), fmt.Sprintf("%d年春季学期", y)
		case m == time.January:
			y--
		}
		from = time.Date(y, time.August, 1, 0, 0, 0, 0, gongkai.Beijing)
		return from, time.Date(y+1, time.January, 31, 0, 0, 0, 0, gongkai.Beijing), fmt.Sprintf("%d年秋季学期", y)
	}
	from = time.Date(y, time.January, 1, 0, 0, 0, 0, gongkai.Beijing)
	return from, time.Date(y, time.December, 31, 0, 0, 0, 0, gongkai.Beijing), fmt.Sprintf("%d年", y)
}

// OpeningPeriod is the period the dashboard opens on: the shortest of this
// month, term and year in which some school has a decided obligation (met on
// time, late, or overdue), so that early in a month, or in one with nothing
// due, the bureau does not open on an empty table; this term when no period
// has any.
func OpeningPeriod(figs []SchoolFigures) DashPeriod {
	for _, p := range DashPeriods {
		for i := range figs {
			if figs[i].Period(p).Cases() > 0 {
				return p
			}
		}
	}
	return PeriodTerm
}

// PeriodFigures counts a school's obligations due in one period by state.
type PeriodFigures struct {
	OnTime, Late, Overdue, Waived int
	Pending                       int   // due later in the period, not met yet
	FirstOverdue                  int64 // the id of the earliest overdue obligation, or 0
	Rank                          int   // 1 for the best on-time rate; 0 when not ranked
}

// Cases is the number of decided obligations: met on time, late, or overdue.
// Waived and pending ones are left out of the rate.
func (p PeriodFigures) Cases() int { return p.OnTime + p.Late + p.Overdue }

// Rate is the on-time rate in [0, 1], or -1 when there is no case.
func (p PeriodFigures) Rate() float64 {
	if p.Cases() == 0 {
		return -1
	}
	return float64(p.OnTime) / float64(p.Cases())
}

// Ranked reports whether there are enough cases to rank the school.
func (p PeriodFigures) Ranked() bool { return p.Cases() >= MinRankCases }

func (p *PeriodFigures) add(id int64, st gongkai.ObligationState) {
	switch st {
	case gongkai.ObOnTime:
		p.OnTime++
	case gongkai.ObLate:
		p.Late++
	case gongkai.ObOverdue:
		p.Overdue++
		if p.FirstOverdue == 0 {
			p.FirstOverdue = id
		}
	case gongkai.ObWaived:
		p.Waived++
	default:
		p.Pending++
	}
}

// MonthFigures are the figures of obligations due in one calendar month.
type MonthFigures struct {
	Month time.Time // the first day, Beijing
	PeriodFigures
}

// SchoolFigures is one school's line of the bureau's dashboard.
type SchoolFigures struct {
	SchoolID           int64
	Slug, Name         string
	Month, Term, Year  PeriodFigures
	OpenFeedback       int            // received, assigned or rectifying
	OpenRectifications int            // rectifying
	Replied            int            // cases first replied to this year
	MedianReplyDays    float64        // working days from receipt to first reply, over Replied; -1 when none
	Series             []MonthFigures // the last 12 months, oldest first
	Orders             OrderFigures   // the bureau's supervision orders to the school
	Survey             SurveyScore    // satisfaction surveys closed in the last 12 months
	// Paper is, by period (DashPeriods' order), the items first published
	// in it and those also posted on paper (dashboard_paper.go).
	Paper [3]PaperFigures
}

// Period returns the figures of the period.
func (s *SchoolFigures) Period(p DashPeriod) PeriodFigures {
	switch p {
	case PeriodMonth:
		return s.Month
	case PeriodTerm:
		return s.Term
	}
	return s.Year
}

func (s *SchoolFigures) period(p DashPeriod) *PeriodFigures {
	switch p {
	case PeriodMonth:
		return &s.Month
	case PeriodTerm:
		return &s.Term
	}
	return &s.Year
}

// SeriesMonths is how many months the dashboard's trend shows.
const SeriesMonths = 12

// Dashboard returns the figures of every school of the bureau, by school
// name, at now: obligations due this month, term and year by state (the
// states of gongkai.ObligationStateAt), open feedback and rectifications,
// the median reply time of the cases replied to this year in the bureau's
// working days, and the monthly series of the last 12 months. It runs a
// fixed number of queries whatever the number of schools.
func (db *DB) Dashboard(ctx context.Context, bureauID int64, now time.Time) ([]SchoolFigures, error) {
	var region string
	err := db.read.QueryRowContext(ctx, `SELECT region_code FROM bureaus WHERE id = $1`, bureauID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("教育局")
	}
	if err != nil {
		return nil, fmt.Errorf("store: bureau %d: %w", bureauID, err)
	}
	cal, err := db.Calendar(ctx, region)
	if err != nil {
		return nil, err
	}
	d := &dashboard{db: db, bureauID: bureauID, now: now.In(gongkai.Beijing), cal: cal, index: map[int64]int{}}
	for _, step := range []func(context.Context) error{d.schools, d.obligations, d.feedback, d.replyTimes, d.ordersAndSurveys, d.paper} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	for _, p := range DashPeriods {
		rankSchools(d.out, p)
	}
	return d.out, nil
}

// dashboard gathers a bureau's figures one query at a time, each adding
// to its schools' rows.
type dashboard struct {
	db       *DB
	bureauID int64
	now      time.Time
	cal      *gongkai.WorkCalendar
	out      []SchoolFigures
	index    map[int64]int // a school's row in out
}

// schools makes a row per school that counts. A deactivated school owes
// nothing and is not counted (gongkai.UseObligations).
func (d *dashboard) schools(ctx context.Context) error {
	rows, err := d.db.read.QueryContext(ctx, `SELECT id, slug, name FROM schools WHERE bureau_id = $1 AND deactivated_at = 0 ORDER BY name, id`, d.bureauID)
	if err != nil {
		return fmt.Errorf("store: schools of bureau %d: %w", d.bureauID, err)
	}
	defer rows.Close()
	first := seriesStart(d.now)
	for rows.Next() {
		s := SchoolFigures{MedianReplyDays: -1, Series: make([]MonthFigures, SeriesMonths)}
		if err := rows.Scan(&s.SchoolID, &s.Slug, &s.Name); err != nil {
			return err
		}
		for k := range s.Series {
			s.Series[k].Month = first.AddDate(0, k, 0)
		}
		d.index[s.SchoolID] = len(d.out)
		d.out = append(d.out, s)
	}
	return rows.Err()
}

// seriesStart is the first month of the series that ends with now's.
func seriesStart(now time.Time) time.Time {
	return time.Date(now.Year(), now.Month()-(SeriesMonths-1), 1, 0, 0, 0, 0, gongkai.Beijing)
}

// obligations counts the obligations due in each period and month of the
// series by their state now.
func (d *dashboard) obligations(ctx context.Context) error {
	first := seriesStart(d.now)
	from, to := first, first
	type span struct {
		p        DashPeriod
		from, to string
	}
	var spans []span
	for _, p := range DashPeriods {
		f, t, _ := p.Bounds(d.now)
		spans = append(spans, span{p, formatDay(f), formatDay(t)})
		from, to = minTime(from, f), maxTime(to, t)
	}
	rows, err := d.db.read.QueryContext(ctx, `SELECT o.id, o.school_id, o.due, o.met_at, o.waived FROM obligations o
		JOIN schools s ON s.id = o.school_id
		WHERE s.bureau_id = $1 AND o.due >= $2 AND o.due <= $3 ORDER BY o.due, o.id`, d.bureauID, formatDay(from), formatDay(to))
	if err != nil {
		return fmt.Errorf("store: obligations of bureau %d: %w", d.bureauID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, school, met int64
		var due string
		var waived bool
		if err := rows.Scan(&id, &school, &due, &met, &waived); err != nil {
			return err
		}
		i, ok := d.index[school]
		if !ok {
			continue
		}
		day := parseDay(due)
		st := gongkai.ObligationStateAt(d.cal, day, fromMS(met), waived, d.now)
		s := &d.out[i]
		for _, sp := range spans {
			if due >= sp.from && due <= sp.to {
				s.period(sp.p).add(id, st)
			}
		}
		if k := monthsBetween(first, day); k >= 0 && k < SeriesMonths {
			s.Series[k].add(id, st)
		}
	}
	return rows.Err()
}

// feedback counts each school's open cases and rectifications.
func (d *dashboard) feedback(ctx context.Context) error {
	rows, err := d.db.read.QueryContext(ctx, `SELECT f.school_id,
		SUM(CASE WHEN f.state IN ('received', 'assigned', 'rectifying') THEN 1 ELSE 0 END),
		SUM(CASE WHEN f.state = 'rectifying' THEN 1 ELSE 0 END)
		FROM feedback_cases f JOIN schools s ON s.id = f.school_id
		WHERE s.bureau_id = $1 GROUP BY f.school_id`, d.bureauID)
	if err != nil {
		return fmt.Errorf("store: feedback of bureau %d: %w", d.bureauID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var school int64
		var open, rect int
		if err := rows.Scan(&school, &open, &rect); err != nil {
			return err
		}
		if i, ok := d.index[school]; ok {
			d.out[i].OpenFeedback, d.out[i].OpenRectifications = open, rect
		}
	}
	return rows.Err()
}

// replyTimes takes the median reply time, in working days, of the cases
// first replied to this year.
func (d *dashboard) replyTimes(ctx context.Context) error {
	yearFrom, yearTo, _ := PeriodYear.Bounds(d.now)
	rows, err := d.db.read.QueryContext(ctx, `SELECT f.school_id, f.created_at, f.replied_at
		FROM feedback_cases f JOIN schools s ON s.id = f.school_id
		WHERE s.bureau_id = $1 AND f.replied_at >= $2 AND f.replied_at < $3`, d.bureauID, ms(yearFrom), ms(yearTo.AddDate(0, 0, 1)))
	if err != nil {
		return fmt.Errorf("store: reply times of bureau %d: %w", d.bureauID, err)
	}
	defer rows.Close()
	days := map[int64][]int{}
	for rows.Next() {
		var school, created, replied int64
		if err := rows.Scan(&school, &created, &replied); err != nil {
			return err
		}
		days[school] = append(days[school], d.cal.WorkdaysBetween(fromMS(created), fromMS(replied)))
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for school, ds := range days {
		if i, ok := d.index[school]; ok {
			d.out[i].Replied, d.out[i].MedianReplyDays = len(ds), median(ds)
		}
	}
	return nil
}

// ordersAndSurveys adds each school's supervision orders and its survey
// score of the last year (-1 without one).
func (d *dashboard) ordersAndSurveys(ctx context.Context) error {
	orders, err := d.db.OrderFigures(ctx, d.bureauID, d.now)
	if err != nil {
		return err
	}
	surveys, err := d.db.SurveyScores(ctx, d.bureauID, d.now.AddDate(-1, 0, 0), d.now)
	if err != nil {
		return err
	}
	for i := range d.out {
		d.out[i].Orders = orders[d.out[i].SchoolID]
		d.out[i].Survey = SurveyScore{Score: -1}
		if sc, ok := surveys[d.out[i].SchoolID]; ok {
			d.out[i].Survey = sc
		}
	}
	return nil
}

// rankSchools ranks the schools with enough cases by on-time rate, best
// first; equal rates share a rank (1, 1, 3).
func rankSchools(out []SchoolFigures, p DashPeriod) {
	var ranked []*PeriodFigures
	for i := range out {
		pf := out[i].period(p)
		pf.Rank = 0
		if pf.Ranked() {
			ranked = append(ranked, pf)
		}
	}
	slices.SortStableFunc(ranked, func(a, b *PeriodFigures) int {
		// Compare OnTime/Cases exactly, without floating point.
		x, y := a.OnTime*b.Cases(), b.OnTime*a.Cases()
		return y - x
	})
	for i, pf := range ranked {
		if i > 0 && pf.OnTime*ranked[i-1].Cases() == ranked[i-1].OnTime*pf.Cases() {
			pf.Rank = ranked[i-1].Rank
		} else {
			pf.Rank = i + 1
		}
	}
}

// median of the values, or -1 when there is none.
func median(v []int) float64 {
	if len(v) == 0 {
		return -1
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// monthsBetween is how many calendar months d lies after the month of first.
func monthsBetween(first, d time.Time) int {
	d = d.In(gongkai.Beijing)
	return (d.Year()-first.Year())*12 + int(d.Month()) - int(first.Month())
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
