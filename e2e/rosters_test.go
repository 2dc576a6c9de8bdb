package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestRosters_takenDownAndAssessed reads a student aid roster of the demo
// after its publicity period as a parent on a phone and at a desk: the
// notice, none of the children; then the principal's privacy record and
// impact assessment form, and a clerk's audited opening of the original.
func TestRosters_takenDownAndAssessed(t *testing.T) {
	srv := startServer(t, "sqlite")
	get := func(path string) string {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	var item string
	for _, m := range regexp.MustCompile(`href="(/s/xiangqian/d/\d+)"`).FindAllStringSubmatch(get("/s/xiangqian/?cat=aid"), -1) {
		if strings.Contains(get(m[1]), "公示期满撤下") {
			item = m[1]
			break
		}
	}
	if item == "" {
		t.Fatal("the demo has no taken-down aid roster on the board")
	}
	for _, size := range []struct {
		name          string
		width, height int
	}{{"phone", 390, 844}, {"desk", 1280, 800}} {
		t.Run(size.name, func(t *testing.T) {
			ctx := browser(t, size.width, size.height)
			do(t, ctx, "open the roster", chromedp.Navigate(srv.URL+item), chromedp.WaitVisible(css(".notice-takedown")))
			if body := text(t, ctx, "main"); strings.Contains(body, "班级") && strings.Contains(body, "资助金额") {
				t.Errorf("the taken-down roster shows its table:\n%s", body)
			}
			checkAccessibility(t, ctx, "taken-down roster")
			checkNoHorizontalScroll(t, ctx, "taken-down roster")
			screenshot(t, ctx, "taken-down")

			login(t, ctx, srv.URL, "xiangqian.principal")
			do(t, ctx, "open the privacy record", chromedp.Navigate(srv.URL+"/s/xiangqian/privacy"), chromedp.WaitVisible(css("#rosters-title")))
			checkAccessibility(t, ctx, "privacy record")
			checkNoHorizontalScroll(t, ctx, "privacy record")
			screenshot(t, ctx, "privacy")
			do(t, ctx, "open the catalogue's roster settings",
				chromedp.Navigate(srv.URL+"/s/xiangqian/manage/catalogue#item-aid-roster"),
				chromedp.Click(css(`#item-aid-roster summary`)),
				chromedp.WaitVisible(css(`#item-aid-roster-takedown`)),
			)
			checkNoHorizontalScroll(t, ctx, "catalogue roster settings")
			screenshot(t, ctx, "catalogue-roster")
			do(t, ctx, "open the assessment form", chromedp.Navigate(srv.URL+"/s/xiangqian/privacy/assess/aid-roster"), chromedp.WaitVisible(css("#f-purpose")))
			checkAccessibility(t, ctx, "assessment form")
			checkNoHorizontalScroll(t, ctx, "assessment form")
			screenshot(t, ctx, "assess")
			do(t, ctx, "save it half-filled",
				chromedp.Click(css(`form.regform button[type=submit]`)),
				chromedp.WaitVisible(css("#e-purpose")),
			)
			screenshot(t, ctx, "assess-errors")
			logout(t, ctx)

			login(t, ctx, srv.URL, "xiangqian.clerk")
			id := item[strings.LastIndex(item, "/")+1:]
			do(t, ctx, "open the audit form", chromedp.Navigate(srv.URL+"/s/xiangqian/manage/d/"+id+"/audit"), chromedp.WaitVisible(css("#f-reason")))
			screenshot(t, ctx, "audit-form")
			do(t, ctx, "give a reason",
				chromedp.SendKeys(css("#f-reason"), fmt.Sprintf("核对异议（%s）", size.name)),
				chromedp.Click(css(`form.panel button[type=submit]`)),
				chromedp.WaitVisible(css(".notice-audit")),
			)
			checkAccessibility(t, ctx, "audited original")
			checkNoHorizontalScroll(t, ctx, "audited original")
			screenshot(t, ctx, "audit-original")
		})
	}
}
