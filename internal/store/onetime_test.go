package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// A set-password link and a staff invitation used by several people at the
// same moment work for one of them only: one password is set, one account
// joins.
func TestOneTimeLinks_usedOnceUnderRace(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		b := setupBureau()
		if err := db.CreateBureau(ctx, b); err != nil {
			t.Fatal(err)
		}
		s := &gongkai.School{BureauID: b.ID, Slug: "xq", Name: "祥谦小学", Code: "3501210001"}
		if err := db.CreateSchool(ctx, s, []string{"办公室"}); err != nil {
			t.Fatal(err)
		}
		m, err := db.AddMember(ctx, s.ID, nil, gongkai.StaffEntry{Username: "wang.fang", DisplayName: "王芳", Roles: []gongkai.Role{gongkai.RoleStaff}}, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, invite, err := db.CreateStaffInvitation(ctx, s.ID, nil, "新任会计", []gongkai.Role{gongkai.RoleClerk}, 0)
		if err != nil {
			t.Fatal(err)
		}

		const n = 6
		race := func(use func(i int) error) int {
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { errs[i] = use(i) })
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case gongkai.ErrorCode(err) != gongkai.ECONFLICT:
					t.Errorf("racing use: %v", err)
				}
			}
			return ok
		}
		if ok := race(func(i int) error {
			_, err := db.UsePasswordLink(ctx, m.Token, "hash-"+strconv.Itoa(i), "session-"+strconv.Itoa(i), "Chrome", time.Hour)
			return err
		}); ok != 1 {
			t.Errorf("%d uses of one set-password link succeeded, want 1", ok)
		}
		if ok := race(func(i int) error {
			u := &gongkai.User{Username: "joiner" + strconv.Itoa(i), DisplayName: "李梅"}
			_, err := db.AcceptStaffInvitation(ctx, invite, 0, u, "hash", "inv-session-"+strconv.Itoa(i), "Chrome", time.Hour)
			return err
		}); ok != 1 {
			t.Errorf("%d uses of one staff invitation succeeded, want 1", ok)
		}
		members, err := db.FindMembers(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 2 {
			t.Errorf("%d members after the race, want 王芳 and one joiner", len(members))
		}
	})
}
