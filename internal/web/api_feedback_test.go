package web

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

var matrixFeedback sync.Map // *harness → case id

// matrixFeedbackID returns an anonymous opinion sent to school xq, made
// once per harness, for routes with a feedback {id}: the leadership
// handles it, the supervision group and the bureau see it.
func (h *harness) matrixFeedbackID(t *testing.T) int64 {
	t.Helper()
	if id, ok := matrixFeedback.Load(h); ok {
		return id.(int64)
	}
	f, _, err := h.db.CreateFeedback(context.Background(), h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, Anonymous: true,
		Subject: "建议延长图书室开放时间", Body: "图书室中午不开放，学生没有时间借书。"})
	must(t, err)
	matrixFeedback.Store(h, f.ID)
	return f.ID
}

type testFeedbackReceipt struct {
	Receipt        string  `json:"receipt"`
	Secret         string  `json:"secret"`
	State          string  `json:"state"`
	Due            *string `json:"due"`
	DueProvisional bool    `json:"due_provisional"`
	ToBureau       bool    `json:"to_bureau"`
	Notice         string  `json:"notice"`
}

type testFeedbackMessage struct {
	Action   string `json:"action"`
	Author   string `json:"author"`
	Body     string `json:"body"`
	Internal bool   `json:"internal"`
}

type testFeedbackSender struct {
	Receipt      string                `json:"receipt"`
	Subject      string                `json:"subject"`
	State        string                `json:"state"`
	Rating       string                `json:"rating"`
	CanRate      bool                  `json:"can_rate"`
	CanEscalate  bool                  `json:"can_escalate"`
	EscalateNote string                `json:"escalate_note"`
	Department   string                `json:"department"`
	Messages     []testFeedbackMessage `json:"messages"`
}

type testFeedbackDetail struct {
	ID         int64                 `json:"id"`
	Kind       string                `json:"kind"`
	State      string                `json:"state"`
	Subject    string                `json:"subject"`
	Body       string                `json:"body"`
	Anonymous  bool                  `json:"anonymous"`
	SenderName string                `json:"sender_name"`
	Contact    string                `json:"contact"`
	Assignee   string                `json:"assignee"`
	Due        *string               `json:"due"`
	QAQuestion string                `json:"qa_question"`
	Messages   []testFeedbackMessage `json:"messages"`
	Actions    []string              `json:"actions"`
	URL        string                `json:"url"`
}

type testFeedbackList struct {
	Items []testFeedbackDetail `json:"items"`
	Total int                  `json:"total"`
}

var receiptShape = regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

