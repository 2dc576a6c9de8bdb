package web

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// TestCache_noStalePage reads the public board and an item page (so they
// are cached), changes the item through the store — publish, revise,
// withdraw, the end of its period — and checks that the very next read
// shows the change.
func TestCache_noStalePage(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		anon := h.client("")
		board := func() string { _, b := h.get(anon, "/s/xq/"); return b }
		before := board()
		if board() != before {
			t.Fatal("two reads of an unchanged board differ")
		}

		d := h.publishItem(h.school, "新发布：教室照明改造结果公示", gongkai.AudiencePublic)
		if b := board(); !strings.Contains(b, "新发布：教室照明改造结果公示") {
			t.Fatal("board stale after publish")
		}
		if _, b := h.get(anon, "/"); !strings.Contains(b, "祥谦小学") {
			t.Fatal("home page broken")
		}
		item := "/s/xq/d/" + itoa64(d.ID)
		h.get(anon, item)
		if _, err := h.db.StartRevision(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), "更正灯具数量", &store.Revision{Title: d.Title, Body: "灯具 48 套，已更正。"}); err != nil {
			t.Fatal(err)
		}
		if _, b := h.get(anon, item); strings.Contains(b, "灯具 48 套") || !strings.Contains(b, "修订审核中") {
			t.Fatal("item page shows the unsigned revision, or not the mark, after revise")
		}
		h.finishRevision(t, h.school, d.ID)
		if _, b := h.get(anon, item); !strings.Contains(b, "灯具 48 套") || strings.Contains(b, "修订审核中") {
			t.Fatal("item page stale after the revision's publication")
		}
		h.get(anon, item)
		if _, err := h.db.Act(ctx, h.school.ID, d.ID, h.actor("xq.principal"), gongkai.ActionWithdraw, "另行公布", nil); err != nil {
			t.Fatal(err)
		}
		if _, b := h.get(anon, item); !strings.Contains(b, "另行公布") {
			t.Fatal("item page stale after withdraw")
		}

		// The end of a period closes items through the sweeper: the badge goes.
		e := h.publishItem(h.school, "期满测试：课桌椅采购公示", gongkai.AudiencePublic)
		if b := board(); !strings.Contains(b, "公示中") {
			t.Fatal("no 公示中 badge on a fresh item")
		}
		h.db.Now = func() time.Time { return time.Now().AddDate(0, 1, 0) }
		defer func() { h.db.Now = time.Now }()
		closed, err := h.db.CloseEndedPeriods(ctx)
		if err != nil || len(closed) == 0 {
			t.Fatalf("close: %v %d", err, len(closed))
		}
		_, b := h.get(anon, "/s/xq/d/"+itoa64(e.ID))
		if strings.Contains(b, "公示期内接受异议") {
			t.Fatal("item page still invites objections after its period ended")
		}
	})
}

// TestCache_etagGzip: cached pages carry a strong ETag, answer 304 to a
// matching If-None-Match, and come gzipped to clients that ask.
func TestCache_etagGzip(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("")
		c.Transport = &http.Transport{DisableCompression: true}
		resp, plain := h.get(c, "/s/xq/")
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != 200 || !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
			t.Fatalf("board: %d etag %q", resp.StatusCode, etag)
		}
		resp, body := h.do(c, "GET", "/s/xq/", "", nil, http.Header{"If-None-Match": {etag}})
		if resp.StatusCode != http.StatusNotModified || body != "" {
			t.Fatalf("conditional GET: %d with %d bytes", resp.StatusCode, len(body))
		}
		resp, zipped := h.do(c, "GET", "/s/xq/", "", nil, http.Header{"Accept-Encoding": {"gzip"}})
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag {
			t.Fatalf("gzip: encoding %q etag %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
		}
		zr, err := gzip.NewReader(strings.NewReader(zipped))
		if err != nil {
			t.Fatal(err)
		}
		unzipped, _ := io.ReadAll(zr)
		if string(unzipped) != plain {
			t.Fatal("gzipped body differs from the plain one")
		}
		if len(zipped) >= len(plain)/2 {
			t.Errorf("gzip saves little: %d of %d bytes", len(zipped), len(plain))
		}
		// The cache keeps the page gzipped only; a reader without gzip gets
		// the same bytes and validator as the first reader did.
		resp, again := h.get(c, "/s/xq/")
		if again != plain || resp.Header.Get("ETag") != etag || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("plain from the cache: %d bytes (want %d), etag %q (want %q), encoding %q",
				len(again), len(plain), resp.Header.Get("ETag"), etag, resp.Header.Get("Content-Encoding"))
		}
		// A signed-in reader is never served the anonymous cached page.
		_, staff := h.get(h.client("xq.parent"), "/s/xq/")
		if !strings.Contains(staff, h.published[gongkai.AudienceCommunity].Title) {
			t.Fatal("a parent was served the anonymous board")
		}
	})
}

