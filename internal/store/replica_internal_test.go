package store

import (
	"context"
	"database/sql"
	"log/slog"
	"testing"
	"time"
)

func TestParsePayload(t *testing.T) {
	for _, tt := range []struct {
		payload string
		school  int64
		lsn     uint64
	}{
		{"42", 42, 0},
		{"42:0/16B3748", 42, 0x16B3748},
		{"7:1A/2", 7, 0x1A<<32 | 2},
		{"0", 0, 0},
		{"", 0, 0},
		{"x", 0, 0},
		{"-3", 0, 0},
		{"42:nonsense", 0, 0}, // unreadable: anything may have changed
		{"42:", 0, 0},
	} {
		school, lsn := parsePayload(tt.payload)
		if school != tt.school || lsn != tt.lsn {
			t.Errorf("parsePayload(%q) = %d, %X; want %d, %X", tt.payload, school, lsn, tt.school, tt.lsn)
		}
	}
}

func TestLSN(t *testing.T) {
	for _, s := range []string{"0/0", "0/16B3748", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		lsn, err := parseLSN(s)
		if err != nil || formatLSN(lsn) != s {
			t.Errorf("parseLSN(%q) = %X, %v; formats back as %s", s, lsn, err, formatLSN(lsn))
		}
	}
	for _, s := range []string{"", "16", "x/1", "1/100000000"} {
		if _, err := parseLSN(s); err == nil {
			t.Errorf("parseLSN(%q) accepted", s)
		}
	}
	w := walLayout{block: 8192, segment: 16 << 20}
	for _, tt := range []struct {
		insert string
		want   uint64
	}{
		{"0/1000050", 0x1000050}, // mid-page
		{"0/1002018", 0x1002000}, // just past a page header
		{"0/2000028", 0x2000000}, // just past a segment's long header
		{"0/2000018", 0x2000018}, // inside a long header: no insert position, left alone
		{"1/18", 1<<32 | 0x18},   // the same at 1/0, a segment start
	} {
		got, err := w.end(tt.insert)
		if err != nil || got != tt.want {
			t.Errorf("end(%s) = %X, %v; want %X", tt.insert, got, err, tt.want)
		}
	}
}

// TestReader routes public reads by what the node has heard of and what the
// replica has replayed, without a replica server: the position is set by
// hand and dated in the future, so nothing asks the (unreachable) replica.
func TestReader(t *testing.T) {
	primary, _ := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	standby, _ := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	defer primary.Close()
	defer standby.Close()
	primaryPool, standbyPool := newPool(primary, false), newPool(standby, false)
	r := &replica{pool: standbyPool, log: slog.New(slog.DiscardHandler), need: map[int64]uint64{}, floor: 100}
	db := &DB{read: primaryPool, write: primaryPool, replica: r}
	later := time.Now().Add(time.Hour)
	r.pos, r.posAt = 200, later

	const school, other = 5, 6
	pool := func(ctx context.Context, id int64) string {
		switch db.reader(ctx, id) {
		case primaryPool:
			return "primary"
		case standbyPool:
			return "replica"
		}
		return "?"
	}
	ctx := context.Background()
	check := func(step string, id int64, want string) {
		t.Helper()
		if got := pool(PublicRead(ctx), id); got != want {
			t.Errorf("%s: school %d read from the %s, want the %s", step, id, got, want)
		}
	}

	if got := pool(ctx, school); got != "primary" {
		t.Errorf("a read not marked public went to the %s", got)
	}
	check("replica past the floor", school, "replica")
	check("replica past the floor", 0, "replica")

	r.heard(school, 300)
	check("change past the replica", school, "primary")
	check("change past the replica, other school", other, "replica")
	check("change past the replica, every school", 0, "primary")

	r.pos, r.posAt = 300, later
	check("replica caught up", school, "replica")
	check("replica caught up", 0, "replica")

	// One request keeps the position it first saw.
	req := PublicRead(ctx)
	if got := pool(req, school); got != "replica" {
		t.Fatalf("first read of a request from the %s", got)
	}
	r.heard(other, 400)
	if got := pool(req, other); got != "primary" {
		t.Errorf("same request, school changed since: %s", got)
	}

	r.setFloor(lsnUnknown) // the listener lost its connection
	check("not listening", school, "primary")
	r.pos = 450
	r.heard(school, lsnUnknown) // a commit whose position was lost
	check("position of a commit lost", school, "primary")
	check("position of a commit lost, every school", 0, "primary")
	r.setFloor(420) // listening again: the floor covers every commit before
	check("listening again", school, "replica")
	check("listening again", other, "replica")
	check("listening again, every school", 0, "replica")

	r.heard(0, 500) // anything may have changed up to 500
	check("floor raised", school, "primary")
	check("floor raised", 0, "primary")

	if p, rep := db.PublicReads(); p == 0 || rep == 0 {
		t.Errorf("reads counted: primary %d, replica %d", p, rep)
	}
}
