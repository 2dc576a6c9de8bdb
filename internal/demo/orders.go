package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// loadOrders gives the demo bureau a handful of supervision orders, one
// in each situation a reader should see: answered with a published result
// and accepted; open with days left; overdue, about an overdue obligation
// of the school with the most overdue items; and returned for more.
// Idempotent: a bureau that has orders keeps them.
func loadOrders(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	defer func() { *clock = now }()
	u, _, err := db.FindUserForLogin(ctx, "bureau.admin")
	if err != nil {
		return fmt.Errorf("demo bureau admin: %w", err)
	}
	admin, err := db.LoadActor(ctx, u.ID)
	if err != nil {
		return err
	}
	if _, n, err := db.FindOrders(ctx, admin.BureauID, store.OrderFilter{PerPage: 1}); err != nil || n > 0 {
		return err
	}
	schools := map[string]*gongkai.School{}
	principals := map[string]*gongkai.Actor{}
	worst, most := "", -1
	var overdue *gongkai.Obligation
	for _, ss := range Schools() {
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		schools[ss.Slug] = school
		pu, _, err := db.FindUserForLogin(ctx, ss.Slug+".principal")
		if err != nil {
			return fmt.Errorf("demo principal of %s: %w", ss.Slug, err)
		}
		if principals[ss.Slug], err = db.LoadActor(ctx, pu.ID); err != nil {
			return err
		}
		obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{States: []gongkai.ObligationState{gongkai.ObOverdue}})
		if err != nil {
			return err
		}
		if len(obs) > most {
			worst, most = ss.Slug, len(obs)
			overdue = nil
			if len(obs) > 0 {
				overdue = obs[0]
			}
		}
	}
	day := func(daysAgo int) time.Time {
		d := now.AddDate(0, 0, -daysAgo)
		return time.Date(d.Year(), d.Month(), d.Day(), 9, 30, 0, 0, gongkai.Beijing)
	}
	issue := func(at time.Time, slug string, in gongkai.OrderIssue) (*gongkai.Order, error) {
		*clock = workdayOnOrBefore(at) // the bureau issues on working days
		if in.ObligationID != 0 {
			*clock = at // already a working day after the due date
		}
		in.SchoolIDs = []int64{schools[slug].ID}
		orders, err := db.IssueOrders(ctx, admin.BureauID, admin, in)
		if err != nil {
			return nil, fmt.Errorf("order %q: %w", in.Title, err)
		}
		return orders[0], nil
	}
	step := func(at time.Time, o *gongkai.Order, who *gongkai.Actor, in gongkai.OrderCommand) error {
		*clock = at
		if _, err := db.StepOrder(ctx, o.SchoolID, o.ID, who, in); err != nil {
			return fmt.Errorf("order %q, %s: %w", o.Title, in.Action, err)
		}
		return nil
	}
	slugs := []string{"pingan", "xiangqian", "yuanba"}
	first, second, third := slugs[0], slugs[1], slugs[2]
	for _, s := range slugs {
		if schools[s] == nil {
			return fmt.Errorf("demo school %s is missing", s)
		}
	}

	// 1. A rectification found in the spring inspection: answered with the
	// published result, accepted.
	o, err := issue(day(40), first, gongkai.OrderIssue{Kind: gongkai.OrderRectify, Workdays: 15,
		Title: "关于整改校务公开栏内容更新不及时问题的通知",
		Body: schools[first].Title() + "：\n\n" +
			"我局在校务公开专项检查中发现，你校校务公开栏存在以下问题：\n\n" +
			"1. 公开栏内容更新不及时，部分事项公示期满后未及时撤换；\n" +
			"2. 网上公开的部分事项未同步张贴到实体公示栏。\n\n" +
			"请你校对照问题逐项整改，并将整改情况及公开结果答复我局。\n"})
	if err != nil {
		return err
	}
	// The result: the newest fee notice published by then, or else any item.
	items, _, err := db.FindDisclosures(ctx, schools[first].ID, store.DisclosureFilter{Published: true, Audiences: []gongkai.Audience{gongkai.AudiencePublic}, PerPage: 100})
	if err != nil {
		return err
	}
	var result int64
	for _, d := range items {
		if d.State != gongkai.StateWithdrawn && !d.PublishedAt.After(day(30)) && (result == 0 || d.Category == "fees") {
			result = d.ID
			if d.Category == "fees" {
				break
			}
		}
	}
	if err := step(day(30), o, principals[first], gongkai.OrderCommand{Action: gongkai.OActAnswer, ResultID: result,
		Comment: "收到通知后，学校召开校务公开领导小组会议，逐项整改：\n1. 指定办公室专人每周检查公开栏，公示期满的事项及时撤换；\n2. 收费等须张贴的事项，网上发布当日同步张贴，并在登记表中登记张贴时间（见所附收费公示）。"}); err != nil {
		return err
	}
	if err := step(day(27), o, admin, gongkai.OrderCommand{Action: gongkai.OActAccept, Comment: "经复查，整改到位，同意办结。"}); err != nil {
		return err
	}

	// 2. Open, with days left.
	if _, err := issue(day(2), third, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Workdays: gongkai.DefaultOrderWorkdays,
		Title: "关于报送本学期校务公开工作自查报告的通知",
		Body: schools[third].Title() + "：\n\n请你校对照校务公开目录开展本学期自查，重点检查财务收支、收费和学生资助事项的公开情况，" +
			"并于办理期限内将自查报告答复我局。\n"}); err != nil {
		return err
	}

	// 3. Overdue: about the oldest overdue obligation of the school with the
	// most overdue items; issued after it fell due, not answered in time.
	if overdue != nil {
		// Two days after it fell due, or ten days ago if that is later, on
		// a working day; never before it was overdue, nor after now.
		at := workdayOnOrAfter(time.Date(overdue.Due.Year(), overdue.Due.Month(), overdue.Due.Day()+2, 9, 30, 0, 0, gongkai.Beijing))
		if ten := workdayOnOrBefore(day(10)); at.Before(ten) && gongkai.PeriodOver(overdue.Due, ten) {
			at = ten
		}
		if at.After(now.Add(-time.Hour)) {
			if at = workdayOnOrBefore(now.Add(-time.Hour)); !gongkai.PeriodOver(overdue.Due, at) {
				at = now.Add(-time.Hour)
			}
		}
		y, m, d := overdue.Due.Date()
		if _, err := issue(at, worst, gongkai.OrderIssue{Kind: gongkai.OrderUrge, Workdays: 3, ObligationID: overdue.ID,
			Title: fmt.Sprintf("关于督促公开%s（%s）的通知", overdue.CatalogueName, overdue.PeriodLabel),
			Body: fmt.Sprintf("%s：\n\n经查，你校%s（%s）应于%d年%d月%d日前公开，至今尚未公开。请于办理期限内完成公开，并将办理情况答复我局。\n",
				schools[worst].Title(), overdue.CatalogueName, overdue.PeriodLabel, y, m, d)}); err != nil {
			return err
		}
	}

	// 4. Returned for more, with a new deadline.
	o, err = issue(day(15), second, gongkai.OrderIssue{Kind: gongkai.OrderRectify, Workdays: 10,
		Title: "关于规范学生资助名单公示期满后撤除的通知",
		Body: schools[second].Title() + "：\n\n我局在专项检查中发现，你校学生资助名单在网上公示期满后已不再显示，但校门口实体公示栏的纸质名单仍未撤下，" +
			"不符合《教育部办公厅关于进一步加强学生资助信息公开工作的通知》（教财厅函〔2017〕28号）关于公示期满后及时撤除的要求。\n\n" +
			"请立即撤下，并说明今后防止类似问题的措施。\n"})
	if err != nil {
		return err
	}
	if err := step(day(9), o, principals[second], gongkai.OrderCommand{Action: gongkai.OActAnswer, Comment: "已撤下实体公示栏的纸质名单。"}); err != nil {
		return err
	}
	due := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, gongkai.Beijing).AddDate(0, 0, 7)
	return step(day(6), o, admin, gongkai.OrderCommand{Action: gongkai.OActReturn, Deadline: due,
		Comment: "请补充说明撤下的时间，以及今后公示期满后由谁、在何时撤除纸质名单的制度安排。"})
}
