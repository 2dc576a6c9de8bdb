package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// Reading items through the API: lists and one item.

type apiList struct {
	Items   []apiItem `json:"items"`
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	Next    *int      `json:"next"`
}

const apiMaxPage = 10000

// apiListQuery is a list's query string, read and checked.
type apiListQuery struct {
	filter store.DisclosureFilter
	state  gongkai.State
	scope  string // "", board or all
}

// apiReadListQuery reads a list's query string, every problem at once
// (EMALFORMED with its fields).
func apiReadListQuery(r *http.Request) (apiListQuery, error) {
	q := r.URL.Query()
	fe := gongkai.FieldErrors{}
	lq := apiListQuery{filter: store.DisclosureFilter{Query: q.Get("q"), Page: 1, PerPage: 20}, state: gongkai.State(q.Get("state")), scope: q.Get("scope")}
	f := &lq.filter
	intParam := func(name string, lo, hi int, msg string) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fe.Add(name, msg)
			return 0
		}
		return n
	}
	if n := intParam("page", 1, apiMaxPage, fmt.Sprintf("page 须为 1–%d 之间的整数。", apiMaxPage)); n > 0 {
		f.Page = n
	}
	if n := intParam("per_page", 1, 100, "per_page 须为 1–100 之间的整数。"); n > 0 {
		f.PerPage = n
	}
	f.Year = intParam("year", 1900, 2999, "year 须为四位年份，例如 2026。")
	if c := q.Get("category"); c != "" {
		if _, ok := gongkai.CategoryByCode(c); !ok {
			fe.Add("category", "没有这个公开类别："+apiQuote(c)+"。可用的类别见 /api/v1/openapi.json。")
		}
		f.Category = c
	}
	if lq.state != "" && !apiKnownState(lq.state) {
		fe.Add("state", "没有这个状态："+apiQuote(string(lq.state))+"。")
	}
	if lq.scope != "" && lq.scope != "board" && lq.scope != "all" {
		fe.Add("scope", "scope 只能是 board 或 all。")
	}
	if utf8.RuneCountInString(f.Query) > 200 {
		fe.Add("q", "搜索词不能超过 200 字。")
	}
	if len(fe) > 0 {
		return lq, &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}
	return lq, nil
}

// apiDisclosures lists what the caller may see. By default that is the
// board: published items of the audiences the caller reads. People of the
// procedure (and the bureau) may ask for an unpublished state with state=,
// or for everything with scope=all: the work in progress first, then the
// board.
func (s *Server) apiDisclosures(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	lq, err := apiReadListQuery(r)
	if err != nil {
		return err
	}
	items, total, err := s.apiFindDisclosures(r, school, &lq)
	if err != nil {
		return err
	}
	f := lq.filter
	out := apiList{Items: make([]apiItem, len(items)), Total: total, Page: f.Page, PerPage: f.PerPage}
	for i, d := range items {
		out.Items[i] = apiItemOf(school, d)
	}
	if f.Page*f.PerPage < total && f.Page < apiMaxPage {
		next := f.Page + 1
		out.Next = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// apiFindDisclosures finds the page the query asks for among what the
// caller may see, taken-down rosters hidden.
func (s *Server) apiFindDisclosures(r *http.Request, school *gongkai.School, lq *apiListQuery) ([]*gongkai.Disclosure, int, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	audiences := gongkai.ReadableAudiences(actor, school.BureauID, school.ID)
	insider := gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)
	state, f := lq.state, &lq.filter
	wantsUnpublished := lq.scope == "all" || (state != "" && !(&gongkai.Disclosure{State: state}).Published())
	if wantsUnpublished && !insider {
		if actor.Anonymous() {
			return nil, 0, gongkai.Errorf(gongkai.EUNAUTHENTICATED, "未发布的事项只对参与公开流程的人员开放，请先获取令牌。")
		}
		return nil, 0, gongkai.Errorf(gongkai.EFORBIDDEN, "未发布的事项只对本校经办人、领导小组、校长、监督小组和教育局开放。")
	}
	var items []*gongkai.Disclosure
	var total int
	var err error
	switch {
	case state != "" && wantsUnpublished:
		f.States = []gongkai.State{state}
		items, total, err = s.db.FindDisclosures(ctx, school.ID, *f)
	case lq.scope == "all" && state == "":
		f.Audiences = audiences
		items, total, err = s.db.FindAllDisclosures(ctx, school.ID, *f)
	default:
		f.Published, f.Audiences = true, audiences
		if state != "" {
			f.States = []gongkai.State{state}
		}
		items, total, err = s.db.FindDisclosures(ctx, school.ID, *f)
	}
	if err != nil {
		return nil, 0, err
	}
	return s.hideTakenDown(ctx, school, items, f.Query, total) // roster.go
}

func apiKnownState(st gongkai.State) bool {
	for _, x := range gongkai.States {
		if st == x {
			return true
		}
	}
	return false
}

// apiQuote shows a caller's value in a message, cut short.
func apiQuote(v string) string {
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:40]) + "…"
	}
	return "“" + strings.ToValidUTF8(v, "?") + "”"
}

