package web

import (
	"context"
	"encoding/json"
	"fmt"
	"gongkai/internal/scrub/scrubtest"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/demo"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// assess records the principal's impact assessment of a catalogue item of xq.
func (h *harness) assess(t *testing.T, code string) {
	t.Helper()
	a := &gongkai.ImpactAssessment{CatalogueCode: code, Purpose: "接受对资助评定的监督", Fields: "姓名、班级、金额", Audience: "校内公开",
		Retention: "公示期满撤下", CheckedBy: "监督小组组长", AssessedOn: time.Now()}
	must(t, h.db.CreateImpactAssessment(context.Background(), h.school.ID, h.actor("xq.principal"), a))
}

// rosterBody is a student aid roster naming the people.
func rosterBody(names ...string) string {
	var b strings.Builder
	b.WriteString("经评定，以下学生享受生活补助，现予公示：\n\n| 序号 | 姓名 | 班级 | 金额（元） |\n| --- | --- | --- | --- |\n")
	for i, n := range names {
		fmt.Fprintf(&b, "| %d | %s | 三(%d)班 | 500.00 |\n", i+1, n, i+1)
	}
	return b.String()
}

// publishRoster publishes a public student aid roster of xq (catalogue
// item aid-roster, assessed) with a file.
func (h *harness) publishRoster(t *testing.T, title string, names ...string) (*gongkai.Disclosure, *gongkai.Attachment) {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: title, Body: rosterBody(names...), CatalogueCode: "aid-roster", Category: "aid",
		Audience: gongkai.AudiencePublic, PublicityDays: 5}
	must(t, h.db.CreateDisclosure(ctx, h.school.ID, h.actor("xq.clerk"), d))
	a := h.attach(h.school, d, "名单.pdf", scrubtest.TextPDF(strings.Join(names, " ")))
	h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
	return h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, ""), a
}

// later moves the clocks of the store and the server by days.
func (h *harness) later(t *testing.T, days int) {
	t.Helper()
	at := time.Now().AddDate(0, 0, days)
	h.db.Now = func() time.Time { return at }
	h.srv.now = func() time.Time { return at }
	t.Cleanup(func() { h.db.Now, h.srv.now = time.Now, time.Now })
}

// found reports whether a board or API answer lists the item.
func found(body string, id int64) bool {
	return strings.Contains(body, fmt.Sprintf(`/d/%d"`, id)) || strings.Contains(body, fmt.Sprintf(`"id":%d,`, id))
}

var matrixRosters sync.Map // by harness: path values of the roster routes

// matrixRosterValues gives the roster routes of the authorisation matrix a
// taken-down roster of xq with an audit of its principal, and a catalogue
// item that lists people.
func (h *harness) matrixRosterValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/audit") && !strings.Contains(pattern, "{code}") {
		return nil
	}
	if v, ok := matrixRosters.Load(h); ok {
		return v.(map[string]string)
	}
	h.assess(t, "aid-roster")
	d, _ := h.publishRoster(t, "矩阵测试资助名单", "矩阵甲")
	h.act(h.school, d.ID, "principal", gongkai.ActionWithdraw, "名单有误")
	a, err := h.db.RecordRosterAudit(context.Background(), h.school.ID, d.ID, h.actor("xq.principal"), "核对名单")
	must(t, err)
	v := map[string]string{"id": strconv.FormatInt(d.ID, 10), "audit": strconv.FormatInt(a.ID, 10), "code": "aid-roster"}
	matrixRosters.Store(h, v)
	return v
}

