package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestDashboard_inspectorFindsMostOverdue is the bureau's dashboard as an
// inspector uses it on the demo data: sign in, open 各校公开情况 from the
// work page, sort by 已逾期, check that the top school has the most overdue
// items, open its compliance calendar, then its first overdue obligation.
func TestDashboard_inspectorFindsMostOverdue(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			ctx := browser(t, 1280, 900)
			login(t, ctx, srv.URL, "bureau.inspector")
			do(t, ctx, "open the dashboard from the work page",
				chromedp.Navigate(srv.URL+"/work"),
				chromedp.Click(css(`a[href="/bureau/"]`)),
				chromedp.WaitVisible(css("table.dash-table")),
			)
			checkAccessibility(t, ctx, "dashboard")
			checkNoHorizontalScroll(t, ctx, "dashboard")
			do(t, ctx, "show this year", chromedp.Click(css(`.dash-periods a[href*="period=year"]`)), chromedp.WaitVisible(css(`.dash-periods a.active[href*="period=year"]`)))
			do(t, ctx, "sort by overdue",
				chromedp.Click(css(`thead a[href*="sort=overdue"]`)),
				chromedp.WaitVisible(css(`th[aria-sort="descending"] a[href*="sort=overdue"]`)),
			)
			screenshot(t, ctx, "sorted")

			// The first row has the most overdue items, and more than none.
			counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
				`[...document.querySelectorAll("table.dash-table tbody tr td.dash-overdue")].map(td => td.textContent.trim())`))
			if err != nil || len(counts) < 2 {
				t.Fatalf("overdue column: %v %v", counts, err)
			}
			top, _ := strconv.Atoi(counts[0])
			for i, c := range counts {
				if n, _ := strconv.Atoi(c); n > top {
					t.Errorf("row %d has %d overdue, more than the top row's %d", i+1, n, top)
				}
			}
			if top == 0 {
				t.Fatalf("no school has an overdue item in the demo data: %v", counts)
			}
			name := text(t, ctx, "table.dash-table tbody tr:first-child a.dash-school")
			sorted, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}

			// Its calendar lists the overdue items.
			do(t, ctx, "open the school's calendar",
				chromedp.Click(css("table.dash-table tbody tr:first-child a.dash-school")),
				chromedp.WaitVisible(css(".ob-overdue")),
			)
			if got := strings.TrimSpace(text(t, ctx, ".ob-overdue h2 .count")); got != strconv.Itoa(top) {
				t.Errorf("calendar of %s lists %s overdue, the dashboard said %d", name, got, top)
			}
			screenshot(t, ctx, "calendar")

			// Its first overdue obligation, straight from the dashboard.
			do(t, ctx, "back to the dashboard", chromedp.Navigate(sorted), chromedp.WaitVisible(css("table.dash-table")))
			do(t, ctx, "open the first overdue obligation",
				chromedp.Click(css("table.dash-table tbody tr:first-child a.dash-overdue-link")),
				chromedp.WaitVisible(css(".ob-overdue")),
			)
			loc, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			_, frag, ok := strings.Cut(loc, "#")
			if !ok || !strings.HasPrefix(frag, "ob-") {
				t.Fatalf("overdue link went to %s, want an obligation's anchor", loc)
			}
			state, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`(() => { const el = document.querySelector(".ob-overdue #`+frag+`"); return el && el.matches(":target") ? el.querySelector(".ob-state").textContent : "" })()`))
			if err != nil || strings.TrimSpace(state) != "已逾期" {
				t.Errorf("obligation %s: state %q (%v), want it the targeted item of the overdue section, 已逾期", frag, state, err)
			}
			screenshot(t, ctx, "obligation")
		})
	}
}
