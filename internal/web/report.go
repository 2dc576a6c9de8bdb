package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// The annual disclosure report (校务公开工作年度报告) of a school and of a
// bureau, in the section layout of the national annual report. One model
// (reportDoc) is built from the year's figures and rendered three ways: the
// printable page, the XLSX workbook and the Markdown of the disclosure it
// is published as.

// reportDoc is the report as sections of prose and tables.
type reportDoc struct {
	Title    string
	Org      string // the school or the bureau
	Year     int
	Made     time.Time // when the figures were read
	Sections []reportSection
}

// reportSection is one numbered section.
type reportSection struct {
	ID      string
	Title   string
	Paras   []string // generated from the data
	Written string   // what the principal wrote for it
	Field   string   // the form field of the written paragraph, if any
	Tables  []reportTable
}

// reportTable is a table of a section; numbers keep their values for XLSX.
type reportTable struct {
	Caption string
	Head    []string
	Rows    [][]reportCell
	Total   bool // the last row is a total
}

// reportCell is one cell: text, or a number (a rate when Pct).
type reportCell struct {
	Text  string
	Num   float64
	IsNum bool
	Pct   bool
}

func cellText(s string) reportCell { return reportCell{Text: s} }

// Short reports whether the cell is a few characters, kept on one line.
func (c reportCell) Short() bool { return utf8.RuneCountInString(c.Text) <= 6 }
func cellNum(n int) reportCell {
	return reportCell{Text: strconv.Itoa(n), Num: float64(n), IsNum: true}
}

// shareCell is a share as a cell, "—" without cases.
func shareCell(part, whole int) reportCell {
	if whole == 0 {
		return cellText("—")
	}
	r := float64(part) / float64(whole)
	return reportCell{Text: pctText(r), Num: r, IsNum: true, Pct: true}
}

func pctText(r float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(r*100, 'f', 1, 64), ".0") + "%"
}

// tr translates the report's words: the reader's language on the page,
// Chinese in the workbook and the published item.
type tr struct {
	T  func(string) string
	Tf func(string, ...any) string
	en bool
}

// reportChinese writes the report in Chinese, whoever reads the page.
var reportChinese = tr{T: func(s string) string { return s }, Tf: fmt.Sprintf}

func pageTr(b *base) tr { return tr{T: b.T, Tf: b.Tf, en: b.Lang == "en"} }

// reportInput is what a report is made of.
type reportInput struct {
	Org         string
	Year        int
	Bureau      bool
	F           store.ReportFigures
	Survey      store.SurveyScore
	Inspections []*gongkai.Inspection       // a school's submitted self-inspections of the year
	BureauInsp  [][]store.InspectionSummary // a bureau's: per term of the year, per school
	Text        gongkai.ReportText
	Schools     []store.ReportFigures // a bureau's schools
	Scores      map[int64]store.SurveyScore
	Made        time.Time
}

// buildReport makes the report's sections from the year's figures.
func buildReport(t tr, in reportInput) reportDoc {
	doc := reportDoc{Org: in.Org, Year: in.Year, Made: in.Made}
	doc.Title = gongkai.ReportTitle(in.Org, in.Year)
	if t.en {
		doc.Title = t.Tf("%s: annual report on school affairs disclosure, %d", in.Org, in.Year)
	}
	for _, section := range []func(tr, reportInput) reportSection{reportOverview, reportActive, reportRequests, reportFeedbackSection, reportSatisfaction, reportProblems, reportOther} {
		doc.Sections = append(doc.Sections, section(t, in))
	}
	if in.Bureau {
		doc.Sections = append(doc.Sections, reportSection{ID: "s8", Title: t.T("附表：各校情况"), Tables: []reportTable{schoolsTable(t, in)}})
	}
	return doc
}

// obligationsDue counts the obligations due in the period, however they
// stand.
func obligationsDue(ob store.PeriodFigures) int { return ob.Cases() + ob.Waived + ob.Pending }

