package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// TestLoadSessionActor: a live session gives its user with the same
// memberships LoadActor gives; another kind of session, an unknown token
// and an expired session give none, and a disabled user reads as signed out.
func TestLoadSessionActor(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		clerk := f.actors[gongkai.RoleClerk]
		if err := f.db.CreateSession(ctx, "hash-of-token", clerk.ID, "web", time.Hour); err != nil {
			t.Fatal(err)
		}
		got, err := f.db.LoadSessionActor(ctx, "hash-of-token", "web")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != clerk.ID || got.Username != clerk.Username || len(got.Memberships) != len(clerk.Memberships) ||
			!got.HasRole(f.school.ID, gongkai.RoleClerk) || got.SchoolBureau[f.school.ID] != f.bureau.ID {
			t.Fatalf("session actor %+v, want %+v", got, clerk)
		}
		for _, tc := range []struct{ hash, kind string }{{"hash-of-token", "api"}, {"another-hash", "web"}} {
			if _, err := f.db.LoadSessionActor(ctx, tc.hash, tc.kind); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				t.Errorf("%s %s: %v, want not found", tc.hash, tc.kind, err)
			}
		}
		if err := f.db.DisableUserForTest(ctx, clerk.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.db.LoadSessionActor(ctx, "hash-of-token", "web"); gongkai.ErrorCode(err) != gongkai.EUNAUTHENTICATED {
			t.Errorf("disabled user: %v, want unauthenticated", err)
		}
		f.now = f.now.Add(2 * time.Hour)
		if _, err := f.db.LoadSessionActor(ctx, "hash-of-token", "web"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("expired session: %v, want not found", err)
		}
	})
}
