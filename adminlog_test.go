package gongkai

import "testing"

func TestDescribeChanges(t *testing.T) {
	tests := []struct {
		name    string
		changes []Change
		want    string
	}{
		{"nothing changed", []Change{{"电话", "1", "1"}}, ""},
		{"one change", []Change{{"电话", "0591-1", "0591-2"}, {"地址", "a", "a"}}, "电话：0591-1 → 0591-2"},
		{"emptied and filled", []Change{{"地址", "a", ""}, {"电话", "", "2"}}, "地址：a → （空）\n电话：（空） → 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DescribeChanges(tt.changes); got != tt.want {
				t.Errorf("DescribeChanges = %q, want %q", got, tt.want)
			}
		})
	}
}
