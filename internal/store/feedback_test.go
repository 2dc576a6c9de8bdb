package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// rawDB opens the test database directly, to look at what is stored.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, src := "pgx", dsn
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, src = "sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open(driver, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countRows(t *testing.T, raw *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rowsText returns every column of every row of a query as text.
func rowsText(t *testing.T, raw *sql.DB, query string, args ...any) []map[string]string {
	t.Helper()
	rows, err := raw.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for i, c := range cols {
			switch v := vals[i].(type) {
			case nil:
				m[c] = "NULL"
			case []byte:
				m[c] = string(v)
			default:
				m[c] = fmt.Sprint(v)
			}
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// person adds a member of the school with the roles.
func (f *fixture) person(t *testing.T, login string, schoolID int64, roles ...gongkai.Role) *gongkai.Actor {
	t.Helper()
	u := &gongkai.User{Username: login, DisplayName: login + "老师"}
	if err := f.db.CreateMember(context.Background(), schoolID, u, "x", roles, 0); err != nil {
		t.Fatal(err)
	}
	a, err := f.db.LoadActor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// bureauUser adds a user of the fixture's bureau.
func (f *fixture) bureauUser(t *testing.T, login string, r gongkai.Role) *gongkai.Actor {
	t.Helper()
	u := &gongkai.User{Username: login, DisplayName: r.Label() + "乙", BureauID: f.bureau.ID, BureauRole: r}
	if err := f.db.CreateUser(context.Background(), u, "x"); err != nil {
		t.Fatal(err)
	}
	a, err := f.db.LoadActor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (f *fixture) send(t *testing.T, nf gongkai.NewFeedback) (*gongkai.Feedback, string) {
	t.Helper()
	c, secret, err := f.db.CreateFeedback(context.Background(), f.school.ID, &nf)
	if err != nil {
		t.Fatalf("create %s: %v", nf.Kind, err)
	}
	return c, secret
}

func (f *fixture) handle(t *testing.T, id int64, a *gongkai.Actor, step gongkai.FeedbackStep) *gongkai.Feedback {
	t.Helper()
	c, err := f.db.HandleFeedback(context.Background(), f.school.ID, id, a, step)
	if err != nil {
		t.Fatalf("%s by %s: %v", step.Action, a.DisplayName, err)
	}
	return c
}

func day(t time.Time) string { return t.Format("2006-01-02") }

var receiptPattern = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)

func TestFeedback_wholeLoop(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		raw := rawDB(t, dsn)
		item := f.publish(t, "2026年春季学期课后服务收费公示") // Monday 03-02, period to 03-06
		parent := f.actors[gongkai.RoleParent]

		// A parent, signed in, objects anonymously and still types a name.
		c, secret := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: item.ID, Subject: "课后服务收费标准有疑问",
			Body: "公示的收费标准为每生每学期 600 元，与家长会上说的 450 元不一致，请说明。", Anonymous: true,
			SenderID: parent.ID, SenderName: "王秀英", Contact: "13800000000", Email: "wang@example.com"})
		if !receiptPattern.MatchString(c.Receipt) || len(strings.ReplaceAll(secret, "-", "")) != 28 {
			t.Fatalf("receipt %q secret %q", c.Receipt, secret)
		}
		if c.State != gongkai.FeedbackReceived || day(c.Due) != "2026-03-09" || c.DueProvisional || c.ToBureau {
			t.Fatalf("new case: %s due %s provisional %v to bureau %v", c.State, day(c.Due), c.DueProvisional, c.ToBureau)
		}
		if c.SenderID != 0 || c.SenderName != "" || c.Contact != "" || c.Email != "" {
			t.Fatalf("anonymous case keeps identity: %+v", c)
		}

		// Handling: assign, reply, plan and finish a rectification.
		depts, err := f.db.FindDepartments(ctx, f.school.ID)
		if err != nil {
			t.Fatal(err)
		}
		clerk, principal := f.actors[gongkai.RoleClerk], f.actors[gongkai.RolePrincipal]
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "答复"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("unassigned clerk replies: %v, want not found", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign}); gongkai.ErrorFields(err)["assignee"] == "" {
			t.Fatalf("assign to nobody: %v", err)
		}
		got := f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, DepartmentID: depts[1].ID, AssigneeID: clerk.ID, Comment: "请财务室核实后答复"})
		if got.State != gongkai.FeedbackAssigned || got.AssigneeID != clerk.ID || got.DepartmentID != depts[1].ID || got.AssigneeName != clerk.DisplayName {
			t.Fatalf("assigned: %+v", got)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActReply}); gongkai.ErrorFields(err)["comment"] == "" {
			t.Fatalf("reply without text: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActClose}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("close before reply: %v", err)
		}
		f.now = f.now.Add(26 * time.Hour)
		got = f.handle(t, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "经核实，450 元为去年标准，今年因增加托管时段调整为 600 元；公示中未说明调整依据，将补充公布。"})
		if got.State != gongkai.FeedbackReplied || !got.RepliedAt.Equal(f.now) {
			t.Fatalf("replied: %s at %v", got.State, got.RepliedAt)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: "补充公布调整依据"}); gongkai.ErrorFields(err)["due"] == "" {
			t.Fatalf("rectify without a deadline: %v", err)
		}
		got = f.handle(t, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActRectify, Comment: "补充公布收费调整依据和物价部门批复", Due: time.Date(2026, 3, 13, 0, 0, 0, 0, gongkai.Beijing)})
		if got.State != gongkai.FeedbackRectifying || day(got.RectifyDue) != "2026-03-13" {
			t.Fatalf("rectifying: %s %s", got.State, day(got.RectifyDue))
		}
		draft := f.draft(t, "关于课后服务收费调整依据的说明")
		for name, id := range map[string]int64{"none": 0, "a draft": draft.ID, "unknown": 999999} {
			_, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: "已补充公布", ResultID: id})
			if gongkai.ErrorFields(err)["result_id"] == "" {
				t.Errorf("rectified with %s as result: %v", name, err)
			}
		}
		if _, err := f.db.HandleFeedback(ctx, f.other.ID, c.ID, f.outsider, gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: "x", ResultID: item.ID}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("through another school: %v", err)
		}
		f.now = f.now.Add(24 * time.Hour)
		result := f.publish(t, "关于课后服务收费调整依据的补充公示")
		got = f.handle(t, c.ID, clerk, gongkai.FeedbackStep{Action: gongkai.FActRectified, Comment: "已补充公示调整依据", ResultID: result.ID})
		if got.State != gongkai.FeedbackRectified || got.ResultID != result.ID {
			t.Fatalf("rectified: %s result %d", got.State, got.ResultID)
		}
		got = f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActClose})
		if got.State != gongkai.FeedbackClosed || got.ClosedAt.IsZero() {
			t.Fatalf("closed: %s", got.State)
		}

		// The sender follows the case with the receipt and the secret.
		if _, err := f.db.LookupFeedback(ctx, c.Receipt, "wrong-secret"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("lookup with a wrong secret: %v", err)
		}
		if _, err := f.db.LookupFeedback(ctx, "ZZZZ-ZZZZ-ZZZZ-ZZZZ", secret); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("lookup with a wrong receipt: %v", err)
		}
		typed := strings.ToLower(strings.ReplaceAll(c.Receipt, "-", " "))
		seen, err := f.db.LookupFeedback(ctx, typed, strings.ToUpper(secret))
		if err != nil {
			t.Fatalf("lookup as typed: %v", err)
		}
		if seen.State != gongkai.FeedbackClosed || seen.ResultID != result.ID {
			t.Fatalf("sender sees %s result %d", seen.State, seen.ResultID)
		}
		got, err = f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingSatisfied, Body: "说明清楚"})
		if err != nil || got.Rating != gongkai.RatingSatisfied {
			t.Fatalf("rate: %v %v", got, err)
		}
		if _, err := f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("escalate a satisfied case: %v", err)
		}

		// Published as an anonymised question and answer.
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActPublishQA, QAQuestion: "课后服务收费为何调整？"}); gongkai.ErrorFields(err)["qa_answer"] == "" {
			t.Fatalf("Q&A without an answer: %v", err)
		}
		f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActPublishQA, QAQuestion: "有家长问：课后服务收费为何由 450 元调整为 600 元？",
			QAAnswer: "因本学期增加延时托管时段，经县物价部门核准调整，依据已补充公示。"})
		qa, total, err := f.db.FindQA(ctx, f.school.ID, 1)
		if err != nil || total != 1 || len(qa) != 1 {
			t.Fatalf("Q&A: %d %v", total, err)
		}
		if q := qa[0]; !strings.Contains(q.QAQuestion, "450") || q.QAAnswer == "" || q.Subject != "" || q.Body != "" || q.Receipt != "" || len(q.Messages) != 0 || q.ResultID != result.ID {
			t.Fatalf("Q&A shows %+v", q)
		}
		if _, n, _ := f.db.FindQA(ctx, f.other.ID, 1); n != 0 {
			t.Fatalf("other school's Q&A: %d", n)
		}
		counts, err := f.db.ObjectionCounts(ctx, f.school.ID, []int64{item.ID, result.ID})
		if err != nil || counts[item.ID] != (store.ObjectionCount{Total: 1, Answered: 1}) || counts[result.ID] != (store.ObjectionCount{}) {
			t.Fatalf("objection counts %v %v", counts, err)
		}
		if n, _ := f.db.ObjectionCounts(ctx, f.other.ID, []int64{item.ID}); len(n) != 0 {
			t.Fatalf("counts through another school: %v", n)
		}

		// Every step is in the thread with who and when; the sender sees no
		// internal entries.
		full, err := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, m := range full.Messages {
			steps = append(steps, string(m.Action)+"/"+m.Author)
			if m.At.IsZero() {
				t.Errorf("message %d has no time", m.ID)
			}
		}
		want := []string{"/来信人", "assign/" + principal.DisplayName, "reply/" + clerk.DisplayName, "rectify/" + clerk.DisplayName,
			"rectified/" + clerk.DisplayName, "close/" + principal.DisplayName, "rate/来信人", "publish_qa/" + principal.DisplayName}
		if !slices.Equal(steps, want) {
			t.Fatalf("thread %v\nwant %v", steps, want)
		}
		seen, _ = f.db.LookupFeedback(ctx, c.Receipt, secret)
		for _, m := range seen.Messages {
			if m.Internal || m.Action == gongkai.FActAssign || m.Action == gongkai.FActPublishQA {
				t.Errorf("sender sees internal entry %s %q", m.Action, m.Body)
			}
		}

		// Nothing of the anonymous sender is stored: not the id of the
		// account they were signed in with, not what they typed as name.
		secrets := []string{"王秀英", "13800000000", "wang@example.com", parent.DisplayName, parent.Username}
		for _, row := range rowsText(t, raw, `SELECT * FROM feedback_cases WHERE id = $1`, c.ID) {
			if row["sender_id"] != "NULL" {
				t.Errorf("sender_id stored: %s", row["sender_id"])
			}
			if row["secret_hash"] == secret || strings.Contains(row["secret_hash"], strings.ToUpper(secret)) {
				t.Errorf("secret stored in clear")
			}
			for col, v := range row {
				for _, s := range secrets {
					if strings.Contains(v, s) {
						t.Errorf("column %s holds %q", col, s)
					}
				}
			}
		}
		for _, row := range rowsText(t, raw, `SELECT * FROM feedback_messages WHERE feedback_id = $1 AND from_staff = $2`, c.ID, false) {
			if row["author_id"] != "NULL" || row["author_name"] != "来信人" {
				t.Errorf("sender message by %s %s", row["author_id"], row["author_name"])
			}
		}
		for _, row := range rowsText(t, raw, `SELECT type, data FROM outbox`) {
			for _, s := range append(secrets, fmt.Sprintf(`"sender_id":%d`, parent.ID), secret) {
				if strings.Contains(row["data"], s) {
					t.Errorf("outbox %s holds %q", row["type"], s)
				}
			}
		}
	})
}

