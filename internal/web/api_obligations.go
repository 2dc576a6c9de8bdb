package web

import (
	"net/http"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// apiObligation is one obligation of the compliance calendar.
type apiObligation struct {
	ID            int64   `json:"id"`
	CatalogueCode string  `json:"catalogue_code"`
	CatalogueName string  `json:"catalogue_name"`
	Period        string  `json:"period"`
	PeriodLabel   string  `json:"period_label"`
	Due           apiDate `json:"due"`
	Provisional   bool    `json:"due_provisional"`
	State         string  `json:"state"`
	DisclosureID  *int64  `json:"disclosure_id"`
	MetAt         apiTime `json:"met_at"`
	WaiveReason   string  `json:"waive_reason,omitempty"`
	WaivedAt      apiTime `json:"waived_at"`
	EventTitle    string  `json:"event_title,omitempty"`
	// Channel is where the item must also be posted or announced
	// ("board": 须在公开栏张贴); the obligation is met only once that is
	// recorded. Empty when publication suffices.
	Channel string `json:"channel,omitempty"`
}

var apiObligationStates = []gongkai.ObligationState{gongkai.ObUpcoming, gongkai.ObDueSoon, gongkai.ObOverdue, gongkai.ObOnTime, gongkai.ObLate, gongkai.ObWaived}

// apiObligations lists a school's obligations due in [from, to] (default:
// this year), optionally of some states (comma-separated).
func (s *Server) apiObligations(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	q := r.URL.Query()
	fe := gongkai.FieldErrors{}
	now := s.db.Now().In(gongkai.Beijing)
	f := store.ObligationFilter{From: time.Date(now.Year(), 1, 1, 0, 0, 0, 0, gongkai.Beijing), To: time.Date(now.Year(), 12, 31, 0, 0, 0, 0, gongkai.Beijing)}
	day := func(name string, into *time.Time) {
		v := q.Get(name)
		if v == "" {
			return
		}
		t, err := time.ParseInLocation("2006-01-02", v, gongkai.Beijing)
		if err != nil {
			fe.Add(name, name+" 须为日期，格式 YYYY-MM-DD，例如 2026-10-01。")
			return
		}
		*into = t
	}
	day("from", &f.From)
	day("to", &f.To)
	if len(fe) == 0 && f.To.Before(f.From) {
		fe.Add("to", "to 不能早于 from。")
	}
	if len(fe) == 0 && f.To.Sub(f.From) > 3*366*24*time.Hour {
		fe.Add("to", "一次最多查询三年。")
	}
	if v := q.Get("state"); v != "" {
		for _, st := range strings.Split(v, ",") {
			st = strings.TrimSpace(st)
			if !containsObState(apiObligationStates, gongkai.ObligationState(st)) {
				fe.Add("state", "没有这个状态："+apiQuote(st)+"。可用：upcoming, due_soon, overdue, met_on_time, met_late, waived。")
				break
			}
			f.States = append(f.States, gongkai.ObligationState(st))
		}
	}
	if len(fe) > 0 {
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}
	obs, err := s.db.FindObligations(r.Context(), school.ID, f)
	if err != nil {
		return err
	}
	out := struct {
		Items []apiObligation `json:"items"`
	}{Items: make([]apiObligation, len(obs))}
	for i, o := range obs {
		a := apiObligation{ID: o.ID, CatalogueCode: o.CatalogueCode, CatalogueName: o.CatalogueName, Period: o.PeriodKey, PeriodLabel: o.PeriodLabel,
			Due: apiDate(o.Due), Provisional: o.DueProvisional, State: string(o.State), MetAt: apiTime(o.MetAt), EventTitle: o.EventTitle,
			Channel: string(o.Channel)}
		if o.DisclosureID != 0 {
			id := o.DisclosureID
			a.DisclosureID = &id
		}
		if o.Waived {
			a.WaiveReason, a.WaivedAt = o.WaiveReason, apiTime(o.WaivedAt)
		}
		out.Items[i] = a
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func containsObState(ss []gongkai.ObligationState, s gongkai.ObligationState) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
