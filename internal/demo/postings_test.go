package demo

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// checkPostings compares the school's postings with its items and the
// dashboard: every posting lies between its item's publication and now; the
// fees of every published term were posted on the board, so their
// obligations (which name the board) can be met; and the dashboard's share
// on paper counts the items of each period that the board shows posted.
// It returns the postings by item.
func checkPostings(ctx context.Context, t *testing.T, db *store.DB, school *gongkai.School, items []*gongkai.Disclosure, f store.SchoolFigures, now time.Time) map[int64][]gongkai.Posting {
	t.Helper()
	out := map[int64][]gongkai.Posting{}
	want := make([]store.PaperFigures, len(store.DashPeriods))
	for _, d := range items {
		if !d.Published() {
			continue
		}
		ps, err := db.FindPostings(ctx, school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		out[d.ID] = ps
		for _, p := range ps {
			if dayOf(p.Date).Before(dayOf(d.PublishedAt)) || p.Date.After(now) || p.CreatedAt.After(now) || p.Place == "" || p.By == "" {
				t.Errorf("%s: %q posted %s (recorded %s), published %s, now %s", school.Slug, d.Title, p.Date, p.CreatedAt, d.PublishedAt, now)
			}
		}
		posted := !gongkai.ChannelMetAt(gongkai.ChannelBoard, d.PublishedAt, ps).IsZero()
		if d.CatalogueCode == paperCatalogue && !posted {
			t.Errorf("%s: the fees %q were not posted on the board", school.Slug, d.Title)
		}
		if d.State == gongkai.StateWithdrawn {
			continue
		}
		for i, p := range store.DashPeriods {
			from, to, _ := p.Bounds(now)
			if !d.PublishedAt.Before(from) && d.PublishedAt.Before(to.AddDate(0, 0, 1)) {
				want[i].Published++
				if posted {
					want[i].Posted++
				}
			}
		}
	}
	for i, p := range store.DashPeriods {
		if got := f.PaperOf(p); got != want[i] {
			t.Errorf("%s: the dashboard shows %+v posted on paper in the %s, the items %+v", school.Slug, got, p, want[i])
		}
	}
	if y := want[len(want)-1]; y.Published > 6 && (y.Posted == 0 || y.Posted == y.Published) {
		t.Errorf("%s: %d of %d items of the year posted on paper; the demo should show some, not all", school.Slug, y.Posted, y.Published)
	}
	return out
}
