package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"gongkai"
)

// Self-inspections (自查): one checklist per school and term. The supervision
// group saves and submits it; the principal marks measures done.

// InspectionSummary is a line of a school's history of self-inspections,
// or of the bureau's view of a term (State "" when the school has none).
type InspectionSummary struct {
	SchoolID        int64
	Slug, Name      string // the school, in the bureau's view
	Term            gongkai.Term
	State           gongkai.InspectionState
	NotMet, Partly  int // items answered 不符合, 基本符合
	OpenMeasures    int // measures not yet done
	SubmittedAt     time.Time
	SubmittedByName string
	UpdatedAt       time.Time
}

// querier is what reads need of a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// loadInspection reads a school's checklist of the term with its items;
// lock is the row-lock suffix for a write.
func loadInspection(ctx context.Context, q querier, schoolID int64, term gongkai.Term, lock string) (*gongkai.Inspection, error) {
	in := &gongkai.Inspection{SchoolID: schoolID, Term: term}
	var state string
	var created, updated, submitted int64
	err := q.QueryRowContext(ctx, `SELECT i.id, i.state, i.summary, i.created_by, COALESCE(uu.display_name, ''), COALESCE(i.submitted_by, 0), COALESCE(su.display_name, ''),
		i.created_at, i.updated_at, i.submitted_at
		FROM inspections i LEFT JOIN users uu ON uu.id = i.updated_by LEFT JOIN users su ON su.id = i.submitted_by
		WHERE i.school_id = $1 AND i.term = $2`+lock, schoolID, term.Key()).
		Scan(&in.ID, &state, &in.Summary, &in.CreatedBy, &in.UpdatedByName, &in.SubmittedBy, &in.SubmittedByName, &created, &updated, &submitted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("自查表")
	}
	if err != nil {
		return nil, fmt.Errorf("store: inspection %s of school %d: %w", term.Key(), schoolID, err)
	}
	in.State = gongkai.InspectionState(state)
	in.CreatedAt, in.UpdatedAt, in.SubmittedAt = fromMS(created), fromMS(updated), fromMS(submitted)
	rows, err := q.QueryContext(ctx, `SELECT it.code, it.title, it.verdict, it.note, it.measure, it.measure_due, it.done, it.done_note,
		COALESCE(it.done_by, 0), COALESCE(u.display_name, ''), it.done_at
		FROM inspection_items it LEFT JOIN users u ON u.id = it.done_by
		WHERE it.school_id = $1 AND it.inspection_id = $2 ORDER BY it.position`, schoolID, in.ID)
	if err != nil {
		return nil, fmt.Errorf("store: items of inspection %d: %w", in.ID, err)
	}
	in.Answers, err = collect(rows, scanAnswer)
	if err != nil {
		return nil, fmt.Errorf("store: items of inspection %d: %w", in.ID, err)
	}
	return in, nil
}

func scanAnswer(sc interface{ Scan(...any) error }) (gongkai.InspectionAnswer, error) {
	var a gongkai.InspectionAnswer
	var verdict, due string
	var doneAt int64
	if err := sc.Scan(&a.Code, &a.Title, &verdict, &a.Note, &a.Measure, &due, &a.Done, &a.DoneNote, &a.DoneBy, &a.DoneByName, &doneAt); err != nil {
		return a, err
	}
	a.Verdict, a.Due, a.DoneAt = gongkai.Verdict(verdict), parseDay(due), fromMS(doneAt)
	return a, nil
}

// FindInspection returns the school's self-inspection of the term with its
// answers; ENOTFOUND when there is none yet.
func (db *DB) FindInspection(ctx context.Context, schoolID int64, term gongkai.Term) (*gongkai.Inspection, error) {
	return loadInspection(ctx, db.read, schoolID, term, "")
}

// inspectionCounts are the columns of an InspectionSummary after the
// school and term, counted over the items in the same query.
const inspectionCounts = `i.state,
	COALESCE(SUM(CASE WHEN it.verdict = 'not_met' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN it.verdict = 'partly' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN it.verdict IN ('not_met', 'partly') AND NOT it.done THEN 1 ELSE 0 END), 0),
	i.submitted_at, COALESCE(su.display_name, ''), i.updated_at`

