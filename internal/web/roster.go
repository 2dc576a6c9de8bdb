package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Rosters (lists of people) taken down after their publicity period or at
// withdrawal: the rule is the domain's (gongkai.TakedownAt); here every
// path that shows an item applies it — the item page, each version, the
// board and its search, the API, attachments — and staff of the procedure
// open the original only with a recorded reason. The impact assessments
// that must precede a roster are kept and shown here too.

// rosters holds a school's catalogue for deciding, item by item, whether
// its people are taken down.
type rosters struct {
	cat []gongkai.CatalogueItem
	now time.Time
}

func (s *Server) rostersOf(ctx context.Context, school *gongkai.School) (*rosters, error) {
	cat, err := s.db.FindCatalogue(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	return &rosters{cat: cat, now: s.now()}, nil
}

func (rs *rosters) rule(d *gongkai.Disclosure) gongkai.RosterRule { return gongkai.RuleFor(d, rs.cat) }

// takenDown reports whether d's people are taken down, and since when.
func (rs *rosters) takenDown(d *gongkai.Disclosure) (time.Time, bool) {
	return gongkai.TakedownAt(d, rs.rule(d), rs.now)
}

// hideTakenDown masks the names of their rosters in the titles of the
// items taken down, and drops from a search's matches those found by words
// that are no longer public (between the end of a period and the sweep that
// takes their words out of the index). It reads the names in one query.
func (s *Server) hideTakenDown(ctx context.Context, school *gongkai.School, items []*gongkai.Disclosure, query string, total int) ([]*gongkai.Disclosure, int, error) {
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return nil, 0, err
	}
	var down []int64
	for _, d := range items {
		if _, ok := rs.takenDown(d); ok {
			down = append(down, d.ID)
		}
	}
	if len(down) == 0 {
		return items, total, nil
	}
	names, err := s.db.RosterNames(ctx, school.ID, down)
	if err != nil {
		return nil, 0, err
	}
	out := items[:0]
	for _, d := range items {
		if containsID(down, d.ID) {
			d.Title = gongkai.MaskNames(d.Title, names[d.ID])
			if query != "" && !matchesAll(d.Title+" "+d.DocNumber, query) {
				total--
				continue
			}
		}
		out = append(out, d)
	}
	return out, max(total, 0), nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// matchesAll reports whether every word of the query is in the text.
func matchesAll(text, query string) bool {
	text = strings.ToLower(text)
	for _, w := range strings.Fields(strings.ToLower(query)) {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return true
}

// hideRoster withholds the people of a taken-down item from the view: the
// title's names masked, no body, no files, the notice instead.
func (v *docView) hideRoster() {
	if !v.TakenDown {
		return
	}
	v.Title = gongkai.MaskNames(v.Title, v.names)
	v.Body, v.Files = "", nil
}

// masked returns a copy of the item whose titles (current and of every
// version) have the names masked and whose bodies are empty, for pages that
// list the versions of a taken-down roster.
func (v *docView) masked() *gongkai.Disclosure {
	d := *v.D
	d.Title, d.Body = gongkai.MaskNames(d.Title, v.names), ""
	d.Versions = make([]gongkai.Version, len(v.D.Versions))
	for i, ver := range v.D.Versions {
		ver.Title, ver.Body, ver.Attachments = gongkai.MaskNames(ver.Title, v.names), "", nil
		d.Versions[i] = ver
	}
	d.Attachments = nil
	return &d
}

// ---- attachments of a taken-down roster ----

// takenDownFile answers a request for a file of a taken-down roster: 410
// Gone with the item's notice.
func (s *Server) takenDownFile(w http.ResponseWriter, r *http.Request, school *gongkai.School, d *gongkai.Disclosure) error {
	p := &disclosurePage{base: s.base(r, "")}
	var err error
	if p.Doc, err = s.newDocView(r.Context(), &p.base, school, d); err != nil {
		return err
	}
	p.Title = p.Doc.Title
	p.NoIndex = true
	w.Header().Set("Cache-Control", "private, no-cache")
	s.renderPage(w, r, http.StatusGone, "disclosure", p)
	return nil
}

// ---- audit of a taken-down roster ----

type auditPage struct {
	base
	D        *gongkai.Disclosure
	Doc      *docView
	Reason   string
	Errors   map[string]string
	Audit    *store.RosterAudit // set when the original is shown
	Versions []gongkai.Version  // the published versions, each shown in full
}

// auditItem loads an item the reader may audit: taken down, and the reader
// one of the procedure's staff or the bureau; ENOTFOUND otherwise.
func (s *Server) auditItem(r *http.Request) (*gongkai.School, *gongkai.Disclosure, error) {
	school, d, err := s.loadItem(r)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanAuditRoster(gongkai.ActorFrom(r.Context()), school.BureauID, school.ID) {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
	}
	rs, err := s.rostersOf(r.Context(), school)
	if err != nil {
		return nil, nil, err
	}
	if _, down := rs.takenDown(d); !down {
		return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "该事项的名单未撤下，请在审核页面查看。")
	}
	return school, d, nil
}

func (s *Server) handleAuditForm(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.auditItem(r)
	if err != nil {
		return err
	}
	return s.renderAuditForm(w, r, http.StatusOK, school, d, "", nil)
}

func (s *Server) renderAuditForm(w http.ResponseWriter, r *http.Request, status int, school *gongkai.School, d *gongkai.Disclosure, reason string, errs map[string]string) error {
	p := &auditPage{base: s.base(r, "查阅已撤下的名单"), D: d, Reason: reason, Errors: errs}
	p.Title = p.T("查阅已撤下的名单")
	p.Nav, p.NoIndex = "manage", true
	var err error
	if p.Doc, err = s.newDocView(r.Context(), &p.base, school, d); err != nil {
		return err
	}
	s.renderPage(w, r, status, "audit", p)
	return nil
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.auditItem(r)
	if err != nil {
		return err
	}
	reason := r.PostFormValue("reason")
	a, err := s.db.RecordRosterAudit(r.Context(), school.ID, d.ID, gongkai.ActorFrom(r.Context()), reason)
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		return s.renderAuditForm(w, r, http.StatusUnprocessableEntity, school, d, reason, gongkai.ErrorFields(err))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/audit/"+strconv.FormatInt(a.ID, 10), "本次查阅已记录。")
}

// auditValidFor is how long a recorded reason opens the original: long
// enough to check it, short enough that a later look needs a new reason.
const auditValidFor = time.Hour

func (s *Server) handleAuditView(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.auditItem(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("audit"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "查阅记录不存在。")
	}
	a, err := s.db.FindRosterAudit(r.Context(), school.ID, id)
	if err != nil {
		return err
	}
	if a.DisclosureID != d.ID || a.ActorID != actor.ID || s.now().Sub(a.At) > auditValidFor {
		// Another's record, or an old one: a new reason is needed.
		return s.redirect(w, r, reviewURL(school, d.ID)+"/audit", "!请重新填写查阅理由。")
	}
	p := &auditPage{base: s.base(r, d.Title), D: d, Audit: a}
	p.Nav, p.NoIndex = "manage", true
	for _, v := range d.Versions {
		if !v.PublishedAt.IsZero() {
			p.Versions = append(p.Versions, v)
		}
	}
	// The original, as it was published: the rule is not applied here.
	p.Doc = &docView{b: &p.base, School: school, D: d, Title: d.Title, Body: d.Body, DocNumber: d.DocNumber, Files: fileViews(school, d.Attachments)}
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, r, "audit", p)
	return nil
}

