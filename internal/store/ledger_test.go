package store_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// Every publish, revise and withdraw appends one entry, in the step's own
// transaction; the entry commits to the content by hashes only.
func TestLedger_stepsAppend(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		var appended []int64
		f.db.OnLedgerAppend = func(id int64) { appended = append(appended, id) }
		d := f.publish(t, "2026年3月助学金名单公示（张小明）")
		recs, err := f.db.FindLedgerRecords(ctx, f.school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Index != 0 || recs[0].Action != gongkai.LedgerPublish || recs[0].Version != 1 {
			t.Fatalf("after publishing: %+v", recs)
		}
		if len(appended) != 1 || appended[0] != f.school.ID {
			t.Errorf("the append hook was called for %v, want the school once", appended)
		}
		e, err := gongkai.ParseLedgerEntry(recs[0].Entry)
		if err != nil {
			t.Fatal(err)
		}
		if recs[0].LeafHash != tlog.RecordHash(recs[0].Entry) {
			t.Error("the stored leaf hash is not the RFC 6962 hash of the entry")
		}
		full, err := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.BodySHA256 != gongkai.HashText(full.Body) || e.TitleSHA256 != gongkai.HashText(full.Title) || e.IndexNo != full.IndexNo || e.School != "xiangqian" {
			t.Errorf("entry %s does not describe the item %q", recs[0].Entry, full.IndexNo)
		}
		if e.PublicityStart == "" || e.Signer != f.actors[gongkai.RolePrincipal].DisplayName {
			t.Errorf("entry lacks the period or the signer: %s", recs[0].Entry)
		}
		for _, personal := range []string{"张小明", "助学金", "合计"} {
			if bytes.Contains(recs[0].Entry, []byte(personal)) {
				t.Errorf("the entry carries %q in clear: %s", personal, recs[0].Entry)
			}
		}

		f.revise(t, d.ID, "更正金额", &store.Revision{Title: full.Title, Body: full.Body + "（已更正）"})
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionWithdraw, "名单有误，撤回")
		recs, err = f.db.FindLedgerRecords(ctx, f.school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, fmt.Sprintf("%d:%s:v%d", r.Index, r.Action, r.Version))
		}
		if want := "0:publish:v1 1:revise:v2 2:withdraw:v2"; strings.Join(got, " ") != want {
			t.Errorf("entries %q, want %q", strings.Join(got, " "), want)
		}
		n, err := f.db.LedgerSize(ctx, f.school.ID)
		if err != nil || n != 3 {
			t.Errorf("log size %d (%v), want 3", n, err)
		}
		if n, _ := f.db.LedgerSize(ctx, f.other.ID); n != 0 {
			t.Errorf("the other school's log has %d entries", n)
		}
	})
}

// A step that is refused appends nothing; drafts, submissions and
// signatures are not publications and append nothing either.
func TestLedger_onlyPublicationsAppend(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		d := f.draft(t, "食堂账目")
		f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
		f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
		if _, err := f.db.Act(ctx, f.school.ID, d.ID, f.actors[gongkai.RoleClerk], gongkai.ActionPublish, "", nil); err == nil {
			t.Fatal("publishing before the supervision check was allowed")
		}
		if n, _ := f.db.LedgerSize(ctx, f.school.ID); n != 0 {
			t.Errorf("log size %d after steps that publish nothing", n)
		}
	})
}

// Publications racing in one school get distinct, gapless indexes and a
// tree every proof agrees with.
func TestLedger_concurrentAppends(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		const n = 12
		var ids []int64
		for i := range n {
			d := f.draft(t, fmt.Sprintf("第%d项", i))
			f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
			f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
			f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
			ids = append(ids, d.ID)
		}
		var wg sync.WaitGroup
		for _, id := range ids {
			wg.Go(func() {
				if _, err := f.db.Act(ctx, f.school.ID, id, f.actors[gongkai.RoleClerk], gongkai.ActionPublish, "", nil); err != nil {
					t.Errorf("publish %d: %v", id, err)
				}
			})
		}
		wg.Wait()
		entries, err := f.db.LedgerEntries(ctx, f.school.ID, 0, n)
		if err != nil {
			t.Fatal(err)
		}
		th, err := tlog.TreeHash(n, f.db.LedgerHashReader(ctx, f.school.ID))
		if err != nil {
			t.Fatal(err)
		}
		if th != memoryRoot(entries) {
			t.Error("the stored tree differs from the tree of its entries")
		}
	})
}

// memoryRoot computes the root of a tree of entries without the store.
func memoryRoot(entries [][]byte) tlog.Hash {
	var hashes []tlog.Hash
	r := tlog.HashReaderFunc(func(ids []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(ids))
		for i, id := range ids {
			out[i] = hashes[id]
		}
		return out, nil
	})
	for i, e := range entries {
		hs, err := tlog.StoredHashes(int64(i), e, r)
		if err != nil {
			panic(err)
		}
		hashes = append(hashes, hs...)
	}
	th, err := tlog.TreeHash(int64(len(entries)), r)
	if err != nil {
		panic(err)
	}
	return th
}

// Inclusion and consistency proofs from the stored tree, checked with
// tlog's own verifiers, for every size from 1 to 1,000.
func TestLedger_proofsUpTo1000(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		d := f.publish(t, "树")
		rng := rand.New(rand.NewPCG(1, 2))
		base, _ := f.db.LedgerSize(ctx, f.school.ID)
		entries, err := f.db.LedgerEntries(ctx, f.school.ID, 0, base)
		if err != nil {
			t.Fatal(err)
		}
		roots := []tlog.Hash{{}}
		r := f.db.LedgerHashReader(ctx, f.school.ID)
		for len(entries) < 1000 {
			e := fmt.Appendf(nil, `{"n":%d}`, len(entries))
			if _, err := f.db.AppendLedgerEntry(ctx, f.school.ID, d.ID, e); err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
		}
		for size := int64(1); size <= 1000; size++ {
			th, err := tlog.TreeHash(size, r)
			if err != nil {
				t.Fatal(err)
			}
			roots = append(roots, th)
			for _, i := range []int64{size - 1, rng.Int64N(size)} {
				p, err := tlog.ProveRecord(size, i, r)
				if err != nil {
					t.Fatalf("prove %d in %d: %v", i, size, err)
				}
				if err := tlog.CheckRecord(p, size, th, i, tlog.RecordHash(entries[i])); err != nil {
					t.Fatalf("inclusion of %d in %d: %v", i, size, err)
				}
				if len(p) > 0 {
					bad := append(tlog.RecordProof{}, p...)
					bad[0][0] ^= 1
					if tlog.CheckRecord(bad, size, th, i, tlog.RecordHash(entries[i])) == nil {
						t.Fatalf("a forged inclusion proof of %d in %d passed", i, size)
					}
				}
			}
			for _, old := range []int64{size - 1, 1 + rng.Int64N(size)} {
				if old == 0 {
					continue
				}
				p, err := tlog.ProveTree(size, old, r)
				if err != nil {
					t.Fatalf("prove %d→%d: %v", old, size, err)
				}
				if err := tlog.CheckTree(p, size, th, old, roots[old]); err != nil {
					t.Fatalf("consistency %d→%d: %v", old, size, err)
				}
				if old < size && tlog.CheckTree(p, size, th, old, roots[old-1]) == nil && roots[old-1] != roots[old] {
					t.Fatalf("consistency %d→%d passed with the wrong old root", old, size)
				}
			}
		}
		if roots[1000] != memoryRoot(entries) {
			t.Error("the stored tree of 1,000 differs from the tree of its entries")
		}
	})
}
