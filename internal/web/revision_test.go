package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gongkai"
	"gongkai/internal/store"
)

// revise takes a published item of the school through a whole revision,
// in the store, with the school's clerk, principal and supervisor.
func (h *harness) revise(t *testing.T, s *gongkai.School, id int64, reason string, rev *store.Revision) *gongkai.Disclosure {
	t.Helper()
	_, err := h.db.StartRevision(context.Background(), s.ID, id, h.actor(s.Slug+".clerk"), reason, rev)
	must(t, err)
	return h.finishRevision(t, s, id)
}

// finishRevision submits, signs, checks and publishes the pending revision.
func (h *harness) finishRevision(t *testing.T, s *gongkai.School, id int64) *gongkai.Disclosure {
	t.Helper()
	var d *gongkai.Disclosure
	for _, step := range []struct {
		who string
		a   gongkai.Action
	}{{"clerk", gongkai.ActionSubmit}, {"principal", gongkai.ActionApprove}, {"supervisor", gongkai.ActionCheck}, {"clerk", gongkai.ActionPublish}} {
		var err error
		d, err = h.db.ActRevision(context.Background(), s.ID, id, h.actor(s.Slug+"."+step.who), step.a, "")
		must(t, err)
	}
	return d
}

var matrixRevisions sync.Map // *harness → id of an item whose revision waits for review

// matrixRevisionValues gives the authorisation matrix a published item of
// xq whose revision waits for review, and the step "comment".
func (h *harness) matrixRevisionValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/revision") {
		return nil
	}
	if id, ok := matrixRevisions.Load(h); ok {
		return map[string]string{"id": id.(string), "action": "comment"}
	}
	d := h.publishItem(h.school, "修订中：食堂承包公示", gongkai.AudiencePublic)
	_, err := h.db.StartRevision(context.Background(), h.school.ID, d.ID, h.actor("xq.clerk"), "补充合同期限", &store.Revision{Body: d.Body + "合同期三年。"})
	must(t, err)
	_, err = h.db.ActRevision(context.Background(), h.school.ID, d.ID, h.actor("xq.clerk"), gongkai.ActionSubmit, "")
	must(t, err)
	id := strconv.FormatInt(d.ID, 10)
	matrixRevisions.Store(h, id)
	return map[string]string{"id": id, "action": "comment"}
}

