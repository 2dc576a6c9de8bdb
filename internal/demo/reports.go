package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// demoShortfalls are the problems the supervision groups found that the
// data cannot show: 祥谦小学's archive, 平安职校's paper notice board.
// What the data shows (items published late or not at all) is found by
// termShortfalls, as a supervision group finds it on the obligations page.
var demoShortfalls = map[string][]demoShortfall{
	"xiangqian": {
		{"archive", gongkai.VerdictNotMet, "3月至5月部分公开事项的登记表和审批记录未及时归档，仍散放在各处室。",
			"办公室每月底收齐上月登记表、审批记录和公开材料，按公开目录分类归档，监督小组每学期抽查。", 45, ""},
	},
	"pingan": {
		{"aid", gongkai.VerdictPartly, "学生资助名单公示期满后未及时撤下实体公示栏的名单。",
			"公示期满后由学生处当日撤下实体公示栏名单，网上公示只在公示期内显示。", 20, ""},
	},
}

type demoShortfall struct {
	code          string
	verdict       gongkai.Verdict
	note, measure string
	dueDays       int    // after the inspection
	doneNote      string // when the principal recorded the measure done
}

// termShortfalls returns, by checklist item, what the school's obligations
// due in the term up to the inspection at show: published after the due
// date (基本符合), or not published by the inspection (不符合).
func termShortfalls(ctx context.Context, db *store.DB, schoolID int64, from, at time.Time) ([]demoShortfall, error) {
	obs, err := db.FindObligations(ctx, schoolID, store.ObligationFilter{From: from, To: at})
	if err != nil {
		return nil, err
	}
	checkOf := func(code string) string {
		for _, c := range gongkai.DefaultChecklist {
			if codes, ok := strings.CutPrefix(c.Evidence, "obligations:"); ok && slices.Contains(strings.Split(codes, ","), code) {
				return c.Code
			}
		}
		return "catalogue"
	}
	var out []demoShortfall
	index := map[string]int{}
	for _, o := range obs {
		if o.Waived || !gongkai.PeriodOver(o.Due, at) {
			continue
		}
		var verdict gongkai.Verdict
		var note string
		switch {
		case o.MetAt.IsZero() || o.MetAt.After(at):
			verdict, note = gongkai.VerdictNotMet, fmt.Sprintf("%s（%s）应于%s前公开，检查时尚未公开。", o.CatalogueName, o.PeriodLabel, cnDate(o.Due))
		case dayOf(o.MetAt).After(o.Due):
			verdict, note = gongkai.VerdictPartly, fmt.Sprintf("%s（%s）应于%s前公开，%s才公开。", o.CatalogueName, o.PeriodLabel, cnDate(o.Due), cnDate(o.MetAt))
		default:
			continue
		}
		for _, code := range []string{checkOf(o.CatalogueCode), "catalogue"} {
			i, ok := index[code]
			if !ok {
				index[code] = len(out)
				out = append(out, demoShortfall{code: code, verdict: verdict, dueDays: 30,
					measure: "经办处室按公开目录提前排定公开日程，截止日前5个工作日由监督小组提醒，校长督促按时签发。"})
				i = len(out) - 1
			}
			if verdict == gongkai.VerdictNotMet {
				out[i].verdict = verdict
			}
			out[i].note += note
		}
	}
	for i := range out {
		if out[i].code == "monthly-finance" {
			out[i].measure = "财务室每月3日前将上月报表送领导小组审议，4日签发，5日前上墙并在网上公开；监督小组每月6日核查。"
			out[i].doneNote = "报表送审、签发和上墙的时间已固定，财务室已按此执行，监督小组每月6日核查。"
		}
	}
	return out, nil
}

