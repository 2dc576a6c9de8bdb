package web

import (
	"bytes"
	"context"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/store"
)

// upload is a file part of a multipart form.
type upload struct {
	name, filename string
	data           []byte
}

// postMultipart sends a multipart form with fields and files.
func (h *harness) postMultipart(c *http.Client, path string, fields url.Values, files ...upload) (*http.Response, string) {
	h.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.name, f.filename)
		must(h.t, err)
		w.Write(f.data)
	}
	must(h.t, mw.Close())
	return h.do(c, "POST", path, mw.FormDataContentType(), &buf, nil)
}

// pdfBytes is a small file that is a PDF by its content, with text.
var pdfBytes = textPDF("Notice")

// idFrom returns the item id in a /manage/d/{id} location.
func idFrom(t *testing.T, loc string) int64 {
	t.Helper()
	m := regexp.MustCompile(`/manage/d/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("no item id in %q", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// wantStatus fails the test when the response has another status.
func wantStatus(t *testing.T, what string, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		if len(body) > 600 {
			body = body[:600]
		}
		t.Fatalf("%s: status %d, want %d\n%s", what, resp.StatusCode, status, body)
	}
}

// flashOf follows a redirect's flash cookie as the browser would show it.
func flashOf(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "flash" {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

func TestManage_Procedure(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk := h.client("xq.clerk")
		title := "关于2025年秋季学期作业本费收费标准的公示"

		// The clerk fills in the form with an attachment and saves a draft.
		resp, body := h.get(clerk, "/s/xq/manage/new")
		wantStatus(t, "new form", resp, body, 200)
		for _, want := range []string{"校务公开登记表", `name="catalogue"`, `name="body"`, `type="file"`, `name="channels"`, "提交审议"} {
			if !strings.Contains(body, want) {
				t.Fatalf("new form lacks %q", want)
			}
		}
		form := url.Values{"do": {"save"}, "catalogue": {"fees"}, "title": {title},
			"body": {"| 项目 | 标准 |\n| --- | ---: |\n| 作业本费 | 30.00 元 |"}, "channels": {"online", "board"}}
		resp, body = h.postMultipart(clerk, "/s/xq/manage/new", form, upload{"file", "收费批复.pdf", pdfBytes})
		wantStatus(t, "save draft", resp, body, http.StatusSeeOther)
		id := idFrom(t, resp.Header.Get("Location"))
		if f := flashOf(resp); f != "草稿已保存。" {
			t.Fatalf("flash %q", f)
		}
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, id)
		must(t, err)
		// The catalogue item filled the fields left empty.
		if d.Category != "fees" || d.PublicityDays != 5 || d.Audience != gongkai.AudiencePublic || d.DepartmentName != "财务室" || d.LegalBasis != "《教育收费公示制度》" {
			t.Fatalf("catalogue defaults not applied: %+v", d)
		}
		if len(d.Attachments) != 1 || d.Attachments[0].Filename != "收费批复.pdf" || d.Attachments[0].ContentType != "application/pdf" {
			t.Fatalf("attachments %+v", d.Attachments)
		}
		resp, body = h.get(clerk, "/s/xq/manage/d/"+itoa64(id)+"/edit")
		wantStatus(t, "edit form", resp, body, 200)
		if !strings.Contains(body, "收费批复.pdf") || !strings.Contains(body, `value="`+title+`"`) {
			t.Fatal("edit form does not show the saved draft and its file")
		}

		// Submit from the edit form.
		form.Set("do", "submit")
		form.Set("department", strconv.FormatInt(d.DepartmentID, 10))
		form.Set("publicity_days", "5")
		form.Set("audience", "public")
		resp, body = h.postMultipart(clerk, "/s/xq/manage/d/"+itoa64(id)+"/edit", form)
		wantStatus(t, "submit", resp, body, http.StatusSeeOther)
		if loc := resp.Header.Get("Location"); loc != "/s/xq/manage/d/"+itoa64(id) || flashOf(resp) != "已提交审议。" {
			t.Fatalf("submit went to %q with %q", loc, flashOf(resp))
		}

		// The review page shows the item as the public will see it, and the
		// decisions of the reader.
		resp, body = h.get(h.client("xq.principal"), "/s/xq/manage/d/"+itoa64(id))
		wantStatus(t, "review page", resp, body, 200)
		for _, want := range []string{title, "作业本费", "收费批复.pdf", "同意签发", "退回修改", "提交审议", "30.00 元</td>"} {
			if !strings.Contains(body, want) {
				t.Fatalf("review page lacks %q", want)
			}
		}
		_, body = h.get(h.client("xq.leader"), "/s/xq/manage/d/"+itoa64(id))
		if strings.Contains(body, "同意签发") || !strings.Contains(body, "审议意见") {
			t.Fatal("leader's review page should offer a comment, not the signature")
		}

		steps := []struct {
			who, action, comment, flash string
			state                       gongkai.State
		}{
			{"xq.leader", "comment", "同意公开，请注意金额格式。", "审议意见已记录。", gongkai.StateSubmitted},
			{"xq.principal", "approve", "", "已签发。", gongkai.StateApproved},
			{"xq.supervisor", "check", "", "审核通过。", gongkai.StateChecked},
			{"xq.clerk", "publish", "", "已发布。", gongkai.StatePublished},
		}
		for _, st := range steps {
			resp, body = h.post(h.client(st.who), "/s/xq/manage/d/"+itoa64(id)+"/act/"+st.action, url.Values{"comment": {st.comment}})
			wantStatus(t, st.action, resp, body, http.StatusSeeOther)
			if flashOf(resp) != st.flash {
				t.Fatalf("%s flash %q, want %q", st.action, flashOf(resp), st.flash)
			}
			d, err = h.db.FindDisclosureByID(context.Background(), h.school.ID, id)
			must(t, err)
			if d.State != st.state {
				t.Fatalf("after %s: %s, want %s", st.action, d.State, st.state)
			}
		}
		// The trail on the review page names who did what, with the comment.
		_, body = h.get(clerk, "/s/xq/manage/d/"+itoa64(id))
		for _, want := range []string{"同意公开，请注意金额格式。", "领导小组", "校长", "监督小组", "同意签发", "审核通过", "查看公开页面"} {
			if !strings.Contains(body, want) {
				t.Fatalf("trail lacks %q", want)
			}
		}

		// It is on the public board.
		resp, body = h.get(h.client(""), "/s/xq/")
		wantStatus(t, "board", resp, body, 200)
		if !strings.Contains(body, title) {
			t.Fatal("published item not on the public board")
		}
		resp, body = h.get(h.client(""), "/s/xq/d/"+itoa64(id))
		wantStatus(t, "public item", resp, body, 200)
		if !strings.Contains(body, "收费批复.pdf") {
			t.Fatal("public item lacks its attachment")
		}
	})
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestManage_FormErrors(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		clerk := h.client("xq.clerk")
		countDrafts := func(title string) int {
			items, _, err := h.db.FindDisclosures(ctx, h.school.ID, store.DisclosureFilter{States: []gongkai.State{gongkai.StateDraft}, PerPage: 100})
			must(t, err)
			n := 0
			for _, d := range items {
				if d.Title == title {
					n++
				}
			}
			return n
		}

		t.Run("submit with empty body", func(t *testing.T) {
			form := url.Values{"do": {"submit"}, "title": {"只有标题的登记表"}, "doc_number": {"祥小〔2025〕9号"}, "category": {"awards"}, "publicity_days": {"2"}}
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", form)
			// The draft is saved and the post redirects to its form, which
			// shows what kept the submission back: reloading that page
			// saves nothing again.
			wantStatus(t, "submit empty", resp, body, http.StatusSeeOther)
			loc := resp.Header.Get("Location")
			if !regexp.MustCompile(`^/s/xq/manage/d/\d+/edit\?check=submit$`).MatchString(loc) {
				t.Fatalf("refused submission redirects to %q", loc)
			}
			for range 2 {
				resp, body = h.get(clerk, loc)
				wantStatus(t, "the form after a refused submission", resp, body, http.StatusOK)
				for _, want := range []string{"error-summary", "请填写公开内容。", "公示期不得少于 5 个工作日", `value="只有标题的登记表"`, `value="祥小〔2025〕9号"`, `id="e-body"`, `id="e-publicity_days"`, "草稿已保存"} {
					if !strings.Contains(html.UnescapeString(body), html.UnescapeString(want)) {
						t.Fatalf("form after a refused submission lacks %q", want)
					}
				}
			}
			if countDrafts("只有标题的登记表") != 1 {
				t.Fatal("the draft was not saved once")
			}
			// The form edits the saved draft.
			m := regexp.MustCompile(`action="(/s/xq/manage/d/\d+/edit)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("the form does not post to the saved draft")
			}
			form.Set("body", "获奖名单如下。")
			form.Set("publicity_days", "5")
			resp, body = h.postMultipart(clerk, m[1], form)
			wantStatus(t, "second try", resp, body, http.StatusSeeOther)
			if countDrafts("只有标题的登记表") != 0 {
				t.Fatal("the draft should have left the draft state")
			}
		})

		t.Run("every field error at once", func(t *testing.T) {
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", url.Values{"do": {"submit"}, "title": {"  "}, "publicity_days": {"七"}})
			wantStatus(t, "bad input", resp, body, http.StatusUnprocessableEntity)
			for _, want := range []string{"请填写标题。", "请填写公开内容。", "请选择公开类别。", "公示期请填写工作日天数"} {
				if !strings.Contains(body, want) {
					t.Fatalf("422 page lacks %q", want)
				}
			}
		})

		t.Run("preview saves the draft with its file and shows it", func(t *testing.T) {
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", url.Values{"do": {"preview"}, "title": {"预览测试"}, "body": {"**加粗**的内容"}},
				upload{"file", "明细.pdf", pdfBytes})
			wantStatus(t, "preview", resp, body, http.StatusSeeOther)
			loc := resp.Header.Get("Location")
			resp, body = h.get(clerk, loc)
			wantStatus(t, "the preview", resp, body, 200)
			if !strings.Contains(body, "<strong>加粗</strong>") || !strings.Contains(body, "**加粗**的内容") || !strings.Contains(body, `value="预览测试"`) {
				t.Fatal("preview does not render the body and keep the input")
			}
			if strings.Count(body, "明细.pdf") < 2 {
				t.Fatal("after the preview the file is not shown as attached, in the form and in the preview")
			}
			if countDrafts("预览测试") != 1 {
				t.Fatal("preview did not save the draft once")
			}
			// Choosing the same file again does not attach it twice.
			edit := strings.TrimSuffix(strings.Split(loc, "?")[0], "#preview")
			resp, body = h.postMultipart(clerk, edit, url.Values{"do": {"preview"}, "title": {"预览测试"}, "body": {"**加粗**的内容"}},
				upload{"file", "明细.pdf", pdfBytes})
			wantStatus(t, "preview again", resp, body, http.StatusSeeOther)
			id, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(edit, "/s/xq/manage/d/"), "/")[0], 10, 64)
			d, err := h.db.FindDisclosureByID(ctx, h.school.ID, id)
			must(t, err)
			if len(d.Attachments) != 1 {
				t.Fatalf("the same file chosen twice: %d attachments", len(d.Attachments))
			}
		})

		t.Run("text file named pdf", func(t *testing.T) {
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", url.Values{"do": {"save"}, "title": {"带假附件的登记表"}},
				upload{"file", "名单.pdf", []byte("这不是 PDF，只是一段文字。\n")})
			wantStatus(t, "fake pdf", resp, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, "内容与文件名不符") || !strings.Contains(body, `id="e-file"`) || !strings.Contains(body, `value="带假附件的登记表"`) {
				t.Fatal("422 page lacks the file message next to the file field, or lost the title")
			}
			if countDrafts("带假附件的登记表") != 0 {
				t.Fatal("a refused file left a half-saved draft")
			}
		})

		t.Run("submit with a bad file and an empty body", func(t *testing.T) {
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", url.Values{"do": {"submit"}, "title": {"带假附件提交"}, "category": {"finance"}},
				upload{"file", "表.xlsx", []byte("not a spreadsheet")})
			wantStatus(t, "bad file submit", resp, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, `id="e-file"`) || !strings.Contains(body, `id="e-body"`) {
				t.Fatal("not every problem is shown at once")
			}
			if countDrafts("带假附件提交") != 0 {
				t.Fatal("a refused file left a half-saved draft")
			}
		})

		t.Run("file over 20 MB", func(t *testing.T) {
			big := bytes.Repeat([]byte("0"), 21<<20)
			copy(big, pdfBytes)
			resp, body := h.postMultipart(clerk, "/s/xq/manage/new", url.Values{"do": {"save"}, "title": {"带大附件的登记表"}}, upload{"file", "大文件.pdf", big})
			wantStatus(t, "big file", resp, body, http.StatusRequestEntityTooLarge)
			if !strings.Contains(body, "20 MB") {
				t.Fatal("413 page does not say the limit")
			}
			if countDrafts("带大附件的登记表") != 0 {
				t.Fatal("a refused file left a half-saved draft")
			}
		})

		t.Run("edit a submitted item", func(t *testing.T) {
			resp, body := h.get(clerk, "/s/xq/manage/d/"+itoa64(h.submitted.ID)+"/edit")
			wantStatus(t, "edit submitted", resp, body, http.StatusConflict)
			resp, body = h.postMultipart(clerk, "/s/xq/manage/d/"+itoa64(h.submitted.ID)+"/edit", url.Values{"do": {"save"}, "title": {"改"}})
			wantStatus(t, "post edit submitted", resp, body, http.StatusConflict)
		})

		t.Run("upload and remove on the edit page", func(t *testing.T) {
			base := "/s/xq/manage/d/" + itoa64(h.draft.ID)
			resp, body := h.postMultipart(clerk, base+"/files", nil, upload{"file", "明细.pdf", pdfBytes})
			wantStatus(t, "upload", resp, body, http.StatusSeeOther)
			d, err := h.db.FindDisclosureByID(ctx, h.school.ID, h.draft.ID)
			must(t, err)
			if len(d.Attachments) != 1 {
				t.Fatalf("attachments after upload: %d", len(d.Attachments))
			}
			resp, body = h.postMultipart(clerk, base+"/files", nil, upload{"file", "明细（再次选择）.pdf", pdfBytes})
			wantStatus(t, "the same file again", resp, body, http.StatusSeeOther)
			if d, err := h.db.FindDisclosureByID(ctx, h.school.ID, h.draft.ID); err != nil || len(d.Attachments) != 1 {
				t.Fatalf("the same file uploaded twice: %d attachments, %v", len(d.Attachments), err)
			}
			resp, body = h.postMultipart(clerk, base+"/files", nil, upload{"file", "明细.pdf", []byte("plain text")})
			wantStatus(t, "bad upload", resp, body, http.StatusUnprocessableEntity)
			if !strings.Contains(body, "内容与文件名不符") {
				t.Fatal("bad upload lacks its message")
			}
			resp, body = h.post(clerk, base+"/files/"+itoa64(d.Attachments[0].ID)+"/delete", nil)
			wantStatus(t, "remove", resp, body, http.StatusSeeOther)
			d, err = h.db.FindDisclosureByID(ctx, h.school.ID, h.draft.ID)
			must(t, err)
			if len(d.Attachments) != 0 {
				t.Fatal("attachment not removed")
			}
		})
	})
}

