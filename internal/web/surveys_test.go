package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
)

// surveyIDFrom reads the survey id of a redirect to its page.
func surveyIDFrom(t *testing.T, loc string) int64 {
	t.Helper()
	m := regexp.MustCompile(`/surveys/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("no survey in %q", loc)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// fullAnswer answers the default survey: every rating r, the single
// choice 1, two channels and a text.
func fullAnswer(r int, text string) url.Values {
	v := url.Values{}
	for _, q := range []string{"q1", "q2", "q3", "q4", "q7"} {
		v.Set(q, strconv.Itoa(r))
	}
	v.Set("q5", "1")
	v["q6"] = []string{"1", "3"}
	v.Set("q8", text)
	return v
}

// surveyFlash is the flash message a redirect carries.
func surveyFlash(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "flash" {
			v, _ := url.QueryUnescape(c.Value)
			return v
		}
	}
	return ""
}

// openDefaultSurvey has the supervisor make the default survey and open it.
func openDefaultSurvey(t *testing.T, h *harness) int64 {
	t.Helper()
	sup := h.client("xq.supervisor")
	resp, _ := h.post(sup, "/s/xq/surveys/template", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("template: %d", resp.StatusCode)
	}
	id := surveyIDFrom(t, resp.Header.Get("Location"))
	if resp, _ := h.post(sup, fmt.Sprintf("/s/xq/surveys/%d/open", id), nil); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(surveyFlash(resp), "!") {
		t.Fatalf("open: %d %s", resp.StatusCode, surveyFlash(resp))
	}
	return id
}

func TestSurveys_supervisorRunsASurvey(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		sup := h.client("xq.supervisor")
		resp, body := h.get(sup, "/s/xq/surveys")
		if resp.StatusCode != 200 || !strings.Contains(body, "使用默认模板") || !strings.Contains(body, `href="/s/xq/surveys"`) {
			t.Fatalf("list: %d", resp.StatusCode)
		}
		resp, _ = h.post(sup, "/s/xq/surveys/template", nil)
		id := surveyIDFrom(t, resp.Header.Get("Location"))
		page := fmt.Sprintf("/s/xq/surveys/%d", id)
		_, body = h.get(sup, page)
		for _, want := range []string{"校务公开工作满意度测评", "草稿", "开始测评", "修改题目", "您能否方便地找到需要的公开信息", "总体而言"} {
			if !strings.Contains(body, want) {
				t.Errorf("draft page lacks %q", want)
			}
		}
		// A draft is the managers' alone.
		if resp, _ := h.get(h.client("xq.parent"), page); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a parent opens a draft: %d", resp.StatusCode)
		}
		// Bad input: 422, every message, the input kept.
		bad := url.Values{"title": {""}, "kind": {"satisfaction"}, "audience": {"parents"}, "opens_on": {"2026-13-01"}, "closes_on": {"2026-03-20"},
			"q_count": {"2"}, "q1_text": {"孩子在校就餐满意吗"}, "q1_kind": {"single"}, "q1_options": {"满意"}, "q2_text": {""}}
		resp, body = h.post(sup, page+"/edit", bad)
		body = html.UnescapeString(body)
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad edit: %d", resp.StatusCode)
		}
		for _, want := range []string{"请填写测评名称。", "日期格式应为", "选择题须有 2–20 个选项", "孩子在校就餐满意吗", `value="2026-03-20"`, `<option value="parents" selected>`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad edit page lacks %q", want)
			}
		}
		// Open it; the questions freeze.
		if resp, _ := h.post(sup, page+"/open", nil); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(surveyFlash(resp), "!") {
			t.Fatalf("open: %d %s", resp.StatusCode, surveyFlash(resp))
		}
		if resp, _ := h.post(sup, page+"/edit", bad); resp.StatusCode != http.StatusConflict {
			t.Errorf("edit when open: %d, want 409", resp.StatusCode)
		}
		// Members answer on the page.
		parent := h.client("xq.parent")
		_, body = h.get(parent, "/work")
		if !strings.Contains(body, "待参加的测评") || !strings.Contains(body, page) {
			t.Errorf("the parent's work page does not offer the survey")
		}
		_, body = h.get(parent, page)
		if !strings.Contains(body, `name="q1" value="5"`) || !strings.Contains(body, `type="checkbox" name="q6"`) || !strings.Contains(body, "提交答卷") {
			t.Fatalf("no answer form for the parent")
		}
		// Missing required answers: 422 with what was given still chosen.
		partial := url.Values{"q1": {"4"}, "q8": {"多公开食堂账目"}}
		resp, body = h.post(parent, page+"/answer", partial)
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请回答此题。") ||
			!strings.Contains(body, `name="q1" value="4" checked`) || !strings.Contains(body, "多公开食堂账目") {
			t.Fatalf("partial answer: %d", resp.StatusCode)
		}
		// Four answers: below the threshold, no results.
		for i, who := range []string{"xq.parent", "xq.staff", "xq.clerk", "xq.representative"} {
			resp, _ := h.post(h.client(who), page+"/answer", fullAnswer(5-i, "意见"+who))
			if resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(surveyFlash(resp), "!") {
				t.Fatalf("%s answers: %d %s", who, resp.StatusCode, surveyFlash(resp))
			}
		}
		leader := h.client("xq.leader")
		_, body = h.get(leader, page+"/results")
		if !strings.Contains(body, "测评尚未结束") || strings.Contains(body, "意见xq.parent") {
			t.Errorf("results of an open survey are shown")
		}
		// A second answer is refused and does not count.
		resp, _ = h.post(parent, page+"/answer", fullAnswer(1, "再来一次"))
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(surveyFlash(resp), "您已参加本次测评") {
			t.Errorf("second answer: %d %q", resp.StatusCode, surveyFlash(resp))
		}
		_, body = h.get(parent, page)
		if !strings.Contains(body, "您已参加本次测评") || strings.Contains(body, "提交答卷") {
			t.Errorf("the page still offers the form after answering")
		}
		for i, who := range []string{"xq.leader", "xq.principal", "xq.supervisor"} {
			if resp, _ := h.post(h.client(who), page+"/answer", fullAnswer(3-i, "")); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(surveyFlash(resp), "!") {
				t.Fatalf("%s answers: %d %s", who, resp.StatusCode, surveyFlash(resp))
			}
		}
		// Seven of seven have answered, but while it is open the results
		// page gives the count only.
		_, body = h.get(leader, page+"/results")
		if !strings.Contains(html.UnescapeString(body), "100.0%") || strings.Contains(body, "意见xq.parent") || strings.Contains(body, "46.4") {
			t.Errorf("an open survey's results page: want the count only")
		}
		// Who reads results: not the clerk, not another school.
		for who, want := range map[string]int{"xq.clerk": 404, "other.supervisor": 403, "bureau.inspector": 200, "xq.principal": 200} {
			if resp, _ := h.get(h.client(who), page+"/results"); resp.StatusCode != want {
				t.Errorf("%s reads results: %d, want %d", who, resp.StatusCode, want)
			}
		}
		// Publish only after closing; then a draft disclosure for a clerk.
		if resp, _ := h.post(sup, page+"/publish", url.Values{"clerk": {fmt.Sprint(h.users["xq.clerk"].ID)}}); !strings.Contains(surveyFlash(resp), "测评结束后才能公开结果") {
			t.Errorf("publish while open: %d %q", resp.StatusCode, surveyFlash(resp))
		}
		if resp, _ := h.post(sup, page+"/close", nil); resp.StatusCode != http.StatusSeeOther || strings.HasPrefix(surveyFlash(resp), "!") {
			t.Fatalf("close: %d %s", resp.StatusCode, surveyFlash(resp))
		}
		// Seven responses of seven members: ratings 5,4,3,2,3,2,1 on each of
		// five rating questions → mean 20/7, score (20/7-1)/4·100 = 46.4.
		_, body = h.get(leader, page+"/results")
		body = html.UnescapeString(body)
		for _, want := range []string{"应参评人数", ">7<", "100.0%", "46.4", "意见xq.parent", "意见xq.clerk", "都得到了及时答复", "网上公开栏"} {
			if !strings.Contains(body, want) {
				t.Errorf("results lack %q", want)
			}
		}
		if strings.Contains(body, "再来一次") {
			t.Errorf("the refused second answer was counted")
		}
		resp, body = h.post(sup, page+"/publish", url.Values{"clerk": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请选择本校的经办人") {
			t.Errorf("publish without a clerk: %d", resp.StatusCode)
		}
		resp, _ = h.post(sup, page+"/publish", url.Values{"clerk": {fmt.Sprint(h.users["xq.clerk"].ID)}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/s/xq/manage/d/") {
			t.Fatalf("publish: %d %s %s", resp.StatusCode, loc, surveyFlash(resp))
		}
		did, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/s/xq/manage/d/"), 10, 64)
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, did)
		if err != nil || d.State != gongkai.StateDraft || d.Audience != gongkai.AudienceCommunity || !strings.Contains(d.Body, "| 实收答卷 | 7 |") || strings.Contains(d.Body, "意见xq") {
			t.Fatalf("draft %+v, %v", d, err)
		}
		_, body = h.get(sup, page+"/results")
		if !strings.Contains(body, loc) || !strings.Contains(body, "已生成公开事项") {
			t.Errorf("the results page does not link the disclosure")
		}
		// Once published, members find the results from the survey.
		h.act(h.school, did, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, did, "principal", gongkai.ActionApprove, "")
		h.act(h.school, did, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, did, "clerk", gongkai.ActionPublish, "")
		_, body = h.get(parent, page)
		if !strings.Contains(body, fmt.Sprintf("/s/xq/d/%d", did)) {
			t.Errorf("the survey page does not link the published results")
		}
	})
}

func TestSurveys_whoSeesAndAnswers(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		id := openDefaultSurvey(t, h)
		page := fmt.Sprintf("/s/xq/surveys/%d", id)
		for _, tc := range []struct {
			who    string
			view   int // GET the page
			answer int // POST an answer
		}{
			{"xq.parent", 200, 303},
			{"xq.staff", 200, 303},
			{"bureau.admin", 200, 403},
			{"other.parent", 404, 404},
			{"other.principal", 404, 404},
			{"nobody", 404, 404},
		} {
			if resp, _ := h.get(h.client(tc.who), page); resp.StatusCode != tc.view {
				t.Errorf("%s views: %d, want %d", tc.who, resp.StatusCode, tc.view)
			}
			if resp, _ := h.post(h.client(tc.who), page+"/answer", fullAnswer(4, "")); resp.StatusCode != tc.answer {
				t.Errorf("%s answers: %d, want %d", tc.who, resp.StatusCode, tc.answer)
			}
		}
		// The survey under another school's address is not found.
		if resp, _ := h.get(h.client("xq.parent"), fmt.Sprintf("/s/other/surveys/%d", id)); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the survey under /s/other: %d", resp.StatusCode)
		}
		// A representatives' survey: a parent sees why not.
		sup := h.client("xq.supervisor")
		form := url.Values{"title": {"领导班子民主评议"}, "kind": {"evaluation"}, "audience": {"representatives"},
			"opens_on": {time.Now().In(gongkai.Beijing).Format("2006-01-02")}, "closes_on": {time.Now().In(gongkai.Beijing).AddDate(0, 0, 3).Format("2006-01-02")},
			"q_count": {"1"}, "q1_text": {"您对校长的工作是否满意"}, "q1_kind": {"rating"}, "q1_required": {"1"}}
		resp, _ := h.post(sup, "/s/xq/surveys/new", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create: %d", resp.StatusCode)
		}
		rid := surveyIDFrom(t, resp.Header.Get("Location"))
		rpage := fmt.Sprintf("/s/xq/surveys/%d", rid)
		h.post(sup, rpage+"/open", nil)
		_, body := h.get(h.client("xq.parent"), rpage)
		if !strings.Contains(body, "本次测评面向教代会代表，您不在参评范围内。") || strings.Contains(body, "提交答卷") {
			t.Errorf("a parent is not told why they cannot answer")
		}
		if resp, _ := h.post(h.client("xq.parent"), rpage+"/answer", url.Values{"q1": {"5"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a parent answers the representatives' survey: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("xq.representative"), rpage+"/answer", url.Values{"q1": {"5"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("a representative answers: %d", resp.StatusCode)
		}
		// The parent's list shows the survey they may answer, not the
		// representatives' one.
		_, body = h.get(h.client("xq.parent"), "/s/xq/surveys")
		if strings.Contains(body, "领导班子民主评议") || !strings.Contains(body, "校务公开工作满意度测评") {
			t.Errorf("the parent's list is wrong")
		}
		if resp, _ := h.get(h.client("other.parent"), "/s/xq/surveys"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("another school's parent lists the surveys: %d", resp.StatusCode)
		}
		// Managing is the supervisor's and the principal's.
		for who, want := range map[string]int{"xq.clerk": 404, "xq.leader": 404, "xq.principal": 200} {
			if resp, _ := h.get(h.client(who), "/s/xq/surveys/new"); resp.StatusCode != want {
				t.Errorf("%s opens the new survey form: %d, want %d", who, resp.StatusCode, want)
			}
		}
	})
}

func TestSurveys_API(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		id := openDefaultSurvey(t, h)
		call := func(who, method, path, body string) (int, string) {
			t.Helper()
			hdr := http.Header{}
			if who != "" {
				hdr.Set("Authorization", "Bearer "+h.apiToken(who))
			}
			ctype := ""
			if body != "" {
				ctype = "application/json"
			}
			resp, b := h.do(h.client(""), method, path, ctype, strings.NewReader(body), hdr)
			return resp.StatusCode, b
		}
		status, body := call("xq.parent", "GET", "/api/v1/schools/xq/surveys", "")
		var list struct {
			Items []struct {
				ID        int64  `json:"id"`
				Status    string `json:"status"`
				CanAnswer bool   `json:"can_answer"`
				Responses *int   `json:"responses"`
				Questions []struct {
					Position int      `json:"position"`
					Kind     string   `json:"kind"`
					Options  []string `json:"options"`
				} `json:"questions"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &list); status != 200 || err != nil || len(list.Items) != 1 || !list.Items[0].CanAnswer ||
			list.Items[0].Responses != nil || len(list.Items[0].Questions) != 8 || len(list.Items[0].Questions[0].Options) != 5 {
			t.Fatalf("list: %d %s", status, body)
		}
		if status, _ := call("other.parent", "GET", "/api/v1/schools/xq/surveys", ""); status != 404 {
			t.Errorf("another school's parent lists: %d", status)
		}
		answers := `{"answers":[{"question":1,"choices":[5]},{"question":2,"choices":[4]},{"question":3,"choices":[5]},{"question":4,"choices":[4]},
			{"question":5,"choices":[1]},{"question":6,"choices":[1,2]},{"question":7,"choices":[5]},{"question":8,"text":"接口提交的意见"}]}`
		path := fmt.Sprintf("/api/v1/surveys/%d/answers", id)
		if status, body := call("xq.parent", "POST", path, `{"answers":[{"question":1,"choices":[9]}]}`); status != 422 || !strings.Contains(body, `"q1"`) {
			t.Errorf("bad answers: %d %s", status, body)
		}
		if status, body := call("xq.parent", "POST", path, answers); status != 201 {
			t.Fatalf("answer: %d %s", status, body)
		}
		if status, body := call("xq.parent", "POST", path, answers); status != 409 || !strings.Contains(body, "您已参加本次测评") {
			t.Errorf("second answer: %d %s", status, body)
		}
		if status, _ := call("other.parent", "POST", path, answers); status != 404 {
			t.Errorf("another school's parent answers: %d", status)
		}
		if status, _ := call("bureau.admin", "POST", path, answers); status != 403 {
			t.Errorf("the bureau answers: %d", status)
		}
		res := fmt.Sprintf("/api/v1/surveys/%d/results", id)
		if status, _ := call("xq.parent", "GET", res, ""); status != 404 {
			t.Errorf("a parent reads results: %d", status)
		}
		status, body = call("xq.supervisor", "GET", res, "")
		if status != 200 || !strings.Contains(body, `"shown":false`) || strings.Contains(body, "接口提交的意见") {
			t.Errorf("results under the threshold: %d %s", status, body)
		}
		for _, who := range []string{"xq.staff", "xq.clerk", "xq.leader", "xq.principal"} {
			if status, body := call(who, "POST", path, answers); status != 201 {
				t.Fatalf("%s answers: %d %s", who, status, body)
			}
		}
		status, body = call("bureau.inspector", "GET", res, "")
		if status != 200 || !strings.Contains(body, `"shown":false`) || strings.Contains(body, "接口提交的意见") {
			t.Errorf("results while open: %d %s", status, body)
		}
		if resp, _ := h.post(h.client("xq.supervisor"), fmt.Sprintf("/s/xq/surveys/%d/close", id), nil); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("close: %d", resp.StatusCode)
		}
		status, body = call("bureau.inspector", "GET", res, "")
		var out struct {
			Shown     bool     `json:"shown"`
			Responses int      `json:"responses"`
			Score     *float64 `json:"score"`
			Questions []struct {
				Texts []string `json:"texts"`
			} `json:"questions"`
		}
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("results %q: %v", body, err)
		}
		// Ratings 5,4,5,4,5 from five people → mean 4.6 → 90.
		if status != 200 || !out.Shown || out.Responses != 5 || out.Score == nil || *out.Score < 89.99 || *out.Score > 90.01 || len(out.Questions[7].Texts) != 5 {
			t.Errorf("results: %d %s", status, body)
		}
	})
}

