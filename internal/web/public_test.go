package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// publishAs takes a draft of the school through the whole procedure, after
// edit has changed its form.
func (h *harness) publishWith(s *gongkai.School, title string, edit func(d *gongkai.Disclosure)) *gongkai.Disclosure {
	h.t.Helper()
	d := h.newDraft(s, title)
	if edit != nil {
		edit(d)
		_, err := h.db.UpdateDraft(context.Background(), s.ID, d.ID, h.actor(s.Slug+".clerk"), d)
		must(h.t, err)
	}
	h.act(s, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(s, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(s, d.ID, "supervisor", gongkai.ActionCheck, "")
	return h.act(s, d.ID, "clerk", gongkai.ActionPublish, "")
}

// attach stores a file on a draft and returns the attachment.
func (h *harness) attach(s *gongkai.School, d *gongkai.Disclosure, name string, data []byte) *gongkai.Attachment {
	h.t.Helper()
	ctx := context.Background()
	st, err := h.srv.blobs.Put(ctx, bytes.NewReader(data), name, gongkai.MaxAttachmentBytes)
	must(h.t, err)
	a := &gongkai.Attachment{Filename: name, ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
	must(h.t, h.db.AddAttachment(ctx, s.ID, d.ID, h.actor(s.Slug+".clerk"), a))
	// Stand-in files without text; these tests are not about the scan.
	must(h.t, h.db.SaveAttachmentScan(ctx, s.ID, a.SHA256, nil))
	return a
}

func itemPath(s *gongkai.School, d *gongkai.Disclosure) string {
	return fmt.Sprintf("/s/%s/d/%d", s.Slug, d.ID)
}

func TestPublic_boards(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		pub := h.published[gongkai.AudiencePublic].Title
		com := h.published[gongkai.AudienceCommunity].Title
		staff := h.published[gongkai.AudienceStaff].Title
		lead := h.published[gongkai.AudienceLeadership].Title
		tests := []struct {
			name, user, path string
			status           int
			want, notWant    []string
		}{
			{"anonymous sees public only", "", "/s/xq/", 200, []string{pub, "全部学校"}, []string{com, staff, lead, h.otherItem.Title, h.draft.Title, h.submitted.Title}},
			{"parent sees community", "xq.parent", "/s/xq/", 200, []string{pub, com}, []string{staff, lead, h.otherItem.Title}},
			{"parent of other school", "other.parent", "/s/xq/", 200, []string{pub}, []string{com}},
			{"other school's board", "", "/s/other/", 200, []string{h.otherItem.Title}, []string{pub}},
			{"staff internal board", "xq.staff", "/s/xq/internal/", 200, []string{staff, "校内公开栏"}, []string{pub, com, lead}},
			{"principal sees leadership", "xq.principal", "/s/xq/internal/", 200, []string{staff, lead}, []string{pub}},
			{"inspector internal board", "bureau.inspector", "/s/xq/internal/", 200, []string{staff, lead}, nil},
			{"parent internal board", "xq.parent", "/s/xq/internal/", 403, nil, []string{staff}},
			{"other staff internal board", "other.staff", "/s/xq/internal/", 403, nil, []string{staff}},
			{"category filter", "", "/s/xq/?cat=finance", 200, []string{pub, "<h1>财务管理</h1>", "<title>财务管理"}, nil},
			{"empty category", "", "/s/xq/?cat=aid", 200, []string{"本栏目暂无公开内容", "<h1>学生资助</h1>"}, []string{pub}},
			{"unknown category", "", "/s/xq/?cat=nope", 404, []string{"页面不存在或您无权查看"}, nil},
			{"year filter", "", fmt.Sprintf("/s/xq/?year=%d", time.Now().In(gongkai.Beijing).Year()), 200, []string{pub}, nil},
			{"other year", "", "/s/xq/?year=1999", 200, []string{"本栏目暂无公开内容"}, []string{pub}},
			{"bad page number", "", "/s/xq/?page=x", 200, []string{pub}, nil},
			{"absurd page number", "", "/s/xq/?page=9223372036854775807", 200, []string{"本栏目暂无公开内容"}, []string{pub}},
			{"absurd year", "", "/s/xq/?year=-7", 200, []string{pub}, []string{"-7年"}},
			{"unknown school", "", "/s/nope/", 404, []string{"页面不存在或您无权查看"}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.get(h.client(tt.user), tt.path)
				if resp.StatusCode != tt.status {
					t.Fatalf("%s as %q: %d, want %d", tt.path, tt.user, resp.StatusCode, tt.status)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s as %q: missing %q", tt.path, tt.user, w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(body, w) {
						t.Errorf("%s as %q: shows %q", tt.path, tt.user, w)
					}
				}
			})
		}
		// Signed out, the internal board asks to sign in.
		resp, _ := h.get(h.client(""), "/s/xq/internal/")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous internal board: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
}

func TestPublic_search(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.publishWith(h.school, "多媒体教学设备采购结果公示", nil)
		h.publishWith(h.school, "教职工绩效工资分配方案", func(d *gongkai.Disclosure) { d.Audience = gongkai.AudienceStaff })
		tests := []struct {
			user, path string
			want       []string
			notWant    []string
		}{
			{"", "/s/xq/?q=%E9%87%87%E8%B4%AD", []string{"多媒体教学设备<mark>采购</mark>结果公示", `value="采购"`, "共 1 条"}, []string{h.published[gongkai.AudiencePublic].Title}},
			{"", "/s/xq/?q=%E7%BB%A9%E6%95%88", []string{"没有找到与“绩效”相关的公开内容"}, []string{"教职工绩效工资分配方案"}},
			{"xq.staff", "/s/xq/internal/?q=%E7%BB%A9%E6%95%88", []string{"教职工<mark>绩效</mark>工资分配方案"}, nil},
			{"", "/s/other/?q=%E9%87%87%E8%B4%AD", []string{"没有找到与“采购”相关的公开内容"}, []string{"多媒体教学设备"}},
			{"", "/s/xq/?q=%22%3Cb%3E", []string{"没有找到与“&#34;&lt;b&gt;”相关的公开内容"}, []string{"“\"<b>”"}},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.user), tt.path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", tt.path, resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: missing %q", tt.path, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("%s: shows %q", tt.path, w)
				}
			}
		}
	})
}

