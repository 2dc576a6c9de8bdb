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

// The annual disclosure report (年度报告): the figures of a period computed
// from the data, for one school or every school of a bureau, and the
// paragraphs people write.

// ReportFigures are one school's figures of a period: a calendar year for
// the annual report, a term for the self-inspection's evidence.
type ReportFigures struct {
	SchoolID   int64
	Slug, Name string

	// 主动公开: items first published in the period (revisions are not new
	// items; an item withdrawn since still counts, and is counted again
	// under Withdrawn).
	Published  int
	ByCategory map[string]int
	ByAudience map[gongkai.Audience]int
	ByChannel  map[gongkai.Channel]int
	Withdrawn  int
	Revised    int // of the items published in the period, those revised since

	// Obligations due in the period, by their state at the store's clock;
	// ByItem by catalogue code.
	Obligations PeriodFigures
	ByItem      map[string]PeriodFigures

	// Feedback received in the period, by kind; disclosure requests again
	// with how they ended; rectifications planned and done; the median of
	// working days from receipt to the first answer (-1 when none); the
	// senders' ratings.
	Feedback                      map[gongkai.FeedbackKind]FeedbackFigures
	Requests                      RequestFigures
	RectifyPlanned, RectifyDone   int
	MedianReplyDays               float64
	Satisfied, Basic, Unsatisfied int

	replyDays []int
}

// FeedbackFigures count the cases of one kind received in a period.
type FeedbackFigures struct {
	Received  int
	Answered  int // replied to or declined with a reason
	OnTime    int // answered by the reply deadline
	Open      int // still waiting for the school (received, assigned, rectifying)
	Escalated int // taken to the bureau by the sender
}

func (f *FeedbackFigures) plus(g FeedbackFigures) {
	f.Received += g.Received
	f.Answered += g.Answered
	f.OnTime += g.OnTime
	f.Open += g.Open
	f.Escalated += g.Escalated
}

// RequestFigures count the disclosure requests (点题公开 / 依申请公开)
// received in a period by how they ended: granted (answered, the
// information disclosed or the case closed), refused (declined with a
// public reason), pending (not yet answered).
type RequestFigures struct{ Received, Granted, Refused, Pending int }

// FeedbackTotal sums the kinds.
func (r *ReportFigures) FeedbackTotal() FeedbackFigures {
	var t FeedbackFigures
	for _, f := range r.Feedback {
		t.plus(f)
	}
	return t
}

// Item returns the obligations of the catalogue items with the codes.
func (r *ReportFigures) Item(codes ...string) PeriodFigures {
	var p PeriodFigures
	for _, c := range codes {
		q := r.ByItem[c]
		p.OnTime += q.OnTime
		p.Late += q.Late
		p.Overdue += q.Overdue
		p.Waived += q.Waived
		p.Pending += q.Pending
	}
	return p
}

func newReportFigures() ReportFigures {
	return ReportFigures{ByCategory: map[string]int{}, ByAudience: map[gongkai.Audience]int{}, ByChannel: map[gongkai.Channel]int{},
		ByItem: map[string]PeriodFigures{}, Feedback: map[gongkai.FeedbackKind]FeedbackFigures{}, MedianReplyDays: -1}
}

// SumReportFigures adds up the figures of several schools, as the bureau's
// report shows them; the median reply time is that of all their cases.
func SumReportFigures(fs []ReportFigures) ReportFigures {
	s := newReportFigures()
	for _, f := range fs {
		s.Published += f.Published
		s.Withdrawn += f.Withdrawn
		s.Revised += f.Revised
		for k, v := range f.ByCategory {
			s.ByCategory[k] += v
		}
		for k, v := range f.ByAudience {
			s.ByAudience[k] += v
		}
		for k, v := range f.ByChannel {
			s.ByChannel[k] += v
		}
		s.Obligations = addPeriod(s.Obligations, f.Obligations)
		for k, v := range f.ByItem {
			s.ByItem[k] = addPeriod(s.ByItem[k], v)
		}
		for k, v := range f.Feedback {
			g := s.Feedback[k]
			g.plus(v)
			s.Feedback[k] = g
		}
		s.Requests.Received += f.Requests.Received
		s.Requests.Granted += f.Requests.Granted
		s.Requests.Refused += f.Requests.Refused
		s.Requests.Pending += f.Requests.Pending
		s.RectifyPlanned += f.RectifyPlanned
		s.RectifyDone += f.RectifyDone
		s.Satisfied += f.Satisfied
		s.Basic += f.Basic
		s.Unsatisfied += f.Unsatisfied
		s.replyDays = append(s.replyDays, f.replyDays...)
	}
	s.MedianReplyDays = median(s.replyDays)
	return s
}

