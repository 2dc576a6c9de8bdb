package web

import (
	"bytes"
	"context"
	"fmt"
	"gongkai/internal/scrub/scrubtest"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/extract"
	"gongkai/internal/store"
)

const privacyRoster = "以下学生获得国家助学金：\n\n| 姓名 | 班级 | 身份证号 |\n| --- | --- | --- |\n| 林小雨 | 三(2)班 | 350102201203151239 |\n\n联系人：王老师 13812345678"

func (h *harness) privacyDraft(t *testing.T, body string) *gongkai.Disclosure {
	t.Helper()
	d := &gongkai.Disclosure{Title: "国家助学金名单", Body: body, Category: "aid", Audience: gongkai.AudienceCommunity,
		PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
	must(t, h.db.CreateDisclosure(context.Background(), h.school.ID, h.actor("xq.clerk"), d))
	return d
}

// privacyPanel is the panel of findings in a page, or "".
func privacyPanel(page string) string {
	i := strings.Index(page, `id="privacy"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</section>")
	return page[i : i+j]
}

// uploadForm posts files to the edit form's upload route as the user.
func (h *harness) uploadForm(t *testing.T, user string, id int64, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return h.do(h.client(user), "POST", fmt.Sprintf("/s/xq/manage/d/%d/files", id), mw.FormDataContentType(), &buf, nil)
}

func TestPrivacy_EditWarningSubmitAndMask(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.privacyDraft(t, privacyRoster)
		edit := fmt.Sprintf("/s/xq/manage/d/%d/edit", d.ID)
		_, page := h.get(h.client("xq.clerk"), edit)
		panel := privacyPanel(page)
		for _, want := range []string{"发现 2 处个人信息", "表格第 1 行“身份证号”列：身份证号 3501**********1239", "正文第 7 行：手机号码 138****5678", "一键遮盖正文中的个人信息"} {
			if !strings.Contains(panel, want) {
				t.Errorf("edit page warning lacks %q:\n%s", want, panel)
			}
		}
		if strings.Contains(panel, "350102201203151239") {
			t.Error("the warning shows the number itself")
		}
		// Submitting is refused with the places named.
		resp, body := h.post(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/act/submit", d.ID), url.Values{})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "表格第 1 行“身份证号”列") {
			t.Fatalf("submit: %d, want 422 naming the place", resp.StatusCode)
		}
		// So is save-and-submit on the form, next to the body field.
		form := url.Values{"title": {d.Title}, "body": {privacyRoster}, "category": {"aid"}, "audience": {"community"}, "publicity_days": {"5"},
			"channels": {"online"}, "do": {"submit"}}
		resp, _ = h.post(h.client("xq.clerk"), edit, form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/edit?check=submit") {
			t.Fatalf("save and submit: %d %s, want a redirect to the form that shows why", resp.StatusCode, resp.Header.Get("Location"))
		}
		if _, body = h.get(h.client("xq.clerk"), resp.Header.Get("Location")); !strings.Contains(body, "正文含有个人信息") || !strings.Contains(body, `id="e-body"`) {
			t.Fatal("the form after a refused save-and-submit lacks the body's field error")
		}
		// Saving the draft says so, and leads to the warning.
		form.Set("do", "save")
		resp, _ = h.post(h.client("xq.clerk"), edit, form)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/edit#privacy") {
			t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		// A parent cannot mask it; the clerk masks in one click.
		if resp, _ := h.post(h.client("xq.parent"), fmt.Sprintf("/s/xq/manage/d/%d/privacy/mask", d.ID), url.Values{}); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("parent mask: %d", resp.StatusCode)
		}
		clerk := h.client("xq.clerk") // keeps the flash
		resp, _ = h.post(clerk, fmt.Sprintf("/s/xq/manage/d/%d/privacy/mask", d.ID), url.Values{})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/edit#privacy") {
			t.Fatalf("mask: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, page = h.get(clerk, edit)
		if privacyPanel(page) != "" || !strings.Contains(page, "已遮盖正文中的 2 处个人信息") || !strings.Contains(page, "3501**********1239") {
			t.Errorf("after masking: panel %q", privacyPanel(page))
		}
		got, _ := h.db.FindDisclosureByID(context.Background(), h.school.ID, d.ID)
		if strings.Contains(got.Body, "350102201203151239") || strings.Contains(got.Body, "13812345678") {
			t.Fatalf("masked body still holds the numbers: %q", got.Body)
		}
		resp, _ = h.post(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/act/submit", d.ID), url.Values{})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit after masking: %d", resp.StatusCode)
		}
	})
}

func rosterXLSX(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "身份证号", "家庭住址"}))
	must(t, f.SetSheetRow("Sheet1", "A2", &[]any{"林小雨", "11010519491231002X", "福州市鼓楼区东街12号"}))
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPrivacy_Attachments(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.privacyDraft(t, "名单见附件。")
		if resp, body := h.uploadForm(t, "xq.clerk", d.ID, "名单.xlsx", rosterXLSX(t)); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		scanned, err := os.ReadFile(filepath.Join("..", "extract", "testdata", "leaks", "scanned.pdf"))
		must(t, err)
		if resp, body := h.uploadForm(t, "xq.clerk", d.ID, "扫描件.pdf", scanned); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: %d %s", resp.StatusCode, body)
		}
		_, page := h.get(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/edit", d.ID))
		panel := privacyPanel(page)
		for _, want := range []string{"附件《名单.xlsx》工作表“Sheet1” B2：身份证号 1101**********002X", "附件《名单.xlsx》工作表“Sheet1” C2：家庭住址 福州市鼓楼****",
			"附件《扫描件.pdf》无法自动检查（可能是扫描图片），请人工核对", "附件无法直接遮盖"} {
			if !strings.Contains(panel, want) {
				t.Errorf("warning lacks %q:\n%s", want, panel)
			}
		}
		if strings.Contains(panel, "一键遮盖") {
			t.Error("offers to mask files")
		}
		// Through the API as well: the submission is refused with the places.
		resp, body := h.do(h.client(""), "POST", fmt.Sprintf("/api/v1/disclosures/%d/submit", d.ID), "application/json", strings.NewReader("{}"),
			http.Header{"Authorization": {"Bearer " + h.apiToken("xq.clerk")}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "附件《扫描件.pdf》无法自动检查") || !strings.Contains(body, "B2：身份证号") {
			t.Fatalf("API submit: %d %s", resp.StatusCode, body)
		}
		// A person looked at the scanned file: the principal says so, with
		// the reason; the workbook still stops the submission.
		resp, _ = h.post(h.client("xq.principal"), fmt.Sprintf("/s/xq/manage/d/%d/privacy/override", d.ID),
			url.Values{"key": {"unchecked|附件《扫描件.pdf》|"}, "reason": {"已人工核对扫描件，只有姓名和金额。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("override of the scanned file: %d", resp.StatusCode)
		}
		resp, body = h.post(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/act/submit", d.ID), url.Values{})
		i := strings.Index(body, `class="error-summary"`)
		if i < 0 {
			t.Fatalf("submit after the override: %d without a refusal", resp.StatusCode)
		}
		refusal, _, _ := strings.Cut(body[i:], "</div>")
		if resp.StatusCode != http.StatusUnprocessableEntity || strings.Contains(refusal, "扫描件.pdf") || !strings.Contains(refusal, "B2：身份证号") {
			t.Fatalf("submit after the override: %d", resp.StatusCode)
		}
	})
}

// A 50 MB workbook is refused with a clear message and nothing is saved.
func TestPrivacy_LargeWorkbook(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.privacyDraft(t, "名单见附件。")
		big := make([]byte, 50<<20)
		copy(big, rosterXLSX(t))
		resp, body := h.uploadForm(t, "xq.clerk", d.ID, "全校名单.xlsx", big)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(body, "全校名单.xlsx：文件超过 20 MB 上限") {
			t.Fatalf("50 MB upload: %d, want 413 with the file named", resp.StatusCode)
		}
		got, _ := h.db.FindDisclosureByID(context.Background(), h.school.ID, d.ID)
		if len(got.Attachments) != 0 || got.Body != "名单见附件。" {
			t.Fatalf("after a refused upload: %d files, body %q", len(got.Attachments), got.Body)
		}
	})
}

func TestPrivacy_PrincipalOverride(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.privacyDraft(t, "资助咨询：王老师 13812345678")
		ctx := context.Background()
		rep, err := h.srv.CheckPrivacy(ctx, h.school.ID, d.ID)
		if err != nil || len(rep.Findings) != 1 {
			t.Fatalf("findings: %+v, %v", rep, err)
		}
		key := rep.Findings[0].Key()
		path := fmt.Sprintf("/s/xq/manage/d/%d/privacy/override", d.ID)
		reason := "王老师为学校资助专干，本人同意公开工作手机。"
		for _, who := range []string{"xq.clerk", "xq.leader", "xq.supervisor"} {
			if resp, _ := h.post(h.client(who), path, url.Values{"key": {key}, "reason": {reason}}); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s override: %d, want 403", who, resp.StatusCode)
			}
		}
		if resp, _ := h.post(h.client("other.principal"), path, url.Values{"key": {key}, "reason": {reason}}); resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
			t.Errorf("another school's principal: %d, want it denied", resp.StatusCode)
		}
		if rep, _ := h.db.CheckPrivacy(ctx, h.school.ID, d.ID); len(rep.Overrides) != 0 {
			t.Fatalf("overrides recorded by others: %+v", rep.Overrides)
		}
		// The principal sees the override form; a clerk does not.
		review := fmt.Sprintf("/s/xq/manage/d/%d", d.ID)
		if _, page := h.get(h.client("xq.clerk"), review); strings.Contains(privacyPanel(page), "确认并记录理由") {
			t.Error("a clerk is offered the override")
		}
		if _, page := h.get(h.client("xq.principal"), review); !strings.Contains(privacyPanel(page), "确认并记录理由") {
			t.Error("the principal is not offered the override")
		}
		resp, body := h.post(h.client("xq.principal"), path, url.Values{"key": {key}, "reason": {" "}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写理由") {
			t.Fatalf("override without a reason: %d", resp.StatusCode)
		}
		resp, _ = h.post(h.client("xq.principal"), path, url.Values{"key": {key}, "reason": {reason}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("override: %d", resp.StatusCode)
		}
		h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
		// The supervision group sees it on the item's page when they check,
		// and in the trail.
		_, page := h.get(h.client("xq.supervisor"), review)
		panel := privacyPanel(page)
		for _, want := range []string{"校长已确认可以公开", "正文第 1 行：手机号码 138****5678", reason, h.users["xq.principal"].DisplayName} {
			if !strings.Contains(panel, want) {
				t.Errorf("supervisor's page lacks %q:\n%s", want, panel)
			}
		}
		if !strings.Contains(page, "校长确认个人信息提示") || !strings.Contains(page, "理由："+reason) {
			t.Error("the trail lacks the override")
		}
		if strings.Contains(page, "13812345678") && !strings.Contains(page, "王老师 13812345678") {
			t.Error("the number shows outside the body")
		}
	})
}

func TestPrivacy_SchoolPhoneNotFlagged(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		_, err := h.db.UpdateSchoolProfile(ctx, h.actor("xq.principal"), h.school.ID, store.SchoolProfile{FullName: "青禾县祥谦小学", Phone: "0591-5550023", AidPhone: "13905911234"})
		must(t, err)
		d := h.privacyDraft(t, "资助热线：13905911234（工作日 8:00–17:30）")
		_, page := h.get(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/edit", d.ID))
		if p := privacyPanel(page); p != "" {
			t.Errorf("the school's own phone is flagged:\n%s", p)
		}
		if resp, _ := h.post(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/act/submit", d.ID), url.Values{}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("submit: %d", resp.StatusCode)
		}
	})
}

// textPDF is a small, well-formed PDF of one page with the ASCII text on
// it, which the personal-data scan reads (a file without text could not be
// checked, and would stop a submission).
func textPDF(text string) []byte { return scrubtest.PlainPDF("", text) }

func TestTextPDF(t *testing.T) {
	data := textPDF("Notice 2026")
	pages, err := extract.PDFPages(bytes.NewReader(data), int64(len(data)))
	if err != nil || len(pages) != 1 || !strings.Contains(pages[0], "Notice 2026") {
		t.Fatalf("textPDF reads as %q, %v", pages, err)
	}
}

// A roster of sixty home addresses: the warning counts them all and lists
// the first fifty.
func TestPrivacy_LongRoster(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		var b strings.Builder
		b.WriteString("| 姓名 | 家庭住址 |\n| --- | --- |\n")
		for i := range 60 {
			fmt.Fprintf(&b, "| 学生%d | 福州市鼓楼区东街%d号 |\n", i+1, i+1)
		}
		d := h.privacyDraft(t, b.String())
		_, page := h.get(h.client("xq.clerk"), fmt.Sprintf("/s/xq/manage/d/%d/edit", d.ID))
		panel := privacyPanel(page)
		if !strings.Contains(panel, "发现 60 处个人信息") || !strings.Contains(panel, "另有 10 处未列出") ||
			!strings.Contains(panel, "表格第 50 行“家庭住址”列") || strings.Contains(panel, "表格第 51 行") {
			t.Errorf("warning of a long roster:\n%s", panel)
		}
	})
}
