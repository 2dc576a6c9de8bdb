package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/notice"
	"gongkai/internal/notice/noticetest"
	"gongkai/internal/qrcode/qrcodetest"
)

// ledgerOf is the item's record as the API tells it: "存证 #N · SHA-256"
// and the leaf hash in hex.
func (h *harness) ledgerOf(t *testing.T, id int64) (string, string) {
	t.Helper()
	resp, body := h.get(h.client(""), fmt.Sprintf("/api/v1/disclosures/%d", id))
	var out struct {
		Ledger *struct {
			Index    int64  `json:"index"`
			LeafHash string `json:"leaf_hash"`
		} `json:"ledger"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != http.StatusOK || out.Ledger == nil || len(out.Ledger.LeafHash) != 64 {
		t.Fatalf("the API's ledger of item %d: %d %v\n%s", id, resp.StatusCode, err, body)
	}
	return fmt.Sprintf("存证 #%d · SHA-256", out.Ledger.Index), out.Ledger.LeafHash
}

// withFont lets the harness make PDFs, with the font the tests use.
func (h *harness) withFont(t *testing.T) {
	t.Helper()
	h.srv.notices = notice.NewMaker(noticetest.Font(t))
}

// TestNotice_answersAsTheItemPage: the print view and the PDF answer every
// reader exactly as the item page does — 404 where it is 404, a redirect
// to the staff page where it redirects — for items of every audience, a
// draft and another school's item.
func TestNotice_answersAsTheItemPage(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withFont(t)
		items := map[string]*gongkai.Disclosure{"draft": h.draft}
		for aud, d := range h.published {
			items[string(aud)] = d
		}
		readers := []string{"", "xq.parent", "xq.staff", "xq.clerk", "xq.principal", "other.staff", "bureau.inspector", "nobody"}
		seen := map[int]bool{}
		for name, d := range items {
			for _, reader := range readers {
				c := h.client(reader)
				page := fmt.Sprintf("/s/xq/d/%d", d.ID)
				want, _ := h.get(c, page)
				seen[want.StatusCode] = true
				for _, path := range []string{page + "/print", page + "/notice.pdf"} {
					got, _ := h.get(c, path)
					if got.StatusCode != want.StatusCode || got.Header.Get("Location") != want.Header.Get("Location") {
						t.Errorf("%s item, reader %q: %s answers %d %q, the item page %d %q", name, reader, path,
							got.StatusCode, got.Header.Get("Location"), want.StatusCode, want.Header.Get("Location"))
					}
				}
			}
		}
		if !seen[http.StatusOK] || !seen[http.StatusNotFound] || !seen[http.StatusSeeOther] {
			t.Errorf("the item page answered only %v: the table does not try readers who may not see an item", seen)
		}
		// Another school's item under this school's address is no item.
		for _, path := range []string{"/print", "/notice.pdf"} {
			if resp, _ := h.get(h.client(""), fmt.Sprintf("/s/xq/d/%d%s", h.otherItem.ID, path)); resp.StatusCode != http.StatusNotFound {
				t.Errorf("another school's item at %s: %d, want 404", path, resp.StatusCode)
			}
		}
	})
}

// TestNotice_printView is the A4 sheet: the school's header, the item,
// its trail, period and where to object, and the QR code of its verify
// page at the site's public address beside its record (the API's ledger
// index and leaf hash), with no navigation around it.
func TestNotice_printView(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.srv.cfg.BaseURL = "https://gongkai.example.cn/"
		d := h.published[gongkai.AudiencePublic]
		item := fmt.Sprintf("/s/xq/d/%d", d.ID)
		record, hash := h.ledgerOf(t, d.ID)
		resp, body := h.get(h.client(""), item+"/print")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("print view: %d", resp.StatusCode)
		}
		for _, want := range []string{
			"青禾县祥谦小学", "校务公开 · ", d.IndexNo, d.Title, "具体内容如下",
			"经领导小组审议 · 校长签发 · 监督小组审核",
			"公示期：" + isoDay(d.PublicityStart) + " 至 " + isoDay(d.PublicityEnd),
			"在线提交异议：https://gongkai.example.cn/s/xq/feedback/new?kind=objection&amp;d=",
			"监督电话：0591-5550023",
			`<svg xmlns="http://www.w3.org/2000/svg" class="qr"`,
			"<p>" + record + "</p>", `<p class="sheet-hash">` + hash + "</p>",
			"网上原文：https://gongkai.example.cn" + item + "<",
			`href="` + item + `/notice.pdf"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the print view lacks %q", want)
			}
		}
		for _, chrome := range []string{`class="school-nav"`, `<header class="site"`, `<footer class="site"`, `action="/prefs"`} {
			if strings.Contains(body, chrome) {
				t.Errorf("the print view has the site's %s", chrome)
			}
		}
		svg := body[strings.Index(body, "<svg"):]
		svg = svg[:strings.Index(svg, "</svg>")+len("</svg>")]
		if got, err := qrcodetest.DecodeSVG(svg); err != nil || got != "https://gongkai.example.cn"+item+"/verify" {
			t.Errorf("the QR code opens %q (%v), want the verify page", got, err)
		}
		// The item page links to both.
		_, page := h.get(h.client(""), item)
		for _, want := range []string{`href="` + item + `/print">打印公告</a>`, `href="` + item + `/notice.pdf">下载 PDF</a>`} {
			if !strings.Contains(page, want) {
				t.Errorf("the item page lacks %s", want)
			}
		}
	})
}

