package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/testdb"
)

// TestCalendar_editThenObligations is a calendar edit as the bureau's
// administrator makes it on a phone: the next working day becomes a day off,
// the page says how many open deadlines moved; then the school's
// obligations page, on a phone and at a desk, reads every countdown in the
// one wording, and nothing past its due date reads 今日到期.
func TestCalendar_editThenObligations(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			cal := gongkai.NewWorkCalendar(calendar.Seed())
			next, _ := cal.AddWorkdays(time.Now(), 1)
			day := next.Format(time.DateOnly)

			for _, size := range []struct {
				name          string
				width, height int
			}{{"phone", 390, 844}, {"desk", 1280, 800}} {
				ctx := browser(t, size.width, size.height)
				login(t, ctx, srv.URL, "bureau.admin")
				if size.name == "phone" {
					do(t, ctx, "make "+day+" a day off",
						chromedp.Navigate(srv.URL+"/admin/calendar"),
						chromedp.WaitVisible(css("#date")),
						chromedp.SetValue(css("#date"), day),
						chromedp.Click(css(`input[name=kind][value=holiday]`)),
						chromedp.SendKeys(css("#name"), "地方假日"),
						chromedp.Click(css(`.calendar-set button[type=submit]`)),
						chromedp.WaitVisible(css(".flash")),
					)
					if flash := text(t, ctx, ".flash"); !strings.Contains(flash, "设为放假") || !strings.Contains(flash, "已重算") {
						t.Errorf("flash after the edit: %q", flash)
					}
				} else {
					do(t, ctx, "open the calendar", chromedp.Navigate(srv.URL+"/admin/calendar"), chromedp.WaitVisible(css(".months")))
				}
				checkNoHorizontalScroll(t, ctx, "calendar")
				screenshot(t, ctx, size.name+"_calendar")
				do(t, ctx, "the year not entered yet",
					chromedp.Navigate(srv.URL+"/admin/calendar?year=2028"),
					chromedp.WaitVisible(css("td.presumed")),
				)
				screenshot(t, ctx, size.name+"_calendar_2028")
				logout(t, ctx)

				login(t, ctx, srv.URL, "xiangqian.principal")
				do(t, ctx, "open the obligations", chromedp.Navigate(srv.URL+"/s/xiangqian/obligations"), chromedp.WaitVisible(css(".ob-overdue")))
				checkAccessibility(t, ctx, "obligations")
				checkNoHorizontalScroll(t, ctx, "obligations")
				screenshot(t, ctx, size.name+"_obligations")
				overdue := text(t, ctx, ".ob-overdue")
				if strings.Contains(overdue, "今日到期") || !strings.Contains(overdue, "逾期 ") {
					t.Errorf("overdue section reads:\n%s", overdue)
				}
				page := text(t, ctx, "main")
				for _, m := range regexp.MustCompile(`(剩余|剩|还有|逾期)\s*\d+\s*个?工作日`).FindAllString(page, -1) {
					if !regexp.MustCompile(`^(剩余|逾期) \d+ 个工作日$`).MatchString(m) {
						t.Errorf("obligations page says %q", m)
					}
				}
			}
		})
	}
}