func TestFeedback_objectionRefused(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		raw := rawDB(t, dsn)
		item := f.publish(t, "三好学生评选结果公示")
		draft := f.draft(t, "草稿：食堂承包合同")
		community := f.draft(t, "校内公示：教辅资料征订")
		community.Audience = gongkai.AudienceCommunity
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, community.ID, f.actors[gongkai.RoleClerk], community); err != nil {
			t.Fatal(err)
		}
		f.act(t, community.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, community.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, community.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, community.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		noPeriod := f.draft(t, "2026年2月食堂账目")
		noPeriod.PublicityDays = 0
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, noPeriod.ID, f.actors[gongkai.RoleClerk], noPeriod); err != nil {
			t.Fatal(err)
		}
		f.act(t, noPeriod.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, noPeriod.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, noPeriod.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, noPeriod.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")

		obj := func(id int64, sender int64) gongkai.NewFeedback {
			return gongkai.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: id, Subject: "评选程序有异议", Body: "名单中有学生本学期有违纪记录。", SenderID: sender}
		}
		tests := []struct {
			name   string
			school int64
			nf     gongkai.NewFeedback
			msg    string
		}{
			{"a draft", f.school.ID, obj(draft.ID, 0), "不存在或尚未发布"},
			{"an unknown item", f.school.ID, obj(999999, 0), "不存在或尚未发布"},
			{"another school's item", f.other.ID, obj(item.ID, 0), "不存在或尚未发布"},
			{"a community item, not signed in", f.school.ID, obj(community.ID, 0), "不存在或尚未发布"},
			{"a community item, outsider", f.school.ID, obj(community.ID, f.outsider.ID), "不存在或尚未发布"},
			{"an item without a publicity period", f.school.ID, obj(noPeriod.ID, 0), "没有设置公示期"},
			{"no item", f.school.ID, obj(0, 0), "异议须针对"},
		}
		for _, tt := range tests {
			_, _, err := f.db.CreateFeedback(ctx, tt.school, &tt.nf)
			if gongkai.ErrorCode(err) != gongkai.EINVALID || !strings.Contains(gongkai.ErrorFields(err)["disclosure"], tt.msg) {
				t.Errorf("%s: %v, want invalid disclosure %q", tt.name, err, tt.msg)
			}
		}
		if n := countRows(t, raw, "feedback_cases"); n != 0 {
			t.Fatalf("%d cases stored from refused objections", n)
		}
		// A member of the school may object to a community item.
		nf := obj(community.ID, f.actors[gongkai.RoleParent].ID)
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &nf); err != nil {
			t.Fatalf("parent objects to a community item: %v", err)
		}
		// After the period: Friday 03-06 is the last day.
		f.now = time.Date(2026, 3, 6, 23, 59, 0, 0, gongkai.Beijing)
		nf = obj(item.ID, 0)
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &nf); err != nil {
			t.Fatalf("objection on the last day: %v", err)
		}
		f.now = time.Date(2026, 3, 7, 0, 0, 1, 0, gongkai.Beijing)
		nf = obj(item.ID, 0)
		nf.Body = "另一条异议"
		_, _, err := f.db.CreateFeedback(ctx, f.school.ID, &nf)
		if gongkai.ErrorFields(err)["disclosure"] != "该事项公示期已结束，不能再提出异议；如有意见请通过意见箱反映。" {
			t.Fatalf("objection after the period: %v", err)
		}
		// An opinion about the same item is still welcome.
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindOpinion, DisclosureID: item.ID, Subject: "建议", Body: "评选标准宜提前公布。"}); err != nil {
			t.Fatalf("opinion on an item after its period: %v", err)
		}
		if n := countRows(t, raw, "feedback_cases"); n != 3 {
			t.Fatalf("%d cases, want 3", n)
		}
	})
}

