package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gongkai"
	"gongkai/internal/scrub/scrubtest"
)

var matrixOrderFiles sync.Map // *harness → {id, file} of an answered order with a file

// matrixOrderFileValues fills {id} and {file} of the route of an answer's
// file with an order of xq answered with one file.
func (h *harness) matrixOrderFileValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/orders/{id}/files/{file}") {
		return nil
	}
	if v, ok := matrixOrderFiles.Load(h); ok {
		return v.(map[string]string)
	}
	ctx := context.Background()
	o := h.issueOrder(t, "关于整改公示栏的通知", h.school)
	st, err := h.srv.blobs.Put(ctx, strings.NewReader(string(scrubtest.PlainPDF("", "Minutes of the meeting"))), "minutes.pdf", gongkai.MaxAttachmentBytes)
	must(t, err)
	file := gongkai.Attachment{Filename: "会议记录.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
	o, err = h.db.StepOrder(ctx, h.school.ID, o.ID, h.actor("xq.principal"), gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "见会议记录。", Files: []gongkai.Attachment{file}})
	must(t, err)
	v := map[string]string{"id": fmt.Sprint(o.ID), "file": fmt.Sprint(o.Trail[len(o.Trail)-1].Files[0].ID)}
	matrixOrderFiles.Store(h, v)
	return v
}

var orderFileLink = regexp.MustCompile(`href="(/s/xq/orders/\d+/files/\d+)"`)

// TestOrders_answerWithFiles: the principal answers with a photo; the
// file is kept without its hidden metadata, listed under the answer, and
// served as uploads are to the bureau and the school's readers only.
func TestOrders_answerWithFiles(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		o := h.issueOrder(t, "关于整改食堂公示栏的通知", h.school)
		page := orderURL(h.school, o.ID)
		principal := h.client("xq.principal")
		_, body := h.get(principal, page)
		if !strings.Contains(body, `enctype="multipart/form-data"`) || !strings.Contains(body, `name="file"`) {
			t.Fatalf("the answer form takes no file")
		}
		photo := scrubtest.JPEG(t)
		if len(scrubtest.Leaks(photo)) == 0 {
			t.Fatal("the photo carries nothing to scrub: the test could not fail")
		}
		// A file whose content is no accepted type is refused, with the text kept.
		resp, body := h.postMultipart(principal, page+"/answer", url.Values{"comment": {"已整改，见照片。"}}, upload{"file", "照片.jpg", []byte("not a photo")})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "照片.jpg") || !strings.Contains(body, "已整改，见照片。") {
			t.Fatalf("a refused file: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		resp, body = h.postMultipart(principal, page+"/answer", url.Values{"comment": {"已整改，见照片。"}}, upload{"file", "公示栏照片.jpg", photo})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		_, body = h.get(h.client("bureau.admin"), page)
		m := orderFileLink.FindStringSubmatch(body)
		if m == nil || !strings.Contains(body, "公示栏照片.jpg") {
			t.Fatalf("the order page does not list the answer's file")
		}
		for who, want := range map[string]int{"bureau.admin": 200, "bureau.inspector": 200, "xq.principal": 200, "xq.leader": 200, "xq.supervisor": 200,
			"xq.clerk": 404, "xq.parent": 404, "other.principal": 404} {
			resp, served := h.get(h.client(who), m[1])
			if resp.StatusCode != want {
				t.Errorf("%s fetches the file: %d, want %d", who, resp.StatusCode, want)
				continue
			}
			if want != 200 {
				continue
			}
			if leaks := scrubtest.Leaks([]byte(served)); len(leaks) > 0 {
				t.Errorf("the served photo still holds %q", leaks)
			}
			hd := resp.Header
			if hd.Get("Content-Type") != "image/jpeg" || hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Content-Security-Policy") != fileCSP ||
				!strings.Contains(hd.Get("Content-Disposition"), "filename*=UTF-8''") || hd.Get("Cache-Control") != "private, no-store" {
				t.Errorf("headers of the served file: %v", hd)
			}
		}
	})
}
