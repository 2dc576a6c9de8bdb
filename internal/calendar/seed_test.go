package calendar

import (
	"testing"
	"time"

	"gongkai"
)

func mustDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.ParseInLocation(time.DateOnly, s, gongkai.Beijing)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestSeed_KnownDeadlines(t *testing.T) {
	c := gongkai.NewWorkCalendar(Seed())
	tests := []struct {
		from            string
		n               int
		want            string
		wantProvisional bool
	}{
		{"2026-09-30", 5, "2026-10-13", false},
		{"2026-09-30", 15, "2026-10-27", false},
		{"2026-02-13", 5, "2026-02-27", false},
		{"2026-02-13", 15, "2026-03-12", false},
		{"2025-12-31", 1, "2026-01-04", false},
		{"2026-12-30", 5, "2027-01-06", true},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			due, provisional := c.AddWorkdays(mustDate(t, tt.from), tt.n)
			if !due.Equal(mustDate(t, tt.want)) || provisional != tt.wantProvisional {
				t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s, %v",
					tt.from, tt.n, due.Format(time.DateOnly), provisional, tt.want, tt.wantProvisional)
			}
		})
	}
}

func TestSeed_Years(t *testing.T) {
	c := gongkai.NewWorkCalendar(Seed())
	for y := 2002; y <= 2026; y++ {
		if !c.HasYear(y) {
			t.Errorf("HasYear(%d) = false, want true", y)
		}
	}
	// 2001 holds only the adjusted days of the 2002 New Year; 2027 was not
	// published when lunar-go v1.4.6 was cut.
	for _, y := range []int{2001, 2027} {
		if c.HasYear(y) {
			t.Errorf("HasYear(%d) = true, want false", y)
		}
	}
}

func TestSeed_2026(t *testing.T) {
	days, _ := Seed()
	var holidays, workdays []string
	for _, d := range days {
		if d.Date < "2026" || d.Date >= "2027" {
			continue
		}
		switch d.Kind {
		case gongkai.DayHoliday:
			holidays = append(holidays, d.Date)
		case gongkai.DayWorkday:
			workdays = append(workdays, d.Date)
		default:
			t.Errorf("%s: kind %q", d.Date, d.Kind)
		}
		if d.Name == "" {
			t.Errorf("%s: no name", d.Date)
		}
	}
	wantWork := []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
	if len(workdays) != len(wantWork) {
		t.Fatalf("2026 adjusted working days = %v, want %v", workdays, wantWork)
	}
	for i := range wantWork {
		if workdays[i] != wantWork[i] {
			t.Errorf("2026 adjusted working day %d = %s, want %s", i, workdays[i], wantWork[i])
		}
	}
	if len(holidays) != 33 {
		t.Errorf("2026 has %d days off, want 33", len(holidays))
	}
}

func TestSeed_Sorted(t *testing.T) {
	days, _ := Seed()
	for i := 1; i < len(days); i++ {
		if days[i-1].Date >= days[i].Date {
			t.Fatalf("days[%d] = %s not after days[%d] = %s", i, days[i].Date, i-1, days[i-1].Date)
		}
	}
}
