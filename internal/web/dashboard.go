package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/store"
)

// dashboardPage is the bureau's dashboard: every school's obligations met on
// time, late and overdue in a period, its open feedback and reply time, and
// the bureau's monthly on-time rate as a chart.
type dashboardPage struct {
	base
	BureauName  string
	Period      store.DashPeriod
	Opening     store.DashPeriod // the period the page opens on, which its links leave out
	PeriodLabel string
	Periods     []dashLink
	Sort, Dir   string
	Query       string
	Columns     []dashColumn
	Rows        []dashRow
	Total       int // schools of the bureau, before the filter
	MinCases    int
	Chart       dashChart
	ExportURL   string
	Alarms      []store.WitnessAlarm // the witness's alarms about the bureau's school logs
}

type dashLink struct {
	Label, URL string
	Active     bool
}

// dashColumn is a sortable column heading.
type dashColumn struct {
	Key, Label string
	Num        bool
	URL        string
	AriaSort   string // ascending, descending or empty
}

type dashRow struct {
	*store.SchoolFigures
	P     store.PeriodFigures
	Paper store.PaperFigures // items published in the period, and those posted on paper
}

// dashChart is the inline SVG bar chart of the monthly on-time rate.
type dashChart struct {
	Title, Desc string
	W, H        int
	Top, Bottom float64 // y of 100% and of 0%
	Left, Right float64
	AxisX       float64 // where the percentages end
	Bars        []dashBar
	Grid        []dashGrid
}

type dashBar struct {
	X, Y, W, H     float64
	CX             float64 // centre, for the labels
	Month, Full    string  // 11月, 2026年11月
	Rate           string  // 80% or —
	OnTime, Cases  int
	InPeriod, None bool
}

type dashGrid struct {
	Y     float64
	Label string
}

// dashSorts are the sort keys and whether they sort ascending by default.
var dashSorts = map[string]bool{
	"school": true, "rank": true, "on_time": false, "late": false, "overdue": false, "waived": false,
	"feedback": false, "reply": false, "rectify": false, "orders": false, "survey": false, "paper": false,
}

// bureauOf returns the reader's bureau, or EFORBIDDEN for whoever is not a
// bureau user.
func (s *Server) bureauOf(r *http.Request) (*gongkai.Bureau, error) {
	actor := gongkai.ActorFrom(r.Context())
	if !actor.BureauRole.ValidBureau() || actor.BureauID == 0 {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局的用户可以查看各校公开情况。")
	}
	b, err := s.db.FindBureauByID(r.Context(), actor.BureauID)
	if err != nil {
		return nil, err
	}
	if !actor.Oversees(b.ID) {
		return nil, gongkai.Errorf(gongkai.EFORBIDDEN, "只有教育局的用户可以查看各校公开情况。")
	}
	return b, nil
}

// dashPeriodOf reads ?period=, defaulting to def.
func dashPeriodOf(v string, def store.DashPeriod) store.DashPeriod {
	switch p := store.DashPeriod(v); p {
	case store.PeriodMonth, store.PeriodTerm, store.PeriodYear:
		return p
	}
	return def
}

func dashPeriodName(p store.DashPeriod) string {
	switch p {
	case store.PeriodMonth:
		return "本月"
	case store.PeriodTerm:
		return "本学期"
	}
	return "本年度"
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) error {
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	p := &dashboardPage{base: s.base(r, ""), BureauName: bureau.Name, MinCases: store.MinRankCases}
	p.Title = p.T("各校公开情况")
	p.NoIndex = true
	now := s.db.Now() // the clock of the obligations' states
	figs, err := s.db.Dashboard(r.Context(), bureau.ID, now)
	if err != nil {
		return err
	}
	if p.Alarms, err = s.db.WitnessAlarms(r.Context(), bureau.ID); err != nil {
		return err
	}
	p.readQuery(r.URL.Query(), store.OpeningPeriod(figs))
	p.Total = len(figs)
	from, to, label := p.Period.Bounds(now)
	p.PeriodLabel = p.T(dashPeriodName(p.Period)) + "（" + label + "）"
	if p.Lang == "en" {
		p.PeriodLabel = p.T(dashPeriodName(p.Period)) + " (" + from.Format("2006-01-02") + " – " + to.Format("2006-01-02") + ")"
	}
	p.addLinks()
	for i := range figs {
		f := &figs[i]
		if !dashMatches(f, p.Query) {
			continue
		}
		p.Rows = append(p.Rows, dashRow{SchoolFigures: f, P: f.Period(p.Period), Paper: f.PaperOf(p.Period)})
	}
	sortDashRows(p.Rows, p.Sort, p.Dir == "desc")
	p.Chart = dashChartOf(&p.base, figs, from, to)
	s.render(w, r, "dashboard", p)
	return nil
}

