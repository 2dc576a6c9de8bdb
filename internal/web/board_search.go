package web

import (
	"context"
	"net/url"
	"strconv"

	"gongkai"
	"gongkai/internal/search"
	"gongkai/internal/store"
)

// snippetWidth is how many characters of the body a search result shows
// around the words it matched: two lines on a phone.
const snippetWidth = 60

// boardSearch is a board's search: one page of matches, their number, and
// the matches per category, which the board's categories show in place of
// all items. Matches that only the words of a roster taken down found are
// dropped, from the page and from their category's count.
func (s *Server) boardSearch(ctx context.Context, schoolID int64, f store.DisclosureFilter) ([]*gongkai.Disclosure, int, map[string]int, error) {
	res, err := s.db.SearchDisclosures(ctx, schoolID, f)
	if err != nil {
		return nil, 0, nil, err
	}
	school := schoolFrom(ctx)
	cats := map[int64]string{}
	for _, d := range res.Items {
		cats[d.ID] = d.Category
	}
	items, total, err := s.hideTakenDown(ctx, school, res.Items, f.Query, res.Total) // roster.go
	if err != nil {
		return nil, 0, nil, err
	}
	for _, d := range items {
		delete(cats, d.ID)
	}
	for _, c := range cats { // dropped
		res.ByCategory[c] = max(res.ByCategory[c]-1, 0)
	}
	return items, total, res.ByCategory, nil
}

// markMatches marks the search's words in the rows' titles and shows where
// they occur in each body, escaped by the template and marked with <mark>;
// a roster taken down shows no body.
func (s *Server) markMatches(ctx context.Context, school *gongkai.School, items []*gongkai.Disclosure, rows []itemRow, query string) error {
	rs, err := s.rostersOf(ctx, school) // roster.go
	if err != nil {
		return err
	}
	for i, d := range items {
		if i >= len(rows) || rows[i].ID != d.ID {
			break
		}
		rows[i].TitleParts = search.Highlight(rows[i].Title, query)
		if _, down := rs.takenDown(d); !down {
			rows[i].Snippet = search.Snippet(d.Body, query, snippetWidth)
		}
	}
	return nil
}

// searchParams are the query string parameters that keep a search (and its
// year) on a category's link, so that the count beside the category is what
// the link shows: "" when not searching.
func searchParams(query string, year int) string {
	if query == "" {
		return ""
	}
	v := url.Values{"q": {query}}
	if year != 0 {
		v.Set("year", strconv.Itoa(year))
	}
	return "&" + v.Encode()
}
