package demo

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestLoad_orders checks the demo's supervision orders: one accepted with
// its result, one open with days left, one overdue about the school with
// the most overdue obligations, one returned; and that a second load adds
// none.
func TestLoad_orders(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, gongkai.Beijing)
	db, err := store.Open(ctx, testdb.New(t, "sqlite"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	days, years := calendar.Seed()
	if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
		t.Fatal(err)
	}
	blobs, err := files.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := Load(ctx, db, blobs, now); err != nil {
			t.Fatalf("load %d: %v", i+1, err)
		}
	}
	db.Now = func() time.Time { return now }
	school, err := db.FindSchoolBySlug(ctx, "xiangqian")
	if err != nil {
		t.Fatal(err)
	}
	orders, total, err := db.FindOrders(ctx, school.BureauID, store.OrderFilter{})
	if err != nil || total != 4 {
		t.Fatalf("%d orders (%v), want 4", total, err)
	}
	seen := map[string]*gongkai.Order{}
	for _, o := range orders {
		full, err := db.FindOrderByID(ctx, o.SchoolID, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		key := string(o.State)
		if o.Overdue(now) {
			key = "overdue"
		}
		seen[key] = full
	}
	if o := seen["accepted"]; o == nil || o.ResultID == 0 || len(o.Trail) != 3 {
		t.Errorf("accepted order: %+v", o)
	}
	if o := seen["issued"]; o == nil || !o.Deadline.After(now) {
		t.Errorf("open order with days left: %+v", o)
	}
	if o := seen["overdue"]; o == nil || o.ObligationID == 0 {
		t.Errorf("overdue order about an obligation: %+v", o)
	}
	if o := seen["returned"]; o == nil || len(o.Trail) != 3 || o.Trail[2].Comment == "" || !o.Deadline.After(now) {
		t.Errorf("returned order: %+v", o)
	}
	if o := seen["overdue"]; o != nil {
		most := 0
		counts := map[int64]int{}
		for _, ss := range Schools() {
			s, _ := db.FindSchoolBySlug(ctx, ss.Slug)
			obs, _ := db.FindObligations(ctx, s.ID, store.ObligationFilter{States: []gongkai.ObligationState{gongkai.ObOverdue}})
			counts[s.ID] = len(obs)
			most = max(most, len(obs))
		}
		// The order is about an obligation that was overdue when issued, so
		// the school has at least as many overdue items as any other.
		if counts[o.SchoolID] != most {
			t.Errorf("the overdue order went to a school with %d overdue items, not the most (%d)", counts[o.SchoolID], most)
		}
	}
}
