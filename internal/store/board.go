package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gongkai"
)

// CountByCategory returns how many items of the audiences the school has
// made public, per category code, for the board's category list. It runs
// one query however many categories there are.
func (db *DB) CountByCategory(ctx context.Context, schoolID int64, audiences []gongkai.Audience) (map[string]int, error) {
	out := map[string]int{}
	if len(audiences) == 0 {
		return out, nil
	}
	args := []any{schoolID}
	ph := make([]string, len(audiences))
	for i, a := range audiences {
		args = append(args, string(a))
		ph[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := db.reader(ctx, schoolID).QueryContext(ctx, `SELECT category, COUNT(*) FROM disclosures`+db.dialect.indexedBy("disclosures_public")+`
		WHERE school_id = $1 AND state IN ('published', 'closed', 'archived', 'withdrawn') AND audience IN (`+strings.Join(ph, ", ")+`)
		GROUP BY category`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: count categories of school %d: %w", schoolID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, err
		}
		out[c] = n
	}
	return out, rows.Err()
}

// CountInPublicity returns, per school id, how many public items are in
// their publicity period on the Beijing date of now, for the list of
// schools. Schools without such items are absent from the map.
func (db *DB) CountInPublicity(ctx context.Context, now time.Time) (map[int64]int, error) {
	// publicity_end is a YYYY-MM-DD text ('' for none), so a string
	// comparison with today is a date comparison and '' never matches.
	rows, err := db.reader(ctx, 0).QueryContext(ctx, `SELECT school_id, COUNT(*) FROM disclosures
		WHERE state = 'published' AND audience = 'public' AND publicity_end >= $1
		GROUP BY school_id`, formatDay(now))
	if err != nil {
		return nil, fmt.Errorf("store: count items in publicity: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}
