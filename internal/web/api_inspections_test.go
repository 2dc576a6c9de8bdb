package web

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"gongkai"
)

// TestAPI_inspectionsAndReports reads a school's self-inspections and its
// annual report through the API as the people who read them on the pages,
// and checks that others are told there is nothing.
func TestAPI_inspectionsAndReports(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		term := gongkai.TermOf(h.db.Now()).Prev()
		in := filledInspection(term, map[string]gongkai.Verdict{"fees": gongkai.VerdictNotMet}, h.db.Now())
		in.Summary = "收费公示不及时。"
		_, err := h.db.SaveInspection(ctx, h.school.ID, h.actor("xq.supervisor"), in.SaveCommand(true))
		must(t, err)
		year := h.db.Now().In(gongkai.Beijing).Year()
		must(t, h.db.SaveReportText(ctx, h.school.ID, h.actor("xq.principal"), year, gongkai.ReportText{Summary: "本年度主动公开事项均按时发布。"}))

		principal := h.apiToken("xq.principal")
		status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/inspections", principal, nil)
		list := apiJSON[struct {
			Items []struct {
				Term         string  `json:"term"`
				State        string  `json:"state"`
				NotMet       int     `json:"not_met"`
				OpenMeasures int     `json:"open_measures"`
				SubmittedAt  *string `json:"submitted_at"`
			} `json:"items"`
		}](t, body)
		if status != http.StatusOK || len(list.Items) != 1 || list.Items[0].Term != term.Key() || list.Items[0].State != "submitted" ||
			list.Items[0].NotMet != 1 || list.Items[0].OpenMeasures != 1 || list.Items[0].SubmittedAt == nil {
			t.Fatalf("list: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/inspections/"+term.Key(), h.apiToken("bureau.inspector"), nil)
		one := apiJSON[struct {
			Term    string `json:"term"`
			Summary string `json:"summary"`
			Items   []struct {
				Code    string  `json:"code"`
				Verdict *string `json:"verdict"`
				Measure string  `json:"measure"`
				Due     *string `json:"due"`
			} `json:"items"`
		}](t, body)
		if status != http.StatusOK || one.Summary != "收费公示不及时。" || len(one.Items) != len(gongkai.DefaultChecklist) {
			t.Fatalf("one: %d %s", status, body)
		}
		for _, it := range one.Items {
			if it.Verdict == nil || (it.Code == "fees") != (*it.Verdict == "not_met") || (it.Code == "fees") != (it.Due != nil && it.Measure != "") {
				t.Errorf("item %+v", it)
			}
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/reports/"+strconv.Itoa(year), h.apiToken("xq.leader"), nil)
		rep := apiJSON[struct {
			Year        int       `json:"year"`
			Title       string    `json:"title"`
			Summary     string    `json:"summary"`
			Published   int       `json:"published"`
			Disclosure  *struct{} `json:"disclosure"`
			Inspections []string  `json:"inspections"`
		}](t, body)
		if status != http.StatusOK || rep.Year != year || rep.Title != gongkai.ReportTitle(h.school.Name, year) || rep.Summary != "本年度主动公开事项均按时发布。" ||
			rep.Published == 0 || rep.Disclosure != nil {
			t.Fatalf("report: %d %s", status, body)
		}
		// Others: nothing to see; no such term or year.
		for _, tc := range []struct{ who, path string }{
			{"xq.clerk", "/api/v1/schools/xq/inspections"},
			{"xq.parent", "/api/v1/schools/xq/inspections/" + term.Key()},
			{"other.principal", "/api/v1/schools/xq/reports/" + strconv.Itoa(year)},
			{"xq.principal", "/api/v1/schools/xq/inspections/" + gongkai.TermOf(h.db.Now().AddDate(1, 0, 0)).Key()},
			{"xq.principal", "/api/v1/schools/xq/inspections/" + term.Prev().Key()},
			{"xq.principal", "/api/v1/schools/xq/reports/" + strconv.Itoa(year+1)},
			{"xq.principal", "/api/v1/schools/xq/reports/" + strconv.Itoa(year) + ".xlsx"},
		} {
			if status, body, _ := h.apiCall(t, "GET", tc.path, h.apiToken(tc.who), nil); status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d %s, want 404", tc.who, tc.path, status, body)
			}
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/inspections", "", nil); status != http.StatusUnauthorized {
			t.Errorf("without a token: %d, want 401", status)
		}
	})
}
