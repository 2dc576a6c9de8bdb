package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestDispatch_Surveys: opening a survey tells its audience, and nobody
// else, in the app and by e-mail; answering tells nobody anything; the
// clerk named hears of the results' draft.
func TestDispatch_Surveys(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		sup := f.actor(gongkai.RoleSupervisor)
		s := gongkai.DefaultSurvey(f.school.ID, f.now())
		s.Audience = gongkai.SurveyForParents
		must(t, f.db.CreateSurvey(ctx, f.school.ID, sup, s))
		_, err := f.db.SurveyAct(ctx, f.school.ID, s.ID, sup, gongkai.SurveyStart)
		must(t, err)
		f.drain()
		subject := "请参加测评：校务公开工作满意度测评"
		if m := f.smtp.to(email(gongkai.RoleParent)); len(m) != 1 || m[0].Subject != subject || !strings.Contains(m[0].Body, "不记名") {
			t.Fatalf("the parent's mail: %+v", m)
		}
		for _, r := range []gongkai.Role{gongkai.RoleStaff, gongkai.RoleSupervisor, gongkai.RolePrincipal} {
			if m := f.smtp.to(email(r)); len(m) != 0 {
				t.Errorf("%s, not in the audience, got %d mails", r, len(m))
			}
		}
		items, _, _, err := f.db.FindNotifications(ctx, f.users[gongkai.RoleParent].ID, 1)
		must(t, err)
		if len(items) != 1 || items[0].Title != subject || items[0].Link != "/s/xq/surveys/1" {
			t.Fatalf("the parent's notices: %+v", items)
		}
		before := len(f.smtp.all())
		must(t, f.db.AnswerSurvey(ctx, f.school.ID, s.ID, f.actor(gongkai.RoleParent), []gongkai.SurveyAnswer{
			{Position: 1, Choices: []int{5}}, {Position: 2, Choices: []int{5}}, {Position: 3, Choices: []int{5}}, {Position: 4, Choices: []int{5}},
			{Position: 5, Choices: []int{1}}, {Position: 7, Choices: []int{5}}}))
		f.drain()
		if n := len(f.smtp.all()); n != before {
			t.Errorf("answering sent %d mails", n-before)
		}
		// An announcement that could only go out days late is dropped.
		late := gongkai.DefaultSurvey(f.school.ID, f.now())
		late.Title = "迟到的测评"
		must(t, f.db.CreateSurvey(ctx, f.school.ID, sup, late))
		_, err = f.db.SurveyAct(ctx, f.school.ID, late.ID, sup, gongkai.SurveyStart)
		must(t, err)
		f.advance(72 * time.Hour)
		f.drain()
		if n := len(f.smtp.all()); n != before {
			t.Errorf("a survey opened three days before delivery was announced (%d mails)", n-before)
		}
		if calls := f.hook.received(); len(calls) != 0 {
			t.Errorf("the school's webhook heard of surveys: %d calls", len(calls))
		}
	})
}
