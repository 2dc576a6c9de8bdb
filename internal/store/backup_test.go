package store_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestBackup_copyOpensWithEverything backs up a SQLite database that is in
// use, opens the copy as gongkai would after a restore, and finds the
// published item, its search words and its trail there. PostgreSQL is
// refused with the tools to use instead.
func TestBackup_copyOpensWithEverything(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		d := f.publish(t, "2026年秋季学期收费项目公示")
		to := filepath.Join(t.TempDir(), "copy", "gongkai-backup.db")
		err := f.db.Backup(ctx, to)
		if f.db.Dialect() == "postgres" {
			if err == nil || !strings.Contains(err.Error(), "pg_dump") {
				t.Fatalf("postgres backup: %v, want a pointer to pg_dump", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := f.db.Backup(ctx, to); err == nil {
			t.Fatal("a second backup over the first one was not refused")
		}
		restored, err := store.Open(ctx, "sqlite:"+to, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer restored.Close()
		got, err := restored.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil || got.Title != d.Title || got.IndexNo != d.IndexNo || len(got.Trail) != len(d.Trail) {
			t.Fatalf("restored item: %+v %v, want %q %s with %d trail entries", got, err, d.Title, d.IndexNo, len(d.Trail))
		}
		items, n, err := restored.FindDisclosures(ctx, f.school.ID, store.DisclosureFilter{Published: true,
			Audiences: []gongkai.Audience{gongkai.AudiencePublic}, Query: "收费项目"})
		if err != nil || n != 1 || items[0].ID != d.ID {
			t.Fatalf("search in the restored copy: %d items, %v", n, err)
		}
	})
}