// TestRevision_signedBeforePublic walks a revision through the web pages:
// until the clerk publishes it, signed and checked, an anonymous reader sees
// the old text (page, version list, board search, API) with the mark
// 修订审核中; each step is refused to the wrong role; a return sends it
// back to the clerk; the cache never shows the draft; and the trail shows
// who signed and checked each version.
func TestRevision_signedBeforePublic(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.publishItem(h.school, "2026年春季教辅材料征订公示", gongkai.AudiencePublic)
		item := "/s/xq/d/" + itoa64(d.ID)
		base := "/s/xq/manage/d/" + itoa64(d.ID)
		anon := h.client("")
		clerk, leader, principal, supervisor := h.client("xq.clerk"), h.client("xq.leader"), h.client("xq.principal"), h.client("xq.supervisor")
		_, before := h.get(anon, item) // cached from here on

		newBody := "征订《数学练习册》每册 ¥12.50 元，另加《琉璃瓦拓印》读本。"
		resp, body := h.postMultipart(clerk, base+"/revise", url.Values{"title": {d.Title + "（更正）"}, "body": {newBody}, "comment": {"更正练习册单价"}},
			upload{"file", "更正说明.pdf", pdfBytes})
		wantStatus(t, "revise", resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != base+"/revision" {
			t.Fatalf("revise redirects to %q, want the revision page", loc)
		}

		// The public sees the old version, marked, everywhere.
		notPublic := func(when string) {
			t.Helper()
			resp, body := h.get(anon, item)
			wantStatus(t, when+": public page", resp, body, 200)
			if strings.Contains(body, "琉璃瓦") || strings.Contains(body, "更正练习册单价") || strings.Contains(body, "更正说明.pdf") || !strings.Contains(body, d.Body) {
				t.Fatalf("%s: the public page shows the unpublished revision", when)
			}
			if !strings.Contains(body, "修订审核中") {
				t.Fatalf("%s: the public page does not mark the pending revision", when)
			}
			if resp, _ := h.get(anon, item+"/v/2"); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("%s: the revision's version page answers %d", when, resp.StatusCode)
			}
			_, body = h.get(anon, "/s/xq/")
			if !strings.Contains(body, d.Title) || !strings.Contains(body, "修订审核中") {
				t.Fatalf("%s: the board does not list the item marked", when)
			}
			_, body = h.get(anon, "/s/xq/?q="+url.QueryEscape("琉璃瓦"))
			if strings.Contains(body, d.Title) {
				t.Fatalf("%s: board search finds a word only in the revision", when)
			}
			_, body, _ = h.apiCall(t, "GET", "/api/v1/disclosures/"+itoa64(d.ID), "", nil)
			got := apiJSON[testAPIItem](t, body)
			if got.Body != d.Body || got.Version != 1 || len(got.Versions) != 1 || !got.RevisionPending || got.RevisionState != "" || strings.Contains(body, "琉璃瓦") {
				t.Fatalf("%s: API shows %s", when, body)
			}
			for _, e := range got.Trail {
				if e.Revision {
					t.Fatalf("%s: API trail shows a step of the pending revision: %+v", when, e)
				}
			}
			_, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?q="+url.QueryEscape("琉璃瓦"), "", nil)
			if strings.Contains(body, d.Title) {
				t.Fatalf("%s: API search finds a word only in the revision", when)
			}
		}
		notPublic("drafted")
		if _, body := h.get(anon, item); body == before {
			t.Fatal("the cached page was not dropped when the revision started")
		}

		// Staff of the procedure read the revision; the public page links
		// nobody to it.
		resp, body = h.get(leader, base+"/revision")
		wantStatus(t, "revision page", resp, body, 200)
		if !strings.Contains(body, "琉璃瓦") || !strings.Contains(body, "更正练习册单价") || !strings.Contains(body, "修订稿") {
			t.Fatal("revision page lacks the draft, its reason or its state")
		}
		for _, who := range []string{"", "xq.staff", "xq.parent", "other.principal"} {
			if resp, _ := h.get(h.client(who), base+"/revision"); resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusForbidden &&
				!(resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")) {
				t.Fatalf("revision page for %q: %d", who, resp.StatusCode)
			}
		}

		step := func(c *http.Client, action, comment string, status int) string {
			t.Helper()
			resp, body := h.post(c, base+"/revision/act/"+action, url.Values{"comment": {comment}})
			wantStatus(t, action, resp, body, status)
			return body
		}
		step(leader, "submit", "", http.StatusForbidden)
		step(principal, "approve", "", http.StatusConflict)
		step(clerk, "submit", "", http.StatusSeeOther)
		step(supervisor, "check", "", http.StatusConflict)
		step(leader, "approve", "", http.StatusForbidden)
		if b := step(leader, "return", "", http.StatusUnprocessableEntity); !strings.Contains(b, "请填写理由。") {
			t.Fatal("return without reason: no message")
		}
		step(leader, "return", "请附征订目录", http.StatusSeeOther)
		_, body = h.get(clerk, base+"/revision")
		if !strings.Contains(body, "修订稿已被退回修改。") || !strings.Contains(body, "请附征订目录") {
			t.Fatal("returned revision does not say why")
		}
		resp, body = h.get(clerk, base+"/revision/edit")
		wantStatus(t, "edit form", resp, body, 200)
		if !strings.Contains(body, "琉璃瓦") || !strings.Contains(body, "更正说明.pdf") {
			t.Fatal("edit form not prefilled with the draft revision")
		}
		resp, body = h.postMultipart(clerk, base+"/revision/edit", url.Values{"title": {d.Title + "（更正）"}, "body": {newBody + "附征订目录。"}, "comment": {"更正练习册单价，附目录"}})
		wantStatus(t, "edit revision", resp, body, http.StatusSeeOther)
		step(clerk, "submit", "", http.StatusSeeOther)
		step(leader, "comment", "同意更正", http.StatusSeeOther)
		step(principal, "approve", "", http.StatusSeeOther)
		notPublic("signed")
		step(principal, "check", "", http.StatusForbidden)
		step(supervisor, "check", "", http.StatusSeeOther)
		notPublic("checked")
		step(leader, "publish", "", http.StatusForbidden)
		step(clerk, "publish", "", http.StatusSeeOther)

		// Published: the new text, the period again, both versions signed.
		_, body = h.get(anon, item)
		for _, want := range []string{"琉璃瓦", "附征订目录", "第 2 版", "已修订 1 次", "更正练习册单价，附目录", "更正说明.pdf",
			"签发人：" + h.users["xq.principal"].DisplayName, "审核人：" + h.users["xq.supervisor"].DisplayName} {
			if !strings.Contains(body, want) {
				t.Errorf("published revision: page lacks %q", want)
			}
		}
		if strings.Contains(body, "修订审核中") {
			t.Error("published revision still marked as pending")
		}
		if n := strings.Count(body, "签发人："); n != 3 { // the current version, and each in the list
			t.Errorf("page names the signer %d times, want 3 (current, version 1, version 2)", n)
		}
		resp, body = h.get(anon, item+"/v/1")
		wantStatus(t, "old version", resp, body, 200)
		if !strings.Contains(body, d.Body) || !strings.Contains(body, "签发人："+h.users["xq.principal"].DisplayName) {
			t.Error("version 1's page lacks its text or its signer")
		}
		_, body = h.get(anon, "/s/xq/?q="+url.QueryEscape("琉璃瓦"))
		if !strings.Contains(body, d.Title) {
			t.Error("board search does not find the published revision")
		}
		_, body, _ = h.apiCall(t, "GET", "/api/v1/disclosures/"+itoa64(d.ID), "", nil)
		got := apiJSON[testAPIItem](t, body)
		if got.Version != 2 || got.RevisionPending || len(got.Versions) != 2 {
			t.Fatalf("API after publication: %s", body)
		}
		for _, v := range got.Versions {
			if v.SignedBy == nil || *v.SignedBy != h.users["xq.principal"].DisplayName || v.SignedAt == nil ||
				v.CheckedBy == nil || *v.CheckedBy != h.users["xq.supervisor"].DisplayName || v.CheckedAt == nil {
				t.Errorf("API version %d: signed %v %v, checked %v %v", v.Version, v.SignedBy, v.SignedAt, v.CheckedBy, v.CheckedAt)
			}
		}
	})
}

