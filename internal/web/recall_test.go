package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai"
)

// TestRecall_whoMay: a submission is recalled only by its own clerk, before
// the principal signs it, on the review page and through the API; everyone
// else is refused, and the item stays where it was.
func TestRecall_whoMay(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		everyone := []string{"", "nobody", "bureau.admin", "bureau.inspector"}
		for _, r := range gongkai.SchoolRoles {
			everyone = append(everyone, "xq."+string(r), "other."+string(r))
		}
		for _, api := range []bool{false, true} {
			for _, who := range everyone {
				d := h.newDraft(h.school, "撤回测试")
				h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
				var status int
				if api {
					token := ""
					if who != "" {
						token = h.apiToken(who)
					}
					status, _, _ = h.apiCall(t, "POST", "/api/v1/disclosures/"+itoa64(d.ID)+"/recall", token, "{}")
				} else {
					resp, _ := h.post(h.client(who), reviewURL(h.school, d.ID)+"/act/recall", url.Values{})
					status = resp.StatusCode
					if status == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login") {
						status = http.StatusUnauthorized
					}
				}
				got, err := h.db.FindDisclosureByID(ctx, h.school.ID, d.ID)
				must(t, err)
				recalled := got.State == gongkai.StateDraft
				if want := who == "xq.clerk"; recalled != want {
					t.Errorf("api=%v %s: recalled = %v (status %d), want %v", api, label(who), recalled, status, want)
				}
				if !recalled && status < 400 {
					t.Errorf("api=%v %s: refused recall answered %d", api, label(who), status)
				}
			}
		}
	})
}

// TestRecall_reviewPage: the clerk sees 撤回提交 on a submission until the
// principal signs it; the leaders never do; after the recall the draft is
// editable and the trail says who recalled it.
func TestRecall_reviewPage(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.newDraft(h.school, "收费标准公示")
		h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
		page := reviewURL(h.school, d.ID)
		clerk := h.client("xq.clerk")
		_, body := h.get(clerk, page)
		if !strings.Contains(body, "/act/recall") || !strings.Contains(body, "撤回提交") {
			t.Fatal("the clerk's review page of a submission has no recall button")
		}
		if _, body := h.get(h.client("xq.leader"), page); strings.Contains(body, "/act/recall") {
			t.Fatal("a leader is offered the recall")
		}
		resp, body := h.post(clerk, page+"/act/recall", url.Values{})
		wantStatus(t, "recall", resp, body, http.StatusSeeOther)
		resp, body = h.get(clerk, page)
		wantStatus(t, "review after recall", resp, body, http.StatusOK)
		if !strings.Contains(body, "已撤回提交") || !strings.Contains(body, page+"/edit") {
			t.Fatal("after the recall the page does not say so or offer editing")
		}
		if !strings.Contains(body, "撤回提交") {
			t.Fatal("the trail does not show the recall")
		}

		signed := h.newDraft(h.school, "已签发的公示")
		h.act(h.school, signed.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, signed.ID, "principal", gongkai.ActionApprove, "")
		if _, body := h.get(clerk, reviewURL(h.school, signed.ID)); strings.Contains(body, "/act/recall") {
			t.Fatal("a signed item offers the recall")
		}
		resp, body = h.post(clerk, reviewURL(h.school, signed.ID)+"/act/recall", url.Values{})
		wantStatus(t, "recall after signing", resp, body, http.StatusConflict)
	})
}
