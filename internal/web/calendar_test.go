package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai"
)

func TestCalendar(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.srv.now = func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, gongkai.Beijing) }
		t.Cleanup(func() { h.srv.now = time.Now })
		admin := h.client("bureau.admin")

		for _, who := range []string{"xq.principal", "bureau.inspector", "other.clerk", "nobody"} {
			if resp, _ := h.get(h.client(who), "/admin/calendar"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s opens the calendar: %d, want 403", who, resp.StatusCode)
			}
			if resp, _ := h.post(h.client(who), "/admin/calendar", url.Values{"date": {"2027-01-01"}, "kind": {"holiday"}, "name": {"元旦"}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s sets a day: %d, want 403", who, resp.StatusCode)
			}
		}

		resp, body := h.get(admin, "/admin/calendar")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("calendar: %d", resp.StatusCode)
		}
		for _, want := range []string{"2026年放假与调休", "2026-10-01", "国庆节", "调休上班", "已录入完整", "2027年的节假日安排尚未录入，涉及该年的期限将标为暂定"} {
			if !strings.Contains(body, want) {
				t.Errorf("calendar of 2026 lacks %q", want)
			}
		}
		cal, err := h.db.Calendar(ctx, "CN")
		must(t, err)
		from := time.Date(2026, 12, 28, 10, 0, 0, 0, gongkai.Beijing)
		if _, provisional := cal.AddWorkdays(from, 5); !provisional {
			t.Fatal("a deadline in 2027 is certain before 2027 is entered")
		}

		// Bad input re-renders at 422 with what was typed.
		bad := []struct {
			name string
			form url.Values
			say  string
			keep string
		}{
			{"bad date", url.Values{"date": {"2027-13-01"}, "kind": {"holiday"}, "name": {"元旦"}}, "日期格式应为", `value="2027-13-01"`},
			{"not a date", url.Values{"date": {"明年元旦"}, "kind": {"holiday"}, "name": {"元旦"}}, "日期格式应为", `value="明年元旦"`},
			{"workday on a weekday", url.Values{"date": {"2027-01-04"}, "kind": {"workday"}, "name": {"元旦"}}, "调休上班日应是周六或周日", `value="2027-01-04"`},
			{"no name", url.Values{"date": {"2027-01-01"}, "kind": {"holiday"}, "name": {""}}, "请填写节日名称", `value="2027-01-01"`},
			{"no kind", url.Values{"date": {"2027-01-01"}, "name": {"元旦"}}, "请选择", `value="元旦"`},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(admin, "/admin/calendar", tt.form)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("status %d, want 422", resp.StatusCode)
				}
				if !strings.Contains(body, tt.say) || !strings.Contains(body, tt.keep) {
					t.Errorf("page lacks %q or %q", tt.say, tt.keep)
				}
			})
		}

		// An empty year cannot be marked complete.
		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"mark"}, "year": {"2027"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(flash(resp), "!") {
			t.Fatalf("marking an empty year: %d %q", resp.StatusCode, flash(resp))
		}

		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"set"}, "date": {"2027-01-01"}, "kind": {"holiday"}, "name": {"元旦"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/calendar?year=2027" || !strings.Contains(flash(resp), "元旦") {
			t.Fatalf("set day: %d %s %q", resp.StatusCode, resp.Header.Get("Location"), flash(resp))
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		if cal.IsWorkday(time.Date(2027, 1, 1, 12, 0, 0, 0, gongkai.Beijing)) {
			t.Error("2027-01-01 is still a working day")
		}
		if _, provisional := cal.AddWorkdays(from, 5); !provisional {
			t.Error("one entered day made 2027 certain")
		}
		_, body = h.get(admin, "/admin/calendar?year=2027")
		for _, want := range []string{"2027-01-01", "周五", "元旦", "尚未标记完整", `name="action" value="mark"`} {
			if !strings.Contains(body, want) {
				t.Errorf("calendar of 2027 lacks %q", want)
			}
		}

		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"mark"}, "year": {"2027"}})
		if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(flash(resp), "!") {
			t.Fatalf("mark 2027: %d %q", resp.StatusCode, flash(resp))
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		due, provisional := cal.AddWorkdays(from, 5)
		if provisional {
			t.Error("a deadline in 2027 is still provisional after 2027 was marked complete")
		}
		// 12-29, 12-30, 12-31, (1-1 off, weekend), 1-4, 1-5.
		if want := time.Date(2027, 1, 5, 0, 0, 0, 0, gongkai.Beijing); !due.Equal(want) {
			t.Errorf("due %v, want %v", due, want)
		}
		_, body = h.get(admin, "/admin/calendar")
		if strings.Contains(body, "2027年的节假日安排尚未录入") {
			t.Error("the warning stays after 2027 was entered")
		}

		// Removing a day puts it back to an ordinary day.
		resp, _ = h.post(admin, "/admin/calendar", url.Values{"date": {"2027-01-01"}, "kind": {"remove"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		if !cal.IsWorkday(time.Date(2027, 1, 1, 12, 0, 0, 0, gongkai.Beijing)) {
			t.Error("removed holiday is still a day off")
		}
	})
}
