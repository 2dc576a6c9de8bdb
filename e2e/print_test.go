package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestPrint is what people print, as they would print it: the public
// notice of an item in its publicity period and the staff review page. The
// 打印本页 button prints the page where JavaScript runs and is absent where
// it does not; printed, the notice keeps its metadata, title and body but
// not the live countdown, and the review page is the paper 登记表: every
// field of the registration form, the item and its record of approvals,
// without navigation or the decision form. Both are printed to PDF in
// artifacts/ and shot on a phone and a desk.
func TestPrint(t *testing.T) {
	srv := startServer(t, "sqlite")
	items := findPageItems(t, srv.URL)
	notice := fmt.Sprintf("%s/s/xiangqian/d/%d", srv.URL, items.published)
	review := fmt.Sprintf("%s/s/xiangqian/manage/d/%d", srv.URL, items.published)

	t.Run("notice", func(t *testing.T) {
		tab := browser(t, 1280, 800)
		do(t, tab, "open the notice", chromedp.Navigate(notice), chromedp.WaitVisible(css("table.meta .countdown")))
		checkPrintButton(t, tab)
		printPDF(t, tab, "notice", 3)
		checkPrintMedia(t, tab, "notice", []string{".countdown", ".print-button"}, []string{"table.meta", ".doc-title", ".doc .body", ".objection"})
		if s := printedText(t, tab, "table.meta"); regexp.MustCompile(`剩余|逾期|今日到期`).MatchString(s) {
			t.Errorf("the printed notice keeps the countdown: %q", s)
		}
		shoot(t, notice, "notice")
	})

	t.Run("review", func(t *testing.T) {
		tab := browser(t, 1280, 800)
		login(t, tab, srv.URL, "xiangqian.principal")
		do(t, tab, "open the review page", chromedp.Navigate(review), chromedp.WaitVisible(css(".trail-log")))
		if v, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.querySelector('.reg-sheet').checkVisibility()`)); err != nil || v {
			t.Errorf("the paper 登记表 shows on screen: %v %v", v, err)
		}
		checkPrintButton(t, tab)
		events, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.trail-log .events li .event-head strong')].map(e => e.textContent)`))
		if err != nil || len(events) < 4 {
			t.Fatalf("the published item's trail on screen: %q %v", events, err)
		}
		printPDF(t, tab, "review", 4)
		checkPrintMedia(t, tab, "review",
			[]string{".decide", ".review-status", ".versions", ".doc .meta", ".print-button", "textarea", ".school-nav"},
			[]string{".reg-sheet .sheet-title", "table.sheet", ".doc-title", ".doc .body", ".trail-log", ".trail-log .events li"})
		sheet := printedText(t, tab, "table.sheet")
		for _, field := range []string{"学校", "索引号", "登记日期", "公开类别", "公开范围", "标题", "经办人", "处室", "文号", "状态", "公开渠道", "公示期", "法律依据", "异议联系方式", "签发人", "签发日期"} {
			if !strings.Contains(sheet, field) {
				t.Errorf("the printed 登记表 has no %s:\n%s", field, sheet)
			}
		}
		trail := printedText(t, tab, ".trail-log")
		for _, e := range events {
			if !strings.Contains(trail, e) {
				t.Errorf("the printed record of approvals lacks %q:\n%s", e, trail)
			}
		}
		shoot(t, review, "review", "xiangqian.principal")
	})

	t.Run("without-javascript", func(t *testing.T) {
		tab := browser(t, 390, 844)
		if _, err := pagesCDP(tab, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		do(t, tab, "open the notice", chromedp.Navigate(notice), chromedp.WaitVisible(css("table.meta")))
		v, err := chromedp.Run(tab, chromedp.Evaluate[[]bool](`[...document.querySelectorAll('.print-button')].map(e => e.checkVisibility())`))
		if err != nil || len(v) != 1 || v[0] {
			t.Errorf("without JavaScript the print button is %v (%v), want one, not shown", v, err)
		}
	})
}

// checkPrintButton clicks 打印本页 on the open page and checks that it
// asks the browser to print, once.
func checkPrintButton(t *testing.T, tab context.Context) {
	t.Helper()
	do(t, tab, "press 打印本页",
		chromedp.WaitVisible(css("button.print-button")),
		chromedp.Evaluate[chromedp.Void](`window.print = () => { window.printed = (window.printed || 0) + 1 }`),
		chromedp.Click(css("button.print-button")),
	)
	n, err := chromedp.Run(tab, chromedp.Evaluate[int](`window.printed || 0`))
	if err != nil || n != 1 {
		t.Errorf("打印本页 printed %d times (%v), want once", n, err)
	}
	if s := text(t, tab, "button.print-button"); s != "打印本页" {
		t.Errorf("the print button reads %q", s)
	}
}

// printPDF prints the open page to A4 as Chromium does and keeps the PDF.
func printPDF(t *testing.T, tab context.Context, name string, maxPages int) {
	t.Helper()
	pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", "TestPrint_"+name+".pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`/Type /Pages\b[^>]*?/Count (\d+)`).FindSubmatch(pdf); m == nil {
		t.Errorf("printing the %s gives no PDF pages (%d bytes)", name, len(pdf))
	} else if n, _ := strconv.Atoi(string(m[1])); n > maxPages {
		t.Errorf("printing the %s takes %d A4 pages, want at most %d", name, n, maxPages)
	}
}

// printedText is the text of the elements of sel as printed.
func printedText(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	if _, err := pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}) }()
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.innerText).join("\n")`, sel)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// shoot keeps screenshots of a page on a phone and a desk, signed in as
// the user if one is given.
func shoot(t *testing.T, url, name string, user ...string) {
	t.Helper()
	for _, vp := range []struct {
		name string
		w, h int
	}{{"phone", 390, 844}, {"desk", 1280, 800}} {
		tab := browser(t, vp.w, vp.h)
		for _, u := range user {
			login(t, tab, url[:strings.Index(url, "/s/")], u)
		}
		do(t, tab, "open "+url, chromedp.Navigate(url), chromedp.WaitVisible(css("button.print-button")))
		checkNoHorizontalScroll(t, tab, name+" "+vp.name)
		screenshot(t, tab, name+"-"+vp.name)
	}
}