// reportOverview is section 一、总体情况.
func reportOverview(t tr, in reportInput) reportSection {
	f := &in.F
	fb, ob := f.FeedbackTotal(), f.Obligations
	due := obligationsDue(ob)
	s1 := reportSection{ID: "s1", Title: t.T(gongkai.ReportSections[0]), Written: in.Text.Summary, Field: "summary"}
	who := t.T("本校")
	if in.Bureau {
		who = t.Tf("所属 %d 所学校", len(in.Schools))
	}
	s1.Paras = append(s1.Paras, t.Tf("%d年，%s共主动公开校务公开事项 %d 项，其中对外公开 %d 项；公开目录中本年度到期的应公开事项 %d 项，按时公开 %d 项，按时公开率 %s；收到异议、意见、来信和举报 %d 件，已答复 %d 件，其中按期答复 %d 件；收到依申请公开（点题公开）申请 %d 件。",
		in.Year, who, f.Published, f.ByAudience[gongkai.AudiencePublic], due, ob.OnTime, shareCell(ob.OnTime, ob.Cases()).Text,
		fb.Received, fb.Answered, fb.OnTime, f.Requests.Received))
	return s1
}

// reportActive is section 二、主动公开情况.
func reportActive(t tr, in reportInput) reportSection {
	f := &in.F
	ob := f.Obligations
	due := obligationsDue(ob)
	s2 := reportSection{ID: "s2", Title: t.T(gongkai.ReportSections[1])}
	cat := reportTable{Caption: t.T("按公开类别"), Head: []string{t.T("公开类别"), t.T("公开事项（项）")}, Total: true}
	for _, c := range gongkai.Categories {
		if n := f.ByCategory[c.Code]; n > 0 {
			cat.Rows = append(cat.Rows, []reportCell{cellText(t.T(c.Name)), cellNum(n)})
		}
	}
	cat.Rows = append(cat.Rows, []reportCell{cellText(t.T("合计")), cellNum(f.Published)})
	aud := reportTable{Caption: t.T("按公开范围"), Head: []string{t.T("公开范围"), t.T("公开事项（项）")}}
	for _, a := range gongkai.Audiences {
		aud.Rows = append(aud.Rows, []reportCell{cellText(t.T(a.Label())), cellNum(f.ByAudience[a])})
	}
	ch := reportTable{Caption: t.T("公开渠道（一项可在多个渠道公开）"), Head: []string{t.T("公开渠道"), t.T("公开事项（项）")}}
	for _, c := range gongkai.Channels {
		if n := f.ByChannel[c]; n > 0 {
			ch.Rows = append(ch.Rows, []reportCell{cellText(t.T(c.Label())), cellNum(n)})
		}
	}
	obt := reportTable{Caption: t.T("公开目录应公开事项完成情况"), Head: []string{t.T("项目"), t.T("数量")}}
	obt.Rows = [][]reportCell{
		{cellText(t.T("本年度到期事项（项）")), cellNum(due)},
		{cellText(t.T("按时公开")), cellNum(ob.OnTime)},
		{cellText(t.T("逾期公开")), cellNum(ob.Late)},
		{cellText(t.T("逾期未公开")), cellNum(ob.Overdue)},
		{cellText(t.T("已免除")), cellNum(ob.Waived)},
		{cellText(t.T("尚未到期")), cellNum(ob.Pending)},
		{cellText(t.T("按时公开率")), shareCell(ob.OnTime, ob.Cases())},
	}
	s2.Tables = []reportTable{cat, aud}
	if len(ch.Rows) > 0 {
		s2.Tables = append(s2.Tables, ch)
	}
	s2.Tables = append(s2.Tables, obt)
	s2.Paras = append(s2.Paras, t.Tf("本年度首次公开的事项中，此后修订 %d 项、撤回 %d 项（撤回的事项仍保留撤回理由备查）。按时公开率按已到期事项（按时公开、逾期公开、逾期未公开）计算，已免除和尚未到期的不计。", f.Revised, f.Withdrawn))
	return s2
}

// reportRequests is section 三、依申请公开情况.
func reportRequests(t tr, in reportInput) reportSection {
	f := &in.F
	s3 := reportSection{ID: "s3", Title: t.T(gongkai.ReportSections[2])}
	rq := f.Requests
	s3.Tables = []reportTable{{Caption: t.T("依申请公开（点题公开）办理情况"), Head: []string{t.T("项目"), t.T("件数")}, Rows: [][]reportCell{
		{cellText(t.T("收到申请")), cellNum(rq.Received)},
		{cellText(t.T("予以公开或答复")), cellNum(rq.Granted)},
		{cellText(t.T("不予公开（已公开说明理由）")), cellNum(rq.Refused)},
		{cellText(t.T("正在办理")), cellNum(rq.Pending)},
	}}}
	if rq.Received == 0 {
		s3.Paras = []string{t.T("本年度未收到依申请公开（点题公开）申请。")}
	}
	return s3
}

