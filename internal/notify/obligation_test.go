package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestDispatch_ObligationReminders: the clerks hear once before a due
// date, the principal once when it has passed, in the app and by e-mail.
func TestDispatch_ObligationReminders(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := newFixture(t, dsn)
		_, err := f.db.EnsureObligations(ctx, f.school.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, gongkai.Beijing), time.Date(2026, 3, 10, 0, 0, 0, 0, gongkai.Beijing))
		must(t, err)
		count := func(r gongkai.Role, prefix string) int {
			n := 0
			for _, m := range f.smtp.to(email(r)) {
				if strings.HasPrefix(m.Subject, prefix) {
					n++
				}
			}
			return n
		}
		// Monday 03-02: February's statement is due Thursday 03-05.
		for i := 0; i < 2; i++ {
			_, err := f.db.RemindObligations(ctx)
			must(t, err)
			f.drain()
		}
		soon := "即将到期：月度财务收支报表（2026年2月）"
		if count(gongkai.RoleClerk, soon) != 1 || count(gongkai.RolePrincipal, "即将到期") != 0 {
			t.Fatalf("due soon: clerk %d, principal %d", count(gongkai.RoleClerk, soon), count(gongkai.RolePrincipal, "即将到期"))
		}
		items, _, _, err := f.db.FindNotifications(ctx, f.users[gongkai.RoleClerk].ID, 1)
		must(t, err)
		if len(items) != 1 || items[0].Title != soon || items[0].Link != "/s/xq/obligations" || !strings.Contains(items[0].Body, "剩余 3 个工作日") {
			t.Fatalf("clerk's notices: %+v", items)
		}
		// Friday 03-06: overdue; the principal hears, the clerk not again.
		f.setNow(time.Date(2026, 3, 6, 9, 0, 0, 0, gongkai.Beijing))
		for i := 0; i < 2; i++ {
			_, err := f.db.RemindObligations(ctx)
			must(t, err)
			f.drain()
		}
		if n := count(gongkai.RolePrincipal, "已逾期：月度财务收支报表（2026年2月）"); n != 1 {
			t.Fatalf("principal told %d times", n)
		}
		if count(gongkai.RoleClerk, "") != 1 || count(gongkai.RoleLeader, "") != 0 {
			t.Fatalf("clerk %d mails, leader %d", count(gongkai.RoleClerk, ""), count(gongkai.RoleLeader, ""))
		}
	})
}
