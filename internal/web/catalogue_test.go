package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/sheet"
)

func catForm(code, name string, extra map[string]string) url.Values {
	v := url.Values{"code": {code}, "name": {name}, "category": {"fees"}, "audience": {"community"}, "publicity_days": {"5"},
		"frequency": {"monthly"}, "due_day": {"10"}, "frequency_text": {"每月10日前"}, "department": {"总务处"}}
	for k, x := range extra {
		v.Set(k, x)
	}
	return v
}

func (h *harness) catalogueItem(schoolID int64, code string) *gongkai.CatalogueItem {
	h.t.Helper()
	items, err := h.db.FindCatalogue(context.Background(), schoolID)
	must(h.t, err)
	for i := range items {
		if items[i].Code == code {
			return &items[i]
		}
	}
	return nil
}

// postFollow posts a form and follows a 303 to the page it shows.
func (h *harness) postFollow(c *http.Client, path string, form url.Values) (*http.Response, string) {
	h.t.Helper()
	resp, body := h.post(c, path, form)
	if resp.StatusCode == http.StatusSeeOther {
		return h.get(c, resp.Header.Get("Location"))
	}
	return resp, body
}

func (h *harness) uploadFollow(c *http.Client, path string, data []byte) (*http.Response, string) {
	h.t.Helper()
	resp, body := h.upload(c, path, data)
	if resp.StatusCode == http.StatusSeeOther {
		return h.get(c, resp.Header.Get("Location"))
	}
	return resp, body
}

func (h *harness) upload(c *http.Client, path string, data []byte) (*http.Response, string) {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "目录.xlsx")
	fw.Write(data)
	mw.Close()
	return h.do(c, http.MethodPost, path, mw.FormDataContentType(), &buf, nil)
}

func TestCatalogueAdmin_schoolEdits(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		base := "/s/xq/manage/catalogue"
		resp, body := h.get(c, base)
		if resp.StatusCode != 200 || !strings.Contains(body, "月度财务收支报表") || !strings.Contains(body, "每月：次月5日前公开上月情况") {
			t.Fatalf("page: %d", resp.StatusCode)
		}
		cases := []struct {
			name   string
			form   url.Values
			status int
			want   string
		}{
			{"day 31", catForm("canteen", "食堂收支", map[string]string{"new": "1", "due_day": "31"}), 422, "截止日须在 1–28 日之间"},
			{"short publicity", catForm("canteen", "食堂收支", map[string]string{"new": "1", "publicity_days": "2"}), 422, "不得少于 5 个工作日"},
			{"existing code", catForm("plan", "食堂收支", map[string]string{"new": "1"}), 422, "该编码已在目录中"},
			{"added", catForm("canteen", "食堂收支", map[string]string{"new": "1"}), 200, "已保存“食堂收支”"},
		}
		for _, tc := range cases {
			resp, body := h.postFollow(c, base, tc.form)
			if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d, want %d with %q", tc.name, resp.StatusCode, tc.status, tc.want)
			}
			if tc.status == 422 && !strings.Contains(body, `value="食堂收支"`) {
				t.Errorf("%s: the input was not kept", tc.name)
			}
		}
		if it := h.catalogueItem(h.school.ID, "canteen"); it == nil || it.Schedule.DueDay != 10 {
			t.Fatalf("saved item: %+v", it)
		}
		// The public catalogue shows its rule.
		if _, body := h.get(h.client(""), "/s/xq/catalogue"); !strings.Contains(body, "每月：次月10日前公开上月情况") {
			t.Error("public catalogue lacks the schedule text")
		}
		resp, body = h.postFollow(c, base+"/delete", url.Values{"code": {"canteen"}})
		if resp.StatusCode != 200 || h.catalogueItem(h.school.ID, "canteen") != nil || !strings.Contains(body, "已删除该公开事项") {
			t.Fatalf("delete: %d", resp.StatusCode)
		}
		// Not for a clerk, nor another school's principal.
		for _, who := range []string{"xq.clerk", "other.principal"} {
			if resp, _ := h.post(h.client(who), base, catForm("x1", "某事项", map[string]string{"new": "1"})); resp.StatusCode != 403 && resp.StatusCode != 404 {
				t.Errorf("%s saves: %d", who, resp.StatusCode)
			}
		}
	})
}