// TestRosters_takedownEveryPath ends a roster's publicity period and looks
// for its people everywhere a reader could: the page, each version, the
// API, the board and API searches, the file, the staff's pages.
func TestRosters_takedownEveryPath(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		h.assess(t, "aid-roster")
		names := []string{"林小雨", "欧阳明月"}
		d, att := h.publishRoster(t, "关于林小雨等同学生活补助的公示", names...)
		// A revision: every version must hide its people too.
		_, err := h.db.Act(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), gongkai.ActionRevise, "补充一名学生",
			&store.Revision{Title: d.Title, Body: rosterBody(append(names, "司马青")...)})
		must(t, err)
		all := append(names, "司马青")
		anon := h.client("")
		item, file := itemPath(h.school, d), fmt.Sprintf("/s/xq/files/%d/%s", att.ID, url.PathEscape(att.Filename))
		search := "/s/xq/?q=" + url.QueryEscape("林小雨")
		apiSearch := "/api/v1/schools/xq/disclosures?q=" + url.QueryEscape("林小雨")

		// In its period the roster is public, and the anonymous pages are
		// cached.
		for range 2 {
			if _, body := h.get(anon, item); !strings.Contains(body, "林小雨") {
				t.Fatalf("roster not shown in its period")
			}
			if _, body := h.get(anon, search); !found(body, d.ID) {
				t.Fatalf("board search does not find the roster in its period")
			}
		}
		if _, body := h.get(anon, apiSearch); !found(body, d.ID) {
			t.Fatalf("API search does not find the roster in its period: %s", body)
		}

		h.later(t, 30)
		closed, err := h.db.CloseEndedPeriods(ctx)
		must(t, err)
		if len(closed) == 0 {
			t.Fatal("the sweep closed nothing")
		}
		leaks := func(who, path string, wantStatus int) string {
			t.Helper()
			resp, body := h.get(h.client(who), path)
			if resp.StatusCode != wantStatus {
				t.Errorf("%q %s: %d, want %d", who, path, resp.StatusCode, wantStatus)
			}
			for _, n := range all {
				if strings.Contains(body, n) {
					t.Errorf("%q %s shows %s after takedown", who, path, n)
				}
			}
			return body
		}
		body := leaks("", item, 200)
		for _, want := range []string{"公示期满撤下", "关于××等同学生活补助的公示"} {
			if !strings.Contains(body, want) {
				t.Errorf("item page after takedown lacks %q", want)
			}
		}
		if strings.Contains(body, "/audit") {
			t.Errorf("the audit is offered to an anonymous reader")
		}
		for v := 1; v <= 2; v++ {
			resp, _ := h.get(anon, fmt.Sprintf("%s/v/%d", item, v))
			if resp.StatusCode == 200 {
				leaks("", fmt.Sprintf("%s/v/%d", item, v), 200)
			}
		}
		body = leaks("", file, http.StatusGone)
		if !strings.Contains(body, "公示期满撤下") {
			t.Errorf("the file's answer lacks the notice")
		}
		body = leaks("", fmt.Sprintf("/api/v1/disclosures/%d", d.ID), 200)
		var detail struct {
			Hidden bool
			Notice string
		}
		must(t, json.Unmarshal([]byte(body), &detail))
		if !detail.Hidden || !strings.Contains(detail.Notice, "公示期满撤下") {
			t.Errorf("API item: hidden %v, notice %q", detail.Hidden, detail.Notice)
		}
		leaks("", "/api/v1/schools/xq/disclosures", 200)
		leaks("", "/s/xq/?cat=aid", 200)
		for _, n := range all {
			for _, path := range []string{"/s/xq/?q=" + url.QueryEscape(n), "/api/v1/schools/xq/disclosures?q=" + url.QueryEscape(n)} {
				if _, body := h.get(anon, path); found(body, d.ID) {
					t.Errorf("%s finds the roster after takedown", path)
				}
			}
		}
		// The title stays searchable by what names no one.
		if _, body := h.get(anon, "/s/xq/?q="+url.QueryEscape("生活补助")); !found(body, d.ID) {
			t.Errorf("the roster cannot be found by its title's other words")
		}
		// Staff of the procedure see the notice and the way to the audit.
		body = leaks("xq.clerk", item, 200)
		if !strings.Contains(body, fmt.Sprintf("/s/xq/manage/d/%d/audit", d.ID)) {
			t.Errorf("the clerk is not offered the audit")
		}
		leaks("xq.clerk", reviewURL(h.school, d.ID), 200)
		leaks("bureau.inspector", fmt.Sprintf("/api/v1/disclosures/%d", d.ID), 200)
		leaks("xq.clerk", file, http.StatusGone)
	})
}

