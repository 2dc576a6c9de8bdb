package store_test

import (
	"context"
	"strings"
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

// TestSearch_numbersSnippetsAndCounts: an item is found by its 索引号 or its
// 文号 typed whole (and full-width digits too), which the words alone do not
// find; a search's matches come with their bodies and are counted by
// category whatever the category asked for; another school's numbers are
// not ours.
func TestSearch_numbersSnippetsAndCounts(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		fees := f.draft(t, "2026年春季学期收费项目公示")
		fees.DocNumber, fees.Category = "祥谦小〔2026〕7号", "fees"
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, fees.ID, f.actors[gongkai.RoleClerk], fees); err != nil {
			t.Fatal(err)
		}
		for _, r := range []gongkai.Role{gongkai.RoleClerk, gongkai.RolePrincipal, gongkai.RoleSupervisor} {
			a := map[gongkai.Role]gongkai.Action{gongkai.RoleClerk: gongkai.ActionSubmit, gongkai.RolePrincipal: gongkai.ActionApprove, gongkai.RoleSupervisor: gongkai.ActionCheck}[r]
			f.act(t, fees.ID, r, a, "")
		}
		fees = f.act(t, fees.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		money := f.publish(t, "三月财务收支公示")
		f.publish(t, "四月财务收支公示")
		if fees.IndexNo == "" || money.IndexNo == "" {
			t.Fatalf("published without 索引号: %q %q", fees.IndexNo, money.IndexNo)
		}
		public := []gongkai.Audience{gongkai.AudiencePublic}
		search := func(schoolID int64, q, cat string) *store.SearchResult {
			t.Helper()
			r, err := f.db.SearchDisclosures(ctx, schoolID, store.DisclosureFilter{Published: true, Audiences: public, Query: q, Category: cat})
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			return r
		}
		for _, tc := range []struct {
			q    string
			want int64
		}{
			{money.IndexNo, money.ID},
			{"  " + fees.IndexNo + " ", fees.ID},
			{"祥谦小〔2026〕7号", fees.ID},
			{"祥谦小〔２０２６〕７号", fees.ID}, // full-width digits
		} {
			r := search(f.school.ID, tc.q, "")
			if r.Total != 1 || len(r.Items) != 1 || r.Items[0].ID != tc.want {
				t.Errorf("%q: %d matches %v, want item %d alone", tc.q, r.Total, r.Items, tc.want)
			}
			if r := search(f.other.ID, tc.q, ""); r.Total != 0 {
				t.Errorf("%q found %d items of the other school", tc.q, r.Total)
			}
			// FindDisclosures searches the same way.
			items, n, err := f.db.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Published: true, Audiences: public, Query: tc.q})
			if err != nil || n != 1 || len(items) != 1 || items[0].ID != tc.want {
				t.Errorf("FindDisclosures %q: %d %v %v", tc.q, n, items, err)
			}
		}

		r := search(f.school.ID, "公示", "fees")
		if r.Total != 1 || len(r.Items) != 1 || r.Items[0].ID != fees.ID {
			t.Fatalf("公示 in fees: %d %v", r.Total, r.Items)
		}
		if r.ByCategory["fees"] != 1 || r.ByCategory["finance"] != 2 || len(r.ByCategory) != 2 {
			t.Errorf("counts by category %v, want fees 1 and finance 2 whatever the category asked for", r.ByCategory)
		}
		if !strings.Contains(r.Items[0].Body, "收费项目") {
			t.Errorf("a match comes without its body: %q", r.Items[0].Body)
		}
		if r := search(f.school.ID, "财务", ""); r.Total != 2 || r.ByCategory["finance"] != 2 || r.ByCategory["fees"] != 0 {
			t.Errorf("财务: %d matches, counts %v", r.Total, r.ByCategory)
		}
	})
}
