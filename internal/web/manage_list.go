package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// The school's list of items for staff, by state, with search.

type manageListPage struct {
	base
	State     string
	Query     string
	Items     []*gongkai.Disclosure
	Total     int
	Page      int
	Pages     int
	Tabs      []linkItem
	PageLinks []linkItem
	Prev      string
	Next      string
}

// Cat is a category's name in the reader's language.
func (p *manageListPage) Cat(code string) string { return categoryName(&p.base, code) }

type linkItem struct {
	Label   string
	URL     string
	Current bool
}

const managePerPage = 20

// revisingTab is the list's filter of items with a pending revision.
const revisingTab = "revising"

func (s *Server) handleManageList(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	p := &manageListPage{base: s.base(r, "登记与审核")}
	p.Title = p.T("登记与审核")
	p.Nav, p.NoIndex = "manage", true
	q := r.URL.Query()
	p.Query = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(p.Query) > 100 {
		p.Query = string([]rune(p.Query)[:100])
	}
	f := store.DisclosureFilter{Query: p.Query, PerPage: managePerPage, WithRevisions: true}
	if st := gongkai.State(q.Get("state")); slices.Contains(gongkai.States, st) {
		p.State = string(st)
		f.States = []gongkai.State{st}
	} else if st == revisingTab {
		p.State, f.Revising = revisingTab, true
	}
	p.Page, _ = strconv.Atoi(q.Get("page"))
	p.Page = max(p.Page, 1)
	f.Page = p.Page
	items, total, err := s.db.FindDisclosures(r.Context(), school.ID, f)
	if err != nil {
		return err
	}
	p.Items, p.Total = items, total
	p.Pages = max((total+managePerPage-1)/managePerPage, 1)

	base := "/s/" + school.Slug + "/manage/"
	link := func(state string, page int) string {
		v := url.Values{}
		if state != "" {
			v.Set("state", state)
		}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		if len(v) == 0 {
			return base
		}
		return base + "?" + v.Encode()
	}
	p.Tabs = append(p.Tabs, linkItem{Label: p.T("全部"), URL: link("", 1), Current: p.State == ""})
	for _, st := range gongkai.States {
		p.Tabs = append(p.Tabs, linkItem{Label: p.T(st.Label()), URL: link(string(st), 1), Current: p.State == string(st)})
	}
	p.Tabs = append(p.Tabs, linkItem{Label: p.T(gongkai.RevisionPendingLabel), URL: link(revisingTab, 1), Current: p.State == revisingTab})
	from, to := max(p.Page-4, 1), min(p.Page+4, p.Pages)
	for n := from; n <= to && p.Pages > 1; n++ {
		p.PageLinks = append(p.PageLinks, linkItem{Label: strconv.Itoa(n), URL: link(p.State, n), Current: n == p.Page})
	}
	if p.Page > 1 {
		p.Prev = link(p.State, p.Page-1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.State, p.Page+1)
	}
	s.render(w, r, "manage-list", p)
	return nil
}