func TestFeedback_nothingStoredOnBadInput(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		raw := rawDB(t, dsn)
		ok := gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "校服价格", Body: "今年校服每套 280 元，比去年贵了 60 元。"}
		tests := []struct {
			name   string
			school int64
			edit   func(nf *gongkai.NewFeedback)
			code   string
			field  string
		}{
			{"empty", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Subject, nf.Body = "", "" }, gongkai.EINVALID, "body"},
			{"huge", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Body = strings.Repeat("贵", gongkai.MaxFeedbackBody+1) }, gongkai.EINVALID, "body"},
			{"NUL", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Body = "校服\x00价格" }, gongkai.EINVALID, "body"},
			{"binary", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Body = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" }, gongkai.EINVALID, "body"},
			{"script", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Subject = "<script>document.cookie</script>" }, gongkai.EINVALID, "subject"},
			{"unknown kind", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Kind = "praise" }, gongkai.EINVALID, "kind"},
			{"bad attachment", f.school.ID, func(nf *gongkai.NewFeedback) { nf.Attachments = []gongkai.Attachment{{Filename: "a.pdf"}} }, gongkai.EINVALID, "attachments"},
			{"unknown school", 999999, func(nf *gongkai.NewFeedback) {}, gongkai.ENOTFOUND, ""},
		}
		for _, tt := range tests {
			nf := ok
			tt.edit(&nf)
			_, _, err := f.db.CreateFeedback(ctx, tt.school, &nf)
			if gongkai.ErrorCode(err) != tt.code || (tt.field != "" && gongkai.ErrorFields(err)[tt.field] == "") {
				t.Errorf("%s: %v, want %s on %q", tt.name, err, tt.code, tt.field)
			}
		}
		for _, table := range []string{"feedback_cases", "feedback_messages", "feedback_attachments"} {
			if n := countRows(t, raw, table); n != 0 {
				t.Errorf("%d rows in %s after refused input", n, table)
			}
		}
		// The same text twice within minutes is one case.
		nf := ok
		nf.Attachments = []gongkai.Attachment{{Filename: "校服价目表.jpg", ContentType: "image/jpeg", Size: 1024, SHA256: "ab", StorageKey: "k1"}}
		c, _ := f.send(t, nf)
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &nf); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("double submit: %v", err)
		}
		if n := countRows(t, raw, "feedback_cases"); n != 1 {
			t.Fatalf("%d cases after a double submit", n)
		}
		got, err := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID)
		if err != nil || len(got.Messages) != 1 || len(got.Messages[0].Attachments) != 1 || got.Messages[0].Attachments[0].Filename != "校服价目表.jpg" {
			t.Fatalf("attachment of the case: %+v %v", got, err)
		}
		a, err := f.db.FindFeedbackAttachment(ctx, f.school.ID, c.ID, got.Messages[0].Attachments[0].ID)
		if err != nil || a.StorageKey != "k1" {
			t.Fatalf("find attachment: %v %v", a, err)
		}
		if _, err := f.db.FindFeedbackAttachment(ctx, f.other.ID, c.ID, a.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("attachment through another school: %v", err)
		}
		f.now = f.now.Add(11 * time.Minute)
		if _, _, err := f.db.CreateFeedback(ctx, f.school.ID, &nf); err != nil {
			t.Fatalf("the same text later: %v", err)
		}
		// A bad step changes nothing either.
		before := countRows(t, raw, "feedback_messages")
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, f.actors[gongkai.RolePrincipal], gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "答复\x00"}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("reply with NUL: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, f.actors[gongkai.RolePrincipal], gongkai.FeedbackStep{Action: "delete"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("unknown step: %v", err)
		}
		if after := countRows(t, raw, "feedback_messages"); after != before {
			t.Fatalf("messages %d → %d after refused steps", before, after)
		}
		if got, _ := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID); got.State != gongkai.FeedbackReceived {
			t.Fatalf("state %s after refused steps", got.State)
		}
	})
}

