package demo

import (
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// loadObligations completes each demo school's compliance calendar, whose
// obligations loadSchool created and whose items met them as they were
// published: the principal waives the obligations the plan releases, with
// the reason, the day after they fell due; and two schools record a large
// expense eight days ago, not disclosed yet. Idempotent: an obligation
// already met or waived is left alone, and a school that has recorded an
// expense records none again.
func loadObligations(ctx context.Context, db *store.DB, now time.Time, clock *time.Time) error {
	defer func() { *clock = now }()
	for k, ss := range Schools() {
		*clock = now
		school, err := db.FindSchoolBySlug(ctx, ss.Slug)
		if err != nil {
			return err
		}
		actor := func(login string) (*gongkai.Actor, error) {
			u, _, err := db.FindUserForLogin(ctx, ss.Slug+"."+login)
			if err != nil {
				return nil, fmt.Errorf("demo person %s.%s: %w", ss.Slug, login, err)
			}
			return db.LoadActor(ctx, u.ID)
		}
		plan := planCompliance(ss.Slug, now, workCalendar())
		if len(plan.waived) > 0 {
			principal, err := actor("principal")
			if err != nil {
				return err
			}
			obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{})
			if err != nil {
				return err
			}
			for _, o := range obs {
				reason := plan.waived[dutyKey(o.CatalogueCode, o.PeriodKey)]
				if reason == "" || !o.Open() {
					continue
				}
				*clock = minTime(workdayOnOrAfter(o.Due.Add(34*time.Hour)), now.Add(-time.Hour))
				if err := db.WaiveObligation(ctx, school.ID, o.ID, principal, reason); err != nil {
					return fmt.Errorf("waive %s %s: %w", o.CatalogueCode, o.PeriodKey, err)
				}
			}
		}
		if k >= 2 {
			continue
		}
		*clock = now
		recorded, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{CatalogueCode: "large-expense"})
		if err != nil {
			return err
		}
		if len(recorded) > 0 {
			continue
		}
		clerk, err := actor("clerk")
		if err != nil {
			return err
		}
		title := []string{"购置多媒体教学一体机12台", "食堂厨房设备更新改造"}[k]
		amount := []int64{8650000, 4280000}[k]
		if _, err := db.RecordEvent(ctx, school.ID, clerk, "large-expense", title, now.AddDate(0, 0, -8), amount); err != nil {
			return fmt.Errorf("record event: %w", err)
		}
	}
	return nil
}
