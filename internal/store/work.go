package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai"
)

// WorkItem is an item of a work queue with the step that brought it into its
// current state: when it was submitted, signed, checked, or why it was
// returned.
type WorkItem struct {
	*gongkai.Disclosure // summary columns only, no body
	Since               time.Time
	Step                gongkai.Action // the step into the current state; "" when unknown
	StepComment         string
	StepActor           string
	// Revision marks a row for the item's pending revision rather than the
	// item: RevisionState is the step it waits for, the item stays published.
	Revision bool
}

// WorkQuery says what one school's work queue holds. The conditions are
// alternatives: an item matching any of them is listed.
type WorkQuery struct {
	States   []gongkai.State // items in these states
	DraftsBy int64           // drafts created by this user
	// Published items whose publicity period ends between these dates
	// (Beijing calendar days, both included); ignored when PeriodTo is zero.
	PeriodFrom, PeriodTo time.Time
	// Pending revisions in these states, and draft revisions started by
	// this user, listed as rows of their own.
	RevisionStates   []gongkai.State
	RevisionDraftsBy int64
	Limit            int // default 200
}

// FindWork returns the school's items that match q, the longest waiting
// first, each with the step that brought it into its state, in one query.
func (db *DB) FindWork(ctx context.Context, schoolID int64, q WorkQuery) ([]*WorkItem, error) {
	args := []any{schoolID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var or []string
	if len(q.States) > 0 {
		ph := make([]string, len(q.States))
		for i, s := range q.States {
			ph[i] = arg(string(s))
		}
		or = append(or, "d.state IN ("+strings.Join(ph, ", ")+")")
	}
	if q.DraftsBy != 0 {
		or = append(or, "(d.state = 'draft' AND d.created_by = "+arg(q.DraftsBy)+")")
	}
	if !q.PeriodTo.IsZero() {
		or = append(or, "(d.state = 'published' AND d.publicity_end <> '' AND d.publicity_end >= "+arg(formatDay(q.PeriodFrom))+
			" AND d.publicity_end <= "+arg(formatDay(q.PeriodTo))+")")
	}
	if len(or) == 0 {
		return db.findRevisionWork(ctx, schoolID, q)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 200
	}
	// The step into the current state is the latest event that changed the
	// state to it; edits, review comments and revisions keep the state and so
	// do not count.
	query := `SELECT ` + summaryColumns + `, COALESCE(e.action, ''), COALESCE(e.comment, ''), COALESCE(e.actor_name, ''), COALESCE(e.created_at, d.updated_at)` +
		summaryJoins + `
	LEFT JOIN disclosure_events e ON e.school_id = d.school_id AND e.id = (
		SELECT MAX(x.id) FROM disclosure_events x
		WHERE x.school_id = d.school_id AND x.disclosure_id = d.id AND x.to_state = d.state AND x.from_state <> x.to_state)
	WHERE d.school_id = $1 AND (` + strings.Join(or, " OR ") + `)
	ORDER BY COALESCE(e.created_at, d.updated_at), d.id LIMIT ` + fmt.Sprint(limit)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find work of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []*WorkItem
	for rows.Next() {
		var step string
		var since int64
		w := &WorkItem{}
		d, err := scanDisclosure(rows, &step, &w.StepComment, &w.StepActor, &since)
		if err != nil {
			return nil, fmt.Errorf("store: scan work of school %d: %w", schoolID, err)
		}
		w.Disclosure, w.Step, w.Since = d, gongkai.Action(step), fromMS(since)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	revs, err := db.findRevisionWork(ctx, schoolID, q)
	if err != nil {
		return nil, err
	}
	if len(revs) == 0 {
		return out, nil
	}
	out = append(out, revs...)
	slices.SortStableFunc(out, func(a, b *WorkItem) int { return a.Since.Compare(b.Since) })
	return out, nil
}

// findRevisionWork returns the school's pending revisions that match q,
// each with the step that brought it into its state, in one query.
func (db *DB) findRevisionWork(ctx context.Context, schoolID int64, q WorkQuery) ([]*WorkItem, error) {
	args := []any{schoolID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var or []string
	if len(q.RevisionStates) > 0 {
		ph := make([]string, len(q.RevisionStates))
		for i, s := range q.RevisionStates {
			ph[i] = arg(string(s))
		}
		or = append(or, "d.revision_state IN ("+strings.Join(ph, ", ")+")")
	}
	if q.RevisionDraftsBy != 0 {
		or = append(or, "(d.revision_state = 'draft' AND v.created_by = "+arg(q.RevisionDraftsBy)+")")
	}
	if len(or) == 0 {
		return nil, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 200
	}
	query := `SELECT ` + summaryColumns + `, COALESCE(e.action, ''), COALESCE(e.comment, ''), COALESCE(e.actor_name, ''), COALESCE(e.created_at, v.created_at)` +
		summaryJoins + `
	JOIN disclosure_versions v ON v.school_id = d.school_id AND v.disclosure_id = d.id AND v.version = d.version + 1
	LEFT JOIN disclosure_events e ON e.school_id = d.school_id AND e.id = (
		SELECT MAX(x.id) FROM disclosure_events x
		WHERE x.school_id = d.school_id AND x.disclosure_id = d.id AND x.revision AND x.version = v.version
		AND x.to_state = d.revision_state AND x.from_state <> x.to_state)
	WHERE d.school_id = $1 AND d.revision_state <> '' AND (` + strings.Join(or, " OR ") + `)
	ORDER BY COALESCE(e.created_at, v.created_at), d.id LIMIT ` + fmt.Sprint(limit)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find revisions to do of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	var out []*WorkItem
	for rows.Next() {
		var step string
		var since int64
		w := &WorkItem{Revision: true}
		d, err := scanDisclosure(rows, &step, &w.StepComment, &w.StepActor, &since)
		if err != nil {
			return nil, fmt.Errorf("store: scan revisions to do of school %d: %w", schoolID, err)
		}
		w.Disclosure, w.Step, w.Since = d, gongkai.Action(step), fromMS(since)
		out = append(out, w)
	}
	return out, rows.Err()
}

// CountByState returns, for each school of the bureau that has any, how many
// items and pending revisions are in each of the states, in one query.
func (db *DB) CountByState(ctx context.Context, bureauID int64, states []gongkai.State) (map[int64]map[gongkai.State]int, error) {
	out := map[int64]map[gongkai.State]int{}
	if len(states) == 0 {
		return out, nil
	}
	args := []any{bureauID}
	ph := make([]string, len(states))
	for i, s := range states {
		args = append(args, string(s))
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	// A pending revision waits for its step like an item does.
	rows, err := db.read.QueryContext(ctx, `SELECT school_id, state, CAST(SUM(n) AS BIGINT) FROM (
		SELECT d.school_id, d.state, COUNT(*) AS n FROM disclosures d JOIN schools s ON s.id = d.school_id
		WHERE s.bureau_id = $1 AND d.state IN (`+strings.Join(ph, ", ")+`) GROUP BY d.school_id, d.state
		UNION ALL
		SELECT d.school_id, d.revision_state, COUNT(*) FROM disclosures d JOIN schools s ON s.id = d.school_id
		WHERE s.bureau_id = $1 AND d.revision_state IN (`+strings.Join(ph, ", ")+`) GROUP BY d.school_id, d.revision_state) c
		GROUP BY school_id, state`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count items of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var school int64
		var state string
		var n int
		if err := rows.Scan(&school, &state, &n); err != nil {
			return nil, err
		}
		if out[school] == nil {
			out[school] = map[gongkai.State]int{}
		}
		out[school][gongkai.State(state)] = n
	}
	return out, rows.Err()
}

// InspectionWork is a school's checklist of a term as the work page needs
// it: the school and where the checklist stands ("" when not begun).
type InspectionWork struct {
	School *gongkai.School // id, slug and name
	State  gongkai.InspectionState
}

// FindInspectionWork returns, for each of the schools in the order given,
// where its checklist of the term stands, in one query.
func (db *DB) FindInspectionWork(ctx context.Context, schoolIDs []int64, term gongkai.Term) ([]InspectionWork, error) {
	if len(schoolIDs) == 0 {
		return nil, nil
	}
	args := []any{term.Key()}
	ph := make([]string, len(schoolIDs))
	for i, id := range schoolIDs {
		args = append(args, id)
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.slug, s.name, COALESCE(i.state, '') FROM schools s
		LEFT JOIN inspections i ON i.school_id = s.id AND i.term = $1 WHERE s.id IN (`+strings.Join(ph, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: inspections of %s to fill: %w", term.Key(), err)
	}
	found, err := collect(rows, func(sc interface{ Scan(...any) error }) (InspectionWork, error) {
		w := InspectionWork{School: &gongkai.School{}}
		var state string
		err := sc.Scan(&w.School.ID, &w.School.Slug, &w.School.Name, &state)
		w.State = gongkai.InspectionState(state)
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("store: inspections of %s to fill: %w", term.Key(), err)
	}
	out := make([]InspectionWork, 0, len(found))
	for _, id := range schoolIDs {
		for _, w := range found {
			if w.School.ID == id {
				out = append(out, w)
			}
		}
	}
	return out, nil
}
