package e2e

import (
	"bytes"
	"context"
	"image/png"
	"sync"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"gongkai/internal/qrcode/qrcodetest"
	"gongkai/internal/testdb"
)

// TestReceipt_qrCopyAndLeaveWarning is the receipt card as a parent uses it.
// On a 390×844 phone, an anonymous parent sends an opinion; the receipt
// card's QR code, photographed off the screen, decodes to the lookup page
// with the receipt code in the fragment and nothing of the secret; the two
// copy buttons put the receipt code and the secret on the clipboard, and
// neither asks before leaving; tapping 返回校务公开 does ask (the parent
// stays), and a second tap, confirmed, leaves. The QR code's link opened
// in another browser shows the lookup form with the receipt code filled in
// and the fragment gone from the address, and the secret typed there opens
// the case. At 1280×800 a report's card shows its QR code beside the codes.
func TestReceipt_qrCopyAndLeaveWarning(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			phone := browser(t, 390, 844)
			for _, name := range []cdpbrowser.PermissionType{cdpbrowser.PermissionTypeClipboardReadWrite, cdpbrowser.PermissionTypeClipboardSanitizedWrite} {
				if _, err := chromedp.CallBrowser(phone, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
					Permission: &cdpbrowser.PermissionDescriptor{Name: receiptPermission[name]}, Setting: cdpbrowser.PermissionSettingGranted, Origin: srv.URL,
				}); err != nil {
					t.Fatalf("grant %s: %v", name, err)
				}
			}
			dialogs := watchDialogs(t, phone)

			subject := "建议公开课后服务费的收支明细"
			do(t, phone, "open the opinion box", chromedp.Navigate(srv.URL+"/s/xiangqian/feedback/new?kind=opinion"), chromedp.WaitVisible(css("#fb-body")))
			do(t, phone, "write and send",
				chromedp.SendKeys(css("#fb-subject"), subject),
				chromedp.SendKeys(css("#fb-body"), "课后服务费每学期收取，希望按月公开收支明细。"),
				chromedp.Click(css("#fb-anon-yes")),
				chromedp.Click(css(`form.fb-form button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-card")),
			)
			receipt, secret := receiptCodes(t, phone)
			screenshot(t, phone, "receipt-phone")
			checkAccessibility(t, phone, "receipt card")
			checkNoHorizontalScroll(t, phone, "receipt card")
			if fits, _ := chromedp.Run(phone, chromedp.Evaluate[bool](`document.querySelector('.fb-card').getBoundingClientRect().height <= window.innerHeight`)); !fits {
				t.Errorf("the receipt card is taller than a 390×844 screen: one screenshot does not hold it")
			}

			want := srv.URL + "/lookup#receipt=" + receipt
			if link := scanQR(t, phone); link != want {
				t.Errorf("the QR code on the phone reads %q, want %q", link, want)
			}

			// The copy buttons, shown by the script, copy what they say.
			for _, c := range []struct{ button, want, done string }{{"fb-code-receipt", receipt, "回执码已复制"}, {"fb-code-secret", secret, "查询密码已复制"}} {
				sel := `button.fb-copy[data-copy="` + c.button + `"]`
				if _, err := chromedp.Run(phone, chromedp.Evaluate[any](
					`document.querySelector('.fb-copy-status').textContent = '', navigator.clipboard.writeText('')`, chromedp.EvalAwaitPromise)); err != nil {
					t.Fatalf("clear the clipboard: %v", err)
				}
				do(t, phone, "tap "+c.button, chromedp.Click(css(sel), chromedp.NodeVisible))
				waitFor(t, phone, "the copy is confirmed", `document.querySelector('.fb-copy-status').textContent.includes('`+c.done+`')`)
				got, err := chromedp.Run(phone, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
				if err != nil || got != c.want {
					t.Errorf("%s put %q on the clipboard (%v), want %q", c.button, got, err, c.want)
				}
			}
			screenshot(t, phone, "receipt-phone-copied")
			// Where the Clipboard API is missing (a county server on plain
			// HTTP), the button selects the text and copies it the old way.
			if _, err := chromedp.Run(phone, chromedp.Evaluate[any](`window.realClipboard = navigator.clipboard,
				Object.defineProperty(navigator, 'clipboard', {value: undefined, configurable: true}),
				window.realClipboard.writeText(''), document.querySelector('.fb-copy-status').textContent = ''`, chromedp.EvalAwaitPromise)); err != nil {
				t.Fatalf("take the Clipboard API away: %v", err)
			}
			do(t, phone, "tap 复制查询密码 without the Clipboard API", chromedp.Click(css(`button.fb-copy[data-copy="fb-code-secret"]`), chromedp.NodeVisible))
			waitFor(t, phone, "the old-way copy is confirmed", `document.querySelector('.fb-copy-status').textContent.includes('查询密码已复制')`)
			if got, err := chromedp.Run(phone, chromedp.Evaluate[string](`window.realClipboard.readText()`, chromedp.EvalAwaitPromise)); err != nil || got != secret {
				t.Errorf("without the Clipboard API the clipboard holds %q (%v), want the secret", got, err)
			}
			if sel, _ := chromedp.Run(phone, chromedp.Evaluate[string](`window.getSelection().toString().trim()`)); sel != secret {
				t.Errorf("without the Clipboard API the selection is %q, want the secret", sel)
			}
			if n := dialogs.count(); n != 0 {
				t.Errorf("copying opened %d dialogs, want none", n)
			}

			// Leaving asks first; staying keeps the secret on the screen.
			dialogs.answer(false)
			do(t, phone, "tap 返回校务公开", chromedp.Click(css(`.fb-receipt .actions a[href="/s/xiangqian/"]`)))
			dialogs.wait(t, 1)
			time.Sleep(300 * time.Millisecond)
			if s := text(t, phone, "#fb-code-secret"); s != secret {
				t.Errorf("after choosing to stay, the page shows %q, want the secret", s)
			}
			dialogs.answer(true)
			do(t, phone, "tap 返回校务公开 and leave", chromedp.Click(css(`.fb-receipt .actions a[href="/s/xiangqian/"]`)), chromedp.WaitVisible(css(".board-head, main h1")))
			dialogs.wait(t, 2)
			if loc, _ := chromedp.Run(phone, chromedp.Location()); loc != srv.URL+"/s/xiangqian/" {
				t.Errorf("after leaving, the phone is at %s", loc)
			}

			// The QR code's link, opened as a scanner would.
			desk := browser(t, 1280, 800)
			do(t, desk, "open the QR code's link", chromedp.Navigate(want), chromedp.WaitVisible(css("#secret")))
			if v, _ := chromedp.Run(desk, chromedp.Value(css("#receipt"))); v != receipt {
				t.Errorf("the lookup form has receipt %q, want %q from the QR code", v, receipt)
			}
			if loc, _ := chromedp.Run(desk, chromedp.Location()); loc != srv.URL+"/lookup" {
				t.Errorf("the address keeps the fragment: %s", loc)
			}
			if id, _ := chromedp.Run(desk, chromedp.Evaluate[string](`document.activeElement.id`)); id != "secret" {
				t.Errorf("the focus is on %q, want the secret's field", id)
			}
			do(t, desk, "type the secret and look up",
				chromedp.SendKeys(css("#secret"), secret),
				chromedp.Click(css(`form[action="/lookup"] button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-case-title")),
			)
			if s := text(t, desk, ".fb-case-title"); s != subject {
				t.Errorf("the lookup opened %q, want the case %q", s, subject)
			}

			// A report at a desk: the QR code beside the codes.
			do(t, desk, "open the report form", chromedp.Navigate(srv.URL+"/s/xiangqian/feedback/new?kind=report"), chromedp.WaitVisible(css("#fb-body")))
			do(t, desk, "write and send the report",
				chromedp.Click(css(`input[name=about][value=general]`)),
				chromedp.SendKeys(css("#fb-subject"), "食堂伙食费未公示"),
				chromedp.SendKeys(css("#fb-body"), "本学期伙食费每月 ¥380.00 元，未见收支公示。"),
				chromedp.Click(css("#fb-anon-yes")),
				chromedp.Click(css(`form.fb-form button[type=submit]`)),
				chromedp.WaitVisible(css(".fb-card")),
			)
			receipt2, _ := receiptCodes(t, desk)
			screenshot(t, desk, "receipt-desk")
			checkAccessibility(t, desk, "receipt card at a desk")
			if link := scanQR(t, desk); link != srv.URL+"/lookup#receipt="+receipt2 {
				t.Errorf("the QR code at a desk reads %q, want the lookup of %s", link, receipt2)
			}
			beside, _ := chromedp.Run(desk, chromedp.Evaluate[bool](`(() => {
				const q = document.querySelector('.fb-qr').getBoundingClientRect(), c = document.querySelector('.fb-codes').getBoundingClientRect();
				return q.left >= c.right && q.top < c.bottom; })()`))
			if !beside {
				t.Errorf("at 1280×800 the QR code is not beside the codes")
			}
		})
	}
}