// readQuery reads the period, the search and the order from the page's
// query; what is missing or not known falls back to the defaults.
func (p *dashboardPage) readQuery(q url.Values, opening store.DashPeriod) {
	p.Period, p.Opening = dashPeriodOf(q.Get("period"), opening), opening
	p.Query = strings.TrimSpace(q.Get("q"))
	if len([]rune(p.Query)) > 50 {
		p.Query = string([]rune(p.Query)[:50])
	}
	p.Sort = q.Get("sort")
	if _, ok := dashSorts[p.Sort]; !ok {
		p.Sort = "rank"
	}
	p.Dir = q.Get("dir")
	if p.Dir != "asc" && p.Dir != "desc" {
		p.Dir = "desc"
		if dashSorts[p.Sort] {
			p.Dir = "asc"
		}
	}
}

// link is the page with a period and an order, keeping the search; it
// leaves out what the page opens with.
func (p *dashboardPage) link(period store.DashPeriod, sort, dir string) string {
	v := url.Values{}
	if period != p.Opening {
		v.Set("period", string(period))
	}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	if sort != "rank" || dir != "asc" {
		v.Set("sort", sort)
		v.Set("dir", dir)
	}
	if len(v) == 0 {
		return "/bureau/"
	}
	return "/bureau/?" + v.Encode()
}

// dashColumns are the table's columns: key, heading, whether numeric.
var dashColumns = []struct {
	key, label string
	num        bool
}{
	{"school", "学校", false}, {"rank", "按时率与排名", true}, {"on_time", "按时公开", true}, {"late", "逾期公开", true},
	{"overdue", "已逾期", true}, {"waived", "已免除", true}, {"feedback", "待办意见", true}, {"reply", "答复用时（工作日）", true},
	{"rectify", "整改中", true}, {"orders", "督办未办结", true}, {"survey", "满意度", true}, {"paper", "纸质张贴", true},
}

// addLinks makes the period tabs, the sortable headings and the export
// link of the page as read.
func (p *dashboardPage) addLinks() {
	for _, per := range store.DashPeriods {
		p.Periods = append(p.Periods, dashLink{Label: p.T(dashPeriodName(per)), URL: p.link(per, p.Sort, p.Dir), Active: per == p.Period})
	}
	for _, c := range dashColumns {
		col := dashColumn{Key: c.key, Label: p.T(c.label), Num: c.num}
		dir := "desc"
		if dashSorts[c.key] {
			dir = "asc"
		}
		if c.key == p.Sort {
			col.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[p.Dir]
			dir = map[string]string{"asc": "desc", "desc": "asc"}[p.Dir]
		}
		col.URL = p.link(p.Period, c.key, dir)
		p.Columns = append(p.Columns, col)
	}
	p.ExportURL = "/bureau/dashboard.xlsx"
	if p.Query != "" {
		p.ExportURL += "?" + url.Values{"q": {p.Query}}.Encode()
	}
}

// dashMatches reports whether a school is found by the dashboard's search:
// part of its name or of its address on the site.
func dashMatches(f *store.SchoolFigures, query string) bool {
	return query == "" || strings.Contains(f.Name, query) || strings.Contains(f.Slug, strings.ToLower(query))
}