// reportFeedbackSection is section 四、异议、意见和举报处理情况.
func reportFeedbackSection(t tr, in reportInput) reportSection {
	f := &in.F
	fb := f.FeedbackTotal()
	s4 := reportSection{ID: "s4", Title: t.T(gongkai.ReportSections[3])}
	kinds := reportTable{Caption: t.T("按类型"), Head: []string{t.T("类型"), t.T("收到"), t.T("已答复"), t.T("按期答复"), t.T("办理中"), t.T("提请教育局督办")}, Total: true}
	for _, k := range gongkai.FeedbackKinds {
		g := f.Feedback[k]
		kinds.Rows = append(kinds.Rows, []reportCell{cellText(t.T(k.Label())), cellNum(g.Received), cellNum(g.Answered), cellNum(g.OnTime), cellNum(g.Open), cellNum(g.Escalated)})
	}
	kinds.Rows = append(kinds.Rows, []reportCell{cellText(t.T("合计")), cellNum(fb.Received), cellNum(fb.Answered), cellNum(fb.OnTime), cellNum(fb.Open), cellNum(fb.Escalated)})
	s4.Tables = []reportTable{kinds}
	reply := t.T("本年度尚无答复。")
	if f.MedianReplyDays >= 0 {
		reply = t.Tf("从受理到首次答复用时的中位数为 %s 个工作日。", strings.TrimSuffix(strconv.FormatFloat(f.MedianReplyDays, 'f', 1, 64), ".0"))
	}
	s4.Paras = []string{
		t.Tf("按期答复率 %s。", shareCell(fb.OnTime, fb.Received).Text) + reply,
		t.Tf("针对来信反映的问题制定整改方案 %d 件，整改完成并公开结果 %d 件。", f.RectifyPlanned, f.RectifyDone),
	}
	return s4
}

// reportSatisfaction is section 五、满意度测评情况.
func reportSatisfaction(t tr, in reportInput) reportSection {
	f := &in.F
	s5 := reportSection{ID: "s5", Title: t.T(gongkai.ReportSections[4])}
	if in.Survey.Surveys > 0 && in.Survey.Score >= 0 {
		s5.Paras = []string{t.Tf("本年度开展满意度测评 %d 次，收回问卷 %d 份，综合满意度 %s 分（满分 100 分）。", in.Survey.Surveys, in.Survey.Responses, strconv.FormatFloat(in.Survey.Score, 'f', 1, 64))}
	} else {
		s5.Paras = []string{t.T("本年度未开展满意度测评，或参与人数不足，未计分。")}
	}
	s5.Tables = []reportTable{{Caption: t.T("来信人对答复的评价"), Head: []string{t.T("评价"), t.T("件数")}, Rows: [][]reportCell{
		{cellText(t.T("满意")), cellNum(f.Satisfied)}, {cellText(t.T("基本满意")), cellNum(f.Basic)}, {cellText(t.T("不满意")), cellNum(f.Unsatisfied)},
	}}}
	return s5
}

// reportProblems is section 六、存在的主要问题及改进情况.
func reportProblems(t tr, in reportInput) reportSection {
	s6 := reportSection{ID: "s6", Title: t.T(gongkai.ReportSections[5]), Written: in.Text.Problems, Field: "problems"}
	if in.Bureau {
		s6.Tables, s6.Paras = bureauFindings(t, in)
	} else {
		s6.Tables, s6.Paras = schoolFindings(t, in)
	}
	return s6
}

// reportOther is section 七、其他需要报告的事项.
func reportOther(t tr, in reportInput) reportSection {
	s7 := reportSection{ID: "s7", Title: t.T(gongkai.ReportSections[6]), Written: in.Text.Other, Field: "other"}
	if in.Text.Other == "" && !in.Bureau {
		s7.Paras = []string{t.T("无。")}
	}
	if in.Bureau {
		s7.Paras = []string{t.T("各校分项情况见附表。")}
	}
	return s7
}

