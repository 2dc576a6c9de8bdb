package web

import (
	"bytes"
	"context"
	"fmt"
	"gongkai/internal/scrub/scrubtest"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/notify"
	"gongkai/internal/testdb"
)

// Markers of the personal data a roster published by mistake.
const (
	webLeakWord = "qzwebleak5"
	webLeakName = "璩璎珞"
	webFileWord = "qzwebfile6"
)

// leakyRoster publishes a roster of xq whose body and file hold the
// markers; it returns the item and the file's id.
func (h *harness) leakyRoster(t *testing.T) (*gongkai.Disclosure, int64) {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: "2026年春季学期助学金受助学生名单", Category: "aid", Audience: gongkai.AudiencePublic, PublicityDays: 5,
		Body: "| 姓名 | 班级 | 身份证号 |\n| --- | --- | --- |\n| " + webLeakName + " | 三年级（2）班 | " + webLeakWord + " |\n"}
	must(t, h.db.CreateDisclosure(ctx, h.school.ID, h.actor("xq.clerk"), d))
	st, err := h.srv.blobs.Put(ctx, bytes.NewReader(scrubtest.TextPDF(webFileWord+" "+webLeakName)), "名单.pdf", gongkai.MaxAttachmentBytes)
	must(t, err)
	a := &gongkai.Attachment{Filename: "名单.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
	must(t, h.db.SaveAttachmentScan(ctx, h.school.ID, a.SHA256, nil)) // the leak got past the scan
	must(t, h.db.AddAttachment(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), a))
	h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
	h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
	return d, a.ID
}

