package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// launchUnset runs `gongkai serve` without the demo on an empty database
// and returns the server with the setup link it printed.
func launchUnset(t *testing.T, dsn, data string) (*server, string) {
	t.Helper()
	s, m := launchUntil(t, dsn, data, false, regexp.MustCompile(`^\s*(http://127\.0\.0\.1:\d+)(/setup/[A-Za-z0-9_-]{43})\s*$`))
	return s, m[1] + m[2]
}

// TestSetup_wizardInBrowser sets a county up as its IT teacher would, on a
// phone: the printed link opens the wizard, a mistake is named next to its
// field, the finished setup lands on the bureau's pages signed in; then the
// bureau's settings and the admin log, on a phone and on a desktop.
func TestSetup_wizardInBrowser(t *testing.T) {
	srv, link := launchUnset(t, testdb.New(t, "sqlite"), t.TempDir())
	desk := browser(t, 1280, 800)
	do(t, desk, "open the setup link on a desktop", chromedp.Navigate(link), chromedp.WaitVisible(css("#b-name")))
	screenshot(t, desk, "setup_1280")
	checkNoHorizontalScroll(t, desk, "setup at 1280")
	do(t, desk, "home page not set up", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(css(".not-set-up")))
	screenshot(t, desk, "home_unset_1280")

	phone := browser(t, 390, 844)
	do(t, phone, "open the setup link on a phone", chromedp.Navigate(link), chromedp.WaitVisible(css("#b-name")))
	screenshot(t, phone, "setup_390")
	checkNoHorizontalScroll(t, phone, "setup at 390")
	checkAccessibility(t, phone, "setup")
	do(t, phone, "fill in the wizard with a wrong code",
		chromedp.SendKeys(css("#b-name"), "青禾县教育局"),
		chromedp.SendKeys(css("#b-division_code"), "3501"),
		chromedp.SendKeys(css("#b-phone"), "0591-22345678"),
		chromedp.SendKeys(css("#b-address"), "青禾县城关镇解放路 1 号"),
		chromedp.SendKeys(css("#b-icp"), "闽ICP备12345678号-1"),
		chromedp.SendKeys(css("#b-psb"), "闽公网安备 35012102000123号"),
		chromedp.SendKeys(css("#a-username"), "qh.admin"),
		chromedp.SendKeys(css("#a-display_name"), "林晓"),
		chromedp.SendKeys(css("#a-password"), "a long enough password"),
		chromedp.SendKeys(css("#a-password2"), "a long enough password"),
		chromedp.Click(css(`main form button[type=submit]`)),
		chromedp.WaitVisible(css(".field.has-error #b-division_code")),
	)
	if s := text(t, phone, ".field.has-error .error"); !strings.Contains(s, "行政区划代码须为 6 位数字") {
		t.Errorf("the mistake reads %q", s)
	}
	screenshot(t, phone, "setup_error_390")
	do(t, phone, "correct the code and finish",
		chromedp.SetValue(css("#b-division_code"), "350121"),
		chromedp.SendKeys(css("#a-password"), "a long enough password"),
		chromedp.SendKeys(css("#a-password2"), "a long enough password"),
		chromedp.Click(css(`main form button[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	if s := text(t, phone, ".flash"); !strings.Contains(s, "新建本县的学校") {
		t.Errorf("the flash after setup reads %q", s)
	}
	if s := text(t, phone, "footer.site"); !strings.Contains(s, "监督举报电话：0591-22345678") || !strings.Contains(s, "闽ICP备12345678号-1") || !strings.Contains(s, "主办单位：青禾县教育局") {
		t.Errorf("the footer reads %q", s)
	}
	screenshot(t, phone, "bureau_after_setup_390")

	do(t, phone, "bureau settings", chromedp.Navigate(srv.URL+"/bureau/settings"), chromedp.WaitVisible(css("#b-phone")))
	screenshot(t, phone, "bureau_settings_390")
	checkNoHorizontalScroll(t, phone, "settings at 390")
	checkAccessibility(t, phone, "bureau settings")
	do(t, phone, "change the phone",
		chromedp.SetValue(css("#b-phone"), "0591-87654321"),
		chromedp.SetValue(css("#b-sponsor"), "青禾县人民政府"),
		chromedp.Click(css(`form[action="/bureau/settings"] button[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	do(t, phone, "admin log", chromedp.Navigate(srv.URL+"/bureau/log"), chromedp.WaitVisible(css(".adminlog-table")))
	if s := text(t, phone, ".adminlog-table"); !strings.Contains(s, "修改教育局信息") || !strings.Contains(s, "0591-22345678 → 0591-87654321") || !strings.Contains(s, "初始化设置") {
		t.Errorf("the admin log reads %q", s)
	}
	screenshot(t, phone, "adminlog_390")
	checkNoHorizontalScroll(t, phone, "admin log at 390")
	checkAccessibility(t, phone, "admin log")

	// The same pages on a desktop, signed in there too.
	do(t, desk, "sign in on the desktop",
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), "qh.admin"),
		chromedp.SendKeys(css("#password"), "a long enough password"),
		chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
	for _, p := range []struct{ path, sel, name string }{
		{"/bureau/settings", "#b-phone", "bureau_settings_1280"},
		{"/bureau/log", ".adminlog-table", "adminlog_1280"},
		{"/bureau/", "main h1", "bureau_1280"},
		{"/", "footer.site", "home_1280"},
	} {
		do(t, desk, p.path, chromedp.Navigate(srv.URL+p.path), chromedp.WaitVisible(css(p.sel)))
		screenshot(t, desk, p.name)
		checkNoHorizontalScroll(t, desk, p.path+" at 1280")
	}
	_ = context.Background
}
