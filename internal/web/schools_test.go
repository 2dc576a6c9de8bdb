package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func schoolForm(slug, name, code, credit, stage, phone string) url.Values {
	return url.Values{"slug": {slug}, "name": {name}, "full_name": {"青禾县" + name}, "code": {code}, "credit_code": {credit},
		"stage": {stage}, "address": {"青禾县新街1号"}, "phone": {phone}}
}

func TestSchoolsPages_list(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		resp, body := h.get(h.client("bureau.admin"), "/bureau/schools")
		if resp.StatusCode != 200 || !strings.Contains(body, "祥谦小学") || !strings.Contains(body, "开物小学") ||
			!strings.Contains(body, `href="/bureau/schools/new"`) || !strings.Contains(body, `href="/s/xq/manage/members"`) || !strings.Contains(body, `href="/s/xq/"`) {
			t.Fatalf("admin's list: %d", resp.StatusCode)
		}
		resp, body = h.get(h.client("bureau.inspector"), "/bureau/schools")
		if resp.StatusCode != 200 || !strings.Contains(body, "祥谦小学") || strings.Contains(body, "/bureau/schools/new") || strings.Contains(body, `action="/bureau/schools/import"`) {
			t.Fatalf("inspector's list: %d, or with the administrator's buttons", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.principal"), "/bureau/schools"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a principal opened the bureau's list: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("bureau.inspector"), "/bureau/schools", schoolForm("yuanba", "元坝小学", "3136003305", "", "小学", "")); resp.StatusCode != http.StatusForbidden {
			t.Errorf("an inspector created a school: %d", resp.StatusCode)
		}
	})
}

func TestSchoolsPages_createAndBadInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("bureau.admin")
		tests := []struct {
			name   string
			form   url.Values
			status int
			field  string
			msg    string
		}{
			{"duplicate slug", schoolForm("xq", "元坝小学", "3136003305", "", "小学", ""), http.StatusConflict, "slug", "网址名“xq”已被祥谦小学使用"},
			{"duplicate code", schoolForm("yuanba", "元坝小学", "3501210001", "", "小学", ""), http.StatusConflict, "code", "学校标识码 3501210001 已登记为祥谦小学"},
			{"wrong check character", schoolForm("yuanba", "元坝小学", "3136003305", "91110108551385082R", "小学", ""), http.StatusUnprocessableEntity, "credit_code", "校验位不对"},
			{"phone with letters", schoolForm("yuanba", "元坝小学", "3136003305", "", "小学", "0598-TEL-268"), http.StatusUnprocessableEntity, "phone", "监督电话只能包含数字"},
			{"code of nine digits", schoolForm("yuanba", "元坝小学", "313600330", "", "小学", ""), http.StatusUnprocessableEntity, "code", "10 位数字"},
			{"no stage", schoolForm("yuanba", "元坝小学", "3136003305", "", "", ""), http.StatusUnprocessableEntity, "stage", "请选择学段"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(c, "/bureau/schools", tt.form)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
				}
				text := html.UnescapeString(body)
				field := regexp.MustCompile(`(?s)<div class="field has-error"><label for="f-` + tt.field + `">.*?<p class="error">([^<]*)</p>`).FindStringSubmatch(text)
				if field == nil || !strings.Contains(field[1], tt.msg) {
					t.Fatalf("no message %q on field %s", tt.msg, tt.field)
				}
				if !strings.Contains(text, `value="`+tt.form.Get("address")+`"`) {
					t.Error("the form lost the user's input")
				}
			})
		}
		if _, err := h.db.FindSchoolBySlug(ctx, "yuanba"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("a refused school was saved: %v", err)
		}

		resp, _ := h.post(c, "/bureau/schools", schoolForm("yuanba", "元坝小学", "3136003305", "91110108551385082Q", "小学", "0598-5550268"))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		s, err := h.db.FindSchoolBySlug(ctx, "yuanba")
		if err != nil || s.CreditCode != "91110108551385082Q" || s.Stage != "小学" || s.FullName != "青禾县元坝小学" {
			t.Fatalf("saved %+v %v", s, err)
		}
		// At once: the catalogue, the obligations, the log.
		if cat, _ := h.db.FindCatalogue(ctx, s.ID); len(cat) < len(gongkai.DefaultCatalogue) {
			t.Errorf("catalogue of %d items", len(cat))
		}
		if obs, _ := h.db.FindObligations(ctx, s.ID, store.ObligationFilter{}); len(obs) == 0 {
			t.Error("no obligations at once")
		}
		resp, body := h.get(h.client("bureau.admin"), "/s/yuanba/obligations")
		if resp.StatusCode != 200 || !strings.Contains(body, "月度财务收支") {
			t.Errorf("the new school's calendar is empty: %d", resp.StatusCode)
		}
		log, _, _ := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID})
		if len(log) != 1 || log[0].Action != gongkai.AdminSchoolCreated || log[0].ActorName != h.users["bureau.admin"].DisplayName {
			t.Fatalf("admin log %+v", log)
		}
		// On the public list at once.
		if _, body := h.get(h.client(""), "/"); !strings.Contains(body, "元坝小学") {
			t.Error("the new school is not on the home page")
		}
	})
}

