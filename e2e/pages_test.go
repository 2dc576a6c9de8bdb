package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// pageOutcome is what a reader gets when opening a page.
type pageOutcome string

const (
	pageShown     pageOutcome = "ok"        // the page itself
	pageToLogin   pageOutcome = "login"     // sent to the login form first
	pageForbidden pageOutcome = "forbidden" // 403
	pageNotFound  pageOutcome = "notfound"  // 404
)

// pageReaders are the readers of the table: everyone who reads gongkai,
// from an anonymous parent to the county bureau.
var pageReaders = []struct{ key, user string }{
	{"anonymous", ""},
	{"parent", "xiangqian.parent"},
	{"teacher", "xiangqian.teacher"},
	{"clerk", "xiangqian.clerk"},
	{"leader", "xiangqian.leader"},
	{"principal", "xiangqian.principal"},
	{"supervisor", "xiangqian.supervisor"},
	{"bureau", "bureau.admin"},
}

// pageCase is one page of the table.
type pageCase struct {
	name   string
	path   string
	who    []string // the readers who get the page
	hidden bool     // the others get 404 (an item they may not see), not 403
	open   bool     // a public route: anonymous readers are not sent to the login form
	status int      // the page's status when shown; 0 means 200
	// hiddenTo are readers who get 404 where the others get 403: the route
	// lets them in, the domain's finer rule does not.
	hiddenTo []string
	want     string // a CSS selector the page shows
	submit   string // a button to press after opening path: the page is the answer to that post
}

// expect is what the reader gets from the page.
func (p pageCase) expect(reader string) pageOutcome {
	switch {
	case slices.Contains(p.who, reader):
		return pageShown
	case reader == "anonymous" && !p.open:
		return pageToLogin
	case p.hidden, slices.Contains(p.hiddenTo, reader):
		return pageNotFound
	}
	return pageForbidden
}

// pageItems are the demo's items that the table opens, found through the
// API and the invitations page, so the table follows the demo data.
type pageItems struct {
	published, revised, withdrawn, staffOnly, draft, submitted int64
	year                                                       string // of the published item
	slip                                                       string // the query that prints an invitation slip
	assigned                                                   int64  // a feedback case assigned to the clerk
	mine                                                       string // the parent's own case

	order        string // a supervision order of xiangqian
	openSurvey   int64  // xiangqian's open survey, which the parent and the teacher have yet to answer
	closedSurvey int64  // xiangqian's closed survey, with its results shown
	term, prev   string // this term and the one before, as in the self-inspection's paths
	thisYear     string // the annual report's year
}

