package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeViolation is what axe-core reports for one failed rule.
type axeViolation struct {
	ID          string `json:"id"`
	Impact      string `json:"impact"`
	Description string `json:"description"`
	Nodes       []struct {
		Target []string `json:"target"`
		HTML   string   `json:"html"`
	} `json:"nodes"`
}

// checkAccessibility runs axe-core (WCAG 2.1 A and AA rules) in the current
// page and fails the test on any violation. make test installs axe-core and
// sets GONGKAI_AXE; without it the check is skipped outside CI.
func checkAccessibility(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	path := os.Getenv("GONGKAI_AXE")
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("GONGKAI_AXE is not set; make test installs axe-core")
		}
		t.Logf("GONGKAI_AXE not set: accessibility check of %s skipped", page)
		return
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read axe-core: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(src))); err != nil {
		t.Fatalf("load axe-core into %s: %v", page, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}).then(r => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core on %s: %v", page, err)
	}
	var violations []axeViolation
	if err := json.Unmarshal([]byte(raw), &violations); err != nil {
		t.Fatalf("axe result: %v", err)
	}
	for _, v := range violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("%v %s", n.Target, truncate(n.HTML, 120)))
		}
		t.Errorf("%s: accessibility %s (%s): %s\n  %s", page, v.ID, v.Impact, v.Description, strings.Join(where, "\n  "))
	}
}

// checkNoHorizontalScroll fails when the page is wider than the viewport:
// on a phone that means sideways scrolling.
func checkNoHorizontalScroll(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		w, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("%s scrolls sideways: content is %d px wide", page, w)
	}
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