// loadReports gives each demo school last term's self-inspection, filled
// in and submitted by its supervision group at the end of that term, and
// 祥谦小学's principal a paragraph of this year's annual report.
// Idempotent: a school that has last term's checklist is left alone.
func loadReports(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	last := gongkai.TermOf(now).Prev()
	_, end := last.Bounds()
	at := workdayOnOrBefore(time.Date(end.Year(), end.Month(), end.Day()-10, 16, 0, 0, 0, gongkai.Beijing)) // ten days before the term ends
	for _, ss := range Schools() {
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		person := func(login string) (*gongkai.Actor, error) {
			u, _, err := db.FindUserForLogin(ctx, ss.Slug+"."+login)
			if err != nil {
				return nil, fmt.Errorf("demo person %s.%s: %w", ss.Slug, login, err)
			}
			return db.LoadActor(ctx, u.ID)
		}
		if ss.Slug == "xiangqian" {
			if err := demoReportText(ctx, db, school, person, now, clock); err != nil {
				return err
			}
			if err := demoInspectionBegun(ctx, db, school, person, now, clock); err != nil {
				return err
			}
		}
		if _, err := db.FindInspection(ctx, school.ID, last); err == nil {
			continue
		} else if gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			return err
		}
		sup, err := person("supervisor")
		if err != nil {
			return err
		}
		in := gongkai.NewInspection(school.ID, last)
		in.Summary = "本学期监督小组对照自查表逐项检查，查阅了登记表、审批记录和公开栏，抽样询问了教职工和家长。总体看，公开目录所列事项基本做到按时公开，程序规范。"
		for i := range in.Answers {
			in.Answers[i].Verdict = gongkai.VerdictMet
		}
		first, _ := last.Bounds()
		shortfalls, err := termShortfalls(ctx, db, school.ID, first, at)
		if err != nil {
			return err
		}
		shortfalls = append(shortfalls, demoShortfalls[ss.Slug]...)
		for _, s := range shortfalls {
			a := in.Answer(s.code)
			if a.Verdict != gongkai.VerdictMet { // the data's finding first
				continue
			}
			a.Verdict, a.Note, a.Measure, a.Due = s.verdict, s.note, s.measure, at.AddDate(0, 0, s.dueDays)
		}
		if len(shortfalls) > 0 {
			in.Summary += "发现的问题已逐项制定整改措施和期限，由校长督促落实。"
		}
		*clock = at
		if _, err := db.SaveInspection(ctx, school.ID, sup, in.SaveCommand(true)); err != nil {
			return fmt.Errorf("inspection of %s: %w", ss.Slug, err)
		}
		for _, s := range shortfalls {
			if s.doneNote == "" || in.Answer(s.code).Note != s.note {
				continue
			}
			principal, err := person("principal")
			if err != nil {
				return err
			}
			*clock = minTime(at.AddDate(0, 0, s.dueDays-3), now.Add(-time.Hour))
			if _, err := db.CompleteMeasure(ctx, school.ID, principal, last, s.code, s.doneNote); err != nil {
				return fmt.Errorf("measure of %s: %w", ss.Slug, err)
			}
		}
	}
	*clock = now
	return nil
}

// demoReportText writes the first school's overview paragraph of this
// year's report, unless one is there.
func demoReportText(ctx context.Context, db *store.DB, school *gongkai.School, person func(string) (*gongkai.Actor, error), now time.Time, clock *time.Time) error {
	year := now.In(gongkai.Beijing).Year()
	rep, err := db.FindAnnualReport(ctx, school.ID, year)
	if err != nil || rep.Summary != "" {
		return err
	}
	principal, err := person("principal")
	if err != nil {
		return err
	}
	*clock = now.Add(-2 * time.Hour)
	return db.SaveReportText(ctx, school.ID, principal, year, gongkai.ReportText{
		Summary: "本年度学校坚持“有公示、有回音、有结果”，把校务公开作为依法治校和民主管理的基本制度。领导小组每月研究公开事项，监督小组每学期开展自查，教职工和家长通过意见箱、校长信箱和网上公开栏参与监督。",
	})
}

// demoInspectionBegun saves this term's checklist of the first school as a
// draft its supervision group has begun, so that their work page reminds
// them to finish it, unless the school has one.
func demoInspectionBegun(ctx context.Context, db *store.DB, school *gongkai.School, person func(string) (*gongkai.Actor, error), now time.Time, clock *time.Time) error {
	term := gongkai.TermOf(now)
	if _, err := db.FindInspection(ctx, school.ID, term); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
		return err
	}
	sup, err := person("supervisor")
	if err != nil {
		return err
	}
	in := gongkai.NewInspection(school.ID, term)
	for i := range in.Answers[:4] {
		in.Answers[i].Verdict = gongkai.VerdictMet
	}
	*clock = now.Add(-26 * time.Hour) // yesterday, unless the term began today
	if first, _ := term.Bounds(); clock.Before(first) {
		*clock = now
	}
	_, err = db.SaveInspection(ctx, school.ID, sup, in.SaveCommand(false))
	return err
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