// schoolFindings lists the shortfalls the year's self-inspections found.
func schoolFindings(t tr, in reportInput) ([]reportTable, []string) {
	if len(in.Inspections) == 0 {
		return nil, []string{t.T("本年度监督小组尚未提交自查表。")}
	}
	notMet, partly, done := 0, 0, 0
	tab := reportTable{Caption: t.T("自查发现的问题及整改"), Head: []string{t.T("学期"), t.T("自查项目"), t.T("结论"), t.T("发现的问题"), t.T("整改措施"), t.T("整改期限"), t.T("完成情况")}}
	for _, insp := range in.Inspections {
		notMet += insp.Count(gongkai.VerdictNotMet)
		partly += insp.Count(gongkai.VerdictPartly)
		for _, a := range insp.Measures() {
			state := t.T("整改中")
			if a.Done {
				done++
				state = t.T("已完成") + colon(t.en) + a.DoneNote
			}
			tab.Rows = append(tab.Rows, []reportCell{cellText(termName(t, insp.Term)), cellText(a.Title), cellText(t.T(a.Verdict.Label())), cellText(a.Note), cellText(a.Measure), cellText(formatDate(a.Due)), cellText(state)})
		}
	}
	p := t.Tf("本年度监督小组开展自查 %d 次，发现不符合 %d 项、基本符合 %d 项，已整改完成 %d 项，正在整改 %d 项。", len(in.Inspections), notMet, partly, done, notMet+partly-done)
	if len(tab.Rows) == 0 {
		return nil, []string{p}
	}
	return []reportTable{tab}, []string{p}
}

// bureauFindings counts the schools' self-inspections of the year.
func bureauFindings(t tr, in reportInput) ([]reportTable, []string) {
	tab := reportTable{Head: []string{t.T("学校")}, Caption: t.T("各校自查情况")}
	for _, term := range gongkai.TermsOfYear(in.Year) {
		tab.Head = append(tab.Head, termName(t, term))
	}
	tab.Head = append(tab.Head, t.T("不符合（项）"), t.T("基本符合（项）"), t.T("整改未完成（项）"))
	type line struct {
		name                  string
		states                []string
		notMet, partly, openM int
	}
	var lines []*line
	index := map[int64]*line{}
	submitted, notMet := 0, 0
	for k, termRows := range in.BureauInsp {
		for _, r := range termRows {
			l := index[r.SchoolID]
			if l == nil {
				l = &line{name: r.Name, states: make([]string, len(in.BureauInsp))}
				index[r.SchoolID] = l
				lines = append(lines, l)
			}
			switch r.State {
			case gongkai.InspectionSubmitted:
				l.states[k] = t.T("已提交")
				l.notMet += r.NotMet
				l.partly += r.Partly
				l.openM += r.OpenMeasures
				submitted++
				notMet += r.NotMet
			case gongkai.InspectionDraft:
				l.states[k] = t.T("填写中")
			default:
				l.states[k] = t.T("未填写")
			}
		}
	}
	for _, l := range lines {
		row := []reportCell{cellText(l.name)}
		for _, s := range l.states {
			row = append(row, cellText(s))
		}
		tab.Rows = append(tab.Rows, append(row, cellNum(l.notMet), cellNum(l.partly), cellNum(l.openM)))
	}
	return []reportTable{tab}, []string{t.Tf("本年度各校共提交自查表 %d 份，发现不符合 %d 项。", submitted, notMet)}
}

func termName(t tr, term gongkai.Term) string {
	if t.en {
		return termLabel(&base{Lang: "en"}, term)
	}
	return term.Label()
}

