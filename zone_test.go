package gongkai

import (
	"testing"
	"time"
)

// TestBeijing_withoutZoneDatabase: gongkai runs on minimal servers and in
// containers from scratch, which have no time zone database and whose local
// zone is UTC, or whatever the machine was set to. Beijing time must not come
// from that database, and a date gongkai computes must be the Beijing date
// whatever time.Local is. (scripts/release-smoke.sh runs the release binaries
// with the database hidden.)
func TestBeijing_withoutZoneDatabase(t *testing.T) {
	// China has kept UTC+8 without daylight saving since 1991.
	for _, at := range []string{"1992-01-15T12:00:00Z", "2026-07-01T12:00:00Z", "2026-12-31T23:59:59Z", "2080-07-01T12:00:00Z"} {
		u, err := time.Parse(time.RFC3339, at)
		if err != nil {
			t.Fatal(err)
		}
		if name, offset := u.In(Beijing).Zone(); name != "CST" || offset != 8*3600 {
			t.Errorf("Beijing at %s: %s %+d s, want CST +28800 s", at, name, offset)
		}
	}

	saved := time.Local
	t.Cleanup(func() { time.Local = saved })
	cal := NewWorkCalendar([]CalendarDay{
		{Date: "2026-10-01", Kind: DayHoliday, Name: "国庆节"},
		{Date: "2026-10-02", Kind: DayHoliday, Name: "国庆节"},
	}, []int{2026})
	// 17:30 UTC on 29 September is 01:30 on 30 September in Beijing, a
	// Wednesday: one working day later is Monday 5 October, after the
	// holidays and the weekend. A day later it is 1 October, a holiday.
	wed := time.Date(2026, 9, 29, 17, 30, 0, 0, time.UTC)
	thu := wed.Add(24 * time.Hour)
	wantDue := time.Date(2026, 10, 5, 0, 0, 0, 0, Beijing)
	for _, local := range []*time.Location{time.UTC, time.FixedZone("HST", -10*3600), time.FixedZone("LINT", 14*3600)} {
		time.Local = local
		now := wed.In(time.Local) // as time.Now() reads on such a machine
		if got := now.In(Beijing).Format("2006-01-02 15:04"); got != "2026-09-30 01:30" {
			t.Errorf("local zone %s: Beijing time %s", local, got)
		}
		if due, _ := cal.AddWorkdays(now, 1); !due.Equal(wantDue) {
			t.Errorf("local zone %s: one working day after 30 September is %s, want %s", local, due, wantDue)
		}
		if n := cal.WorkdaysBetween(now, wantDue); n != 1 {
			t.Errorf("local zone %s: %d working days from 30 September to 5 October, want 1", local, n)
		}
		if cal.IsWorkday(thu.In(time.Local)) {
			t.Errorf("local zone %s: 1 October (Beijing) counted as a working day", local)
		}
	}
}
