package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

var matrixOrders sync.Map // *harness → the id of an issued order of xq

// matrixOrderValues fills {id} of the order routes with an issued order of
// school xq, for the authorisation matrix.
func (h *harness) matrixOrderValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/orders/{id}") {
		return nil
	}
	if id, ok := matrixOrders.Load(h); ok {
		return map[string]string{"id": id.(string)}
	}
	o := h.issueOrder(t, "关于督促公开财务收支情况的通知", h.school)
	id := strconv.FormatInt(o.ID, 10)
	matrixOrders.Store(h, id)
	return map[string]string{"id": id}
}

// issueOrder issues an order to the schools as bureau.admin, due in ten
// working days.
func (h *harness) issueOrder(t *testing.T, title string, schools ...*gongkai.School) *gongkai.Order {
	t.Helper()
	in := gongkai.OrderIssue{Kind: gongkai.OrderUrge, Title: title, Body: "请于期限内办理并**答复**。", Workdays: 10}
	for _, s := range schools {
		in.SchoolIDs = append(in.SchoolIDs, s.ID)
	}
	orders, err := h.db.IssueOrders(context.Background(), h.bureau.ID, h.actor("bureau.admin"), in)
	must(t, err)
	return orders[0]
}

var orderLink = regexp.MustCompile(`^/s/xq/orders/(\d+)$`)

