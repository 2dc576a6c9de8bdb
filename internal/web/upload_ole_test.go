package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/extract"
	"gongkai/internal/scrub/scrubtest"
)

// TestUploads_oldOfficeAndWPS: a clerk attaches Word and Excel 97–2003
// files and WPS's .wps and .et; they are kept under their names, and the
// privacy check holds them for a person, saying that they could not be
// checked nor their hidden information removed.
func TestUploads_oldOfficeAndWPS(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk := h.client("xq.clerk")
		base := fmt.Sprintf("/s/xq/manage/d/%d", h.draft.ID)
		files := []upload{
			{"file", "收费通知.doc", scrubtest.OLE("WordDocument", "1Table")},
			{"file", "收费通知.wps", scrubtest.OLE("WordDocument")},
			{"file", "收支表.xls", scrubtest.OLE("Workbook")},
			{"file", "收支表.et", scrubtest.OLE("Workbook", "CompObj")}, // not the .xls's bytes: the same file is attached once
		}
		for _, u := range files {
			if resp, body := h.postMultipart(clerk, base+"/files", nil, u); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload %s: %d\n%s", u.filename, resp.StatusCode, errorSummary(body))
			}
		}
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, h.draft.ID)
		must(t, err)
		var names []string
		for _, a := range d.Attachments {
			names = append(names, a.Filename+" "+a.ContentType)
		}
		want := "收费通知.doc application/msword,收费通知.wps application/msword,收支表.xls application/vnd.ms-excel,收支表.et application/vnd.ms-excel"
		if strings.Join(names, ",") != want {
			t.Errorf("attached %v, want %s", names, want)
		}
		rep, err := h.srv.CheckPrivacy(context.Background(), h.school.ID, h.draft.ID)
		must(t, err)
		unchecked := 0
		for _, f := range rep.Findings {
			if f.Kind == gongkai.PIIUnchecked && strings.Contains(f.Note, extract.MsgOldOffice) {
				unchecked++
			}
		}
		if unchecked != len(files) {
			t.Errorf("%d of %d old Office files held as unchecked: %+v", unchecked, len(files), rep.Findings)
		}
		_, body := h.get(clerk, base)
		if !strings.Contains(body, "无法检查其中的个人信息") {
			t.Errorf("the review page does not say that the old Office files could not be checked")
		}
	})
}

// TestUploads_refusedByLength: an upload that announces more than the
// limit is refused with 413 from its Content-Length, before its body is
// read — the request sends a few bytes of a 200 MB body and gets the
// answer at once — on the form and on the API.
func TestUploads_refusedByLength(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		multi := "multipart/form-data; boundary=x"
		for _, path := range []string{
			fmt.Sprintf("/s/xq/manage/d/%d/files", h.draft.ID),
			fmt.Sprintf("/api/v1/disclosures/%d/attachments", h.draft.ID),
			"/s/xq/manage/new",
		} {
			status, body := h.rawPost(t, "127.0.0.1", path, multi, 200<<20, 100) // doors_test.go
			if status != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s announcing 200 MB: %d, want 413 before the body", path, status)
			}
			if !strings.Contains(body, "上限") {
				t.Errorf("POST %s: the answer does not say why:\n%.300s", path, body)
			}
		}
	})
}