func TestPublic_item(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		pub := h.published[gongkai.AudiencePublic]
		com := h.published[gongkai.AudienceCommunity]
		tests := []struct {
			name, user, path string
			status           int
			want             []string
			location         string
		}{
			{"public item", "", itemPath(h.school, pub), 200, []string{pub.Title, pub.IndexNo, "<th scope=\"row\">发布机构</th><td>青禾县祥谦小学</td>",
				"经领导小组审议 · 校长签发 · 监督小组审核 · " + pub.PublishedAt.Format("2006-01-02") + " 发布", "对外公开", "如有异议，请于", "0591-5550023"}, ""},
			{"other school's item here", "", itemPath(h.school, h.otherItem), 404, []string{"页面不存在或您无权查看"}, ""},
			{"other school's item at home", "", itemPath(h.other, h.otherItem), 200, []string{h.otherItem.Title}, ""},
			{"community anonymously", "", itemPath(h.school, com), 404, []string{"页面不存在或您无权查看"}, ""},
			{"community for a parent", "xq.parent", itemPath(h.school, com), 200, []string{com.Title, "校内公开"}, ""},
			{"community for another school's parent", "other.parent", itemPath(h.school, com), 404, nil, ""},
			{"staff item for a parent", "xq.parent", itemPath(h.school, h.published[gongkai.AudienceStaff]), 404, nil, ""},
			{"draft anonymously", "", itemPath(h.school, h.draft), 404, []string{"页面不存在或您无权查看"}, ""},
			{"draft for a parent", "xq.parent", itemPath(h.school, h.draft), 404, nil, ""},
			{"draft for the clerk", "xq.clerk", itemPath(h.school, h.draft), 303, nil, fmt.Sprintf("/s/xq/manage/d/%d", h.draft.ID)},
			{"submitted for the inspector", "bureau.inspector", itemPath(h.school, h.submitted), 303, nil, fmt.Sprintf("/s/xq/manage/d/%d", h.submitted.ID)},
			{"draft for another school's clerk", "other.clerk", itemPath(h.school, h.draft), 404, nil, ""},
			{"malformed id", "", "/s/xq/d/abc", 404, nil, ""},
			{"unknown id", "", "/s/xq/d/999999", 404, nil, ""},
			{"current version page", "", itemPath(h.school, pub) + "/v/1", 200, []string{pub.Title}, ""},
			{"unknown version", "", itemPath(h.school, pub) + "/v/2", 404, nil, ""},
			{"malformed version", "", itemPath(h.school, pub) + "/v/x", 404, nil, ""},
			{"version of a community item", "", itemPath(h.school, com) + "/v/1", 404, nil, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.get(h.client(tt.user), tt.path)
				if resp.StatusCode != tt.status {
					t.Fatalf("%s as %q: %d, want %d", tt.path, tt.user, resp.StatusCode, tt.status)
				}
				if tt.location != "" && resp.Header.Get("Location") != tt.location {
					t.Errorf("redirect to %q, want %q", resp.Header.Get("Location"), tt.location)
				}
				for _, w := range tt.want {
					if !strings.Contains(body, w) {
						t.Errorf("%s as %q: missing %q", tt.path, tt.user, w)
					}
				}
			})
		}
	})
}