func pageTable(d pageItems) []pageCase {
	// Who gets a page, by the route's access policy and the domain's rules.
	var (
		everyone  = []string{"anonymous", "parent", "teacher", "clerk", "leader", "principal", "supervisor", "bureau"}
		signedIn  = everyone[1:]
		staffSide = []string{"teacher", "clerk", "leader", "principal", "supervisor", "bureau"}
		workflow  = []string{"clerk", "leader", "principal", "supervisor", "bureau"}
		creators  = []string{"clerk", "principal"}
		managers  = []string{"principal", "bureau"}
		nobody    = []string{}
		bureau    = []string{"bureau"}
		// The supervision group's and the bureau's pages: orders,
		// self-inspection, the annual report, survey results.
		overseers = []string{"leader", "principal", "supervisor", "bureau"}
		surveyors = []string{"principal", "supervisor"} // run the school's surveys
	)
	s := "/s/xiangqian"
	item := func(id int64) string { return fmt.Sprintf("%s/d/%d", s, id) }
	review := func(id int64) string { return fmt.Sprintf("%s/manage/d/%d", s, id) }
	return []pageCase{
		{name: "home", path: "/", who: everyone, want: ".schools"},
		{name: "board", path: s + "/", who: everyone, want: ".board .items"},
		{name: "board-category", path: s + "/?cat=finance", who: everyone, want: ".board .items"},
		{name: "board-search", path: s + "/?q=" + url.QueryEscape("采购"), who: everyone, want: ".board .items"},
		{name: "board-search-empty", path: s + "/?q=" + url.QueryEscape("没有这样的词"), who: everyone, want: ".empty-list"},
		{name: "board-year", path: s + "/?year=" + d.year, who: everyone, want: ".board .items"},
		{name: "board-page-2", path: s + "/?page=2", who: everyone, want: ".board .items"},
		{name: "internal-board", path: s + "/internal/", who: staffSide, want: ".board .items"},
		{name: "item", path: item(d.published), who: everyone, want: "table.meta"},
		{name: "item-old-version", path: fmt.Sprintf("%s/v/1", item(d.revised)), who: everyone, want: ".notice-old"},
		{name: "item-revised", path: item(d.revised), who: everyone, want: ".history"},
		{name: "item-withdrawn", path: item(d.withdrawn), who: everyone, want: ".notice-withdrawn"},
		{name: "item-staff-only", path: item(d.staffOnly), who: staffSide, hidden: true, open: true, want: "table.meta"},
		{name: "item-verify", path: item(d.published) + "/verify", who: everyone, want: "#server-check"},
		{name: "item-verify-withdrawn", path: item(d.withdrawn) + "/verify", who: everyone, want: "#server-check"},
		{name: "item-verify-staff-only", path: item(d.staffOnly) + "/verify", who: staffSide, hidden: true, open: true, want: "#server-check"},
		{name: "catalogue", path: s + "/catalogue", who: everyone, want: "table.catalogue"},
		{name: "login", path: "/login", who: everyone, want: "#username"},
		{name: "join", path: "/join", who: everyone, want: `form[action="/join"]`},
		{name: "account", path: "/account", who: signedIn, want: `form[action="/account/password"]`},
		{name: "work", path: "/work", who: signedIn, want: "main h1"},
		{name: "manage", path: s + "/manage/", who: workflow, want: ".state-tabs"},
		{name: "manage-submitted", path: s + "/manage/?state=submitted", who: workflow, want: ".manage-table"},
		{name: "new-form", path: s + "/manage/new", who: creators, want: "form.regform"},
		{name: "review-draft", path: review(d.draft), who: workflow, want: ".review-status"},
		{name: "review-submitted", path: review(d.submitted), who: workflow, want: ".review-status"},
		{name: "review-published", path: review(d.published), who: workflow, want: ".review-status"},
		{name: "edit", path: review(d.draft) + "/edit", who: creators, want: "form.regform"},
		{name: "revise", path: review(d.published) + "/revise", who: creators, want: "main form"},
		{name: "members", path: s + "/manage/members", who: managers, want: "table.members"},
		{name: "invitations", path: s + "/manage/invitations", who: managers, want: "table.invitations"},
		{name: "invitation-slip", path: s + "/manage/invitations" + d.slip, who: managers, want: ".slip"},
		{name: "obligations", path: s + "/obligations", who: workflow, want: "main h1"},
		{name: "catalogue-admin", path: s + "/manage/catalogue", who: managers, want: "main form"},
		{name: "bureau-catalogue", path: "/bureau/catalogue", who: []string{"bureau"}, want: "main form"},
		{name: "calendar", path: "/admin/calendar", who: []string{"bureau"}, want: ".months"},
		{name: "feedback-form", path: s + "/feedback/new", who: everyone, want: "main form"},
		{name: "objection-form", path: fmt.Sprintf("%s/feedback/new?kind=objection&d=%d", s, d.published), who: everyone, want: "main form"},
		{name: "qa", path: s + "/qa", who: everyone, want: "main h1"},
		{name: "lookup", path: "/lookup", who: everyone, want: "main form"},
		{name: "my-case", path: d.mine, who: []string{"parent"}, hidden: true, want: "main h1"},
		{name: "notifications", path: "/notifications", who: signedIn, want: "main h1"},
		{name: "cases", path: s + "/cases", who: staffSide, want: "main h1"},
		{name: "case", path: fmt.Sprintf("%s/cases/%d", s, d.assigned), who: workflow, hidden: true, want: "main h1"},
		{name: "bureau-cases", path: "/bureau/cases", who: []string{"bureau"}, hidden: true, want: "main h1"},
		{name: "feedback-settings", path: s + "/manage/feedback", who: managers, want: "main form"},
		// Supervision orders, surveys, the self-inspection and the annual
		// report (issue 5): open to any signed-in user by the route, 404 to
		// whoever the domain does not let read them.
		{name: "orders", path: s + "/orders", who: overseers, hidden: true, want: ".order-list"},
		{name: "order", path: d.order, who: overseers, hidden: true, want: ".order-doc"},
		{name: "bureau-orders", path: "/bureau/orders", who: bureau, hidden: true, want: ".order-list"},
		{name: "bureau-orders-overdue", path: "/bureau/orders?state=open&overdue=1", who: bureau, hidden: true, want: ".order-list"},
		{name: "order-form", path: "/bureau/orders/new", who: bureau, want: "form.order-form"},
		{name: "surveys", path: s + "/surveys", who: signedIn, want: ".survey-rows"},
		{name: "survey-open", path: fmt.Sprintf("%s/surveys/%d", s, d.openSurvey), who: signedIn, want: ".survey-sheet"},
		{name: "survey-closed", path: fmt.Sprintf("%s/surveys/%d", s, d.closedSurvey), who: signedIn, want: ".survey-sheet"},
		{name: "survey-results", path: fmt.Sprintf("%s/surveys/%d/results", s, d.closedSurvey), who: overseers, hiddenTo: []string{"clerk"}, want: ".survey-sheet"},
		{name: "survey-results-running", path: fmt.Sprintf("%s/surveys/%d/results", s, d.openSurvey), who: overseers, hiddenTo: []string{"clerk"}, want: ".survey-running"},
		{name: "survey-form", path: s + "/surveys/new", who: surveyors, hiddenTo: []string{"clerk", "leader", "bureau"}, want: "form.survey-form"},
		{name: "inspections", path: s + "/inspection", who: overseers, hidden: true, want: ".insp-history"},
		{name: "inspection-this-term", path: s + "/inspection/" + d.term, who: overseers, hidden: true, want: "main h1"},
		{name: "inspection-last-term", path: s + "/inspection/" + d.prev, who: overseers, hidden: true, want: "main h1"},
		{name: "bureau-inspections", path: "/bureau/inspections", who: bureau, want: "table.insp-bureau"},
		{name: "report-index", path: s + "/report", who: overseers, hidden: true, want: ".report-doc"},
		{name: "report", path: s + "/report/" + d.thisYear, who: overseers, hidden: true, want: ".report-doc"},
		{name: "bureau-report", path: "/bureau/report/" + d.thisYear, who: bureau, want: ".report-doc"},
		{name: "dashboard", path: "/bureau/", who: bureau, want: "main h1"},
		// The county's setup and administration (issue 11): the demo county
		// is set up, so every setup link answers 404, saying so.
		{name: "setup-done", path: "/setup/" + strings.Repeat("A", 43), who: nobody, hidden: true, open: true},
		{name: "bureau-settings", path: "/bureau/settings", who: bureau, want: `form[action="/bureau/settings"]`},
		{name: "bureau-log", path: "/bureau/log", who: bureau, want: "main h1"},
		{name: "school-log", path: s + "/manage/log", who: managers, want: "main h1"},
		{name: "no-such-item", path: item(99999999), who: nobody, hidden: true, open: true},
		{name: "no-such-school", path: "/s/no-such-school/", who: nobody, hidden: true, open: true},
		{name: "no-such-page", path: "/no/such/page", who: nobody, hidden: true, open: true},
		// Last: submitting an empty form saves an empty draft and shows,
		// on its edit page, what is missing (post, redirect, show).
		{name: "form-errors", path: s + "/manage/new", who: creators,
			want: ".error-summary", submit: `button[name=do][value=submit]`},
	}
}

