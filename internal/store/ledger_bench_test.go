package store_test

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/testdb"
)

// What the log costs a publication: the same publish step, measured with
// the log's append in it, and the append alone (make bench).
func BenchmarkLedger(b *testing.B) {
	for _, dialect := range testdb.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			f := mustFixture(b, testdb.New(b, dialect))
			ctx := context.Background()
			d := f.publish(b, "基准")
			b.Run("append", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					if _, err := f.db.AppendLedgerEntry(ctx, f.school.ID, d.ID, fmt.Appendf(nil, `{"n":%d,"pad":"%064d"}`, i, i)); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("publish", func(b *testing.B) {
				ids := make([]int64, 0, 256)
				for b.Loop() {
					b.StopTimer()
					if len(ids) == 0 {
						for range 256 {
							ids = append(ids, f.checked(b).ID)
						}
					}
					id := ids[0]
					ids = ids[1:]
					b.StartTimer()
					if _, err := f.db.Act(ctx, f.school.ID, id, f.actors[gongkai.RoleClerk], gongkai.ActionPublish, "", nil); err != nil {
						b.Fatal(err)
					}
				}
			})
			n, _ := f.db.LedgerSize(ctx, f.school.ID)
			r := f.db.LedgerHashReader(ctx, f.school.ID)
			b.Run("prove", func(b *testing.B) {
				var size int
				for i := int64(0); b.Loop(); i++ {
					p, err := tlog.ProveRecord(n, i%n, r)
					if err != nil {
						b.Fatal(err)
					}
					size = len(p)
				}
				b.ReportMetric(float64(size), "proof-hashes")
				b.ReportMetric(float64(n), "log-size")
			})
		})
	}
}

// checked is a new item that waits only for its publication.
func (f *fixture) checked(t testing.TB) *gongkai.Disclosure {
	t.Helper()
	d := f.draft(t, "待发布")
	f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
	return f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
}