func TestFeedback_reportAboutLeadership(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		inspector := f.bureauUser(t, "bureau-inspector", gongkai.RoleInspector)
		c, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindReport, About: gongkai.SubjectLeadership, AboutName: "校长", Anonymous: true,
			Subject: "评优向亲属倾斜", Body: "今年县级优秀教师推荐名额给了校长的亲属，推荐过程未公示。"})
		if !c.ToBureau || c.About != gongkai.SubjectLeadership || day(c.Due) != "2026-03-23" {
			t.Fatalf("leadership report: to bureau %v about %q due %s", c.ToBureau, c.About, day(c.Due))
		}
		for _, r := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor} {
			a := f.actors[r]
			list, n, err := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{Viewer: a})
			if err != nil || n != 0 || len(list) != 0 {
				t.Errorf("%s lists %d cases (%v)", r, n, err)
			}
			if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, a, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "已阅"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s notes: %v, want not found", r, err)
			}
		}
		list, n, err := f.db.FindFeedback(ctx, f.bureau.ID, 0, store.FeedbackFilter{ToBureau: true, Viewer: admin})
		if err != nil || n != 1 || list[0].ID != c.ID {
			t.Fatalf("bureau queue: %d %v", n, err)
		}
		if _, n, _ := f.db.FindFeedback(ctx, f.bureau.ID, 0, store.FeedbackFilter{ToBureau: true, Viewer: f.actors[gongkai.RolePrincipal]}); n != 0 {
			t.Fatalf("principal reads the bureau queue: %d", n)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, inspector, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("inspector replies: %v, want forbidden", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, admin, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: f.actors[gongkai.RoleSupervisor].ID}); gongkai.ErrorFields(err)["assignee"] == "" {
			t.Fatalf("bureau assigns a leadership report to the school: %v", err)
		}
		got := f.handle(t, c.ID, admin, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "教育局已立案调查，结果将另行告知。"})
		if got.State != gongkai.FeedbackReplied {
			t.Fatalf("bureau reply: %s", got.State)
		}
	})
}

