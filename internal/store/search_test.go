package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestSearch_oneSchoolAfterRebuild searches a school's items and another
// school's board, then empties the index as a token-changing migration does and checks that
// the rebuild at start finds exactly the same items again.
func TestSearch_oneSchoolAfterRebuild(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		fees := f.publish(t, "2026年春季学期收费项目公示")
		f.publish(t, "三月财务收支公示")
		public := []gongkai.Audience{gongkai.AudiencePublic}

		find := func(schoolID int64, q string) []int64 {
			t.Helper()
			items, n, err := f.db.FindDisclosures(ctx, schoolID, store.DisclosureFilter{Published: true, Audiences: public, Query: q})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			if n != len(items) {
				t.Fatalf("search %q: total %d, page of %d", q, n, len(items))
			}
			var ids []int64
			for _, d := range items {
				ids = append(ids, d.ID)
			}
			return ids
		}
		check := func(when string) {
			t.Helper()
			for _, tc := range []struct {
				school int64
				q      string
				want   []int64
			}{
				{f.school.ID, "收费", []int64{fees.ID}},
				{f.school.ID, "收费项目", []int64{fees.ID}},
				{f.school.ID, "春", []int64{fees.ID}},
				{f.school.ID, "2026", []int64{fees.ID}},
				{f.school.ID, "收费 财务", nil},
				{f.other.ID, "收费", nil}, // ours are not the other school's
			} {
				got := find(tc.school, tc.q)
				if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
					t.Errorf("%s: school %d %q found %v, want %v", when, tc.school, tc.q, got, tc.want)
				}
			}
		}
		check("indexed on publish")
		if err := f.db.ForgetSearchIndex(ctx); err != nil {
			t.Fatal(err)
		}
		if got := find(f.school.ID, "收费"); len(got) != 0 {
			t.Fatalf("the emptied index still finds %v", got)
		}
		if err := f.db.ReindexSearch(ctx); err != nil {
			t.Fatal(err)
		}
		check("rebuilt")
	})
}

// TestSearch_pages: a search with more matches than a page gives every
// page its share, newest first, with the same total on each, and a page
// past the end is empty but still counts the matches. A board listing given
// its total by the caller pages the same way.
func TestSearch_pages(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		var want []int64 // newest first
		for i := range 7 {
			d := f.publish(t, "食堂采购验收记录第"+string(rune('一'+i))+"批")
			want = append([]int64{d.ID}, want...)
		}
		// Published at the same moment, they come by id, newest first; one
		// entered later but dated an hour earlier comes after them all.
		f.now = f.now.Add(-time.Hour)
		want = append(want, f.publish(t, "食堂采购验收记录补录").ID)
		f.now = f.now.Add(time.Hour)
		f.publish(t, "三月财务收支公示") // not a match
		public := []gongkai.Audience{gongkai.AudiencePublic}
		var got []int64
		for page := 1; page <= 4; page++ {
			items, n, err := f.db.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Published: true, Audiences: public, Query: "采购验收", Page: page, PerPage: 3})
			if err != nil {
				t.Fatal(err)
			}
			if n != len(want) {
				t.Errorf("page %d: total %d, want %d", page, n, len(want))
			}
			if wantLen := min(3, max(0, len(want)-(page-1)*3)); len(items) != wantLen {
				t.Errorf("page %d: %d items, want %d", page, len(items), wantLen)
			}
			for _, d := range items {
				got = append(got, d.ID)
				if d.Title == "" || d.SchoolID != f.school.ID {
					t.Errorf("page %d: item %d read without its row", page, d.ID)
				}
			}
		}
		if len(got) != len(want) {
			t.Fatalf("pages gave %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("pages gave %v, want newest first %v", got, want)
			}
		}
		all, n, err := f.db.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Published: true, Audiences: public, Page: 1, PerPage: 3})
		if err != nil {
			t.Fatal(err)
		}
		given, m, err := f.db.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Published: true, Audiences: public, Page: 1, PerPage: 3, Total: n})
		if err != nil || m != n || len(given) != len(all) || given[0].ID != all[0].ID {
			t.Errorf("board with its total given: %d items of %d (%v), counted: %d of %d", len(given), m, err, len(all), n)
		}
	})
}
