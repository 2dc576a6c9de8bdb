package store_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// ratedSchool adds a school to the fixture's bureau with a supervisor and
// n parents, and opens a one-question satisfaction survey there that every
// parent answers with rating r. It returns the school.
func ratedSchool(t *testing.T, f *fixture, slug string, n, r int) *gongkai.School {
	t.Helper()
	ctx := context.Background()
	s := &gongkai.School{BureauID: f.bureau.ID, Slug: slug, Name: "测评小学" + slug}
	if err := f.db.CreateSchool(ctx, s, []string{"办公室"}); err != nil {
		t.Fatal(err)
	}
	member := func(name string, role gongkai.Role) *gongkai.Actor {
		u := &gongkai.User{Username: name, DisplayName: name}
		if err := f.db.CreateMember(ctx, s.ID, u, "x", []gongkai.Role{role}, 0); err != nil {
			t.Fatal(err)
		}
		a, err := f.db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	sup := member(slug+"-sup", gongkai.RoleSupervisor)
	sv := &gongkai.Survey{Kind: gongkai.SurveySatisfaction, Title: "满意度", Audience: gongkai.SurveyForParents, OpensOn: f.now, ClosesOn: f.now.AddDate(0, 0, 7),
		Questions: []gongkai.SurveyQuestion{{Kind: gongkai.QuestionRating, Text: "总体满意度", Required: true}}}
	if err := f.db.CreateSurvey(ctx, s.ID, sup, sv); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SurveyAct(ctx, s.ID, sv.ID, sup, gongkai.SurveyStart); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p := member(fmt.Sprintf("%s-p%d", slug, i), gongkai.RoleParent)
		if err := f.db.AnswerSurvey(ctx, s.ID, sv.ID, p, []gongkai.SurveyAnswer{{Position: 1, Choices: []int{r}}}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// TestSurveyScores_fixedQueries: the bureau's scores are read in the same
// number of queries whatever the number of schools (they were one query
// per school), and agree with each school's own score.
func TestSurveyScores_fixedQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		from, to := f.now.AddDate(0, -1, 0), f.now.AddDate(0, 1, 0)
		few := ratedSchool(t, f, "few", 4, 5) // too few responses to count
		f.now = f.now.AddDate(0, 0, 8)
		count := store.CountReads(t, f.db)
		if _, err := f.db.SurveyScores(ctx, f.bureau.ID, from, to); err != nil {
			t.Fatal(err)
		}
		small := count()

		f.now = f.now.AddDate(0, 0, -8)
		want := map[*gongkai.School]float64{}
		for i, r := range []int{5, 4, 3, 2, 1, 4} {
			want[ratedSchool(t, f, fmt.Sprintf("s%d", i), 5+i, r)] = float64(r-1) / 4 * 100
		}
		f.now = f.now.AddDate(0, 0, 8)
		before := count()
		scores, err := f.db.SurveyScores(ctx, f.bureau.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if large := count() - before; large != small || large > 2 {
			t.Errorf("SurveyScores ran %d queries for 9 schools and %d for 3, want the same and at most 2", large, small)
		}
		if len(scores) != 9 {
			t.Errorf("%d schools scored, want every school of the bureau (9)", len(scores))
		}
		for s, w := range want {
			got := scores[s.ID]
			if got.Surveys != 1 || math.Abs(got.Score-w) > 1e-9 {
				t.Errorf("%s: %+v, want score %v", s.Slug, got, w)
			}
			if one, err := f.db.SchoolSurveyScore(ctx, s.ID, from, to); err != nil || one != got {
				t.Errorf("%s alone: %+v, %v; in the bureau: %+v", s.Slug, one, err, got)
			}
		}
		for _, s := range []*gongkai.School{few, f.school, f.other} {
			if got := scores[s.ID]; got.Surveys != 0 || got.Responses != 0 || got.Score != -1 {
				t.Errorf("%s has no survey that counts: %+v", s.Slug, got)
			}
		}
	})
}

// TestSurveys_listsInFixedQueries: the API's list of a school's surveys
// with their questions, and the work page's open surveys of a member of
// several schools, are read in the same number of queries however many
// surveys and schools there are (they were one or two queries per survey
// and per school).
func TestSurveys_listsInFixedQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		sup := f.actors[gongkai.RoleSupervisor]
		mk := func() *gongkai.Survey {
			s := gongkai.DefaultSurvey(f.school.ID, f.now)
			if err := f.db.CreateSurvey(ctx, f.school.ID, sup, s); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.SurveyAct(ctx, f.school.ID, s.ID, sup, gongkai.SurveyStart); err != nil {
				t.Fatal(err)
			}
			return s
		}
		// A parent of both schools.
		u := &gongkai.User{Username: "both-parent", DisplayName: "两校家长"}
		if err := f.db.CreateMember(ctx, f.school.ID, u, "x", []gongkai.Role{gongkai.RoleParent}, 0); err != nil {
			t.Fatal(err)
		}
		parentOne, err := f.db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		mk()
		count := store.CountReads(t, f.db)
		list := func() ([]*gongkai.Survey, int64) {
			before := count()
			all, err := f.db.FindSurveysWithQuestions(ctx, f.school.ID)
			if err != nil {
				t.Fatal(err)
			}
			return all, count() - before
		}
		open := func(a *gongkai.Actor) ([]*gongkai.Survey, int64) {
			before := count()
			got, err := f.db.FindOpenSurveysFor(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			return got, count() - before
		}
		_, few := list()
		_, oneSchool := open(parentOne)
		for range 4 {
			mk()
		}
		if err := f.db.SetMemberRoles(ctx, f.other.ID, u.ID, []gongkai.Role{gongkai.RoleParent}, 0); err != nil {
			t.Fatal(err)
		}
		parentTwo, err := f.db.LoadActor(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		all, many := list()
		if many != few || many > 2 {
			t.Errorf("FindSurveysWithQuestions: %d queries for 5 surveys, %d for 1; want the same, at most 2", many, few)
		}
		if len(all) != 5 {
			t.Fatalf("%d surveys, want 5", len(all))
		}
		for _, s := range all {
			one, err := f.db.FindSurveyByID(ctx, f.school.ID, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Questions) != 8 || fmt.Sprint(s.Questions) != fmt.Sprint(one.Questions) {
				t.Errorf("survey %d: questions %v, want %v", s.ID, s.Questions, one.Questions)
			}
		}
		got, twoSchools := open(parentTwo)
		if twoSchools != oneSchool || twoSchools > 1 {
			t.Errorf("FindOpenSurveysFor: %d queries for a member of two schools, %d of one; want one", twoSchools, oneSchool)
		}
		if len(got) != 5 {
			t.Errorf("%d open surveys for the parent, want 5", len(got))
		}
	})
}

