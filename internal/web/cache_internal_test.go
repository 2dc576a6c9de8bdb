package web

import (
	"fmt"
	"strings"
	"testing"
)

// TestPageCache_boundedAndKeepsWhatIsRead fills a small cache well past its
// size while one page is read between the additions: memory stays within
// the bound, the page being read survives, pages nobody read again go, and
// a change of the school drops its pages.
func TestPageCache_boundedAndKeepsWhatIsRead(t *testing.T) {
	const max = 64 << 10
	c := newPageCache(max)
	page := func(key string, school int64) *cachedPage {
		gen, all := c.generation(school)
		return &cachedPage{key: key, school: school, gen: gen, all: all, day: "2026-11-25", status: 200,
			contentType: "text/html", gz: []byte(strings.Repeat("x", 2000)), etag: `"e"`}
	}
	c.put(page("/s/a/", 1))
	for i := range 200 {
		c.put(page(fmt.Sprintf("/s/b/d/%d", i), 2))
		if c.get("/s/a/", "2026-11-25") == nil {
			t.Fatalf("the page read after every addition was evicted after %d additions", i+1)
		}
		if c.size > max {
			t.Fatalf("size %d over the bound %d", c.size, max)
		}
	}
	if c.get("/s/b/d/0", "2026-11-25") != nil {
		t.Error("the first page nobody read again is still there after 200 additions")
	}
	if c.get("/s/b/d/199", "2026-11-25") == nil {
		t.Error("the newest page is gone")
	}
	if c.get("/s/a/", "2026-11-26") != nil {
		t.Error("a page of yesterday was served today")
	}
	c.put(page("/s/a/", 1))
	c.invalidate(1)
	if c.get("/s/a/", "2026-11-25") != nil || c.get("/s/b/d/199", "2026-11-25") == nil {
		t.Error("a change of school 1 must drop its pages and only its pages")
	}
}