func TestFeedback_reportAboutStaffMember(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		sup, sup2 := f.actors[gongkai.RoleSupervisor], f.person(t, "sup-two", f.school.ID, gongkai.RoleSupervisor, gongkai.RoleStaff)
		c, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindReport, About: gongkai.SubjectStaff, AboutName: "某老师",
			Subject: "有偿补课", Body: "某老师周末在校外组织本班学生有偿补课，每次 100 元。"})
		if c.ToBureau {
			t.Fatalf("a report about staff goes to the school's supervision group")
		}
		if _, n, _ := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{Viewer: sup2}); n != 1 {
			t.Fatalf("second supervisor sees %d reports before the person is named", n)
		}
		// Only a supervisor may record whom the report is about, a member
		// of the school.
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "x", AboutUserID: f.outsider.ID}); gongkai.ErrorFields(err)["about_user"] == "" {
			t.Fatalf("outsider recorded: %v", err)
		}
		f.handle(t, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "经初步了解，涉及监督小组成员。", AboutUserID: sup2.ID})
		if _, n, _ := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{Viewer: sup2}); n != 0 {
			t.Fatalf("the person reported sees %d reports", n)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, sup2, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "我看看"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("the person reported notes: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: sup2.ID}); gongkai.ErrorFields(err)["assignee"] == "" {
			t.Fatalf("assigned to the person reported: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: f.actors[gongkai.RoleClerk].ID}); gongkai.ErrorFields(err)["assignee"] == "" {
			t.Fatalf("report assigned to a clerk: %v", err)
		}
		full, _ := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID)
		if gongkai.CanSeeFeedback(sup2, f.bureau.ID, full) || !gongkai.CanSeeFeedback(sup, f.bureau.ID, full) {
			t.Fatalf("visibility after naming: sup2 %v sup %v", gongkai.CanSeeFeedback(sup2, f.bureau.ID, full), gongkai.CanSeeFeedback(sup, f.bureau.ID, full))
		}
		// Naming the principal sends the report to the bureau.
		c2, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindReport, Subject: "基建工程", Body: "操场改造工程未招标。"})
		got := f.handle(t, c2.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "涉及校长，移交教育局。", AboutUserID: f.actors[gongkai.RolePrincipal].ID})
		if !got.ToBureau || got.About != gongkai.SubjectLeadership {
			t.Fatalf("report naming the principal: to bureau %v about %q", got.ToBureau, got.About)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c2.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("supervisor keeps a report about the leadership: %v", err)
		}
	})
}

