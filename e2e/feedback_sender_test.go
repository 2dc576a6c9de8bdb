package e2e

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestFeedback_reportFilesAndSubject: an anonymous sender on a phone
// reports a member of staff with a file, then opens the case with the
// receipt and finds the file to download, which the server gives for the
// receipt and secret and for nothing else. The supervision group, at a
// desk, records on the case page which member of staff the report is
// about; the page then names that person.
func TestFeedback_reportFilesAndSubject(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			pdf := filepath.Join(t.TempDir(), "收费单据.pdf")
			if err := os.WriteFile(pdf, textPDF("e2e", "资料费收据"), 0o644); err != nil {
				t.Fatal(err)
			}
			phone := browser(t, 390, 844)
			do(t, phone, "fill the report form",
				chromedp.Navigate(srv.URL+"/s/xiangqian/feedback/new?kind=report"),
				chromedp.WaitVisible(css("#fb-body")),
				chromedp.Click(css("#fb-about-staff")),
				chromedp.SendKeys(css("#fb-about_name"), "某老师"),
				chromedp.SendKeys(css("#fb-subject"), "有偿补课收费"),
				chromedp.SendKeys(css("#fb-body"), "有老师在校外组织有偿补课，每次收费 ¥100.00 元，收据见附件。"),
				chromedp.SetUploadFiles(css("#fb-file"), []string{pdf}),
			)
			do(t, phone, "send the report", chromedp.Click(css(`form.fb-form button[type=submit]`)), chromedp.WaitVisible(css(".fb-receipt")))
			codes, err := chromedp.Run(phone, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.fb-code-value')).map(e => e.textContent.trim())`))
			if err != nil || len(codes) != 2 {
				t.Fatalf("receipt codes %q: %v", codes, err)
			}
			receipt, secret := codes[0], codes[1]
			// The receipt asks before it is left; the sender has kept the codes.
			watchDialogs(t, phone).answer(true)
			do(t, phone, "look the case up",
				chromedp.Navigate(srv.URL+"/lookup"),
				chromedp.WaitVisible(css("#receipt")),
				chromedp.SendKeys(css("#receipt"), receipt),
				chromedp.SendKeys(css("#secret"), secret),
				chromedp.Click(css(`main form button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-file-link")),
			)
			if s := text(t, phone, ".fb-file-link"); s != "收费单据.pdf" {
				t.Errorf("the download button says %q, want the file's name", s)
			}
			checkNoHorizontalScroll(t, phone, "lookup with a file")
			checkAccessibility(t, phone, "lookup with a file")
			screenshot(t, phone, "1-lookup-file")
			att, err := chromedp.Run(phone, chromedp.Value(css(`.fb-file-form input[name=att]`)))
			if err != nil || att == "" {
				t.Fatalf("the download form names no file: %v", err)
			}
			post := func(secret string) (int, []byte) {
				resp, err := http.PostForm(srv.URL+"/lookup/file", url.Values{"receipt": {receipt}, "secret": {secret}, "att": {att}})
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, b
			}
			if status, b := post(secret); status != http.StatusOK || !strings.HasPrefix(string(b), "%PDF") {
				t.Errorf("download with receipt and secret: %d, %d bytes", status, len(b))
			}
			if status, b := post(strings.Repeat("a", len(secret))); status != http.StatusNotFound || strings.HasPrefix(string(b), "%PDF") {
				t.Errorf("download with a wrong secret: %d", status)
			}

			desk := browser(t, 1280, 800)
			login(t, desk, srv.URL, "xiangqian.supervisor")
			do(t, desk, "find the report",
				chromedp.Navigate(srv.URL+"/s/xiangqian/cases?tab=all&q="+url.QueryEscape(receipt)),
				chromedp.WaitVisible(css(`.fb-table tbody td.fb-subject a`)),
				chromedp.Click(css(`.fb-table tbody td.fb-subject a`)),
				chromedp.WaitVisible(css("#step-about")),
				flowOpen("#step-about"),
				// A clerk of the finance office, not a leader: the case stays
				// with the school.
				chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#c-about'); s.value = [...s.options].find(o => o.textContent.includes('财务室')).value; })()`),
			)
			person, err := chromedp.Run(desk, chromedp.Evaluate[string](`document.querySelector('#c-about').selectedOptions[0].textContent`))
			if err != nil {
				t.Fatal(err)
			}
			name, _, _ := strings.Cut(person, "（")
			screenshot(t, desk, "2-about-form")
			flowSubmit(t, desk, "record whom the report is about",
				chromedp.Click(css(`form[action$="/about"] button[type=submit]`)), ".flash", "已记录被举报人")
			if s := text(t, desk, ".fb-facts"); !strings.Contains(s, "被举报人") || !strings.Contains(s, strings.TrimSpace(name)) {
				t.Errorf("the case page does not name whom the report is about (%q): %q", name, s)
			}
			checkAccessibility(t, desk, "case page with whom a report is about")
			screenshot(t, desk, "3-about-recorded")

			// The same pages the other way round: the case page on a phone,
			// the sender's case at a desk.
			caseURL, _ := chromedp.Run(desk, chromedp.Location())
			phoneStaff := browser(t, 390, 844)
			login(t, phoneStaff, srv.URL, "xiangqian.supervisor")
			do(t, phoneStaff, "the case on a phone", chromedp.Navigate(caseURL), chromedp.WaitVisible(css("#step-about")), flowOpen("#step-about"))
			checkNoHorizontalScroll(t, phoneStaff, "case page on a phone")
			screenshot(t, phoneStaff, "4-case-phone")
			do(t, desk, "the sender's case at a desk",
				chromedp.Navigate(srv.URL+"/lookup"), chromedp.WaitVisible(css("#receipt")),
				chromedp.SendKeys(css("#receipt"), receipt), chromedp.SendKeys(css("#secret"), secret),
				chromedp.Click(css(`main form button[type=submit]`)), chromedp.WaitVisible(css(".fb-file-link")))
			screenshot(t, desk, "5-lookup-desk")
		})
	}
}