func TestCatalogueAdmin_bureauRequires(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		admin := h.client("bureau.admin")
		resp, body := h.postFollow(admin, "/bureau/catalogue", catForm("canteen", "食堂膳食费收支", map[string]string{"new": "1"}))
		if resp.StatusCode != 200 || !strings.Contains(body, "已保存") {
			t.Fatalf("bureau save: %d", resp.StatusCode)
		}
		for _, s := range []*gongkai.School{h.school, h.other} {
			if it := h.catalogueItem(s.ID, "canteen"); it == nil || !it.Required {
				t.Fatalf("school %s: %+v", s.Slug, it)
			}
		}
		p := h.client("xq.principal")
		_, body = h.get(p, "/s/xq/manage/catalogue")
		if !strings.Contains(body, "教育局要求") || strings.Contains(body, `name="code" value="canteen">
            <button`) {
			t.Error("the school's page does not mark the required item, or offers to delete it")
		}
		resp, body = h.postFollow(p, "/s/xq/manage/catalogue/delete", url.Values{"code": {"canteen"}})
		if h.catalogueItem(h.school.ID, "canteen") == nil || !strings.Contains(body, "学校不能删除") {
			t.Fatalf("school deleted a required item: %d", resp.StatusCode)
		}
		if _, body := h.get(h.client(""), "/s/xq/catalogue"); !strings.Contains(body, "教育局要求") {
			t.Error("public catalogue lacks the 教育局要求 mark")
		}
		if resp, _ := h.get(p, "/bureau/catalogue"); resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("principal opens the bureau page: %d", resp.StatusCode)
		}
	})
}

func TestCatalogueAdmin_xlsxRoundTrip(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		c := h.client("xq.principal")
		resp, data := h.get(c, "/s/xq/manage/catalogue.xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") ||
			!strings.Contains(resp.Header.Get("Content-Disposition"), url.PathEscape("祥谦小学校务公开目录.xlsx")) {
			t.Fatalf("export: %d %v", resp.StatusCode, resp.Header)
		}
		// Into the other school: every item comes across unchanged.
		o := h.client("other.principal")
		want, _ := h.db.FindCatalogue(context.Background(), h.school.ID)
		resp, body := h.uploadFollow(o, "/s/other/manage/catalogue/import", []byte(data))
		if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf("已导入 %d 项", len(want))) {
			t.Fatalf("import: %d, want %d items imported", resp.StatusCode, len(want))
		}
		got, _ := h.db.FindCatalogue(context.Background(), h.other.ID)
		if len(got) != len(want) {
			t.Fatalf("%d items, want %d", len(got), len(want))
		}
		for i := range want {
			if got[i].Code != want[i].Code || got[i].Schedule != want[i].Schedule || got[i].Name != want[i].Name || got[i].Audience != want[i].Audience {
				t.Errorf("item %d: %+v, want %+v", i, got[i], want[i])
			}
		}
		// A file with one bad row: 422 with the row and column, nothing changed.
		items, err := sheet.ImportCatalogue(strings.NewReader(data), int64(len(data)))
		must(t, err)
		items[0].Name = "改过的名称"
		items[3].Schedule.DueDay = 30
		var buf bytes.Buffer
		must(t, sheet.ExportCatalogue(&buf, items))
		resp, body = h.upload(o, "/s/other/manage/catalogue/import", buf.Bytes())
		if resp.StatusCode != 422 || !strings.Contains(body, "第5行 G列 “截止日”") || !strings.Contains(body, "目录未作任何修改") {
			t.Fatalf("bad import: %d", resp.StatusCode)
		}
		if h.catalogueItem(h.other.ID, "plan").Name == "改过的名称" {
			t.Fatal("a refused import changed an item")
		}
		// Not a workbook at all.
		resp, body = h.upload(o, "/s/other/manage/catalogue/import", []byte("hello"))
		if resp.StatusCode != 422 || !strings.Contains(body, "不是 Excel 工作簿") {
			t.Fatalf("text file: %d", resp.StatusCode)
		}
		// The bureau imports too: the items become required everywhere.
		resp, body = h.uploadFollow(h.client("bureau.admin"), "/bureau/catalogue/import", []byte(data))
		if resp.StatusCode != 200 || !strings.Contains(body, fmt.Sprintf("已导入 %d 项", len(want))) {
			t.Fatalf("bureau import: %d, want %d items imported", resp.StatusCode, len(want))
		}
		if it := h.catalogueItem(h.other.ID, "fees"); it == nil || !it.Required {
			t.Fatalf("after bureau import: %+v", it)
		}
	})
}
