package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// loadObligations gives each demo school a year of its compliance
// calendar: the obligations of the past twelve months and the next two,
// most met by an item published on time, some late, a few left overdue
// (a different number per school, so the bureau sees differences), a couple
// waived with reasons, and a recorded large expense. Idempotent: what exists
// is kept, and an obligation already met or waived is left alone.
func loadObligations(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	for k, ss := range Schools() {
		*clock = now
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		if _, err := db.EnsureObligations(ctx, school.ID, now.AddDate(-1, 0, 0), now.AddDate(0, 2, 0)); err != nil {
			return err
		}
		actor := func(login string) (*gongkai.Actor, error) {
			u, _, err := db.FindUserForLogin(ctx, ss.Slug+"."+login)
			if err != nil {
				return nil, fmt.Errorf("demo person %s.%s: %w", ss.Slug, login, err)
			}
			return db.LoadActor(ctx, u.ID)
		}
		team := map[string]*gongkai.Actor{}
		for _, login := range []string{"principal", "leader", "supervisor", "clerk"} {
			if team[login], err = actor(login); err != nil {
				return err
			}
		}
		cat, err := db.FindCatalogue(ctx, school.ID)
		if err != nil {
			return err
		}
		items := map[string]gongkai.CatalogueItem{}
		for _, c := range cat {
			items[c.Code] = c
		}
		obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{States: []gongkai.ObligationState{gongkai.ObOverdue}})
		if err != nil {
			return err
		}
		// The most recent few stay overdue; a couple are waived.
		leave := []int{1, 3, 0}[k%3]
		if leave > len(obs) {
			leave = len(obs)
		}
		waived := 0
		for i, o := range obs[:len(obs)-leave] {
			if waived < 1 && k < 2 && (o.CatalogueCode == "aid-roster" || o.CatalogueCode == "staff-evaluation") {
				waived++
				*clock = o.Due.Add(34 * time.Hour)
				reason := "本学期资助名单由县学生资助管理中心统一评定并公示，学校无需另行公示。"
				if o.CatalogueCode == "staff-evaluation" {
					reason = "本年度教职工考核方案调整，经县教育局同意延至下学年与新方案一并公开。"
				}
				if err := db.WaiveObligation(ctx, school.ID, o.ID, team["principal"], reason); err != nil {
					return fmt.Errorf("waive %s %s: %w", o.CatalogueCode, o.PeriodKey, err)
				}
				continue
			}
			late := (i+k)%5 == 3
			if err := publishFor(ctx, db, school, team, items[o.CatalogueCode], o, late, now, clock); err != nil {
				return fmt.Errorf("obligation %s %s: %w", o.CatalogueCode, o.PeriodKey, err)
			}
		}
		// A large expense recorded eight days ago, not disclosed yet.
		if k < 2 {
			*clock = now
			recorded, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{CatalogueCode: "large-expense"})
			if err != nil {
				return err
			}
			if len(recorded) == 0 {
				title := []string{"购置多媒体教学一体机12台", "食堂厨房设备更新改造"}[k]
				amount := []int64{8650000, 4280000}[k]
				if _, err := db.RecordEvent(ctx, school.ID, team["clerk"], "large-expense", title, now.AddDate(0, 0, -8), amount); err != nil {
					return fmt.Errorf("record event: %w", err)
				}
			}
		}
	}
	*clock = now
	return nil
}

// publishFor publishes an item meeting the obligation: a few working days
// before its due date, or, when late, two days after it.
func publishFor(ctx context.Context, db *store.DB, school *gongkai.School, team map[string]*gongkai.Actor, item gongkai.CatalogueItem,
	o *store.Obligation, late bool, now time.Time, clock *time.Time) error {
	at := time.Date(o.Due.Year(), o.Due.Month(), o.Due.Day(), 10, 0, 0, 0, gongkai.Beijing)
	if late {
		at = at.AddDate(0, 0, 2)
	} else {
		at = at.AddDate(0, 0, -3)
	}
	if at.After(now) {
		at = now.Add(-time.Hour)
	}
	*clock = at.Add(-26 * time.Hour)
	title := "关于" + o.PeriodLabel + item.Name + "的公示"
	if o.CatalogueCode == "monthly-finance" {
		title = "关于" + o.PeriodLabel + "份财务收支情况的公示"
	}
	days := item.PublicityDays
	if c, ok := gongkai.CategoryByCode(item.Category); ok && days < c.MinPublicityDays {
		days = c.MinPublicityDays
	}
	d := &gongkai.Disclosure{Title: title, Category: item.Category, CatalogueCode: item.Code, Audience: item.Audience, PublicityDays: days,
		LegalBasis: item.LegalBasis, Channels: []gongkai.Channel{"online", "board"},
		Body: fmt.Sprintf("根据本校校务公开目录，现将%s%s有关情况公开如下。\n\n详细材料存学校%s，欢迎教职工、家长查阅。如有意见，请在公示期内通过意见箱或校长信箱反映。",
			o.PeriodLabel, item.Name, item.Department)}
	if d.Audience == "" {
		d.Audience = gongkai.AudiencePublic
	}
	if err := db.CreateDisclosure(ctx, school.ID, team["clerk"], d); err != nil {
		return err
	}
	if err := db.SetDisclosureObligation(ctx, school.ID, d.ID, o.ID); err != nil {
		return err
	}
	for _, step := range []struct {
		who    string
		action gongkai.Action
	}{{"clerk", gongkai.ActionSubmit}, {"principal", gongkai.ActionApprove}, {"supervisor", gongkai.ActionCheck}, {"clerk", gongkai.ActionPublish}} {
		*clock = clock.Add(2 * time.Hour)
		if step.action == gongkai.ActionPublish {
			*clock = at
		}
		if _, err := db.Act(ctx, school.ID, d.ID, team[step.who], step.action, "", nil); err != nil {
			return fmt.Errorf("%s: %w", step.action, err)
		}
	}
	return nil
}