// FindInspections returns the school's self-inspections, newest term
// first, with their counts, in one query.
func (db *DB) FindInspections(ctx context.Context, schoolID int64) ([]InspectionSummary, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT i.term, `+inspectionCounts+`
		FROM inspections i
		LEFT JOIN inspection_items it ON it.school_id = i.school_id AND it.inspection_id = i.id
		LEFT JOIN users su ON su.id = i.submitted_by
		WHERE i.school_id = $1
		GROUP BY i.id, i.term, i.state, i.submitted_at, su.display_name, i.updated_at`, schoolID)
	if err != nil {
		return nil, fmt.Errorf("store: inspections of school %d: %w", schoolID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (InspectionSummary, error) {
		s := InspectionSummary{SchoolID: schoolID}
		var key string
		err := scanSummary(sc, &s, &key)
		return s, err
	})
	if err != nil {
		return nil, err
	}
	sortSummaries(out)
	return out, nil
}

func scanSummary(sc interface{ Scan(...any) error }, s *InspectionSummary, key *string, extra ...any) error {
	var state string
	var submitted, updated int64
	dest := append(extra, key, &state, &s.NotMet, &s.Partly, &s.OpenMeasures, &submitted, &s.SubmittedByName, &updated)
	if err := sc.Scan(dest...); err != nil {
		return err
	}
	s.Term, _ = gongkai.ParseTerm(*key)
	s.State, s.SubmittedAt, s.UpdatedAt = gongkai.InspectionState(state), fromMS(submitted), fromMS(updated)
	return nil
}

// sortSummaries puts the newest term first; a text sort of the keys would
// put spring after autumn.
func sortSummaries(s []InspectionSummary) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].Term.After(s[j-1].Term); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// BureauInspections returns, for every school of the bureau by name, its
// self-inspection of the term (State "" when it has none), in two queries.
// A deactivated school owes no inspection: it is listed only with an
// inspection of the term, or when it was deactivated after the term ended.
func (db *DB) BureauInspections(ctx context.Context, bureauID int64, term gongkai.Term) ([]InspectionSummary, error) {
	_, end := term.Bounds()
	rows, err := db.read.QueryContext(ctx, `SELECT id, slug, name FROM schools
		WHERE bureau_id = $1 AND (deactivated_at = 0 OR deactivated_at >= $2
			OR id IN (SELECT school_id FROM inspections WHERE term = $3))
		ORDER BY name, id`, bureauID, ms(end), term.Key())
	if err != nil {
		return nil, fmt.Errorf("store: schools of bureau %d: %w", bureauID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (InspectionSummary, error) {
		s := InspectionSummary{Term: term}
		return s, sc.Scan(&s.SchoolID, &s.Slug, &s.Name)
	})
	if err != nil {
		return nil, err
	}
	index := map[int64]int{}
	for i, s := range out {
		index[s.SchoolID] = i
	}
	rows, err = db.read.QueryContext(ctx, `SELECT i.school_id, i.term, `+inspectionCounts+`
		FROM inspections i
		LEFT JOIN inspection_items it ON it.school_id = i.school_id AND it.inspection_id = i.id
		LEFT JOIN users su ON su.id = i.submitted_by
		WHERE i.school_id IN (SELECT id FROM schools WHERE bureau_id = $1) AND i.term = $2
		GROUP BY i.id, i.school_id, i.term, i.state, i.submitted_at, su.display_name, i.updated_at`, bureauID, term.Key())
	if err != nil {
		return nil, fmt.Errorf("store: inspections of bureau %d: %w", bureauID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s InspectionSummary
		var school int64
		var key string
		if err := scanSummary(rows, &s, &key, &school); err != nil {
			return nil, err
		}
		if i, ok := index[school]; ok {
			o := &out[i]
			o.State, o.NotMet, o.Partly, o.OpenMeasures = s.State, s.NotMet, s.Partly, s.OpenMeasures
			o.SubmittedAt, o.SubmittedByName, o.UpdatedAt = s.SubmittedAt, s.SubmittedByName, s.UpdatedAt
		}
	}
	return out, rows.Err()
}

// FindYearInspections returns the school's submitted self-inspections of
// the two terms that start in the year, with their answers, oldest first:
// the findings an annual report looks back on.
func (db *DB) FindYearInspections(ctx context.Context, schoolID int64, year int) ([]*gongkai.Inspection, error) {
	var out []*gongkai.Inspection
	for _, t := range gongkai.TermsOfYear(year) {
		in, err := db.FindInspection(ctx, schoolID, t)
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if in.State == gongkai.InspectionSubmitted {
			out = append(out, in)
		}
	}
	return out, nil
}

// SaveInspection saves the supervision group's answers for the term as a
// draft, or submits them, as gongkai.SaveInspection decides; its errors
// pass through, and ECONFLICT when another saved the first draft at the
// same moment.
func (db *DB) SaveInspection(ctx context.Context, schoolID int64, actor *gongkai.Actor, in gongkai.InspectionSave) (*gongkai.Inspection, error) {
	if !gongkai.CanFillInspection(actor, schoolID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "自查表由监督小组填写。")
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		cur, err := loadInspection(ctx, tx, schoolID, in.Term, tx.db.dialect.forUpdateOf("i"))
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			cur, err = nil, nil
		}
		if err != nil {
			return err
		}
		out, err := gongkai.SaveInspection(actor, schoolID, cur, in, tx.Now)
		if err != nil {
			return err
		}
		if err := tx.saveInspection(ctx, out.Inspection, actor); err != nil {
			return err
		}
		return tx.emitSteps(ctx, schoolID, out.Inspection.ID, out.Events)
	})
	if err != nil {
		return nil, err
	}
	return db.FindInspection(ctx, schoolID, in.Term)
}

// saveInspection writes the checklist and its items, first creating it
// when it has no id yet.
func (tx *Tx) saveInspection(ctx context.Context, in *gongkai.Inspection, actor *gongkai.Actor) error {
	if in.ID == 0 {
		if err := tx.QueryRowContext(ctx, `INSERT INTO inspections (school_id, term, state, summary, created_by, updated_by, created_at, updated_at)
			VALUES ($1, $2, $3, '', $4, $4, $5, $5) RETURNING id`, in.SchoolID, in.Term.Key(), string(gongkai.InspectionDraft), actor.ID, ms(tx.Now)).Scan(&in.ID); err != nil {
			if isUniqueViolation(err) {
				return gongkai.Errorf(gongkai.ECONFLICT, "自查表刚被他人创建，请刷新后再试。")
			}
			return fmt.Errorf("store: create inspection: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM inspection_items WHERE school_id = $1 AND inspection_id = $2`, in.SchoolID, in.ID); err != nil {
		return fmt.Errorf("store: clear inspection %d: %w", in.ID, err)
	}
	for pos, a := range in.Answers {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inspection_items (school_id, inspection_id, code, position, title, verdict, note, measure, measure_due)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, in.SchoolID, in.ID, a.Code, pos, a.Title, string(a.Verdict), a.Note, a.Measure, formatDay(a.Due)); err != nil {
			return fmt.Errorf("store: save inspection item %s: %w", a.Code, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE inspections SET state = $1, summary = $2, updated_by = $3, updated_at = $4, submitted_by = $5, submitted_at = $6
		WHERE school_id = $7 AND id = $8`, string(in.State), in.Summary, actor.ID, ms(tx.Now), nullID(in.SubmittedBy), ms(in.SubmittedAt), in.SchoolID, in.ID); err != nil {
		return fmt.Errorf("store: save inspection %d: %w", in.ID, err)
	}
	return nil
}

// CompleteMeasure records that the rectification measure of an item is
// done, with the principal's note, as gongkai.Inspection.TakeMeasure
// decides; its errors pass through, and ENOTFOUND for a term without a
// checklist.
func (db *DB) CompleteMeasure(ctx context.Context, schoolID int64, actor *gongkai.Actor, term gongkai.Term, code, note string) (*gongkai.Inspection, error) {
	if !gongkai.CanCompleteMeasure(actor, schoolID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "整改完成情况由校长登记。")
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		in, err := loadInspection(ctx, tx, schoolID, term, tx.db.dialect.forUpdateOf("i"))
		if err != nil {
			return err
		}
		out, err := in.TakeMeasure(actor, code, note, tx.Now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE inspection_items SET done = TRUE, done_note = $1, done_by = $2, done_at = $3
			WHERE school_id = $4 AND inspection_id = $5 AND code = $6`, out.Answer.DoneNote, actor.ID, ms(tx.Now), schoolID, in.ID, code); err != nil {
			return fmt.Errorf("store: complete measure %s: %w", code, err)
		}
		return tx.emitSteps(ctx, schoolID, in.ID, out.Events)
	})
	if err != nil {
		return nil, err
	}
	return db.FindInspection(ctx, schoolID, term)
}
