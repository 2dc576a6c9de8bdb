package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai"
)

// dashFixture gives school xq two overdue obligations and one met late,
// and school other one overdue, all due in November 2026, and reads the
// dashboard on Wednesday 2026-11-25. Per-event items are due 20 working
// days after the event: 10-19 → 11-16, 10-26 → 11-23, 10-12 → 11-09.
func dashFixture(t *testing.T, h *harness) (xqFirstOverdue int64) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, gongkai.Beijing)
	clock := now
	h.db.Now = func() time.Time { return clock }
	h.srv.now = func() time.Time { return clock }
	record := func(s *gongkai.School, event string) *gongkai.Obligation {
		t.Helper()
		d, _ := time.ParseInLocation("2006-01-02", event, gongkai.Beijing)
		o, err := h.db.RecordEvent(ctx, s.ID, h.actor(s.Slug+".clerk"), "procurement", "采购结果"+event, d, 0)
		must(t, err)
		return o
	}
	first := record(h.school, "2026-10-19")
	record(h.school, "2026-10-26")
	late := record(h.school, "2026-10-12")
	record(h.other, "2026-10-19")
	// Met late: published on 11-24 for the obligation due 11-09.
	clock = time.Date(2026, 11, 24, 10, 0, 0, 0, gongkai.Beijing)
	d := &gongkai.Disclosure{Title: "大宗物资采购结果公示", Body: "现将采购结果公布如下。", CatalogueCode: "procurement", Category: "procurement",
		Audience: gongkai.AudiencePublic, PublicityDays: 5, Channels: []gongkai.Channel{"online"}}
	must(t, h.db.CreateDisclosure(ctx, h.school.ID, h.actor("xq.clerk"), d))
	must(t, h.db.SetDisclosureObligation(ctx, h.school.ID, d.ID, late.ID))
	h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
	h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
	clock = now
	return first.ID
}

