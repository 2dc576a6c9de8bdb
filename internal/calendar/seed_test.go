package calendar

import (
	"strings"
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
		{"2026-12-30", 5, "2027-01-07", false},
		// 2027: 国庆节 10-01..07 off, Saturday 10-09 worked.
		{"2027-09-30", 5, "2027-10-13", false},
		// 2027: 春节 02-05..13 off, Sundays 01-31 and 02-14 worked.
		{"2027-02-04", 1, "2027-02-14", false},
		{"2027-12-30", 5, "2028-01-06", true},
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
	for y := 2002; y <= 2027; y++ {
		if !c.HasYear(y) {
			t.Errorf("HasYear(%d) = false, want true", y)
		}
	}
	// 2001 holds only the adjusted days of the 2002 New Year; 2028 was not
	// published when lunar-go v1.4.7 was cut.
	for _, y := range []int{2001, 2028} {
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

// TestSeed_2027 checks the 2027 schedule (国务院办公厅关于2027年部分节假日安排的
// 通知) as lunar-go v1.4.7 carries it: every day off and every
// working weekend.
func TestSeed_2027(t *testing.T) {
	days, _ := Seed()
	got := map[gongkai.DayKind][]string{}
	for _, d := range days {
		if d.Date < "2027" || d.Date >= "2028" {
			continue
		}
		got[d.Kind] = append(got[d.Kind], d.Date)
		if d.Name == "" {
			t.Errorf("%s: no name", d.Date)
		}
	}
	want := map[gongkai.DayKind][]string{
		gongkai.DayHoliday: {
			// 元旦
			"2027-01-01", "2027-01-02", "2027-01-03",
			// 春节
			"2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12", "2027-02-13",
			// 清明节
			"2027-04-03", "2027-04-04", "2027-04-05",
			// 劳动节
			"2027-05-01", "2027-05-02", "2027-05-03", "2027-05-04", "2027-05-05",
			// 端午节
			"2027-06-09",
			// 中秋节
			"2027-09-15",
			// 国庆节
			"2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07",
		},
		gongkai.DayWorkday: {"2027-01-31", "2027-02-14", "2027-05-08", "2027-09-26", "2027-10-09"},
	}
	for kind, dates := range want {
		if strings.Join(got[kind], " ") != strings.Join(dates, " ") {
			t.Errorf("2027 %s days:\n got %v\nwant %v", kind, got[kind], dates)
		}
	}
	if len(got) != 2 {
		t.Errorf("2027 has days of kinds %v", got)
	}

	c := gongkai.NewWorkCalendar(Seed())
	for _, w := range want[gongkai.DayWorkday] {
		if !c.IsWorkday(mustDate(t, w)) {
			t.Errorf("%s is a 调休 working day, yet the calendar has it off", w)
		}
	}
	for _, h := range want[gongkai.DayHoliday] {
		if c.IsWorkday(mustDate(t, h)) {
			t.Errorf("%s is a day off, yet the calendar has it worked", h)
		}
	}
}