func TestManage_Decisions(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := "/s/xq/manage/d/" + itoa64(h.submitted.ID)
		tests := []struct {
			name, who, action, comment string
			status                     int
			want                       string
		}{
			{"return without reason", "xq.leader", "return", "", http.StatusUnprocessableEntity, "请填写理由。"},
			{"comment without text", "xq.leader", "comment", "  ", http.StatusUnprocessableEntity, "请填写审议意见。"},
			{"approve by leader", "xq.leader", "approve", "我看可以", http.StatusForbidden, "我看可以"},
			{"publish while submitted", "xq.clerk", "publish", "", http.StatusConflict, "当前状态（待审议）"},
			{"check by clerk", "xq.clerk", "check", "", http.StatusForbidden, "审核通过"},
			{"unknown action", "xq.principal", "sign-everything", "", http.StatusNotFound, "页面不存在"},
			{"edit is not an action", "xq.clerk", "edit", "", http.StatusNotFound, "页面不存在"},
			{"parent", "xq.parent", "approve", "", http.StatusForbidden, ""},
			{"other school's principal", "other.principal", "approve", "", http.StatusForbidden, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(h.client(tt.who), item+"/act/"+tt.action, url.Values{"comment": {tt.comment}})
				wantStatus(t, tt.name, resp, body, tt.status)
				if !strings.Contains(body, tt.want) {
					t.Fatalf("page lacks %q", tt.want)
				}
			})
		}
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, h.submitted.ID)
		must(t, err)
		if d.State != gongkai.StateSubmitted {
			t.Fatalf("refused steps changed the state to %s", d.State)
		}
		// The return with a reason goes through, and the clerk sees why.
		resp, body := h.post(h.client("xq.leader"), item+"/act/return", url.Values{"comment": {"请补充收费依据文件"}})
		wantStatus(t, "return", resp, body, http.StatusSeeOther)
		_, body = h.get(h.client("xq.clerk"), item+"/edit")
		if !strings.Contains(body, "本表已被退回修改") || !strings.Contains(body, "请补充收费依据文件") {
			t.Fatal("edit form does not show the return reason")
		}
	})
}