// ---- the school's records: impact assessments and audits ----

type privacyPage struct {
	base
	Rosters     []rosterItem
	Assessments []*gongkai.ImpactAssessment
	Audits      []*store.RosterAudit
	CanAssess   bool
}

// rosterItem is a catalogue item that lists people, with its latest
// assessment.
type rosterItem struct {
	gongkai.CatalogueItem
	Latest *gongkai.ImpactAssessment
}

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	if !gongkai.CanReadPrivacyRecords(actor, school.BureauID, school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在。")
	}
	p := &privacyPage{base: s.base(r, "个人信息保护"), CanAssess: gongkai.CanAssessImpact(actor, school.ID)}
	p.Title = p.T("个人信息保护")
	p.Nav, p.NoIndex = "manage", true
	cat, err := s.db.FindCatalogue(ctx, school.ID)
	if err != nil {
		return err
	}
	if p.Assessments, err = s.db.FindImpactAssessments(ctx, school.ID, ""); err != nil {
		return err
	}
	if p.Audits, err = s.db.FindRosterAudits(ctx, school.ID, 200); err != nil {
		return err
	}
	for _, c := range cat {
		if !c.Roster.Holds() {
			continue
		}
		it := rosterItem{CatalogueItem: c}
		for _, a := range p.Assessments { // newest first
			if a.CatalogueCode == c.Code {
				it.Latest = a
				break
			}
		}
		p.Rosters = append(p.Rosters, it)
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, "privacy", p)
	return nil
}

type assessPage struct {
	base
	Item   gongkai.CatalogueItem
	In     gongkai.ImpactAssessment
	Date   string
	Errors map[string]string
}

