package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/store"
)

// reportFeedback adds this year's feedback to xq: two opinions, one
// answered, and a disclosure request refused. With the harness's four items
// published this year (one per audience, all 财务管理) the report counts, by
// hand: 4 items published, 1 to the public; 3 cases received, 2 answered;
// 1 request, refused.
func reportFeedback(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	send := func(kind gongkai.FeedbackKind, subject string) *gongkai.Feedback {
		f, _, err := h.db.CreateFeedback(ctx, h.school.ID, &gongkai.NewFeedback{Kind: kind, Subject: subject, Body: subject + "，请学校答复。", Anonymous: true})
		must(t, err)
		return f
	}
	o1 := send(gongkai.KindOpinion, "建议延长图书室开放时间")
	send(gongkai.KindOpinion, "建议增设雨棚")
	rq := send(gongkai.KindRequest, "公开食堂承包合同")
	_, err := h.db.HandleFeedback(ctx, h.school.ID, o1.ID, h.actor("xq.principal"), gongkai.FeedbackStep{Action: gongkai.FActReply, Comment: "下周起中午开放。"})
	must(t, err)
	_, err = h.db.HandleFeedback(ctx, h.school.ID, rq.ID, h.actor("xq.principal"), gongkai.FeedbackStep{Action: gongkai.FActDecline, Comment: "合同涉及商业秘密，不予公开。"})
	must(t, err)
}