func TestAPIFeedback_loop(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := h.published[gongkai.AudiencePublic]
		principal, clerk := h.apiToken("xq.principal"), h.apiToken("xq.clerk")

		// A parent, signed in, objects anonymously and types a name anyway.
		status, body, hdr := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", h.apiToken("xq.parent"), map[string]any{
			"kind": "objection", "disclosure_id": item.ID, "subject": "公示金额有误", "body": "第三行合计与明细不符，请核对。",
			"anonymous": true, "name": "家长陈某", "contact": "13900000000"})
		if status != http.StatusCreated || hdr.Get("Cache-Control") != "no-store" {
			t.Fatalf("create: %d %s %s", status, hdr.Get("Cache-Control"), body)
		}
		rc := apiJSON[testFeedbackReceipt](t, body)
		if !receiptShape.MatchString(rc.Receipt) || len(rc.Secret) < 28 || rc.State != "received" || rc.Due == nil || !isoDate.MatchString(*rc.Due) || rc.Notice == "" {
			t.Fatalf("receipt: %+v", rc)
		}
		stored, _, err := h.db.FindFeedback(context.Background(), h.bureau.ID, h.school.ID, store.FeedbackFilter{})
		must(t, err)
		if len(stored) != 1 || stored[0].SenderID != 0 || stored[0].SenderName != "" || stored[0].Contact != "" || !stored[0].Anonymous {
			t.Fatalf("stored: %+v", stored)
		}
		id := stored[0].ID

		// The sender follows the case; secrets go in the body.
		status, body, _ = h.apiCall(t, "POST", "/api/v1/feedback/lookup", "", map[string]string{"receipt": strings.ToLower(rc.Receipt), "secret": rc.Secret})
		if status != http.StatusOK {
			t.Fatalf("lookup: %d %s", status, body)
		}
		if v := apiJSON[testFeedbackSender](t, body); v.State != "received" || len(v.Messages) != 1 || v.Messages[0].Author != "来信人" || v.CanRate || v.CanEscalate || v.EscalateNote == "" {
			t.Fatalf("sender view: %+v", v)
		}
		for name, in := range map[string]map[string]string{
			"wrong secret":  {"receipt": rc.Receipt, "secret": "abcd-efgh"},
			"wrong receipt": {"receipt": "0000-0000-0000-0000", "secret": rc.Secret},
		} {
			if status, body, _ := h.apiCall(t, "POST", "/api/v1/feedback/lookup", "", in); status != http.StatusNotFound || !strings.Contains(body, "回执码或查询密码不正确") {
				t.Errorf("%s: %d %s", name, status, body)
			}
		}
		if status, body, _ := h.apiCall(t, "POST", "/api/v1/feedback/lookup", "", map[string]string{"receipt": rc.Receipt}); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"secret"`) {
			t.Errorf("lookup without secret: %d %s", status, body)
		}

		// Staff queues show what each may see.
		for _, tc := range []struct {
			user   string
			status int
			total  int
		}{{"xq.principal", 200, 1}, {"xq.supervisor", 200, 1}, {"xq.clerk", 200, 0}, {"xq.staff", 200, 0}, {"bureau.inspector", 200, 1}, {"xq.parent", 403, 0}, {"other.principal", 403, 0}} {
			status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/feedback?open=true", h.apiToken(tc.user), nil)
			if status != tc.status || (status == 200 && apiJSON[testFeedbackList](t, body).Total != tc.total) {
				t.Errorf("%s lists: %d %s, want %d with %d", tc.user, status, body, tc.status, tc.total)
			}
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/feedback", "", nil); status != http.StatusUnauthorized {
			t.Errorf("anonymous lists: %d", status)
		}
		if status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/feedback?state=lost&kind=praise&open=maybe", principal, nil); status != http.StatusBadRequest || !strings.Contains(body, `"kind"`) || !strings.Contains(body, `"open"`) {
			t.Errorf("bad filters: %d %s", status, body)
		}
		path := fmt.Sprintf("/api/v1/feedback/%d", id)
		status, body, _ = h.apiCall(t, "GET", path, principal, nil)
		d := apiJSON[testFeedbackDetail](t, body)
		if status != 200 || d.SenderName != "" || d.Contact != "" || !d.Anonymous || !contains(d.Actions, "assign") {
			t.Fatalf("principal reads: %d %+v", status, d)
		}
		for _, u := range []string{"xq.clerk", "other.principal", "xq.parent"} {
			if status, _, _ := h.apiCall(t, "GET", path, h.apiToken(u), nil); status != http.StatusNotFound {
				t.Errorf("%s reads the case: %d", u, status)
			}
		}

		// Handling through the API.
		status, body, _ = h.apiCall(t, "POST", path+"/assign", principal, map[string]any{"assignee_id": h.users["xq.clerk"].ID, "comment": "请财务室核对"})
		if status != 200 || apiJSON[testFeedbackDetail](t, body).Assignee == "" {
			t.Fatalf("assign: %d %s", status, body)
		}
		if status, _, _ := h.apiCall(t, "GET", path, clerk, nil); status != 200 {
			t.Fatalf("assigned clerk reads: %d", status)
		}
		for _, tc := range []struct {
			name, user, action string
			in                 any
			status             int
			field              string
		}{
			{"unknown step", "xq.principal", "delete", "", 404, ""},
			{"reply without text", "xq.clerk", "reply", "", 422, "comment"},
			{"close before reply", "xq.clerk", "close", "", 409, ""},
			{"inspector notes", "bureau.inspector", "note", map[string]string{"comment": "阅"}, 403, ""},
			{"bad date", "xq.principal", "assign", map[string]any{"assignee_id": h.users["xq.clerk"].ID, "due": "next week"}, 400, "due"},
			{"assign to a parent", "xq.principal", "assign", map[string]any{"assignee_id": h.users["xq.parent"].ID}, 422, "assignee_id"},
			{"rectify before reply", "xq.clerk", "rectify", map[string]any{"comment": "整改", "due": "2099-01-01"}, 409, ""},
		} {
			status, body, _ := h.apiCall(t, "POST", path+"/"+tc.action, h.apiToken(tc.user), tc.in)
			if status != tc.status || (tc.field != "" && !strings.Contains(body, `"`+tc.field+`"`)) {
				t.Errorf("%s: %d %s, want %d on %q", tc.name, status, body, tc.status, tc.field)
			}
		}
		status, body, _ = h.apiCall(t, "POST", path+"/reply", clerk, map[string]string{"comment": "经核对，第三行合计笔误，已更正为 12,000.00 元。"})
		if status != 200 || apiJSON[testFeedbackDetail](t, body).State != "replied" {
			t.Fatalf("reply: %d %s", status, body)
		}
		h.apiCall(t, "POST", path+"/note", principal, map[string]string{"comment": "内部：提醒财务室复核"})

		// The sender reads the reply (not the notes), rates it, adds a word.
		follow := func(in map[string]string) (int, string) {
			in["receipt"], in["secret"] = rc.Receipt, rc.Secret
			status, body, _ := h.apiCall(t, "POST", "/api/v1/feedback/follow-up", "", in)
			return status, body
		}
		if status, body := follow(map[string]string{"action": "escalate"}); status != http.StatusConflict {
			t.Fatalf("escalate a fresh answer: %d %s", status, body)
		}
		if status, body := follow(map[string]string{"action": "rate", "rating": "great"}); status != 422 || !strings.Contains(body, `"rating"`) {
			t.Fatalf("bad rating: %d %s", status, body)
		}
		if status, body := follow(map[string]string{"action": "shout"}); status != 422 || !strings.Contains(body, `"action"`) {
			t.Fatalf("bad action: %d %s", status, body)
		}
		status, body = follow(map[string]string{"action": "rate", "rating": "basic", "body": "答复及时"})
		v := apiJSON[testFeedbackSender](t, body)
		if status != 200 || v.Rating != "basic" || v.State != "replied" {
			t.Fatalf("rate: %d %s", status, body)
		}
		for _, m := range v.Messages {
			if m.Internal || strings.Contains(m.Body, "内部") || m.Action == "assign" {
				t.Errorf("sender reads internal entry %+v", m)
			}
		}
		if status, body := follow(map[string]string{"action": "message", "body": "谢谢，已看到更正。"}); status != 200 || !strings.Contains(body, "已看到更正") {
			t.Fatalf("message: %d %s", status, body)
		}
		h.apiCall(t, "POST", path+"/close", principal, nil)
		status, body, _ = h.apiCall(t, "POST", path+"/publish_qa", principal, map[string]string{"qa_question": "公示合计与明细不符怎么办？", "qa_answer": "经核对为笔误，已更正。"})
		if status != 200 || apiJSON[testFeedbackDetail](t, body).QAQuestion == "" {
			t.Fatalf("publish Q&A: %d %s", status, body)
		}
		counts, err := h.db.ObjectionCounts(context.Background(), h.school.ID, []int64{item.ID})
		if err != nil || counts[item.ID] != (store.ObjectionCount{Total: 1, Answered: 1}) {
			t.Fatalf("objection counts %v %v", counts, err)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestAPIFeedback_badInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ok := func() map[string]any {
			return map[string]any{"kind": "opinion", "subject": "课后服务时间", "body": "课后服务结束时间太晚，低年级学生很累。"}
		}
		with := func(k string, v any) map[string]any {
			m := ok()
			m[k] = v
			return m
		}
		tests := []struct {
			name   string
			token  string
			body   any
			status int
			field  string
		}{
			{"empty object", "", "{}", 422, "subject"},
			{"empty text", "", with("body", "   "), 422, "body"},
			{"over 20,000 characters", "", with("body", strings.Repeat("长", gongkai.MaxFeedbackBody+1)), 422, "body"},
			{"over 1 MB", "", with("body", strings.Repeat("x", 1<<20)), 413, ""},
			{"NUL", "", with("body", "正文\x00"), 422, "body"},
			{"binary", "", with("body", "\x7fELF\x02\x01\x01\x00\x00\x00"), 422, "body"},
			{"script", "", with("subject", `<script>alert("x")</script>`), 422, "subject"},
			{"unknown kind", "", with("kind", "praise"), 422, "kind"},
			{"number for text", "", `{"kind":"opinion","subject":5,"body":"x"}`, 400, "subject"},
			{"not JSON", "", `kind=opinion`, 400, ""},
			{"objection without item", "", with("kind", "objection"), 422, "disclosure_id"},
			{"objection on a draft", "", map[string]any{"kind": "objection", "disclosure_id": h.draft.ID, "subject": "异议", "body": "内容"}, 422, "disclosure_id"},
			{"objection on another school's item", "", map[string]any{"kind": "objection", "disclosure_id": h.otherItem.ID, "subject": "异议", "body": "内容"}, 422, "disclosure_id"},
			{"objection on a community item, signed out", "", map[string]any{"kind": "objection", "disclosure_id": h.published[gongkai.AudienceCommunity].ID, "subject": "异议", "body": "内容"}, 422, "disclosure_id"},
			{"unknown item", "", map[string]any{"kind": "objection", "disclosure_id": 987654, "subject": "异议", "body": "内容"}, 422, "disclosure_id"},
		}
		for _, tt := range tests {
			h.srv.limiter = newLimiter()
			status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", tt.token, tt.body)
			if status != tt.status || (tt.field != "" && !strings.Contains(body, `"`+tt.field+`"`)) {
				t.Errorf("%s: %d %.300s, want %d on %q", tt.name, status, body, tt.status, tt.field)
			}
		}
		if status, _, _ := h.apiCall(t, "POST", "/api/v1/schools/nope/feedback", "", ok()); status != 404 {
			t.Errorf("unknown school: %d", status)
		}
		if _, n, _ := h.db.FindFeedback(context.Background(), h.bureau.ID, h.school.ID, store.FeedbackFilter{}); n != 0 {
			t.Fatalf("%d cases stored from bad input", n)
		}

		// A member may object to a community item; after the period nobody may.
		h.srv.limiter = newLimiter()
		in := map[string]any{"kind": "objection", "disclosure_id": h.published[gongkai.AudienceCommunity].ID, "subject": "异议", "body": "名单有误"}
		if status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", h.apiToken("xq.parent"), in); status != 201 {
			t.Fatalf("member objects: %d %s", status, body)
		}
		saved := h.db.Now
		h.db.Now = func() time.Time { return time.Now().AddDate(0, 0, 30) }
		in = map[string]any{"kind": "objection", "disclosure_id": h.published[gongkai.AudiencePublic].ID, "subject": "异议", "body": "金额有误"}
		status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", "", in)
		h.db.Now = saved
		if status != 422 || !strings.Contains(body, "该事项公示期已结束，不能再提出异议；如有意见请通过意见箱反映。") {
			t.Fatalf("objection after the period: %d %s", status, body)
		}

		// A double click is one case; a flood is refused in Chinese.
		h.srv.limiter = newLimiter()
		if status, _, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", "", ok()); status != 201 {
			t.Fatalf("create: %d", status)
		}
		if status, _, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", "", ok()); status != http.StatusConflict {
			t.Fatalf("double submit: %d", status)
		}
		var last int
		var lastBody string
		for i := 0; i < 6; i++ {
			last, lastBody, _ = h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", "", with("body", fmt.Sprintf("第 %d 条意见", i)))
		}
		if last != http.StatusTooManyRequests || !strings.Contains(lastBody, "频繁") {
			t.Fatalf("flood: %d %s", last, lastBody)
		}
		if _, n, _ := h.db.FindFeedback(context.Background(), h.bureau.ID, h.school.ID, store.FeedbackFilter{}); n != 5 {
			t.Fatalf("%d cases after a flood, want 5 (the member's objection and four of the flood)", n)
		}
	})
}

func TestAPIFeedback_lookupRateLimited(t *testing.T) {
	h := newHarness(t, testdb.New(t, "sqlite"))
	var last int
	for i := 0; i < feedbackLookupBurst+1; i++ {
		last, _, _ = h.apiCall(t, "POST", "/api/v1/feedback/lookup", "", map[string]string{"receipt": "0000-0000-0000-0000", "secret": fmt.Sprint(i)})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("lookup %d: %d, want 429", feedbackLookupBurst+1, last)
	}
	// Following up checks secrets too and shares the bucket.
	if status, _, _ := h.apiCall(t, "POST", "/api/v1/feedback/follow-up", "", map[string]string{"receipt": "0000-0000-0000-0000", "secret": "x", "action": "message", "body": "x"}); status != http.StatusTooManyRequests {
		t.Fatalf("follow-up after the limit: %d", status)
	}
}

func TestAPIFeedback_leadershipReport(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/feedback", "", map[string]any{
			"kind": "report", "about": "leadership", "about_name": "校长", "anonymous": true,
			"subject": "食堂采购回扣", "body": "食堂食材采购由校长亲属供货，价格明显高于市场价。"})
		rc := apiJSON[testFeedbackReceipt](t, body)
		if status != 201 || !rc.ToBureau {
			t.Fatalf("report: %d %s", status, body)
		}
		for _, u := range []string{"xq.principal", "xq.leader", "xq.supervisor"} {
			status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/feedback", h.apiToken(u), nil)
			if status != 200 || apiJSON[testFeedbackList](t, body).Total != 0 {
				t.Errorf("%s lists the report: %d %s", u, status, body)
			}
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/feedback?kind=report", h.apiToken("bureau.admin"), nil)
		list := apiJSON[testFeedbackList](t, body)
		if status != 200 || list.Total != 1 {
			t.Fatalf("bureau lists: %d %s", status, body)
		}
		path := list.Items[0].URL
		if status, _, _ := h.apiCall(t, "GET", path, h.apiToken("xq.principal"), nil); status != 404 {
			t.Fatalf("principal reads the report about the leadership: %d", status)
		}
		status, body, _ = h.apiCall(t, "POST", path+"/reply", h.apiToken("bureau.admin"), map[string]string{"comment": "教育局纪检组已受理，将依规核查。"})
		if status != 200 {
			t.Fatalf("bureau replies: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "POST", "/api/v1/feedback/lookup", "", map[string]string{"receipt": rc.Receipt, "secret": rc.Secret})
		if v := apiJSON[testFeedbackSender](t, body); status != 200 || v.State != "replied" || !strings.Contains(body, "纪检组") {
			t.Fatalf("sender reads the bureau's reply: %d %s", status, body)
		}
	})
}