// TestRosters_withdrawTakesDown withdraws a roster in its period: its
// people go at once, from the page, the API, the search and the file.
func TestRosters_withdrawTakesDown(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.assess(t, "aid-roster")
		d, att := h.publishRoster(t, "关于端木晴等同学春季学期生活补助的公示", "端木晴", "上官云")
		anon := h.client("")
		if _, body := h.get(anon, "/s/xq/?q="+url.QueryEscape("端木晴")); !found(body, d.ID) {
			t.Fatalf("search does not find the roster before withdrawal")
		}
		h.act(h.school, d.ID, "principal", gongkai.ActionWithdraw, "名单中班级有误")
		for _, path := range []string{itemPath(h.school, d), itemPath(h.school, d) + "/v/1", fmt.Sprintf("/api/v1/disclosures/%d", d.ID),
			"/s/xq/?q=" + url.QueryEscape("端木晴"), "/api/v1/schools/xq/disclosures?q=" + url.QueryEscape("上官云"),
			fmt.Sprintf("/s/xq/files/%d/x.pdf", att.ID),
			// The feedback forms name the item and suggest a subject from its title.
			fmt.Sprintf("/s/xq/feedback/new?kind=opinion&d=%d", d.ID), fmt.Sprintf("/s/xq/feedback/new?kind=request&d=%d", d.ID)} {
			resp, body := h.get(anon, path)
			if strings.Contains(body, "端木晴") && !strings.Contains(path, "q=") || strings.Contains(body, "上官云") && !strings.Contains(path, "q=") {
				t.Errorf("%s shows the people after withdrawal (%d)", path, resp.StatusCode)
			}
			if found(body, d.ID) && strings.Contains(path, "q=") {
				t.Errorf("%s finds the withdrawn roster", path)
			}
		}
		if _, body := h.get(anon, itemPath(h.school, d)); !strings.Contains(body, "撤回时撤下") || !strings.Contains(body, "名单中班级有误") {
			t.Errorf("withdrawn roster page lacks the notice or the reason")
		}
		// The webhook of the withdrawal may feed a public channel: its title
		// is masked too.
		var data string
		must(t, h.db.Pool().QueryRow(`SELECT data FROM outbox WHERE school_id = $1 AND type = 'disclosure.withdrawn' AND subject = $2`, h.school.ID, d.ID).Scan(&data))
		if strings.Contains(data, "端木晴") || !strings.Contains(data, "生活补助") {
			t.Errorf("the withdrawal's event data shows the name or no title: %s", data)
		}
	})
}

// TestRosters_audit opens a taken-down roster's original: only with a
// reason, only for its reader, and every opening on the school's record.
func TestRosters_audit(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.assess(t, "aid-roster")
		d, _ := h.publishRoster(t, "生活补助名单公示", "慕容雪")
		form := reviewURL(h.school, d.ID) + "/audit"
		// Not taken down yet: nothing to audit.
		if resp, _ := h.get(h.client("xq.clerk"), form); resp.StatusCode != 404 {
			t.Errorf("audit of a roster in its period: %d, want 404", resp.StatusCode)
		}
		h.act(h.school, d.ID, "principal", gongkai.ActionWithdraw, "重新评定")
		clerk := h.client("xq.clerk")
		if resp, body := h.get(clerk, form); resp.StatusCode != 200 || strings.Contains(body, "慕容雪") || !strings.Contains(body, "查阅理由") {
			t.Fatalf("audit form: %d", resp.StatusCode)
		}
		if resp, body := h.post(clerk, form, url.Values{"reason": {" "}}); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请写明查阅原件的理由") || strings.Contains(body, "慕容雪") {
			t.Fatalf("audit without a reason: %d", resp.StatusCode)
		}
		resp, _ := h.post(clerk, form, url.Values{"reason": {"核对异议 2026-0012 的班级"}})
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`/audit/\d+$`).MatchString(loc) {
			t.Fatalf("audit with a reason: %d %s", resp.StatusCode, loc)
		}
		if resp, body := h.get(clerk, loc); resp.StatusCode != 200 || !strings.Contains(body, "慕容雪") || !strings.Contains(body, "核对异议 2026-0012 的班级") {
			t.Fatalf("the original after a reason: %d", resp.StatusCode)
		}
		// Another reader cannot use the clerk's reason.
		if resp, body := h.get(h.client("xq.supervisor"), loc); resp.StatusCode != http.StatusSeeOther || strings.Contains(body, "慕容雪") {
			t.Errorf("another's audit link: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.staff"), form); resp.StatusCode != 403 && resp.StatusCode != 404 {
			t.Errorf("a teacher opens the audit form: %d", resp.StatusCode)
		}
		// The record: the principal, the supervision group and the bureau
		// read it; others do not.
		for who, want := range map[string]int{"xq.principal": 200, "xq.supervisor": 200, "bureau.inspector": 200, "xq.leader": 404, "xq.clerk": 404} {
			resp, body := h.get(h.client(who), "/s/xq/privacy")
			if resp.StatusCode != want {
				t.Errorf("%s reads the record: %d, want %d", who, resp.StatusCode, want)
			}
			if want == 200 && (!strings.Contains(body, "核对异议 2026-0012 的班级") || !strings.Contains(body, h.users["xq.clerk"].DisplayName)) {
				t.Errorf("%s: the record lacks the clerk's audit", who)
			}
		}
	})
}