func TestManage_Access(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := "/s/xq/manage/d/" + itoa64(h.draft.ID)
		tests := []struct {
			who, path string
			status    int
		}{
			{"xq.parent", "/s/xq/manage/", http.StatusForbidden},
			{"xq.staff", "/s/xq/manage/", http.StatusForbidden},
			{"xq.representative", "/s/xq/manage/", http.StatusForbidden},
			{"other.clerk", "/s/xq/manage/", http.StatusForbidden},
			{"nobody", "/s/xq/manage/", http.StatusForbidden},
			{"", "/s/xq/manage/", http.StatusSeeOther},
			{"xq.parent", item, http.StatusForbidden},
			{"xq.staff", item, http.StatusForbidden},
			{"other.clerk", item, http.StatusForbidden},
			{"xq.parent", "/s/xq/manage/new", http.StatusForbidden},
			{"xq.leader", "/s/xq/manage/new", http.StatusForbidden},
			{"xq.supervisor", item + "/edit", http.StatusForbidden},
			{"xq.clerk", "/s/xq/manage/", http.StatusOK},
			{"xq.leader", "/s/xq/manage/", http.StatusOK},
			{"xq.supervisor", item, http.StatusOK},
			{"bureau.inspector", "/s/xq/manage/", http.StatusOK},
			{"bureau.inspector", item, http.StatusOK},
			// An item of another school is not found through this school.
			{"xq.clerk", "/s/xq/manage/d/" + itoa64(h.otherItem.ID), http.StatusNotFound},
			{"xq.clerk", "/s/xq/manage/d/" + itoa64(h.otherItem.ID) + "/edit", http.StatusNotFound},
			{"xq.clerk", "/s/xq/manage/d/" + itoa64(h.otherItem.ID) + "/revise", http.StatusNotFound},
			{"xq.clerk", "/s/xq/manage/d/999999", http.StatusNotFound},
			{"xq.clerk", "/s/xq/manage/d/abc", http.StatusNotFound},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.who), tt.path)
			wantStatus(t, tt.who+" GET "+tt.path, resp, body, tt.status)
		}
		posts := []struct {
			who, path string
			status    int
		}{
			{"xq.parent", "/s/xq/manage/new", http.StatusForbidden},
			{"other.clerk", item + "/edit", http.StatusForbidden},
			{"xq.clerk", "/s/xq/manage/d/" + itoa64(h.otherItem.ID) + "/act/withdraw", http.StatusNotFound},
			{"bureau.inspector", item + "/act/submit", http.StatusForbidden},
		}
		for _, tt := range posts {
			resp, body := h.postMultipart(h.client(tt.who), tt.path, url.Values{"do": {"save"}, "title": {"越权"}, "comment": {"越权"}})
			wantStatus(t, tt.who+" POST "+tt.path, resp, body, tt.status)
		}
	})
}