// TestSurveys_anonymity answers through the page as members whose ids are
// larger than any position, choice or survey number, then reads every row
// of every table: no row holding an answer's text holds its author's id,
// and the answer tables have no column that could hold who or when.
func TestSurveys_anonymity(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		for i := range 30 {
			u := &gongkai.User{Username: fmt.Sprintf("filler-%d", i), DisplayName: "占位"}
			must(t, h.db.CreateUser(ctx, u, "x"))
		}
		var who []string
		for i := range 5 {
			name := fmt.Sprintf("xq.parent%d", i)
			u := &gongkai.User{Username: name, DisplayName: "家长" + strconv.Itoa(i)}
			must(t, h.db.CreateMember(ctx, h.school.ID, u, "x", []gongkai.Role{gongkai.RoleParent}, 0))
			h.users[name] = u
			who = append(who, name)
		}
		id := openDefaultSurvey(t, h)
		markers := map[string]int64{}
		names := map[string]string{}
		for _, name := range who {
			marker := "匿名意见-" + strings.ReplaceAll(name, ".", "-")
			markers[marker], names[marker] = h.users[name].ID, name
			if resp, _ := h.post(h.client(name), fmt.Sprintf("/s/xq/surveys/%d/answer", id), fullAnswer(4, marker)); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s answers: %d", name, resp.StatusCode)
			}
		}
		db := h.db.Pool()
		tables := surveyTables(t, db, h.db.Dialect())
		found := 0
		for _, table := range tables {
			rows, err := db.QueryContext(ctx, `SELECT * FROM `+table)
			if err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				must(t, rows.Scan(ptrs...))
				var text strings.Builder
				for _, v := range vals {
					fmt.Fprintf(&text, "%v|", stringOf(v))
				}
				for marker, uid := range markers {
					if !strings.Contains(text.String(), marker) {
						continue
					}
					found++
					for i, v := range vals {
						if n, ok := v.(int64); ok && n == uid {
							t.Errorf("LEAK: %s row with %q holds its author's id %d in column %s", table, marker, uid, cols[i])
						}
						if s := stringOf(v); s == strconv.FormatInt(uid, 10) || strings.Contains(s, names[marker]) {
							t.Errorf("LEAK: %s row with %q names its author in column %s", table, marker, cols[i])
						}
					}
				}
			}
			must(t, rows.Err())
			rows.Close()
		}
		if found != len(markers) {
			t.Errorf("found %d rows with the answers' texts, want %d (one each)", found, len(markers))
		}
		allowed := map[string]bool{"school_id": true, "survey_id": true, "response_id": true, "id": true, "position": true, "choice": true, "text": true}
		for _, table := range []string{"survey_answers", "survey_responses"} {
			rows, err := db.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
			must(t, err)
			cols, _ := rows.Columns()
			must(t, rows.Err())
			rows.Close()
			for _, c := range cols {
				if !allowed[c] {
					t.Errorf("LEAK: %s has a column %s that could hold who answered or when", table, c)
				}
			}
		}
		// Nothing was told of the answers: no outbox event, no notification.
		var events int
		must(t, db.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE type LIKE 'survey.%' AND type <> 'survey.opened'`).Scan(&events))
		if events > 0 {
			t.Errorf("%d outbox events were written for answers", events)
		}
	})
}

func stringOf(v any) string {
	switch x := v.(type) {
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// surveyTables lists every table of the database.
func surveyTables(t *testing.T, db *sql.DB, dialect string) []string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'`
	if dialect == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := db.Query(q)
	must(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		out = append(out, n)
	}
	must(t, rows.Err())
	if len(out) < 10 {
		t.Fatalf("only %d tables found", len(out))
	}
	return out
}