// assessItem finds the catalogue item of the code that lists people.
func (s *Server) assessItem(r *http.Request, code string) (gongkai.CatalogueItem, error) {
	school := schoolFrom(r.Context())
	if !gongkai.CanAssessImpact(gongkai.ActorFrom(r.Context()), school.ID) {
		return gongkai.CatalogueItem{}, gongkai.Errorf(gongkai.EFORBIDDEN, "个人信息保护影响评估由校长填写。")
	}
	cat, err := s.db.FindCatalogue(r.Context(), school.ID)
	if err != nil {
		return gongkai.CatalogueItem{}, err
	}
	for _, c := range cat {
		if c.Code == code && c.Roster.Holds() {
			return c, nil
		}
	}
	return gongkai.CatalogueItem{}, gongkai.Errorf(gongkai.ENOTFOUND, "公开目录中没有这个列有名单的事项。")
}

func (s *Server) handleAssessForm(w http.ResponseWriter, r *http.Request) error {
	item, err := s.assessItem(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	p := &assessPage{base: s.base(r, ""), Item: item}
	// Prefilled from the catalogue item; the principal reads and edits.
	p.In = gongkai.ImpactAssessment{
		CatalogueCode: item.Code,
		Fields:        item.Roster.FieldsText(),
		Audience:      p.T(item.Audience.Label()),
		Retention:     p.T(item.Roster.Takedown.Label()),
	}
	p.Date = p.Now.In(gongkai.Beijing).Format("2006-01-02")
	return s.renderAssess(w, r, http.StatusOK, p)
}

func (s *Server) renderAssess(w http.ResponseWriter, r *http.Request, status int, p *assessPage) error {
	p.Title = p.T("个人信息保护影响评估")
	p.Nav, p.NoIndex = "manage", true
	s.renderPage(w, r, status, "assess", p)
	return nil
}

func (s *Server) handleAssess(w http.ResponseWriter, r *http.Request) error {
	item, err := s.assessItem(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	school := schoolFrom(r.Context())
	v := r.PostFormValue
	p := &assessPage{base: s.base(r, ""), Item: item, Date: strings.TrimSpace(v("assessed_on"))}
	p.In = gongkai.ImpactAssessment{CatalogueCode: item.Code, Purpose: v("purpose"), Fields: v("fields"), Audience: v("audience"),
		Retention: v("retention"), CheckedBy: v("checked_by")}
	fe := gongkai.FieldErrors{}
	if p.Date != "" {
		day, err := time.ParseInLocation("2006-01-02", p.Date, gongkai.Beijing)
		if err != nil {
			fe.Add("assessed_on", "日期格式为 2026-03-07。")
		}
		p.In.AssessedOn = day
	}
	if len(fe) == 0 {
		err = s.db.CreateImpactAssessment(r.Context(), school.ID, gongkai.ActorFrom(r.Context()), &p.In)
		if gongkai.ErrorCode(err) != gongkai.EINVALID && err != nil {
			return err
		}
		for k, m := range gongkai.ErrorFields(err) {
			fe.Add(k, m)
		}
	}
	if len(fe) > 0 {
		p.Errors = fe
		return s.renderAssess(w, r, http.StatusUnprocessableEntity, p)
	}
	return s.redirect(w, r, "/s/"+school.Slug+"/privacy", "影响评估已记录，现在可以登记“"+item.Name+"”了。")
}

// CanAssess reports whether the reader may record an impact assessment.
func (b *base) CanAssess() bool {
	return b.School != nil && gongkai.CanAssessImpact(b.Actor, b.School.ID)
}

// rosterAssessment is what the review page of a roster shows of its
// catalogue item's impact assessment.
type rosterAssessment struct {
	b      *base
	Rule   gongkai.RosterRule
	Code   string
	Latest *gongkai.ImpactAssessment // nil when none is on record
}

func (a *rosterAssessment) T(zh string) string               { return a.b.T(zh) }
func (a *rosterAssessment) Tf(zh string, args ...any) string { return a.b.Tf(zh, args...) }
func (a *rosterAssessment) Base() *base                      { return a.b }

// itemAssessment returns the assessment block of an item's review page, or
// nil for an item that lists no one.
func (s *Server) itemAssessment(ctx context.Context, b *base, school *gongkai.School, d *gongkai.Disclosure, rule gongkai.RosterRule) (*rosterAssessment, error) {
	if !rule.Holds() {
		return nil, nil
	}
	out := &rosterAssessment{b: b, Rule: rule, Code: d.CatalogueCode}
	if d.CatalogueCode == "" {
		return out, nil
	}
	as, err := s.db.FindImpactAssessments(ctx, school.ID, d.CatalogueCode)
	if err != nil {
		return nil, err
	}
	if len(as) > 0 {
		out.Latest = as[0]
	}
	return out, nil
}
