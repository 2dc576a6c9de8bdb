package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai"
)

// TestFeedback_senderDownloadsOwnFiles: the sender downloads the files of
// their case with its receipt and secret, sent in the POST body; a wrong
// secret, another case's receipt or another case's file gets nothing.
func TestFeedback_senderDownloadsOwnFiles(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		anon := h.client("")
		send := func(subject string, files map[string][]byte) (receipt, secret string, att int64) {
			resp, body := h.fbPost(anon, "/s/xq/feedback", url.Values{"kind": {"opinion"}, "subject": {subject}, "body": {subject + "，详见附件。"}}, files)
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("submit: %d\n%s", resp.StatusCode, errorSummary(body))
			}
			receipt, secret = fbCodes(t, body)
			if f := h.fbCase(receipt, secret); len(f.Messages[0].Attachments) > 0 {
				att = f.Messages[0].Attachments[0].ID
			}
			return receipt, secret, att
		}
		r1, s1, att1 := send("食堂价格", map[string][]byte{"价目表.pdf": []byte(fbPDF)})
		r2, s2, _ := send("校车时间", nil)
		_, s3, att3 := send("操场开放", map[string][]byte{"照片说明.pdf": []byte(fbPDF + "%other\n")})

		resp, page := h.post(anon, "/lookup", url.Values{"receipt": {r1}, "secret": {s1}})
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/lookup/file"`) || !strings.Contains(page, ">价目表.pdf</button>") {
			t.Fatalf("the sender's case page offers no download of their file: %d", resp.StatusCode)
		}
		noSecretInURLs(t, s1, resp, page)

		download := func(receipt, secret string, att int64) (*http.Response, string) {
			return h.post(anon, "/lookup/file", url.Values{"receipt": {receipt}, "secret": {secret}, "att": {fmt.Sprint(att)}})
		}
		resp, body := download(r1, s1, att1)
		if resp.StatusCode != http.StatusOK || body != fbPDF {
			t.Fatalf("own file with receipt and secret: %d, %d bytes", resp.StatusCode, len(body))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Errorf("Content-Disposition %q, want a download", cd)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("Cache-Control %q, want no-store", cc)
		}
		for _, tt := range []struct {
			name            string
			receipt, secret string
			att             int64
		}{
			{"wrong secret", r1, "abcd-efgh-" + s1[10:], att1},
			{"another case's secret", r1, s3, att1},
			{"another case's receipt and secret", r2, s2, att1},
			{"another case's file", r1, s1, att3},
			{"no file", r1, s1, 0},
		} {
			resp, body := download(tt.receipt, tt.secret, tt.att)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "%PDF") {
				t.Errorf("%s: %d, want 404 without the file", tt.name, resp.StatusCode)
			}
		}
		if resp, _ := h.post(anon, "/lookup/file", url.Values{"att": {fmt.Sprint(att1)}}); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("without receipt and secret: %d, want 422", resp.StatusCode)
		}

		// A signed-in sender of a named case downloads from its page; for
		// anyone else the case does not exist.
		parent := h.client("xq.parent")
		resp, body = h.fbPost(parent, "/s/xq/feedback", url.Values{"kind": {"opinion"}, "subject": {"作业量"}, "body": {"作业太多，见附件。"}, "anonymous": {"0"}},
			map[string][]byte{"作业记录.pdf": []byte(fbPDF)})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("named submit: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		f := h.fbCase(fbCodes(t, body))
		_, page = h.get(parent, fmt.Sprintf("/s/xq/feedback/%d", f.ID))
		if !strings.Contains(page, ">作业记录.pdf</button>") {
			t.Errorf("the named sender's page offers no download")
		}
		own := url.Values{"school": {"xq"}, "id": {fmt.Sprint(f.ID)}, "att": {fmt.Sprint(f.Messages[0].Attachments[0].ID)}}
		if resp, body := h.post(parent, "/lookup/file", own); resp.StatusCode != http.StatusOK || body != fbPDF {
			t.Errorf("the named sender's own file: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("xq.staff"), "/lookup/file", own); resp.StatusCode != http.StatusNotFound {
			t.Errorf("someone else's named case: %d, want 404", resp.StatusCode)
		}
	})
}

