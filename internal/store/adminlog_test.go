package store_test

import (
	"context"
	"testing"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// The admin log is append-only in the database itself: not even a direct
// statement can change or remove an entry.
func TestAdminLog_appendOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		b := &gongkai.Bureau{Name: "青禾县教育局"}
		if err := db.CreateBureau(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := db.AppendAdminLogForTest(ctx, gongkai.AdminEntry{BureauID: b.ID, Action: gongkai.AdminBureauUpdated, Subject: b.Name, Detail: "电话：（空） → 0591-1"}); err != nil {
			t.Fatal(err)
		}
		entries, total, err := db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: b.ID})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(entries) != 1 || entries[0].Detail != "电话：（空） → 0591-1" || entries[0].ActorName != "命令行" {
			t.Fatalf("admin log = %d %+v", total, entries)
		}
		if _, err := db.ExecForTest(ctx, `UPDATE admin_log SET detail = 'x'`); err == nil {
			t.Error("an admin log entry was changed")
		}
		if _, err := db.ExecForTest(ctx, `DELETE FROM admin_log`); err == nil {
			t.Error("an admin log entry was deleted")
		}
		if entries, _, _ := db.FindAdminLog(ctx, store.AdminLogFilter{BureauID: b.ID}); len(entries) != 1 || entries[0].Detail != "电话：（空） → 0591-1" {
			t.Errorf("after the attempts: %+v", entries)
		}
	})
}
