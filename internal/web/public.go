package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/search"
	"gongkai/internal/store"
)

// perPage is how many items a board shows on one page (UI.md).
const perPage = 20

// ---- home ----

type homePage struct {
	base
	Bureaus  []homeBureau
	NotSetUp bool // no bureau yet: the page says how to set the county up
}

type homeBureau struct {
	Name    string
	Schools []homeSchool
}

type homeSchool struct {
	*gongkai.School
	InPeriod int // public items in their publicity period today
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &homePage{base: s.base(r, "")}
	p.Title = p.T("全部学校")
	schools, err := s.db.FindActiveSchools(ctx, 0)
	if err != nil {
		return err
	}
	counts, err := s.db.CountInPublicity(ctx, p.Now)
	if err != nil {
		return err
	}
	// FindSchools orders by bureau, so each bureau's schools are adjacent.
	var last int64 = -1
	for _, sc := range schools {
		if sc.BureauID != last {
			p.Bureaus = append(p.Bureaus, homeBureau{Name: sc.BureauName})
			last = sc.BureauID
		}
		b := &p.Bureaus[len(p.Bureaus)-1]
		b.Schools = append(b.Schools, homeSchool{School: sc, InPeriod: counts[sc.ID]})
	}
	if len(schools) == 0 && p.FooterBureau == nil {
		has, err := s.db.HasBureau(ctx)
		if err != nil {
			return err
		}
		p.NotSetUp = !has
	}
	cachePrivate(w, &p.base, false)
	s.render(w, r, "home", p)
	return nil
}

// ---- boards ----

type boardPage struct {
	base
	Heading    string // 校务公开 or 校内公开栏
	Internal   bool
	BoardPath  string // the board's own path, for links and the search form
	Categories []boardCategory
	Category   string // the filtered category code, "" for all
	CatName    string
	Years      []int
	Year       int
	Query      string
	Items      []itemRow
	Total      int
	Pager      []pageLink
	AllCount   int // items on the board without filters, or the search's matches
	AllURL     string
	// LogKey is the verifier key of the school's log (存证), shown on the
	// public board so that readers can check its checkpoints.
	LogKey  string
	LogPath string
}

type boardCategory struct {
	Code, Name string
	Count      int
	URL        string
}

// itemRow is one line of a board list.
type itemRow struct {
	ID        int64
	URL       string
	Title     string
	Date      time.Time
	Category  string
	Audience  string // shown when it is not what the board is for: 校内公开, 领导小组
	InPeriod  bool
	Countdown gongkai.Countdown // of the publicity period
	Withdrawn bool
	Reason    string
	Revised   bool
	Revising  bool // a revision is pending (修订审核中)
	// On a search: the title with the words marked, and where the words
	// occur in the body (board_search.go).
	TitleParts []search.Part
	Snippet    []search.Part
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis between page numbers
}

func (s *Server) handleBoard(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	var auds []gongkai.Audience
	for _, a := range []gongkai.Audience{gongkai.AudiencePublic, gongkai.AudienceCommunity} {
		if gongkai.CanReadAudience(actor, school.BureauID, school.ID, a) {
			auds = append(auds, a)
		}
	}
	return s.board(w, r, "board", auds)
}

func (s *Server) handleInternalBoard(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	var auds []gongkai.Audience
	for _, a := range gongkai.ReadableAudiences(actor, school.BureauID, school.ID) {
		if a == gongkai.AudienceStaff || a == gongkai.AudienceLeadership {
			auds = append(auds, a)
		}
	}
	return s.board(w, r, "internal", auds)
}