func TestManage_List(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk := h.client("xq.clerk")
		resp, body := h.get(clerk, "/s/xq/manage/")
		wantStatus(t, "list", resp, body, 200)
		for _, want := range []string{h.draft.Title, h.submitted.Title, h.published[gongkai.AudienceStaff].Title, "填写登记表", "已发布"} {
			if !strings.Contains(body, want) {
				t.Fatalf("list lacks %q", want)
			}
		}
		_, body = h.get(clerk, "/s/xq/manage/?state=draft")
		if !strings.Contains(body, h.draft.Title) || strings.Contains(body, h.submitted.Title) {
			t.Fatal("draft tab shows the wrong items")
		}
		if !strings.Contains(body, `href="/s/xq/manage/?state=draft" aria-current="page"`) {
			t.Fatal("draft tab not marked current")
		}
		_, body = h.get(clerk, "/s/xq/manage/?q="+url.QueryEscape("收费"))
		if !strings.Contains(body, h.submitted.Title) || strings.Contains(body, h.draft.Title) {
			t.Fatal("search finds the wrong items")
		}
		// The leader may not create, so no button.
		_, body = h.get(h.client("xq.leader"), "/s/xq/manage/")
		if strings.Contains(body, "/s/xq/manage/new") {
			t.Fatal("leader sees the create button")
		}
	})
}

