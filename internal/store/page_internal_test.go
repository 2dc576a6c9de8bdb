package store

import (
	"math"
	"testing"
)

func TestPageClause(t *testing.T) {
	for _, tc := range []struct {
		name      string
		page, per int
		want      string
	}{
		{"defaults", 0, 0, " LIMIT 20 OFFSET 0"},
		{"third page", 3, 10, " LIMIT 10 OFFSET 20"},
		{"per capped", 1, 500, " LIMIT 100 OFFSET 0"},
		{"negative page", -4, 20, " LIMIT 20 OFFSET 0"},
		{"absurd page", math.MaxInt, 100, " LIMIT 100 OFFSET 99999900"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pageClause(tc.page, tc.per); got != tc.want {
				t.Errorf("pageClause(%d, %d) = %q, want %q", tc.page, tc.per, got, tc.want)
			}
		})
	}
}