// rowOrder is the order of the schools' rows on the dashboard page.
func rowOrder(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`data-slug="([a-z]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestDashboard_page(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		first := dashFixture(t, h)
		c := h.client("bureau.inspector")
		for _, tc := range []struct {
			name, path string
			order      []string
			contains   []string
			absent     []string
		}{
			{"default: by rank; both unranked at 0%, more cases first", "/bureau/", []string{"xq", "other"},
				[]string{"2026年11月", "样本不足", `href="/s/xq/obligations"`, `href="/s/xq/obligations#ob-` + fmt.Sprint(first) + `"`, "0/3 件", "0/1 件", "<svg", "<title id=\"dash-svg-title\">", "<desc"}, nil},
			{"most overdue first", "/bureau/?sort=overdue&dir=desc", []string{"xq", "other"}, []string{`aria-sort="descending"`}, nil},
			{"fewest overdue first", "/bureau/?sort=overdue&dir=asc", []string{"other", "xq"}, []string{`aria-sort="ascending"`}, nil},
			{"late", "/bureau/?sort=late&dir=desc", []string{"xq", "other"}, nil, nil},
			{"by name", "/bureau/?sort=school&dir=asc", []string{"other", "xq"}, nil, nil},
			{"filter by name", "/bureau/?q=祥谦", []string{"xq"}, []string{"共 2 所学校，筛选后 1 所。"}, []string{`data-slug="other"`}},
			{"filter without match", "/bureau/?q=不存在", nil, []string{"没有符合条件的学校。"}, nil},
			{"this term", "/bureau/?period=term", []string{"xq", "other"}, []string{"2026年秋季学期"}, nil},
			{"this year", "/bureau/?period=year&sort=overdue&dir=desc", []string{"xq", "other"}, []string{"本年度（2026年）"}, nil},
			{"unknown sort and period fall back", "/bureau/?sort=bogus&dir=up&period=decade", []string{"xq", "other"}, []string{"2026年11月"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := h.get(c, tc.path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s: %d", tc.path, resp.StatusCode)
				}
				if got := rowOrder(body); strings.Join(got, ",") != strings.Join(tc.order, ",") {
					t.Errorf("%s: rows %v, want %v", tc.path, got, tc.order)
				}
				for _, s := range tc.contains {
					if !strings.Contains(body, s) {
						t.Errorf("%s: page lacks %q", tc.path, s)
					}
				}
				for _, s := range tc.absent {
					if strings.Contains(body, s) {
						t.Errorf("%s: page shows %q", tc.path, s)
					}
				}
			})
		}
		// The sort links keep the filter and the period, and the active
		// column's link turns the direction round.
		_, body := h.get(c, "/bureau/?period=year&q=祥谦&sort=overdue&dir=desc")
		if !strings.Contains(body, `href="/bureau/?dir=asc&amp;period=year&amp;q=%E7%A5%A5%E8%B0%A6&amp;sort=overdue"`) {
			t.Errorf("overdue heading does not link to the ascending order with the filter kept")
		}
		// The bureau's work page links to the dashboard; a school's staff is refused.
		if _, work := h.get(c, "/work"); !strings.Contains(work, `href="/bureau/"`) {
			t.Errorf("工作台 of the inspector has no link to the dashboard")
		}
		for _, who := range []string{"xq.principal", "nobody"} {
			if resp, _ := h.get(h.client(who), "/bureau/"); resp.StatusCode != http.StatusForbidden {
				t.Errorf("/bureau/ as %s: %d, want 403", who, resp.StatusCode)
			}
		}
	})
}

// TestDashboard_opensOnThePeriodWithData: on 3 December nothing is due yet
// in the month, so the dashboard opens on this term, where November's cases
// are; the month is one link away and says so.
func TestDashboard_opensOnThePeriodWithData(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dashFixture(t, h)
		december := time.Date(2026, 12, 3, 10, 0, 0, 0, gongkai.Beijing)
		h.db.Now = func() time.Time { return december }
		h.srv.now = func() time.Time { return december }
		c := h.client("bureau.inspector")
		_, body := h.get(c, "/bureau/")
		for _, want := range []string{"2026年秋季学期", `<a href="/bureau/" aria-current="page" class="active">本学期</a>`, `href="/bureau/?period=month"`, "0/3 件"} {
			if !strings.Contains(body, want) {
				t.Errorf("the dashboard on 3 December lacks %q", want)
			}
		}
		if got := rowOrder(body); len(got) != 2 {
			t.Errorf("rows %v, want both schools", got)
		}
		_, month := h.get(c, "/bureau/?period=month")
		if !strings.Contains(month, "2026年12月") || strings.Contains(month, "0/3 件") {
			t.Errorf("?period=month does not show December's empty month")
		}
	})
}

// TestBureauDuty_oneEntry: the bureau's work page and dashboard offer one
// entry to its supervision work, 教育局督办, where there were two look-alike
// buttons; the administrator lands on the cases waiting for the bureau, an
// inspector on the orders the schools still owe, and both lists link each
// other under that name.
func TestBureauDuty_oneEntry(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		for _, tt := range []struct{ who, target string }{
			{"bureau.admin", `href="/bureau/cases"`},
			{"bureau.inspector", `href="/bureau/orders?state=open"`},
		} {
			for _, page := range []string{"/work", "/bureau/"} {
				_, body := h.get(h.client(tt.who), page)
				if n := strings.Count(body, "bureau-duty\" href="); n != 1 {
					t.Errorf("%s %s: %d entries to 教育局督办, want 1", tt.who, page, n)
				}
				if !strings.Contains(body, `<a class="button secondary bureau-duty" `+tt.target+`>教育局督办</a>`) {
					t.Errorf("%s %s: the entry does not lead to %s", tt.who, page, tt.target)
				}
				for _, old := range []string{"督办通知（教育局）", "教育局督办件"} {
					if strings.Contains(body, old) {
						t.Errorf("%s %s still shows %s", tt.who, page, old)
					}
				}
			}
		}
		for _, page := range []string{"/bureau/cases", "/bureau/orders"} {
			_, body := h.get(h.client("bureau.admin"), page)
			if !strings.Contains(body, `<a href="`+page+`" aria-current="page">`) || !strings.Contains(body, `href="/bureau/cases"`) || !strings.Contains(body, `href="/bureau/orders"`) {
				t.Errorf("%s does not link both lists of 教育局督办", page)
			}
		}
	})
}

func TestDashboard_export(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dashFixture(t, h)
		resp, body := h.get(h.client("bureau.admin"), "/bureau/dashboard.xlsx")
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != xlsxType {
			t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		x, err := excelize.OpenReader(strings.NewReader(body))
		must(t, err)
		rows, err := x.GetRows("各校公开情况")
		must(t, err)
		if len(rows) != 3 {
			t.Fatalf("%d rows, want a header and 2 schools: %v", len(rows), rows)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		bySlug := map[string][]string{}
		for _, r := range rows[1:] {
			bySlug[r[1]] = r
		}
		for _, c := range []struct {
			slug, header, want string
		}{
			{"xq", "2026年11月已逾期", "2"}, {"xq", "2026年11月逾期公开", "1"}, {"xq", "2026年11月件数", "3"},
			{"xq", "2026年11月按时率", "0%"}, {"xq", "2026年11月排名", "样本不足"}, {"other", "2026年已逾期", "1"},
			{"xq", "学校", "祥谦小学"},
		} {
			i, ok := col[c.header]
			if !ok {
				t.Errorf("no column %q in %v", c.header, rows[0])
				continue
			}
			if got := bySlug[c.slug][i]; got != c.want {
				t.Errorf("%s %s: %q, want %q", c.slug, c.header, got, c.want)
			}
		}
	})
}

func TestDashboard_api(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dashFixture(t, h)
		// One supervision order to xq, open: the bureau sees it on its line.
		if _, err := h.db.IssueOrders(context.Background(), h.school.BureauID, h.actor("bureau.admin"), gongkai.OrderIssue{
			Kind: gongkai.OrderUrge, Title: "关于督促公开财务收支情况的通知", Body: "请于期限内公开。", Workdays: 5, SchoolIDs: []int64{h.school.ID}}); err != nil {
			t.Fatal(err)
		}
		status, body, _ := h.apiCall(t, "GET", "/api/v1/dashboard", h.apiToken("bureau.inspector"), nil)
		if status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", status, body)
		}
		var got struct {
			Period  string `json:"period"`
			From    string `json:"from"`
			To      string `json:"to"`
			Schools []struct {
				Slug            string   `json:"slug"`
				OnTime          *int     `json:"on_time"`
				Late            *int     `json:"late"`
				Overdue         *int     `json:"overdue"`
				OpenFeedback    *int     `json:"open_feedback"`
				MedianReplyDays *float64 `json:"median_reply_days"`
				OnTimeRate      *float64 `json:"on_time_rate"`
				Rank            *int     `json:"rank"`
				Cases           int      `json:"cases"`
				OpenOrders      int      `json:"open_orders"`
				Satisfaction    *float64 `json:"satisfaction"`
				Monthly         []struct {
					Month   string `json:"month"`
					Overdue int    `json:"overdue"`
				} `json:"monthly"`
			} `json:"schools"`
		}
		must(t, json.Unmarshal([]byte(body), &got))
		if got.Period != "month" || got.From != "2026-11-01" || got.To != "2026-11-30" || len(got.Schools) != 2 {
			t.Fatalf("dashboard: %s", body)
		}
		for _, s := range got.Schools {
			if s.OnTime == nil || s.Late == nil || s.Overdue == nil || s.OpenFeedback == nil {
				t.Fatalf("%s lacks a figure: %s", s.Slug, body)
			}
			if s.MedianReplyDays != nil || s.Rank != nil || !strings.Contains(body, `"median_reply_days":null`) {
				t.Errorf("%s: median %v rank %v, want null for no reply and too few cases", s.Slug, s.MedianReplyDays, s.Rank)
			}
			want := map[string][3]int{"xq": {0, 1, 2}, "other": {0, 0, 1}}[s.Slug]
			if [3]int{*s.OnTime, *s.Late, *s.Overdue} != want || s.OnTimeRate == nil || *s.OnTimeRate != 0 || s.Cases != want[1]+want[2] {
				t.Errorf("%s: on time %d late %d overdue %d rate %v cases %d, want %v", s.Slug, *s.OnTime, *s.Late, *s.Overdue, s.OnTimeRate, s.Cases, want)
			}
			if wantOrders := map[string]int{"xq": 1}[s.Slug]; s.OpenOrders != wantOrders || s.Satisfaction != nil {
				t.Errorf("%s: %d open orders (want %d), satisfaction %v (want null: no survey)", s.Slug, s.OpenOrders, wantOrders, s.Satisfaction)
			}
			if len(s.Monthly) != 12 || s.Monthly[11].Month != "2026-11" || s.Monthly[11].Overdue != want[2] {
				t.Errorf("%s monthly: %+v", s.Slug, s.Monthly)
			}
		}
		if status, body, _ := h.apiCall(t, "GET", "/api/v1/dashboard?period=decade", h.apiToken("bureau.admin"), nil); status != http.StatusBadRequest || !strings.Contains(body, "period") {
			t.Errorf("bad period: %d %s", status, body)
		}
		for _, who := range []string{"xq.principal", "other.clerk", "nobody"} {
			if status, _, _ := h.apiCall(t, "GET", "/api/v1/dashboard", h.apiToken(who), nil); status != http.StatusForbidden {
				t.Errorf("as %s: %d, want 403", who, status)
			}
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/dashboard", "", nil); status != http.StatusUnauthorized {
			t.Errorf("anonymous: %d, want 401", status)
		}
	})
}