// apiWriteDetail answers with the full item as the reader may see it.
func (s *Server) apiWriteDetail(ctx context.Context, w http.ResponseWriter, actor *gongkai.Actor, school *gongkai.School, d *gongkai.Disclosure, status int) error {
	detail, err := s.apiDetailOf(ctx, actor, school, d)
	if err != nil {
		return err
	}
	writeJSON(w, status, detail)
	return nil
}

// apiDetailOf builds the full item for the reader. People outside the
// procedure see the trail without names and internal review comments (the
// public page shows only its one-line summary); a roster past its
// publicity period is withheld as on the public page.
func (s *Server) apiDetailOf(ctx context.Context, actor *gongkai.Actor, school *gongkai.School, d *gongkai.Disclosure) (apiDetail, error) {
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return apiDetail{}, err
	}
	rule := rs.rule(d)
	insider := gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)
	out := apiDetail{
		apiItem: apiItemOf(school, d), SchoolName: school.Title(),
		Body: d.Body, CatalogueCode: d.CatalogueCode, DocNumber: d.DocNumber,
		DepartmentID: d.DepartmentID, Department: d.DepartmentName, Clerk: d.ClerkName,
		Channels: make([]string, len(d.Channels)), LegalBasis: d.LegalBasis, Contact: d.Contact,
		PublicityDays: d.PublicityDays, EndProvisional: d.EndProvisional,
		CreatedAt: apiTime(d.CreatedAt), UpdatedAt: apiTime(d.UpdatedAt), SignedAt: apiTime(d.SignedAt), Reason: d.Reason,
		Attachments: apiAttachmentsOf(school, d.Attachments),
		Versions:    []apiVersion{}, Trail: []apiEvent{}, Actions: []string{},
	}
	for i, c := range d.Channels {
		out.Channels[i] = string(c)
	}
	if d.SignedBy != 0 {
		out.SignedBy = &d.SignedByName
	}
	if !insider {
		// Readers outside the procedure never knew the clerk by name.
		out.Clerk = ""
	}
	for _, v := range d.Versions {
		if !insider && v.PublishedAt.IsZero() {
			continue
		}
		out.Versions = append(out.Versions, apiVersionOf(school, v))
	}
	trail := d.Trail
	if !insider {
		// Steps of revisions not (yet) published are not public.
		trail = gongkai.PublicTrail(trail)
	}
	for _, e := range trail {
		ev := apiEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), Actor: e.ActorName, Role: string(e.ActorRole),
			Comment: e.Comment, Version: e.Version, At: apiTime(e.At), Revision: e.Revision}
		if !insider {
			ev.Actor = ""
			if e.Action != gongkai.ActionWithdraw && e.Action != gongkai.ActionRevise {
				ev.Comment = ""
			}
		}
		out.Trail = append(out.Trail, ev)
	}
	for _, a := range d.ItemSteps(actor) {
		out.Actions = append(out.Actions, string(a))
	}
	if insider && d.RevisionState != "" {
		out.RevisionState = string(d.RevisionState)
		for _, a := range gongkai.AvailableRevisionActions(actor, school.ID, d.State, d.RevisionState) {
			out.RevisionActions = append(out.RevisionActions, string(a))
		}
	}
	if out.Postings, err = s.apiPostingsOf(ctx, school, d, rule); err != nil {
		return apiDetail{}, err
	}
	takedown, down := gongkai.TakedownAt(d, rule, s.now()) // roster.go
	if down {
		at := takedown
		bodies := []string{d.Body}
		for _, v := range d.Versions {
			bodies = append(bodies, v.Body)
		}
		names := gongkai.RosterNames(bodies...)
		out.Hidden, out.Body, out.Attachments = true, "", []apiAttachment{}
		out.Title = gongkai.MaskNames(out.Title, names)
		out.Notice = gongkai.TakedownNotice(d, at)
		for i := range out.Postings {
			out.Postings[i].PhotoURL = "" // the paper shows the names
		}
		for i := range out.Versions {
			out.Versions[i].Title = gongkai.MaskNames(out.Versions[i].Title, names)
			out.Versions[i].Body, out.Versions[i].Attachments = "", []apiAttachment{}
		}
	}
	out.Ledger, err = s.apiLedgerOf(ctx, d)
	if out.Ledger != nil {
		// When the title and body no longer are what was logged, and why.
		c := gongkai.LedgerContentOf(d)
		if down && (c.TextRemoved.IsZero() || takedown.Before(c.TextRemoved)) {
			c.TextRemoved = takedown
		}
		if !c.TextRemoved.IsZero() {
			day := c.TextRemoved.In(gongkai.Beijing).Format(time.DateOnly)
			out.Ledger.TextRemovedOn = &day
		}
	}
	return out, err
}