// TestCache_boardCountsFollowChanges: the counts by category, read once per
// change of the school's items, follow a publication and a withdrawal on
// the boards of every kind of reader, including signed-in ones whose pages
// are never cached, and on a search of the board.
func TestCache_boardCountsFollowChanges(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		countRe := regexp.MustCompile(`<span>全部</span><span class="count">(\d+)</span>`)
		all := func(c *http.Client, path string) int {
			t.Helper()
			_, b := h.get(c, path)
			m := countRe.FindStringSubmatch(b)
			if m == nil {
				t.Fatalf("%s: no count of all items", path)
			}
			n, _ := strconv.Atoi(m[1])
			return n
		}
		readers := map[string]*http.Client{"anonymous": h.client(""), "parent": h.client("xq.parent")}
		paths := []string{"/s/xq/", "/s/xq/?q=" + url.QueryEscape("照明")}
		before := map[string]int{}
		for name, c := range readers {
			for _, p := range paths {
				before[name+p] = all(c, p)
			}
		}
		d := h.publishItem(h.school, "教室照明改造结果公示", gongkai.AudiencePublic)
		for name, c := range readers {
			for _, p := range paths {
				if got := all(c, p); got != before[name+p]+1 {
					t.Errorf("%s %s after publish: %d items, want %d", name, p, got, before[name+p]+1)
				}
			}
		}
		// A withdrawn item stays listed as withdrawn, so the count stays.
		if _, err := h.db.Act(ctx, h.school.ID, d.ID, h.actor("xq.principal"), gongkai.ActionWithdraw, "另行公布", nil); err != nil {
			t.Fatal(err)
		}
		if got := all(readers["parent"], "/s/xq/"); got != before["parent/s/xq/"]+1 {
			t.Errorf("parent after withdraw: %d items, want %d", got, before["parent/s/xq/"]+1)
		}
	})
}

// TestCache_aidRosterKeptPrivate: an aid roster is the same page for every
// anonymous reader, so it is rendered once like any item; it still leaves
// with a private Cache-Control, so no shared cache keeps the names, and it
// is gone from the cache the moment it is withdrawn.
func TestCache_aidRosterKeptPrivate(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.newDraft(h.school, "2026年秋季学期家庭经济困难学生资助名单公示")
		d.Category = "aid"
		_, err := h.db.UpdateDraft(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), d)
		must(t, err)
		h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")

		anon := h.client("")
		item := "/s/xq/d/" + itoa64(d.ID)
		first, body := h.get(anon, item)
		if first.StatusCode != http.StatusOK || !strings.Contains(body, "资助名单公示") {
			t.Fatalf("first read: %d", first.StatusCode)
		}
		reads, _ := h.db.PublicReads()
		again, body2 := h.get(anon, item)
		if after, _ := h.db.PublicReads(); after != reads {
			t.Errorf("second anonymous read of the roster asked the database %d times; want it from the cache", after-reads)
		}
		if body2 != body {
			t.Error("second read differs from the first")
		}
		for _, resp := range []*http.Response{first, again} {
			if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "private") {
				t.Errorf("roster sent with Cache-Control %q; shared caches must not keep it", cc)
			}
		}
		if _, err := h.db.Act(ctx, h.school.ID, d.ID, h.actor("xq.principal"), gongkai.ActionWithdraw, "名单有误，核实后重新公示", nil); err != nil {
			t.Fatal(err)
		}
		if _, b := h.get(anon, item); !strings.Contains(b, "名单有误，核实后重新公示") {
			t.Error("roster page stale after withdrawal")
		}
	})
}

// TestCache_secondReadFromMemory: every kind of cached public page, HTML
// and JSON alike, is read from the database once and then served from
// memory to the next anonymous reader.
func TestCache_secondReadFromMemory(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.publishItem(h.school, "2026年秋季学期收费项目公示", gongkai.AudiencePublic)
		anon := h.client("")
		for _, path := range []string{"/", "/s/xq/", "/s/xq/?cat=finance", "/s/xq/?q=" + url.QueryEscape("收费"), "/s/xq/d/" + itoa64(d.ID), "/s/xq/catalogue",
			"/api/v1/schools", "/api/v1/schools/xq/disclosures", "/api/v1/schools/xq/catalogue"} {
			first, _ := h.get(anon, path)
			if first.StatusCode != http.StatusOK {
				t.Errorf("%s: %d", path, first.StatusCode)
				continue
			}
			reads, _ := h.db.PublicReads()
			again, _ := h.get(anon, path)
			if after, _ := h.db.PublicReads(); after != reads {
				t.Errorf("%s: the second anonymous read asked the database %d times", path, after-reads)
			}
			if again.Header.Get("ETag") == "" || again.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("%s: ETag %q, Cache-Control %q; want a validator and no-cache", path, again.Header.Get("ETag"), again.Header.Get("Cache-Control"))
			}
		}
	})
}

// TestCache_readerWhoLeft renders a page whose reader has already gone (the
// request's context cancelled, as when a phone drops off): the work is
// finished and cached rather than abandoned, since a query cancelled half
// way makes the PostgreSQL driver drop its connection.
func TestCache_readerWhoLeft(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := h.published[gongkai.AudiencePublic]
		for _, path := range []string{"/s/xq/", "/s/xq/?q=" + url.QueryEscape(string([]rune(item.Title)[:3])), "/s/xq/d/" + itoa64(item.ID)} {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
			rec := httptest.NewRecorder()
			h.srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Fatalf("%s for a reader who left: %d, want the page rendered", path, rec.Code)
			}
			// The next reader gets the page from memory.
			reads, _ := h.db.PublicReads()
			again, _ := h.get(h.client(""), path)
			if after, _ := h.db.PublicReads(); again.StatusCode != http.StatusOK || after != reads {
				t.Errorf("%s: the next reader got %d after %d reads of the database, want the cached page", path, again.StatusCode, after-reads)
			}
		}
	})
}