// board lists the published items of the audiences, filtered by category,
// year and words, one page at a time.
func (s *Server) board(w http.ResponseWriter, r *http.Request, nav string, auds []gongkai.Audience) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	q := r.URL.Query()
	p := &boardPage{base: s.base(r, ""), Internal: nav == "internal"}
	p.Nav = nav
	p.BoardPath = "/s/" + school.Slug + "/"
	p.Heading = p.T("校务公开")
	if p.Internal {
		p.BoardPath += "internal/"
		p.Heading = p.T("校内公开栏")
	}
	if err := p.readQuery(q); err != nil {
		return err
	}
	page, _ := strconv.Atoi(q.Get("page"))
	page = min(max(page, 1), 100000) // no offset overflow on absurd numbers

	counts, years, err := s.boardFacts(ctx, school.ID, auds)
	if err != nil {
		return err
	}
	filter := store.DisclosureFilter{Published: true, Audiences: auds, Category: p.Category, Year: p.Year, Query: p.Query, Page: page, PerPage: perPage}
	if p.Year == 0 && p.Query == "" {
		// The board's counts are the total of a category or of all.
		for code, n := range counts {
			if p.Category == "" || code == p.Category {
				filter.Total += n
			}
		}
	}
	var items []*gongkai.Disclosure
	var total int
	if p.Query != "" {
		// The categories count the search's matches (board_search.go).
		if items, total, counts, err = s.boardSearch(ctx, school.ID, filter); err != nil {
			return err
		}
	} else if items, total, err = s.db.FindDisclosures(ctx, school.ID, filter); err != nil {
		return err
	}
	p.Years = years
	if p.Year != 0 && !containsInt(years, p.Year) {
		p.Years = append(p.Years, p.Year)
	}
	p.addCategories(counts)
	if items, total, err = s.hideTakenDown(ctx, school, items, p.Query, total); err != nil { // roster.go
		return err
	}
	p.Total = total
	if p.Items, err = s.itemRows(r, &p.base, school, items); err != nil {
		return err
	}
	if p.Query != "" {
		if err := s.markMatches(ctx, school, items, p.Items, p.Query); err != nil { // board_search.go
			return err
		}
	}
	p.Pager = pager(r.URL, page, total, perPage)
	if !p.Internal {
		keys, err := s.db.FindLedgerKeys(ctx, school.ID)
		if err != nil {
			return err
		}
		if len(keys) > 0 && keys[0].RetiredAt.IsZero() {
			p.LogKey, p.LogPath = keys[0].VKey, "/s/"+school.Slug+"/log/"
		}
	}

	p.setTitle(page)
	p.NoIndex = p.Internal
	cachePrivate(w, &p.base, p.Internal)
	s.render(w, r, "board", p)
	return nil
}

// readQuery reads the board's filters: category, year and search words. An
// unknown category is a page that does not exist.
func (p *boardPage) readQuery(q url.Values) error {
	p.Category = q.Get("cat")
	if p.Category != "" {
		if _, ok := gongkai.CategoryByCode(p.Category); !ok {
			return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个栏目。")
		}
		p.CatName = categoryName(&p.base, p.Category)
	}
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 1900 && y <= 9999 {
		p.Year = y
	}
	p.Query = strings.TrimSpace(q.Get("q"))
	if len([]rune(p.Query)) > 50 {
		p.Query = string([]rune(p.Query)[:50])
	}
	return nil
}

// addCategories lists the categories that have items (and the chosen one)
// with their counts, linked with the search and year kept.
func (p *boardPage) addCategories(counts map[string]int) {
	for _, c := range gongkai.Categories {
		p.AllCount += counts[c.Code]
		if counts[c.Code] == 0 && c.Code != p.Category {
			continue
		}
		p.Categories = append(p.Categories, boardCategory{Code: c.Code, Name: categoryName(&p.base, c.Code), Count: counts[c.Code],
			URL: p.BoardPath + "?cat=" + c.Code + searchParams(p.Query, p.Year)})
	}
	p.AllURL = p.BoardPath
	if p.Query != "" {
		p.AllURL += "?" + strings.TrimPrefix(searchParams(p.Query, p.Year), "&")
	}
}

// setTitle names the page by its category, search and page number; the
// layout adds the school and 校务公开.
func (p *boardPage) setTitle(page int) {
	switch {
	case p.CatName != "":
		p.Title = p.CatName
	case p.Internal:
		p.Title = p.Heading
	default:
		p.Title = p.T("全部公开事项")
	}
	if p.Query != "" {
		p.Title = p.Tf("搜索“%s”", p.Query) + " - " + p.Title
	}
	if page > 1 {
		p.Title += " - " + p.Tf("第 %d 页", page)
	}
}