// receiptPermission names the permissions as Browser.setPermission wants them.
var receiptPermission = map[cdpbrowser.PermissionType]string{
	cdpbrowser.PermissionTypeClipboardReadWrite:      "clipboard-read",
	cdpbrowser.PermissionTypeClipboardSanitizedWrite: "clipboard-write",
}

// receiptCodes reads the receipt code and the secret off the card.
func receiptCodes(t *testing.T, ctx context.Context) (receipt, secret string) {
	t.Helper()
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('.fb-card .fb-code-value')).map(e => e.textContent.trim())`))
	if err != nil || len(codes) != 2 || codes[0] == "" || codes[1] == "" {
		t.Fatalf("the receipt card shows codes %q (%v), want the receipt code and the secret", codes, err)
	}
	return codes[0], codes[1]
}

// scanQR photographs the card's QR code as the browser drew it and reads it.
func scanQR(t *testing.T, ctx context.Context) string {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.Screenshot(css(".fb-qr svg"), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("photograph the QR code: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	link, err := qrcodetest.Decode(img, false)
	if err != nil {
		t.Fatalf("the QR code on the screen cannot be read: %v", err)
	}
	return link
}

// waitFor polls a JavaScript condition for up to ten seconds.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	for range 100 {
		if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within 10 s", what)
}

// dialogWatch answers the page's beforeunload dialogs and counts every
// dialog that opens.
type dialogWatch struct {
	mu     sync.Mutex
	seen   []page.DialogType
	accept bool
}

func watchDialogs(t *testing.T, ctx context.Context) *dialogWatch {
	t.Helper()
	w := &dialogWatch{}
	opening := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.seen = append(w.seen, ev.Type)
			accept := w.accept
			w.mu.Unlock()
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			}()
		}
	}()
	return w
}

func (w *dialogWatch) answer(accept bool) {
	w.mu.Lock()
	w.accept = accept
	w.mu.Unlock()
}

func (w *dialogWatch) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.seen)
}

// wait waits until n dialogs have opened, each of them a beforeunload.
func (w *dialogWatch) wait(t *testing.T, n int) {
	t.Helper()
	for range 100 {
		w.mu.Lock()
		seen := append([]page.DialogType(nil), w.seen...)
		w.mu.Unlock()
		if len(seen) >= n {
			for _, d := range seen {
				if d != page.DialogTypeBeforeunload {
					t.Errorf("a %s dialog opened, want only beforeunload", d)
				}
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no leave warning: %d dialogs opened, want %d", w.count(), n)
}
