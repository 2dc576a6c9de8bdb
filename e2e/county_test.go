package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestCounty_fromNothingToFirstPublication is a county starting gongkai
// without the demo, as its IT teacher and its first school would: the setup
// link printed at the first start sets up the bureau; the bureau creates a
// school and its principal and supervisor, who set their passwords from
// their one-time links; the principal invites a clerk by a staff invitation
// link; the clerk joins from it and takes an item through the whole
// procedure; and a parent's phone shows the new school's board with its own
// name and supervision phone, never the demo's.
func TestCounty_fromNothingToFirstPublication(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { countyFlow(t, dialect) })
	}
}

// countyPassword is the password everyone of the new county chooses here.
const countyPassword = "qinghe-county-2027"

func countyFlow(t *testing.T, dialect string) {
	srv, link := launchUnset(t, testdb.New(t, dialect), t.TempDir())
	base := srv.URL
	const (
		schoolName = "溪口小学"
		fullName   = "青禾县溪口小学"
		phone      = "0591-26781234"
		slug       = "xikou"
	)
	check, ok := gongkai.CreditCheckChar("12350121MB0312345")
	if !ok {
		t.Fatal("a fictional credit code's first 17 characters are not valid")
	}
	credit := "12350121MB0312345" + string(check)

	desk := browser(t, 1280, 900)
	do(t, desk, "set the county up",
		chromedp.Navigate(link),
		chromedp.WaitVisible(css("#b-name")),
		chromedp.SendKeys(css("#b-name"), "青禾县教育局"),
		chromedp.SendKeys(css("#b-division_code"), "350121"),
		chromedp.SendKeys(css("#b-phone"), "0591-22345678"),
		chromedp.SendKeys(css("#b-address"), "青禾县城关镇解放路 1 号"),
		chromedp.SendKeys(css("#a-username"), "qh.admin"),
		chromedp.SendKeys(css("#a-display_name"), "林晓"),
		chromedp.SendKeys(css("#a-password"), countyPassword),
		chromedp.SendKeys(css("#a-password2"), countyPassword),
		chromedp.Click(css(`main form button[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	screenshot(t, desk, "1-set-up")

	do(t, desk, "create the school",
		chromedp.Navigate(base+"/bureau/schools/new"),
		chromedp.WaitVisible(css("#f-name")),
		chromedp.SendKeys(css("#f-name"), schoolName),
		chromedp.SendKeys(css("#f-full_name"), fullName),
		chromedp.SendKeys(css("#f-code"), "2135012101"),
		chromedp.SendKeys(css("#f-credit_code"), credit),
		chromedp.SendKeys(css("#f-slug"), slug),
		chromedp.SetValue(css("#f-stage"), "小学"),
		chromedp.SendKeys(css("#f-address"), "青禾县溪口镇溪口村 8 号"),
		chromedp.SendKeys(css("#f-phone"), phone),
		chromedp.Click(css(`form[action="/bureau/schools"] button[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	if s := text(t, desk, ".flash"); !strings.Contains(s, schoolName) {
		t.Fatalf("after creating the school the flash reads %q", s)
	}
	screenshot(t, desk, "2-school-created")

	// The bureau brings in the school's principal and supervision group;
	// each gets a one-time link to set a password, never a password.
	principalLink := countyAddMember(t, desk, base, slug, "陈晓梅", "xikou.chen", gongkai.RolePrincipal)
	supervisorLink := countyAddMember(t, desk, base, slug, "吴建华", "xikou.wu", gongkai.RoleSupervisor)
	screenshot(t, desk, "3-member-link")
	logout(t, desk)

	countySetPassword(t, desk, principalLink)
	do(t, desk, "invite a clerk",
		chromedp.Navigate(base+"/s/"+slug+"/manage/staff-invitations"),
		chromedp.WaitVisible(css("#label")),
		chromedp.SendKeys(css("#label"), "教导处经办人"),
		chromedp.Click(css(`form[action="/s/`+slug+`/manage/staff-invitations"] input[name=roles][value=clerk]`)),
		chromedp.Click(css(`form[action="/s/`+slug+`/manage/staff-invitations"] button[type=submit]`)),
		chromedp.WaitVisible(css(".link-url")),
	)
	clerkLink := strings.TrimSpace(text(t, desk, ".link-url"))
	screenshot(t, desk, "4-staff-invitation")
	logout(t, desk)
	countySetPassword(t, desk, supervisorLink)
	logout(t, desk)

	// The clerk joins from the invitation on a phone.
	mobile := browser(t, 390, 844)
	do(t, mobile, "join from the invitation",
		chromedp.Navigate(clerkLink),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#display_name"), "郑文静"),
		chromedp.SendKeys(css("#username"), "xikou.zheng"),
		chromedp.SendKeys(css("#password"), countyPassword),
		chromedp.SendKeys(css("#again"), countyPassword),
		chromedp.Click(css(`main form[action^="/invite/"] button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
	screenshot(t, mobile, "5-clerk-joined")
	logout(t, mobile)

	// The clerk drafts and submits; the principal signs; the supervision
	// group checks; the clerk publishes.
	title := fmt.Sprintf("溪口小学2026年秋季学期收费项目及标准公示（%d）", time.Now().UnixNano()%1000)
	countySignIn(t, desk, base, "xikou.zheng")
	do(t, desk, "fill the registration form",
		chromedp.Navigate(base+"/s/"+slug+"/manage/new"),
		chromedp.WaitVisible(css("#f-title")),
		chromedp.SetValue(css("#f-category"), "fees"),
		chromedp.SendKeys(css("#f-title"), title),
		chromedp.SetValue(css("#f-body"), "根据县物价局核定的标准，本学期代收作业本费每生 ¥35.00 元，午餐费每生每天 ¥6.00 元。\n\n| 项目 | 标准 |\n|---|--:|\n| 作业本费 | ¥35.00 |\n| 午餐费 | ¥6.00/天 |"),
		chromedp.SetValue(css("#f-publicity_days"), "5"),
	)
	do(t, desk, "submit", chromedp.Click(css(`button[name=do][value=submit]`)), chromedp.WaitVisible(css(".flash")))
	loc, err := chromedp.Run(desk, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/s/` + slug + `/manage/d/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after submit the clerk is at %s, want the review page", loc)
	}
	review := base + m[0]
	logout(t, desk)

	countySignIn(t, desk, base, "xikou.chen")
	decide(t, desk, review, "approve", "")
	logout(t, desk)
	countySignIn(t, desk, base, "xikou.wu")
	decide(t, desk, review, "check", "")
	logout(t, desk)
	countySignIn(t, desk, base, "xikou.zheng")
	decide(t, desk, review, "publish", "")
	screenshot(t, desk, "6-published")
	if s := text(t, desk, ".events"); !strings.Contains(s, "同意签发") || !strings.Contains(s, "审核通过") {
		t.Errorf("the trail lacks a step: %q", s)
	}

	// A parent reads the new school's board on a phone, signed out.
	parent := mobile
	do(t, parent, "open the board", chromedp.Navigate(base+"/s/"+slug+"/"), chromedp.WaitVisible(css("main")))
	screenshot(t, parent, "7-board")
	checkNoHorizontalScroll(t, parent, "new school's board")
	if s := text(t, parent, "main"); !strings.Contains(s, title) {
		t.Fatalf("the board does not list the published item")
	}
	if s := text(t, parent, "header"); !strings.Contains(s, fullName) {
		t.Errorf("the board's header reads %q, want the school's name %s", s, fullName)
	}
	footer := text(t, parent, "footer.site")
	for _, want := range []string{fullName, phone, "青禾县教育局", "0591-22345678"} {
		if !strings.Contains(footer, want) {
			t.Errorf("the board's footer lacks %q: %q", want, footer)
		}
	}
	for _, demo := range []string{"祥谦", "平安", "gongkai-demo"} {
		if strings.Contains(footer, demo) {
			t.Errorf("the new county's footer shows the demo's %q: %q", demo, footer)
		}
	}
	do(t, parent, "open the item",
		chromedp.Click(css(`main .items a[href*="/d/`+m[1]+`"]`)),
		chromedp.WaitVisible(css("table.meta")),
	)
	screenshot(t, parent, "8-item")
	checkNoHorizontalScroll(t, parent, "new school's item")
	if s := text(t, parent, "main"); !strings.Contains(s, "如有异议") || !strings.Contains(s, phone) {
		t.Errorf("the item's objection box lacks the school's phone %s: %q", phone, truncate(s, 600))
	}
	checkAccessibility(t, parent, "new school's item")
}

// countyAddMember adds a new account to the school on its members page and
// returns the one-time link to set its password.
func countyAddMember(t *testing.T, ctx context.Context, base, slug, name, username string, role gongkai.Role) string {
	t.Helper()
	form := `form[action="/s/` + slug + `/manage/members"]`
	do(t, ctx, "add "+username,
		chromedp.Navigate(base+"/s/"+slug+"/manage/members"),
		chromedp.WaitVisible(css("#display_name")),
		chromedp.SendKeys(css("#display_name"), name),
		chromedp.SendKeys(css("#username"), username),
		chromedp.Click(css(form+` input[name=roles][value=`+string(role)+`]`)),
		chromedp.Click(css(form+` button[type=submit]`)),
		chromedp.WaitVisible(css(".link-url")),
	)
	link := strings.TrimSpace(text(t, ctx, ".link-url"))
	if !strings.HasPrefix(link, base+"/password/") {
		t.Fatalf("the link for %s is %q", username, link)
	}
	return link
}

// countySetPassword opens a one-time link and sets the password, which
// signs the person in.
func countySetPassword(t *testing.T, ctx context.Context, link string) {
	t.Helper()
	do(t, ctx, "set a password from "+link,
		chromedp.Navigate(link),
		chromedp.WaitVisible(css("#password")),
		chromedp.SendKeys(css("#password"), countyPassword),
		chromedp.SendKeys(css("#again"), countyPassword),
		chromedp.Click(css(`main form[action^="/password/"] button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
}

// countySignIn signs in with the county's password.
func countySignIn(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	do(t, ctx, "sign in as "+username,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), username),
		chromedp.SendKeys(css("#password"), countyPassword),
		chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
}