// TestPages opens every page of routes.go that renders HTML as every kind
// of reader, on a phone (390×844) and a desk (1280×800): each page answers
// as the access rules say, has no WCAG 2.1 A/AA violation that axe-core
// finds, does not scroll sideways, and is kept as a screenshot in
// artifacts/. Then the English switch, large-text mode, the skip link and
// the print styles, as their users would try them.
func TestPages(t *testing.T) {
	srv := startServer(t, "sqlite")
	items := findPageItems(t, srv.URL)
	pages := pageTable(items)
	phone := newPagesBrowser(t, 390, 844)
	desk := newPagesBrowser(t, 1280, 800)

	t.Run("matrix", func(t *testing.T) {
		for _, vp := range []struct {
			name string
			b    *pagesBrowser
		}{{"phone", phone}, {"desk", desk}} {
			t.Run(vp.name, func(t *testing.T) {
				t.Parallel()                  // one browser each
				seen := map[[32]byte]string{} // pages checked in this viewport, by their DOM
				for _, rd := range pageReaders {
					t.Run(rd.key, func(t *testing.T) {
						tab := vp.b.tab(t)
						if rd.user != "" {
							login(t, tab, srv.URL, rd.user)
						}
						for _, p := range pages {
							t.Run(p.name, func(t *testing.T) {
								visitPage(t, tab, srv.URL, p, p.expect(rd.key), seen)
							})
						}
					})
				}
			})
		}
	})

	t.Run("english", func(t *testing.T) { checkEnglishSwitch(t, phone.tab(t), srv.URL, items) })
	t.Run("large-text", func(t *testing.T) { checkLargeTextMode(t, phone.tab(t), srv.URL, items) })
	t.Run("keyboard", func(t *testing.T) { checkSkipLinkFirst(t, desk.tab(t), srv.URL, items) })
	t.Run("print", func(t *testing.T) { checkPrintStyles(t, desk.tab(t), srv.URL, items) })
	t.Run("print-documents", func(t *testing.T) { checkPrintDocuments(t, desk.tab(t), srv.URL, items) })
}

// pageSignature is the page's DOM without the reader's name, the numbers
// in the header (unread notifications) and the address to come back to:
// pages that have the same are the same for axe-core and on screen, and are
// checked once.
const pageSignature = `(() => {
  const c = document.documentElement.cloneNode(true);
  c.querySelectorAll('.tools a[href="/account"]').forEach(a => a.textContent = '');
  const w = document.createTreeWalker(c.querySelector('.tools') || c, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) n.textContent = n.textContent.replace(/[0-9]+/g, '0');
  c.querySelectorAll('input[name=next]').forEach(i => i.removeAttribute('value'));
  c.querySelectorAll('a[href^="/login?next="]').forEach(a => a.setAttribute('href', '/login'));
  return c.outerHTML;
})()`

