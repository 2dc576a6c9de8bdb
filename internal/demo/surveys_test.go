package demo

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestLoad_surveys checks the demo's surveys: every school has last term's
// satisfaction survey closed with enough responses, their scores differ so
// the bureau can rank them, xiangqian's results are a published disclosure,
// and xiangqian's parent and teacher have an open survey to answer; a
// second load adds nothing.
func TestLoad_surveys(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, gongkai.Beijing)
	db, err := store.Open(ctx, testdb.New(t, "sqlite"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		t.Fatal(err)
	}
	blobs, err := files.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := Load(ctx, db, blobs, now); err != nil {
			t.Fatal(err)
		}
	}
	db.Now = func() time.Time { return now }
	bureau, err := db.FindSchoolBySlug(ctx, "xiangqian")
	if err != nil {
		t.Fatal(err)
	}
	scores, err := db.SurveyScores(ctx, bureau.BureauID, now.AddDate(-1, 0, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[float64]bool{}
	for _, ss := range Schools() {
		school, _ := db.FindSchoolBySlug(ctx, ss.Slug)
		sc := scores[school.ID]
		if sc.Surveys != 1 || sc.Responses < gongkai.MinSurveyResponses || sc.Score < 0 {
			t.Errorf("%s: score %+v", ss.Slug, sc)
		}
		seen[sc.Score] = true
		list, err := db.FindSurveys(ctx, school.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if ss.Slug == "xiangqian" {
			want = 2
		}
		if len(list) != want {
			t.Errorf("%s has %d surveys after two loads, want %d", ss.Slug, len(list), want)
		}
		for _, s := range list {
			if s.Kind == gongkai.SurveySatisfaction && s.Status(now) != gongkai.SurveyStatusClosed {
				t.Errorf("%s: last term's survey is %s", ss.Slug, s.Status(now))
			}
			if ss.Slug == "xiangqian" && s.Kind == gongkai.SurveySatisfaction {
				d, err := db.FindDisclosureByID(ctx, school.ID, s.DisclosureID)
				if err != nil || !d.Published() {
					t.Errorf("xiangqian's results are not published: %v", err)
				}
			}
		}
	}
	if len(seen) != len(Schools()) {
		t.Errorf("the schools' scores do not differ: %v", scores)
	}
	for _, login := range []string{"xiangqian.parent", "xiangqian.teacher"} {
		u, _, err := db.FindUserForLogin(ctx, login)
		if err != nil {
			t.Fatal(err)
		}
		a, err := db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		open, err := db.FindOpenSurveysFor(ctx, a)
		if err != nil || len(open) != 1 || open[0].Responses >= gongkai.MinSurveyResponses {
			t.Errorf("%s's open surveys: %v, %v", login, open, err)
		}
	}
}