// schoolsTable is the bureau report's table of every school.
func schoolsTable(t tr, in reportInput) reportTable {
	tab := reportTable{Caption: t.T("各校情况"), Head: []string{t.T("学校"), t.T("主动公开（项）"), t.T("到期事项"), t.T("按时公开"), t.T("按时公开率"), t.T("逾期未公开"),
		t.T("收到来信"), t.T("按期答复"), t.T("依申请公开"), t.T("予以公开"), t.T("不予公开"), t.T("满意度（分）")}}
	for _, s := range in.Schools {
		fb := s.FeedbackTotal()
		score := cellText("—")
		if sc, ok := in.Scores[s.SchoolID]; ok && sc.Surveys > 0 && sc.Score >= 0 {
			score = reportCell{Text: strconv.FormatFloat(sc.Score, 'f', 1, 64), Num: sc.Score, IsNum: true}
		}
		o := s.Obligations
		tab.Rows = append(tab.Rows, []reportCell{cellText(s.Name), cellNum(s.Published), cellNum(o.Cases() + o.Waived + o.Pending), cellNum(o.OnTime), shareCell(o.OnTime, o.Cases()), cellNum(o.Overdue),
			cellNum(fb.Received), cellNum(fb.OnTime), cellNum(s.Requests.Received), cellNum(s.Requests.Granted), cellNum(s.Requests.Refused), score})
	}
	return tab
}

// bureauScore is the bureau's survey score: the schools' scores weighted by
// their responses.
func bureauScore(scores map[int64]store.SurveyScore) store.SurveyScore {
	out := store.SurveyScore{Score: -1}
	sum := 0.0
	for _, s := range scores {
		if s.Surveys == 0 || s.Score < 0 {
			continue
		}
		out.Surveys += s.Surveys
		out.Responses += s.Responses
		sum += s.Score * float64(s.Responses)
	}
	if out.Responses > 0 {
		out.Score = sum / float64(out.Responses)
	}
	return out
}

// ---- Pages ----------------------------------------------------------------

// reportPage is a school's or the bureau's annual report.
type reportPage struct {
	base
	Doc        reportDoc
	Year       int
	Years      []dashLink
	Bureau     bool
	ExportURL  string
	CanEdit    bool
	Report     *store.AnnualReport // a school's stored paragraphs and publication
	Text       gongkai.ReportText  // the form's values
	Errors     map[string]string
	Invalid    bool
	PublishURL string
}

// reportYear reads {year} of the path, which may end in ".xlsx"; years
// after this one answer 404.
func (s *Server) reportYear(r *http.Request) (year int, xlsx bool, err error) {
	v, xlsx := strings.CutSuffix(r.PathValue("year"), ".xlsx")
	year, perr := strconv.Atoi(v)
	if perr != nil || len(v) != 4 || !gongkai.ValidReportYear(year, s.db.Now().In(gongkai.Beijing).Year()) {
		return 0, false, gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	return year, xlsx, nil
}

func yearBounds(year int) (from, to time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, gongkai.Beijing), time.Date(year, 12, 31, 0, 0, 0, 0, gongkai.Beijing)
}

// defaultReportYear is the year a report link opens: last year's until the
// end of March, when its report is due, this year's after.
func defaultReportYear(now time.Time) int {
	now = now.In(gongkai.Beijing)
	if now.Month() <= time.March {
		return now.Year() - 1
	}
	return now.Year()
}