// TestFeedback_viewerFilterMatchesDomain checks the SQL of the queue's
// viewer filter against gongkai.CanSeeFeedback, for every kind of person
// and case.
func TestFeedback_viewerFilterMatchesDomain(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk2 := f.person(t, "clerk-two", f.school.ID, gongkai.RoleClerk)
		sup2 := f.person(t, "sup-two", f.school.ID, gongkai.RoleSupervisor)
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		inspector := f.bureauUser(t, "bureau-inspector", gongkai.RoleInspector)
		principal, sup := f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleSupervisor]
		mk := func(kind gongkai.FeedbackKind, about gongkai.Subject, body string) *gongkai.Feedback {
			c, _ := f.send(t, gongkai.NewFeedback{Kind: kind, About: about, Subject: "主题" + body, Body: body})
			return c
		}
		mk(gongkai.KindOpinion, "", "意见一")
		c := mk(gongkai.KindMailbox, "", "来信二")
		f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: clerk2.ID})
		mk(gongkai.KindReport, "", "举报三")
		mk(gongkai.KindReport, gongkai.SubjectLeadership, "举报四")
		c = mk(gongkai.KindReport, "", "举报五")
		f.handle(t, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "涉及人员", AboutUserID: sup2.ID})
		c = mk(gongkai.KindReport, "", "举报六")
		f.handle(t, c.ID, sup, gongkai.FeedbackStep{Action: gongkai.FActNote, Comment: "涉及人员", AboutUserID: clerk2.ID})
		c = mk(gongkai.KindRequest, "", "点题七")
		f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: clerk2.ID})
		f.now = f.now.AddDate(0, 0, 14)
		c, secret := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "逾期", Body: "意见八"})
		f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActAssign, AssigneeID: clerk2.ID})
		f.now = f.now.AddDate(0, 0, 14)
		if _, err := f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate, Body: "逾期未答复"}); err != nil {
			t.Fatal(err)
		}
		item := f.publish(t, "学生资助名单公示")
		f.send(t, gongkai.NewFeedback{Kind: gongkai.KindObjection, DisclosureID: item.ID, Subject: "异议", Body: "九"})
		all, n, err := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{PerPage: 100})
		if err != nil || n != 9 {
			t.Fatalf("all: %d %v", n, err)
		}
		viewers := map[string]*gongkai.Actor{"clerk2": clerk2, "sup2": sup2, "admin": admin, "inspector": inspector, "outsider": f.outsider, "anonymous": {}}
		for r, a := range f.actors {
			viewers[string(r)] = a
		}
		for name, v := range viewers {
			var want []int64
			for _, c := range all {
				full, _ := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID)
				if gongkai.CanSeeFeedback(v, f.bureau.ID, full) {
					want = append(want, c.ID)
				}
			}
			list, total, err := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{Viewer: v, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range list {
				got = append(got, c.ID)
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || total != len(want) {
				t.Errorf("%s: queue %v (total %d), domain %v", name, got, total, want)
			}
		}
		// The other filters.
		check := func(name string, flt store.FeedbackFilter, want int) {
			t.Helper()
			flt.PerPage = 100
			_, n, err := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, flt)
			if err != nil || n != want {
				t.Errorf("%s: %d, want %d (%v)", name, n, want, err)
			}
		}
		check("reports", store.FeedbackFilter{Kinds: []gongkai.FeedbackKind{gongkai.KindReport}}, 4)
		check("assigned", store.FeedbackFilter{States: []gongkai.FeedbackState{gongkai.FeedbackAssigned}}, 3)
		check("open", store.FeedbackFilter{Open: true}, 9)
		check("overdue", store.FeedbackFilter{Overdue: true}, 7) // all but the one just sent and the escalated case with its new deadline
		check("assigned to clerk2", store.FeedbackFilter{AssigneeID: clerk2.ID}, 3)
		check("search", store.FeedbackFilter{Query: "举报"}, 4)
		check("search with wildcard", store.FeedbackFilter{Query: "%"}, 0)
		check("to the bureau", store.FeedbackFilter{ToBureau: true}, 2)
		check("by receipt", store.FeedbackFilter{Query: strings.ToLower(c.Receipt)}, 1)
		if _, n, _ := f.db.FindFeedback(ctx, f.bureau.ID, f.other.ID, store.FeedbackFilter{}); n != 0 {
			t.Errorf("other school lists %d", n)
		}
		if _, _, err := f.db.FindFeedback(ctx, 0, 0, store.FeedbackFilter{}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("no school: %v", err)
		}
	})
}

func TestFeedback_requestSupport(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		s, err := f.db.FindFeedbackSettings(ctx, f.school.ID)
		if err != nil || s.SupportThreshold != 10 || s.ReplyDays[gongkai.KindRequest] != 15 {
			t.Fatalf("default settings: %+v %v", s, err)
		}
		s.SupportThreshold = 3
		if err := f.db.UpdateFeedbackSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		c, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindRequest, Subject: "请公开校车运营合同和收费依据", Body: "校车每月收费 180 元，希望公开合同。"})
		var people []*gongkai.Actor
		for _, r := range []gongkai.Role{gongkai.RoleParent, gongkai.RoleStaff, gongkai.RoleRepresentative} {
			people = append(people, f.actors[r])
		}
		for i, p := range people {
			n, err := f.db.SupportRequest(ctx, f.school.ID, c.ID, p.ID)
			if err != nil || n != i+1 {
				t.Fatalf("support %d: %d %v", i, n, err)
			}
			again, err := f.db.SupportRequest(ctx, f.school.ID, c.ID, p.ID)
			if err != nil || again != i+1 {
				t.Fatalf("support twice: %d %v", again, err)
			}
			got, _ := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID)
			if got.MustAnswerPublicly != (i+1 >= 3) {
				t.Fatalf("after %d supporters must answer publicly = %v", i+1, got.MustAnswerPublicly)
			}
		}
		if _, err := f.db.SupportRequest(ctx, f.other.ID, c.ID, people[0].ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("support through another school: %v", err)
		}
		if _, err := f.db.SupportRequest(ctx, f.school.ID, c.ID, 0); gongkai.ErrorCode(err) != gongkai.EUNAUTHENTICATED {
			t.Fatalf("support signed out: %v", err)
		}
		op, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "意见", Body: "意见"})
		if _, err := f.db.SupportRequest(ctx, f.school.ID, op.ID, people[0].ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("support an opinion: %v", err)
		}
		reqs, n, err := f.db.FindRequests(ctx, f.school.ID, 1)
		if err != nil || n != 1 || reqs[0].Subject != c.Subject || reqs[0].Supporters != 3 || reqs[0].Body != "" {
			t.Fatalf("public requests: %d %+v %v", n, reqs, err)
		}

		// A request ends in a published disclosure or a public refusal.
		principal := f.actors[gongkai.RolePrincipal]
		f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "学校将整理校车合同后公开。"})
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActClose}); gongkai.ErrorFields(err)["result_id"] == "" {
			t.Fatalf("request closed without a public answer: %v", err)
		}
		d := f.publish(t, "校车运营服务合同及收费依据公开")
		got := f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已公开，见链接。", ResultID: d.ID})
		if got.ResultID != d.ID {
			t.Fatalf("reply links %d", got.ResultID)
		}
		if got = f.handle(t, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActClose}); got.State != gongkai.FeedbackClosed {
			t.Fatalf("close: %s", got.State)
		}
		if _, err := f.db.SupportRequest(ctx, f.school.ID, c.ID, f.actors[gongkai.RoleClerk].ID); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("support a closed request: %v", err)
		}

		r2, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindRequest, Subject: "请公开全体教师工资明细", Body: "希望公开每位老师的工资。"})
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, r2.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActDecline}); gongkai.ErrorFields(err)["comment"] == "" {
			t.Fatalf("decline without a reason: %v", err)
		}
		f.handle(t, r2.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: "个人工资属于个人信息，不予公开；学校已按规定公开绩效工资分配方案。"})
		qa, _, _ := f.db.FindQA(ctx, f.school.ID, 1)
		if len(qa) != 1 || qa[0].QAQuestion != r2.Subject || !strings.Contains(qa[0].QAAnswer, "个人信息") || qa[0].State != gongkai.FeedbackDeclined {
			t.Fatalf("public refusal: %+v", qa)
		}
	})
}