func TestPublic_countdown(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		pub := h.published[gongkai.AudiencePublic]
		cal, err := h.db.Calendar(ctx, h.bureau.RegionCode)
		must(t, err)
		// Published today for 5 working days: 4 or 5 left after today (the
		// one wording: today is not counted, 今日到期 on the last day).
		left := gongkai.CountdownAt(cal, pub.PublicityEnd, time.Now())
		if left.State != gongkai.CountdownLeft || left.Days < 4 || left.Days > 5 {
			t.Fatalf("expectation out of range: %+v", left)
		}
		_, body := h.get(h.client(""), itemPath(h.school, pub))
		for _, w := range []string{
			left.String(),
			pub.PublicityStart.Format("2006-01-02") + " 至 " + pub.PublicityEnd.Format("2006-01-02"),
			fmt.Sprintf("如有异议，请于 %d年%d月%d日前", pub.PublicityEnd.Year(), pub.PublicityEnd.Month(), pub.PublicityEnd.Day()),
		} {
			if !strings.Contains(body, w) {
				t.Errorf("item page: missing %q", w)
			}
		}
		_, body = h.get(h.client(""), "/s/xq/")
		if want := "公示中 · " + left.String(); !strings.Contains(body, want) {
			t.Errorf("board: missing %q", want)
		}
		_, body = h.get(h.client(""), "/")
		for _, w := range []string{"青禾县教育局", "祥谦小学", "青禾县祥谦小学", `href="/s/other/"`, "公示中 1 项"} {
			if !strings.Contains(body, w) {
				t.Errorf("home: missing %q", w)
			}
		}
	})
}

func TestPublic_withdrawnAndRevised(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		w := h.publishWith(h.school, "校舍维修资金使用情况公示", nil)
		h.act(h.school, w.ID, "principal", gongkai.ActionWithdraw, "数据有误，另行公布")
		for _, path := range []string{"/s/xq/", itemPath(h.school, w)} {
			resp, body := h.get(h.client(""), path)
			if resp.StatusCode != 200 || !strings.Contains(body, "已撤回") || !strings.Contains(body, "数据有误，另行公布") {
				t.Errorf("%s: %d, withdrawn item without its reason", path, resp.StatusCode)
			}
		}

		r := h.publishWith(h.school, "2026年春季收费标准公示", nil)
		h.revise(t, h.school, r.ID, "更正住宿费金额", &store.Revision{Title: "2026年春季收费标准公示（更正）", Body: "住宿费每学期 ¥400.00 元。"})
		_, body := h.get(h.client(""), itemPath(h.school, r))
		for _, want := range []string{"2026年春季收费标准公示（更正）", "住宿费每学期", "已修订 1 次", "第 2 版", "更正住宿费金额",
			fmt.Sprintf(`href="/s/xq/d/%d/v/1"`, r.ID)} {
			if !strings.Contains(body, want) {
				t.Errorf("revised item: missing %q", want)
			}
		}
		resp, body := h.get(h.client(""), itemPath(h.school, r)+"/v/1")
		if resp.StatusCode != 200 {
			t.Fatalf("old version: %d", resp.StatusCode)
		}
		for _, want := range []string{"这是第 1 版（已被修订）。", "查看最新版本", r.Body} {
			if !strings.Contains(body, want) {
				t.Errorf("old version: missing %q", want)
			}
		}
		if strings.Contains(body, "住宿费每学期") || strings.Contains(body, "如有异议") {
			t.Errorf("old version shows the current text or the objection box")
		}
		_, body = h.get(h.client(""), "/s/xq/")
		if !strings.Contains(body, "已修订") {
			t.Errorf("board does not hint at the revision")
		}
	})
}