// visitPage opens one page as the reader of tab and checks what they get:
// the status or the login form, then, unless the same page was checked
// before (seen), a screenshot, sideways scrolling and axe-core.
func visitPage(t *testing.T, tab context.Context, base string, p pageCase, want pageOutcome, seen map[[32]byte]string) {
	ctx, cancel := context.WithTimeout(tab, time.Minute)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+p.path))
	if err != nil {
		t.Fatalf("open %s: %v", p.path, err)
	}
	if want == pageShown && p.submit != "" {
		if resp, err = chromedp.RunResponse(ctx, chromedp.Click(css(p.submit))); err != nil {
			t.Fatalf("press %s on %s: %v", p.submit, p.path, err)
		}
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	status := int(resp.Status)
	switch want {
	case pageShown:
		wantStatus := p.status
		if wantStatus == 0 {
			wantStatus = http.StatusOK
		}
		if status != wantStatus || (strings.HasPrefix(loc, base+"/login") && p.path != "/login") {
			t.Fatalf("%s answers %d at %s, want %d", p.path, status, loc, wantStatus)
		}
		if p.want != "" {
			has, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, p.want)))
			if err != nil || !has {
				screenshot(t, ctx, "missing")
				t.Errorf("%s lacks %s", p.path, p.want)
			}
		}
	case pageToLogin:
		if status != http.StatusOK || !strings.HasPrefix(loc, base+"/login?next=") {
			t.Fatalf("%s answers %d at %s, want the login form", p.path, status, loc)
		}
	case pageForbidden, pageNotFound:
		wantStatus := map[pageOutcome]int{pageForbidden: http.StatusForbidden, pageNotFound: http.StatusNotFound}[want]
		if status != wantStatus {
			t.Fatalf("%s answers %d, want %d", p.path, status, wantStatus)
		}
		if s := text(t, ctx, "main .empty-state"); !strings.Contains(s, "返回首页") {
			t.Errorf("the %d page does not offer a way back: %q", status, s)
		}
	}
	dom, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageSignature))
	if err != nil {
		t.Fatal(err)
	}
	sig := sha256.Sum256([]byte(dom))
	if first, ok := seen[sig]; ok {
		t.Logf("the same page as %s: checked there", first)
		return
	}
	seen[sig] = t.Name()
	screenshot(t, ctx, string(want))
	checkNoHorizontalScroll(t, ctx, p.path)
	checkAccessibility(t, ctx, p.path)
	checkNoInvisibleText(t, ctx, p.path)
}

// checkNoInvisibleText fails on text drawn in the colour of its background,
// which axe-core misses when the text is aria-hidden (a page number, say).
func checkNoInvisibleText(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	hidden, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.body.querySelectorAll('*')]
  .filter(e => e.children.length === 0 && e.textContent.trim() && !e.closest('.visually-hidden, .skip, script, style, option') && e.checkVisibility())
  .filter(e => {
    const c = getComputedStyle(e).color;
    let p = e, bg;
    while (p && (bg = getComputedStyle(p).backgroundColor) === 'rgba(0, 0, 0, 0)') p = p.parentElement;
    return c === (p ? bg : 'rgb(255, 255, 255)');
  })
  .map(e => e.tagName.toLowerCase() + ': ' + e.textContent.trim().slice(0, 40))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) > 0 {
		t.Errorf("%s shows text in the colour of its background:\n  %s", page, strings.Join(hidden, "\n  "))
	}
}

// ---- browsers ----

// pagesBrowser is one Chromium for many tabs, each with its own cookies.
type pagesBrowser struct {
	ctx           context.Context
	width, height int64
}

// newPagesBrowser starts Chromium for the whole test; unlike browser() it has no
// deadline of its own, each visit has one.
func newPagesBrowser(t *testing.T, width, height int) *pagesBrowser {
	t.Helper()
	path := os.Getenv("GONGKAI_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("GONGKAI_TEST_POSTGRES") != "" {
			t.Fatalf("Chromium not found at %s; make test installs it", path)
		}
		t.Skipf("Chromium not found at %s; make test installs it", path)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &pagesBrowser{ctx: ctx, width: int64(width), height: int64(height)}
}

// tab opens a tab in a fresh browser context: a reader with no cookies.
func (b *pagesBrowser) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(b.width, b.height)); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// ---- the demo's items ----

type pageAPIItem struct {
	ID           int64   `json:"id"`
	Title        string  `json:"title"`
	Audience     string  `json:"audience"`
	Version      int     `json:"version"`
	PublishedAt  string  `json:"published_at"`
	PublicityEnd *string `json:"publicity_end"`
}