func TestManage_Revise(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.published[gongkai.AudiencePublic]
		base := "/s/xq/manage/d/" + itoa64(d.ID)
		clerk := h.client("xq.clerk")

		resp, body := h.get(clerk, base+"/revise")
		wantStatus(t, "revise form", resp, body, 200)
		if !strings.Contains(body, html.EscapeString(d.Body)) || !strings.Contains(body, `value="`+d.Title+`"`) {
			t.Fatal("revise form not prefilled with the current version")
		}
		resp, body = h.get(clerk, "/s/xq/manage/d/"+itoa64(h.draft.ID)+"/revise")
		wantStatus(t, "revise a draft", resp, body, http.StatusConflict)
		resp, body = h.get(h.client("xq.leader"), base+"/revise")
		wantStatus(t, "revise by leader", resp, body, http.StatusForbidden)

		newBody := "更正后的内容：合计金额为 12,300.00 元。"
		resp, body = h.postMultipart(clerk, base+"/revise", url.Values{"title": {d.Title}, "body": {newBody}, "comment": {""}})
		wantStatus(t, "revise without reason", resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "请填写修订理由。") || !strings.Contains(body, newBody) {
			t.Fatal("422 page lacks the message or lost the typed body")
		}
		resp, body = h.postMultipart(clerk, base+"/revise", url.Values{"title": {d.Title}, "body": {""}, "comment": {"更正"}})
		wantStatus(t, "revise with empty body", resp, body, http.StatusUnprocessableEntity)
		if !strings.Contains(body, "请填写公开内容。") {
			t.Fatal("422 page lacks the body message")
		}

		resp, body = h.postMultipart(clerk, base+"/revise", url.Values{"title": {d.Title}, "body": {newBody}, "comment": {"更正合计金额"}},
			upload{"file", "更正说明.pdf", pdfBytes})
		wantStatus(t, "revise", resp, body, http.StatusSeeOther)
		got, err := h.db.FindDisclosureByID(ctx, h.school.ID, d.ID)
		must(t, err)
		p := got.PendingRevision()
		if got.Version != 1 || got.Body != d.Body || p == nil || p.Body != newBody || len(p.Attachments) != 1 {
			t.Fatalf("after revise: version %d body %q pending %+v", got.Version, got.Body, p)
		}
		resp, body = h.get(h.client(""), "/s/xq/d/"+itoa64(d.ID))
		wantStatus(t, "public page", resp, body, 200)
		if strings.Contains(body, "12,300.00") || !strings.Contains(body, "修订审核中") {
			t.Fatal("public page shows the unsigned revision, or not the mark")
		}
		h.finishRevision(t, h.school, d.ID)
		_, body = h.get(h.client(""), "/s/xq/d/"+itoa64(d.ID))
		if !strings.Contains(body, "12,300.00") || !strings.Contains(body, "更正合计金额") {
			t.Fatal("public page does not show the published revision and its reason")
		}
	})
}