func TestSchoolsPages_editDeactivateReactivate(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("bureau.admin")
		resp, body := h.get(c, "/bureau/schools/xq")
		if resp.StatusCode != 200 || !strings.Contains(body, `value="3501210001"`) || !strings.Contains(body, "停用学校") {
			t.Fatalf("edit page: %d", resp.StatusCode)
		}
		form := schoolForm("xq", "祥谦小学", "3501210001", "9144030071526726XG", "小学", "0591-5550024")
		form.Set("full_name", "青禾县祥谦小学")
		form.Set("address", "")
		resp, _ = h.post(c, "/bureau/schools/xq", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("update: %d", resp.StatusCode)
		}
		log, _, _ := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: h.school.ID, Action: gongkai.AdminSchoolUpdated})
		if len(log) != 1 || log[0].Detail != "统一社会信用代码：（空） → 9144030071526726XG\n学段：（空） → 小学\n监督电话：0591-5550023 → 0591-5550024" {
			t.Fatalf("admin log %+v", log)
		}
		// The new phone reaches the public pages at once (their cache is dropped).
		if _, body := h.get(h.client(""), fmt.Sprintf("/s/xq/d/%d", h.published[gongkai.AudiencePublic].ID)); !strings.Contains(body, "0591-5550024") {
			t.Error("the public item does not show the new phone")
		}
		// Another school's code: 409 with the field.
		form.Set("code", "3501210002")
		if resp, body := h.post(c, "/bureau/schools/xq", form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "已登记为开物小学") {
			t.Errorf("duplicate code on edit: %d", resp.StatusCode)
		}
		// Another bureau's administrator does not see the school.
		far := &gongkai.Bureau{Name: "邻县教育局"}
		must(t, h.db.CreateBureau(ctx, far))
		u := &gongkai.User{Username: "far.admin", DisplayName: "邻县管理员", BureauID: far.ID, BureauRole: gongkai.RoleBureauAdmin}
		must(t, h.db.CreateUser(ctx, u, "x"))
		h.users["far.admin"] = u
		if resp, _ := h.get(h.client("far.admin"), "/bureau/schools/xq"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another bureau's administrator: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("far.admin"), "/bureau/schools/xq/deactivate", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another bureau's administrator deactivated: %d", resp.StatusCode)
		}

		// Deactivation asks for the confirmation.
		if resp, body := h.post(c, "/bureau/schools/xq/deactivate", url.Values{"reason": {"撤并"}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请勾选确认后再停用。") {
			t.Fatalf("deactivate without confirmation: %d", resp.StatusCode)
		}
		if s, _ := h.db.FindSchoolBySlug(ctx, "xq"); !s.Active() {
			t.Fatal("deactivated without confirmation")
		}
		resp, _ = h.post(c, "/bureau/schools/xq/deactivate", url.Values{"reason": {"撤并到开物小学"}, "confirm": {"yes"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", resp.StatusCode)
		}
		anon := h.client("")
		if _, body := h.get(anon, "/"); strings.Contains(body, "祥谦小学") || !strings.Contains(body, "开物小学") {
			t.Error("the home page still lists the deactivated school")
		}
		status, text, _ := h.apiCall(t, "GET", "/api/v1/schools", "", nil)
		if status != 200 || strings.Contains(text, `"xq"`) || !strings.Contains(text, `"other"`) {
			t.Errorf("GET /api/v1/schools: %d %s", status, text)
		}
		resp, body = h.get(anon, "/s/xq/")
		if resp.StatusCode != 200 || !strings.Contains(body, "已于") || !strings.Contains(body, "停用。本栏内容仍可查阅") || strings.Contains(body, "feedback/new?kind=opinion") {
			t.Errorf("board of the deactivated school: %d", resp.StatusCode)
		}
		resp, body = h.get(anon, fmt.Sprintf("/s/xq/d/%d", h.published[gongkai.AudiencePublic].ID))
		if resp.StatusCode != 200 || strings.Contains(body, "在线提交异议") {
			t.Errorf("an item of the deactivated school still takes objections: %d", resp.StatusCode)
		}
		if resp, body := h.get(anon, "/s/xq/feedback/new?kind=opinion"); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "不再受理") {
			t.Errorf("feedback form of a deactivated school: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.clerk"), "/s/xq/manage/new"); resp.StatusCode != http.StatusConflict {
			t.Errorf("new item form of a deactivated school: %d", resp.StatusCode)
		}
		_, body = h.get(c, "/bureau/schools")
		body = body[strings.Index(body, "<table"):]
		if i, j := strings.Index(body, "开物小学"), strings.Index(body, "祥谦小学"); i < 0 || j < i || !strings.Contains(body, "已停用") {
			t.Error("the bureau's list does not show the deactivated school last, marked 已停用")
		}

		resp, _ = h.post(c, "/bureau/schools/xq/reactivate", url.Values{"confirm": {"yes"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reactivate: %d", resp.StatusCode)
		}
		if _, body := h.get(anon, "/"); !strings.Contains(body, "祥谦小学") {
			t.Error("the reactivated school is not listed")
		}
		if resp, body := h.post(c, "/bureau/schools/xq/reactivate", url.Values{"confirm": {"yes"}}); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "没有停用") {
			t.Errorf("reactivated twice: %d", resp.StatusCode)
		}
		all, _, _ := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: h.school.ID})
		var actions []string
		for _, e := range all {
			actions = append(actions, string(e.Action))
		}
		if strings.Join(actions, " ") != "school.reactivated school.deactivated school.updated" {
			t.Errorf("admin log actions: %v", actions)
		}
	})
}

