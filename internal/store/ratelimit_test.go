package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai/internal/testdb"
)

func TestAllow(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a, b := mustOpen(t, dsn), mustOpen(t, dsn) // two nodes on one database
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		a.Now = func() time.Time { return now }
		b.Now = a.Now
		allow := func(db interface {
			Allow(context.Context, string, time.Duration, int) (bool, error)
		}, key string) bool {
			t.Helper()
			ok, err := db.Allow(ctx, key, 20*time.Second, 5)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}

		t.Run("burst then refuse", func(t *testing.T) {
			for i := range 5 {
				if !allow(a, "login-user:zhang") {
					t.Fatalf("try %d refused within the burst", i+1)
				}
			}
			if allow(a, "login-user:zhang") {
				t.Fatal("sixth quick try allowed")
			}
			if !allow(a, "login-user:li") {
				t.Fatal("another key shares the bucket")
			}
		})
		t.Run("shared by nodes", func(t *testing.T) {
			if allow(b, "login-user:zhang") {
				t.Fatal("the second node gave a fresh bucket")
			}
			for range 4 {
				allow(b, "login-user:wang")
			}
			if !allow(a, "login-user:wang") {
				t.Fatal("fifth try on the other node refused")
			}
			if allow(a, "login-user:wang") || allow(b, "login-user:wang") {
				t.Fatal("sixth try allowed on one of the nodes")
			}
		})
		t.Run("refill", func(t *testing.T) {
			now = now.Add(19 * time.Second)
			if allow(a, "login-user:zhang") {
				t.Fatal("allowed before a token refilled")
			}
			now = now.Add(time.Second)
			if !allow(b, "login-user:zhang") {
				t.Fatal("refused after 20 s")
			}
			if allow(a, "login-user:zhang") {
				t.Fatal("one refill gave two tries")
			}
			now = now.Add(time.Hour)
			for i := range 5 {
				if !allow(a, "login-user:zhang") {
					t.Fatalf("try %d refused after an hour", i+1)
				}
			}
			if allow(b, "login-user:zhang") {
				t.Fatal("refill went past the burst")
			}
		})
		t.Run("clock behind on one node", func(t *testing.T) {
			// b's clock runs a minute behind: it must not refill from the
			// past, and a's next call must not refill that minute twice.
			b.Now = func() time.Time { return now.Add(-time.Minute) }
			defer func() { b.Now = a.Now }()
			if allow(b, "login-user:zhang") {
				t.Fatal("a slow clock refilled the bucket")
			}
			if allow(a, "login-user:zhang") {
				t.Fatal("refilled without time passing")
			}
		})
		t.Run("idle buckets deleted", func(t *testing.T) {
			now = now.Add(2 * time.Hour)
			allow(a, "login-user:fresh")
			n, err := a.DeleteIdleRateLimits(ctx, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if n != 3 { // zhang, li, wang
				t.Fatalf("deleted %d idle buckets, want 3", n)
			}
		})
	})
}

// TestAllow_concurrent takes tokens from two nodes at once: exactly the
// burst is allowed, whichever node asks.
func TestAllow_concurrent(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		dbs := [...]interface {
			Allow(context.Context, string, time.Duration, int) (bool, error)
		}{mustOpen(t, dsn), mustOpen(t, dsn)}
		const tries, burst = 40, 10
		results := make(chan bool, tries)
		errs := make(chan error, tries)
		for i := range tries {
			go func() {
				ok, err := dbs[i%2].Allow(ctx, "login-user:race", time.Hour, burst)
				if err != nil {
					errs <- err
				}
				results <- ok
			}()
		}
		allowed := 0
		for range tries {
			if <-results {
				allowed++
			}
		}
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if allowed != burst {
			t.Fatalf("allowed %d of %d concurrent tries, want %d", allowed, tries, burst)
		}
	})
}

// TestSpend: a debt grows with each try past the burst down to its floor,
// refills as tokens do, and Level reads it without taking.
func TestSpend(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := mustOpen(t, dsn)
		now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		level := func() float64 {
			t.Helper()
			l, err := db.Level(ctx, "login-user:zhang", 20*time.Second, 3)
			if err != nil {
				t.Fatal(err)
			}
			return l
		}
		if l := level(); l != 3 {
			t.Fatalf("unused bucket holds %v, want 3", l)
		}
		var left float64
		for range 6 {
			var err error
			if left, err = db.Spend(ctx, "login-user:zhang", 20*time.Second, 3, -2); err != nil {
				t.Fatal(err)
			}
		}
		if left != -2 || level() != -2 {
			t.Fatalf("after 6 spends of a burst of 3: %v left, level %v; want the floor -2", left, level())
		}
		now = now.Add(40 * time.Second)
		if l := level(); l != 0 {
			t.Fatalf("40 s later the level is %v, want 0 (two tokens refilled)", l)
		}
		if l := level(); l != 0 {
			t.Fatalf("reading the level took a token: %v", l)
		}
		now = now.Add(time.Hour)
		if l := level(); l != 3 {
			t.Fatalf("an hour later the level is %v, want the burst 3", l)
		}
	})
}