// boardFacts returns the counts by category and the years of a board, which
// every page, filter and search of the board shows alike: they are read once
// per change of the school's items, not on every page rendered.
func (s *Server) boardFacts(ctx context.Context, schoolID int64, auds []gongkai.Audience) (map[string]int, []int, error) {
	key := fmt.Sprint(schoolID, auds)
	if f := s.cache.facts(key, schoolID); f != nil {
		return f.counts, f.years, nil
	}
	gen, all := s.cache.generation(schoolID)
	counts, err := s.db.CountByCategory(ctx, schoolID, auds)
	if err != nil {
		return nil, nil, err
	}
	years, err := s.db.FindDisclosureYears(ctx, schoolID)
	if err != nil {
		return nil, nil, err
	}
	s.cache.putFacts(key, &boardFacts{school: schoolID, gen: gen, all: all, counts: counts, years: years})
	return counts, years, nil
}

// itemRows turns items into list rows, counting the days left of those in
// their publicity period with the school's calendar.
func (s *Server) itemRows(r *http.Request, b *base, school *gongkai.School, items []*gongkai.Disclosure) ([]itemRow, error) {
	now := b.Now
	var cal *gongkai.WorkCalendar
	rows := make([]itemRow, 0, len(items))
	for _, d := range items {
		row := itemRow{ID: d.ID, URL: fmt.Sprintf("/s/%s/d/%d", school.Slug, d.ID), Title: d.Title, Date: d.PublishedAt,
			Category: categoryName(b, d.Category), Withdrawn: d.State == gongkai.StateWithdrawn, Reason: d.Reason, Revised: d.Version > 1,
			Revising: d.RevisionState != ""}
		if d.Audience == gongkai.AudienceCommunity || d.Audience == gongkai.AudienceLeadership {
			row.Audience = b.T(d.Audience.Label())
		}
		if d.InPublicity(now) {
			if cal == nil {
				var err error
				if cal, err = s.db.Calendar(r.Context(), school.RegionCode); err != nil {
					return nil, err
				}
			}
			row.InPeriod, row.Countdown = true, countdown(cal, d.PublicityEnd, now)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// pager returns the page links: the first, the last and two either side of
// the current one, with gaps between.
func pager(u *url.URL, current, total, per int) []pageLink {
	pages := (total + per - 1) / per
	if pages <= 1 {
		return nil
	}
	q := u.Query()
	var out []pageLink
	prev := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < current-2 || n > current+2) {
			continue
		}
		if prev != 0 && n > prev+1 {
			out = append(out, pageLink{Gap: true})
		}
		if n == 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		link := u.Path
		if enc := q.Encode(); enc != "" {
			link += "?" + enc
		}
		out = append(out, pageLink{N: n, URL: link, Current: n == current})
		prev = n
	}
	return out
}

// cachePrivate keeps a page out of shared caches when it shows the reader's
// name or items not everyone may see.
func cachePrivate(w http.ResponseWriter, b *base, private bool) {
	if private || b.SignedIn() {
		w.Header().Set("Cache-Control", "private, no-cache")
	}
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// ---- one item ----

type disclosurePage struct {
	base
	Doc        *docView
	Objections store.ObjectionCount // objections received and answered
}

// loadReadable finds an item the reader may read on the public side. A
// reader of the procedure is sent to the staff page of an unpublished item;
// for anyone else it does not exist.
func (s *Server) loadReadable(w http.ResponseWriter, r *http.Request) (*gongkai.Disclosure, bool, error) {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, false, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
	}
	d, err := s.db.FindDisclosureByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, false, err
	}
	if !d.Published() {
		if gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID) {
			http.Redirect(w, r, fmt.Sprintf("/s/%s/manage/d/%d", school.Slug, d.ID), http.StatusSeeOther)
			return nil, true, nil
		}
		return nil, false, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
	}
	if !gongkai.CanReadDisclosure(actor, school.BureauID, d) {
		return nil, false, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
	}
	return d, false, nil
}

func (s *Server) handleDisclosure(w http.ResponseWriter, r *http.Request) error {
	return s.disclosure(w, r, 0)
}

func (s *Server) handleDisclosureVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个版本。")
	}
	return s.disclosure(w, r, n)
}

