package store_test

import (
	"context"
	"testing"

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