func TestFeedback_escalation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		admin := f.bureauUser(t, "bureau-admin", gongkai.RoleBureauAdmin)
		principal, parent := f.actors[gongkai.RolePrincipal], f.actors[gongkai.RoleParent]
		c, secret := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindMailbox, Subject: "校车路线", Body: "校车不经过兰圃村，孩子每天要走 2 公里。",
			SenderID: parent.ID, SenderName: "家长吴某", Email: "wu@example.com"})
		if c.SenderID != parent.ID || c.Email != "wu@example.com" {
			t.Fatalf("named sender not kept: %+v", c)
		}
		if _, err := f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("escalate within the deadline: %v", err)
		}
		if _, err := f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingUnsatisfied}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("rate before an answer: %v", err)
		}
		if _, err := f.db.SenderAct(ctx, c.Receipt, "", f.actors[gongkai.RoleStaff].ID, gongkai.SenderStep{Action: gongkai.FActMessage, Body: "补充"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("someone else as sender: %v", err)
		}
		// The named sender, signed in, needs no secret.
		got, err := f.db.SenderAct(ctx, c.Receipt, "", parent.ID, gongkai.SenderStep{Action: gongkai.FActMessage, Body: "补充：兰圃村有 23 名学生。"})
		if err != nil || got.Messages[len(got.Messages)-1].Author != "家长吴某" || got.Messages[len(got.Messages)-1].AuthorID != parent.ID {
			t.Fatalf("sender's message: %v", err)
		}
		// 03-02 + 5 working days = 03-09; on 03-10 the case is overdue.
		f.now = time.Date(2026, 3, 10, 8, 0, 0, 0, gongkai.Beijing)
		got, err = f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate, Body: "超过期限未答复。"})
		if err != nil || !got.Escalated || !got.ToBureau || got.State != gongkai.FeedbackReceived {
			t.Fatalf("escalate overdue: %+v %v", got, err)
		}
		if _, err := f.db.SenderAct(ctx, c.Receipt, secret, 0, gongkai.SenderStep{Action: gongkai.FActEscalate}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("escalate twice: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Fatalf("school replies to an escalated case: %v, want forbidden (it still sees it)", err)
		}
		if _, n, _ := f.db.FindFeedback(ctx, f.bureau.ID, f.school.ID, store.FeedbackFilter{Viewer: principal}); n != 1 {
			t.Fatalf("the school no longer sees its escalated case")
		}
		f.handle(t, c.ID, admin, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已责成学校调整校车路线，下周起经过兰圃村。"})

		// Replied, then rated unsatisfied: the case reopens for the bureau.
		f.now = time.Date(2026, 3, 11, 9, 0, 0, 0, gongkai.Beijing)
		c2, secret2 := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "午餐分量", Body: "午餐分量偏少。", Anonymous: true})
		f.handle(t, c2.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "已与供餐公司沟通。"})
		f.handle(t, c2.ID, principal, gongkai.FeedbackStep{Action: gongkai.FActClose})
		if _, err := f.db.SenderAct(ctx, c2.Receipt, secret2, 0, gongkai.SenderStep{Action: gongkai.FActEscalate}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Fatalf("escalate before rating: %v", err)
		}
		if _, err := f.db.SenderAct(ctx, c2.Receipt, secret2, 0, gongkai.SenderStep{Action: gongkai.FActRate, Rating: "meh"}); gongkai.ErrorFields(err)["rating"] == "" {
			t.Fatalf("unknown rating: %v", err)
		}
		f.now = f.now.Add(2 * time.Hour)
		if _, err := f.db.SenderAct(ctx, c2.Receipt, secret2, 0, gongkai.SenderStep{Action: gongkai.FActRate, Rating: gongkai.RatingUnsatisfied, Body: "没有改善"}); err != nil {
			t.Fatal(err)
		}
		got, err = f.db.SenderAct(ctx, c2.Receipt, secret2, 0, gongkai.SenderStep{Action: gongkai.FActEscalate})
		if err != nil || got.State != gongkai.FeedbackReceived || !got.ClosedAt.IsZero() || day(got.Due) != "2026-03-18" {
			t.Fatalf("escalate unsatisfied: %s closed %v due %s %v", got.State, got.ClosedAt, day(got.Due), err)
		}
	})
}