// sortDashRows sorts by the key; ties go by school name. Unranked schools
// come after the ranked ones whichever the direction, by their rate.
func sortDashRows(rows []dashRow, key string, desc bool) {
	slices.SortStableFunc(rows, func(a, b dashRow) int {
		var c int
		switch key {
		case "school":
			c = cmp.Compare(a.Name, b.Name)
		case "rank":
			ar, br := a.P.Rank, b.P.Rank
			if (ar == 0) != (br == 0) {
				if ar == 0 {
					return 1
				}
				return -1
			}
			c = cmp.Compare(ar, br)
			if ar == 0 {
				c = -cmp.Compare(a.P.Rate(), b.P.Rate())
				if c == 0 {
					c = -cmp.Compare(a.P.Cases(), b.P.Cases())
				}
			}
		case "on_time":
			c = cmp.Compare(a.P.OnTime, b.P.OnTime)
		case "late":
			c = cmp.Compare(a.P.Late, b.P.Late)
		case "overdue":
			c = cmp.Compare(a.P.Overdue, b.P.Overdue)
		case "waived":
			c = cmp.Compare(a.P.Waived, b.P.Waived)
		case "feedback":
			c = cmp.Compare(a.OpenFeedback, b.OpenFeedback)
		case "reply":
			c = cmp.Compare(a.MedianReplyDays, b.MedianReplyDays)
		case "rectify":
			c = cmp.Compare(a.OpenRectifications, b.OpenRectifications)
		case "orders":
			c = cmp.Compare(a.Orders.Open, b.Orders.Open)
			if c == 0 {
				c = cmp.Compare(a.Orders.Overdue, b.Orders.Overdue)
			}
		case "survey":
			c = cmp.Compare(a.Survey.Score, b.Survey.Score) // no score (-1) below every score
		case "paper":
			c = cmp.Compare(a.Paper.Share(), b.Paper.Share()) // nothing published (-1) below every share
		}
		if desc {
			c = -c
		}
		if c == 0 {
			c = cmp.Compare(a.Name, b.Name)
		}
		return c
	})
}

// RateText is the on-time rate as a percentage, or — without a case.
func (p *dashboardPage) RateText(f store.PeriodFigures) string {
	if f.Cases() == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", f.Rate()*100)
}

// ReplyText is the median reply time, or — when nothing was replied to.
func (p *dashboardPage) ReplyText(f *store.SchoolFigures) string {
	if f.Replied == 0 {
		return "—"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f.MedianReplyDays), ".0")
}

// SurveyText is the satisfaction score out of 100, or — without a survey.
func (p *dashboardPage) SurveyText(f *store.SchoolFigures) string {
	if f.Survey.Responses == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f", f.Survey.Score)
}

// PaperText is the share of the period's published items also posted on
// paper, "8/12 (67%)", or — when nothing was published.
func (p *dashboardPage) PaperText(f store.PaperFigures) string {
	if f.Published == 0 {
		return "—"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", f.Posted, f.Published, f.Share()*100)
}

// dashChartOf builds the bar chart of the bureau's monthly on-time rate
// over the last 12 months; the months of the chosen period stand out.
func dashChartOf(b *base, figs []store.SchoolFigures, from, to time.Time) dashChart {
	c := dashChart{W: 640, H: 240, Top: 20, Bottom: 196, Left: 44, Right: 628, AxisX: 38}
	c.Title = b.T("全县各校按时公开率（近12个月）")
	months := make([]store.MonthFigures, store.SeriesMonths)
	for _, f := range figs {
		for k, m := range f.Series {
			if k >= len(months) {
				break
			}
			months[k].Month = m.Month
			months[k].OnTime += m.OnTime
			months[k].Late += m.Late
			months[k].Overdue += m.Overdue
		}
	}
	for _, pct := range []int{0, 50, 100} {
		c.Grid = append(c.Grid, dashGrid{Y: c.Bottom - (c.Bottom-c.Top)*float64(pct)/100, Label: fmt.Sprintf("%d%%", pct)})
	}
	slot := (c.Right - c.Left) / float64(len(months))
	var desc []string
	for k, m := range months {
		bar := dashBar{W: slot * 0.6, OnTime: m.OnTime, Cases: m.Cases(), Rate: "—", None: m.Cases() == 0}
		bar.X = c.Left + slot*float64(k) + slot*0.2
		bar.CX = bar.X + bar.W/2
		if !m.Month.IsZero() {
			bar.Month, bar.Full = fmt.Sprintf("%d月", int(m.Month.Month())), fmt.Sprintf("%d年%d月", m.Month.Year(), int(m.Month.Month()))
			if b.Lang == "en" {
				bar.Month, bar.Full = m.Month.Format("Jan"), m.Month.Format("Jan 2006")
			}
			bar.InPeriod = !m.Month.Before(time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, gongkai.Beijing)) && !m.Month.After(to)
		}
		bar.Y, bar.H = c.Bottom, 0
		if !bar.None {
			bar.Rate = fmt.Sprintf("%.0f%%", m.Rate()*100)
			bar.H = (c.Bottom - c.Top) * m.Rate()
			bar.Y = c.Bottom - bar.H
		}
		c.Bars = append(c.Bars, bar)
		desc = append(desc, bar.Full+" "+bar.Rate)
	}
	c.Desc = b.T("每月到期事项中按时公开的比例：") + strings.Join(desc, "，")
	return c
}