// groupOf returns the HTML of one group of the work page, "" when absent.
func groupOf(body, key string) string {
	i := strings.Index(body, `id="g-`+key+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, "</section>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func TestManage_Work(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		mk := func(title string, days int) *gongkai.Disclosure {
			d := &gongkai.Disclosure{Title: title, Body: title + "。", Category: "finance", Audience: gongkai.AudiencePublic, PublicityDays: days}
			must(t, h.db.CreateDisclosure(ctx, h.school.ID, h.actor("xq.clerk"), d))
			return d
		}
		approved := mk("已签发：食堂采购", 0)
		h.act(h.school, approved.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, approved.ID, "principal", gongkai.ActionApprove, "")
		checked := mk("已审核：绩效方案", 0)
		h.act(h.school, checked.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, checked.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, checked.ID, "supervisor", gongkai.ActionCheck, "")
		returned := mk("退回：校服费", 0)
		h.act(h.school, returned.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, returned.ID, "leader", gongkai.ActionReturn, "请附上物价部门批复")
		ending := mk("期满：资助名单", 2)
		h.act(h.school, ending.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, ending.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, ending.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, ending.ID, "clerk", gongkai.ActionPublish, "")

		type want struct {
			group string
			title string
		}
		tests := []struct {
			who     string
			in      []want
			absent  []string // groups that must not show
			contain []string
		}{
			{"xq.clerk", []want{{"drafts", h.draft.Title}, {"returned", returned.Title}, {"returned", "请附上物价部门批复"}, {"publish", checked.Title}, {"period", ending.Title}},
				[]string{"sign", "review", "check"}, nil},
			{"xq.principal", []want{{"sign", h.submitted.Title}, {"period", ending.Title}},
				[]string{"review", "check", "publish", "drafts", "returned"}, nil},
			{"xq.leader", []want{{"review", h.submitted.Title}},
				[]string{"sign", "check", "publish", "drafts", "period"}, nil},
			{"xq.supervisor", []want{{"check", approved.Title}},
				[]string{"sign", "review", "publish", "drafts", "period"}, nil},
			{"other.leader", nil, []string{"sign", "review", "check", "publish", "drafts", "period"}, []string{"暂无待办事项"}},
			{"xq.parent", nil, []string{"sign", "review"}, []string{`href="/s/xq/"`, "祥谦小学"}},
			{"xq.staff", nil, nil, []string{`href="/s/xq/internal/"`}},
			{"nobody", nil, nil, []string{`href="/join"`}},
			{"bureau.admin", nil, nil, []string{"青禾县教育局", "祥谦小学", "开物小学", `href="/s/xq/manage/?state=submitted"`}},
		}
		for _, tt := range tests {
			t.Run(tt.who, func(t *testing.T) {
				resp, body := h.get(h.client(tt.who), "/work")
				wantStatus(t, "work", resp, body, 200)
				for _, w := range tt.in {
					if g := groupOf(body, w.group); !strings.Contains(g, w.title) {
						t.Errorf("group %s lacks %q", w.group, w.title)
					}
				}
				for _, g := range tt.absent {
					if groupOf(body, g) != "" {
						t.Errorf("group %s shown", g)
					}
				}
				for _, c := range tt.contain {
					if !strings.Contains(body, c) {
						t.Errorf("page lacks %q", c)
					}
				}
				if tt.who != "other.leader" && strings.Contains(body, "暂无待办事项") && len(tt.in) > 0 {
					t.Error("says nothing waits")
				}
			})
		}
	})
}

// TestWork_principalFindsSchoolSetup: a principal who has just set a
// password lands on the workbench; the school's profile and its people,
// the next steps of setting a school up, are one tap away from it, and only
// for the one who may manage the school.
func TestWork_principalFindsSchoolSetup(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		links := []string{`href="/s/xq/manage/profile"`, `href="/s/xq/manage/members"`}
		resp, body := h.get(h.client("xq.principal"), "/work")
		wantStatus(t, "principal's work", resp, body, 200)
		for _, l := range links {
			if !strings.Contains(body, l) {
				t.Errorf("the principal's workbench lacks %s", l)
			}
		}
		resp, body = h.get(h.client("xq.clerk"), "/work")
		wantStatus(t, "clerk's work", resp, body, 200)
		for _, l := range links {
			if strings.Contains(body, l) {
				t.Errorf("the clerk's workbench offers %s", l)
			}
		}
	})
}
