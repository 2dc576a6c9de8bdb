package store_test

import (
	"context"
	"fmt"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

func TestFindSchoolOfDisclosure(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.draft(t, "草稿")
		got, err := f.db.FindSchoolOfDisclosure(ctx, d.ID)
		if err != nil || got.ID != f.school.ID || got.Slug != f.school.Slug || got.BureauID != f.school.BureauID {
			t.Fatalf("school of item %d: %+v, %v; want %+v", d.ID, got, err, f.school)
		}
		for _, id := range []int64{d.ID + 1000, 0, -1} {
			if _, err := f.db.FindSchoolOfDisclosure(ctx, id); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("item %d: %v, want not found", id, err)
			}
		}
	})
}

func TestFindAllDisclosures(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		// Three items in the procedure and five published, one of them for
		// the leadership only; the other school has a draft of its own.
		var work, board []*gongkai.Disclosure
		for i := range 3 {
			work = append(work, f.draft(t, fmt.Sprintf("草稿%d", i)))
		}
		for i := range 5 {
			board = append(board, f.publish(t, fmt.Sprintf("公示%d", i)))
		}
		secret := f.draft(t, "领导小组事项")
		secret.Audience = gongkai.AudienceLeadership
		if _, err := f.db.UpdateDraft(ctx, f.school.ID, secret.ID, f.actors[gongkai.RoleClerk], secret); err != nil {
			t.Fatal(err)
		}
		f.act(t, secret.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, secret.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		f.act(t, secret.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
		f.act(t, secret.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
		if err := f.db.CreateDisclosure(ctx, f.other.ID, f.outsider, &gongkai.Disclosure{Title: "外校草稿"}); err != nil {
			t.Fatal(err)
		}

		// A clerk reads public to staff, not the leadership's board.
		clerk := gongkai.ReadableAudiences(f.actors[gongkai.RoleClerk], f.bureau.ID, f.school.ID)
		var want []int64
		for i := len(work) - 1; i >= 0; i-- {
			want = append(want, work[i].ID)
		}
		for i := len(board) - 1; i >= 0; i-- {
			want = append(want, board[i].ID)
		}
		for _, per := range []int{1, 2, 3, 4, 5, 8, 9, 20} {
			var got []int64
			for page := 1; page <= 10; page++ {
				items, total, err := f.db.FindAllDisclosures(ctx, f.school.ID, store.DisclosureFilter{Audiences: clerk, Page: page, PerPage: per})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) {
					t.Fatalf("per %d page %d: total %d, want %d", per, page, total, len(want))
				}
				if len(items) > per {
					t.Fatalf("per %d page %d: %d items", per, page, len(items))
				}
				for _, d := range items {
					got = append(got, d.ID)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("per %d: pages hold %v, want %v", per, got, want)
			}
		}

		// The principal also reads the leadership's item; a search narrows
		// both parts.
		principal := gongkai.ReadableAudiences(f.actors[gongkai.RolePrincipal], f.bureau.ID, f.school.ID)
		if _, n, err := f.db.FindAllDisclosures(ctx, f.school.ID, store.DisclosureFilter{Audiences: principal}); err != nil || n != 9 {
			t.Errorf("principal sees %d, %v; want 9", n, err)
		}
		if items, n, err := f.db.FindAllDisclosures(ctx, f.school.ID, store.DisclosureFilter{Audiences: principal, Query: "领导小组"}); err != nil || n != 1 || items[0].ID != secret.ID {
			t.Errorf("search: %d, %v", n, err)
		}
		if _, n, err := f.db.FindAllDisclosures(ctx, f.school.ID, store.DisclosureFilter{Audiences: clerk, Query: "草稿"}); err != nil || n != 3 {
			t.Errorf("search drafts: %d, %v; want 3", n, err)
		}
		// Without audiences only the work list is left.
		if _, n, err := f.db.FindAllDisclosures(ctx, f.school.ID, store.DisclosureFilter{}); err != nil || n != 3 {
			t.Errorf("no audiences: %d, %v; want 3", n, err)
		}
	})
}
