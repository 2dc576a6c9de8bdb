package demo

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// truthMoments are the days the consistency test loads the demo on: today,
// and days on which a careless generator slips: the summer holiday, 1 and 2
// January, the Spring Festival, the day after the National Day holiday, a
// Monday before office hours.
func truthMoments() []time.Time {
	return []time.Time{
		time.Now().In(gongkai.Beijing),
		time.Date(2026, 8, 5, 10, 20, 0, 0, gongkai.Beijing),
		time.Date(2026, 1, 1, 11, 0, 0, 0, gongkai.Beijing),
		time.Date(2027, 1, 2, 9, 30, 0, 0, gongkai.Beijing),
		time.Date(2026, 2, 18, 10, 0, 0, 0, gongkai.Beijing),
		time.Date(2026, 10, 8, 15, 0, 0, 0, gongkai.Beijing),
		time.Date(2026, 3, 2, 7, 30, 0, 0, gongkai.Beijing),
	}
}

// TestLoad_tellsTheTruth loads the demo county on several days and compares
// what a bureau would compare: the board, the obligations page, the
// reminders, the dashboard, the annual report, the self-inspections and the
// supervision orders. On PostgreSQL it loads it once, today.
func TestLoad_tellsTheTruth(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		for i, now := range truthMoments() {
			if dialect != "sqlite" && i > 0 {
				break
			}
			t.Run(dialect+"/"+now.Format("2006-01-02T15:04"), func(t *testing.T) {
				ctx := context.Background()
				db := loadDemo(t, dialect, now)
				checkTruth(ctx, t, db, now)
			})
		}
	}
}

func loadDemo(t *testing.T, dialect string, now time.Time) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testdb.New(t, dialect), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		t.Fatal(err)
	}
	blobs, err := files.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := Load(ctx, db, blobs, now); err != nil {
		t.Fatalf("load: %v", err)
	}
	db.Now = func() time.Time { return now }
	return db
}

// periodPattern recognises a title that names the period of a catalogue
// item's obligation: the month, quarter or term by its label, a year as
// "2026年", "2026—2027学年" or "（2026年）" but not "2025—2026".
func periodPattern(o *gongkai.Obligation) *regexp.Regexp {
	if y, ok := strings.CutSuffix(o.PeriodLabel, "年度"); ok {
		return regexp.MustCompile(`(^|[^0-9—])` + y + `(年|—)`)
	}
	if o.CatalogueCode == "monthly-finance" {
		return regexp.MustCompile("^关于" + regexp.QuoteMeta(o.PeriodLabel) + "份财务收支情况的公示$")
	}
	return regexp.MustCompile(regexp.QuoteMeta(o.PeriodLabel))
}

var statementTitle = regexp.MustCompile(`^关于([0-9]{4})年([0-9]{1,2})月份财务收支情况的公示$`)