func findPageItems(t *testing.T, base string) pageItems {
	t.Helper()
	token, clerkID := pagesToken(t, base, "xiangqian.clerk")
	list := func(state string) []pageAPIItem {
		req, _ := http.NewRequest("GET", base+"/api/v1/schools/xiangqian/disclosures?per_page=100&state="+state, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct{ Items []pageAPIItem }
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("list %s items: %d %v", state, res.StatusCode, err)
		}
		return out.Items
	}
	first := func(what string, states []string, ok func(pageAPIItem) bool) pageAPIItem {
		for _, st := range states {
			for _, it := range list(st) {
				if ok(it) {
					return it
				}
			}
		}
		t.Fatalf("the demo has no %s", what)
		return pageAPIItem{}
	}
	public := func(it pageAPIItem) bool { return it.Audience == "public" }
	done := []string{"published", "closed", "archived"}
	var d pageItems
	pub := first("public item in its publicity period", []string{"published"}, func(it pageAPIItem) bool {
		return public(it) && it.PublicityEnd != nil && len(it.PublishedAt) >= 4
	})
	d.published, d.year = pub.ID, pub.PublishedAt[:4]
	d.revised = first("revised public item", done, func(it pageAPIItem) bool { return public(it) && it.Version > 1 }).ID
	d.withdrawn = first("withdrawn public item", []string{"withdrawn"}, public).ID
	d.staffOnly = first("published staff item", done, func(it pageAPIItem) bool { return it.Audience == "staff" }).ID
	d.draft = first("draft", []string{"draft"}, func(it pageAPIItem) bool { return public(it) && it.Title != "" }).ID
	d.submitted = first("submitted item", []string{"submitted"}, public).ID

	// A feedback case in the clerk's hands: the school's handlers see it.
	req, _ := http.NewRequest("GET", base+"/api/v1/schools/xiangqian/feedback?per_page=100", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var cases struct {
		Items []struct {
			ID         int64  `json:"id"`
			Kind       string `json:"kind"`
			About      string `json:"about"`
			ToBureau   bool   `json:"to_bureau"`
			Escalated  bool   `json:"escalated"`
			AssigneeID int64  `json:"assignee_id"`
		}
	}
	err = json.NewDecoder(res.Body).Decode(&cases)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("list feedback: %d %v", res.StatusCode, err)
	}
	for _, c := range cases.Items {
		if c.AssigneeID == clerkID && c.Kind != "report" && c.About == "" && !c.ToBureau && !c.Escalated {
			d.assigned = c.ID
			break
		}
	}
	if d.assigned == 0 {
		t.Fatal("the demo has no feedback case assigned to xiangqian.clerk")
	}

	// Each reader signs in once here: sign-ins are limited to five quick
	// ones a name, and the sweep signs everyone in again. An invitation code
	// to print, from the principal's list; the parent's own case, from the
	// parent's 工作台.
	principal, parent := pagesClient(t, base, "xiangqian.principal"), pagesClient(t, base, "xiangqian.parent")
	d.slip = "?print=" + findOnPage(t, principal, base, "/s/xiangqian/manage/invitations", `\?print=(\d+)`)[0]
	d.mine = "/s/xiangqian/feedback/" + findOnPage(t, parent, base, "/work", `/s/xiangqian/feedback/(\d+)`)[0]

	// An order, from the principal's list; the open survey and a closed
	// one, from the principal's list of surveys; the terms from the
	// self-inspection's page.
	d.order = "/s/xiangqian/orders/" + findOnPage(t, principal, base, "/s/xiangqian/orders", `/s/xiangqian/orders/(\d+)`)[0]
	survey := func(status string) int64 {
		id := findOnPage(t, principal, base, "/s/xiangqian/surveys", `(?s)survey-st-`+status+`">\s*<div class="survey-main">\s*<a class="survey-title" href="/s/xiangqian/surveys/(\d+)"`)[0]
		n, _ := strconv.ParseInt(id, 10, 64)
		return n
	}
	d.openSurvey, d.closedSurvey = survey("open"), survey("closed")
	terms := findOnPage(t, principal, base, "/s/xiangqian/inspection", `(?s)href="/s/xiangqian/inspection/(\d{4}-[a-z]+)".*?<th scope="row"[^>]*><a href="/s/xiangqian/inspection/(\d{4}-[a-z]+)"`)
	d.term, d.prev = terms[0], terms[1]
	d.thisYear = strconv.Itoa(time.Now().In(time.FixedZone("CST", 8*3600)).Year()) // Beijing
	return d
}

// pagesClient is an HTTP client signed in as user.
func pagesClient(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(base+"/login", url.Values{"username": {user}, "password": {"gongkai-demo"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path == "/login" {
		t.Fatalf("%s cannot sign in: %d", user, res.StatusCode)
	}
	return c
}

// findOnPage opens path with the signed-in client and returns the groups
// of the pattern's first match.
func findOnPage(t *testing.T, c *http.Client, base, path, pattern string) []string {
	t.Helper()
	res, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(pattern).FindSubmatch(page)
	if m == nil {
		t.Fatalf("%s (%d) has no link like %s", path, res.StatusCode, pattern)
	}
	var groups []string
	for _, g := range m[1:] {
		groups = append(groups, string(g))
	}
	return groups
}

// pagesToken gets an API token and the user's id.
func pagesToken(t *testing.T, base, user string) (string, int64) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"username": user, "password": "gongkai-demo"})
	res, err := http.Post(base+"/api/v1/auth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Token string
		User  struct{ ID int64 }
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("token for %s: %d %v", user, res.StatusCode, err)
	}
	return out.Token, out.User.ID
}

// ---- the header's switches, the keyboard and print ----

// hanChars matches Chinese characters.
var hanChars = regexp.MustCompile(`\p{Han}`)