// TestIssueOrders_fixedQueries: issuing an order to many schools reads
// the orders back in the same number of queries as for one school (it was
// two queries per school), with their numbers in sequence and their trails.
func TestIssueOrders_fixedQueries(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustOrderFixture(t, dsn)
		schools := []int64{f.school.ID, f.other.ID}
		for i := range 4 {
			s := &gongkai.School{BureauID: f.bureau.ID, Slug: fmt.Sprintf("o%d", i), Name: fmt.Sprintf("督办小学%d", i)}
			if err := f.db.CreateSchool(ctx, s, []string{"办公室"}); err != nil {
				t.Fatal(err)
			}
			schools = append(schools, s.ID)
		}
		count := store.CountReads(t, f.db)
		issue := func(ids []int64) ([]*gongkai.Order, int64) {
			before := count()
			orders, err := f.db.IssueOrders(ctx, f.bureau.ID, f.admin, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: "关于报送自查报告的通知", Body: "请报送。", Workdays: 5, SchoolIDs: ids})
			if err != nil {
				t.Fatal(err)
			}
			return orders, count() - before
		}
		issue(schools[:1]) // fills the calendar's cache
		_, one := issue(schools[:1])
		orders, many := issue(schools)
		if many != one {
			t.Errorf("IssueOrders read in %d queries for %d schools and %d for one; want the same", many, len(schools), one)
		}
		if len(orders) != len(schools) {
			t.Fatalf("%d orders, want %d", len(orders), len(schools))
		}
		for i, o := range orders {
			want, err := f.db.FindOrderByID(ctx, schools[i], o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if o.SchoolID != schools[i] || o.Number != fmt.Sprintf("青禾教督〔2026〕%d号", i+3) || fmt.Sprint(o) != fmt.Sprint(want) {
				t.Errorf("order %d: %+v\nwant %+v", i, o, want)
			}
		}
	})
}

// TestPublishReport_year: the store refuses a report of a year that cannot
// have one, as SaveReportText does (it made a draft for any year).
func TestPublishReport_year(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		for _, year := range []int{0, 1999, 2027, 99999} {
			d := &gongkai.Disclosure{Title: fmt.Sprintf("%d年度报告", year), Body: "报告", Category: "other", Audience: gongkai.AudiencePublic}
			if err := f.db.PublishReport(ctx, f.school.ID, f.actors[gongkai.RolePrincipal], year, d); gongkai.ErrorCode(err) != gongkai.ENOTFOUND || d.ID != 0 {
				t.Errorf("year %d: %v (draft %d), want ENOTFOUND and no draft", year, err, d.ID)
			}
		}
	})
}
