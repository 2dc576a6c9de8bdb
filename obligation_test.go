package gongkai_test

import (
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
)

func seedCalendar() *gongkai.WorkCalendar {
	days, years := calendar.Seed()
	return gongkai.NewWorkCalendar(days, years)
}

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSchedule_Periods(t *testing.T) {
	cal := seedCalendar()
	for _, tc := range []struct {
		name     string
		s        gongkai.Schedule
		from, to string
		want     map[string]string // period key → due date
	}{
		{"monthly statement by the 5th; 2026-10-05 is 国庆, so the September one is due 10-08",
			gongkai.Schedule{Frequency: gongkai.FreqMonthly, DueDay: 5}, "2026-09-01", "2026-11-30",
			map[string]string{"2026-08": "2026-09-07", "2026-09": "2026-10-08", "2026-10": "2026-11-05"}},
		{"month end across a leap February",
			gongkai.Schedule{Frequency: gongkai.FreqMonthly, DueDay: 0}, "2028-02-01", "2028-03-31",
			map[string]string{"2028-01": "2028-02-29", "2028-02": "2028-03-31"}},
		{"quarterly by the 10th of the next month; 2026-01-10 is a Saturday",
			gongkai.Schedule{Frequency: gongkai.FreqQuarterly, DueDay: 10}, "2026-01-01", "2026-07-31",
			map[string]string{"2025-Q4": "2026-01-12", "2026-Q1": "2026-04-10", "2026-Q2": "2026-07-10"}},
		{"fees before each term; 2026-02-28 is a 调休 working Saturday, so it stays",
			gongkai.Schedule{Frequency: gongkai.FreqTerm, TermDue: [2]string{"02-28", "08-31"}}, "2026-01-01", "2026-12-31",
			map[string]string{"2026-spring": "2026-02-28", "2026-autumn": "2026-08-31"}},
		{"staff congress by the end of the year; 2027-12-31 is a Friday",
			gongkai.Schedule{Frequency: gongkai.FreqYearly, DueMonthDay: "12-31"}, "2026-01-01", "2027-12-31",
			map[string]string{"2026": "2026-12-31", "2027": "2027-12-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.s.Validate(); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, p := range tc.s.Periods(cal, day(tc.from), day(tc.to)) {
				got[p.Key] = p.Due.Format("2006-01-02")
				if !cal.IsWorkday(p.Due) && cal.HasYear(p.Due.Year()) {
					t.Errorf("%s due on a day off: %s", p.Key, got[p.Key])
				}
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("period %s due %q, want %s (all: %v)", k, got[k], v, got)
				}
			}
			if len(got) != len(tc.want) {
				t.Errorf("periods %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSchedule_ValidateRefusesImpossibleDates(t *testing.T) {
	for _, s := range []gongkai.Schedule{
		{Frequency: gongkai.FreqMonthly, DueDay: 31},
		{Frequency: gongkai.FreqMonthly, DueDay: -1},
		{Frequency: gongkai.FreqYearly, DueMonthDay: "02-29"},
		{Frequency: gongkai.FreqYearly, DueMonthDay: "04-31"},
		{Frequency: gongkai.FreqYearly, DueMonthDay: "13-01"},
		{Frequency: gongkai.FreqYearly, DueMonthDay: "twelve"},
		{Frequency: gongkai.FreqTerm, TermDue: [2]string{"02-30", "08-31"}},
		{Frequency: gongkai.FreqEvent, DueWorkdays: 0},
		{Frequency: "weekly"},
	} {
		if err := s.Validate(); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("%+v accepted", s)
		}
	}
}

func TestSchedule_EventDue(t *testing.T) {
	cal := seedCalendar()
	s := gongkai.Schedule{Frequency: gongkai.FreqEvent, DueWorkdays: 20}
	// An expense recorded on 2026-09-25 (中秋) is due 20 working days later,
	// across 国庆 and the 调休 Saturday of 10-10.
	due, provisional := s.EventDue(cal, day("2026-09-25"))
	if want := cal.WorkdaysBetween(day("2026-09-25"), due); want != 20 || provisional {
		t.Fatalf("due %s counts %d working days (provisional %v)", due.Format("2006-01-02"), want, provisional)
	}
	if due.Format("2006-01-02") != "2026-10-29" {
		t.Errorf("due %s, want 2026-10-29", due.Format("2006-01-02"))
	}
	if _, provisional := s.EventDue(cal, day("2027-12-20")); !provisional {
		t.Error("a deadline running into 2028 must be provisional")
	}
}

func TestObligationStateAt_boundaries(t *testing.T) {
	cal := seedCalendar()
	due := day("2026-10-09")
	at := func(s string, h int) time.Time { return day(s).Add(time.Duration(h) * time.Hour) }
	for _, tc := range []struct {
		met, now time.Time
		waived   bool
		want     gongkai.ObligationState
	}{
		{at("2026-10-09", 23), at("2026-10-10", 1), false, gongkai.ObOnTime}, // the last evening of the due day
		{at("2026-10-10", 0), at("2026-10-10", 1), false, gongkai.ObLate},    // one minute past midnight
		{time.Time{}, at("2026-10-09", 23), false, gongkai.ObDueSoon},
		{time.Time{}, at("2026-10-10", 0), false, gongkai.ObOverdue},
		{time.Time{}, at("2026-09-01", 9), false, gongkai.ObUpcoming},
		{time.Time{}, at("2026-09-28", 9), false, gongkai.ObDueSoon}, // 国庆 between: 5 working days left
		{time.Time{}, at("2026-10-20", 9), true, gongkai.ObWaived},
	} {
		if got := gongkai.ObligationStateAt(cal, due, tc.met, tc.waived, tc.now); got != tc.want {
			t.Errorf("met %v now %v: %s, want %s", tc.met, tc.now, got, tc.want)
		}
	}
}