func (s *Server) handleReportIndex(w http.ResponseWriter, r *http.Request) error {
	school, _, err := inspectionReader(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/s/%s/report/%d", school.Slug, defaultReportYear(s.db.Now())), http.StatusSeeOther)
	return nil
}

// schoolReport reads everything a school's report of the year is made of,
// in a fixed number of queries.
func (s *Server) schoolReport(r *http.Request, school *gongkai.School, year int) (reportInput, *store.AnnualReport, error) {
	ctx := r.Context()
	from, to := yearBounds(year)
	in := reportInput{Org: school.Name, Year: year, Made: s.db.Now()}
	var err error
	if in.F, err = s.db.SchoolReportFigures(ctx, school.ID, from, to); err != nil {
		return in, nil, err
	}
	if in.Survey, err = s.db.SchoolSurveyScore(ctx, school.ID, from, to.AddDate(0, 0, 1)); err != nil {
		return in, nil, err
	}
	if in.Inspections, err = s.db.FindYearInspections(ctx, school.ID, year); err != nil {
		return in, nil, err
	}
	rep, err := s.db.FindAnnualReport(ctx, school.ID, year)
	if err != nil {
		return in, nil, err
	}
	in.Text = rep.ReportText
	return in, rep, nil
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	year, xlsx, err := s.reportYear(r)
	if err != nil {
		return err
	}
	in, rep, err := s.schoolReport(r, school, year)
	if err != nil {
		return err
	}
	if xlsx {
		return writeReportXLSX(w, buildReport(reportChinese, in), fmt.Sprintf("report-%s-%d.xlsx", school.Slug, year))
	}
	p, err := s.reportPage(r, school, actor, in, rep)
	if err != nil {
		return err
	}
	s.render(w, r, "report", p)
	return nil
}

func (s *Server) reportPage(r *http.Request, school *gongkai.School, actor *gongkai.Actor, in reportInput, rep *store.AnnualReport) (*reportPage, error) {
	p := &reportPage{base: s.base(r, ""), Year: in.Year, Report: rep, Text: rep.ReportText, Errors: map[string]string{}}
	p.Doc = buildReport(pageTr(&p.base), in)
	p.Title, p.Nav, p.NoIndex = p.Doc.Title, "annual-report", true
	p.CanEdit = gongkai.CanEditReport(actor, school.ID)
	base := "/s/" + school.Slug + "/report/"
	p.ExportURL = base + strconv.Itoa(in.Year) + ".xlsx"
	p.PublishURL = base + strconv.Itoa(in.Year) + "/publish"
	years, err := s.db.FindDisclosureYears(r.Context(), school.ID)
	if err != nil {
		return nil, err
	}
	p.Years = yearLinks(years, in.Year, s.db.Now(), base)
	return p, nil
}

// yearLinks links the years with data, this year and the shown one.
func yearLinks(years []int, shown int, now time.Time, base string) []dashLink {
	this := now.In(gongkai.Beijing).Year()
	set := map[int]bool{this: true, shown: true, this - 1: true}
	for _, y := range years {
		if y >= 2000 && y <= this {
			set[y] = true
		}
	}
	var out []dashLink
	for y := this; y >= 2000 && len(out) < 8; y-- {
		if set[y] {
			out = append(out, dashLink{Label: strconv.Itoa(y), URL: base + strconv.Itoa(y), Active: y == shown})
		}
	}
	return out
}

// handleReportText saves the paragraphs the principal writes.
func (s *Server) handleReportText(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	year, xlsx, err := s.reportYear(r)
	if err != nil || xlsx {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	if !gongkai.CanEditReport(actor, school.ID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "年度报告由校长撰写。")
	}
	text := gongkai.ReportText{Summary: r.PostFormValue("summary"), Problems: r.PostFormValue("problems"), Other: r.PostFormValue("other")}
	err = s.db.SaveReportText(r.Context(), school.ID, actor, year, text)
	if err == nil {
		return s.redirect(w, r, fmt.Sprintf("/s/%s/report/%d", school.Slug, year), "年度报告的文字部分已保存。")
	}
	if gongkai.ErrorCode(err) != gongkai.EINVALID {
		return err
	}
	in, rep, lerr := s.schoolReport(r, school, year)
	if lerr != nil {
		return lerr
	}
	p, perr := s.reportPage(r, school, actor, in, rep)
	if perr != nil {
		return perr
	}
	p.Text, p.Errors, p.Invalid = text, gongkai.ErrorFields(err), true
	s.renderPage(w, r, http.StatusUnprocessableEntity, "report", p)
	return nil
}

// handleReportPublish makes the report a draft disclosure for the normal
// procedure, with the report as its Markdown body.
func (s *Server) handleReportPublish(w http.ResponseWriter, r *http.Request) error {
	school, actor, err := inspectionReader(r)
	if err != nil {
		return err
	}
	year, xlsx, err := s.reportYear(r)
	if err != nil || xlsx {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有该年度的报告。")
	}
	if !gongkai.CanEditReport(actor, school.ID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "年度报告由校长发布。")
	}
	in, _, err := s.schoolReport(r, school, year)
	if err != nil {
		return err
	}
	doc := buildReport(reportChinese, in)
	d := &gongkai.Disclosure{Title: doc.Title, Body: reportMarkdown(doc), Category: "other", Audience: gongkai.AudiencePublic,
		Channels: []gongkai.Channel{"online", "board"}}
	err = s.db.PublishReport(r.Context(), school.ID, actor, year, d)
	if gongkai.ErrorCode(err) == gongkai.ECONFLICT {
		return s.redirect(w, r, fmt.Sprintf("/s/%s/report/%d", school.Slug, year), "!"+gongkai.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return s.redirect(w, r, fmt.Sprintf("/s/%s/manage/d/%d", school.Slug, d.ID), "已生成年度报告的公开事项草稿，请按程序提交审议、签发、审核后发布。")
}

// handleBureauReport is the bureau's report of the year, summed over its
// schools, with a table of every school.
func (s *Server) handleBureauReport(w http.ResponseWriter, r *http.Request) error {
	bureau, err := s.bureauOf(r)
	if err != nil {
		return err
	}
	year, xlsx, err := s.reportYear(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	from, to := yearBounds(year)
	in := reportInput{Org: bureau.Name, Year: year, Bureau: true, Made: s.db.Now()}
	if in.Schools, err = s.db.BureauReportFigures(ctx, bureau.ID, from, to); err != nil {
		return err
	}
	in.F = store.SumReportFigures(in.Schools)
	if in.Scores, err = s.db.SurveyScores(ctx, bureau.ID, from, to.AddDate(0, 0, 1)); err != nil {
		return err
	}
	in.Survey = bureauScore(in.Scores)
	for _, t := range gongkai.TermsOfYear(year) {
		rows, err := s.db.BureauInspections(ctx, bureau.ID, t)
		if err != nil {
			return err
		}
		in.BureauInsp = append(in.BureauInsp, rows)
	}
	if xlsx {
		return writeReportXLSX(w, buildReport(reportChinese, in), fmt.Sprintf("report-bureau-%d.xlsx", year))
	}
	p := &reportPage{base: s.base(r, ""), Year: year, Bureau: true, Errors: map[string]string{}}
	p.Doc = buildReport(pageTr(&p.base), in)
	p.Title, p.NoIndex = p.Doc.Title, true
	p.ExportURL = fmt.Sprintf("/bureau/report/%d.xlsx", year)
	p.Years = yearLinks(nil, year, s.db.Now(), "/bureau/report/")
	s.render(w, r, "report", p)
	return nil
}

// ---- XLSX and Markdown ------------------------------------------------------

// reportMarkdown is the report as the body of a disclosure.
func reportMarkdown(doc reportDoc) string {
	var b strings.Builder
	fmt.Fprintf(&b, "本报告根据校务公开平台的数据生成，数据截至 %s。\n\n", doc.Made.In(gongkai.Beijing).Format("2006年1月2日"))
	for _, sec := range doc.Sections {
		fmt.Fprintf(&b, "## %s\n\n", sec.Title)
		for _, p := range sec.Paras {
			b.WriteString(mdEscape(p) + "\n\n")
		}
		if sec.Written != "" {
			for _, p := range strings.Split(sec.Written, "\n") {
				if p = strings.TrimSpace(p); p != "" {
					b.WriteString(mdEscape(p) + "\n\n")
				}
			}
		}
		for _, t := range sec.Tables {
			if t.Caption != "" {
				fmt.Fprintf(&b, "**%s**\n\n", mdEscape(t.Caption))
			}
			b.WriteString("|")
			for _, h := range t.Head {
				b.WriteString(" " + mdEscape(h) + " |")
			}
			b.WriteString("\n|")
			for i := range t.Head {
				if i > 0 && len(t.Rows) > 0 && i < len(t.Rows[0]) && t.Rows[0][i].IsNum {
					b.WriteString(" ---: |")
				} else {
					b.WriteString(" --- |")
				}
			}
			b.WriteString("\n")
			for _, cells := range t.Rows {
				b.WriteString("|")
				for _, c := range cells {
					b.WriteString(" " + mdEscape(strings.ReplaceAll(c.Text, "\n", " ")) + " |")
				}
				b.WriteString("\n")
			}
			b.WriteString("\n")
		}
	}
	return strings.TrimSpace(b.String()) + "\n"
}

// mdEscape keeps text people wrote from turning into Markdown structure.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]#<>|", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ReportYear is the year the links to the annual report open.
func (b *base) ReportYear() int { return defaultReportYear(b.Now) }
