package store

import (
	"context"
	"fmt"
	"strings"

	"gongkai"
)

// logAdmin appends one entry to the admin log in the transaction of the
// change it records, so a change is never without its entry. The entry's
// time is the transaction's; a nil actor is the command line.
func (tx *Tx) logAdmin(ctx context.Context, actor *gongkai.Actor, e gongkai.AdminEntry) error {
	e.CreatedAt = tx.Now
	if actor != nil && !actor.Anonymous() {
		e.ActorID, e.ActorName = actor.ID, actor.DisplayName
	}
	if e.ActorName == "" && e.ActorID == 0 {
		e.ActorName = "命令行"
	}
	if e.BureauID == 0 && e.SchoolID != 0 {
		if err := tx.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, e.SchoolID).Scan(&e.BureauID); err != nil {
			return fmt.Errorf("store: admin log: bureau of school %d: %w", e.SchoolID, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO admin_log (bureau_id, school_id, actor_id, actor_name, action, subject, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.BureauID, nullID(e.SchoolID), nullID(e.ActorID), e.ActorName, string(e.Action), e.Subject, e.Detail, ms(tx.Now)); err != nil {
		return fmt.Errorf("store: admin log %s: %w", e.Action, err)
	}
	return nil
}

// AdminLogFilter selects admin log entries: a bureau's (every school's and
// its own), or one school's when SchoolID is set.
type AdminLogFilter struct {
	BureauID int64
	SchoolID int64 // 0: the whole bureau
	Action   gongkai.AdminAction
	Limit    int // 0: 50
	Offset   int
}

// FindAdminLog returns the entries the filter selects, newest first, and
// how many there are in all.
func (db *DB) FindAdminLog(ctx context.Context, f AdminLogFilter) ([]gongkai.AdminEntry, int, error) {
	var where []string
	var args []any
	if f.SchoolID != 0 {
		args = append(args, f.SchoolID)
		where = append(where, fmt.Sprintf("school_id = $%d", len(args)))
	} else {
		args = append(args, f.BureauID)
		where = append(where, fmt.Sprintf("bureau_id = $%d", len(args)))
	}
	if f.Action != "" {
		args = append(args, string(f.Action))
		where = append(where, fmt.Sprintf("action = $%d", len(args)))
	}
	cond := strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM admin_log WHERE `+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count admin log: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, bureau_id, COALESCE(school_id, 0), COALESCE(actor_id, 0), actor_name, action, subject, detail, created_at
		FROM admin_log WHERE `+cond+fmt.Sprintf(` ORDER BY id DESC LIMIT %d OFFSET %d`, limit, max(f.Offset, 0)), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find admin log: %w", err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (gongkai.AdminEntry, error) {
		var e gongkai.AdminEntry
		var action string
		var created int64
		err := sc.Scan(&e.ID, &e.BureauID, &e.SchoolID, &e.ActorID, &e.ActorName, &action, &e.Subject, &e.Detail, &created)
		e.Action, e.CreatedAt = gongkai.AdminAction(action), fromMS(created)
		return e, err
	})
	return out, total, err
}

// AdminLogActions returns the kinds of change the filter's entries hold
// (its Action ignored), in the order of their first appearance, for the
// log's filter: a kind added later shows as soon as it is logged.
func (db *DB) AdminLogActions(ctx context.Context, f AdminLogFilter) ([]gongkai.AdminAction, error) {
	col, id := "bureau_id", f.BureauID
	if f.SchoolID != 0 {
		col, id = "school_id", f.SchoolID
	}
	rows, err := db.read.QueryContext(ctx, `SELECT action FROM admin_log WHERE `+col+` = $1 GROUP BY action ORDER BY MIN(id)`, id)
	if err != nil {
		return nil, fmt.Errorf("store: admin log actions: %w", err)
	}
	return collect(rows, func(sc interface{ Scan(...any) error }) (gongkai.AdminAction, error) {
		var a string
		err := sc.Scan(&a)
		return gongkai.AdminAction(a), err
	})
}
