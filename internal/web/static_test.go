package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestStatic_css: the stylesheet the layout links is served under its hash
// for a year, gzipped to a client that takes gzip and plain to one that
// does not, each form with its own ETag and a 304 for it; a wrong hash is
// 404.
func TestStatic_css(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, page := h.get(h.client(""), "/")
		m := regexp.MustCompile(`<link rel="stylesheet" href="(/static/[0-9a-f]{12}/app\.css)">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the layout links no hashed app.css")
		}
		plain := staticFile(t, "app.css")
		fetch := func(encoding, inm string) (*http.Response, []byte) {
			req, _ := http.NewRequest("GET", h.ts.URL+m[1], nil)
			// Set by hand, the transport leaves the body as it comes.
			req.Header.Set("Accept-Encoding", encoding)
			if inm != "" {
				req.Header.Set("If-None-Match", inm)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			must(t, err)
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			must(t, err)
			return resp, b
		}

		resp, body := fetch("gzip, deflate, br", "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("with gzip accepted: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
		}
		zr, err := gzip.NewReader(bytes.NewReader(body))
		must(t, err)
		inflated, err := io.ReadAll(zr)
		must(t, err)
		if !bytes.Equal(inflated, plain) {
			t.Error("the gzipped stylesheet does not inflate to app.css")
		}
		if len(body)*4 > len(plain) {
			t.Errorf("gzipped, app.css is %d of %d bytes; want under a quarter", len(body), len(plain))
		}
		for k, want := range map[string]string{"Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable", "Vary": "Accept-Encoding"} {
			if got := resp.Header.Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		gzTag := resp.Header.Get("ETag")

		resp, body = fetch("", "")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, plain) {
			t.Fatalf("without gzip: %d, Content-Encoding %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Encoding"), len(body))
		}
		plainTag := resp.Header.Get("ETag")
		if gzTag == "" || plainTag == "" || gzTag == plainTag {
			t.Errorf("ETags gzip %q, plain %q: want two different strong tags", gzTag, plainTag)
		}
		if resp, _ := fetch("gzip", gzTag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match with the gzip ETag: %d, want 304", resp.StatusCode)
		}
		if resp, _ := fetch("", plainTag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match with the plain ETag: %d, want 304", resp.StatusCode)
		}
		if resp, _ := h.get(h.client(""), "/static/000000000000/app.css"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a wrong hash: %d, want 404", resp.StatusCode)
		}
	})
}

// TestStatic_favicon: every page links the icon, which is served; and
// /favicon.ico, which browsers ask for on their own, answers with an icon.
func TestStatic_favicon(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("")
		_, page := h.get(c, "/s/xq/")
		m := regexp.MustCompile(`<link rel="icon" href="(/static/[0-9a-f]{12}/favicon\.svg)" type="image/svg\+xml">`).FindStringSubmatch(page)
		if m == nil {
			t.Fatal("the page links no favicon.svg")
		}
		resp, body := h.get(c, m[1])
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
			t.Errorf("favicon.svg: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		resp, body = h.get(c, "/favicon.ico")
		// An ICO file: reserved 0, type 1 (icon), then its images.
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(body, "\x00\x00\x01\x00") {
			t.Errorf("/favicon.ico: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(8, len(body))])
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=") || resp.Header.Get("ETag") == "" {
			t.Errorf("/favicon.ico is not cacheable: Cache-Control %q, ETag %q", cc, resp.Header.Get("ETag"))
		}
	})
}

// staticFile is the embedded file as it is in the repository.
func staticFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := staticFS.ReadFile("static/" + name)
	must(t, err)
	return b
}
