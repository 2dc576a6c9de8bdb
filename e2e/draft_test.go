package e2e

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestFlow_reloadCreatesNoDraft is a clerk who submits an incomplete new
// form and reloads the page that shows what is missing, twice: there is
// one draft, not three. Then the clerk previews with a file, sees it
// attached, picks the same file again and previews once more: it is
// attached once.
func TestFlow_reloadCreatesNoDraft(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			title := fmt.Sprintf("关于教师培训经费使用情况的公示（第%d期）", time.Now().UnixNano()%100000)
			pdf := filepath.Join(t.TempDir(), "培训经费明细.pdf")
			if err := os.WriteFile(pdf, textPDF("", "Training budget"), 0o644); err != nil {
				t.Fatal(err)
			}
			desk := browser(t, 1280, 900)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "submit a form without its body",
				chromedp.Navigate(srv.URL+"/s/xiangqian/manage/new"),
				chromedp.WaitVisible(css("#f-title")),
				chromedp.SetValue(css("#f-category"), "finance"),
				chromedp.SendKeys(css("#f-title"), title),
				chromedp.SetValue(css("#f-publicity_days"), "5"),
				chromedp.Click(css(`button[name=do][value=submit]`)),
				chromedp.WaitVisible(css("#e-body")),
			)
			screenshot(t, desk, "draft-1-refused-submission")
			for i := range 2 {
				do(t, desk, fmt.Sprintf("reload %d", i+1), chromedp.Reload(), chromedp.WaitVisible(css("#e-body")))
			}
			page := text(t, desk, "main")
			if !strings.Contains(page, "请填写公开内容。") || !strings.Contains(page, "草稿已保存") {
				t.Fatalf("after reloading the form does not say what is missing: %q", truncate(page, 300))
			}
			loc, err := chromedp.Run(desk, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			edit := regexp.MustCompile(`^.*/manage/d/\d+/edit`).FindString(loc)
			if n := countDrafts(t, desk, srv.URL, title); n != 1 {
				t.Fatalf("a refused submission reloaded twice left %d drafts, want 1", n)
			}
			for i := range 2 {
				do(t, desk, fmt.Sprintf("preview with the file (%d)", i+1),
					chromedp.Navigate(edit),
					chromedp.WaitVisible(css("#f-body")),
					chromedp.SetValue(css("#f-body"), "2026年春季学期教师培训经费支出 ¥12,400.00 元，明细见附件。"),
					chromedp.SetUploadFiles(css("#f-file"), []string{pdf}),
					chromedp.Click(css(`button[name=do][value=preview]`)),
					chromedp.WaitVisible(css("#preview")),
				)
				if i == 0 {
					screenshot(t, desk, "draft-2-preview")
				}
				files, err := chromedp.Run(desk, chromedp.Evaluate[int](`document.querySelectorAll("ul.manage-files li").length`))
				if err != nil {
					t.Fatal(err)
				}
				if files != 1 || !strings.Contains(text(t, desk, "ul.manage-files"), "培训经费明细.pdf") {
					t.Fatalf("after preview %d the form shows %d attached files, want the one chosen", i+1, files)
				}
			}
			do(t, desk, "reload the preview", chromedp.Reload(), chromedp.WaitVisible(css("#preview")))
			if n := countDrafts(t, desk, srv.URL, title); n != 1 {
				t.Fatalf("after previews and a reload there are %d drafts, want 1", n)
			}
			phone := browser(t, 390, 844)
			login(t, phone, srv.URL, "xiangqian.clerk")
			do(t, phone, "open the preview on a phone", chromedp.Navigate(edit+"?preview=1"), chromedp.WaitVisible(css("#preview")))
			screenshot(t, phone, "draft-3-preview-390")
			checkNoHorizontalScroll(t, phone, "form with preview")
		})
	}
}

