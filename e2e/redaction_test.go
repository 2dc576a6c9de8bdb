package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRedaction_onPhone: the principal, on a 390×844 phone, opens a
// published item's page, follows 删除个人信息 on a version's body, is asked
// for the reason, gives it, and comes back to the item with a flash; a
// parent then reads the item with "已删除个人信息" and the date in its
// trail. The confirm form is also shot on a 1280×800 desk.
func TestRedaction_onPhone(t *testing.T) {
	srv := startServer(t, "sqlite")
	principal := pagesClient(t, srv.URL, "xiangqian.principal")
	id := findOnPage(t, principal, srv.URL, "/s/xiangqian/", `href="/s/xiangqian/d/(\d+)"`)[0]
	review := srv.URL + "/s/xiangqian/manage/d/" + id
	form := findOnPage(t, principal, srv.URL, "/s/xiangqian/manage/d/"+id, `href="(/s/xiangqian/manage/d/\d+/v/\d+/redact)"`)[0]

	desk := browser(t, 1280, 800)
	login(t, desk, srv.URL, "xiangqian.principal")
	do(t, desk, "open the confirm form on a desk", chromedp.Navigate(srv.URL+form), chromedp.WaitVisible(css("#f-reason")))
	screenshot(t, desk, "1-confirm-desk")

	phone := browser(t, 390, 844)
	login(t, phone, srv.URL, "xiangqian.principal")
	do(t, phone, "open the item's page", chromedp.Navigate(review), chromedp.WaitVisible(css(".redact-list")))
	screenshot(t, phone, "0-item")
	do(t, phone, "follow 删除个人信息", chromedp.Click(css(`.redact-list a[href="`+form+`"]`)), chromedp.WaitVisible(css("#f-reason")))
	screenshot(t, phone, "1-confirm")
	do(t, phone, "send without a reason", chromedp.Click(css(`button.danger[type=submit]`)), chromedp.WaitVisible(css("#e-reason")))
	if s := text(t, phone, "#e-reason"); !strings.Contains(s, "请填写删除理由") {
		t.Fatalf("without a reason the form says %q", s)
	}
	screenshot(t, phone, "2-no-reason")
	do(t, phone, "redact",
		chromedp.SendKeys(css("#f-reason"), "正文误含学生家长手机号码，家长来电反映"),
		chromedp.Click(css(`button.danger[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	if s := text(t, phone, ".flash"); !strings.Contains(s, "已删除个人信息") {
		t.Fatalf("flash %q", s)
	}
	loc, err := chromedp.Run(phone, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, "/s/xiangqian/manage/d/"+id) {
		t.Fatalf("after the redaction the principal is at %s (%v)", loc, err)
	}
	screenshot(t, phone, "3-done")

	parent := browser(t, 390, 844)
	do(t, parent, "read the item", chromedp.Navigate(srv.URL+"/s/xiangqian/d/"+id), chromedp.WaitVisible(css(".trail")))
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	trail := text(t, parent, ".trail")
	if !strings.Contains(trail, today+" 已删除个人信息") || strings.Contains(trail, "手机号码") {
		t.Fatalf("public trail %q", trail)
	}
	if body := text(t, parent, ".doc .body"); !regexp.MustCompile(`已于 \d{4}年\d{1,2}月\d{1,2}日删除`).MatchString(body) {
		t.Fatalf("public body %q", body)
	}
	screenshot(t, parent, "4-public")
}
