package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestDispatch_Inspection: a submitted checklist reaches the principal and
// the leadership group, a measure marked done reaches the supervision
// group; in the app and by e-mail, nobody else.
func TestDispatch_Inspection(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		term := gongkai.TermOf(f.now())
		in := gongkai.NewInspection(f.school.ID, term)
		for i := range in.Answers {
			in.Answers[i].Verdict = gongkai.VerdictMet
		}
		a := in.Answer("fees")
		a.Verdict, a.Note, a.Measure, a.Due = gongkai.VerdictNotMet, "春季收费未提前公示", "开学前一周公示", f.now().AddDate(0, 0, 14)
		_, err := f.db.SaveInspection(ctx, f.school.ID, f.actor(gongkai.RoleSupervisor), in.SaveCommand(true))
		must(t, err)
		f.drain()
		subject := term.Label() + "自查表已提交"
		for r, want := range map[gongkai.Role]int{gongkai.RolePrincipal: 1, gongkai.RoleLeader: 1, gongkai.RoleSupervisor: 0, gongkai.RoleClerk: 0, gongkai.RoleStaff: 0} {
			if n := len(f.smtp.to(email(r))); n != want {
				t.Errorf("%s got %d mails, want %d", r, n, want)
			}
		}
		items, _, _, err := f.db.FindNotifications(ctx, f.users[gongkai.RolePrincipal].ID, 1)
		must(t, err)
		if len(items) != 1 || items[0].Title != subject || items[0].Link != "/s/xq/inspection/"+term.Key() || !strings.Contains(items[0].Body, "不符合 1 项") {
			t.Fatalf("principal's notices: %+v", items)
		}

		f.setNow(f.now().Add(48 * time.Hour))
		_, err = f.db.CompleteMeasure(ctx, f.school.ID, f.actor(gongkai.RolePrincipal), term, "fees", "已于开学前公示。")
		must(t, err)
		f.drain()
		mails := f.smtp.to(email(gongkai.RoleSupervisor))
		if len(mails) != 1 || !strings.HasPrefix(mails[0].Subject, "整改完成：") {
			t.Fatalf("supervisor's mails: %+v", mails)
		}
		if n := len(f.smtp.to(email(gongkai.RolePrincipal))); n != 1 {
			t.Errorf("principal got %d mails, want still 1", n)
		}
	})
}
