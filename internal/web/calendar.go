package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// The bureau's working-day calendar: the holidays and 调休 days of its region.

type calendarPage struct {
	base
	Bureau      *gongkai.Bureau
	Year        int
	ThisYear    int
	HasData     bool
	NextYear    int // the year after this one, warned about while it has no data
	NextHasData bool
	YearsText   string // years with data, as ranges: 2002–2026
	Days        []calendarRow
	Holidays    int
	Workdays    int
	Months      []calendarMonth
	// The form to set a day, filled again after an error.
	Date, Kind, Name string
	Errors           map[string]string
	// ReadOnly: the reader is the bureau's inspector, who reads the
	// calendar and changes nothing.
	ReadOnly bool
}

type calendarRow struct {
	gongkai.CalendarDay
	Weekday string
	// Presumed marks 元旦, 劳动节 or 国庆 in a year not entered yet: a day
	// off by custom until the notice is entered (gongkai.WorkCalendar.Presumed).
	Presumed bool
}

// calendarMonth is one month of the grid, in weeks from Monday.
type calendarMonth struct {
	Month int
	Weeks [][]calendarCell
}

type calendarCell struct {
	Day   int    // 0 for padding before the 1st and after the last day
	Class string // "off" weekend, "holiday", "workday" (调休上班), "holiday presumed", ""
	Name  string
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// WeekHeads heads the columns of the month grid, Monday first as Chinese
// calendars print them, one character each so a month fits a phone's half
// width.
func (p *calendarPage) WeekHeads() []string {
	if p.Lang == "en" {
		return []string{"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}
	}
	return []string{"一", "二", "三", "四", "五", "六", "日"}
}

func (s *Server) handleCalendar(w http.ResponseWriter, r *http.Request) error {
	p := &calendarPage{base: s.base(r, "工作日历")}
	year := s.now().In(gongkai.Beijing).Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	p.Kind = string(gongkai.DayHoliday)
	return s.renderCalendar(w, r, http.StatusOK, p, year)
}

func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, p *calendarPage, year int) error {
	// Read by the bureau's administrator and inspectors, changed by the
	// administrator only (handleCalendarSet).
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	p.ReadOnly = !gongkai.CanAdminBureau(p.Actor, bureau.ID)
	days, years, err := s.db.CalendarDays(r.Context(), bureau.RegionCode)
	if err != nil {
		return err
	}
	p.Title = p.T("工作日历")
	p.NoIndex = true
	p.Bureau, p.Year = bureau, year
	p.ThisYear = s.now().In(gongkai.Beijing).Year()
	p.NextYear = p.ThisYear + 1
	p.HasData, p.NextHasData = slices.Contains(years, year), slices.Contains(years, p.NextYear)
	p.YearsText = yearRanges(years)
	prefix := strconv.Itoa(year) + "-"
	listed := map[string]gongkai.CalendarDay{}
	for _, d := range days {
		if !strings.HasPrefix(d.Date, prefix) {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.Date, gongkai.Beijing)
		if err != nil {
			continue // not a date: it never matches, so it is not shown either
		}
		listed[d.Date] = d
		p.Days = append(p.Days, calendarRow{CalendarDay: d, Weekday: weekdayNames[t.Weekday()]})
		if d.Kind == gongkai.DayHoliday {
			p.Holidays++
		} else {
			p.Workdays++
		}
	}
	var presumed map[string]bool
	if !p.HasData {
		cal := gongkai.NewWorkCalendar(days, years)
		presumed = map[string]bool{}
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, gongkai.Beijing); d.Year() == year; d = d.AddDate(0, 0, 1) {
			if pd, ok := cal.Presumed(d); ok {
				presumed[pd.Date] = true
				p.Days = append(p.Days, calendarRow{CalendarDay: pd, Weekday: weekdayNames[d.Weekday()], Presumed: true})
			}
		}
		slices.SortStableFunc(p.Days, func(a, b calendarRow) int { return strings.Compare(a.Date, b.Date) })
	}
	p.Months = monthGrid(year, listed, presumed)
	s.renderPage(w, r, status, "calendar", p)
	return nil
}

// monthGrid lays out the twelve months of the year in weeks from Monday,
// marking listed days and plain weekends.
func monthGrid(year int, listed map[string]gongkai.CalendarDay, presumed map[string]bool) []calendarMonth {
	months := make([]calendarMonth, 12)
	for m := range 12 {
		first := time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, gongkai.Beijing)
		cm := calendarMonth{Month: m + 1}
		week := make([]calendarCell, (int(first.Weekday())+6)%7) // Monday first
		for d := first; d.Month() == first.Month(); d = d.AddDate(0, 0, 1) {
			c := calendarCell{Day: d.Day()}
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				c.Class = "off"
			}
			if l, ok := listed[d.Format("2006-01-02")]; ok {
				c.Class, c.Name = string(l.Kind), l.Name
			} else if presumed[d.Format("2006-01-02")] {
				c.Class = "holiday presumed"
			}
			week = append(week, c)
			if len(week) == 7 {
				cm.Weeks = append(cm.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			for len(week) < 7 {
				week = append(week, calendarCell{})
			}
			cm.Weeks = append(cm.Weeks, week)
		}
		months[m] = cm
	}
	return months
}