// TestNotice_withdrawn: a withdrawn item's notice says so, with the
// reason, instead of the body, asks for no objections, and carries the
// record of the withdrawal.
func TestNotice_withdrawn(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withFont(t)
		d := h.publishItem(h.school, "撤回的收费公示", gongkai.AudiencePublic)
		h.act(h.school, d.ID, "principal", gongkai.ActionWithdraw, "收费标准有误")
		item := fmt.Sprintf("/s/xq/d/%d", d.ID)
		resp, body := h.get(h.client(""), item+"/print")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("print view of a withdrawn item: %d", resp.StatusCode)
		}
		if !strings.Contains(body, "本事项已撤回。撤回理由：收费标准有误") {
			t.Error("the print view does not say the item was withdrawn, and why")
		}
		// The record printed is the withdrawal's, the item's newest.
		if _, hash := h.ledgerOf(t, d.ID); !strings.Contains(body, hash) {
			t.Errorf("the withdrawn notice does not carry the record of its withdrawal %s", hash)
		}
		for _, gone := range []string{"具体内容如下", "如有异议"} {
			if strings.Contains(body, gone) {
				t.Errorf("the withdrawn notice still shows %q", gone)
			}
		}
		resp, pdf := h.get(h.client(""), item+"/notice.pdf")
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != "application/pdf" {
			t.Fatalf("PDF of a withdrawn item: %d %s", resp.StatusCode, ct)
		}
		text := noticetest.Text(t, []byte(pdf))
		if !strings.Contains(text, "本事项已撤回。撤回理由：收费标准有误") || strings.Contains(text, "具体内容如下") {
			t.Errorf("the withdrawn PDF says:\n%s", text)
		}
	})
}

// TestNotice_noFont: a server without a Chinese font says so in Chinese
// and offers the print view, which works.
func TestNotice_noFont(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.srv.notices = notice.NewMaker(t.TempDir() + "/none.ttf")
		item := fmt.Sprintf("/s/xq/d/%d", h.published[gongkai.AudiencePublic].ID)
		resp, body := h.get(h.client(""), item+"/notice.pdf")
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("without a font: %d %s, want the page that says so", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(body, "服务器未安装中文字体，暂不能生成 PDF；请使用浏览器打印。") || !strings.Contains(body, `href="`+item+`/print"`) {
			t.Errorf("the no-font page does not explain, or offers no print view:\n%s", body)
		}
		if resp, _ := h.get(h.client(""), item+"/print"); resp.StatusCode != http.StatusOK {
			t.Errorf("without a font the print view answers %d", resp.StatusCode)
		}
	})
}

// TestNotice_pdf renders the PDF as a reader's viewer would: one A4 page
// with ink on it, the school, title, period and record in its text — the
// hash the API gives as the item's ledger leaf hash — and a QR code that
// opens the verify page.
func TestNotice_pdf(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.withFont(t)
		h.srv.cfg.BaseURL = "https://gongkai.example.cn"
		d := h.published[gongkai.AudiencePublic]
		item := fmt.Sprintf("/s/xq/d/%d", d.ID)
		record, hash := h.ledgerOf(t, d.ID)
		resp, body := h.get(h.client(""), item+"/notice.pdf")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("PDF: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".pdf") {
			t.Errorf("Content-Disposition %q", cd)
		}
		pdf := []byte(body)
		pages := noticetest.Pages(t, pdf, 150)
		if len(pages) != 1 {
			t.Errorf("%d pages, want 1", len(pages))
		}
		if b := pages[0].Bounds(); b.Dx() < 1239 || b.Dx() > 1241 || b.Dy() < 1753 || b.Dy() > 1755 {
			t.Errorf("page of %d × %d pixels at 150 dpi, want A4", b.Dx(), b.Dy())
		}
		if ink := noticetest.Ink(pages[0]); ink < 0.01 {
			t.Errorf("the page is blank (%.4f ink)", ink)
		}
		text := noticetest.Text(t, pdf)
		for _, want := range []string{"青禾县祥谦小学", d.Title, "公示期：" + isoDay(d.PublicityStart) + " 至 " + isoDay(d.PublicityEnd),
			"经领导小组审议 · 校长签发 · 监督小组审核", record, hash[:32] + "\n" + hash[32:]} {
			if !strings.Contains(text, want) {
				t.Errorf("the PDF's text lacks %q:\n%s", want, text)
			}
		}
		if got, err := qrcodetest.Decode(pages[0], false); err != nil || got != "https://gongkai.example.cn"+item+"/verify" {
			t.Errorf("the PDF's QR code reads %q (%v), want the verify page", got, err)
		}
		// The same notice again is the same file, and a client that has it
		// is told so.
		again, err := http.NewRequest("GET", h.ts.URL+item+"/notice.pdf", nil)
		must(t, err)
		again.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		r2, err := h.client("").Do(again)
		must(t, err)
		r2.Body.Close()
		if r2.StatusCode != http.StatusNotModified {
			t.Errorf("the same PDF asked again with its ETag: %d, want 304", r2.StatusCode)
		}
	})
}
