package notify

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestDispatch_RedactionTellsSupervisionAndBureau: when the principal
// deletes personal data from a published item, the supervision group and
// the bureau's administrators hear of it in the app and by e-mail, with
// what went and why; nobody else is told, and the school's webhook hears
// only of the fact, never the reason.
func TestDispatch_RedactionTellsSupervisionAndBureau(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		d := f.publish(t, "2026年春季学期助学金受助学生名单公示", gongkai.AudiencePublic)
		f.drain()
		before := len(f.smtp.all())
		reason := "名单中误含学生身份证号码，家长来电反映"
		if _, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actor(gongkai.RolePrincipal),
			store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: reason}, nil); err != nil {
			t.Fatal(err)
		}
		f.drain()

		told := map[int64]bool{f.users[gongkai.RoleSupervisor].ID: true, f.admin.ID: true}
		for _, u := range append([]*gongkai.User{f.admin}, usersOf(f)...) {
			items, _, _, err := f.db.FindNotifications(ctx, u.ID, 1)
			must(t, err)
			got := false
			for _, n := range items {
				if strings.Contains(n.Title, "删除了已公开事项中的个人信息") {
					got = true
					for _, want := range []string{"第 1 版正文", reason, "校长"} {
						if !strings.Contains(n.Body, want) {
							t.Errorf("notification of %s: body %q lacks %q", u.Username, n.Body, want)
						}
					}
					if n.Link != "/s/xq/manage/d/"+itoa(d.ID) {
						t.Errorf("notification link %q", n.Link)
					}
				}
			}
			if got != told[u.ID] {
				t.Errorf("%s notified: %v, want %v", u.Username, got, told[u.ID])
			}
		}
		var mailed []string
		for _, m := range f.smtp.all()[before:] {
			if strings.Contains(m.Subject, "个人信息") {
				mailed = append(mailed, m.To...)
				if !strings.Contains(m.Body, reason) {
					t.Errorf("mail to %v lacks the reason: %q", m.To, m.Body)
				}
			}
		}
		if strings.Join(mailed, ",") != email(gongkai.RoleSupervisor)+","+f.admin.Email && strings.Join(mailed, ",") != f.admin.Email+","+email(gongkai.RoleSupervisor) {
			t.Errorf("mailed %v, want the supervisor and the bureau's administrator", mailed)
		}
		found := false
		for _, p := range f.hook.ok(t) {
			if p["type"] != "disclosure.redacted" {
				continue
			}
			found = true
			b, _ := json.Marshal(p)
			if strings.Contains(string(b), reason) {
				t.Errorf("the webhook carries the reason: %s", b)
			}
		}
		if !found {
			t.Error("the webhook did not hear of the redaction")
		}
	})
}

func usersOf(f *fixture) []*gongkai.User {
	var out []*gongkai.User
	for _, r := range gongkai.SchoolRoles {
		out = append(out, f.users[r])
	}
	return out
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