// handleDashboardExport writes every school's figures of all three periods
// as an XLSX workbook.
func (s *Server) handleDashboardExport(w http.ResponseWriter, r *http.Request) error {
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	now := s.db.Now()
	figs, err := s.db.Dashboard(r.Context(), bureau.ID, now)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	x := excelize.NewFile()
	defer x.Close()
	const sheetName = "各校公开情况"
	if err := x.SetSheetName("Sheet1", sheetName); err != nil {
		return err
	}
	header := dashExportHeader(now)
	if err := x.SetSheetRow(sheetName, "A1", &header); err != nil {
		return err
	}
	pct, err := x.NewStyle(&excelize.Style{NumFmt: 9})
	if err != nil {
		return err
	}
	row := 2
	for i := range figs {
		f := &figs[i]
		if !dashMatches(f, query) {
			continue
		}
		cells := dashExportRow(f)
		cell, _ := excelize.CoordinatesToCellName(1, row)
		if err := x.SetSheetRow(sheetName, cell, &cells); err != nil {
			return err
		}
		for k := range store.DashPeriods {
			c, _ := excelize.CoordinatesToCellName(3+k*8+6, row)
			if err := x.SetCellStyle(sheetName, c, c, pct); err != nil {
				return err
			}
		}
		row++
	}
	if err := x.SetColWidth(sheetName, "A", "A", 20); err != nil {
		return err
	}
	if err := x.SetPanes(sheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		return err
	}
	name := bureau.Name + "各校公开情况" + now.In(gongkai.Beijing).Format("20060102") + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", `attachment; filename="dashboard.xlsx"; filename*=UTF-8''`+url.PathEscape(name))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
	return nil
}

// dashExportHeader is the export's header row: per period its counts, rate
// and rank, then the figures that have no period.
func dashExportHeader(now time.Time) []any {
	header := []any{"学校", "学校代码"}
	for _, per := range store.DashPeriods {
		_, _, label := per.Bounds(now)
		for _, h := range []string{"按时公开", "逾期公开", "已逾期", "已免除", "未到期", "件数", "按时率", "排名"} {
			header = append(header, label+h)
		}
	}
	return append(header, "待办意见", "本年已答复", "答复用时中位数（工作日）", "整改中", "督办未办结", "督办已逾期", "满意度（百分制）", "满意度答卷数")
}

// dashExportRow is a school's row of the export, in dashExportHeader's
// order; a figure without data is an empty cell, a rank without enough
// cases says so.
func dashExportRow(f *store.SchoolFigures) []any {
	cells := []any{f.Name, f.Slug}
	for _, per := range store.DashPeriods {
		pf := f.Period(per)
		var rate, rank any = "", "样本不足"
		if pf.Cases() > 0 {
			rate = pf.Rate()
		}
		if pf.Rank > 0 {
			rank = pf.Rank
		}
		cells = append(cells, pf.OnTime, pf.Late, pf.Overdue, pf.Waived, pf.Pending, pf.Cases(), rate, rank)
	}
	var med any = ""
	if f.Replied > 0 {
		med = f.MedianReplyDays
	}
	var score any = ""
	if f.Survey.Responses > 0 {
		score = f.Survey.Score
	}
	return append(cells, f.OpenFeedback, f.Replied, med, f.OpenRectifications, f.Orders.Open, f.Orders.Overdue, score, f.Survey.Responses)
}
