package web

import (
	"time"

	"gongkai"
)

// Countdown writes how a deadline stands in the one wording of every page
// (UI.md): 剩余 N 个工作日, 今日到期 on the due day itself, 逾期 N 个工作日
// after it. The counting is gongkai.CountdownAt's.
func (b *base) Countdown(c gongkai.Countdown) string {
	f, n := c.Format()
	if c.State == gongkai.CountdownDueToday {
		return b.T(f)
	}
	return b.Tf(f, n)
}

// Countdown writes a deadline for the item partial.
func (v *docView) Countdown(c gongkai.Countdown) string { return v.b.Countdown(c) }

// countdown is how the deadline due stands today, or the zero Countdown
// without a calendar or a deadline.
func countdown(cal *gongkai.WorkCalendar, due, now time.Time) gongkai.Countdown {
	if cal == nil || due.IsZero() {
		return gongkai.Countdown{}
	}
	return gongkai.CountdownAt(cal, due, now)
}