// pagesChineseLeft lists the texts with Chinese characters on the page
// outside what people wrote (titles, bodies, names, reasons), which English
// readers should not meet.
const pagesChineseLeft = `(() => {
  const content = 'title, .brand, .doc-title, .doc .body, .items .title > a, .reason, .schools a, .school-full, [id^="bureau-"], ' +
    'footer.site p:first-child, footer.site p:nth-child(2), .meta td, .trail, .attachments a, .ways li:not(:last-child), .cat-name, ' +
    'table.catalogue td, .history .muted, .tools a[href="/account"], .crumbs a[href*="/d/"], .fb-item-title, .fb-closed-item a, ' +
    '.fb-q-text, .fb-a-text, .fb-req-title, .fb-req-answer, main > h1 + .panel > p, main > h1 + .panel li > a, [lang="zh-CN"]';
  const own = '.notice-withdrawn'; // the reason follows the label in the same text
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const s = n.textContent.trim(), el = n.parentElement;
    if (!/\p{Script=Han}/u.test(s) || el.closest(content) || el.matches(own)) continue;
    out.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ': ' + s.slice(0, 60));
  }
  return out;
})()`

// checkEnglishSwitch switches to English with the header button on the
// board and follows the language across the pages, public and signed in.
// The public and account pages must show no Chinese but what people wrote;
// the staff pages are mostly names and titles, so there the language and
// the usual checks suffice.
func checkEnglishSwitch(t *testing.T, tab context.Context, base string, d pageItems) {
	do(t, tab, "switch to English",
		chromedp.Navigate(base+"/s/xiangqian/"),
		chromedp.Click(css(`header.site button[name=lang][value=en]`)),
		chromedp.WaitVisible(css(`html[lang=en] main`)),
	)
	for sel, zh := range map[string]string{"main h1": "校务公开", `label[for=q]`: "搜索标题和正文", ".filters button": "查询", ".school-nav": "公开目录"} {
		if s := text(t, tab, sel); hanChars.MatchString(s) || s == "" {
			t.Errorf("in English the board's %s reads %q (was %s)", sel, s, zh)
		}
	}
	item := func(id int64) string { return fmt.Sprintf("/s/xiangqian/d/%d", id) }
	review := func(id int64) string { return fmt.Sprintf("/s/xiangqian/manage/d/%d", id) }
	pages := []struct {
		path   string
		strict bool // no Chinese but what people wrote
	}{
		{"/s/xiangqian/", true}, {item(d.published), true}, {item(d.withdrawn), true}, {item(d.revised) + "/v/1", true},
		{"/s/xiangqian/catalogue", true}, {"/", true}, {"/login", true}, {"/join", true}, {item(99999999), true},
		{"/s/xiangqian/feedback/new", true}, {fmt.Sprintf("/s/xiangqian/feedback/new?kind=objection&d=%d", d.published), true},
		{"/s/xiangqian/qa", true}, {"/lookup", true},
		{"", false}, // sign in as the principal
		{"/account", true}, {"/admin/calendar", true}, {"/work", false}, {"/s/xiangqian/manage/", false},
		{review(d.submitted), false}, {review(d.published), false}, {"/s/xiangqian/manage/new", false},
		{review(d.published) + "/revise", false}, {"/s/xiangqian/manage/members", false},
		{"/s/xiangqian/manage/invitations", false}, {"/s/xiangqian/manage/invitations" + d.slip, false},
		{"/notifications", false}, {"/s/xiangqian/cases", false}, {fmt.Sprintf("/s/xiangqian/cases/%d", d.assigned), false},
		{"/s/xiangqian/manage/feedback", false},
		// Issue 5's pages: the principal's, then the bureau's.
		{"/s/xiangqian/orders", false}, {d.order, false}, {"/s/xiangqian/surveys", false},
		{fmt.Sprintf("/s/xiangqian/surveys/%d", d.openSurvey), false}, {fmt.Sprintf("/s/xiangqian/surveys/%d/results", d.closedSurvey), false},
		{"/s/xiangqian/surveys/new", false}, {"/s/xiangqian/inspection", false}, {"/s/xiangqian/inspection/" + d.prev, false},
		{"/s/xiangqian/report/" + d.thisYear, false},
		{"bureau.admin", false},
		{"/bureau/", false}, {"/bureau/orders", false}, {"/bureau/orders/new", false}, {"/bureau/inspections", false},
		{"/s/xiangqian/inspection/" + d.term, false}, {"/bureau/report/" + d.thisYear, false},
	}
	for _, p := range pages {
		if p.path == "" {
			login(t, tab, base, "xiangqian.principal")
			continue
		}
		if !strings.HasPrefix(p.path, "/") {
			logout(t, tab)
			login(t, tab, base, p.path)
			continue
		}
		do(t, tab, "open "+p.path, chromedp.Navigate(base+p.path))
		lang, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || lang != "en" {
			t.Errorf("%s after switching to English: lang=%q", p.path, lang)
			continue
		}
		if p.strict {
			left, err := chromedp.Run(tab, chromedp.Evaluate[[]string](pagesChineseLeft))
			if err != nil {
				t.Fatal(err)
			}
			if len(left) > 0 {
				t.Errorf("%s in English still shows Chinese:\n  %s", p.path, strings.Join(left, "\n  "))
			}
		}
		screenshot(t, tab, shotName(p.path))
		checkNoHorizontalScroll(t, tab, p.path+" in English")
		checkAccessibility(t, tab, p.path+" in English")
	}
	do(t, tab, "back to Chinese",
		chromedp.Click(css(`header.site button[name=lang][value=zh]`)),
		chromedp.WaitVisible(css(`html[lang=zh-CN] main`)),
	)
}