// TestFeedback_supervisorRecordsWhomReportIsAbout: on the case page the
// supervision group records which member of the school a report is about;
// the choice is checked by the server; a report about a leader then goes
// to the bureau.
func TestFeedback_supervisorRecordsWhomReportIsAbout(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		receipt, secret := h.fbSubmit(t, h.client(""), url.Values{"kind": {"report"}, "about": {"staff"}, "about_name": {"某老师"},
			"subject": {"有偿补课"}, "body": {"有老师组织有偿补课。"}, "anonymous": {"1"}})
		f := h.fbCase(receipt, secret)
		caseURL := fmt.Sprintf("/s/xq/cases/%d", f.ID)
		sup := h.client("xq.supervisor")
		clerk, leader := h.actor("xq.clerk"), h.actor("xq.leader")

		resp, page := h.get(sup, caseURL)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, `id="step-about"`) || !strings.Contains(page, fmt.Sprintf(`value="%d"`, clerk.ID)) {
			t.Fatalf("the supervision group's case page has no form to record whom the report is about: %d", resp.StatusCode)
		}
		if strings.Contains(page, fmt.Sprintf(`value="%d"`, h.actor("xq.parent").ID)) {
			t.Errorf("a parent is offered as the member of staff a report is about")
		}
		if resp, _ := h.post(h.client("xq.principal"), caseURL+"/about", url.Values{"about_user": {fmt.Sprint(clerk.ID)}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the principal recording on a report: %d, want 404", resp.StatusCode)
		}
		for _, tt := range []struct{ value, msg string }{
			{"", "请选择被举报人。"},
			{"abc", "请从列表中选择被举报人。"},
			{fmt.Sprint(h.actor("other.principal").ID), "被举报人须为本校教职工。"},
			{"999999", "被举报人须为本校教职工。"},
			{fmt.Sprint(h.actor("xq.parent").ID), "被举报人须为本校教职工。"},
		} {
			resp, body := h.post(sup, caseURL+"/about", url.Values{"about_user": {tt.value}, "comment": {"经核实"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(errorSummary(body), tt.msg) || !strings.Contains(body, "经核实") {
				t.Errorf("about %q: %d, want 422 with %q and the text kept\n%s", tt.value, resp.StatusCode, tt.msg, errorSummary(body))
			}
		}
		if got := h.fbCase(receipt, secret); got.AboutUserID != 0 {
			t.Fatalf("a refused choice was stored")
		}

		resp, _ = h.post(sup, caseURL+"/about", url.Values{"about_user": {fmt.Sprint(clerk.ID)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record the clerk: %d", resp.StatusCode)
		}
		_, page = h.get(sup, caseURL)
		if !strings.Contains(page, "被举报人</th><td>"+clerk.DisplayName) || !strings.Contains(page, "已记录被举报人") {
			t.Errorf("the case page does not show whom the report is about")
		}
		if got, err := h.db.FindFeedbackByID(t.Context(), h.school.ID, f.ID); err != nil || got.AboutUserID != clerk.ID || got.About != gongkai.SubjectStaff {
			t.Errorf("stored %+v %v", got, err)
		}

		// A leader: the report leaves the school for the bureau.
		if resp, _ := h.post(sup, caseURL+"/about", url.Values{"about_user": {fmt.Sprint(leader.ID)}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record a leader: %d", resp.StatusCode)
		}
		if resp, _ := h.get(sup, caseURL); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the school's supervision group still sees a report about a leader: %d", resp.StatusCode)
		}
		if resp, body := h.get(h.client("bureau.admin"), "/bureau/cases"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "有偿补课") {
			t.Errorf("the bureau's queue lacks the report about a leader")
		}

		// On an opinion the supervision group watches but records nothing.
		r2, s2 := h.fbSubmit(t, h.client(""), url.Values{"kind": {"opinion"}, "subject": {"食堂"}, "body": {"饭菜偏咸。"}})
		opinion := fmt.Sprintf("/s/xq/cases/%d", h.fbCase(r2, s2).ID)
		if _, page := h.get(sup, opinion); strings.Contains(page, `id="step-about"`) {
			t.Errorf("an opinion's page offers to record whom it is about")
		}
		if resp, _ := h.post(sup, opinion+"/about", url.Values{"about_user": {fmt.Sprint(clerk.ID)}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("recording on an opinion: %d, want 403", resp.StatusCode)
		}
	})
}
