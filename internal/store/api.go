package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"gongkai"
)

// FindSchoolOfDisclosure returns the school of an item, for addresses such
// as /api/v1/disclosures/{id} that name no school. The caller then loads the
// item with FindDisclosureByID and decides whether the reader may see it.
func (db *DB) FindSchoolOfDisclosure(ctx context.Context, id int64) (*gongkai.School, error) {
	s, err := scanSchool(db.read.QueryRowContext(ctx, `SELECT `+schoolColumns+` FROM disclosures d
		JOIN schools s ON s.id = d.school_id JOIN bureaus b ON b.id = s.bureau_id WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("公开事项")
	}
	if err != nil {
		return nil, fmt.Errorf("store: school of disclosure %d: %w", id, err)
	}
	return s, nil
}

// unpublishedStates are the states of an item still in the procedure.
var unpublishedStates = []gongkai.State{gongkai.StateDraft, gongkai.StateSubmitted, gongkai.StateApproved, gongkai.StateChecked}

// FindAllDisclosures returns one page of everything a person of the
// procedure sees in a school, and the total: first every item still in the
// procedure (newest created first), then the published items of
// f.Audiences (newest published first). The two parts are two filters of
// FindDisclosures, because the audience rule applies to published items
// only; f.Published and f.States are ignored. It runs at most six queries
// whatever the page holds.
func (db *DB) FindAllDisclosures(ctx context.Context, schoolID int64, f DisclosureFilter) ([]*gongkai.Disclosure, int, error) {
	per := f.PerPage
	if per <= 0 {
		per = 20
	}
	per = min(per, 100)
	page := max(f.Page, 1)

	work := f
	work.Published, work.States, work.Audiences, work.Page, work.PerPage = false, unpublishedStates, nil, page, per
	items, nWork, err := db.FindDisclosures(ctx, schoolID, work)
	if err != nil {
		return nil, 0, err
	}

	board := f
	board.Published, board.States, board.PerPage = true, nil, per
	if len(f.Audiences) == 0 {
		return items, nWork, nil
	}
	need := per - len(items)
	// start is where this page begins within the published part.
	start := max((page-1)*per-nWork, 0)
	board.Page = start/per + 1
	got, nBoard, err := db.FindDisclosures(ctx, schoolID, board)
	if err != nil {
		return nil, 0, err
	}
	if need == 0 {
		return items, nWork + nBoard, nil
	}
	skip := start % per
	if skip < len(got) {
		got = got[skip:]
	} else {
		got = nil
	}
	if len(got) < need && skip > 0 && start+len(got) < nBoard {
		board.Page++
		more, _, err := db.FindDisclosures(ctx, schoolID, board)
		if err != nil {
			return nil, 0, err
		}
		got = append(got, more...)
	}
	if len(got) > need {
		got = got[:need]
	}
	return append(items, got...), nWork + nBoard, nil
}