func TestPublic_escapesTitles(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.publishWith(h.school, `<script>alert("x")</script>通知`, func(d *gongkai.Disclosure) {
			d.Body = "正文<script>alert(1)</script>[链接](javascript:alert(2))"
		})
		for _, path := range []string{"/s/xq/", itemPath(h.school, d)} {
			_, body := h.get(h.client(""), path)
			// The one script of the site is its own file, the print button's.
			body = strings.Replace(body, `<script src="`+h.srv.static.url("print.js")+`" defer></script>`, "", 1)
			if strings.Contains(body, "<script") || strings.Contains(body, "javascript:") {
				t.Errorf("%s: unescaped script", path)
			}
			if !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;通知") {
				t.Errorf("%s: escaped title missing", path)
			}
		}
	})
}

func TestPublic_pagination(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		s := &gongkai.School{BureauID: h.bureau.ID, Slug: "many", Name: "多事小学", Code: "3501210009"}
		must(t, h.db.CreateSchool(ctx, s, []string{"办公室"}))
		u := &gongkai.User{Username: "many.clerk", DisplayName: "经办人"}
		must(t, h.db.CreateMember(ctx, s.ID, u, "x", []gongkai.Role{gongkai.RoleClerk, gongkai.RolePrincipal, gongkai.RoleSupervisor}, 0))
		a, err := h.db.LoadActor(ctx, u.ID)
		must(t, err)
		for i := 1; i <= 25; i++ {
			d := &gongkai.Disclosure{Title: fmt.Sprintf("第%02d号公示", i), Body: "内容", Category: "finance", Audience: gongkai.AudiencePublic}
			must(t, h.db.CreateDisclosure(ctx, s.ID, a, d))
			for _, act := range []gongkai.Action{gongkai.ActionSubmit, gongkai.ActionApprove, gongkai.ActionCheck, gongkai.ActionPublish} {
				_, err := h.db.Act(ctx, s.ID, d.ID, a, act, "", nil)
				must(t, err)
			}
		}
		rows := regexp.MustCompile(`href="/s/many/d/\d+"`)
		tests := []struct {
			path        string
			rows        int
			first, last string
		}{
			{"/s/many/", 20, "第25号公示", "第06号公示"},
			{"/s/many/?page=2", 5, "第05号公示", "第01号公示"},
			{"/s/many/?page=3", 0, "", ""},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(""), tt.path)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d", tt.path, resp.StatusCode)
			}
			if n := len(rows.FindAllString(body, -1)); n != tt.rows {
				t.Errorf("%s: %d rows, want %d", tt.path, n, tt.rows)
			}
			if tt.first != "" && (!strings.Contains(body, tt.first) || !strings.Contains(body, tt.last)) {
				t.Errorf("%s: missing %s or %s", tt.path, tt.first, tt.last)
			}
		}
		_, body := h.get(h.client(""), "/s/many/")
		if !strings.Contains(body, `href="/s/many/?page=2"`) || !strings.Contains(body, `aria-current="page"><span class="visually-hidden">第 1 页</span>`) {
			t.Errorf("page 1 has no link to page 2 or does not mark itself")
		}
		_, body = h.get(h.client(""), "/s/many/?cat=finance&page=2")
		if !strings.Contains(body, `href="/s/many/?cat=finance"`) {
			t.Errorf("pager drops the category filter")
		}
	})
}