func TestFeedback_settingsChangeDeadline(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		nf := gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "意见", Body: "图书室开放时间太短。"}
		c, _ := f.send(t, nf)
		if day(c.Due) != "2026-03-09" {
			t.Fatalf("default: %s", day(c.Due))
		}
		bad := []store.FeedbackSettings{
			{SchoolID: f.school.ID, ReplyDays: map[gongkai.FeedbackKind]int{gongkai.KindOpinion: 0}, SupportThreshold: 10},
			{SchoolID: f.school.ID, ReplyDays: map[gongkai.FeedbackKind]int{gongkai.KindReport: 61}, SupportThreshold: 10},
			{SchoolID: f.school.ID, SupportThreshold: 1},
			{SchoolID: f.school.ID, SupportThreshold: 10, WebhookURL: "ftp://example.com/x", WebhookSecret: "s"},
			{SchoolID: f.school.ID, SupportThreshold: 10, WebhookURL: "https://example.com/hook"},
			{SchoolID: f.school.ID, SupportThreshold: 10, NotifyEmail: "x"},
		}
		for i, s := range bad {
			if err := f.db.UpdateFeedbackSettings(ctx, &s); gongkai.ErrorCode(err) != gongkai.EINVALID {
				t.Errorf("bad settings %d: %v", i, err)
			}
		}
		if err := f.db.UpdateFeedbackSettings(ctx, &store.FeedbackSettings{SchoolID: 999999, SupportThreshold: 10}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("unknown school: %v", err)
		}
		s := &store.FeedbackSettings{SchoolID: f.school.ID, ReplyDays: map[gongkai.FeedbackKind]int{gongkai.KindOpinion: 2, gongkai.KindRequest: 20},
			SupportThreshold: 8, NotifyEmail: "xzb@example.com", WebhookURL: "https://example.com/hook", WebhookSecret: "s3cret"}
		if err := f.db.UpdateFeedbackSettings(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.FindFeedbackSettings(ctx, f.school.ID)
		if err != nil || got.ReplyDays[gongkai.KindOpinion] != 2 || got.ReplyDays[gongkai.KindRequest] != 20 || got.ReplyDays[gongkai.KindReport] != 15 ||
			got.SupportThreshold != 8 || got.WebhookSecret != "s3cret" {
			t.Fatalf("settings read back: %+v %v", got, err)
		}
		if other, _ := f.db.FindFeedbackSettings(ctx, f.other.ID); other.ReplyDays[gongkai.KindOpinion] != 5 {
			t.Fatalf("other school's settings changed")
		}
		nf.Body = "图书室周末不开放。"
		c, _ = f.send(t, nf)
		if day(c.Due) != "2026-03-04" {
			t.Fatalf("2 working days from Monday: %s, want 2026-03-04", day(c.Due))
		}
		// The first case keeps its deadline.
		if old, _ := f.db.FindFeedbackByID(ctx, f.school.ID, c.ID-1); day(old.Due) != "2026-03-09" {
			t.Fatalf("an earlier case moved to %s", day(old.Due))
		}
	})
}

func TestFeedback_replyTemplates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		tpl := &store.ReplyTemplate{SchoolID: f.school.ID, Kind: gongkai.KindObjection, Title: "异议已受理", Body: "您的异议已收到，学校将在公示期内核实并答复。"}
		if err := f.db.SaveReplyTemplate(ctx, tpl); err != nil || tpl.ID == 0 {
			t.Fatalf("create: %v", err)
		}
		if err := f.db.SaveReplyTemplate(ctx, &store.ReplyTemplate{SchoolID: f.school.ID, Title: "", Body: ""}); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("empty template: %v", err)
		}
		tpl.Body = "您的异议已收到，学校将在 5 个工作日内答复。"
		if err := f.db.SaveReplyTemplate(ctx, tpl); err != nil {
			t.Fatal(err)
		}
		stolen := *tpl
		stolen.SchoolID = f.other.ID
		if err := f.db.SaveReplyTemplate(ctx, &stolen); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("update through another school: %v", err)
		}
		list, err := f.db.FindReplyTemplates(ctx, f.school.ID)
		if err != nil || len(list) != 1 || !strings.Contains(list[0].Body, "5 个工作日") {
			t.Fatalf("templates: %+v %v", list, err)
		}
		if other, _ := f.db.FindReplyTemplates(ctx, f.other.ID); len(other) != 0 {
			t.Fatalf("other school's templates: %d", len(other))
		}
		if err := f.db.DeleteReplyTemplate(ctx, f.other.ID, tpl.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("delete through another school: %v", err)
		}
		if err := f.db.DeleteReplyTemplate(ctx, f.school.ID, tpl.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestFeedback_otherSchoolNotFound(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		c, _ := f.send(t, gongkai.NewFeedback{Kind: gongkai.KindOpinion, Subject: "意见", Body: "意见"})
		if _, err := f.db.FindFeedbackByID(ctx, f.other.ID, c.ID); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("found through another school: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.other.ID, c.ID, f.outsider, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("handled through another school: %v", err)
		}
		if _, err := f.db.HandleFeedback(ctx, f.school.ID, c.ID, f.outsider, gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "x"}); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("handled by an outsider: %v", err)
		}
		if id, err := f.db.FindFeedbackSchoolID(ctx, c.ID); err != nil || id != f.school.ID {
			t.Fatalf("school of the case: %d %v", id, err)
		}
		if _, err := f.db.FindFeedbackSchoolID(ctx, c.ID+1000); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("unknown case: %v", err)
		}
	})
}
