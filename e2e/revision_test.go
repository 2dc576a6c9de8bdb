package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestFlow_revisionSignedAgain is a revision of a published item as people
// click it: the clerk revises the item and submits the revision, a leader
// comments, the principal signs it, the supervisor checks it, the clerk
// publishes it. Until then a parent on a 390×844 phone reads the old text
// marked 修订审核中; afterwards the new text with who signed and checked
// each version.
func TestFlow_revisionSignedAgain(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			id, title := revisableItem(t, srv.URL)
			review := fmt.Sprintf("%s/s/xiangqian/manage/d/%d", srv.URL, id)
			revision := review + "/revision"
			itemURL := fmt.Sprintf("%s/s/xiangqian/d/%d", srv.URL, id)
			const word = "琉璃瓦更正"

			desk := browser(t, 1280, 900)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "open the revise form",
				chromedp.Navigate(review+"/revise"),
				chromedp.WaitVisible(css("#f-body")),
			)
			body, err := chromedp.Run(desk, chromedp.Value(css("#f-body")))
			if err != nil {
				t.Fatal(err)
			}
			do(t, desk, "revise",
				chromedp.SetValue(css("#f-body"), body+"\n\n（"+word+"：附表第二行金额应为 ¥1,250.00 元。）"),
				chromedp.SendKeys(css("#f-comment"), "更正附表第二行金额"),
				chromedp.Click(css(`form.regform button[type=submit]`)),
				chromedp.WaitVisible(css(".flash")),
			)
			if loc, _ := chromedp.Run(desk, chromedp.Location()); loc != revision {
				t.Fatalf("after revising the clerk is at %s, want the revision page", loc)
			}
			if s := text(t, desk, ".review-status"); !strings.Contains(s, "修订稿") {
				t.Fatalf("revision state: %q", s)
			}
			decide(t, desk, revision, "submit", "")
			screenshot(t, desk, "1-revision-submitted")
			logout(t, desk)

			// The parent still reads the signed version, marked.
			phone := browser(t, 390, 844)
			do(t, phone, "open the item", chromedp.Navigate(itemURL), chromedp.WaitVisible(css("table.meta")))
			page := text(t, phone, "main")
			if strings.Contains(page, word) || !strings.Contains(page, "修订审核中") || !strings.Contains(page, title) {
				t.Fatalf("while the revision is pending the item page shows: %q", page)
			}
			screenshot(t, phone, "2-item-revising-390")
			checkNoHorizontalScroll(t, phone, "item under revision")
			checkAccessibility(t, phone, "item under revision")
			do(t, phone, "open the board", chromedp.Navigate(srv.URL+"/s/xiangqian/?q="+url.QueryEscape(title)), chromedp.WaitVisible(css("main")))
			if s := text(t, phone, "main"); !strings.Contains(s, "修订审核中") {
				t.Errorf("the board does not mark the item: %q", s)
			}
			screenshot(t, phone, "3-board-revising-390")

			// A leader reviews it on a phone, and sees the item's review
			// page point to the revision.
			staffPhone := browser(t, 390, 844)
			login(t, staffPhone, srv.URL, "xiangqian.leader")
			do(t, staffPhone, "open the item's review page", chromedp.Navigate(review), chromedp.WaitVisible(css(".notice-revising")))
			screenshot(t, staffPhone, "2b-review-revising-390")
			checkNoHorizontalScroll(t, staffPhone, "review page with a pending revision")
			do(t, staffPhone, "open the revision", chromedp.Navigate(revision), chromedp.WaitVisible(css("#comment")))
			screenshot(t, staffPhone, "2c-revision-390")
			checkNoHorizontalScroll(t, staffPhone, "revision page")
			checkAccessibility(t, staffPhone, "revision page")
			decide(t, staffPhone, revision, "comment", "同意更正，金额已核对。")
			logout(t, staffPhone)

			login(t, desk, srv.URL, "xiangqian.principal")
			do(t, desk, "open the work page", chromedp.Navigate(srv.URL+"/work"), chromedp.WaitVisible(css("main")))
			if s := text(t, desk, "main"); !strings.Contains(s, "第 ") || !strings.Contains(s, "版修订") {
				t.Errorf("the principal's work page does not list the revision: %q", s)
			}
			decide(t, desk, revision, "approve", "")
			logout(t, desk)

			login(t, desk, srv.URL, "xiangqian.supervisor")
			decide(t, desk, revision, "check", "")
			logout(t, desk)

			do(t, phone, "reload the item", chromedp.Navigate(itemURL), chromedp.WaitVisible(css("table.meta")))
			if s := text(t, phone, "main"); strings.Contains(s, word) {
				t.Fatalf("the signed and checked revision is public before the clerk publishes it")
			}

			login(t, desk, srv.URL, "xiangqian.clerk")
			decide(t, desk, revision, "publish", "")
			screenshot(t, desk, "4-published-review")
			if s := text(t, desk, ".events"); !strings.Contains(s, "同意更正，金额已核对。") || !strings.Contains(s, "第 2 版修订") && !strings.Contains(s, "版修订") {
				t.Errorf("trail on the review page lacks the revision's steps: %q", s)
			}

			do(t, phone, "reload the published item", chromedp.Navigate(itemURL), chromedp.WaitVisible(css("table.meta")))
			page = text(t, phone, "main")
			for _, want := range []string{word, "更正附表第二行金额", "签发人", "审核人", "版本记录"} {
				if !strings.Contains(page, want) {
					t.Errorf("the published revision's page lacks %q", want)
				}
			}
			if strings.Contains(page, "修订审核中") {
				t.Error("the published revision is still marked as pending")
			}
			screenshot(t, phone, "5-item-published-390")
			checkNoHorizontalScroll(t, phone, "revised item")
		})
	}
}

// revisableItem finds a public, published item of xiangqian without a
// pending revision, through the API.
func revisableItem(t *testing.T, base string) (int64, string) {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/schools/xiangqian/disclosures?per_page=100")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			ID              int64  `json:"id"`
			Title           string `json:"title"`
			State           string `json:"state"`
			Audience        string `json:"audience"`
			Category        string `json:"category"`
			RevisionPending bool   `json:"revision_pending"`
		} `json:"items"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, it := range list.Items {
		if it.State == "published" && it.Audience == "public" && !it.RevisionPending && it.Category != "aid" {
			return it.ID, it.Title
		}
	}
	t.Fatal("the demo has no published public item of xiangqian to revise")
	return 0, ""
}
