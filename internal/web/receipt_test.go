package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/qrcode/qrcodetest"
)

var (
	receiptQR   = regexp.MustCompile(`(?s)<figure class="fb-qr">\s*(<svg.*?</svg>)`)
	copyButton  = regexp.MustCompile(`<button type="button" class="secondary fb-copy" data-copy="([^"]+)" data-done="[^"]+" hidden>([^<]+)</button>`)
	receiptCode = regexp.MustCompile(`<p id="([^"]+)" class="fb-code-value">([^<]+)</p>`)
	scriptSrc   = regexp.MustCompile(`<script src="(/static/[0-9a-f]+/receipt\.js)" defer></script>`)
)

// TestReceipt_card sends an anonymous report and reads its receipt page as
// the sender keeps it: the card with school, kind, date and both codes; a
// QR code that a phone decodes to the lookup page with the receipt code in
// the fragment (never sent to a server) and without the secret; copy
// buttons that stay hidden until the script shows them and name the text
// they copy; the notice that leaving loses the secret; and the headers that
// keep the page out of caches and its address out of other sites' logs.
func TestReceipt_card(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		anon := h.client("")
		resp, body := h.fbPost(anon, "/s/xq/feedback", url.Values{"kind": {"report"}, "about": {"general"},
			"subject": {"食堂收费不透明"}, "body": {"伙食费每月收取但未公示明细。"}, "anonymous": {"1"}}, nil)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("submit: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		receipt, secret := fbCodes(t, body)
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		if rp := resp.Header.Get("Referrer-Policy"); rp != "same-origin" && rp != "no-referrer" {
			t.Errorf("Referrer-Policy %q lets the page's address reach other sites", rp)
		}
		noSecretInURLs(t, secret, resp, body)

		card := body[strings.Index(body, `<div class="fb-card"`):strings.Index(body, `<div class="fb-keep"`)]
		for _, want := range []string{"青禾县祥谦小学", "已收到您的举报", "<dd>举报</dd>", "食堂收费不透明", h.srv.now().In(gongkai.Beijing).Format("2006-01-02"), receipt, secret, h.ts.URL + "/lookup"} {
			if !strings.Contains(card, want) {
				t.Errorf("the receipt card lacks %q", want)
			}
		}

		m := receiptQR.FindStringSubmatch(card)
		if m == nil {
			t.Fatal("the receipt card has no QR code")
		}
		if !strings.Contains(m[1], "<title>查询回执二维码</title>") {
			t.Errorf("the QR code has no title for screen readers")
		}
		link, err := qrcodetest.DecodeSVG(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if want := h.ts.URL + "/lookup#receipt=" + receipt; link != want {
			t.Errorf("the QR code opens %q, want %q", link, want)
		}
		if strings.Contains(link, secret) || strings.Contains(link, strings.ReplaceAll(secret, "-", "")) {
			t.Errorf("the QR code carries the secret: %s", link)
		}
		if u, err := url.Parse(link); err != nil || u.RawQuery != "" || u.Path != "/lookup" {
			t.Errorf("the QR code sends something to the server: %q (%v)", link, err)
		}

		// Copy buttons: hidden without JavaScript, each naming the code it copies.
		shown := map[string]string{}
		for _, c := range receiptCode.FindAllStringSubmatch(card, -1) {
			shown[c[1]] = c[2]
		}
		copies := map[string]string{}
		for _, b := range copyButton.FindAllStringSubmatch(card, -1) {
			copies[b[2]] = shown[b[1]]
		}
		if copies["复制回执码"] != receipt || copies["复制查询密码"] != secret {
			t.Errorf("copy buttons copy %q, want the receipt %s and the secret %s", copies, receipt, secret)
		}

		// Without JavaScript, the page itself says that leaving loses the secret.
		if !strings.Contains(body, "离开、刷新或关闭本页后，查询密码不会再显示。") || !strings.Contains(body, `data-leave="查询密码只显示这一次`) {
			t.Errorf("the receipt page does not warn that leaving loses the secret")
		}

		// The script is served, and the lookup page loads it too to take the
		// code from the fragment.
		s := scriptSrc.FindStringSubmatch(body)
		if s == nil {
			t.Fatal("the receipt page does not load receipt.js")
		}
		jr, js := h.get(anon, s[1])
		if jr.StatusCode != 200 || !strings.Contains(jr.Header.Get("Content-Type"), "javascript") || !strings.Contains(js, "beforeunload") || !strings.Contains(js, "clipboard") {
			t.Errorf("receipt.js: %d %q", jr.StatusCode, jr.Header.Get("Content-Type"))
		}
		if _, lp := h.get(anon, "/lookup"); !strings.Contains(lp, s[0]) {
			t.Errorf("the lookup page does not load receipt.js")
		}
	})
}

// TestReceipt_lookupLink is the QR code's address under a site's
// --base-url and with a receipt code that needs no escaping beyond its own.
func TestReceipt_lookupLink(t *testing.T) {
	tests := []struct{ base, receipt, want string }{
		{"https://gongkai.example.cn", "ABCD-EFGH-JKMN-PQRS", "https://gongkai.example.cn/lookup#receipt=ABCD-EFGH-JKMN-PQRS"},
		{"http://127.0.0.1:8080", "0000-1111-2222-3333", "http://127.0.0.1:8080/lookup#receipt=0000-1111-2222-3333"},
		{"https://x.example.cn", "A B&C", "https://x.example.cn/lookup#receipt=A+B%26C"},
	}
	for _, tt := range tests {
		if got := lookupLink(tt.base, tt.receipt); got != tt.want {
			t.Errorf("lookupLink(%q, %q) = %q, want %q", tt.base, tt.receipt, got, tt.want)
		}
	}
}
