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

// TestLoad_obligations checks the demo's year of compliance history: most
// obligations met on time, some late, a few overdue and differently so per
// school, a couple waived with reasons, a recorded large expense; and that
// a second load changes none of it.
func TestLoad_obligations(t *testing.T) {
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
	tally := func() map[string]map[gongkai.ObligationState]int {
		out := map[string]map[gongkai.ObligationState]int{}
		for _, ss := range Schools() {
			school, err := db.FindSchoolBySlug(ctx, ss.Slug)
			if err != nil {
				t.Fatal(err)
			}
			obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{})
			if err != nil {
				t.Fatal(err)
			}
			out[ss.Slug] = map[gongkai.ObligationState]int{}
			for _, o := range obs {
				out[ss.Slug][o.State]++
				if o.State == gongkai.ObWaived && o.WaiveReason == "" {
					t.Errorf("%s: waived without a reason", ss.Slug)
				}
				if (o.State == gongkai.ObOnTime || o.State == gongkai.ObLate) && o.DisclosureID == 0 {
					t.Errorf("%s: %s met by no item", ss.Slug, o.PeriodKey)
				}
				if o.CatalogueCode == "large-expense" {
					out[ss.Slug]["event"]++
				}
			}
		}
		return out
	}
	if err := Load(ctx, db, blobs, now); err != nil {
		t.Fatalf("load: %v", err)
	}
	db.Now = func() time.Time { return now }
	first := tally()
	overdue := map[int]bool{}
	var waived, events int
	for slug, n := range first {
		if n[gongkai.ObOnTime] < 10 || n[gongkai.ObLate] < 1 || n[gongkai.ObOnTime] < 3*n[gongkai.ObLate] {
			t.Errorf("%s: %d on time, %d late; want most on time, some late", slug, n[gongkai.ObOnTime], n[gongkai.ObLate])
		}
		if n[gongkai.ObUpcoming]+n[gongkai.ObDueSoon] == 0 {
			t.Errorf("%s: nothing coming up", slug)
		}
		overdue[n[gongkai.ObOverdue]] = true
		waived += n[gongkai.ObWaived]
		events += n["event"]
	}
	if len(overdue) < 2 || waived < 2 || events < 1 {
		t.Errorf("overdue counts %v, %d waived, %d events; want differences, a couple waived, an event", overdue, waived, events)
	}
	if err := Load(ctx, db, blobs, now); err != nil {
		t.Fatalf("second load: %v", err)
	}
	db.Now = func() time.Time { return now }
	second := tally()
	for slug, n := range first {
		for st, c := range n {
			if second[slug][st] != c {
				t.Errorf("%s %s: %d after the second load, %d before", slug, st, second[slug][st], c)
			}
		}
	}
}
