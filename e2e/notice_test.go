package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"gongkai/internal/notice/noticetest"
	"gongkai/internal/qrcode/qrcodetest"
)

// TestNotice prints an item's notice (打印公告) as a clerk would before
// pinning it to the 公开栏: Chromium's own print to PDF on A4 gives one
// page, with the school, the title and the record on it and none of the
// site's navigation or the sheet's buttons, whose QR code still opens the
// verify page; printed media hides the buttons. The sheet passes the
// accessibility checks on screen and has no sideways scrolling on a phone.
// Screenshots at A4, 390×844 and 1280×800 go to artifacts/, with the PDF.
func TestNotice(t *testing.T) {
	srv := startServer(t, "sqlite")
	items := findPageItems(t, srv.URL)
	item := fmt.Sprintf("/s/xiangqian/d/%d", items.published)
	sheet := srv.URL + item + "/print"

	tab := browser(t, 794, 1123) // A4 at 96 dpi
	do(t, tab, "open the item page", chromedp.Navigate(srv.URL+item), chromedp.WaitVisible(css(`a[href$="/print"]`)))
	do(t, tab, "follow 打印公告", chromedp.Click(css(`a[href$="/print"]`)), chromedp.WaitVisible(css(".sheet-title")))
	title := text(t, tab, ".sheet-title")
	checkAccessibility(t, tab, "print view")
	if _, err := pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]bool{
		".sheet-tools": false, ".sheet-tools a": false, "button": false, "header.site": false, "footer.site": false, ".school-nav": false,
		".sheet-head": true, ".sheet-title": true, ".body": true, ".sheet-objection": true, ".sheet-record svg.qr": true, ".sheet-hash": true,
	} {
		v, err := chromedp.Run(tab, chromedp.Evaluate[[]bool](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.checkVisibility())`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		if want && len(v) == 0 {
			t.Errorf("printed, the notice has no %s", sel)
		}
		for i, shown := range v {
			if shown != want {
				t.Errorf("printed, %s #%d shown: %v, want %v", sel, i+1, shown, want)
			}
		}
	}
	checkNoHorizontalScroll(t, tab, "print view printed")
	screenshot(t, tab, "a4")
	_, _ = pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})

	pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	keep(t, "TestNotice_chromium.pdf", pdf)
	pages := noticetest.Pages(t, pdf, 150)
	if len(pages) != 1 {
		t.Errorf("Chromium prints the notice on %d A4 pages, want 1", len(pages))
	}
	// A4 is 1240 × 1754 pixels at 150 dpi; Chromium rounds it to 8.27 × 11.7 inches.
	if b := pages[0].Bounds(); b.Dx() < 1238 || b.Dx() > 1243 || b.Dy() < 1752 || b.Dy() > 1757 {
		t.Errorf("printed page of %d × %d pixels at 150 dpi, want A4", b.Dx(), b.Dy())
	}
	printed := noticetest.Text(t, pdf)
	for _, want := range []string{"祥谦小学", title, "公示期", "存证 #", "SHA-256", "如有异议"} {
		if !strings.Contains(printed, want) {
			t.Errorf("the printed notice lacks %q:\n%s", want, printed)
		}
	}
	for _, chrome := range []string{"大字模式", "English", "登录", "返回公告页面", "下载 PDF", "打印本页", "全部学校"} {
		if strings.Contains(printed, chrome) {
			t.Errorf("the printed notice shows the site's or the sheet's %q", chrome)
		}
	}
	if got, err := qrcodetest.Decode(pages[0], false); err != nil || !regexp.MustCompile(`^http://127\.0\.0\.1:\d+`+regexp.QuoteMeta(item)+`/verify$`).MatchString(got) {
		t.Errorf("the printed QR code reads %q (%v), want the item's verify page", got, err)
	}

	// gongkai's own PDF of the same notice.
	do(t, tab, "back to the sheet", chromedp.Navigate(sheet), chromedp.WaitVisible(css(".sheet-title")))
	href, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector('.sheet-tools a[href$="notice.pdf"]').href`))
	if err != nil || !strings.HasSuffix(href, item+"/notice.pdf") {
		t.Errorf("the sheet's 下载 PDF link is %q (%v)", href, err)
	}

	phone := browser(t, 390, 844)
	do(t, phone, "open the sheet on a phone", chromedp.Navigate(sheet), chromedp.WaitVisible(css(".sheet-title")))
	checkNoHorizontalScroll(t, phone, "print view 390")
	screenshot(t, phone, "phone")
	desk := browser(t, 1280, 800)
	do(t, desk, "open the sheet on a desk", chromedp.Navigate(sheet), chromedp.WaitVisible(css(".sheet-title")))
	screenshot(t, desk, "desk")
}

// keep writes a file under artifacts/.
func keep(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.MkdirAll("artifacts", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("artifacts", name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}
