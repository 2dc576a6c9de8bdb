package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// demoShortfalls are the problems the demo schools' supervision groups
// found last term, agreeing with what the demo data show: 祥谦小学 (whose
// monthly statements came late) two items not met, one rectified since;
// two schools one item partly met each; 开物小学 none.
var demoShortfalls = map[string][]demoShortfall{
	"xiangqian": {
		{"monthly-finance", gongkai.VerdictNotMet, "本学期有月度财务收支报表迟于次月5日才公布，未做到每月5日前公布。",
			"财务室每月3日前将上月报表送领导小组审议，4日签发，5日前上墙并在网上公开；监督小组每月6日核查。", 30, "yes", "此后各月报表均于次月5日前公布，监督小组已连续核查。"},
		{"archive", gongkai.VerdictNotMet, "3月至5月部分公开事项的登记表和审批记录未及时归档，仍散放在各处室。",
			"办公室每月底收齐上月登记表、审批记录和公开材料，按公开目录分类归档，监督小组每学期抽查。", 45, "", ""},
	},
	"pingan": {
		{"aid", gongkai.VerdictPartly, "学生资助名单公示期满后未及时撤下实体公示栏的名单。",
			"公示期满后由学生处当日撤下实体公示栏名单，网上公示只在公示期内显示。", 20, "", ""},
	},
	"yuanba": {
		{"evaluation", gongkai.VerdictPartly, "教职工考核结果的公示晚于学校规定的时间。",
			"考核结果形成后5个工作日内公示，办公室提前排定公示日程。", 40, "", ""},
	},
}

type demoShortfall struct {
	code           string
	verdict        gongkai.Verdict
	note, measure  string
	dueDays        int // after the inspection
	done, doneNote string
}

// loadReports gives each demo school last term's self-inspection, filled
// in and submitted by its supervision group at the end of that term, and
// 祥谦小学's principal a paragraph of this year's annual report.
// Idempotent: a school that has last term's checklist is left alone.
func loadReports(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	last := gongkai.TermOf(now).Prev()
	_, end := last.Bounds()
	at := time.Date(end.Year(), end.Month(), end.Day()-10, 16, 0, 0, 0, gongkai.Beijing) // ten days before the term ends
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
			if in.Answers[i].Code == "congress" && ss.Slug == "kaiwu" {
				in.Answers[i].Verdict, in.Answers[i].Note = gongkai.VerdictNA, "教代会定于下学期召开。"
			}
		}
		shortfalls := demoShortfalls[ss.Slug]
		for _, s := range shortfalls {
			a := in.Answer(s.code)
			a.Verdict, a.Note, a.Measure, a.Due = s.verdict, s.note, s.measure, at.AddDate(0, 0, s.dueDays)
		}
		if len(shortfalls) > 0 {
			in.Summary += "发现的问题已逐项制定整改措施和期限，由校长督促落实。"
		}
		*clock = at
		if _, err := db.SaveInspection(ctx, school.ID, sup, in, true); err != nil {
			return fmt.Errorf("inspection of %s: %w", ss.Slug, err)
		}
		for _, s := range shortfalls {
			if s.done == "" {
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
	_, err = db.SaveInspection(ctx, school.ID, sup, in, false)
	return err
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
