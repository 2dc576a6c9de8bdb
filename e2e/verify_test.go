package e2e

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestVerify_inBrowser is the verify page as a parent opens it: 已存证 #N on
// the item page leads to it, and the page checks the item again in the
// browser with WebCrypto — the school's signature on the checkpoint, the
// entry in the signed tree, the content against the entry — and says ✓ for
// each, on a phone and on a desk. Then the tamper drill: the body changed
// in the database behind gongkai's back, and both the server's check and
// the browser's say so in red.
func TestVerify_inBrowser(t *testing.T) {
	dsn := testdb.New(t, "sqlite")
	srv := launch(t, dsn, t.TempDir())
	id := findVerified(t, srv.URL, "/s/xiangqian/", "内容与存证一致")
	item := srv.URL + "/s/xiangqian/d/" + id

	phone := browser(t, 390, 844)
	do(t, phone, "open the item", chromedp.Navigate(item), chromedp.WaitVisible(css(".ledger-mark a")))
	if s := text(t, phone, ".ledger-mark a"); !regexp.MustCompile(`^已存证 #\d+$`).MatchString(s) {
		t.Fatalf("the item's mark says %q", s)
	}
	screenshot(t, phone, "0-item")
	do(t, phone, "follow 已存证", chromedp.Click(css(".ledger-mark a")), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, phone, "ok")
	for _, want := range []string{"已在您的浏览器中核验", "✓ 通过：签名有效", "✓ 通过：条目在日志中（共", "✓ 通过：内容与存证一致", "指纹", "见证签名：", "/witness", "/s/xiangqian/log"} {
		if s := text(t, phone, "#browser-check"); !strings.Contains(squash(s), squash(want)) {
			t.Errorf("the browser's check says %q, want %q", s, want)
		}
	}
	fp := text(t, phone, ".verify-fingerprint")
	if s := text(t, phone, "#browser-check .key-used"); !strings.Contains(s, fp) {
		t.Errorf("the browser computed another fingerprint than the server's %q: %q", fp, s)
	}
	if s := text(t, phone, "#server-check h2"); s != "服务器已核验" {
		t.Errorf("the server's check says %q", s)
	}
	checkNoHorizontalScroll(t, phone, "verify page")
	checkAccessibility(t, phone, "verify page")
	screenshot(t, phone, "1-verified")

	desk := browser(t, 1280, 800)
	do(t, desk, "open the verify page on a desk", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, desk, "ok")
	screenshot(t, desk, "1-verified-desk")

	// In English, the browser's check speaks English too.
	en := browser(t, 1280, 800)
	do(t, en, "switch to English", chromedp.Navigate(srv.URL+"/s/xiangqian/"), chromedp.Click(css(`header.site button[name=lang][value=en]`)),
		chromedp.WaitVisible(css(`html[lang=en] main`)))
	do(t, en, "open the verify page in English", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, en, "ok")
	if s := text(t, en, "#browser-check"); !strings.Contains(s, "Verified in your browser") || !strings.Contains(s, "Signature valid") ||
		!strings.Contains(s, "Content as recorded") || regexp.MustCompile(`\p{Han}`).MatchString(s) {
		t.Errorf("in English the browser's check says %q", s)
	}
	screenshot(t, en, "1-verified-english")

	// A roster taken down after its period: the API no longer serves its
	// names, and the browser, like the server, calls that a lawful removal.
	roster := findVerified(t, srv.URL, "/s/xiangqian/?cat=aid", "已依法删除个人信息")
	do(t, phone, "open a taken-down roster's verify page", chromedp.Navigate(srv.URL+"/s/xiangqian/d/"+roster+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, phone, "ok")
	removed := regexp.MustCompile(`已依法删除个人信息（\d{4}年\d{1,2}月\d{1,2}日）`)
	server, browser := removed.FindString(text(t, phone, "#server-check")), removed.FindString(text(t, phone, "#browser-check"))
	if server == "" || browser != server {
		t.Errorf("on a taken-down roster the server says %q and the browser %q", server, browser)
	}
	screenshot(t, phone, "2-roster")

	const newBody = "本学期收费标准调整为每生 900 元。"
	tamperDB(t, dsn, `UPDATE disclosures SET body = $1 WHERE id = $2`, newBody, id)
	do(t, phone, "open the verify page after the change", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, phone, "bad")
	const alarm = "内容与存证不一致：正文已被改动"
	if s := text(t, phone, "#browser-check .verify-alarm"); s != alarm {
		t.Errorf("the browser's alarm says %q, want %q", s, alarm)
	}
	if s := squash(text(t, phone, "#browser-check")); !strings.Contains(s, "✗未通过："+alarm) || !strings.Contains(s, "浏览器核验未通过") || !strings.Contains(s, "✓通过：签名有效") {
		t.Errorf("after the change the browser's check says %q", s)
	}
	if s := text(t, phone, "#server-check"); !strings.Contains(s, "服务器核验未通过") || !strings.Contains(s, alarm) {
		t.Errorf("after the change the server's check says %q", s)
	}
	red, err := chromedp.Run(phone, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#browser-check .verify-alarm")).color`))
	if err != nil || red != "rgb(179, 38, 30)" {
		t.Errorf("the alarm is in %q (%v), want the page's red", red, err)
	}
	screenshot(t, phone, "3-tampered")
	do(t, desk, "open the verify page after the change on a desk", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, desk, "bad")
	screenshot(t, desk, "4-tampered-desk")

	// The entry rewritten to match the new body: the content agrees with
	// it, but it is no longer the entry the signed tree holds.
	sum := sha256.Sum256([]byte(newBody))
	rewrite(t, dsn, "ledger_entries", "entry", "idx = (SELECT MAX(idx) FROM ledger_entries WHERE disclosure_id = "+id+") AND disclosure_id = "+id, func(b []byte) any {
		return regexp.MustCompile(`"body_sha256":"[0-9a-f]{64}"`).ReplaceAll(b, []byte(`"body_sha256":"`+hex.EncodeToString(sum[:])+`"`))
	})
	do(t, phone, "open the verify page after the entry was rewritten", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, phone, "bad")
	for _, sel := range []string{"#server-check", "#browser-check"} {
		if s := squash(text(t, phone, sel)); !strings.Contains(s, "✗未通过：条目不在日志中") || !strings.Contains(s, "✓通过：签名有效") {
			t.Errorf("after the entry was rewritten %s says %q", sel, s)
		}
	}
	screenshot(t, phone, "5-entry-rewritten")

	// The checkpoint's root changed: the school's signature no longer holds.
	rewrite(t, dsn, "ledger_checkpoints", "note", "school_id = (SELECT school_id FROM disclosures WHERE id = "+id+")", func(b []byte) any {
		lines := strings.SplitN(string(b), "\n", 4) // origin, size, root, the rest
		lines[2] = strings.Repeat("A", 43) + "="
		return strings.Join(lines, "\n")
	})
	do(t, phone, "open the verify page after the checkpoint was changed", chromedp.Navigate(item+"/verify"), chromedp.WaitVisible(css("#browser-check[data-done]")))
	checkVerified(t, phone, "bad")
	for _, sel := range []string{"#server-check", "#browser-check"} {
		if s := squash(text(t, phone, sel)); !strings.Contains(s, "✗未通过：签名无效") {
			t.Errorf("after the checkpoint was changed %s says %q", sel, s)
		}
	}
	screenshot(t, phone, "6-checkpoint-changed")
}

// squash takes the spaces and line breaks out of a text, which the page's
// layout puts between a mark, its word and its line.
func squash(s string) string { return strings.Join(strings.Fields(s), "") }

// findVerified finds an item listed on the page whose verify page the
// server passes with the words given, waiting for the log's first
// signature.
func findVerified(t *testing.T, base, list, words string) string {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	ids := regexp.MustCompile(`href="/s/xiangqian/d/(\d+)"`).FindAllStringSubmatch(get(t, c, base+list), -1)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range ids {
			page := get(t, c, base+"/s/xiangqian/d/"+m[1]+"/verify")
			if strings.Contains(page, "服务器已核验") && strings.Contains(page, words) {
				return m[1]
			}
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("none of the %d items of %s verified with %q within a minute", len(ids), list, words)
	return ""
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkVerified waits for the browser's check and wants its outcome.
func checkVerified(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("browser-check").dataset.done`))
	if err != nil || got != want {
		s, _ := chromedp.Run(ctx, chromedp.Text(css("#browser-check")))
		t.Fatalf("the browser's check ended %q (%v), want %q: %s", got, err, want, s)
	}
}

// rewrite changes one column of the one row where holds, behind gongkai's
// back.
func rewrite(t *testing.T, dsn, table, column, where string, change func([]byte) any) {
	t.Helper()
	var b []byte
	withDB(t, dsn, func(db *sql.DB) {
		if err := db.QueryRow(`SELECT ` + column + ` FROM ` + table + ` WHERE ` + where).Scan(&b); err != nil {
			t.Fatal(err)
		}
	})
	tamperDB(t, dsn, `UPDATE `+table+` SET `+column+` = $1 WHERE `+where, change(b))
}

// tamperDB changes one row of the database behind gongkai's back.
func tamperDB(t *testing.T, dsn, query string, args ...any) {
	t.Helper()
	withDB(t, dsn, func(db *sql.DB) {
		res, err := db.Exec(query, args...)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Fatalf("%s changed %d rows", query, n)
		}
	})
}

func withDB(t *testing.T, dsn string, fn func(db *sql.DB)) {
	t.Helper()
	path, _ := strings.CutPrefix(dsn, "sqlite:")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fn(db)
}
