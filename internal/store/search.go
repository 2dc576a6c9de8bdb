package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"gongkai"
	"gongkai/internal/search"
)

// SearchResult is one page of a search of a school's items.
type SearchResult struct {
	// Items are the page, newest first, with their bodies, from which the
	// board shows where the words matched.
	Items []*gongkai.Disclosure
	Total int // the matches in the filter's category, or all of them
	// ByCategory counts the matches per category code whatever the
	// filter's category, so that a board's categories follow the search.
	ByCategory map[string]int
}

// exactQuery is the query as an 索引号 or 文号 is compared whole: trimmed,
// "" when nothing is left.
func exactQuery(q string) string { return strings.TrimSpace(q) }

// SearchDisclosures finds the school's items that f's other conditions
// select and whose words match f.Query (the full-text index), or whose
// 索引号 or 文号 is the query, typed whole (full-width digits as half-width).
// The index is asked once: every match's id and category come back, which
// give the counts and, sorted here, the page; then only the page's rows are
// read. Counting and paging in two queries cost the index walk twice, and
// sorting in SQL costs SQLite more than the walk itself.
func (db *DB) SearchDisclosures(ctx context.Context, schoolID int64, f DisclosureFilter) (*SearchResult, error) {
	res := &SearchResult{ByCategory: map[string]int{}}
	w, args, dateCol, none := disclosureWhere(schoolID, f, false)
	exact := exactQuery(f.Query)
	if none || exact == "" {
		return res, nil
	}
	sel := `SELECT d.id, ` + dateCol + `, d.category FROM disclosures d`
	var parts []string
	if q := search.ParseQuery(f.Query); !q.Empty() {
		cond, v := db.dialect.searchCondition(len(args)+1, schoolID, q)
		args = append(args, v)
		fw := w
		if db.dialect == postgresDialect {
			// The words are the school's own, so the search index alone
			// finds the school's matches. PostgreSQL's plan for a prepared
			// search cannot know how rare the words are and would rather
			// walk the school's items and read every one's words; written
			// so, the school cannot lead it away from the search index.
			fw = strings.Replace(fw, "d.school_id = $1", "d.school_id + 0 = $1", 1)
		}
		parts = append(parts, sel+fw+" AND "+cond)
	}
	args = append(args, exact, norm.NFKC.String(exact))
	a, b := len(args)-1, len(args)
	parts = append(parts, fmt.Sprintf("%s%s AND (d.index_no IN ($%d, $%d) OR d.doc_number IN ($%d, $%d))", sel, w, a, b, a, b))

	q := db.reader(ctx, schoolID)
	rows, err := q.QueryContext(ctx, strings.Join(parts, " UNION "), args...)
	if err != nil {
		return nil, fmt.Errorf("store: search disclosures of school %d: %w", schoolID, err)
	}
	type match struct {
		id, date int64
		category string
	}
	ids := make([]match, 0, 256)
	for rows.Next() {
		var m match
		if err := rows.Scan(&m.id, &m.date, &m.category); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: search disclosures of school %d: %w", schoolID, err)
		}
		res.ByCategory[m.category]++
		if f.Category == "" || m.category == f.Category {
			ids = append(ids, m)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search disclosures of school %d: %w", schoolID, err)
	}
	res.Total = len(ids)
	// Newest first, as the board lists them.
	slices.SortFunc(ids, func(a, b match) int {
		if c := cmp.Compare(b.date, a.date); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	size, from := pageBounds(f.Page, f.PerPage)
	if from >= len(ids) {
		return res, nil
	}
	pageIDs := make([]int64, 0, size)
	for _, m := range ids[from:min(from+size, len(ids))] {
		pageIDs = append(pageIDs, m.id)
	}
	res.Items, err = db.readPage(ctx, q, schoolID, pageIDs)
	return res, err
}

// readPage reads the items of ids with their bodies, in the order of ids.
func (db *DB) readPage(ctx context.Context, q *pool, schoolID int64, ids []int64) ([]*gongkai.Disclosure, error) {
	ph := make([]string, len(ids))
	args := make([]any, 1, len(ids)+1)
	args[0] = schoolID
	for i, id := range ids {
		ph[i] = fmt.Sprintf("$%d", i+2)
		args = append(args, id)
	}
	// The + 0 keeps SQLite on the primary key: by the school's own index it
	// would walk all of the school's items to find the page's twenty.
	rows, err := q.QueryContext(ctx, `SELECT `+summaryColumns+`, d.body`+summaryJoins+` WHERE d.school_id + 0 = $1 AND d.id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read matches of school %d: %w", schoolID, err)
	}
	found, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Disclosure, error) {
		var body string
		d, err := scanDisclosure(sc, &body)
		if d != nil {
			d.Body = body
		}
		return d, err
	})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*gongkai.Disclosure, len(found))
	for _, d := range found {
		byID[d.ID] = d
	}
	out := make([]*gongkai.Disclosure, 0, len(ids))
	for _, id := range ids {
		if d := byID[id]; d != nil { // gone between the two reads
			out = append(out, d)
		}
	}
	return out, nil
}