// disclosure renders the item page, of the current version when version is
// 0, else of that published version.
func (s *Server) disclosure(w http.ResponseWriter, r *http.Request, version int) error {
	d, done, err := s.loadReadable(w, r)
	if err != nil || done {
		return err
	}
	school := schoolFrom(r.Context())
	p := &disclosurePage{base: s.base(r, d.Title)}
	p.Nav = "board"
	if d.Audience == gongkai.AudienceStaff || d.Audience == gongkai.AudienceLeadership {
		p.Nav = "internal"
	}
	if p.Doc, err = s.newDocView(r.Context(), &p.base, school, d); err != nil {
		return err
	}
	p.Title = p.Doc.Title // a taken-down roster's names masked
	if version != 0 {
		if !p.Doc.showVersion(version) {
			return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个版本。")
		}
		p.Title = p.Doc.Title
		if p.Doc.OldVersion {
			p.Title = p.Tf("第 %d 版", version) + " - " + p.Title
			p.NoIndex = true
		}
	}
	if d.PublicityDays > 0 && !p.Doc.OldVersion {
		counts, err := s.db.ObjectionCounts(r.Context(), school.ID, []int64{d.ID})
		if err != nil {
			return err
		}
		p.Objections = counts[d.ID]
	}
	cachePrivate(w, &p.base, d.Audience != gongkai.AudiencePublic || p.Doc.Rule.Holds())
	s.render(w, r, "disclosure", p)
	return nil
}

// ---- attachments ----

func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	id, err := strconv.ParseInt(r.PathValue("att"), 10, 64)
	if err != nil || id <= 0 {
		return notFound
	}
	a, err := s.db.FindAttachment(ctx, school.ID, id)
	if err != nil {
		return err
	}
	d, err := s.db.FindDisclosureByID(ctx, school.ID, a.DisclosureID)
	if err != nil {
		return err
	}
	if !gongkai.CanReadDisclosure(actor, school.BureauID, d) {
		return notFound
	}
	// Outside the procedure, only files of published versions are public.
	if !gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID) && !versionPublished(d, a.Version) {
		return notFound
	}
	if !a.RedactedAt.IsZero() {
		return goneFile(a) // redaction.go
	}
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return err
	}
	if _, down := rs.takenDown(d); down { // roster.go: for everyone, staff audit the original
		return s.takenDownFile(w, r, school, d)
	}
	f, err := s.blobs.Open(ctx, a.StorageKey)
	if err != nil {
		return fmt.Errorf("web: open attachment %d: %w", a.ID, err)
	}
	defer f.Close()
	h := w.Header()
	setFileHeaders(h, a.ContentType, a.Filename, false)
	// Shared caches may keep public files only; no-cache makes every use
	// ask again, so a withdrawn roster stops being served at once.
	if d.Audience == gongkai.AudiencePublic && d.Published() && !rs.rule(d).Holds() {
		h.Set("Cache-Control", "public, no-cache")
	} else {
		h.Set("Cache-Control", "private, no-cache")
	}
	if a.SHA256 != "" {
		h.Set("ETag", `"`+a.SHA256+`"`)
	}
	http.ServeContent(w, r, "", a.CreatedAt, f)
	return nil
}

func versionPublished(d *gongkai.Disclosure, version int) bool {
	for _, v := range d.Versions {
		if v.Version == version {
			return !v.PublishedAt.IsZero()
		}
	}
	return false
}

// ---- catalogue ----

type cataloguePage struct {
	base
	Items []catalogueRow
}

type catalogueRow struct {
	gongkai.CatalogueItem
	CategoryName string
	BoardURL     string
}

func (s *Server) handleCatalogue(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	items, err := s.db.FindCatalogue(r.Context(), school.ID)
	if err != nil {
		return err
	}
	p := &cataloguePage{base: s.base(r, "")}
	p.Title = p.T("校务公开目录")
	p.Nav = "catalogue"
	for _, it := range items {
		row := catalogueRow{CatalogueItem: it, CategoryName: categoryName(&p.base, it.Category)}
		if it.Audience == gongkai.AudiencePublic || it.Audience == gongkai.AudienceCommunity {
			row.BoardURL = "/s/" + school.Slug + "/?cat=" + url.QueryEscape(it.Category)
		} else if p.IsStaff() {
			row.BoardURL = "/s/" + school.Slug + "/internal/?cat=" + url.QueryEscape(it.Category)
		}
		p.Items = append(p.Items, row)
	}
	cachePrivate(w, &p.base, false)
	s.render(w, r, "catalogue", p)
	return nil
}