// xlsxRows reads every row of the report's sheet.
func xlsxRows(t *testing.T, body string) [][]string {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	defer x.Close()
	rows, err := x.GetRows("年度报告")
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// rowValue finds the first row after the one starting with after whose
// first cell is label, and returns its second cell.
func rowValue(rows [][]string, after, label string) string {
	seen := after == ""
	for _, r := range rows {
		if len(r) == 0 {
			continue
		}
		if r[0] == after {
			seen = true
		}
		if seen && r[0] == label && len(r) > 1 {
			return r[1]
		}
	}
	return ""
}

func TestReport_schoolPageAndExport(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		reportFeedback(t, h)
		year := strconv.Itoa(time.Now().In(gongkai.Beijing).Year())
		path := "/s/xq/report/" + year
		principal := h.client("xq.principal")

		resp, body := h.get(principal, path)
		if resp.StatusCode != 200 {
			t.Fatalf("report: %d", resp.StatusCode)
		}
		for _, want := range []string{"祥谦小学" + year + "年度校务公开工作年度报告", "一、总体情况", "七、其他需要报告的事项",
			"共主动公开校务公开事项 4 项，其中对外公开 1 项", "收到异议、意见、来信和举报 3 件，已答复 2 件",
			"收到依申请公开（点题公开）申请 1 件", "本年度监督小组尚未提交自查表。", "发布为公开事项", `href="` + path + `.xlsx"`} {
			if !strings.Contains(body, want) {
				t.Errorf("report lacks %q", want)
			}
		}
		// The readers: the leadership, the supervision group, the bureau; 404 to the rest.
		for who, want := range map[string]int{"xq.leader": 200, "xq.supervisor": 200, "bureau.inspector": 200, "bureau.admin": 200,
			"xq.staff": 404, "xq.parent": 404, "xq.clerk": 404, "other.principal": 404, "nobody": 404} {
			resp, body := h.get(h.client(who), path)
			if resp.StatusCode != want {
				t.Errorf("%s: %d, want %d", who, resp.StatusCode, want)
			}
			if want == 200 && strings.Contains(body, "发布为公开事项") {
				t.Errorf("%s is offered to publish", who)
			}
		}
		for _, p := range []string{"/s/xq/report/2099", "/s/xq/report/1999", "/s/xq/report/abcd", "/s/xq/report/2099.xlsx"} {
			if resp, _ := h.get(principal, p); resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", p, resp.StatusCode)
			}
		}
		if resp, _ := h.get(principal, "/s/xq/report"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/s/xq/report/") {
			t.Errorf("report index: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}

		// The workbook opens and holds the same numbers.
		resp, body = h.get(h.client("xq.leader"), path+".xlsx")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("xlsx: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		rows := xlsxRows(t, body)
		for _, c := range []struct{ after, label, want string }{
			{"按公开类别", "财务管理", "4"}, {"按公开类别", "合计", "4"}, {"按公开范围", "对外公开", "1"},
			{"依申请公开（点题公开）办理情况", "收到申请", "1"}, {"依申请公开（点题公开）办理情况", "不予公开（已公开说明理由）", "1"},
			{"按类型", "意见建议", "2"}, {"按类型", "合计", "3"},
		} {
			if got := rowValue(rows, c.after, c.label); got != c.want {
				t.Errorf("xlsx %s / %s: %q, want %q", c.after, c.label, got, c.want)
			}
		}

		// The paragraphs: bad input is refused with the input kept.
		resp, body = h.post(principal, path+"/text", url.Values{"summary": {"总体平稳<script>alert(1)</script>"}, "problems": {"月报偶有延迟。"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "内容不能包含网页代码或脚本") ||
			!strings.Contains(body, "月报偶有延迟。") || !strings.Contains(body, "总体平稳&lt;script&gt;") {
			t.Fatalf("bad text: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("xq.leader"), path+"/text", url.Values{"summary": {"x"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("leader writes: %d", resp.StatusCode)
		}
		if resp, _ := h.post(h.client("xq.staff"), path+"/text", url.Values{"summary": {"x"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("staff writes: %d", resp.StatusCode)
		}
		resp, _ = h.post(principal, path+"/text", url.Values{"summary": {"本年度公开工作总体平稳。"}, "problems": {"月报偶有延迟。"}, "other": {"无其他事项。"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save text: %d", resp.StatusCode)
		}
		_, body = h.get(h.client("bureau.inspector"), path)
		if !strings.Contains(body, "本年度公开工作总体平稳。") || !strings.Contains(body, "无其他事项。") {
			t.Errorf("the paragraphs do not show")
		}

		// Publish: one draft, public, with the report as its body.
		if resp, _ := h.post(h.client("xq.leader"), path+"/publish", nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("leader publishes: %d", resp.StatusCode)
		}
		resp, _ = h.post(principal, path+"/publish", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/s/xq/manage/d/") {
			t.Fatalf("publish: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		y, _ := strconv.Atoi(year)
		rep, err := h.db.FindAnnualReport(context.Background(), h.school.ID, y)
		if err != nil || rep.DisclosureID == 0 {
			t.Fatalf("report not linked: %+v %v", rep, err)
		}
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, rep.DisclosureID)
		if err != nil || d.State != gongkai.StateDraft || d.Audience != gongkai.AudiencePublic || d.Category != "other" ||
			!strings.Contains(d.Body, "## 一、总体情况") || !strings.Contains(d.Body, "| 合计 | 4 |") || !strings.Contains(d.Body, "本年度公开工作总体平稳。") {
			t.Fatalf("draft: %+v %v", d, err)
		}
		_, body = h.get(principal, path)
		if !strings.Contains(body, "已生成公开事项：") || strings.Contains(body, `action="`+path+`/publish"`) {
			t.Errorf("the report page does not link its draft")
		}
		resp, _ = h.post(principal, path+"/publish", nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), path) {
			t.Errorf("second publish: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		if items, _, _ := h.db.FindDisclosures(context.Background(), h.school.ID, store.DisclosureFilter{States: []gongkai.State{gongkai.StateDraft}, PerPage: 100}); countTitled(items, d.Title) != 1 {
			t.Errorf("%d drafts of the report, want 1", countTitled(items, d.Title))
		}
	})
}

func countTitled(items []*gongkai.Disclosure, title string) int {
	n := 0
	for _, d := range items {
		if d.Title == title {
			n++
		}
	}
	return n
}

func TestReport_bureau(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		reportFeedback(t, h)
		year := strconv.Itoa(time.Now().In(gongkai.Beijing).Year())
		resp, body := h.get(h.client("bureau.inspector"), "/bureau/report/"+year)
		if resp.StatusCode != 200 {
			t.Fatalf("bureau report: %d", resp.StatusCode)
		}
		// xq: 4 items, the other school 1: 5 in all.
		for _, want := range []string{"青禾县教育局" + year + "年度校务公开工作年度报告", "所属 2 所学校共主动公开校务公开事项 5 项", "附表：各校情况", "祥谦小学", "开物小学"} {
			if !strings.Contains(body, want) {
				t.Errorf("bureau report lacks %q", want)
			}
		}
		resp, body = h.get(h.client("bureau.admin"), "/bureau/report/"+year+".xlsx")
		if resp.StatusCode != 200 {
			t.Fatalf("bureau xlsx: %d", resp.StatusCode)
		}
		rows := xlsxRows(t, body)
		if got := rowValue(rows, "按公开类别", "合计"); got != "5" {
			t.Errorf("bureau xlsx total published %q, want 5", got)
		}
		if got := rowValue(rows, "各校情况", "祥谦小学"); got != "4" {
			t.Errorf("bureau xlsx xq published %q, want 4", got)
		}
		for _, who := range []string{"xq.principal", "xq.supervisor", "nobody"} {
			if resp, _ := h.get(h.client(who), "/bureau/report/"+year); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", who, resp.StatusCode)
			}
		}
	})
}
