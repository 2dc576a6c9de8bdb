package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// obligationFixture puts school xq on Monday 2026-03-02 with the December
// statement met late and January's left overdue.
func obligationFixture(t *testing.T, h *harness) (dec, jan *gongkai.Obligation) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing)
	h.db.Now = func() time.Time { return now }
	_, err := h.db.EnsureObligations(ctx, h.school.ID, time.Date(2026, 1, 1, 0, 0, 0, 0, gongkai.Beijing), now.AddDate(0, 0, -1))
	must(t, err)
	d := &gongkai.Disclosure{Title: "关于2025年12月份财务收支情况的公示", Body: "收支情况如下。", CatalogueCode: "monthly-finance", Category: "finance",
		Audience: gongkai.AudiencePublic, PublicityDays: 5}
	must(t, h.db.CreateDisclosure(ctx, h.school.ID, h.actor("xq.clerk"), d))
	h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
	h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
	obs, err := h.db.FindObligations(ctx, h.school.ID, store.ObligationFilter{CatalogueCode: "monthly-finance"})
	must(t, err)
	if len(obs) != 2 || obs[0].State != gongkai.ObLate || obs[0].DisclosureID != d.ID || obs[1].State != gongkai.ObOverdue {
		t.Fatalf("fixture obligations: %+v", obs)
	}
	return obs[0], obs[1]
}

// section returns the HTML of one section of the calendar.
func section(t *testing.T, body, id string) string {
	t.Helper()
	i := strings.Index(body, `ob-section `+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	j := strings.Index(body[i:], "</section>")
	return body[i : i+j]
}

func TestObligations_calendarPage(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dec, jan := obligationFixture(t, h)
		clerk := h.client("xq.clerk")
		resp, body := h.get(clerk, "/s/xq/obligations")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("calendar: %d", resp.StatusCode)
		}
		tests := []struct {
			section string
			want    []string
			not     []string
		}{
			{"ob-overdue", []string{"月度财务收支报表", "2026年1月", "2026-02-05", "逾期 13 个工作日", "已逾期", fmt.Sprintf("manage/new?obligation=%d", jan.ID)}, []string{"2025年12月"}},
			{"ob-this", []string{"本月（2026年3月）", "2026年2月", "2026-03-05", "剩余 3 个工作日", "即将到期", "学校预算、决算", "2026-03-31"}, []string{"2026年1月"}},
			{"ob-next", []string{"下月（2026年4月）", "2026年3月", "2026-04-07", "未到期"}, nil},
			{"ob-done", []string{"2025年12月", "逾期公开", "关于2025年12月份财务收支情况的公示", fmt.Sprintf("/s/xq/manage/d/%d", dec.DisclosureID)}, []string{"填写登记表"}},
		}
		for _, tt := range tests {
			sec := html.UnescapeString(section(t, body, tt.section))
			for _, w := range tt.want {
				if !strings.Contains(sec, w) {
					t.Errorf("section %s lacks %q", tt.section, w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(sec, w) {
					t.Errorf("section %s shows %q", tt.section, w)
				}
			}
		}
		if strings.Contains(body, "/waive") {
			t.Errorf("a clerk is offered the waive form")
		}
		if !strings.Contains(body, `href="/s/xq/obligations" aria-current="page"`) {
			t.Errorf("the school nav does not mark the calendar")
		}

		// One click to a pre-filled registration form.
		resp, body = h.get(clerk, fmt.Sprintf("/s/xq/manage/new?obligation=%d", jan.ID))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("form: %d", resp.StatusCode)
		}
		for _, w := range []string{`value="关于2026年1月份财务收支情况的公示"`, `<option value="monthly-finance" selected>`,
			fmt.Sprintf(`<option value="%d" selected>2026年1月`, jan.ID), `name="obligation"`} {
			if !strings.Contains(html.UnescapeString(body), w) {
				t.Errorf("pre-filled form lacks %s", w)
			}
		}
		if resp, _ := h.get(clerk, "/s/xq/manage/new?obligation=99999"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown obligation: %d, want 404", resp.StatusCode)
		}

		// Saved from the form, the item meets the chosen obligation when published.
		form := url.Values{"catalogue": {"monthly-finance"}, "category": {"finance"}, "title": {"关于2026年1月份财务收支情况的公示"}, "body": {"收支情况。"},
			"audience": {"public"}, "publicity_days": {"5"}, "channels": {"online"}, "obligation": {fmt.Sprint(jan.ID)}, "do": {"save"}}
		resp, _ = h.post(clerk, "/s/xq/manage/new", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", resp.StatusCode)
		}
		var id int64
		if _, err := fmt.Sscanf(resp.Header.Get("Location"), "/s/xq/manage/d/%d/edit", &id); err != nil {
			t.Fatalf("saved to %q: %v", resp.Header.Get("Location"), err)
		}
		if got, _ := h.db.DisclosureObligation(context.Background(), h.school.ID, id); got != jan.ID {
			t.Errorf("saved obligation %d, want %d", got, jan.ID)
		}
		form.Set("obligation", fmt.Sprint(dec.ID)) // met already
		if resp, body := h.post(clerk, "/s/xq/manage/new", form); resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "所选的公开义务不属于该公开事项或已完成") {
			t.Errorf("a met obligation: %d", resp.StatusCode)
		}
	})
}