// TestRosters_assessmentGate: no roster is entered before the principal's
// impact assessment; the principal is shown the way, and fills it in.
func TestRosters_assessmentGate(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		entry := url.Values{"catalogue": {"aid-roster"}, "title": {"秋季学期生活补助名单公示"}, "body": {rosterBody("诸葛亮亮")}, "do": {"save"}}
		for who, want := range map[string]string{"xq.principal": "/s/xq/privacy/assess/aid-roster", "xq.clerk": "请联系校长填写个人信息保护影响评估"} {
			resp, body := h.postMultipart(h.client(who), "/s/xq/manage/new", entry)
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "须先由校长填写个人信息保护影响评估") || !strings.Contains(body, want) {
				t.Errorf("%s enters a roster without an assessment: %d, want 422 with %q", who, resp.StatusCode, want)
			}
		}
		status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/disclosures", h.apiToken("xq.clerk"),
			map[string]any{"title": "名单", "catalogue_code": "aid-roster", "body": "x"})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, "影响评估") {
			t.Errorf("API entry without an assessment: %d %s", status, body)
		}
		// A catalogue item that lists no one needs none.
		if resp, _ := h.postMultipart(h.client("xq.clerk"), "/s/xq/manage/new", url.Values{"catalogue": {"monthly-finance"}, "title": {"财务"}, "do": {"save"}}); resp.StatusCode != http.StatusSeeOther {
			t.Errorf("an item without people: %d", resp.StatusCode)
		}

		p := h.client("xq.principal")
		if resp, body := h.get(p, "/s/xq/privacy/assess/aid-roster"); resp.StatusCode != 200 || !strings.Contains(body, "姓名、学校、年级或班级、资助档次或等次、金额") {
			t.Fatalf("assessment form: %d", resp.StatusCode)
		}
		if resp, _ := h.get(h.client("xq.clerk"), "/s/xq/privacy/assess/aid-roster"); resp.StatusCode != 403 {
			t.Errorf("the clerk opens the assessment form: %d", resp.StatusCode)
		}
		if resp, _ := h.get(p, "/s/xq/privacy/assess/monthly-finance"); resp.StatusCode != 404 {
			t.Errorf("assessment of an item without people: %d", resp.StatusCode)
		}
		filled := url.Values{"purpose": {"接受家长和社会对资助评定的监督"}, "fields": {"姓名、班级、金额"}, "audience": {"校内公开"},
			"retention": {"公示期满撤下，原件存档"}, "checked_by": {"监督小组组长 林老师"}, "assessed_on": {time.Now().In(gongkai.Beijing).Format("2006-01-02")}}
		half := url.Values{}
		for k, v := range filled {
			half[k] = v
		}
		half.Del("purpose")
		if resp, body := h.post(p, "/s/xq/privacy/assess/aid-roster", half); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写处理目的") || !strings.Contains(body, "监督小组组长 林老师") {
			t.Fatalf("half-filled assessment: %d", resp.StatusCode)
		}
		if resp, _ := h.post(p, "/s/xq/privacy/assess/aid-roster", filled); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("assessment: %d", resp.StatusCode)
		}
		for _, who := range []string{"xq.supervisor", "bureau.inspector", "bureau.admin"} {
			if _, body := h.get(h.client(who), "/s/xq/privacy"); !strings.Contains(body, "接受家长和社会对资助评定的监督") {
				t.Errorf("%s does not see the assessment", who)
			}
		}
		resp, _ := h.postMultipart(h.client("xq.clerk"), "/s/xq/manage/new", entry)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("entry after the assessment: %d", resp.StatusCode)
		}
		if _, body := h.get(h.client("xq.supervisor"), strings.TrimSuffix(resp.Header.Get("Location"), "/edit")); !strings.Contains(body, "接受家长和社会对资助评定的监督") {
			t.Errorf("the review page does not show the assessment")
		}
	})
}

