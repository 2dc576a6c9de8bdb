package store_test

import (
	"context"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"gongkai"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// The witness trusts a school's key in use only, and a bureau's registered
// keys; its head moves by compare-and-swap and never holds two trees of
// one size; an alarm is recorded once and only for its bureau.
func TestWitness_store(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		f := mustFixture(t, dsn)
		ctx := context.Background()
		origin := "gk.example.cn/s/xiangqian/log"
		if _, _, _, err := f.db.WitnessKeys(ctx, origin); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("an unknown origin: %v, want ENOTFOUND", err)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(f.db.RegisterLedgerKey(ctx, store.LedgerKey{SchoolID: f.school.ID, Origin: origin, VKey: "old-key", KeyHash: 1}, false))
		must(f.db.RegisterLedgerKey(ctx, store.LedgerKey{SchoolID: f.school.ID, Origin: origin, VKey: "new-key", KeyHash: 2}, true))
		keys, bureau, school, err := f.db.WitnessKeys(ctx, origin)
		must(err)
		if len(keys) != 1 || keys[0] != "new-key" || bureau != f.bureau.ID || school != f.school.ID {
			t.Errorf("keys %v of bureau %d school %d, want the key in use of xiangqian only", keys, bureau, school)
		}
		remote := "far.example.cn/s/yuanba/log"
		must(f.db.AddWitnessLog(ctx, nil, store.WitnessLog{BureauID: f.bureau.ID, Origin: remote, VKey: "remote-key"}))
		if err := f.db.AddWitnessLog(ctx, nil, store.WitnessLog{BureauID: f.bureau.ID, Origin: remote, VKey: "remote-key"}); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("the same key twice: %v, want ECONFLICT", err)
		}
		if keys, _, school, err := f.db.WitnessKeys(ctx, remote); err != nil || len(keys) != 1 || school != 0 {
			t.Errorf("remote log keys %v school %d: %v", keys, school, err)
		}

		tree := func(n int64, b byte) store.WitnessTree {
			return store.WitnessTree{Origin: origin, Size: n, Root: tlog.Hash{b}, Note: "note"}
		}
		if ok, _, err := f.db.AdvanceWitness(ctx, tree(3, 3), 0); err != nil || !ok {
			t.Fatalf("first tree: %v %v", ok, err)
		}
		if ok, known, err := f.db.AdvanceWitness(ctx, tree(5, 5), 0); err != nil || ok || known != 3 {
			t.Errorf("a second first tree: ok %v known %d %v, want refused at 3", ok, known, err)
		}
		if ok, known, err := f.db.AdvanceWitness(ctx, tree(5, 5), 4); err != nil || ok || known != 3 {
			t.Errorf("from a stale size: ok %v known %d %v, want refused at 3", ok, known, err)
		}
		if ok, _, err := f.db.AdvanceWitness(ctx, tree(5, 5), 3); err != nil || !ok {
			t.Errorf("from the size held: %v %v", ok, err)
		}
		head, err := f.db.WitnessHead(ctx, origin)
		if err != nil || head.Size != 5 || head.Root != (tlog.Hash{5}) {
			t.Errorf("head %+v %v", head, err)
		}
		if old, err := f.db.WitnessTreeOf(ctx, origin, 3); err != nil || old.Root != (tlog.Hash{3}) {
			t.Errorf("the tree of size 3 is not kept: %+v %v", old, err)
		}

		a := store.WitnessAlarm{BureauID: f.bureau.ID, SchoolID: f.school.ID, Origin: origin, Kind: gongkai.AlarmFork, Size: 5, Root: tlog.Hash{6}, Note: "n", KnownSize: 5, KnownNote: "k"}
		must(f.db.RaiseWitnessAlarm(ctx, a))
		must(f.db.RaiseWitnessAlarm(ctx, a))
		alarms, err := f.db.WitnessAlarms(ctx, f.bureau.ID)
		if err != nil || len(alarms) != 1 || alarms[0].SchoolName != "祥谦小学" {
			t.Errorf("alarms %+v %v, want one, of 祥谦小学", alarms, err)
		}
		other := &gongkai.Bureau{Name: "另一县教育局"}
		must(f.db.CreateBureau(ctx, other))
		if alarms, _ := f.db.WitnessAlarms(ctx, other.ID); len(alarms) != 0 {
			t.Errorf("another bureau sees %d alarms", len(alarms))
		}
		// A tree cosigned at last clears the alarm its forged proof raised.
		a.Size, a.Root = 7, tlog.Hash{7}
		must(f.db.RaiseWitnessAlarm(ctx, a))
		if ok, _, err := f.db.AdvanceWitness(ctx, tree(7, 7), 5); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if alarms, _ := f.db.WitnessAlarms(ctx, f.bureau.ID); len(alarms) != 1 || alarms[0].Size != 5 {
			t.Errorf("alarms after the tree was proved: %+v", alarms)
		}
	})
}