// TestRedaction_purgesEveryPath: the principal opens the confirm form from
// the item's page, must give a reason, and after the redaction the public
// page (cached before), the old version's page, the board's search, the
// API and the file answer without the text; the public trail says
// "已删除个人信息" with the date and no reason; the supervision group and
// the bureau are notified; on SQLite no file of the database or the data
// folder holds the text. A clerk gets 403 and another school's principal
// 404, and neither changes anything.
func TestRedaction_purgesEveryPath(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		h := newHarness(t, dsn)
		d, att := h.leakyRoster(t)
		anon, principal := h.client(""), h.client("xq.principal")
		page := fmt.Sprintf("/s/xq/d/%d", d.ID)
		fileURL := fmt.Sprintf("/s/xq/files/%d/%s", att, url.PathEscape("名单.pdf"))
		bodyForm := fmt.Sprintf("/s/xq/manage/d/%d/v/1/redact", d.ID)
		fileForm := fmt.Sprintf("/s/xq/manage/d/%d/files/%d/redact", d.ID, att)
		reason := "名单中误含学生身份证号码"

		// Before: every path shows the text (and the page is cached).
		for _, p := range []string{page, page, page + "/v/1", "/s/xq/?q=" + webLeakWord, fmt.Sprintf("/api/v1/disclosures/%d", d.ID)} {
			if _, body := h.get(anon, p); !strings.Contains(body, webLeakWord) {
				t.Fatalf("before the redaction %s does not show the text", p)
			}
		}
		if _, body := h.get(anon, "/s/xq/?q="+webLeakWord); !strings.Contains(body, `href="`+page+`"`) {
			t.Fatal("before the redaction the board's search does not find the roster")
		}
		if resp, body := h.get(anon, fileURL); resp.StatusCode != 200 || !strings.Contains(body, webFileWord) {
			t.Fatalf("before the redaction the file answers %d", resp.StatusCode)
		}

		// The principal sees the way in; others do not.
		_, review := h.get(principal, fmt.Sprintf("/s/xq/manage/d/%d", d.ID))
		if !strings.Contains(review, `href="`+bodyForm+`"`) || !strings.Contains(review, `href="`+fileForm+`"`) {
			t.Fatal("the principal's item page offers no redaction")
		}
		if _, other := h.get(h.client("xq.supervisor"), fmt.Sprintf("/s/xq/manage/d/%d", d.ID)); strings.Contains(other, "/redact") {
			t.Error("the supervisor is offered a redaction")
		}

		// Refused: a clerk (403) and another school's principal (404), by
		// either school's address; nothing changes.
		for _, c := range []struct {
			who, path string
			status    int
		}{
			{"xq.clerk", bodyForm, 403},
			{"xq.clerk", fileForm, 403},
			{"xq.leader", bodyForm, 403},
			{"bureau.admin", bodyForm, 403},
			{"other.principal", bodyForm, 404},
			{"other.principal", strings.Replace(fileForm, "/s/xq/", "/s/other/", 1), 404},
			{"other.principal", strings.Replace(bodyForm, "/s/xq/", "/s/other/", 1), 404},
		} {
			cl := h.client(c.who)
			if resp, _ := h.get(cl, c.path); resp.StatusCode != c.status {
				t.Errorf("GET %s as %s: %d, want %d", c.path, c.who, resp.StatusCode, c.status)
			}
			if resp, _ := h.post(cl, c.path, url.Values{"reason": {reason}}); resp.StatusCode != c.status {
				t.Errorf("POST %s as %s: %d, want %d", c.path, c.who, resp.StatusCode, c.status)
			}
		}
		if _, body := h.get(anon, page); !strings.Contains(body, webLeakWord) {
			t.Fatal("a refused redaction changed the page")
		}

		// The confirm form shows what goes and needs a reason.
		resp, form := h.get(principal, bodyForm)
		if resp.StatusCode != 200 || !strings.Contains(form, webLeakWord) || !strings.Contains(form, `name="reason"`) {
			t.Fatalf("confirm form: %d", resp.StatusCode)
		}
		resp, form = h.post(principal, bodyForm, url.Values{"reason": {"  "}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(form, "请填写删除理由") || !strings.Contains(form, `aria-invalid="true"`) {
			t.Fatalf("without a reason: %d", resp.StatusCode)
		}
		resp, _ = h.post(principal, bodyForm, url.Values{"reason": {reason}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != fmt.Sprintf("/s/xq/manage/d/%d", d.ID) {
			t.Fatalf("redact the body: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = h.post(principal, fileForm, url.Values{"reason": {"附件含家庭住址"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("redact the file: %d", resp.StatusCode)
		}
		_, review = h.get(principal, resp.Header.Get("Location"))
		if !strings.Contains(review, "附件文件已从文件存储中删除") || !strings.Contains(review, reason) {
			t.Error("the item's page after the redaction shows neither the flash nor the reason")
		}
		if resp, _ := h.post(principal, bodyForm, url.Values{"reason": {reason}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("redacting twice: %d, want 409", resp.StatusCode)
		}

		// After: no path shows the text; the public trail says so, with the date.
		today := time.Now().In(gongkai.Beijing).Format("2006-01-02")
		for _, q := range []string{webLeakWord, webLeakName, webFileWord} {
			if _, body := h.get(anon, "/s/xq/?q="+url.QueryEscape(q)); strings.Contains(body, `href="`+page+`"`) {
				t.Errorf("the board's search for %q still finds the roster", q)
			}
			if _, body := h.get(anon, "/api/v1/schools/xq/disclosures?q="+url.QueryEscape(q)); strings.Contains(body, d.Title) {
				t.Errorf("the API's search for %q still finds the roster", q)
			}
		}
		for _, p := range []string{page, page + "/v/1", fmt.Sprintf("/api/v1/disclosures/%d", d.ID)} {
			_, body := h.get(anon, p)
			for _, m := range []string{webLeakWord, webLeakName, webFileWord} {
				if strings.Contains(body, m) {
					t.Errorf("after the redaction %s still shows %q", p, m)
				}
			}
		}
		for _, p := range []string{page, page + "/v/1"} {
			_, body := h.get(anon, p)
			if !strings.Contains(body, today+" 已删除个人信息") || strings.Contains(body, reason) {
				t.Errorf("public trail of %s: want %q and no reason", p, today+" 已删除个人信息")
			}
		}
		if _, body := h.get(anon, fmt.Sprintf("/api/v1/disclosures/%d", d.ID)); !strings.Contains(body, `"action":"redact"`) || strings.Contains(body, reason) {
			t.Errorf("the API's trail for the public: want the redaction and no reason: %s", body)
		}
		resp, body := h.get(anon, fileURL)
		if resp.StatusCode != http.StatusGone || !strings.Contains(body, "已删除个人信息") {
			t.Errorf("the redacted file answers %d, want 410 with the notice", resp.StatusCode)
		}

		// The supervision group and the bureau are told.
		disp, err := notify.New(notify.Config{}, h.db, slog.New(slog.DiscardHandler))
		must(t, err)
		for i := 0; i < 5; i++ {
			_, err := disp.RunOnce(context.Background())
			must(t, err)
		}
		for who, want := range map[string]bool{"xq.supervisor": true, "bureau.admin": true, "xq.clerk": false, "other.supervisor": false} {
			items, _, _, err := h.db.FindNotifications(context.Background(), h.users[who].ID, 1)
			must(t, err)
			got := 0
			for _, n := range items {
				if strings.Contains(n.Title, "个人信息") {
					got++
				}
			}
			if (got == 2) != want {
				t.Errorf("%s got %d notifications of the redactions, want them: %v", who, got, want)
			}
		}

		if strings.HasPrefix(dsn, "sqlite:") {
			dirs := []string{filepath.Dir(strings.TrimPrefix(dsn, "sqlite:")), strings.TrimPrefix(fmt.Sprint(h.srv.blobs), "file:")}
			for _, dir := range dirs {
				err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
					if err != nil || e.IsDir() {
						return err
					}
					b, err := os.ReadFile(p)
					if err != nil {
						return err
					}
					for _, m := range []string{webLeakWord, "璩璎", webFileWord} {
						if bytes.Contains(bytes.ToLower(b), []byte(m)) {
							t.Errorf("%s still holds %q", p, m)
						}
					}
					return nil
				})
				must(t, err)
			}
		}
	})
}
