package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai"
)

var matrixInspections sync.Map // *harness → the term key of its submitted checklist

// matrixReportValues fills {term}, {item} and {year} for the authorisation
// matrix: last term's checklist of xq, submitted with the fees item not
// met, so that the principal may mark its measure done; this year's report.
func (h *harness) matrixReportValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "{term}") && !strings.Contains(pattern, "{year}") {
		return nil
	}
	year := time.Now().In(gongkai.Beijing).Format("2006")
	key, ok := matrixInspections.Load(h)
	if !ok {
		term := gongkai.TermOf(h.db.Now()).Prev()
		in := filledInspection(term, map[string]gongkai.Verdict{"fees": gongkai.VerdictNotMet}, h.db.Now())
		_, err := h.db.SaveInspection(context.Background(), h.school.ID, h.actor("xq.supervisor"), in.SaveCommand(true))
		must(t, err)
		key = term.Key()
		matrixInspections.Store(h, key)
	}
	return map[string]string{"term": key.(string), "item": "fees", "year": year}
}

// filledInspection answers every item met but the listed ones, which get a
// note, a measure and a deadline a month after now.
func filledInspection(term gongkai.Term, short map[string]gongkai.Verdict, now time.Time) *gongkai.Inspection {
	in := gongkai.NewInspection(0, term)
	for i := range in.Answers {
		a := &in.Answers[i]
		a.Verdict = gongkai.VerdictMet
		if v, ok := short[a.Code]; ok {
			a.Verdict, a.Note, a.Measure, a.Due = v, "发现问题："+a.Code, "整改措施："+a.Code, now.AddDate(0, 1, 0)
		}
	}
	return in
}

// inspectionForm is the form of a whole checklist answered met, with the
// changes given.
func inspectionForm(op string, set map[string]string) url.Values {
	f := url.Values{"op": {op}, "summary": {"本学期总体规范。"}}
	for _, c := range gongkai.DefaultChecklist {
		f.Set("verdict-"+c.Code, "met")
	}
	for k, v := range set {
		f.Set(k, v)
	}
	return f
}