// checkLargeTextMode turns on 大字模式 on a phone: the base font grows, the
// choice is kept in a cookie and on the next pages, and nothing scrolls
// sideways.
func checkLargeTextMode(t *testing.T, tab context.Context, base string, d pageItems) {
	fontSize := func(sel string) string {
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).fontSize`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	item := fmt.Sprintf("/s/xiangqian/d/%d", d.published)
	do(t, tab, "open an item", chromedp.Navigate(base+item), chromedp.WaitVisible(css("table.meta")))
	normalRoot, normalBody := fontSize("html"), fontSize(".doc .body")
	do(t, tab, "turn on large text",
		chromedp.Click(css(`header.site button[name=size][value=large]`)),
		chromedp.WaitVisible(css(`html.large table.meta`)),
	)
	if large := fontSize("html"); cssPixels(large) <= cssPixels(normalRoot) {
		t.Errorf("大字模式 leaves the base font at %s (was %s)", large, normalRoot)
	}
	if large := fontSize(".doc .body"); cssPixels(large) < cssPixels(normalBody)*1.2 {
		t.Errorf("大字模式 makes the body text %s (was %s), want at least 20%% larger", large, normalBody)
	}
	res, err := pagesCDP(tab, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	kept := false
	for _, c := range res.Cookies {
		kept = kept || c.Name == "size" && c.Value == "large" && c.Expires > float64(time.Now().Add(24*time.Hour).Unix())
	}
	if !kept {
		t.Errorf("大字模式 is not kept in a lasting cookie: %v", res.Cookies)
	}
	for _, p := range []string{item, "/s/xiangqian/", "/s/xiangqian/catalogue", "/", "/login"} {
		do(t, tab, "open "+p, chromedp.Navigate(base+p))
		if s := fontSize("html"); cssPixels(s) <= cssPixels(normalRoot) {
			t.Errorf("%s forgets 大字模式: the base font is %s", p, s)
		}
		screenshot(t, tab, shotName(p))
		checkNoHorizontalScroll(t, tab, p+" in large text")
		checkAccessibility(t, tab, p+" in large text")
	}
	// A parent answers a survey on the phone in large text.
	login(t, tab, base, "xiangqian.parent")
	for _, p := range []string{"/work", "/s/xiangqian/surveys", fmt.Sprintf("/s/xiangqian/surveys/%d", d.openSurvey)} {
		do(t, tab, "open "+p, chromedp.Navigate(base+p))
		if s := fontSize("html"); cssPixels(s) <= cssPixels(normalRoot) {
			t.Errorf("%s forgets 大字模式: the base font is %s", p, s)
		}
		screenshot(t, tab, shotName(p))
		checkNoHorizontalScroll(t, tab, p+" in large text")
		checkAccessibility(t, tab, p+" in large text")
	}
	do(t, tab, "back to standard text",
		chromedp.Click(css(`header.site button[name=size][value=normal]`)),
		chromedp.WaitNotPresent(css(`html.large`)),
	)
	if s := fontSize("html"); s != normalRoot {
		t.Errorf("标准字号 gives %s, want %s", s, normalRoot)
	}
}

// checkSkipLinkFirst: the first Tab stop is the skip link, and it moves the
// focus to the main content.
func checkSkipLinkFirst(t *testing.T, tab context.Context, base string, d pageItems) {
	for _, p := range []string{"/s/xiangqian/", fmt.Sprintf("/s/xiangqian/d/%d", d.published), "/login"} {
		do(t, tab, "open "+p, chromedp.Navigate(base+p), chromedp.KeyEvent(kb.Tab))
		first, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.outerHTML`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(first, `class="skip"`) {
			t.Errorf("%s: the first Tab stop is %s, want the skip link", p, truncate(first, 100))
			continue
		}
		onScreen, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`(() => { const r = document.activeElement.getBoundingClientRect(); return r.left >= 0 && r.top >= 0 && r.width > 0 })()`))
		if !onScreen {
			t.Errorf("%s: the focused skip link is off screen", p)
		}
		screenshot(t, tab, "skip-"+shotName(p))
		do(t, tab, "follow the skip link", chromedp.KeyEvent(kb.Enter))
		focus, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.id || document.activeElement.tagName`))
		if focus != "main" {
			t.Errorf("%s: the skip link moves the focus to %q, want main", p, focus)
		}
		do(t, tab, "tab on", chromedp.KeyEvent(kb.Tab))
		inMain, _ := chromedp.Run(tab, chromedp.Evaluate[bool](`document.getElementById("main").contains(document.activeElement)`))
		if !inMain {
			t.Errorf("%s: after the skip link the next Tab stop is outside main", p)
		}
	}
}

// checkPrintStyles prints an item page to PDF, and checks under print media that
// the navigation, the buttons and the footer are gone while the header,
// the metadata table and the body stay.
func checkPrintStyles(t *testing.T, tab context.Context, base string, d pageItems) {
	do(t, tab, "open an item", chromedp.Navigate(fmt.Sprintf("%s/s/xiangqian/d/%d", base, d.published)), chromedp.WaitVisible(css("table.meta")))
	pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatalf("print: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 {
		t.Errorf("printing the item gives %d bytes, not a PDF with text", len(pdf))
	}
	if err := os.WriteFile(filepath.Join("artifacts", "TestPages_print_item.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	checkPrintMedia(t, tab, "item", nil, []string{"table.meta", ".doc-title", ".doc .body"})
}

// checkPrintMedia checks the open page under print media at the printable
// width of A4 with the print styles' margins: the site's tools and
// navigation, buttons and the hidden selectors are not shown; the brand and
// every element of each shown selector are. It saves a screenshot.
func checkPrintMedia(t *testing.T, tab context.Context, name string, hidden, shown []string) {
	t.Helper()
	if _, err := pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = pagesCDP(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}) }() // cleanup
	do(t, tab, "A4 width", chromedp.EmulateViewport(673, 1000))
	visible := func(sel string) []bool {
		v, err := chromedp.Run(tab, chromedp.Evaluate[[]bool](fmt.Sprintf(`[...document.querySelectorAll(%q)].map(e => e.checkVisibility())`, sel)))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, sel := range append([]string{"header.site .tools", ".school-nav", "footer.site", "button", ".button", ".crumbs", ".skip"}, hidden...) {
		for i, v := range visible(sel) {
			if v {
				t.Errorf("printed, %s #%d is still shown", sel, i+1)
			}
		}
	}
	for _, sel := range append([]string{"header.site .brand"}, shown...) {
		v := visible(sel)
		if len(v) == 0 {
			t.Errorf("printed, %s is missing", sel)
		}
		for i, ok := range v {
			if !ok {
				t.Errorf("printed, %s #%d is not shown", sel, i+1)
			}
		}
	}
	checkNoHorizontalScroll(t, tab, name+" printed")
	screenshot(t, tab, "print-media-"+name)
}

// checkPrintDocuments prints the documents of issue 5 that schools print
// and file, as the principal: the annual report, a supervision order and
// a survey's results. Printed, each keeps its text and tables and loses
// the navigation, the forms and the buttons; the report is a PDF of a few
// A4 pages, not one a section.
func checkPrintDocuments(t *testing.T, tab context.Context, base string, d pageItems) {
	login(t, tab, base, "xiangqian.principal")
	docs := []struct {
		name, path   string
		shown        []string // each element of each selector is printed
		maxPages     int
		hiddenExtras []string
	}{
		{"report", "/s/xiangqian/report/" + d.thisYear, []string{".report-title", ".report-made", ".report-section h2", ".report-table"}, 7,
			[]string{".report-tools", ".report-edit", "textarea"}},
		{"order", d.order, []string{".order-issuer", ".order-number", ".order-title", "table.order-facts"}, 4,
			[]string{".to-decide", "textarea", "select"}},
		{"survey-results", fmt.Sprintf("/s/xiangqian/surveys/%d/results", d.closedSurvey), []string{".survey-head h1", ".survey-summary", ".survey-result h2"}, 6,
			[]string{".survey-print-note", "select"}},
	}
	for _, doc := range docs {
		t.Run(doc.name, func(t *testing.T) {
			do(t, tab, "open "+doc.path, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+doc.path), chromedp.WaitVisible(css("main h1")))
			pdf, err := chromedp.Run(tab, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
			if err != nil {
				t.Fatalf("print: %v", err)
			}
			if err := os.WriteFile(filepath.Join("artifacts", "TestPages_print_"+doc.name+".pdf"), pdf, 0o644); err != nil {
				t.Fatal(err)
			}
			if m := regexp.MustCompile(`/Type /Pages\b[^>]*?/Count (\d+)`).FindSubmatch(pdf); m == nil {
				t.Errorf("printing %s gives no PDF pages (%d bytes)", doc.path, len(pdf))
			} else if n, _ := strconv.Atoi(string(m[1])); n > doc.maxPages {
				t.Errorf("printing %s takes %d A4 pages, want at most %d", doc.path, n, doc.maxPages)
			}
			checkPrintMedia(t, tab, doc.name, doc.hiddenExtras, doc.shown)
		})
	}
}

// pagesCDP runs one protocol command on the tab.
func pagesCDP[P, R any](tab context.Context, cmd cdp.Command[P, R], params P) (R, error) {
	return chromedp.Call(tab, cmd, params)
}

// shotName names the screenshot of a path.
func shotName(path string) string {
	if path == "/" {
		return "home"
	}
	return strings.Trim(strings.NewReplacer("/", "-", "?", "-", "=", "-", "&", "-").Replace(path), "-")
}

// cssPixels reads a CSS pixel length.
func cssPixels(s string) float64 {
	var f float64
	_, _ = fmt.Sscanf(strings.TrimSuffix(s, "px"), "%g", &f) // a length that is not in pixels reads as 0
	return f
}