// matrixSurveyValues gives the authorisation matrix path values for the
// survey routes of school xq: an open survey of the default template for
// staff and parents (with a second one to close), a draft to open and edit,
// and a closed one with enough responses for its results.
func (h *harness) matrixSurveyValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/surveys/{id}") {
		return nil
	}
	v, ok := matrixSurveys.Load(h)
	if !ok {
		ctx := context.Background()
		sup := h.actor("xq.supervisor")
		mk := func(open bool) int64 {
			s := gongkai.DefaultSurvey(h.school.ID, h.db.Now())
			must(t, h.db.CreateSurvey(ctx, h.school.ID, sup, s))
			if open {
				_, err := h.db.SurveyAct(ctx, h.school.ID, s.ID, sup, gongkai.SurveyStart)
				must(t, err)
			}
			return s.ID
		}
		ids := map[string]int64{"open": mk(true), "closing": mk(true), "draft": mk(false), "closed": mk(true)}
		for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleClerk, gongkai.RoleStaff, gongkai.RoleParent} {
			ans := []gongkai.SurveyAnswer{{Position: 1, Choices: []int{4}}, {Position: 2, Choices: []int{4}}, {Position: 3, Choices: []int{4}},
				{Position: 4, Choices: []int{4}}, {Position: 5, Choices: []int{1}}, {Position: 7, Choices: []int{4}}}
			must(t, h.db.AnswerSurvey(ctx, h.school.ID, ids["closed"], h.actor("xq."+string(r)), ans))
		}
		_, err := h.db.SurveyAct(ctx, h.school.ID, ids["closed"], sup, gongkai.SurveyFinish)
		must(t, err)
		v = ids
		matrixSurveys.Store(h, v)
	}
	ids := v.(map[string]int64)
	pick := "open"
	switch {
	case strings.HasSuffix(pattern, "/close"):
		pick = "closing"
	case strings.HasSuffix(pattern, "/open"), strings.HasSuffix(pattern, "/edit"):
		pick = "draft"
	case strings.HasSuffix(pattern, "/results"), strings.HasSuffix(pattern, "/publish"):
		pick = "closed"
	}
	return map[string]string{"id": strconv.FormatInt(ids[pick], 10)}
}

var matrixSurveys sync.Map // *harness → map[string]int64