// TestRevision_abandonAndWithdraw: the clerk or the principal abandons a
// revision with a reason, a leader cannot; withdrawing the item abandons
// its revision; the review page offers no second revision meanwhile.
func TestRevision_abandonAndWithdraw(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.publishItem(h.school, "校服采购结果公示", gongkai.AudiencePublic)
		base := "/s/xq/manage/d/" + itoa64(d.ID)
		clerk, principal := h.client("xq.clerk"), h.client("xq.principal")
		_, err := h.db.StartRevision(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), "更正中标价", &store.Revision{Body: "中标价 ¥168.00 元/套。"})
		must(t, err)

		_, body := h.get(clerk, base)
		if !strings.Contains(body, "修订审核中") || !strings.Contains(body, base+"/revision") || strings.Contains(body, base+"/revise\"") {
			t.Fatal("review page does not point to the pending revision, or offers another")
		}
		if resp, _ := h.get(clerk, base+"/revise"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != base+"/revision" {
			t.Fatalf("second revise form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, body := h.post(h.client("xq.leader"), base+"/revision/act/abandon", url.Values{"comment": {"不改了"}})
		wantStatus(t, "abandon by leader", resp, body, http.StatusForbidden)
		resp, body = h.post(clerk, base+"/revision/act/abandon", url.Values{"comment": {""}})
		wantStatus(t, "abandon without reason", resp, body, http.StatusUnprocessableEntity)
		resp, body = h.post(clerk, base+"/revision/act/abandon", url.Values{"comment": {"中标价无误"}})
		wantStatus(t, "abandon", resp, body, http.StatusSeeOther)
		_, body = h.get(h.client(""), "/s/xq/d/"+itoa64(d.ID))
		if strings.Contains(body, "修订审核中") || strings.Contains(body, "168.00") {
			t.Fatal("public page still marked or shows the abandoned revision")
		}
		if resp, _ := h.get(clerk, base+"/revision"); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("revision page after abandon: %d", resp.StatusCode)
		}

		// Again, then the principal withdraws the item.
		_, err = h.db.StartRevision(ctx, h.school.ID, d.ID, h.actor("xq.principal"), "补充供应商", &store.Revision{Body: d.Body + "供应商：青禾服装厂。"})
		must(t, err)
		resp, body = h.post(principal, base+"/act/withdraw", url.Values{"comment": {"采购重新组织"}})
		wantStatus(t, "withdraw", resp, body, http.StatusSeeOther)
		got, err := h.db.FindDisclosureByID(ctx, h.school.ID, d.ID)
		must(t, err)
		if got.State != gongkai.StateWithdrawn || got.RevisionState != "" || len(got.Versions) != 1 {
			t.Fatalf("withdrawn: %s, revision %q, %d versions", got.State, got.RevisionState, len(got.Versions))
		}
		_, body = h.get(h.client(""), "/s/xq/d/"+itoa64(d.ID))
		if strings.Contains(body, "修订审核中") || strings.Contains(body, "青禾服装厂") || !strings.Contains(body, "采购重新组织") {
			t.Fatal("withdrawn item's page shows the abandoned revision or lacks the reason")
		}
	})
}