// TestRosters_catalogueSettings: the catalogue form shows and saves what
// an item lists and when it comes down, within the rules.
func TestRosters_catalogueSettings(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		p := h.client("xq.principal")
		if _, body := h.get(p, "/s/xq/manage/catalogue"); !strings.Contains(body, `name="takedown"`) || !strings.Contains(body, "学生名单") {
			t.Fatalf("the catalogue form lacks the roster settings")
		}
		item := func(code string) gongkai.CatalogueItem {
			cat, err := h.db.FindCatalogue(context.Background(), h.school.ID)
			must(t, err)
			for _, c := range cat {
				if c.Code == code {
					return c
				}
			}
			t.Fatalf("no %s", code)
			return gongkai.CatalogueItem{}
		}
		form := func(c gongkai.CatalogueItem, roster, takedown string, fields ...string) url.Values {
			return url.Values{"code": {c.Code}, "name": {c.Name}, "category": {c.Category}, "audience": {string(c.Audience)}, "publicity_days": {"5"},
				"frequency": {string(c.Schedule.Frequency)}, "due_workdays": {strconv.Itoa(c.Schedule.DueWorkdays)}, "due_month_day": {c.Schedule.DueMonthDay},
				"roster": {roster}, "takedown": {takedown}, "roster_fields": fields}
		}
		staff := item("staff-awards")
		if resp, _ := h.post(p, "/s/xq/manage/catalogue", form(staff, "staff", "never", "name", "post")); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("staff list kept for good: %d", resp.StatusCode)
		}
		if got := item("staff-awards").Roster; got.Takedown != gongkai.TakedownNever || got.FieldsText() != "姓名、岗位或职务" {
			t.Errorf("saved rule %+v", got)
		}
		aid := item("aid-roster")
		if resp, body := h.post(p, "/s/xq/manage/catalogue", form(aid, "students", "never", "name")); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "学生名单须在公示期满或撤回时撤下") {
			t.Errorf("student list kept for good: %d", resp.StatusCode)
		}
		if resp, body := h.post(p, "/s/xq/manage/catalogue", form(aid, "students", "period_end", "name", "id_number")); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "名单不得公开身份证号") {
			t.Errorf("ID numbers on a list: %d", resp.StatusCode)
		}
		if got := item("aid-roster").Roster; got.Kind != gongkai.RosterStudents || got.Takedown != gongkai.TakedownPeriodEnd {
			t.Errorf("a refused form changed the rule: %+v", got)
		}
	})
}

