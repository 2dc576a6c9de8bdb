package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

func TestCalendar(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.srv.now = func() time.Time { return time.Date(2027, 11, 25, 9, 0, 0, 0, gongkai.Beijing) }
		t.Cleanup(func() { h.srv.now = time.Now })
		admin := h.client("bureau.admin")

		for _, who := range []string{"xq.principal", "bureau.inspector", "other.clerk", "nobody"} {
			// The inspector reads the calendar (TestInspector_readsBureauPages).
			if resp, _ := h.get(h.client(who), "/admin/calendar"); resp.StatusCode != http.StatusForbidden && who != "bureau.inspector" {
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
		for _, want := range []string{"2027年放假与调休", "2027-10-01", "国庆节", "调休上班", "已录入完整", "2028年的节假日安排尚未录入，涉及该年的期限将标为暂定"} {
			if !strings.Contains(body, want) {
				t.Errorf("calendar of 2027 lacks %q", want)
			}
		}
		cal, err := h.db.Calendar(ctx, "CN")
		must(t, err)
		from := time.Date(2027, 12, 28, 10, 0, 0, 0, gongkai.Beijing)
		if _, provisional := cal.AddWorkdays(from, 5); !provisional {
			t.Fatal("a deadline in 2028 is certain before 2028 is entered")
		}

		// Bad input re-renders at 422 with what was typed.
		bad := []struct {
			name string
			form url.Values
			say  string
			keep string
		}{
			{"bad date", url.Values{"date": {"2028-13-01"}, "kind": {"holiday"}, "name": {"元旦"}}, "日期格式应为", `value="2028-13-01"`},
			{"not a date", url.Values{"date": {"明年元旦"}, "kind": {"holiday"}, "name": {"元旦"}}, "日期格式应为", `value="明年元旦"`},
			{"workday on a weekday", url.Values{"date": {"2028-01-04"}, "kind": {"workday"}, "name": {"元旦"}}, "调休上班日应是周六或周日", `value="2028-01-04"`},
			{"no name", url.Values{"date": {"2028-01-03"}, "kind": {"holiday"}, "name": {""}}, "请填写节日名称", `value="2028-01-03"`},
			{"no kind", url.Values{"date": {"2028-01-03"}, "name": {"元旦"}}, "请选择", `value="元旦"`},
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
		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"mark"}, "year": {"2028"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(flash(resp), "!") {
			t.Fatalf("marking an empty year: %d %q", resp.StatusCode, flash(resp))
		}

		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"set"}, "date": {"2028-01-03"}, "kind": {"holiday"}, "name": {"元旦"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/calendar?year=2028" || !strings.Contains(flash(resp), "元旦") {
			t.Fatalf("set day: %d %s %q", resp.StatusCode, resp.Header.Get("Location"), flash(resp))
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		if cal.IsWorkday(time.Date(2028, 1, 3, 12, 0, 0, 0, gongkai.Beijing)) {
			t.Error("2028-01-03 is still a working day")
		}
		if _, provisional := cal.AddWorkdays(from, 5); !provisional {
			t.Error("one entered day made 2028 certain")
		}
		_, body = h.get(admin, "/admin/calendar?year=2028")
		// 劳动节 and 国庆 are shown as days off by custom until 2028 is marked.
		for _, want := range []string{"2028-01-03", "周一", "元旦", "尚未标记完整", `name="action" value="mark"`, "2028-05-01", "劳动节", "2028-10-03", "按惯例放假，均标为暂定", `class="day-holiday day-presumed"`, `class="holiday presumed"`} {
			if !strings.Contains(body, want) {
				t.Errorf("calendar of 2028 lacks %q", want)
			}
		}

		resp, _ = h.post(admin, "/admin/calendar", url.Values{"action": {"mark"}, "year": {"2028"}})
		if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(flash(resp), "!") {
			t.Fatalf("mark 2028: %d %q", resp.StatusCode, flash(resp))
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		due, provisional := cal.AddWorkdays(from, 5)
		if provisional {
			t.Error("a deadline in 2028 is still provisional after 2028 was marked complete")
		}
		// 12-29, 12-30, 12-31, (the weekend, 1-3 off), 1-4, 1-5.
		if want := time.Date(2028, 1, 5, 0, 0, 0, 0, gongkai.Beijing); !due.Equal(want) {
			t.Errorf("due %v, want %v", due, want)
		}
		if _, body = h.get(admin, "/admin/calendar?year=2028"); strings.Contains(body, "day-presumed") || strings.Contains(body, "2028-05-01") {
			t.Error("2028 is marked complete, yet days off by custom are still shown")
		}
		_, body = h.get(admin, "/admin/calendar")
		if strings.Contains(body, "2028年的节假日安排尚未录入") {
			t.Error("the warning stays after 2027 was entered")
		}

		// Removing a day puts it back to an ordinary day.
		resp, _ = h.post(admin, "/admin/calendar", url.Values{"date": {"2028-01-03"}, "kind": {"remove"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("remove: %d", resp.StatusCode)
		}
		cal, err = h.db.Calendar(ctx, "CN")
		must(t, err)
		if !cal.IsWorkday(time.Date(2028, 1, 3, 12, 0, 0, 0, gongkai.Beijing)) {
			t.Error("removed holiday is still a day off")
		}
	})
}

// TestCalendar_editMovesDeadlines: a day off entered on the calendar page
// moves an item's publicity period and an obligation's due date, which the
// public page (its cached copy dropped), the trail and the obligations page
// show at once; the countdown then reads 今日到期 on the due day only and
// 逾期 N 个工作日 after it.
func TestCalendar_editMovesDeadlines(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing) // a Monday
		clock := func() time.Time { return now }
		h.db.Now, h.srv.now = clock, clock
		t.Cleanup(func() { h.db.Now, h.srv.now = time.Now, time.Now })
		item := h.publishItem(h.school, "2026年春季学期助学金名单", gongkai.AudiencePublic)
		ob, err := h.db.RecordEvent(ctx, h.school.ID, h.actor("xq.clerk"), "large-expense", "购置课桌椅", now, 1200000)
		must(t, err)
		itemURL := "/s/xq/d/" + strconv.FormatInt(item.ID, 10)
		if _, body := h.get(h.client(""), itemURL); !strings.Contains(body, "2026-03-02 至 2026-03-06") || !strings.Contains(body, "剩余 4 个工作日") {
			t.Fatalf("item page before the edit lacks its period:\n%s", body)
		}

		resp, _ := h.post(h.client("bureau.admin"), "/admin/calendar", url.Values{"date": {"2026-03-04"}, "kind": {"holiday"}, "name": {"地方假日"}})
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(flash(resp), "已重算") {
			t.Fatalf("edit: %d %q", resp.StatusCode, flash(resp))
		}
		for _, path := range []string{itemURL, "/s/xq/", "/s/xq/manage/", "/work"} {
			_, body := h.get(h.client("xq.clerk"), path)
			checkWording(t, body)
		}
		if _, body := h.get(h.client(""), itemURL); !strings.Contains(body, "2026-03-02 至 2026-03-09") {
			t.Errorf("the public page still shows the old period end")
		}
		if _, body := h.get(h.client("xq.clerk"), "/s/xq/manage/d/"+strconv.FormatInt(item.ID, 10)); !strings.Contains(body, "公示期调整") ||
			!strings.Contains(body, "公示期截止日由2026年3月6日改为2026年3月9日") {
			t.Errorf("the trail lacks the recount")
		}
		log, _, err := h.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: h.bureau.ID, Action: gongkai.AdminCalendarEdited})
		must(t, err)
		if len(log) != 1 || !strings.HasPrefix(log[0].Detail, "2026-03-04 普通日 → 放假（地方假日）；重算期限 ") {
			t.Errorf("admin log %+v", log)
		}

		// The expense's 20 working days now end on Tuesday 03-31.
		for _, tt := range []struct {
			day, want, never string
		}{
			{"2026-03-02", "剩余 20 个工作日", "今日到期"},
			{"2026-03-30", "剩余 1 个工作日", "今日到期"},
			{"2026-03-31", "今日到期", "逾期"},
			{"2026-04-01", "逾期 1 个工作日", "今日到期"},
			{"2026-04-04", "逾期 3 个工作日", "今日到期"}, // a Saturday
			{"2026-04-06", "逾期 3 个工作日", "今日到期"}, // 清明, a day off
		} {
			d, _ := time.ParseInLocation(time.DateOnly, tt.day, gongkai.Beijing)
			now = d.Add(15 * time.Hour)
			_, body := h.get(h.client("xq.clerk"), "/s/xq/obligations")
			checkWording(t, body)
			row := obligationRow(body, ob.ID)
			if !strings.Contains(row, "2026-03-31") || !strings.Contains(row, tt.want) || strings.Contains(row, tt.never) {
				t.Errorf("on %s the obligation reads %q; want %q, never %q", tt.day, row, tt.want, tt.never)
			}
		}
	})
}

// obligationRow cuts one obligation's row out of the obligations page.
func obligationRow(body string, id int64) string {
	i := strings.Index(body, `id="ob-`+strconv.FormatInt(id, 10)+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</li>")
	if k := strings.Index(body[i:], "</tr>"); j < 0 || (k >= 0 && k < j) {
		j = k
	}
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// countdownForms finds every way of writing time left or overdue in working
// days; wordingForm is the only one allowed (UI.md, "One wording").
var (
	countdownForms = regexp.MustCompile(`(剩余|剩|还有|逾期|超期)\s*\d+\s*个?工作日`)
	wordingForm    = regexp.MustCompile(`^(剩余|逾期) \d+ 个工作日$`)
)

func checkWording(t *testing.T, body string) {
	t.Helper()
	for _, m := range countdownForms.FindAllString(body, -1) {
		if !wordingForm.MatchString(m) {
			t.Errorf("page says %q: time left reads 剩余 N 个工作日, overdue 逾期 N 个工作日", m)
		}
	}
}