// countDrafts counts the clerk's items titled title on the school's list.
func countDrafts(t *testing.T, ctx context.Context, base, title string) int {
	t.Helper()
	do(t, ctx, "open the list of items",
		chromedp.Navigate(base+"/s/xiangqian/manage/?q="+url.QueryEscape(title)),
		chromedp.WaitVisible(css("main")),
	)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(
		`[...document.querySelectorAll("main a")].filter(a => a.textContent.trim() === %q).length`, title)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFlow_recallSubmission is a clerk who submits a form, sees a leader's
// comment and takes the submission back before the principal signs it:
// the item is a draft again with the comment kept in its trail, the clerk
// changes it and submits it again, and once signed it offers no recall.
func TestFlow_recallSubmission(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			title := fmt.Sprintf("关于食堂伙食费收费标准的公示（第%d号）", time.Now().UnixNano()%100000)
			desk := browser(t, 1280, 900)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "fill and submit the form",
				chromedp.Navigate(srv.URL+"/s/xiangqian/manage/new"),
				chromedp.WaitVisible(css("#f-title")),
				chromedp.SetValue(css("#f-category"), "fees"),
				chromedp.SendKeys(css("#f-title"), title),
				chromedp.SetValue(css("#f-body"), "伙食费每生每天 ¥12.00 元，按实际就餐天数收取。"),
				chromedp.SetValue(css("#f-publicity_days"), "5"),
				chromedp.Click(css(`button[name=do][value=submit]`)),
				chromedp.WaitVisible(css(".flash")),
			)
			loc, err := chromedp.Run(desk, chromedp.Location())
			if err != nil {
				t.Fatal(err)
			}
			review := regexp.MustCompile(`^.*/s/xiangqian/manage/d/\d+`).FindString(loc)
			if review == "" || !strings.Contains(text(t, desk, ".review-status"), "待审议") {
				t.Fatalf("after submitting the clerk is at %s", loc)
			}
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.leader")
			decide(t, desk, review, "comment", "请补充收费依据的文号。")
			if n, _ := chromedp.Run(desk, chromedp.Evaluate[int](`document.querySelectorAll('button[formaction$="/act/recall"]').length`)); n != 0 {
				t.Fatal("a leader is offered the recall")
			}
			logout(t, desk)

			phone := browser(t, 390, 844)
			login(t, phone, srv.URL, "xiangqian.clerk")
			do(t, phone, "open the submission", chromedp.Navigate(review), chromedp.WaitVisible(css(`button[formaction$="/act/recall"]`)))
			screenshot(t, phone, "recall-1-review-390")
			checkNoHorizontalScroll(t, phone, "review page with recall")
			decide(t, phone, review, "recall", "")
			screenshot(t, phone, "recall-2-recalled-390")
			if s := text(t, phone, ".review-status"); !strings.Contains(s, "草稿") {
				t.Fatalf("state after the recall: %q", s)
			}
			if s := text(t, phone, ".events"); !strings.Contains(s, "撤回提交") || !strings.Contains(s, "请补充收费依据的文号。") {
				t.Fatalf("the trail lacks the recall or the leader's comment: %q", s)
			}
			do(t, phone, "change and submit again",
				chromedp.Navigate(review+"/edit"),
				chromedp.WaitVisible(css("#f-doc_number")),
				chromedp.SendKeys(css("#f-doc_number"), "闽价费〔2025〕12号"),
				chromedp.Click(css(`button[name=do][value=submit]`)),
				chromedp.WaitVisible(css(".flash")),
			)
			logout(t, phone)

			login(t, desk, srv.URL, "xiangqian.principal")
			decide(t, desk, review, "approve", "")
			logout(t, desk)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "open the signed item", chromedp.Navigate(review), chromedp.WaitVisible(css(".review-status")))
			if n, _ := chromedp.Run(desk, chromedp.Evaluate[int](`document.querySelectorAll('button[formaction$="/act/recall"]').length`)); n != 0 {
				t.Fatal("a signed item offers the recall")
			}
		})
	}
}