// TestRosters_demoSearchLeaks loads the demo county and, after takedown,
// searches anonymously for every name on every roster, on the board and
// the API, on each node (a second one on PostgreSQL, whose cache held the
// rosters before). It prints how many searches leaked; it must be 0.
func TestRosters_demoSearchLeaks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		open := func() *store.DB {
			db, err := store.Open(ctx, dsn, log)
			must(t, err)
			t.Cleanup(func() { db.Close() })
			return db
		}
		db := open()
		days, years := calendar.Seed()
		must(t, db.SeedCalendar(ctx, "CN", days, years))
		blobs, err := files.NewDisk(t.TempDir())
		must(t, err)
		now := time.Now()
		must(t, demo.Load(ctx, db, blobs, now))
		type node struct {
			name string
			db   *store.DB
			srv  *Server
			ts   *httptest.Server
		}
		start := func(name string, db *store.DB) *node {
			srv, err := New(Config{}, db, blobs, log)
			must(t, err)
			lctx, cancel := context.WithCancel(ctx)
			t.Cleanup(cancel)
			go db.Listen(lctx)
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			return &node{name, db, srv, ts}
		}
		nodes := []*node{start("A", db)}
		if db.Dialect() == "postgres" {
			nodes = append(nodes, start("B", open()))
		}
		get := func(n *node, path string) string {
			t.Helper()
			resp, err := http.Get(n.ts.URL + path)
			must(t, err)
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return string(b)
		}

		// A roster of our own in its period, so that the search is seen to
		// find names before they are taken down (and B caches it).
		school, err := db.FindSchoolBySlug(ctx, "xiangqian")
		must(t, err)
		actor := func(login string) *gongkai.Actor {
			u, _, err := db.FindUserForLogin(ctx, "xiangqian."+login)
			must(t, err)
			a, err := db.LoadActor(ctx, u.ID)
			must(t, err)
			return a
		}
		fresh := &gongkai.Disclosure{Title: "临时困难补助学生名单公示", Body: rosterBody("闻人晓风", "东方小溪"), CatalogueCode: "aid-roster", Category: "aid",
			Audience: gongkai.AudiencePublic, PublicityDays: 5}
		must(t, db.CreateDisclosure(ctx, school.ID, actor("clerk"), fresh))
		for _, st := range []struct {
			who string
			a   gongkai.Action
		}{{"clerk", gongkai.ActionSubmit}, {"principal", gongkai.ActionApprove}, {"supervisor", gongkai.ActionCheck}, {"clerk", gongkai.ActionPublish}} {
			_, err := db.Act(ctx, school.ID, fresh.ID, actor(st.who), st.a, "", nil)
			must(t, err)
		}
		for _, n := range nodes {
			for range 2 { // the second answer comes from the cache
				if body := get(n, "/s/xiangqian/?q="+url.QueryEscape("闻人晓风")); !found(body, fresh.ID) {
					t.Fatalf("node %s does not find a roster in its period by a name", n.name)
				}
				if body := get(n, fmt.Sprintf("/s/xiangqian/d/%d", fresh.ID)); !strings.Contains(body, "闻人晓风") {
					t.Fatalf("node %s does not show a roster in its period", n.name)
				}
			}
		}

		// Takedown: one roster is withdrawn on A, then every period ends.
		_, err = db.Act(ctx, school.ID, fresh.ID, actor("principal"), gongkai.ActionWithdraw, "名单需重新核定", nil)
		must(t, err)
		// Each node drops the pages it cached (B learns of it from A
		// through LISTEN/NOTIFY), on the same day.
		for _, n := range nodes {
			deadline := time.Now().Add(5 * time.Second)
			for found(get(n, "/s/xiangqian/?q="+url.QueryEscape("闻人晓风")), fresh.ID) {
				if time.Now().After(deadline) {
					t.Fatalf("node %s still finds the withdrawn roster 5 s after A withdrew it", n.name)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if body := get(n, fmt.Sprintf("/s/xiangqian/d/%d", fresh.ID)); strings.Contains(body, "闻人晓风") || !strings.Contains(body, "撤回时撤下") {
				t.Errorf("node %s: the withdrawn roster's page shows its people or no notice", n.name)
			}
		}
		later := now.AddDate(0, 0, 60)
		for _, n := range nodes {
			n.db.Now = func() time.Time { return later }
			n.srv.now = func() time.Time { return later }
		}
		_, err = db.CloseEndedPeriods(ctx)
		must(t, err)
		time.Sleep(300 * time.Millisecond) // LISTEN/NOTIFY reaches B

		schools, err := db.FindActiveSchools(ctx, 0)
		must(t, err)
		var searches, leaked, rosters, names int
		for _, sc := range schools {
			cat, err := db.FindCatalogue(ctx, sc.ID)
			must(t, err)
			var items []*gongkai.Disclosure
			for page := 1; ; page++ {
				got, total, err := db.FindDisclosures(ctx, sc.ID, store.DisclosureFilter{Published: true, Audiences: gongkai.Audiences, Page: page, PerPage: 100})
				must(t, err)
				items = append(items, got...)
				if page*100 >= total {
					break
				}
			}
			for _, d := range items {
				rule := gongkai.RuleFor(d, cat)
				if !rule.Holds() {
					continue
				}
				if _, down := gongkai.TakedownAt(d, rule, later); !down {
					t.Errorf("%s %q (%s) is not taken down 60 days on", sc.Slug, d.Title, d.State)
					continue
				}
				full, err := db.FindDisclosureByID(ctx, sc.ID, d.ID)
				must(t, err)
				bodies := []string{full.Body}
				for _, v := range full.Versions {
					bodies = append(bodies, v.Body)
				}
				rosters++
				for _, name := range gongkai.RosterNames(bodies...) {
					names++
					for _, n := range nodes {
						for _, path := range []string{"/s/" + sc.Slug + "/?q=" + url.QueryEscape(name), "/api/v1/schools/" + sc.Slug + "/disclosures?q=" + url.QueryEscape(name)} {
							searches++
							if found(get(n, path), d.ID) {
								leaked++
								t.Errorf("node %s: %s finds the taken-down roster %q", n.name, path, d.Title)
							}
						}
					}
				}
			}
		}
		if rosters == 0 || names == 0 {
			t.Fatalf("the demo has no rosters to search for")
		}
		t.Logf("after takedown: %d rosters, %d names, %d anonymous searches on %d node(s), %d leaked", rosters, names, searches, len(nodes), leaked)
	})
}