// yearRanges writes sorted years as ranges: "2002–2024、2026".
func yearRanges(years []int) string {
	var parts []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d–%d", years[i], years[j]))
		} else {
			parts = append(parts, strconv.Itoa(years[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, "、")
}

func (s *Server) handleCalendarSet(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	bureau, err := s.actorBureau(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("action") == "mark" {
		return s.markCalendarYear(w, r, bureau)
	}
	p := &calendarPage{base: s.base(r, "工作日历"),
		Date: strings.TrimSpace(r.PostFormValue("date")), Kind: r.PostFormValue("kind"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	year := s.now().In(gongkai.Beijing).Year()
	fe := gongkai.FieldErrors{}
	day, err := time.ParseInLocation("2006-01-02", p.Date, gongkai.Beijing)
	switch {
	case err != nil:
		fe.Add("date", "日期格式应为 2027-01-01。")
	case day.Year() < 2000 || day.Year() > 2100:
		fe.Add("date", "日期须在 2000 年至 2100 年之间。")
	default:
		year = day.Year()
	}
	kind := gongkai.DayKind(p.Kind)
	switch p.Kind {
	case "remove":
		kind = ""
	case string(gongkai.DayHoliday):
	case string(gongkai.DayWorkday):
		if err == nil && day.Weekday() != time.Saturday && day.Weekday() != time.Sunday {
			fe.Add("kind", "调休上班日应是周六或周日；周一至周五本来就是工作日。")
		}
	default:
		fe.Add("kind", "请选择“放假”“调休上班”或“删除此日期的设置”。")
	}
	if kind != "" && p.Name == "" {
		fe.Add("name", "请填写节日名称，例如“元旦”“春节”，期限说明会用到它。")
	}
	if len(fe) == 0 {
		var edit store.CalendarEdit
		edit, err = s.db.SetCalendarDay(r.Context(), bureau.RegionCode, gongkai.ActorFrom(r.Context()), gongkai.CalendarDay{Date: p.Date, Kind: kind, Name: p.Name})
		if err == nil {
			to := "/admin/calendar?year=" + strconv.Itoa(year)
			wd := weekdayNames[day.Weekday()]
			var msg string
			switch kind {
			case "":
				msg = fmt.Sprintf("已删除 %s（%s）的设置，该日按普通%s计算。", p.Date, wd, map[bool]string{true: "休息日", false: "工作日"}[day.Weekday() == time.Saturday || day.Weekday() == time.Sunday])
			case gongkai.DayHoliday:
				msg = fmt.Sprintf("已将 %s（%s）设为放假：%s。", p.Date, wd, p.Name)
			default:
				msg = fmt.Sprintf("已将 %s（%s）设为调休上班：%s。", p.Date, wd, p.Name)
			}
			return s.redirect(w, r, to, msg+recountText(edit))
		}
		fields, ierr := formError(err, "date")
		if ierr != nil {
			return ierr
		}
		for k, v := range fields {
			fe.Add(k, v)
		}
	}
	p.Errors = fe
	return s.renderCalendar(w, r, http.StatusUnprocessableEntity, p, year)
}

// markCalendarYear records that a year's schedule is complete. A year with
// nothing entered is refused: marking it would make every deadline in it
// look certain while the holidays are still missing.
func (s *Server) markCalendarYear(w http.ResponseWriter, r *http.Request, bureau *gongkai.Bureau) error {
	year, err := strconv.Atoi(r.PostFormValue("year"))
	if err != nil || year < 2000 || year > 2100 {
		return gongkai.Errorf(gongkai.EINVALID, "年份无效。")
	}
	to := "/admin/calendar?year=" + strconv.Itoa(year)
	days, _, err := s.db.CalendarDays(r.Context(), bureau.RegionCode)
	if err != nil {
		return err
	}
	prefix := strconv.Itoa(year) + "-"
	if !slices.ContainsFunc(days, func(d gongkai.CalendarDay) bool {
		return d.Kind == gongkai.DayHoliday && strings.HasPrefix(d.Date, prefix)
	}) {
		return s.redirect(w, r, to, fmt.Sprintf("!%d年还没有录入任何放假日期，不能标记为录入完整。请先按国务院办公厅的通知录入放假和调休日期。", year))
	}
	edit, err := s.db.MarkCalendarYear(r.Context(), bureau.RegionCode, gongkai.ActorFrom(r.Context()), year)
	if err != nil {
		return err
	}
	return s.redirect(w, r, to, fmt.Sprintf("已将%d年标记为录入完整，该年的期限不再标为暂定。", year)+recountText(edit))
}

// recountText tells the administrator what an edit did to open deadlines.
func recountText(e store.CalendarEdit) string {
	if e.Moved == 0 {
		return "没有未完成事项的期限因此改变。"
	}
	return fmt.Sprintf("已重算 %d 项未完成事项的期限，并记入各自的办理记录。", e.Moved)
}
