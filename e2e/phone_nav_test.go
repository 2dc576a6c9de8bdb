package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestPhoneNav_workStartsInFirstScreen is the principal on a small phone
// (360×640): the work page shows their own queue, 待签发, first; the item
// they open from it shows its document's heading within the first screen,
// because the staff menus fold away behind 菜单 — a <details>, no
// JavaScript — and still open when asked. Before the menus folded, the
// heading was 912 px down. On a desk the menus show open.
func TestPhoneNav_workStartsInFirstScreen(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			const width, height = 360, 640
			ctx := browser(t, width, height)
			login(t, ctx, srv.URL, "xiangqian.principal")

			do(t, ctx, "open the work page", chromedp.Navigate(srv.URL+"/work"), chromedp.WaitVisible(css("main h1")))
			first := text(t, ctx, "main .work-group h2")
			if !strings.HasPrefix(strings.TrimSpace(first), "待签发") {
				t.Errorf("the principal's work page starts with %q, want their own queue 待签发", first)
			}
			top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
				`document.querySelector("#g-sign .work-title").getBoundingClientRect().top + window.scrollY`))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("work page: the first item to sign is %.0f px from the top at %d×%d", top, width, height)
			if top >= height {
				t.Errorf("the first item to sign is %.0f px from the top, below the first screen (%d px)", top, height)
			}
			screenshot(t, ctx, "work")

			do(t, ctx, "open the first item to sign",
				chromedp.Click(css("#g-sign .work-title")),
				chromedp.WaitVisible(css("#doc-title")),
			)
			y, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
				`document.querySelector("#doc-title").getBoundingClientRect().top + window.scrollY`))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("review page: the document's heading is %.0f px from the top at %d×%d", y, width, height)
			// Its first line (40 px) shows in the first screen.
			if y+40 > height {
				t.Errorf("the document's heading is %.0f px from the top: menus push the work below the first screen (%d px)", y, height)
			}
			doc, err := chromedp.Run(ctx, chromedp.Evaluate[float64](
				`document.querySelector("article.doc").getBoundingClientRect().top + window.scrollY`))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("review page: the document starts %.0f px from the top", doc)
			screenshot(t, ctx, "review")
			checkNoHorizontalScroll(t, ctx, "review")
			checkAccessibility(t, ctx, "review")

			// The staff menu is folded, and opens with a tap.
			hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
				`(() => { const a = document.querySelector('.school-work-nav a[href$="/manage/"]'); return !a || !a.checkVisibility() })()`))
			if err != nil {
				t.Fatal(err)
			}
			if !hidden {
				t.Errorf("the staff menu's links show on the phone before 菜单 is opened")
			}
			do(t, ctx, "open the menu",
				chromedp.Click(css("details.menu > summary")),
				chromedp.WaitVisible(css(`.school-work-nav a[href$="/manage/"]`)),
			)
			screenshot(t, ctx, "menu-open")
			review, err := chromedp.Run(ctx, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}

			// On a desk both rows of the menu show, with no 菜单 to open.
			desk := browser(t, 1280, 800)
			login(t, desk, srv.URL, "xiangqian.principal")
			do(t, desk, "open the item on a desk", chromedp.Navigate(review), chromedp.WaitVisible(css("#doc-title")))
			open, err := chromedp.Run(desk, chromedp.Evaluate[bool](
				`document.querySelector('.school-work-nav a[href$="/manage/"]').checkVisibility() && !document.querySelector("details.menu > summary").checkVisibility()`))
			if err != nil {
				t.Fatal(err)
			}
			if !open {
				t.Errorf("on a desk the staff menu is folded behind 菜单")
			}
			screenshot(t, desk, "review-desk")
		})
	}
}
