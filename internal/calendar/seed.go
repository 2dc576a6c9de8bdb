// Package calendar supplies the Chinese holiday and 调休 schedule that seeds
// the work calendar. It is the only package that imports lunar-go, so the
// rest of gongkai reads the schedule from our own table, where an
// administrator can enter next year's notice before any library ships it.
package calendar

import (
	"slices"
	"strings"

	"github.com/6tail/lunar-go/HolidayUtil"

	"gongkai"
)

// First and last year asked of lunar-go. Its data starts with the 2002
// schedule; 2030 leaves room for the years a newer release may add.
const (
	firstYear = 2001
	lastYear  = 2030
)

// Seed returns the official schedule bundled with lunar-go, sorted by date,
// and the years it covers.
//
// A year counts as covered only when lunar-go lists at least one holiday
// dated in it. 2001 has only 29–30 December, the adjusted working days of
// the 2002 New Year holiday, and not the 2001 schedule itself, so it is left
// out and a deadline in 2001 stays provisional.
func Seed() (days []gongkai.CalendarDay, years []int) {
	for y := firstYear; y <= lastYear; y++ {
		covered := false
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h := e.Value.(*HolidayUtil.Holiday)
			kind := gongkai.DayHoliday
			if h.IsWork() {
				kind = gongkai.DayWorkday
			} else {
				covered = true
			}
			days = append(days, gongkai.CalendarDay{Date: h.GetDay(), Kind: kind, Name: h.GetName()})
		}
		if covered {
			years = append(years, y)
		}
	}
	// Sorted so that the seed reads like the notices and loads in date order.
	slices.SortStableFunc(days, func(a, b gongkai.CalendarDay) int { return strings.Compare(a.Date, b.Date) })
	return days, years
}