func TestObligations_waiveAndRecord(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		_, jan := obligationFixture(t, h)
		waive := fmt.Sprintf("/s/xq/obligations/%d/waive", jan.ID)
		tests := []struct {
			name, user, reason string
			status             int
			want               string
		}{
			{"clerk", "xq.clerk", "理由", http.StatusForbidden, ""},
			{"bureau", "bureau.admin", "理由", http.StatusForbidden, ""},
			{"no reason", "xq.principal", " ", http.StatusUnprocessableEntity, "请填写免除的理由。"},
			{"principal", "xq.principal", "一月份报表已随县财政统一公开", http.StatusSeeOther, ""},
			{"twice", "xq.principal", "再次免除", http.StatusSeeOther, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.post(h.client(tt.user), waive, url.Values{"reason": {tt.reason}})
				if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
					t.Fatalf("%d, want %d with %q", resp.StatusCode, tt.status, tt.want)
				}
			})
		}
		// The bureau sees the waiver and its reason.
		_, body := h.get(h.client("bureau.inspector"), "/s/xq/obligations")
		done := section(t, body, "ob-done")
		if !strings.Contains(done, "一月份报表已随县财政统一公开") || !strings.Contains(done, "已免除") || strings.Contains(section(t, body, "ob-overdue"), "2026年1月") {
			t.Errorf("waiver not shown to the bureau")
		}

		// 记录事项: a large expense below 3,000 yuan is refused with the input kept.
		clerk := h.client("xq.clerk")
		resp, body := h.post(clerk, "/s/xq/obligations/events", url.Values{"catalogue": {"large-expense"}, "title": {"购置打印机"}, "date": {"2026-02-27"}, "amount": {"2999.99"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "3000 元及以上") || !strings.Contains(body, `value="购置打印机"`) {
			t.Fatalf("small expense: %d", resp.StatusCode)
		}
		resp, _ = h.post(clerk, "/s/xq/obligations/events", url.Values{"catalogue": {"large-expense"}, "title": {"购置课桌椅"}, "date": {"2026-02-27"}, "amount": {"3000"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d", resp.StatusCode)
		}
		_, body = h.get(clerk, "/s/xq/obligations")
		if this := section(t, body, "ob-this"); !strings.Contains(this, "购置课桌椅（2026-02-27）") || !strings.Contains(this, "2026-03-26") {
			t.Errorf("the event's obligation is not in this month")
		}
		if resp, _ := h.post(h.client("xq.leader"), "/s/xq/obligations/events", url.Values{"catalogue": {"large-expense"}}); resp.StatusCode != http.StatusForbidden {
			t.Errorf("leader records: %d", resp.StatusCode)
		}
	})
}

func TestObligations_api(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dec, jan := obligationFixture(t, h)
		token := h.apiToken("xq.supervisor")
		status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/obligations?from=2025-12-01&to=2026-02-28", token, nil)
		if status != http.StatusOK {
			t.Fatalf("list: %d %s", status, body)
		}
		var out struct {
			Items []map[string]any `json:"items"`
		}
		must(t, json.Unmarshal([]byte(body), &out))
		out.Items = monthly(out.Items)
		if len(out.Items) != 2 {
			t.Fatalf("%d statements, want two: %s", len(out.Items), body)
		}
		first := out.Items[0]
		want := map[string]any{"catalogue_code": "monthly-finance", "period": "2025-12", "due": "2026-01-05", "state": "met_late", "disclosure_id": float64(dec.DisclosureID)}
		for k, v := range want {
			if first[k] != v {
				t.Errorf("%s = %v, want %v", k, first[k], v)
			}
		}
		if out.Items[1]["state"] != "overdue" || out.Items[1]["disclosure_id"] != nil || out.Items[1]["id"] != float64(jan.ID) {
			t.Errorf("second %v", out.Items[1])
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/obligations?state=overdue,due_soon", token, nil)
		must(t, json.Unmarshal([]byte(body), &out))
		for _, it := range out.Items {
			if st := it["state"]; st != "overdue" && st != "due_soon" {
				t.Errorf("state filter let %v through", st)
			}
		}
		if out.Items = monthly(out.Items); status != http.StatusOK || len(out.Items) != 1 || out.Items[0]["period"] != "2026-01" {
			t.Errorf("overdue: %d %s", status, body)
		}
		for _, q := range []string{"from=2026-13-01", "to=yesterday", "state=late", "from=2026-05-01&to=2026-04-01"} {
			if status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/obligations?"+q, token, nil); status != http.StatusBadRequest {
				t.Errorf("%s: %d %s, want 400", q, status, body)
			}
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/obligations", h.apiToken("xq.parent"), nil); status != http.StatusForbidden {
			t.Errorf("parent: %d, want 403", status)
		}
	})
}

func monthly(items []map[string]any) []map[string]any {
	var out []map[string]any
	for _, it := range items {
		if it["catalogue_code"] == "monthly-finance" {
			out = append(out, it)
		}
	}
	return out
}
