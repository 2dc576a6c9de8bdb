package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

type css = chromedp.CSS

// login signs in through the login form.
func login(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	do(t, ctx, "login as "+username,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(css("#username")),
		chromedp.SendKeys(css("#username"), username),
		chromedp.SendKeys(css("#password"), "gongkai-demo"),
		chromedp.Click(css(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(css(`form[action="/logout"]`)),
	)
}

func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "logout",
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`a[href^="/login"]`)),
	)
}

// decide opens the review page and takes one step with a comment.
func decide(t *testing.T, ctx context.Context, reviewURL, action, comment string) {
	t.Helper()
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(reviewURL), chromedp.WaitVisible(css("#comment"))}
	if comment != "" {
		steps = append(steps, chromedp.SendKeys(css("#comment"), comment))
	}
	steps = append(steps,
		chromedp.Click(css(`button[formaction$="/act/`+action+`"]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	do(t, ctx, action, steps...)
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestFlow_publishThenReadOnPhone is the procedure of DESIGN.md as people
// click it: the clerk fills the registration form with an attachment and
// submits it, a leader adds a review comment, the principal signs it off,
// the supervisor checks it, the clerk publishes it; then an anonymous
// parent on a 390×844 phone finds it on the board and by a two-character
// search and reads it.
func TestFlow_publishThenReadOnPhone(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			title := fmt.Sprintf("关于采购教室空调设备的结果公示（第%d批）", time.Now().UnixNano()%1000)
			pdf := filepath.Join(t.TempDir(), "采购结果.pdf")
			if err := os.WriteFile(pdf, textPDF("", "Procurement result"), 0o644); err != nil {
				t.Fatal(err)
			}

			desk := browser(t, 1280, 900)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "fill the registration form",
				chromedp.Navigate(srv.URL+"/s/xiangqian/manage/new"),
				chromedp.WaitVisible(css("#f-title")),
				chromedp.SetValue(css("#f-category"), "procurement"),
				chromedp.SendKeys(css("#f-title"), title),
				chromedp.SetValue(css("#f-body"), "经学校行政会议研究，采购教室空调设备12台，成交金额 ¥58,800.00 元。\n\n| 品目 | 数量 | 金额 |\n|---|--:|--:|\n| 空调 | 12 | ¥58,800.00 |"),
				chromedp.SetValue(css("#f-publicity_days"), "5"),
				chromedp.SetUploadFiles(css("#f-file"), []string{pdf}),
			)
			screenshot(t, desk, "1-form")
			do(t, desk, "submit", chromedp.Click(css(`button[name=do][value=submit]`)), chromedp.WaitVisible(css(".flash")))
			loc, err := chromedp.Run(desk, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`/s/xiangqian/manage/d/(\d+)`).FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("after submit the clerk is at %s, want the review page", loc)
			}
			review := srv.URL + m[0]
			if s := text(t, desk, ".review-status"); !strings.Contains(s, "待审议") {
				t.Fatalf("state after submit: %q", s)
			}
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.leader")
			decide(t, desk, review, "comment", "同意公开，金额已核对。")
			screenshot(t, desk, "2-reviewed")
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.principal")
			decide(t, desk, review, "approve", "")
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.supervisor")
			decide(t, desk, review, "check", "")
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.clerk")
			decide(t, desk, review, "publish", "")
			screenshot(t, desk, "3-published")
			if s := text(t, desk, ".events"); !strings.Contains(s, "同意公开，金额已核对。") || !strings.Contains(s, "同意签发") || !strings.Contains(s, "审核通过") {
				t.Errorf("trail on the review page lacks a step: %q", s)
			}

			phone := browser(t, 390, 844)
			do(t, phone, "open the board", chromedp.Navigate(srv.URL+"/s/xiangqian/"), chromedp.WaitVisible(css("main")))
			screenshot(t, phone, "4-board")
			if s := text(t, phone, "main"); !strings.Contains(s, title) {
				t.Fatalf("the board does not list the new item")
			}
			checkNoHorizontalScroll(t, phone, "board")
			checkAccessibility(t, phone, "board")

			// The board has a list too: wait for the results page itself, not
			// for the list of the page being left (a screenshot taken while
			// the next page loads can hang).
			do(t, phone, "type 采购", chromedp.SendKeys(css(`input[name=q]`), "采购"))
			flowSubmit(t, phone, "search for 采购", chromedp.Submit(css(`input[name=q]`)), "main .items", title)
			screenshot(t, phone, "5-search")
			if loc, _ := chromedp.Run(phone, chromedp.Location()); !strings.Contains(loc, "q=") {
				t.Fatalf("search did not run: at %s", loc)
			}
			if s := text(t, phone, "main .items"); !strings.Contains(s, title) {
				t.Fatalf("searching 采购 does not find the item")
			}

			do(t, phone, "open the item",
				chromedp.Click(css(`main .items a[href*="/d/`+strings.TrimPrefix(m[0], "/s/xiangqian/manage/d/")+`"]`)),
				chromedp.WaitVisible(css("table.meta")),
			)
			screenshot(t, phone, "6-item")
			page := text(t, phone, "main")
			for _, want := range []string{title, "索引号", "3", "采购结果.pdf", "校长签发", "监督小组审核", "如有异议"} {
				if !strings.Contains(page, want) {
					t.Errorf("the item page lacks %q", want)
				}
			}
			checkNoHorizontalScroll(t, phone, "item")
			checkAccessibility(t, phone, "item")
		})
	}
}