// TestOrders_issueAnswerAccept follows an order from the bureau to the
// school and back, as the people involved see it.
func TestOrders_issueAnswerAccept(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		admin, principal := h.client("bureau.admin"), h.client("xq.principal")
		resp, body := h.get(admin, "/bureau/orders/new")
		if resp.StatusCode != 200 || !strings.Contains(body, `name="workdays"`) || !strings.Contains(body, `value="10"`) || !strings.Contains(body, "祥谦小学") {
			t.Fatalf("form: %d", resp.StatusCode)
		}
		resp, _ = h.post(admin, "/bureau/orders", url.Values{"kind": {"urge"}, "title": {"关于督促公开2月份财务收支情况的通知"},
			"body": {"你校2月份财务收支情况至今未公开。"}, "workdays": {"10"}, "school": {strconv.FormatInt(h.school.ID, 10)}})
		m := orderLink.FindStringSubmatch(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("issue: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if f := flashOf(resp); !strings.Contains(f, "青禾教督〔") || !strings.Contains(f, "〕1号") {
			t.Errorf("flash %q, want the number", f)
		}
		page := m[0]
		// The principal sees it on 工作台, with its deadline ten working days on.
		o, err := h.db.FindOrderByID(context.Background(), h.school.ID, mustInt(t, m[1]))
		must(t, err)
		_, body = h.get(principal, "/work")
		if !strings.Contains(body, "督办通知 · 待答复") || !strings.Contains(body, "关于督促公开2月份财务收支情况的通知") || !strings.Contains(body, o.Deadline.Format("2006-01-02")) {
			t.Errorf("工作台 of the principal lacks the order")
		}
		if !strings.Contains(body, "剩余") {
			t.Errorf("工作台 does not say how many days are left")
		}
		_, body = h.get(principal, "/s/xq/orders")
		if !strings.Contains(body, page) || !strings.Contains(body, "待答复") {
			t.Errorf("the school's list lacks the order")
		}
		// The leader reads it but has no answer form; the principal has one.
		_, body = h.get(h.client("xq.leader"), page)
		if !strings.Contains(body, "你校2月份财务收支情况至今未公开。") || strings.Contains(body, `action="`+page+`/answer"`) {
			t.Errorf("the leader's view of the order")
		}
		_, body = h.get(principal, page)
		if !strings.Contains(body, `action="`+page+`/answer"`) || !strings.Contains(body, h.published[gongkai.AudiencePublic].Title) {
			t.Fatalf("the principal's order page has no answer form with the school's published items")
		}
		result := strconv.FormatInt(h.published[gongkai.AudiencePublic].ID, 10)
		resp, _ = h.post(principal, page+"/answer", url.Values{"comment": {"已于本周公开2月份财务收支情况。"}, "result_id": {result}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
			t.Fatalf("answer: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = h.get(principal, "/work")
		if strings.Contains(body, "督办通知 · 待答复") {
			t.Errorf("an answered order still waits on the principal's 工作台")
		}
		// The bureau's administrator finds it to accept, and accepts it.
		_, body = h.get(admin, "/work")
		if !strings.Contains(body, "督办通知 · 待验收") || !strings.Contains(body, page) {
			t.Errorf("工作台 of the administrator lacks the answer to accept")
		}
		_, body = h.get(admin, page)
		if !strings.Contains(body, "已于本周公开2月份财务收支情况。") || !strings.Contains(body, `href="/s/xq/d/`+result+`"`) || !strings.Contains(body, `action="`+page+`/accept"`) {
			t.Errorf("the administrator's order page lacks the answer, its result or the accept form")
		}
		// The inspector reads it and takes no step.
		resp, body = h.get(h.client("bureau.inspector"), page)
		if resp.StatusCode != 200 || strings.Contains(body, `action="`+page+`/accept"`) {
			t.Errorf("inspector: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("bureau.inspector"), page+"/accept", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("inspector accepts: %d, want 403", resp.StatusCode)
		}
		resp, _ = h.post(admin, page+"/accept", url.Values{"comment": {"同意办结。"}})
		if resp.StatusCode != http.StatusSeeOther || flashOf(resp) != "已验收办结。" {
			t.Fatalf("accept: %d %q", resp.StatusCode, flashOf(resp))
		}
		_, body = h.get(principal, page)
		for _, want := range []string{"已办结", "下发", "答复", "验收办结", "同意办结。", "教育局管理员", "校长·祥谦小学"} {
			if !strings.Contains(body, want) {
				t.Errorf("the closed order's page lacks %q", want)
			}
		}
		// Accepting twice says why it cannot.
		resp, _ = h.post(admin, page+"/accept", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(flashOf(resp), "!") {
			t.Errorf("accept again: %d %q", resp.StatusCode, flashOf(resp))
		}
		// The bureau's list filters by state and school.
		_, body = h.get(admin, "/bureau/orders?state=accepted&school="+strconv.FormatInt(h.school.ID, 10))
		if !strings.Contains(body, page) {
			t.Errorf("the bureau's list of accepted orders of xq lacks it")
		}
		_, body = h.get(admin, "/bureau/orders?state=issued")
		if strings.Contains(body, page) {
			t.Errorf("the list of issued orders shows the accepted one")
		}
	})
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	must(t, err)
	return n
}

// TestOrders_returnAndOverdue returns an answer for more, and shows an
// order past its deadline in red on every list.
func TestOrders_returnAndOverdue(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		o := h.issueOrder(t, "关于整改食堂公示栏的通知", h.school)
		page := orderURL(h.school, o.ID)
		admin, principal := h.client("bureau.admin"), h.client("xq.principal")
		resp, _ := h.post(principal, page+"/answer", url.Values{"comment": {"已整改。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("answer: %d", resp.StatusCode)
		}
		// A return needs its reason; the deadline typed is kept.
		resp, body := h.post(admin, page+"/return", url.Values{"comment": {""}, "deadline": {"2099-01-01"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写退回的理由") || !strings.Contains(body, `value="2099-01-01"`) {
			t.Errorf("return without a reason: %d", resp.StatusCode)
		}
		resp, _ = h.post(admin, page+"/return", url.Values{"comment": {"请补充整改前后的照片。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("return: %d", resp.StatusCode)
		}
		_, body = h.get(principal, "/work")
		if !strings.Contains(body, "关于整改食堂公示栏的通知") || !strings.Contains(body, "退回补充") {
			t.Errorf("a returned order does not wait on the principal's 工作台")
		}
		_, body = h.get(principal, page)
		if !strings.Contains(body, "请补充整改前后的照片。") || !strings.Contains(body, `action="`+page+`/answer"`) {
			t.Errorf("the returned order shows no reason or no answer form")
		}
		// Past its deadline: overdue in red, in the lists and on the page.
		h.db.Now = func() time.Time { return o.Deadline.AddDate(0, 0, 40) }
		h.srv.now = h.db.Now
		defer func() { h.db.Now, h.srv.now = time.Now, time.Now }()
		admin, principal = h.client("bureau.admin"), h.client("xq.principal") // sessions of the new clock
		_, body = h.get(admin, "/bureau/orders?overdue=1")
		if !strings.Contains(body, page) || !strings.Contains(body, `class="order-overdue"`) || !strings.Contains(body, "逾期") {
			t.Errorf("the overdue list lacks the order in red")
		}
		_, body = h.get(principal, page)
		if !strings.Contains(body, "已逾期") {
			t.Errorf("the order page does not say it is overdue")
		}
		if n, err := h.db.RemindOverdueOrders(ctx); err != nil || n != 1 {
			t.Errorf("overdue reminders: %d, %v", n, err)
		}
	})
}

// TestOrders_badInput re-renders the forms with the input and Chinese
// messages at 422.
func TestOrders_badInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		admin := h.client("bureau.admin")
		yesterday := time.Now().In(gongkai.Beijing).AddDate(0, 0, -1).Format("2006-01-02")
		ok := func() url.Values {
			return url.Values{"kind": {"rectify"}, "title": {"关于整改收费公示的通知"}, "body": {"检查发现收费公示不全。"}, "workdays": {"10"},
				"school": {strconv.FormatInt(h.school.ID, 10)}}
		}
		for _, tc := range []struct {
			name string
			edit func(v url.Values)
			msg  string
			kept string
		}{
			{"empty title", func(v url.Values) { v.Set("title", "  ") }, "请填写标题。", "检查发现收费公示不全。"},
			{"deadline in the past", func(v url.Values) { v.Set("deadline", yesterday) }, "期限不能早于今天。", `value="` + yesterday + `"`},
			{"unknown school", func(v url.Values) { v.Set("school", "999999") }, "请选择本局所属的学校。", "关于整改收费公示的通知"},
			{"no school", func(v url.Values) { v.Del("school") }, "请选择接收通知的学校。", "关于整改收费公示的通知"},
			{"workdays not a number", func(v url.Values) { v.Set("workdays", "十") }, "办理期限须为 1–60 个工作日", `value="十"`},
			{"bad date", func(v url.Values) { v.Set("deadline", "下周五") }, "日期格式应为", `value="下周五"`},
		} {
			v := ok()
			tc.edit(v)
			resp, body := h.post(admin, "/bureau/orders", v)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.msg) || !strings.Contains(body, tc.kept) {
				t.Errorf("%s: %d, message %v, input kept %v", tc.name, resp.StatusCode, strings.Contains(body, tc.msg), strings.Contains(body, tc.kept))
			}
		}
		if orders, n, _ := h.db.FindOrders(context.Background(), h.bureau.ID, store.OrderFilter{}); n != 0 {
			t.Errorf("%d orders stored from bad input: %v", n, orders)
		}
		// An answer linking another school's item, or with no text.
		o := h.issueOrder(t, "关于督促公开的通知", h.school)
		page := orderURL(h.school, o.ID)
		principal := h.client("xq.principal")
		resp, body := h.post(principal, page+"/answer", url.Values{"comment": {"已公开，见链接。"}, "result_id": {strconv.FormatInt(h.otherItem.ID, 10)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "所选公开事项不存在，请选择本校已发布的事项。") || !strings.Contains(body, "已公开，见链接。") {
			t.Errorf("another school's item as the result: %d", resp.StatusCode)
		}
		resp, body = h.post(principal, page+"/answer", url.Values{"comment": {"  "}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写答复内容。") {
			t.Errorf("empty answer: %d", resp.StatusCode)
		}
		if got, _ := h.db.FindOrderByID(context.Background(), h.school.ID, o.ID); got.State != gongkai.OrderIssued {
			t.Errorf("state after bad answers: %s", got.State)
		}
	})
}

// TestOrders_notFound: people who may not read an order get 404, never
// a hint that it exists.
func TestOrders_notFound(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		o := h.issueOrder(t, "关于督促公开的通知", h.school)
		page := orderURL(h.school, o.ID)
		asOther := fmt.Sprintf("/s/other/orders/%d", o.ID)
		for _, tc := range []struct{ who, path string }{
			{"other.principal", page},
			{"other.principal", asOther},
			{"xq.principal", asOther},
			{"bureau.admin", asOther},
			{"xq.clerk", page},
			{"xq.staff", page},
			{"xq.parent", page},
			{"xq.representative", page},
			{"xq.parent", "/s/xq/orders"},
			{"xq.clerk", "/s/xq/orders"},
			{"nobody", "/bureau/orders"},
			{"xq.principal", "/bureau/orders"},
			{"xq.principal", "/s/xq/orders/999999"},
		} {
			resp, body := h.get(h.client(tc.who), tc.path)
			if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "关于督促公开的通知") {
				t.Errorf("%s GET %s: %d, want 404", tc.who, tc.path, resp.StatusCode)
			}
		}
		for _, tc := range []struct{ who, path string }{
			{"other.principal", page + "/answer"},
			{"xq.principal", asOther + "/answer"},
			{"xq.clerk", page + "/answer"},
		} {
			resp, _ := h.post(h.client(tc.who), tc.path, url.Values{"comment": {"已办理。"}})
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", tc.who, tc.path, resp.StatusCode)
			}
		}
		// Navigation shows the orders to their readers only.
		_, body := h.get(h.client("xq.supervisor"), "/s/xq/")
		if !strings.Contains(body, `href="/s/xq/orders"`) {
			t.Errorf("the supervision group has no link to the orders")
		}
		_, body = h.get(h.client("xq.clerk"), "/s/xq/")
		if strings.Contains(body, `href="/s/xq/orders"`) {
			t.Errorf("a clerk has a link to the orders")
		}
	})
}

// TestOrders_prefilledFromObligation: the obligations page offers the
// bureau's administrator an order about an overdue obligation, and the
// form comes filled.
func TestOrders_prefilledFromObligation(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		now := time.Now()
		if _, err := h.db.EnsureObligations(ctx, h.school.ID, now.AddDate(0, -3, 0), now); err != nil {
			t.Fatal(err)
		}
		obs, err := h.db.FindObligations(ctx, h.school.ID, store.ObligationFilter{States: []gongkai.ObligationState{gongkai.ObOverdue}})
		if err != nil || len(obs) == 0 {
			t.Fatalf("no overdue obligation: %v", err)
		}
		ob := obs[0]
		link := fmt.Sprintf("/bureau/orders/new?school=%d&amp;obligation=%d", h.school.ID, ob.ID)
		_, body := h.get(h.client("bureau.admin"), "/s/xq/obligations")
		if !strings.Contains(body, link) || !strings.Contains(body, "发督办通知") {
			t.Fatalf("the obligations page offers no order about an overdue obligation")
		}
		if _, body := h.get(h.client("bureau.inspector"), "/s/xq/obligations"); strings.Contains(body, "发督办通知") {
			t.Errorf("the inspector is offered to issue an order")
		}
		resp, body := h.get(h.client("bureau.admin"), strings.ReplaceAll(link, "&amp;", "&"))
		if resp.StatusCode != 200 || !strings.Contains(body, "关于督促公开"+ob.CatalogueName) || !strings.Contains(body, ob.PeriodLabel) ||
			!strings.Contains(body, fmt.Sprintf(`name="obligation" value="%d"`, ob.ID)) || !strings.Contains(body, fmt.Sprintf(`value="%d" checked`, h.school.ID)) {
			t.Fatalf("prefilled form: %d", resp.StatusCode)
		}
		resp, _ = h.post(h.client("bureau.admin"), "/bureau/orders", url.Values{"kind": {"urge"}, "title": {"关于督促公开" + ob.CatalogueName + "的通知"},
			"body": {"请公开。"}, "workdays": {"5"}, "school": {strconv.FormatInt(h.school.ID, 10)}, "obligation": {strconv.FormatInt(ob.ID, 10)}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("issue: %d", resp.StatusCode)
		}
		_, body = h.get(h.client("xq.principal"), resp.Header.Get("Location"))
		if !strings.Contains(body, fmt.Sprintf(`/s/xq/obligations#ob-%d`, ob.ID)) {
			t.Errorf("the order does not link its obligation")
		}
		// The same obligation for two schools at once is refused.
		resp, body = h.post(h.client("bureau.admin"), "/bureau/orders", url.Values{"kind": {"urge"}, "title": {"督办"}, "body": {"请公开。"}, "workdays": {"5"},
			"school": {strconv.FormatInt(h.school.ID, 10), strconv.FormatInt(h.other.ID, 10)}, "obligation": {strconv.FormatInt(ob.ID, 10)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "只能发给该校一所学校") {
			t.Errorf("an obligation's order to two schools: %d", resp.StatusCode)
		}
	})
}

// TestOrders_API lists and answers through the JSON API.
func TestOrders_API(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		o := h.issueOrder(t, "关于督促公开的通知", h.school)
		h.issueOrder(t, "关于开物小学的通知", h.other)
		call := func(user, method, path, body string) (int, string) {
			t.Helper()
			hdr := http.Header{"Authorization": {"Bearer " + h.apiToken(user)}}
			ctype := ""
			if body != "" {
				ctype = "application/json"
			}
			resp, b := h.do(h.client(""), method, path, ctype, strings.NewReader(body), hdr)
			return resp.StatusCode, b
		}
		var list struct {
			Items []struct {
				ID      int64  `json:"id"`
				School  string `json:"school"`
				State   string `json:"state"`
				Number  string `json:"number"`
				Overdue bool   `json:"overdue"`
			} `json:"items"`
			Total int `json:"total"`
		}
		status, body := call("bureau.inspector", "GET", "/api/v1/orders?school=xq", "")
		if status != 200 || json.Unmarshal([]byte(body), &list) != nil || list.Total != 1 || list.Items[0].ID != o.ID || list.Items[0].School != "xq" {
			t.Fatalf("bureau list of xq: %d %s", status, body)
		}
		if status, _ := call("bureau.admin", "GET", "/api/v1/orders?state=nonsense", ""); status != http.StatusBadRequest {
			t.Errorf("unknown state: %d", status)
		}
		if status, _ := call("xq.principal", "GET", "/api/v1/orders", ""); status != http.StatusNotFound {
			t.Errorf("a principal lists the bureau's orders: %d", status)
		}
		status, body = call("xq.supervisor", "GET", "/api/v1/schools/xq/orders?state=open", "")
		if status != 200 || json.Unmarshal([]byte(body), &list) != nil || list.Total != 1 || list.Items[0].State != "issued" {
			t.Errorf("school list: %d %s", status, body)
		}
		if status, _ := call("xq.parent", "GET", "/api/v1/schools/xq/orders", ""); status != http.StatusNotFound {
			t.Errorf("a parent lists orders: %d", status)
		}
		path := fmt.Sprintf("/api/v1/orders/%d/answer", o.ID)
		if status, body := call("xq.principal", "POST", path, `{"reply": ""}`); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"reply"`) {
			t.Errorf("empty reply: %d %s", status, body)
		}
		if status, _ := call("other.principal", "POST", path, `{"reply": "已办理"}`); status != http.StatusNotFound {
			t.Errorf("another school's principal answers: %d", status)
		}
		if status, _ := call("xq.leader", "POST", path, `{"reply": "已办理"}`); status != http.StatusForbidden {
			t.Errorf("a leader answers: %d", status)
		}
		var got struct {
			State string `json:"state"`
			Reply string `json:"reply"`
			Trail []struct {
				Action string `json:"action"`
			} `json:"trail"`
		}
		status, body = call("xq.principal", "POST", path, fmt.Sprintf(`{"reply": "已公开。", "result_id": %d}`, h.published[gongkai.AudiencePublic].ID))
		if status != 200 || json.Unmarshal([]byte(body), &got) != nil || got.State != "answered" || got.Reply != "已公开。" || len(got.Trail) != 2 {
			t.Errorf("answer: %d %s", status, body)
		}
	})
}

// TestOrders_deactivatedSchoolLeftOff: the order form and the bureau's
// work page leave a deactivated school out; an order sent to it anyway is
// refused with its name, the form kept.
func TestOrders_deactivatedSchoolLeftOff(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		admin := h.client("bureau.admin")
		other := `/s/` + h.other.Slug + `/manage/"`
		if _, work := h.get(admin, "/work"); !strings.Contains(work, other) {
			t.Fatal("the active school is not on the work page: the test cannot fail")
		}
		if _, err := h.db.SetSchoolActive(context.Background(), h.actor("bureau.admin"), h.bureau.ID, h.other.ID, false, "撤并"); err != nil {
			t.Fatal(err)
		}
		_, form := h.get(admin, "/bureau/orders/new")
		if !strings.Contains(form, h.school.Name) || strings.Contains(form, h.other.Name) {
			t.Errorf("the order form offers the deactivated school %s", h.other.Name)
		}
		if _, work := h.get(admin, "/work"); strings.Contains(work, other) || !strings.Contains(work, `/s/xq/manage/"`) {
			t.Errorf("the work page lists the deactivated school")
		}
		resp, body := h.post(admin, "/bureau/orders", url.Values{"kind": {"urge"}, "title": {"关于督促公开的通知"}, "body": {"请公开。"}, "workdays": {"10"},
			"school": {strconv.FormatInt(h.other.ID, 10)}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, h.other.Name+"已停用，不能再下发督办通知。") || !strings.Contains(body, "关于督促公开的通知") {
			t.Errorf("order to the deactivated school: %d", resp.StatusCode)
		}
	})
}