func checkTruth(ctx context.Context, t *testing.T, db *store.DB, now time.Time) {
	cal, err := db.Calendar(ctx, "CN")
	if err != nil {
		t.Fatal(err)
	}
	bureaus, err := db.FindBureaus(ctx)
	if err != nil || len(bureaus) != 1 {
		t.Fatalf("bureaus: %v, %v", bureaus, err)
	}
	if b := bureaus[0]; b.DivisionCode != Bureau().DivisionCode || b.Phone == "" || b.ICP == "" || b.PSB == "" || b.Sponsor == "" || b.Address == "" {
		t.Errorf("the bureau's particulars were not stored: %+v", b)
	}
	dash, err := db.Dashboard(ctx, bureaus[0].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	figures := map[int64]store.SchoolFigures{}
	for _, f := range dash {
		figures[f.SchoolID] = f
	}
	subjects := map[string]string{}
	for _, ss := range Schools() {
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			t.Fatal(err)
		}
		name := ss.Slug
		if school.CreditCode != ss.CreditCode || school.Stage != ss.Stage || school.Guide != ss.Guide || school.OfficeHours == "" || school.AidPhone == "" || school.AdmissionPhone == "" {
			t.Errorf("%s: particulars not stored: %q %q %q", name, school.CreditCode, school.Stage, school.OfficeHours)
		}
		items := allItems(ctx, t, db, school.ID)
		byID := map[int64]*gongkai.Disclosure{}
		titles := map[string]int64{}
		for _, d := range items {
			byID[d.ID] = d
			if !d.Published() {
				continue
			}
			if other, ok := titles[d.Title]; ok {
				t.Errorf("%s: two published items titled %q (%d and %d)", name, d.Title, other, d.ID)
			}
			titles[d.Title] = d.ID
			if d.PublishedAt.After(now) || d.CreatedAt.After(now) {
				t.Errorf("%s: %q created %s, published %s, after now %s", name, d.Title, d.CreatedAt, d.PublishedAt, now)
			}
			if !cal.IsWorkday(d.PublishedAt) {
				t.Errorf("%s: %q published on %s, not a working day", name, d.Title, d.PublishedAt.Format("2006-01-02 Mon"))
			}
		}
		postings := checkPostings(ctx, t, db, school, items, figures[school.ID], now)
		obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{})
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]*gongkai.Obligation{}
		overdue, dueSoon := map[int64]bool{}, map[int64]bool{}
		for _, o := range obs {
			byKey[dutyKey(o.CatalogueCode, o.PeriodKey)] = o
			if o.CatalogueCode == paperCatalogue && o.Channel != gongkai.ChannelBoard && !o.Waived && o.MetAt.IsZero() {
				t.Errorf("%s: the open obligation %s %s does not name the board", name, o.CatalogueName, o.PeriodLabel)
			}
			pattern := periodPattern(o)
			switch o.State {
			case gongkai.ObOverdue:
				overdue[o.ID] = true
				// Nothing on the board for the period: neither an item of
				// the catalogue item nor, for statements, any statement.
				for _, d := range items {
					if d.Published() && (d.CatalogueCode == o.CatalogueCode || o.CatalogueCode == "monthly-finance" && d.Category == "finance") && pattern.MatchString(d.Title) {
						t.Errorf("%s: %s %s is overdue, but the board shows %q", name, o.CatalogueName, o.PeriodLabel, d.Title)
					}
				}
			case gongkai.ObDueSoon:
				dueSoon[o.ID] = true
			case gongkai.ObOnTime, gongkai.ObLate:
				// Met by the item the board shows for it: a full item of
				// the period, published when the obligation says, not a stub.
				d := byID[o.DisclosureID]
				switch {
				case d == nil:
					t.Errorf("%s: %s %s met by no item", name, o.CatalogueName, o.PeriodLabel)
				case !d.Published() || d.CatalogueCode != o.CatalogueCode || !pattern.MatchString(d.Title):
					t.Errorf("%s: %s %s met by %q (%s, catalogue %q)", name, o.CatalogueName, o.PeriodLabel, d.Title, d.State, d.CatalogueCode)
				case !gongkai.ChannelMetAt(o.Channel, d.PublishedAt, postings[d.ID]).Equal(o.MetAt):
					t.Errorf("%s: %s %s (%s) met at %s, its item published at %s with postings %+v", name, o.CatalogueName, o.PeriodLabel, o.Channel, o.MetAt, d.PublishedAt, postings[d.ID])
				default:
					full, err := db.FindDisclosureByID(ctx, school.ID, d.ID)
					if err != nil {
						t.Fatal(err)
					}
					if n := utf8.RuneCountInString(full.Body); n < 150 {
						t.Errorf("%s: %s %s met by a stub of %d characters: %q", name, o.CatalogueName, o.PeriodLabel, n, full.Body)
					}
				}
			}
			if !o.MetAt.IsZero() && o.MetAt.After(now) || !o.WaivedAt.IsZero() && o.WaivedAt.After(now) {
				t.Errorf("%s: %s %s met or waived after now", name, o.CatalogueName, o.PeriodLabel)
			}
			if o.Waived {
				for _, d := range items {
					if d.Published() && d.CatalogueCode == o.CatalogueCode && pattern.MatchString(d.Title) {
						t.Errorf("%s: %s %s waived (%s), but the board shows %q", name, o.CatalogueName, o.PeriodLabel, o.WaiveReason, d.Title)
					}
				}
			}
		}
		// Every published monthly statement meets its month, when the
		// calendar has that month.
		for _, d := range items {
			m := statementTitle.FindStringSubmatch(d.Title)
			if m == nil || !d.Published() {
				continue
			}
			month, _ := strconv.Atoi(m[2])
			o := byKey[dutyKey("monthly-finance", fmt.Sprintf("%s-%02d", m[1], month))]
			if o != nil && o.DisclosureID != d.ID {
				t.Errorf("%s: %q does not meet %s %s (met by %d, %s)", name, d.Title, o.CatalogueName, o.PeriodLabel, o.DisclosureID, o.State)
			}
		}

		// The reminders name exactly what is overdue and due soon.
		events, err := db.FindEvents(ctx, school.ID, time.Time{}, gongkai.EventObligationOverdue, gongkai.EventObligationDueSoon)
		if err != nil {
			t.Fatal(err)
		}
		reminded := map[gongkai.EventType]map[int64]bool{gongkai.EventObligationOverdue: {}, gongkai.EventObligationDueSoon: {}}
		for _, e := range events {
			reminded[e.Type][e.Subject] = true
		}
		if !sameSet(reminded[gongkai.EventObligationOverdue], overdue) || !sameSet(reminded[gongkai.EventObligationDueSoon], dueSoon) {
			t.Errorf("%s: reminded overdue %v and due soon %v; the calendar has overdue %v and due soon %v",
				name, reminded[gongkai.EventObligationOverdue], reminded[gongkai.EventObligationDueSoon], overdue, dueSoon)
		}

		// The dashboard counts what the obligations page lists.
		f := figures[school.ID]
		for _, p := range store.DashPeriods {
			from, to, _ := p.Bounds(now)
			var want store.PeriodFigures
			for _, o := range obs {
				if o.Due.Before(from) || o.Due.After(to) {
					continue
				}
				switch o.State {
				case gongkai.ObOnTime:
					want.OnTime++
				case gongkai.ObLate:
					want.Late++
				case gongkai.ObOverdue:
					want.Overdue++
				case gongkai.ObWaived:
					want.Waived++
				}
			}
			got := f.Period(p)
			if got.OnTime != want.OnTime || got.Late != want.Late || got.Overdue != want.Overdue || got.Waived != want.Waived {
				t.Errorf("%s: dashboard %s shows %d on time, %d late, %d overdue, %d waived; the calendar has %d, %d, %d, %d",
					name, p, got.OnTime, got.Late, got.Overdue, got.Waived, want.OnTime, want.Late, want.Overdue, want.Waived)
			}
		}

		// The annual report counts the items of the year on the board.
		year := now.Year()
		rep, err := db.SchoolReportFigures(ctx, school.ID, time.Date(year, 1, 1, 0, 0, 0, 0, gongkai.Beijing), time.Date(year, 12, 31, 0, 0, 0, 0, gongkai.Beijing))
		if err != nil {
			t.Fatal(err)
		}
		published, byCategory := 0, map[string]int{}
		for _, d := range items {
			if d.Published() && d.PublishedAt.Year() == year {
				published++
				byCategory[d.Category]++
			}
		}
		if rep.Published != published {
			t.Errorf("%s: the %d report counts %d items published, the board %d", name, year, rep.Published, published)
		}
		for c, n := range byCategory {
			if rep.ByCategory[c] != n {
				t.Errorf("%s: the %d report counts %d items of %s, the board %d", name, year, rep.ByCategory[c], c, n)
			}
		}

		// Last term's self-inspection finds what the calendar shows: an
		// item published late or not by then is not marked 符合.
		checkInspection(ctx, t, db, school.ID, name, now)

		// The supervision order about an overdue obligation names one
		// that was overdue when issued and is not met since without it.
		orders, _, err := db.FindOrders(ctx, bureaus[0].ID, store.OrderFilter{SchoolID: school.ID, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range orders {
			if !cal.IsWorkday(o.CreatedAt) || o.CreatedAt.After(now) {
				t.Errorf("%s: order %q issued %s", name, o.Title, o.CreatedAt.Format("2006-01-02 Mon 15:04"))
			}
			if o.ObligationID == 0 {
				continue
			}
			ob, err := db.FindObligation(ctx, school.ID, o.ObligationID)
			if err != nil {
				t.Fatal(err)
			}
			if !gongkai.PeriodOver(ob.Due, o.CreatedAt) || ob.State != gongkai.ObOverdue && ob.MetAt.Before(o.CreatedAt) {
				t.Errorf("%s: order %q issued %s about %s %s due %s (%s)", name, o.Title, o.CreatedAt, ob.CatalogueName, ob.PeriodLabel, ob.Due, ob.State)
			}
		}

		// Feedback differs from school to school.
		cases, _, err := db.FindFeedback(ctx, 0, school.ID, store.FeedbackFilter{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			if other, ok := subjects[c.Subject]; ok && other != ss.Slug {
				t.Errorf("%s and %s both have a case %q", other, ss.Slug, c.Subject)
			}
			subjects[c.Subject] = ss.Slug
			if c.CreatedAt.After(now) {
				t.Errorf("%s: case %q received %s, after now", name, c.Subject, c.CreatedAt)
			}
		}
	}
}

func checkInspection(ctx context.Context, t *testing.T, db *store.DB, schoolID int64, name string, now time.Time) {
	t.Helper()
	term := gongkai.TermOf(now).Prev()
	in, err := db.FindInspection(ctx, schoolID, term)
	if err != nil {
		t.Fatalf("%s: inspection of %s: %v", name, term.Label(), err)
	}
	from, _ := term.Bounds()
	at := in.SubmittedAt
	if cal := workCalendar(); !cal.IsWorkday(at) || at.After(now) {
		t.Errorf("%s: the %s self-inspection submitted %s", name, term.Label(), at.Format("2006-01-02 Mon"))
	}
	obs, err := db.FindObligations(ctx, schoolID, store.ObligationFilter{From: from, To: at})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range obs {
		if o.Waived || !gongkai.PeriodOver(o.Due, at) {
			continue
		}
		if !o.MetAt.IsZero() && !o.MetAt.After(at) && !dayOf(o.MetAt).After(o.Due) {
			continue // on time
		}
		for _, c := range gongkai.DefaultChecklist {
			codes, ok := strings.CutPrefix(c.Evidence, "obligations:")
			if c.Evidence != "obligations" && (!ok || !strings.Contains(","+codes+",", ","+o.CatalogueCode+",")) {
				continue
			}
			if a := in.Answer(c.Code); a.Verdict == gongkai.VerdictMet {
				t.Errorf("%s: the %s self-inspection marks %q 符合, but %s %s (due %s) was met %s", name, term.Label(), c.Title,
					o.CatalogueName, o.PeriodLabel, o.Due.Format("2006-01-02"), o.MetAt.Format("2006-01-02"))
			}
		}
	}
}

func allItems(ctx context.Context, t *testing.T, db *store.DB, schoolID int64) []*gongkai.Disclosure {
	t.Helper()
	var out []*gongkai.Disclosure
	for page := 1; ; page++ {
		items, total, err := db.FindDisclosures(ctx, schoolID, store.DisclosureFilter{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if page*100 >= total {
			return out
		}
	}
}

func sameSet(a, b map[int64]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}
