package gongkai_test

import (
	"testing"
	"time"

	"gongkai"
)

// testCalendar is the official 2025 and 2026 schedule (国务院办公厅), written
// out by hand so that the domain tests do not depend on the seed data;
// internal/calendar checks the seed against the same answers.
func testCalendar(tb testing.TB) *gongkai.WorkCalendar {
	tb.Helper()
	var days []gongkai.CalendarDay
	off := func(name string, dates ...string) {
		for _, d := range dates {
			days = append(days, gongkai.CalendarDay{Date: d, Kind: gongkai.DayHoliday, Name: name})
		}
	}
	work := func(name string, dates ...string) {
		for _, d := range dates {
			days = append(days, gongkai.CalendarDay{Date: d, Kind: gongkai.DayWorkday, Name: name})
		}
	}
	// 2025
	off("元旦节", "2025-01-01")
	off("春节", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04")
	work("春节", "2025-01-26", "2025-02-08")
	off("清明节", "2025-04-04", "2025-04-05", "2025-04-06")
	off("劳动节", "2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05")
	work("劳动节", "2025-04-27")
	off("端午节", "2025-05-31", "2025-06-01", "2025-06-02")
	off("国庆中秋", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08")
	work("国庆中秋", "2025-09-28", "2025-10-11")
	// 2026
	off("元旦节", "2026-01-01", "2026-01-02", "2026-01-03")
	work("元旦节", "2026-01-04")
	off("春节", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23")
	work("春节", "2026-02-14", "2026-02-28")
	off("清明节", "2026-04-04", "2026-04-05", "2026-04-06")
	off("劳动节", "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05")
	work("劳动节", "2026-05-09")
	off("端午节", "2026-06-19", "2026-06-20", "2026-06-21")
	off("中秋节", "2026-09-25", "2026-09-26", "2026-09-27")
	off("国庆节", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07")
	work("国庆节", "2026-09-20", "2026-10-10")
	return gongkai.NewWorkCalendar(days, []int{2025, 2026})
}

// mustDate parses "2006-01-02" or "2006-01-02 15:04" in Beijing time.
func mustDate(tb testing.TB, s string) time.Time {
	tb.Helper()
	layout := "2006-01-02"
	if len(s) > len(layout) {
		layout = "2006-01-02 15:04"
	}
	t, err := time.ParseInLocation(layout, s, gongkai.Beijing)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func TestWorkCalendar_IsWorkday(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		name string
		date string
		want bool
	}{
		{"weekday", "2026-03-09", true},
		{"saturday", "2026-03-07", false},
		{"sunday", "2026-03-08", false},
		{"holiday on a weekday", "2026-02-16", false},
		{"holiday on a weekend", "2026-02-15", false},
		{"adjusted saturday", "2026-02-14", true},
		{"adjusted sunday", "2026-01-04", true},
		{"adjusted sunday before national day", "2026-09-20", true},
		{"new year's eve", "2025-12-31", true},
		{"no data weekday", "2027-01-04", true},
		{"no data 元旦, presumed off", "2027-01-01", false},
		{"no data saturday", "2027-01-02", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.IsWorkday(mustDate(t, tt.date)); got != tt.want {
				t.Errorf("IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
			}
		})
	}
}

func TestWorkCalendar_IsWorkdayUsesBeijingDate(t *testing.T) {
	c := testCalendar(t)
	// 2026-09-30 17:00 UTC is already 1 October, a holiday, in Beijing.
	utc := time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC)
	if c.IsWorkday(utc) {
		t.Errorf("IsWorkday(%v) = true, want false (1 October in Beijing)", utc)
	}
}

func TestWorkCalendar_HasYear(t *testing.T) {
	c := testCalendar(t)
	for y, want := range map[int]bool{2024: false, 2025: true, 2026: true, 2027: false} {
		if got := c.HasYear(y); got != want {
			t.Errorf("HasYear(%d) = %v, want %v", y, got, want)
		}
	}
}

func TestWorkCalendar_AddWorkdays(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		name            string
		from            string
		n               int
		want            string
		wantProvisional bool
	}{
		{"national day 5", "2026-09-30", 5, "2026-10-13", false},
		{"national day 15", "2026-09-30", 15, "2026-10-27", false},
		{"national day adjusted saturday", "2026-09-30", 3, "2026-10-10", false},
		{"spring festival 5", "2026-02-13", 5, "2026-02-27", false},
		{"spring festival 15", "2026-02-13", 15, "2026-03-12", false},
		{"adjusted saturday counts first", "2026-02-13", 1, "2026-02-14", false},
		{"adjusted saturday after festival", "2026-02-27", 1, "2026-02-28", false},
		{"labour day adjusted saturday", "2026-05-08", 1, "2026-05-09", false},
		{"2025 spring festival adjusted sunday", "2025-01-24", 1, "2025-01-26", false},
		{"2025 national day", "2025-09-30", 1, "2025-10-09", false},
		{"new year's eve into adjusted sunday", "2025-12-31", 1, "2026-01-04", false},
		{"new year's eve 2", "2025-12-31", 2, "2026-01-05", false},
		{"start on a holiday", "2026-10-03", 1, "2026-10-08", false},
		{"start on first day of spring festival", "2026-02-15", 1, "2026-02-24", false},
		{"start on a saturday", "2026-03-07", 1, "2026-03-09", false},
		{"start on an adjusted workday", "2026-01-04", 1, "2026-01-05", false},
		{"time of day ignored", "2026-09-30 23:30", 5, "2026-10-13", false},
		{"start year without data", "2024-12-31", 1, "2025-01-02", false},
		{"end of 2026 stays in data", "2026-12-30", 1, "2026-12-31", false},
		{"into 2027 provisional, 元旦 presumed off", "2026-12-31", 1, "2027-01-04", true},
		{"running into 2027", "2026-12-30", 5, "2027-01-07", true},
		{"zero", "2026-10-03", 0, "2026-10-03", false},
		{"negative", "2026-10-03 15:00", -2, "2026-10-03", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, provisional := c.AddWorkdays(mustDate(t, tt.from), tt.n)
			if !due.Equal(mustDate(t, tt.want)) {
				t.Errorf("AddWorkdays(%s, %d) = %v, want %s", tt.from, tt.n, due, tt.want)
			}
			if provisional != tt.wantProvisional {
				t.Errorf("AddWorkdays(%s, %d) provisional = %v, want %v", tt.from, tt.n, provisional, tt.wantProvisional)
			}
		})
	}
}

func TestWorkCalendar_AddWorkdaysFromUTC(t *testing.T) {
	c := testCalendar(t)
	// 2026-09-30 17:00 UTC is 1 October 01:00 in Beijing: the clock starts
	// from 1 October, a holiday, so the first working day is 8 October.
	due, _ := c.AddWorkdays(time.Date(2026, 9, 30, 17, 0, 0, 0, time.UTC), 1)
	if want := mustDate(t, "2026-10-08"); !due.Equal(want) {
		t.Errorf("due = %v, want %v", due, want)
	}
	if due.Location() != gongkai.Beijing {
		t.Errorf("due location = %v, want Beijing", due.Location())
	}
}

func TestWorkCalendar_WorkdaysBetween(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"national day", "2026-09-30", "2026-10-13", 5},
		{"national day reversed", "2026-10-13", "2026-09-30", 0},
		{"spring festival", "2026-02-13", "2026-03-12", 15},
		{"spring festival reversed", "2026-03-12", "2026-02-13", 0},
		{"same day", "2026-03-09", "2026-03-09", 0},
		{"same day different times", "2026-03-09 08:00", "2026-03-09 23:00", 0},
		{"only holidays", "2026-10-01", "2026-10-07", 0},
		{"adjusted saturday", "2026-02-13", "2026-02-14", 1},
		{"end is counted, start is not", "2026-03-09", "2026-03-10", 1},
		{"new year", "2025-12-30", "2026-01-05", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkdaysBetween(mustDate(t, tt.from), mustDate(t, tt.to)); got != tt.want {
				t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

// TestWorkCalendar_WorkdaysBetweenInvertsAddWorkdays checks every start day
// of 2025 and 2026, so every holiday and adjusted day is crossed.
func TestWorkCalendar_WorkdaysBetweenInvertsAddWorkdays(t *testing.T) {
	c := testCalendar(t)
	for from := mustDate(t, "2025-01-01"); from.Year() < 2027; from = from.AddDate(0, 0, 1) {
		for n := 1; n <= 20; n++ {
			due, _ := c.AddWorkdays(from, n)
			if !c.IsWorkday(due) {
				t.Fatalf("AddWorkdays(%s, %d) = %s, not a working day", from.Format(time.DateOnly), n, due.Format(time.DateOnly))
			}
			if got := c.WorkdaysBetween(from, due); got != n {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, want %d", from.Format(time.DateOnly), due.Format(time.DateOnly), got, n)
			}
			if got := c.WorkdaysBetween(from, due.AddDate(0, 0, -1)); got != n-1 {
				t.Fatalf("WorkdaysBetween(%s, day before %s) = %d, want %d", from.Format(time.DateOnly), due.Format(time.DateOnly), got, n-1)
			}
			if got := c.WorkdaysBetween(due, from); got != 0 {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, want 0", due.Format(time.DateOnly), from.Format(time.DateOnly), got)
			}
		}
	}
}

func TestWorkCalendar_Days(t *testing.T) {
	c := gongkai.NewWorkCalendar([]gongkai.CalendarDay{
		{Date: "2026-10-10", Kind: gongkai.DayWorkday, Name: "国庆节"},
		{Date: "2026-01-01", Kind: gongkai.DayHoliday, Name: "元旦"},
		{Date: "2026-02-14", Kind: gongkai.DayWorkday, Name: "春节"},
		{Date: "2026-01-01", Kind: gongkai.DayHoliday, Name: "元旦节"}, // a correction wins
	}, []int{2026})
	days := c.Days()
	want := []gongkai.CalendarDay{
		{Date: "2026-01-01", Kind: gongkai.DayHoliday, Name: "元旦节"},
		{Date: "2026-02-14", Kind: gongkai.DayWorkday, Name: "春节"},
		{Date: "2026-10-10", Kind: gongkai.DayWorkday, Name: "国庆节"},
	}
	if len(days) != len(want) {
		t.Fatalf("Days() = %v, want %v", days, want)
	}
	for i := range want {
		if days[i] != want[i] {
			t.Errorf("Days()[%d] = %v, want %v", i, days[i], want[i])
		}
	}
	days[0].Kind = gongkai.DayWorkday
	if c.IsWorkday(mustDate(t, "2026-01-01")) {
		t.Error("changing the slice from Days() changed the calendar")
	}
}

// In a year without an official schedule, 元旦, 劳动节 and 国庆 (1–3 October)
// are still days off, and every deadline over them is provisional.
func TestWorkCalendar_PresumedHolidays(t *testing.T) {
	c := testCalendar(t) // 2025 and 2026 only
	tests := []struct {
		name, from      string
		n               int
		want            string
		wantProvisional bool
	}{
		{"元旦 2027 on a Friday", "2026-12-31", 1, "2027-01-04", true},
		{"劳动节 2028 on a Monday", "2028-04-28", 1, "2028-05-02", true},
		{"国庆 2027 from Friday 1 October", "2027-09-30", 1, "2027-10-04", true},
		{"国庆 2028 Monday to Tuesday", "2028-09-29", 1, "2028-10-04", true},
		{"国庆 2028 over the whole week", "2028-09-29", 3, "2028-10-06", true},
		{"4 October is presumed a working day", "2027-10-03", 1, "2027-10-04", true},
		{"a known year keeps its schedule", "2026-04-30", 1, "2026-05-06", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, provisional := c.AddWorkdays(mustDate(t, tt.from), tt.n)
			if !due.Equal(mustDate(t, tt.want)) || provisional != tt.wantProvisional {
				t.Errorf("AddWorkdays(%s, %d) = %s, %v; want %s, %v", tt.from, tt.n, due.Format(time.DateOnly), provisional, tt.want, tt.wantProvisional)
			}
		})
	}

	for _, d := range []string{"2027-01-01", "2028-05-01", "2027-10-01", "2027-10-02", "2028-10-03"} {
		day, ok := c.Presumed(mustDate(t, d))
		if !ok || day.Kind != gongkai.DayHoliday || day.Name == "" || day.Date != d {
			t.Errorf("Presumed(%s) = %+v, %v; want a named day off", d, day, ok)
		}
		if c.IsWorkday(mustDate(t, d)) {
			t.Errorf("IsWorkday(%s) = true in a year without a schedule", d)
		}
	}
	for _, d := range []string{"2026-01-01", "2027-10-04", "2027-05-02", "2028-01-02"} {
		if _, ok := c.Presumed(mustDate(t, d)); ok {
			t.Errorf("Presumed(%s) = true", d)
		}
	}

	// What an administrator lists wins, and a year marked complete has only
	// what is listed: a missing 元旦 there is an error to fix, not a guess.
	edited := gongkai.NewWorkCalendar([]gongkai.CalendarDay{{Date: "2027-10-02", Kind: gongkai.DayWorkday, Name: "国庆节"}}, []int{2028})
	if !edited.IsWorkday(mustDate(t, "2027-10-02")) {
		t.Error("a listed 调休 day is presumed off")
	}
	if edited.IsWorkday(mustDate(t, "2027-10-01")) {
		t.Error("an unlisted 1 October is a working day")
	}
	if !edited.IsWorkday(mustDate(t, "2028-05-01")) {
		t.Error("2028 is marked complete, yet an unlisted 1 May is presumed off")
	}
}

func TestRecountDeadline(t *testing.T) {
	before := testCalendar(t)
	days := before.Days()
	// The administrator adds a day off on Thursday 2026-12-24 and marks 2027
	// complete with 1–3 January off.
	after := gongkai.NewWorkCalendar(append(days,
		gongkai.CalendarDay{Date: "2026-12-24", Kind: gongkai.DayHoliday, Name: "测试"},
		gongkai.CalendarDay{Date: "2027-01-01", Kind: gongkai.DayHoliday, Name: "元旦"},
	), []int{2025, 2026, 2027})
	tests := []struct {
		name            string
		rule            gongkai.WorkdayRule
		want            string
		wantProvisional bool
		moved, changed  bool
	}{
		{"working days over the new day off", gongkai.WorkdayRule{From: mustDate(t, "2026-12-21 15:00"), Workdays: 5}, "2026-12-29", false, true, true},
		{"working days before it stay", gongkai.WorkdayRule{From: mustDate(t, "2026-12-14"), Workdays: 3}, "2026-12-17", false, false, false},
		{"a due day that became a day off moves on", gongkai.WorkdayRule{From: mustDate(t, "2026-12-24")}, "2026-12-25", false, true, true},
		{"into a year now complete: no longer provisional", gongkai.WorkdayRule{From: mustDate(t, "2026-12-30"), Workdays: 2}, "2027-01-04", false, false, true},
		{"a date a person chose stays", gongkai.WorkdayRule{}, "2026-12-24", false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old, oldProv := tt.rule.Due(before)
			if tt.rule.From.IsZero() {
				old, oldProv = mustDate(t, "2026-12-24"), false
			}
			r := gongkai.RecountDeadline(after, tt.rule, old, oldProv)
			if !r.New.Equal(mustDate(t, tt.want)) || r.Provisional != tt.wantProvisional || r.Moved() != tt.moved || r.Changed() != tt.changed {
				t.Errorf("recount from %s: %s (provisional %v, moved %v, changed %v); want %s, %v, %v, %v",
					old.Format(time.DateOnly), r.New.Format(time.DateOnly), r.Provisional, r.Moved(), r.Changed(), tt.want, tt.wantProvisional, tt.moved, tt.changed)
			}
		})
	}
	r := gongkai.Recount{Old: mustDate(t, "2027-10-08"), New: mustDate(t, "2027-10-11"), Provisional: true}
	if got, want := r.Note("答复期限", "工作日历调整"), "因工作日历调整，答复期限由2027年10月8日改为2027年10月11日（暂定）。"; got != want {
		t.Errorf("Note = %q, want %q", got, want)
	}
}

// One wording for time left and overdue: 今日到期 only on the due day itself.
func TestCountdownAt(t *testing.T) {
	c := testCalendar(t)
	tests := []struct {
		name, due, now string
		want           string
	}{
		{"a week ahead", "2026-03-13", "2026-03-06 09:00", "剩余 5 个工作日"},
		{"the day before", "2026-03-13", "2026-03-12 18:00", "剩余 1 个工作日"},
		{"over a weekend", "2026-03-16", "2026-03-13 10:00", "剩余 1 个工作日"},
		{"the due day itself", "2026-03-13", "2026-03-13 23:59", "今日到期"},
		{"the day after", "2026-03-16", "2026-03-17 08:00", "逾期 1 个工作日"},
		{"the Saturday after a Friday", "2026-03-13", "2026-03-14 10:00", "逾期 1 个工作日"},
		{"the Sunday after a Friday", "2026-03-13", "2026-03-15 10:00", "逾期 1 个工作日"},
		{"the Monday after a Friday", "2026-03-13", "2026-03-16 10:00", "逾期 1 个工作日"},
		{"a holiday after the due day", "2026-09-30", "2026-10-02 10:00", "逾期 1 个工作日"},
		{"after the holiday", "2026-09-30", "2026-10-09 10:00", "逾期 2 个工作日"},
		{"on an adjusted working Saturday", "2026-09-30", "2026-10-10 10:00", "逾期 3 个工作日"},
		{"two weeks late", "2026-03-02", "2026-03-16 10:00", "逾期 10 个工作日"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var now time.Time
			if len(tt.now) > 10 {
				now = mustDate(t, tt.now)
			}
			if got := gongkai.CountdownAt(c, mustDate(t, tt.due), now).String(); got != tt.want {
				t.Errorf("CountdownAt(%s, %s) = %q, want %q", tt.due, tt.now, got, tt.want)
			}
		})
	}
}

func TestDescribeCalendarEdit(t *testing.T) {
	work := &gongkai.CalendarDay{Date: "2027-10-09", Kind: gongkai.DayWorkday, Name: "国庆节"}
	off := &gongkai.CalendarDay{Date: "2027-10-08", Kind: gongkai.DayHoliday, Name: "国庆节"}
	tests := []struct {
		name     string
		old, new *gongkai.CalendarDay
		moved    int
		want     string
	}{
		{"removed", work, nil, 12, "2027-10-09 调休上班（国庆节） → 普通日；重算期限 12 项"},
		{"added", nil, off, 3, "2027-10-09 普通日 → 放假（国庆节）；重算期限 3 项"},
		{"changed", off, work, 0, "2027-10-09 放假（国庆节） → 调休上班（国庆节）；重算期限 0 项"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := gongkai.DescribeCalendarEdit("2027-10-09", tt.old, tt.new, tt.moved); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