// TestInspection_fillSubmitComplete: the supervision group fills in the
// term's checklist, is told what is missing, saves, submits; it is then
// read-only; the principal marks a measure done; others get 404.
func TestInspection_fillSubmitComplete(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		term := gongkai.TermOf(h.db.Now())
		path := "/s/xq/inspection/" + term.Key()
		due := h.db.Now().AddDate(0, 0, 20).In(gongkai.Beijing).Format("2006-01-02")
		sup, principal := h.client("xq.supervisor"), h.client("xq.principal")

		resp, body := h.get(sup, "/s/xq/inspection")
		if resp.StatusCode != 200 || !strings.Contains(body, "填写本学期自查表") {
			t.Fatalf("index: %d", resp.StatusCode)
		}
		resp, body = h.get(sup, path)
		if resp.StatusCode != 200 || !strings.Contains(body, `name="verdict-fees"`) || !strings.Contains(body, "数据参考") {
			t.Fatalf("empty form: %d", resp.StatusCode)
		}

		// Submitting with problems: every message at once, the input kept.
		resp, body = h.post(sup, path, inspectionForm("submit", map[string]string{
			"verdict-fees": "not_met", "note-fees": "", "measure-fees": "春季收费开学前一周公示", "due-fees": "2026-13-40",
			"verdict-archive": "", "note-aid": "名单含<电话>",
		}))
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("bad submit: %d", resp.StatusCode)
		}
		for _, want := range []string{"结论为“不符合”时，请写明发现的问题。", "日期格式应为“年-月-日”", "请选择自查结论。",
			"春季收费开学前一周公示", `value="2026-13-40"`, "名单含&lt;电话&gt;", `value="not_met" checked`} {
			if !strings.Contains(body, want) {
				t.Errorf("bad submit: page lacks %q", want)
			}
		}
		if _, err := h.db.FindInspection(context.Background(), h.school.ID, term); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("a refused submit stored something: %v", err)
		}

		// A draft saves half-way.
		resp, _ = h.post(sup, path, url.Values{"op": {"save"}, "verdict-fees": {"not_met"}, "note-fees": {"收费未提前公示"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save draft: %d", resp.StatusCode)
		}
		_, body = h.get(sup, path)
		if !strings.Contains(body, "填写中") || !strings.Contains(body, "收费未提前公示") {
			t.Errorf("draft not shown")
		}

		// Submit the whole checklist.
		resp, _ = h.post(sup, path, inspectionForm("submit", map[string]string{
			"verdict-fees": "not_met", "note-fees": "收费未提前公示", "measure-fees": "开学前一周公示收费", "due-fees": due,
			"verdict-archive": "partly", "note-archive": "登记表未归档", "measure-archive": "月底前归档", "due-archive": due,
		}))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d", resp.StatusCode)
		}
		_, body = h.get(sup, path)
		if !strings.Contains(body, "已提交") || strings.Contains(body, `name="verdict-fees"`) || !strings.Contains(body, "开学前一周公示收费") {
			t.Errorf("submitted page: form still there or answers missing")
		}
		// Read-only now.
		resp, _ = h.post(sup, path, inspectionForm("save", nil))
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save after submit: %d", resp.StatusCode)
		}
		in, err := h.db.FindInspection(context.Background(), h.school.ID, term)
		if err != nil || in.Answer("fees").Verdict != gongkai.VerdictNotMet || in.State != gongkai.InspectionSubmitted {
			t.Fatalf("changed after submit: %+v %v", in, err)
		}

		// The leader reads without the measure form; the principal marks done.
		_, body = h.get(h.client("xq.leader"), path)
		if !strings.Contains(body, "收费未提前公示") || strings.Contains(body, "登记整改完成") {
			t.Errorf("leader's view")
		}
		if resp, _ := h.post(h.client("xq.leader"), path+"/fees/done", url.Values{"done_note": {"已公示"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("leader marks done: %d", resp.StatusCode)
		}
		_, body = h.get(principal, path)
		if !strings.Contains(body, "登记整改完成") {
			t.Fatalf("principal sees no measure form")
		}
		resp, body = h.post(principal, path+"/fees/done", url.Values{"done_note": {"  "}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写整改完成情况。") {
			t.Fatalf("done without note: %d", resp.StatusCode)
		}
		resp, _ = h.post(principal, path+"/fees/done", url.Values{"done_note": {"已于开学前一周公示收费标准。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("done: %d", resp.StatusCode)
		}
		_, body = h.get(principal, path)
		if !strings.Contains(body, "已于开学前一周公示收费标准。") || strings.Contains(body, `/fees/done"`) || !strings.Contains(body, `/archive/done"`) {
			t.Errorf("after done: the note or the remaining form is wrong")
		}

		// The bureau sees the school's counts.
		_, body = h.get(h.client("bureau.inspector"), "/bureau/inspections?term="+term.Key())
		if !strings.Contains(body, "祥谦小学") || !strings.Contains(body, "开物小学") || !strings.Contains(body, `<strong class="insp-bad">1</strong>`) {
			t.Errorf("bureau view lacks the counts")
		}
		if resp, _ := h.get(h.client("bureau.inspector"), path); resp.StatusCode != 200 {
			t.Errorf("inspector reads: %d", resp.StatusCode)
		}

		// Everyone else: 404 (sign-in first for the anonymous).
		for _, who := range []string{"xq.staff", "xq.parent", "xq.clerk", "xq.representative", "other.supervisor", "other.principal", "nobody"} {
			for _, p := range []string{"/s/xq/inspection", path} {
				if resp, _ := h.get(h.client(who), p); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", who, p, resp.StatusCode)
				}
			}
			if resp, _ := h.post(h.client(who), path+"/fees/done", url.Values{"done_note": {"x"}}); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s marks done: %d, want 404", who, resp.StatusCode)
			}
		}
		if resp, _ := h.get(h.client(""), path); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
			t.Errorf("anonymous: %d", resp.StatusCode)
		}
		// A term not begun, or not a term: 404.
		for _, p := range []string{"/s/xq/inspection/2099-spring", "/s/xq/inspection/spring", "/s/xq/inspection/2026-summer"} {
			if resp, _ := h.get(sup, p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
		// Another school's checklist is not this one's.
		if resp, body := h.get(h.client("other.supervisor"), "/s/other/inspection/"+term.Key()); resp.StatusCode != 200 || strings.Contains(body, "收费未提前公示") {
			t.Errorf("other school's page: %d", resp.StatusCode)
		}
	})
}

// TestInspection_workPageReminder: in a term's last six weeks the work page
// reminds the supervision group of a checklist not begun, a saved draft
// all term long, and nothing once it is submitted; nobody else is reminded.
func TestInspection_workPageReminder(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		term := gongkai.TermOf(time.Now()).Prev().Prev() // a term no other test touches
		first, last := term.Bounds()
		clock := first.AddDate(0, 1, 0).Add(10 * time.Hour)
		h.srv.now = func() time.Time { return clock }
		h.db.Now = func() time.Time { return clock }
		t.Cleanup(func() { h.srv.now, h.db.Now = time.Now, time.Now })
		// A new session at each time of the clock: one made earlier would
		// have expired.
		work := func(user string) string {
			t.Helper()
			resp, b := h.get(h.client(user), "/work")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("work page of %s: %d", user, resp.StatusCode)
			}
			return b
		}
		reminded := func(user string) bool {
			t.Helper()
			b := work(user)
			return strings.Contains(b, "本学期自查表待填写") && strings.Contains(b, "/s/xq/inspection/"+term.Key())
		}
		if reminded("xq.supervisor") {
			t.Error("reminded early in the term of a checklist not begun")
		}
		clock = last.AddDate(0, 0, -10).Add(10 * time.Hour)
		if !reminded("xq.supervisor") {
			t.Error("no reminder ten days before the term ends")
		}
		if reminded("xq.clerk") {
			t.Error("the clerk is reminded of the supervision group's checklist")
		}
		clock = first.AddDate(0, 1, 0).Add(10 * time.Hour)
		in := filledInspection(term, nil, clock)
		if _, err := h.db.SaveInspection(ctx, h.school.ID, h.actor("xq.supervisor"), in.SaveCommand(false)); err != nil {
			t.Fatal(err)
		}
		if b := work("xq.supervisor"); !strings.Contains(b, "已保存草稿，尚未提交") {
			t.Error("a saved draft is not on the work page early in the term")
		}
		if _, err := h.db.SaveInspection(ctx, h.school.ID, h.actor("xq.supervisor"), in.SaveCommand(true)); err != nil {
			t.Fatal(err)
		}
		clock = last.AddDate(0, 0, -10).Add(10 * time.Hour)
		if reminded("xq.supervisor") {
			t.Error("still reminded after the checklist was submitted")
		}
	})
}