// apiLedgerOf is the item's latest log entry, nil before its first
// publication.
func (s *Server) apiLedgerOf(ctx context.Context, d *gongkai.Disclosure) (*apiLedger, error) {
	recs, err := s.db.FindLedgerRecords(ctx, d.SchoolID, d.ID)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	last := recs[len(recs)-1]
	return &apiLedger{Index: last.Index, LeafHash: hex.EncodeToString(last.LeafHash[:]), Entry: string(last.Entry)}, nil
}

// pathID reads the {id} path value: a positive number written plainly
// ("7", not "07" or "+7"), so that one item has one address.
func pathID(r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == raw
}

// apiLoad finds the item of the {id} path value with its school, and
// answers ENOTFOUND, never EFORBIDDEN, when the caller may not see it.
func (s *Server) apiLoad(r *http.Request) (*gongkai.School, *gongkai.Disclosure, error) {
	return s.apiLoadItem(r, true)
}

// apiLoadItem finds the school of the item in the path and, when full, the
// item itself, answering 404 when the actor may not read it. Without full
// only the item's id and school are filled in, and the store call that
// follows must check the actor (as Act does, under the row lock).
func (s *Server) apiLoadItem(r *http.Request, full bool) (*gongkai.School, *gongkai.Disclosure, error) {
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在或您无权查看。")
	id, ok := pathID(r)
	if !ok {
		return nil, nil, notFound
	}
	school, err := s.db.FindSchoolOfDisclosure(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	schoolID := school.ID
	if !full {
		// The caller's store call checks that the actor may see the item.
		return school, &gongkai.Disclosure{ID: id, SchoolID: schoolID}, nil
	}
	d, err := s.db.FindDisclosureByID(r.Context(), schoolID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanReadDisclosure(gongkai.ActorFrom(r.Context()), school.BureauID, d) {
		return nil, nil, notFound
	}
	return school, d, nil
}

func (s *Server) apiDisclosure(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	detail, err := s.apiDetailOf(r.Context(), gongkai.ActorFrom(r.Context()), school, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, detail)
	return nil
}