func TestSchoolsPages_importRoundTrip(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			// A county with two schools, one with its principal.
			h1 := newHarness(t, testdb.New(t, dialect))
			b1 := &gongkai.Bureau{Name: "远山县教育局"}
			must(t, h1.db.CreateBureau(ctx, b1))
			a1 := &gongkai.User{Username: "yuanshan.admin", DisplayName: "远山县管理员", BureauID: b1.ID, BureauRole: gongkai.RoleBureauAdmin}
			must(t, h1.db.CreateUser(ctx, a1, "x"))
			h1.users["yuanshan.admin"] = a1
			admin1, _ := h1.db.LoadActor(ctx, a1.ID)
			_, err := h1.db.ImportSchools(ctx, admin1, b1.ID, []gongkai.SchoolListRow{
				{Row: 2, School: gongkai.School{Slug: "yuanba", Name: "元坝镇中心小学", FullName: "远山县元坝镇中心小学", Code: "3136003305",
					CreditCode: "91110108551385082Q", Stage: "小学", Address: "元坝镇新街12号", Phone: "0598-5550268"}, PrincipalName: "马俊杰", PrincipalUsername: "yuanba.head"},
				{Row: 3, School: gongkai.School{Slug: "pingan", Name: "平安职业技术学校", Code: "0136004401", Stage: "中等职业学校", Phone: "0598-5550023、13812345678"}},
			}, "")
			must(t, err)
			resp, data := h1.get(h1.client("yuanshan.admin"), "/bureau/schools.xlsx")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType {
				t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}

			// Imported into a fresh bureau of another database.
			h2 := newHarness(t, testdb.New(t, dialect))
			b2 := &gongkai.Bureau{Name: "远山县教育局"}
			must(t, h2.db.CreateBureau(ctx, b2))
			a2 := &gongkai.User{Username: "yuanshan.admin", DisplayName: "远山县管理员", BureauID: b2.ID, BureauRole: gongkai.RoleBureauAdmin}
			must(t, h2.db.CreateUser(ctx, a2, "x"))
			h2.users["yuanshan.admin"] = a2
			c := h2.client("yuanshan.admin")
			resp, body := h2.upload(c, "/bureau/schools/import", []byte(data))
			if resp.StatusCode != 200 || !strings.Contains(body, "没有发现问题") || !strings.Contains(body, "新建账号") {
				t.Fatalf("preview: %d %s", resp.StatusCode, body)
			}
			if s, _ := h2.db.FindSchools(ctx, b2.ID); len(s) != 0 {
				t.Fatal("the preview imported")
			}
			token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(body)
			sum := regexp.MustCompile(`name="sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
			if token == nil || sum == nil {
				t.Fatal("the preview has no confirmation")
			}
			resp, body = h2.post(c, "/bureau/schools/import/confirm", url.Values{"token": {token[1]}, "sha256": {sum[1]}})
			if resp.StatusCode != 200 || !strings.Contains(body, "已新建 2 所学校") || !strings.Contains(body, `href="/s/yuanba/manage/members"`) || !strings.Contains(body, "待设置密码") {
				t.Fatalf("confirm: %d %s", resp.StatusCode, body)
			}
			got, _ := h2.db.FindSchools(ctx, b2.ID)
			want, _ := h1.db.FindSchools(ctx, b1.ID)
			if len(got) != len(want) {
				t.Fatalf("%d schools, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := *got[i], *want[i]
				if g.Slug != w.Slug || g.Name != w.Name || g.FullName != w.FullName || g.Code != w.Code || g.CreditCode != w.CreditCode ||
					g.Stage != w.Stage || g.Address != w.Address || g.Phone != w.Phone {
					t.Errorf("school %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
			p1, _ := h1.db.FindPrincipals(ctx, b1.ID)
			p2, _ := h2.db.FindPrincipals(ctx, b2.ID)
			if p2[got[0].ID] != p1[want[0].ID] || p2[got[0].ID][1] != "yuanba.head" {
				t.Errorf("principals %v, want %v", p2, p1)
			}
			// The same confirmation again imports nothing twice.
			if resp, _ := h2.post(c, "/bureau/schools/import/confirm", url.Values{"token": {token[1]}, "sha256": {sum[1]}}); resp.StatusCode != http.StatusConflict {
				t.Errorf("second confirmation: %d", resp.StatusCode)
			}
			log, total, _ := h2.db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: b2.ID, Action: gongkai.AdminSchoolsImported})
			if total != 2 || log[0].ActorName != "远山县管理员" {
				t.Errorf("admin log %d %+v", total, log)
			}
		})
	}
}

// sheetOf builds a school list.
func sheetOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if strings.HasPrefix(v, "=") {
				must(t, f.SetCellFormula("Sheet1", cell, v[1:]))
				continue
			}
			must(t, f.SetCellStr("Sheet1", cell, v))
		}
	}
	var buf bytes.Buffer
	must(t, f.Write(&buf))
	return buf.Bytes()
}

var listHeader = []string{"学校名称", "学校标识码", "统一社会信用代码", "网址名", "学段", "地址", "监督电话", "校长姓名", "校长用户名"}

func TestSchoolsPages_importRefused(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("bureau.admin")
		data := sheetOf(t, [][]string{listHeader,
			{"元坝小学", "3136003305", "", "yuanba", "小学", "", "0598-5550268", "马俊杰", "yuanba.head"},
			{"平安职校", "3136004401", "", "pingan", "中等职业学校", "", "", "", ""},
			{"翠屏小学", "3501210001", "", "cuiping", "小学", "", "", "", ""},
			{"石门小学", "3136005501", "91110108551385082R", "shimen", "小学", "", "0598-ABC", "", ""},
		})
		resp, body := h.upload(c, "/bureau/schools/import", data)
		text := html.UnescapeString(body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("preview with errors: %d", resp.StatusCode)
		}
		for _, want := range []string{
			"第4行 B列 “学校标识码”：学校标识码 3501210001 已登记为祥谦小学，请核对。",
			"第5行 C列 “统一社会信用代码”：统一社会信用代码的校验位不对，请核对最后一位。",
			"第5行 G列 “监督电话”：监督电话只能包含数字",
			"元坝小学", "平安职校", // every row is listed
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the preview lacks %q", want)
			}
		}
		if strings.Contains(body, `name="token"`) {
			t.Error("a preview with errors offers to import")
		}
		if s, _ := h.db.FindSchools(ctx, h.bureau.ID); len(s) != 2 {
			t.Errorf("%d schools after a refused preview", len(s))
		}
		if _, _, err := h.db.FindUserForLogin(ctx, "yuanba.head"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Error("a principal was created from a refused list")
		}
		// A formula, and 10,000 rows, are refused before any preview.
		formula := sheetOf(t, [][]string{listHeader, {"元坝小学", "=3136003305+0", "", "yuanba", "小学"}})
		if resp, body := h.upload(c, "/bureau/schools/import", formula); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "第2行 B列：单元格含有公式") {
			t.Errorf("formula: %d", resp.StatusCode)
		}
		big := [][]string{listHeader}
		for i := 0; i < 10000; i++ {
			big = append(big, []string{fmt.Sprintf("第%d小学", i), fmt.Sprintf("37%08d", i), "", fmt.Sprintf("s%d", i), "小学"})
		}
		if resp, body := h.upload(c, "/bureau/schools/import", sheetOf(t, big)); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "工作表超过 2000 行，拒绝导入。") {
			t.Errorf("10,000 rows: %d", resp.StatusCode)
		}
		// A made-up token imports nothing.
		if resp, _ := h.post(c, "/bureau/schools/import/confirm", url.Values{"token": {"guess"}}); resp.StatusCode != http.StatusConflict {
			t.Errorf("guessed token: %d", resp.StatusCode)
		}
		if s, _ := h.db.FindSchools(ctx, h.bureau.ID); len(s) != 2 {
			t.Errorf("%d schools after refused imports", len(s))
		}
	})
}

func TestSchoolsAPI(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		admin := h.apiToken("bureau.admin")
		in := map[string]string{"slug": "yuanba", "name": "元坝小学", "code": "3136003305", "credit_code": "91110108551385082Q", "stage": "小学",
			"address": "元坝镇新街12号", "phone": "0598-5550268"}
		for _, who := range []string{"bureau.inspector", "xq.principal"} {
			if status, _, _ := h.apiCall(t, "POST", "/api/v1/schools", h.apiToken(who), in); status != http.StatusForbidden {
				t.Errorf("%s created a school: %d", who, status)
			}
		}
		status, text, hdr := h.apiCall(t, "POST", "/api/v1/schools", admin, in)
		if status != http.StatusCreated || hdr.Get("Location") != "/api/v1/schools/yuanba" {
			t.Fatalf("create: %d %s", status, text)
		}
		var got apiSchoolDetail
		must(t, json.Unmarshal([]byte(text), &got))
		if got.Code != "3136003305" || got.Stage != "小学" || !got.Active || got.Bureau != "青禾县教育局" {
			t.Errorf("created %+v", got)
		}
		s, _ := h.db.FindSchoolBySlug(ctx, "yuanba")
		if obs, _ := h.db.FindObligations(ctx, s.ID, store.ObligationFilter{}); len(obs) == 0 {
			t.Error("no obligations for a school created by the API")
		}
		// Bad input: field messages, never a 500.
		bad := []struct {
			body   map[string]string
			status int
			field  string
		}{
			{map[string]string{"slug": "yuanba", "name": "又一所", "code": "3136003399", "stage": "小学"}, http.StatusConflict, "slug"},
			{map[string]string{"slug": "kaiyuan", "name": "又一所", "code": "3136003305", "stage": "小学"}, http.StatusConflict, "code"},
			{map[string]string{"slug": "kaiyuan", "name": "又一所", "code": "3136003399", "stage": "小学", "credit_code": "91110108551385082R"}, http.StatusUnprocessableEntity, "credit_code"},
			{map[string]string{"slug": "kaiyuan", "name": "又一所", "code": "3136003399", "stage": "小学", "phone": "call 0598"}, http.StatusUnprocessableEntity, "phone"},
		}
		for _, b := range bad {
			status, text, _ := h.apiCall(t, "POST", "/api/v1/schools", admin, b.body)
			var e apiError
			if err := json.Unmarshal([]byte(text), &e); err != nil {
				t.Fatalf("%v: %d %q is not an API error: %v", b.body, status, text, err)
			}
			if status != b.status || e.Error.Fields[b.field] == "" {
				t.Errorf("%v: %d %s, want %d on %s", b.body, status, text, b.status, b.field)
			}
		}
		// Update: the fields given change, the others stay.
		status, text, _ = h.apiCall(t, "PUT", "/api/v1/schools/yuanba", admin, map[string]string{"phone": "0598-5550269"})
		must(t, json.Unmarshal([]byte(text), &got))
		if status != 200 || got.Phone != "0598-5550269" || got.Address != "元坝镇新街12号" {
			t.Fatalf("update: %d %s", status, text)
		}
		if status, _, _ := h.apiCall(t, "PUT", "/api/v1/schools/yuanba", h.apiToken("xq.principal"), map[string]string{"phone": "1"}); status != http.StatusForbidden {
			t.Errorf("a principal updated the registration: %d", status)
		}
		if status, text, _ := h.apiCall(t, "PUT", "/api/v1/schools/yuanba", admin, map[string]string{"code": "3501210002"}); status != http.StatusConflict || !strings.Contains(text, `"code"`) {
			t.Errorf("update to another school's code: %d %s", status, text)
		}
		log, _, _ := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: s.ID})
		if len(log) != 2 || log[0].Detail != "监督电话：0598-5550268 → 0598-5550269" {
			t.Errorf("admin log %+v", log)
		}
	})
}

func TestProfile_objectionBoxAndGuide(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		c := h.client("xq.principal")
		resp, body := h.get(c, "/s/xq/manage/profile")
		if resp.StatusCode != 200 || !strings.Contains(body, `value="0591-5550023"`) {
			t.Fatalf("profile page: %d", resp.StatusCode)
		}
		form := url.Values{"full_name": {"青禾县祥谦小学"}, "address": {"青禾县祥谦镇祥谦街56号"}, "phone": {"0591-5550099"},
			"admission_phone": {"0591-5550100"}, "aid_phone": {"资助办"}, "office_hours": {"周一至周五 8:00–17:30"},
			"guide": {"## 转学\n\n携带户口簿到教导处办理。<script>alert(1)</script>"}}
		resp, body = h.post(c, "/s/xq/manage/profile", form)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "资助热线只能包含数字") || !strings.Contains(body, "携带户口簿") {
			t.Fatalf("bad aid phone: %d", resp.StatusCode)
		}
		// The reader's cached page, before the change.
		anon := h.client("")
		item := fmt.Sprintf("/s/xq/d/%d", h.published[gongkai.AudiencePublic].ID)
		h.get(anon, item)
		form.Set("aid_phone", "0591-5550101")
		if resp, _ := h.post(c, "/s/xq/manage/profile", form); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		// The item is in its publicity period: the box has the real phone.
		_, body = h.get(anon, item)
		box := regexp.MustCompile(`(?s)<section class="period objection".*?</section>`).FindString(body)
		if !strings.Contains(box, `<a href="tel:05915550099">0591-5550099</a>`) || !strings.Contains(box, "在线提交异议") {
			t.Errorf("the objection box lacks the school's phone:\n%s", box)
		}
		resp, body = h.get(anon, "/s/xq/guide")
		if resp.StatusCode != 200 || !strings.Contains(body, "<h2") || !strings.Contains(body, "携带户口簿到教导处办理。") || strings.Contains(body, "<script>alert") ||
			!strings.Contains(body, "0591-5550100") || !strings.Contains(body, "周一至周五") {
			t.Errorf("guide page: %d\n%s", resp.StatusCode, body)
		}
		if _, body := h.get(anon, "/s/xq/"); !strings.Contains(body, `href="/s/xq/guide"`) {
			t.Error("the school's navigation does not link the guide")
		}
		log, _, _ := h.db.FindAdminLog(ctx, store.AdminLogFilter{SchoolID: h.school.ID})
		if len(log) != 1 || !strings.Contains(log[0].Detail, "监督电话：0591-5550023 → 0591-5550099") || !strings.Contains(log[0].Detail, "便民办事指南") {
			t.Fatalf("admin log %+v", log)
		}
		// The bureau's administrator may edit it too; a clerk may not.
		if resp, _ := h.get(h.client("bureau.admin"), "/s/xq/manage/profile"); resp.StatusCode != 200 {
			t.Errorf("bureau admin: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("xq.clerk"), "/s/xq/manage/profile", form); resp.StatusCode != http.StatusForbidden {
			t.Errorf("clerk: %d", resp.StatusCode)
		}
		// Without a phone the box says nothing of one: no placeholder.
		form.Set("phone", "")
		h.post(c, "/s/xq/manage/profile", form)
		_, body = h.get(anon, item)
		box = regexp.MustCompile(`(?s)<section class="period objection".*?</section>`).FindString(body)
		if strings.Contains(box, "监督电话") || strings.Contains(box, "tel:") {
			t.Errorf("the box names a phone the school did not set:\n%s", box)
		}
	})
}