func TestPublic_attachments(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		pdf := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
		var xlsx bytes.Buffer
		zw := zip.NewWriter(&xlsx)
		for _, name := range []string{"[Content_Types].xml", "xl/workbook.xml"} {
			f, _ := zw.Create(name)
			f.Write([]byte("<x/>"))
		}
		must(t, zw.Close())

		d := h.newDraft(h.school, "2026年春季学期收费公示")
		pa := h.attach(h.school, d, "收费标准 2026.pdf", pdf)
		xa := h.attach(h.school, d, "明细.xlsx", xlsx.Bytes())
		draftPath := fmt.Sprintf("/s/xq/files/%d/x.pdf", pa.ID)
		if resp, _ := h.get(h.client(""), draftPath); resp.StatusCode != 404 {
			t.Errorf("file of a draft anonymously: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.supervisor"), draftPath); resp.StatusCode != 200 {
			t.Errorf("file of a draft for the supervisor: %d", resp.StatusCode)
		}
		for _, a := range []gongkai.Action{gongkai.ActionSubmit} {
			h.act(h.school, d.ID, "clerk", a, "")
		}
		h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")

		_, body := h.get(h.client(""), itemPath(h.school, d))
		if !strings.Contains(body, fmt.Sprintf(`href="/s/xq/files/%d/%s"`, pa.ID, "%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86%202026.pdf")) || !strings.Contains(body, "明细.xlsx") {
			t.Errorf("item page does not list its files")
		}
		tests := []struct {
			name, user, path string
			status           int
			ctype, disp      string
		}{
			{"pdf inline", "", fmt.Sprintf("/s/xq/files/%d/a.pdf", pa.ID), 200, "application/pdf",
				`inline; filename="____ 2026.pdf"; filename*=UTF-8''%E6%94%B6%E8%B4%B9%E6%A0%87%E5%87%86%202026.pdf`},
			{"xlsx download", "", fmt.Sprintf("/s/xq/files/%d/b.xlsx", xa.ID), 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				`attachment; filename="__.xlsx"; filename*=UTF-8''%E6%98%8E%E7%BB%86.xlsx`},
			{"through the other school", "", fmt.Sprintf("/s/other/files/%d/a.pdf", pa.ID), 404, "", ""},
			{"unknown file", "", "/s/xq/files/999999/a.pdf", 404, "", ""},
			{"malformed id", "", "/s/xq/files/x/a.pdf", 404, "", ""},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.user), tt.path)
			if resp.StatusCode != tt.status {
				t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.status)
				continue
			}
			if tt.status != 200 {
				continue
			}
			if resp.Header.Get("Content-Type") != tt.ctype || resp.Header.Get("Content-Disposition") != tt.disp || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s: type %q disposition %q nosniff %q", tt.name, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), resp.Header.Get("X-Content-Type-Options"))
			}
			if tt.ctype == "application/pdf" && body != string(pdf) {
				t.Errorf("%s: wrong bytes", tt.name)
			}
		}

		// A file of a community item is not there for anonymous readers.
		c := h.newDraft(h.school, "家长会通知")
		c.Audience = gongkai.AudienceCommunity
		_, err := h.db.UpdateDraft(ctx, h.school.ID, c.ID, h.actor("xq.clerk"), c)
		must(t, err)
		ca := h.attach(h.school, c, "通知.pdf", pdf)
		h.act(h.school, c.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, c.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, c.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, c.ID, "clerk", gongkai.ActionPublish, "")
		path := fmt.Sprintf("/s/xq/files/%d/a.pdf", ca.ID)
		if resp, _ := h.get(h.client(""), path); resp.StatusCode != 404 {
			t.Errorf("community file anonymously: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.parent"), path); resp.StatusCode != 200 {
			t.Errorf("community file for a parent: %d", resp.StatusCode)
		}
	})
}