// TestRevision_work: a pending revision waits in the work queue of whoever
// takes its next step, and in the bureau's counts and the school's list.
func TestRevision_work(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.publishItem(h.school, "学生午餐费收支公示", gongkai.AudiencePublic)
		revURL := "/s/xq/manage/d/" + itoa64(d.ID) + "/revision"
		_, err := h.db.StartRevision(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), "更正结余", &store.Revision{Body: "结余 ¥320.00 元。"})
		must(t, err)
		_, body := h.get(h.client("xq.clerk"), "/work")
		if g := groupOf(body, "drafts"); !strings.Contains(g, revURL) || !strings.Contains(g, "第 2 版修订") {
			t.Fatal("clerk's drafts lack the revision")
		}
		_, err = h.db.ActRevision(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), gongkai.ActionSubmit, "")
		must(t, err)
		for who, group := range map[string]string{"xq.principal": "sign", "xq.leader": "review"} {
			_, body := h.get(h.client(who), "/work")
			if !strings.Contains(groupOf(body, group), revURL) {
				t.Errorf("%s: group %s lacks the revision", who, group)
			}
		}
		if _, body := h.get(h.client("xq.supervisor"), "/work"); strings.Contains(body, revURL) {
			t.Error("supervisor's work lists a revision not yet signed")
		}
		_, err = h.db.ActRevision(ctx, h.school.ID, d.ID, h.actor("xq.principal"), gongkai.ActionApprove, "")
		must(t, err)
		if _, body := h.get(h.client("xq.supervisor"), "/work"); !strings.Contains(groupOf(body, "check"), revURL) {
			t.Error("supervisor's check group lacks the signed revision")
		}
		_, body = h.get(h.client("bureau.admin"), "/work")
		if !strings.Contains(body, `href="/s/xq/manage/?state=approved">1</a>`) {
			t.Error("bureau count of items waiting for the check lacks the revision")
		}
		_, body = h.get(h.client("bureau.admin"), "/s/xq/manage/?state=approved")
		if !strings.Contains(body, d.Title) || !strings.Contains(body, "修订审核中") {
			t.Error("the school's list of items waiting for the check lacks the revision")
		}
		_, body = h.get(h.client("xq.leader"), "/s/xq/manage/?state=revising")
		if !strings.Contains(body, d.Title) || strings.Contains(body, h.draft.Title) {
			t.Error("the list of items being revised")
		}
	})
}

// TestRevision_API takes a revision through the API: started with revise,
// edited, each step by its role and refused to others, published.
func TestRevision_API(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.publishItem(h.school, "教师培训经费使用公示", gongkai.AudiencePublic)
		item := "/api/v1/disclosures/" + itoa64(d.ID)
		tok := func(name string) string { return h.apiToken(name) }
		status, body, _ := h.apiCall(t, "POST", item+"/revise", tok("xq.clerk"), map[string]string{"comment": "更正培训人数", "body": "参训教师 42 人。"})
		if status != http.StatusOK {
			t.Fatalf("revise: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "PUT", item+"/revision", tok("xq.leader"), map[string]string{"body": "参训教师 43 人。"})
		if status != http.StatusForbidden {
			t.Fatalf("edit by leader: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "PUT", item+"/revision", tok("xq.clerk"), map[string]string{"body": "参训教师 43 人。"})
		if got := apiJSON[testAPIItem](t, body); status != http.StatusOK || got.Versions[1].Body != "参训教师 43 人。" || got.Versions[1].Reason != "更正培训人数" {
			t.Fatalf("edit: %d %s", status, body)
		}
		for _, s := range []struct {
			who, action string
			status      int
		}{
			{"xq.leader", "submit", 403}, {"xq.clerk", "submit", 200}, {"xq.clerk", "approve", 403}, {"xq.supervisor", "check", 409},
			{"xq.principal", "approve", 200}, {"xq.supervisor", "check", 200}, {"xq.supervisor", "publish", 403}, {"xq.clerk", "nonsense", 404},
		} {
			if status, body, _ := h.apiCall(t, "POST", item+"/revision/"+s.action, tok(s.who), nil); status != s.status {
				t.Fatalf("%s by %s: %d, want %d: %s", s.action, s.who, status, s.status, body)
			}
		}
		_, body, _ = h.apiCall(t, "GET", item, "", nil)
		if got := apiJSON[testAPIItem](t, body); got.Body == "参训教师 43 人。" || !got.RevisionPending {
			t.Fatalf("checked revision public before publication: %s", body)
		}
		status, body, _ = h.apiCall(t, "POST", item+"/revision/publish", tok("xq.clerk"), nil)
		got := apiJSON[testAPIItem](t, body)
		if status != http.StatusOK || got.Version != 2 || got.Body != "参训教师 43 人。" || got.RevisionPending || got.Versions[1].SignedBy == nil {
			t.Fatalf("publish: %d %s", status, body)
		}
		// Nothing pending: a step answers 409.
		if status, _, _ := h.apiCall(t, "POST", item+"/revision/submit", tok("xq.clerk"), nil); status != http.StatusConflict {
			t.Fatalf("step without a pending revision: %d", status)
		}
	})
}