func addPeriod(a, b PeriodFigures) PeriodFigures {
	a.OnTime += b.OnTime
	a.Late += b.Late
	a.Overdue += b.Overdue
	a.Waived += b.Waived
	a.Pending += b.Pending
	if a.FirstOverdue == 0 {
		a.FirstOverdue = b.FirstOverdue
	}
	return a
}

// SchoolReportFigures returns the school's figures of the days from through
// to (Beijing dates, inclusive), in four queries. They are read by the
// school's leadership, so they leave out the reports about the leadership,
// which go to the bureau past the school: counting them here would tell
// the people reported on that a report came in, and when.
func (db *DB) SchoolReportFigures(ctx context.Context, schoolID int64, from, to time.Time) (ReportFigures, error) {
	fs, err := db.reportFigures(ctx, "x.school_id = $1",
		`SELECT s.id, s.slug, s.name, b.region_code FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID, from, to,
		" AND NOT (x.kind = 'report' AND x.about = 'leadership')")
	if err != nil {
		return ReportFigures{}, err
	}
	if len(fs) == 0 {
		return ReportFigures{}, notFound("学校")
	}
	return fs[0], nil
}

// BureauReportFigures returns the figures of every school of the bureau,
// by school name, of the days from through to (inclusive), in four queries
// whatever the number of schools.
func (db *DB) BureauReportFigures(ctx context.Context, bureauID int64, from, to time.Time) ([]ReportFigures, error) {
	return db.reportFigures(ctx, "x.school_id IN (SELECT id FROM schools WHERE bureau_id = $1)",
		`SELECT s.id, s.slug, s.name, b.region_code FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.bureau_id = $1 ORDER BY s.name, s.id`, bureauID, from, to, "")
}

// reportFigures computes the figures of the schools the scope condition
// (on the alias x, with its argument at $1) selects; feedbackCond, a
// constant of the callers, narrows the feedback counted.
func (db *DB) reportFigures(ctx context.Context, scope, schoolsQuery string, key int64, from, to time.Time, feedbackCond string) ([]ReportFigures, error) {
	q := &reportQuery{db: db, scope: scope, key: key, from: dayStart(from), to: dayStart(to), index: map[int64]int{}}
	region, err := q.schools(ctx, schoolsQuery)
	if err != nil || len(q.out) == 0 {
		return nil, err
	}
	cal, err := db.Calendar(ctx, region)
	if err != nil {
		return nil, err
	}
	if err := q.disclosures(ctx); err != nil {
		return nil, err
	}
	if err := q.obligations(ctx, cal, db.Now()); err != nil {
		return nil, err
	}
	if err := q.feedback(ctx, cal, feedbackCond); err != nil {
		return nil, err
	}
	for i := range q.out {
		q.out[i].MedianReplyDays = median(q.out[i].replyDays)
	}
	return q.out, nil
}

// reportQuery computes the figures of a set of schools, one query for
// each kind of thing counted.
type reportQuery struct {
	db       *DB
	scope    string // the condition on x that selects the schools, its argument at $1
	key      int64
	from, to time.Time // Beijing days, both included
	index    map[int64]int
	out      []ReportFigures
}

// schools reads the schools counted and returns the region of their
// bureau, for its work calendar.
func (q *reportQuery) schools(ctx context.Context, query string) (string, error) {
	rows, err := q.db.read.QueryContext(ctx, query, q.key)
	if err != nil {
		return "", fmt.Errorf("store: report schools: %w", err)
	}
	defer rows.Close()
	region := ""
	for rows.Next() {
		f := newReportFigures()
		if err := rows.Scan(&f.SchoolID, &f.Slug, &f.Name, &region); err != nil {
			return "", err
		}
		q.index[f.SchoolID] = len(q.out)
		q.out = append(q.out, f)
	}
	return region, rows.Err()
}

// period is the bounds of the period as stored moments: created or
// published from the first day, before the day after the last.
func (q *reportQuery) period() (from, to int64) { return ms(q.from), ms(q.to.AddDate(0, 0, 1)) }

// each runs a query whose first column is the school id, scans the other
// columns into dest and adds the row to its school's figures.
func (q *reportQuery) each(ctx context.Context, what, query string, args, dest []any, add func(f *ReportFigures)) error {
	rows, err := q.db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: report %s: %w", what, err)
	}
	defer rows.Close()
	var school int64
	for rows.Next() {
		if err := rows.Scan(append([]any{&school}, dest...)...); err != nil {
			return fmt.Errorf("store: report %s: %w", what, err)
		}
		if i, ok := q.index[school]; ok {
			add(&q.out[i])
		}
	}
	return rows.Err()
}

// disclosures counts the items first published in the period.
func (q *reportQuery) disclosures(ctx context.Context) error {
	from, to := q.period()
	var category, audience, channels, state string
	var revised, n int
	return q.each(ctx, "disclosures", `SELECT x.school_id, x.category, x.audience, x.channels, x.state, CASE WHEN x.version > 1 THEN 1 ELSE 0 END, COUNT(*)
		FROM disclosures x WHERE `+q.scope+` AND x.published_at >= $2 AND x.published_at < $3
		GROUP BY x.school_id, x.category, x.audience, x.channels, x.state, CASE WHEN x.version > 1 THEN 1 ELSE 0 END`,
		[]any{q.key, from, to}, []any{&category, &audience, &channels, &state, &revised, &n}, func(f *ReportFigures) {
			f.Published += n
			f.ByCategory[category] += n
			f.ByAudience[gongkai.Audience(audience)] += n
			for _, c := range strings.Split(channels, ",") {
				if c != "" {
					f.ByChannel[gongkai.Channel(c)] += n
				}
			}
			if state == string(gongkai.StateWithdrawn) {
				f.Withdrawn += n
			}
			if revised == 1 {
				f.Revised += n
			}
		})
}

// obligations counts the obligations due in the period by their state now.
func (q *reportQuery) obligations(ctx context.Context, cal *gongkai.WorkCalendar, now time.Time) error {
	var obID, met int64
	var code, due string
	var waived bool
	return q.each(ctx, "obligations", `SELECT x.school_id, x.id, x.catalogue_code, x.due, x.met_at, x.waived
		FROM obligations x WHERE `+q.scope+` AND x.due >= $2 AND x.due <= $3 ORDER BY x.due, x.id`,
		[]any{q.key, formatDay(q.from), formatDay(q.to)}, []any{&obID, &code, &due, &met, &waived}, func(f *ReportFigures) {
			st := gongkai.ObligationStateAt(cal, parseDay(due), fromMS(met), waived, now)
			f.Obligations.add(obID, st)
			p := f.ByItem[code]
			p.add(obID, st)
			f.ByItem[code] = p
		})
}

// reportCase is what the report counts of a feedback case.
type reportCase struct {
	kind, state, due, rectifyDue, rating string
	created, replied                     int64
	escalated                            bool
}

// feedback counts the feedback received in the period.
func (q *reportQuery) feedback(ctx context.Context, cal *gongkai.WorkCalendar, cond string) error {
	from, to := q.period()
	var c reportCase
	return q.each(ctx, "feedback", `SELECT x.school_id, x.kind, x.state, x.due, x.created_at, x.replied_at, x.rectify_due, x.escalated, x.rating
		FROM feedback_cases x WHERE `+q.scope+` AND x.created_at >= $2 AND x.created_at < $3`+cond,
		[]any{q.key, from, to}, []any{&c.kind, &c.state, &c.due, &c.created, &c.replied, &c.rectifyDue, &c.escalated, &c.rating},
		func(f *ReportFigures) { f.addCase(c, cal) })
}

// addCase counts a case received in the period: by kind, how and when it
// was answered, how a disclosure request ended, its rectification and
// the sender's rating.
func (f *ReportFigures) addCase(c reportCase, cal *gongkai.WorkCalendar) {
	k, st := gongkai.FeedbackKind(c.kind), gongkai.FeedbackState(c.state)
	g := f.Feedback[k]
	g.Received++
	if c.replied != 0 {
		// replied_at is the first answer: a reply, or a refusal.
		g.Answered++
		if c.due == "" || formatDay(fromMS(c.replied)) <= c.due {
			g.OnTime++
		}
		f.replyDays = append(f.replyDays, cal.WorkdaysBetween(fromMS(c.created), fromMS(c.replied)))
	}
	if st.Open() {
		g.Open++
	}
	if c.escalated {
		g.Escalated++
	}
	f.Feedback[k] = g
	if k == gongkai.KindRequest {
		f.Requests.Received++
		switch st {
		case gongkai.FeedbackDeclined:
			f.Requests.Refused++
		case gongkai.FeedbackReplied, gongkai.FeedbackRectifying, gongkai.FeedbackRectified, gongkai.FeedbackClosed:
			f.Requests.Granted++
		default:
			f.Requests.Pending++
		}
	}
	if c.rectifyDue != "" {
		f.RectifyPlanned++
		if st == gongkai.FeedbackRectified || st == gongkai.FeedbackClosed {
			f.RectifyDone++
		}
	}
	switch gongkai.Rating(c.rating) {
	case gongkai.RatingSatisfied:
		f.Satisfied++
	case gongkai.RatingBasic:
		f.Basic++
	case gongkai.RatingUnsatisfied:
		f.Unsatisfied++
	}
}

// dayStart is midnight in Beijing of the Beijing date of t.
func dayStart(t time.Time) time.Time {
	y, m, d := t.In(gongkai.Beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, gongkai.Beijing)
}

// AnnualReport is what is stored of a school's annual report: the
// paragraphs people wrote and the disclosure it was published as.
type AnnualReport struct {
	SchoolID int64
	Year     int
	gongkai.ReportText
	DisclosureID    int64
	DisclosureTitle string
	DisclosureState gongkai.State
	UpdatedByName   string
	UpdatedAt       time.Time
}

// FindAnnualReport returns the school's report of the year; a report
// nobody wrote yet comes back empty, not as an error.
func (db *DB) FindAnnualReport(ctx context.Context, schoolID int64, year int) (*AnnualReport, error) {
	r := &AnnualReport{SchoolID: schoolID, Year: year}
	var state string
	var updated int64
	err := db.read.QueryRowContext(ctx, `SELECT a.summary, a.problems, a.other, COALESCE(a.disclosure_id, 0), COALESCE(d.title, ''), COALESCE(d.state, ''),
		COALESCE(u.display_name, ''), a.updated_at
		FROM annual_reports a LEFT JOIN disclosures d ON d.id = a.disclosure_id LEFT JOIN users u ON u.id = a.updated_by
		WHERE a.school_id = $1 AND a.year = $2`, schoolID, year).
		Scan(&r.Summary, &r.Problems, &r.Other, &r.DisclosureID, &r.DisclosureTitle, &state, &r.UpdatedByName, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: report %d of school %d: %w", year, schoolID, err)
	}
	r.DisclosureState, r.UpdatedAt = gongkai.State(state), fromMS(updated)
	return r, nil
}

// SaveReportText saves the paragraphs the principal wrote for the year.
// Errors: EFORBIDDEN for whoever is not the principal, EINVALID (fields
// summary, problems, other) for text that fails gongkai.ReportText.Validate.
func (db *DB) SaveReportText(ctx context.Context, schoolID int64, actor *gongkai.Actor, year int, t gongkai.ReportText) error {
	if !gongkai.CanEditReport(actor, schoolID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "年度报告由校长撰写。")
	}
	if !gongkai.ValidReportYear(year, db.Now().In(gongkai.Beijing).Year()) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO annual_reports (school_id, year, summary, problems, other, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (school_id, year) DO UPDATE SET summary = excluded.summary, problems = excluded.problems, other = excluded.other,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			schoolID, year, t.Summary, t.Problems, t.Other, actor.ID, ms(tx.Now))
		if err != nil {
			return fmt.Errorf("store: save report %d of school %d: %w", year, schoolID, err)
		}
		return nil
	})
}

// PublishReport makes the year's report a draft disclosure d (its title and
// Markdown body made by the caller from the figures) and links it to the
// report, in one transaction; the normal procedure then takes the draft
// to publication. Errors: EFORBIDDEN for whoever is not the principal,
// ENOTFOUND for a year before 2000 or after this one, ECONFLICT when the
// report already has its disclosure (one that is not withdrawn), EINVALID
// for a draft that fails ValidateDraft.
func (db *DB) PublishReport(ctx context.Context, schoolID int64, actor *gongkai.Actor, year int, d *gongkai.Disclosure) error {
	if !gongkai.CanEditReport(actor, schoolID) || !gongkai.CanCreateDisclosure(actor, schoolID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "年度报告由校长发布。")
	}
	if !gongkai.ValidReportYear(year, db.Now().In(gongkai.Beijing).Year()) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	normalize(d)
	if err := d.ValidateDraft(); err != nil {
		return err
	}
	return db.withTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO annual_reports (school_id, year, updated_by, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (school_id, year) DO NOTHING`, schoolID, year, actor.ID, ms(tx.Now)); err != nil {
			return fmt.Errorf("store: report %d of school %d: %w", year, schoolID, err)
		}
		var linked int64
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(a.disclosure_id, 0), COALESCE(d.state, '') FROM annual_reports a
			LEFT JOIN disclosures d ON d.id = a.disclosure_id WHERE a.school_id = $1 AND a.year = $2`+tx.db.dialect.forUpdateOf("a"),
			schoolID, year).Scan(&linked, &state); err != nil {
			return fmt.Errorf("store: lock report %d of school %d: %w", year, schoolID, err)
		}
		if linked != 0 && gongkai.State(state) != gongkai.StateWithdrawn {
			return gongkai.Errorf(gongkai.ECONFLICT, "该年度报告已生成公开事项，请在该事项中修改或修订。")
		}
		if err := tx.createDraft(ctx, schoolID, actor, d); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE annual_reports SET disclosure_id = $1 WHERE school_id = $2 AND year = $3`, d.ID, schoolID, year)
		return err
	})
}