func TestPublic_aidRosterPrivacy(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		d := h.newDraft(h.school, "2026年春季学期国家助学金受助学生名单公示")
		d.Category, d.Body = "aid", "| 姓名 | 班级 | 金额 |\n| --- | --- | --- |\n| 王小明 | 三(2)班 | ¥500.00 |"
		_, err := h.db.UpdateDraft(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), d)
		must(t, err)
		a := h.attach(h.school, d, "名单.pdf", []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"))
		h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
		file := fmt.Sprintf("/s/xq/files/%d/a.pdf", a.ID)

		// In the period the roster is there for everyone.
		if _, body := h.get(h.client(""), itemPath(h.school, d)); !strings.Contains(body, "王小明") {
			t.Fatalf("roster not shown during its period")
		}
		// The period ends and the item closes.
		h.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 30) }
		_, err = h.db.CloseEndedPeriods(ctx)
		h.db.Now = time.Now
		must(t, err)
		// Everyone sees the notice instead of the people; staff of the
		// procedure and the bureau are offered the audit, the file is gone
		// for all (roster_test.go covers the audit itself).
		tests := []struct {
			user  string
			audit bool
		}{
			{"", false},
			{"xq.parent", false},
			{"xq.staff", false},
			{"xq.clerk", true},
			{"xq.supervisor", true},
			{"bureau.inspector", true},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.user), itemPath(h.school, d))
			if resp.StatusCode != 200 || !strings.Contains(body, d.Title) {
				t.Errorf("%q: item page %d", tt.user, resp.StatusCode)
			}
			if strings.Contains(body, "王小明") {
				t.Errorf("%q: roster shown after its period", tt.user)
			}
			if !strings.Contains(body, "公示期满撤下") {
				t.Errorf("%q: no takedown notice", tt.user)
			}
			if got := strings.Contains(body, "/audit"); got != tt.audit {
				t.Errorf("%q: audit link %v, want %v", tt.user, got, tt.audit)
			}
			if resp, body := h.get(h.client(tt.user), file); resp.StatusCode != http.StatusGone || !strings.Contains(body, "公示期满撤下") || strings.Contains(body, "王小明") {
				t.Errorf("%q: file %d, want 410 with the notice", tt.user, resp.StatusCode)
			}
		}
	})
}

func TestPublic_catalogue(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		tests := []struct {
			user    string
			want    []string
			notWant []string
		}{
			{"", []string{"校务公开目录", "月度财务收支报表", `data-label="频次/时限"`, "每月5日前公布上月报表", "《中小学校财务制度》", `href="/s/xq/?cat=finance"`}, []string{`href="/s/xq/internal/?cat=evaluation"`}},
			{"xq.staff", []string{`href="/s/xq/internal/?cat=evaluation"`}, nil},
		}
		for _, tt := range tests {
			resp, body := h.get(h.client(tt.user), "/s/xq/catalogue")
			if resp.StatusCode != 200 {
				t.Fatalf("catalogue: %d", resp.StatusCode)
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("%q: missing %q", tt.user, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(body, w) {
					t.Errorf("%q: shows %q", tt.user, w)
				}
			}
		}
		if resp, _ := h.get(h.client(""), "/s/nope/catalogue"); resp.StatusCode != 404 {
			t.Errorf("catalogue of an unknown school: %d", resp.StatusCode)
		}
	})
}

func TestPublic_docViewOfDraft(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		// The review page renders a draft with the same partial; it must
		// work before publication.
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, h.submitted.ID)
		must(t, err)
		req, _ := http.NewRequest("GET", "/s/xq/manage/d/1", nil)
		b := h.srv.base(req, d.Title)
		b.Actor, b.School = h.actor("xq.leader"), h.school
		v, err := h.srv.newDocView(context.Background(), &b, h.school, d)
		must(t, err)
		var buf bytes.Buffer
		if err := h.srv.pages.pages["disclosure"].ExecuteTemplate(&buf, "doc", v); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, w := range []string{"发布时生成", d.Title, "尚未公开", "自发布之日起 5 个工作日"} {
			if !strings.Contains(out, w) {
				t.Errorf("draft view: missing %q", w)
			}
		}
		if strings.Contains(out, "经领导小组审议") {
			t.Errorf("draft view claims a review that has not happened")
		}
	})
}
