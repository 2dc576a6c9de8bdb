// Package demo loads a fictional county with four schools for `make run`.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/extract"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// Password is the password of every demo account.
const Password = "gongkai-demo"

// Load creates the demo county, idempotently: whatever already exists (the
// bureau, a school, a user, an item with the same title) is kept, so a
// second run changes nothing and an interrupted run completes. It moves the
// store's clock through the history, so run it before serving.
func Load(ctx context.Context, db *store.DB, blobs files.Store, now time.Time) error {
	saved := db.Now
	defer func() { db.Now = saved }()
	clock := now
	db.Now = func() time.Time { return clock }

	hash, err := auth.HashPassword(Password)
	if err != nil {
		return err
	}
	bureau, err := findOrCreateBureau(ctx, db, Bureau())
	if err != nil {
		return err
	}
	for _, spec := range []struct {
		login, name string
		role        gongkai.Role
	}{{"bureau.admin", "县教育局管理员", gongkai.RoleBureauAdmin}, {"bureau.inspector", "县教育局督查员", gongkai.RoleInspector}} {
		u := &gongkai.User{Username: spec.login, DisplayName: spec.name, BureauID: bureau.ID, BureauRole: spec.role}
		if err := db.CreateUser(ctx, u, hash); err != nil && gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			return err
		}
	}
	var archive []archiveTask
	for _, ss := range Schools() {
		tasks, err := loadSchool(ctx, db, blobs, bureau, ss, hash, now, &clock)
		if err != nil {
			return fmt.Errorf("school %s: %w", ss.Slug, err)
		}
		archive = append(archive, tasks...)
	}
	if err := loadFeedback(ctx, db, now, &clock); err != nil {
		return fmt.Errorf("feedback: %w", err)
	}
	if err := loadObligations(ctx, db, now, &clock); err != nil { // obligations.go
		return fmt.Errorf("obligations: %w", err)
	}
	if err := loadSurveys(ctx, db, now, &clock); err != nil { // surveys.go
		return fmt.Errorf("surveys: %w", err)
	}
	if err := loadReports(ctx, db, now, &clock); err != nil { // reports.go
		return fmt.Errorf("self-inspections: %w", err)
	}
	if err := loadOrders(ctx, db, now, &clock); err != nil { // orders.go
		return fmt.Errorf("orders: %w", err)
	}
	clock = now
	if _, err := db.CloseEndedPeriods(ctx); err != nil {
		return err
	}
	// The reminders of what is overdue or due soon today, as the daily
	// sweep would have sent them: the notifications name what the
	// obligations page shows open.
	if _, err := db.RemindObligations(ctx); err != nil {
		return err
	}
	for _, t := range archive {
		d, err := db.FindDisclosureByID(ctx, t.schoolID, t.id)
		if err != nil {
			return err
		}
		if d.State == gongkai.StateClosed || d.State == gongkai.StateWithdrawn {
			if _, err := db.Act(ctx, t.schoolID, t.id, t.actor, gongkai.ActionArchive, "", nil); err != nil {
				return fmt.Errorf("archive %q: %w", d.Title, err)
			}
		}
	}
	return nil
}

type archiveTask struct {
	schoolID, id int64
	actor        *gongkai.Actor
}

func findOrCreateBureau(ctx context.Context, db *store.DB, seed gongkai.Bureau) (*gongkai.Bureau, error) {
	bs, err := db.FindBureaus(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if b.Name == seed.Name {
			return b, nil
		}
	}
	return &seed, db.CreateBureau(ctx, &seed)
}

func loadSchool(ctx context.Context, db *store.DB, blobs files.Store, bureau *gongkai.Bureau, ss SchoolSeed, hash string, now time.Time, clock *time.Time) ([]archiveTask, error) {
	school, err := db.FindSchoolBySlug(ctx, ss.Slug)
	created := false
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		school = &gongkai.School{BureauID: bureau.ID, Slug: ss.Slug, Name: ss.Name, FullName: ss.FullName, Code: ss.Code, Address: ss.Address, Phone: ss.Phone,
			CreditCode: ss.CreditCode, Stage: ss.Stage, AdmissionPhone: ss.AdmissionPhone, AidPhone: ss.AidPhone, OfficeHours: ss.OfficeHours, Guide: ss.Guide}
		*clock = now.AddDate(-2, 0, 0)
		if err := db.CreateSchool(ctx, school, ss.Departments); err != nil {
			return nil, err
		}
		created = true
	} else if err != nil {
		return nil, err
	}
	depts, err := db.FindDepartments(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	deptID := map[string]int64{}
	for _, d := range depts {
		deptID[d.Name] = d.ID
	}
	actors := map[string]*gongkai.Actor{}
	for _, p := range ss.People {
		username := ss.Slug + "." + p.Login
		u, _, err := db.FindUserForLogin(ctx, username)
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			u = &gongkai.User{Username: username, DisplayName: p.DisplayName}
			if err := db.CreateMember(ctx, school.ID, u, hash, p.Roles, deptID[p.Department]); err != nil {
				return nil, fmt.Errorf("user %s: %w", username, err)
			}
		} else if err != nil {
			return nil, err
		}
		a, err := db.LoadActor(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		actors[p.Login] = a
	}
	if created {
		*clock = now // the code must still be valid when the demo runs
		if _, err := db.CreateInvitation(ctx, school.ID, actors["principal"], "一年级一班家长", 200, 365*24*time.Hour); err != nil {
			return nil, err
		}
	}
	need := func(login string) (*gongkai.Actor, error) {
		if a := actors[login]; a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("demo person %q missing", login)
	}
	principal, err := need("principal")
	if err != nil {
		return nil, err
	}
	leader, err := need("leader")
	if err != nil {
		return nil, err
	}
	supervisor, err := need("supervisor")
	if err != nil {
		return nil, err
	}
	if err := ensureAssessments(ctx, db, school, principal, supervisor, now, clock); err != nil {
		return nil, err
	}
	existing, err := existingTitles(ctx, db, school.ID)
	if err != nil {
		return nil, err
	}
	// The compliance calendar comes first, so that each item meets its own
	// period's obligation when it is published (postings.go: the fees when
	// they are posted on the board).
	from, to := obligationWindow(now)
	*clock = from.AddDate(0, 0, -1)
	if err := requirePaper(ctx, db, school.ID, principal); err != nil {
		return nil, err
	}
	if _, err := db.EnsureObligations(ctx, school.ID, from, to); err != nil {
		return nil, err
	}
	obs, err := db.FindObligations(ctx, school.ID, store.ObligationFilter{})
	if err != nil {
		return nil, err
	}
	open := map[string]int64{}
	for _, o := range obs {
		if o.Open() {
			open[dutyKey(o.CatalogueCode, o.PeriodKey)] = o.ID
		}
	}
	var tasks []archiveTask
	for _, it := range Items(ss.Slug, now) {
		if existing[it.Title] {
			continue
		}
		clerk := actors[it.Clerk]
		if clerk == nil {
			if clerk, err = need("clerk"); err != nil {
				return nil, err
			}
		}
		obID := open[dutyKey(it.Catalogue, it.Period)]
		if it.Period != "" && obID == 0 {
			// Met or waived in an earlier run on another day: the item
			// must not meet another period's obligation instead.
			it.Catalogue = ""
		}
		id, err := loadItem(ctx, db, blobs, school, clerk, leader, principal, supervisor, deptID[it.Department], obID, it, clock)
		if err != nil {
			return nil, fmt.Errorf("item %s: %w", it.Key, err)
		}
		if it.Target == gongkai.StateArchived {
			tasks = append(tasks, archiveTask{school.ID, id, clerk})
		}
	}
	return tasks, nil
}

func existingTitles(ctx context.Context, db *store.DB, schoolID int64) (map[string]bool, error) {
	seen := map[string]bool{}
	for page := 1; ; page++ {
		items, total, err := db.FindDisclosures(ctx, schoolID, store.DisclosureFilter{Page: page, PerPage: 100})
		if err != nil {
			return nil, err
		}
		for _, d := range items {
			seen[d.Title] = true
		}
		if page*100 >= total {
			return seen, nil
		}
	}
}

// loadItem walks one item through the procedure on the item's own timeline.
func loadItem(ctx context.Context, db *store.DB, blobs files.Store, school *gongkai.School, clerk, leader, principal, supervisor *gongkai.Actor,
	deptID, obligationID int64, it ItemSeed, clock *time.Time) (int64, error) {
	*clock = it.Created
	step := func(d time.Duration) { *clock = clock.Add(d) }
	d := &gongkai.Disclosure{Title: it.Title, Body: it.Body, Category: it.Category, Audience: it.Audience, PublicityDays: it.PublicityDays,
		DocNumber: it.DocNumber, LegalBasis: it.LegalBasis, DepartmentID: deptID, Channels: it.Channels, CatalogueCode: it.Catalogue}
	if err := db.CreateDisclosure(ctx, school.ID, clerk, d); err != nil {
		return 0, err
	}
	if obligationID != 0 {
		if err := db.SetDisclosureObligation(ctx, school.ID, d.ID, obligationID); err != nil {
			return 0, err
		}
	}
	if f := it.Attachment; f != nil {
		st, err := blobs.Put(ctx, bytes.NewReader(f.Data), f.Name, gongkai.MaxAttachmentBytes)
		if err != nil {
			return 0, err
		}
		a := &gongkai.Attachment{Filename: f.Name, ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
		if err := db.AddAttachment(ctx, school.ID, d.ID, clerk, a); err != nil {
			return 0, err
		}
		// Read for personal data as an upload is, before it is submitted.
		allowed, err := db.AllowedPhones(ctx, school.ID)
		if err != nil {
			return 0, err
		}
		fs := extract.Scan(bytes.NewReader(f.Data), int64(len(f.Data)), st.ContentType, f.Name, allowed)
		if err := db.SaveAttachmentScan(ctx, school.ID, st.SHA256, fs); err != nil {
			return 0, err
		}
	}
	act := func(who *gongkai.Actor, a gongkai.Action, comment string, rev *store.Revision) error {
		step(47 * time.Minute)
		_, err := db.Act(ctx, school.ID, d.ID, who, a, comment, rev)
		return err
	}
	rank := map[gongkai.State]int{gongkai.StateDraft: 0, gongkai.StateSubmitted: 1, gongkai.StateApproved: 2, gongkai.StateChecked: 3,
		gongkai.StatePublished: 4, gongkai.StateClosed: 4, gongkai.StateArchived: 4, gongkai.StateWithdrawn: 4}[it.Target]
	if it.Target == gongkai.StateDraft && it.ReturnReason == "" {
		return d.ID, nil
	}
	if err := act(clerk, gongkai.ActionSubmit, "", nil); err != nil {
		return 0, err
	}
	if it.ReturnReason != "" {
		if err := act(leader, gongkai.ActionReturn, it.ReturnReason, nil); err != nil {
			return 0, err
		}
		if rank == 0 {
			return d.ID, nil
		}
		step(20 * time.Hour)
		if err := act(clerk, gongkai.ActionSubmit, "", nil); err != nil {
			return 0, err
		}
	}
	if it.Comment != "" {
		if err := act(leader, gongkai.ActionComment, it.Comment, nil); err != nil {
			return 0, err
		}
	}
	if rank < 2 {
		return d.ID, nil
	}
	if err := act(principal, gongkai.ActionApprove, "", nil); err != nil {
		return 0, err
	}
	if rank < 3 {
		return d.ID, nil
	}
	if err := act(supervisor, gongkai.ActionCheck, "", nil); err != nil {
		return 0, err
	}
	if rank < 4 {
		return d.ID, nil
	}
	if !it.Published.IsZero() && it.Published.After(*clock) {
		*clock = it.Published
	}
	if err := act(clerk, gongkai.ActionPublish, "", nil); err != nil {
		return 0, err
	}
	if err := postOnPaper(ctx, db, school, d.ID, clerk, it, clock); err != nil {
		return 0, fmt.Errorf("posting: %w", err)
	}
	if it.Revisions > 0 && it.RevisedBody != "" {
		// A revision is signed again: drafted by the clerk, reviewed by the
		// leadership group, signed by the principal, checked by the
		// supervision group, then published by the clerk.
		step(26 * time.Hour)
		if err := act(clerk, gongkai.ActionRevise, it.Reason, &store.Revision{Title: it.Title, Body: it.RevisedBody, DocNumber: it.DocNumber}); err != nil {
			return 0, err
		}
		for _, s := range []struct {
			who     *gongkai.Actor
			a       gongkai.Action
			comment string
		}{
			{clerk, gongkai.ActionSubmit, ""},
			{leader, gongkai.ActionComment, "同意更正。"},
			{principal, gongkai.ActionApprove, ""},
			{supervisor, gongkai.ActionCheck, ""},
			{clerk, gongkai.ActionPublish, ""},
		} {
			step(47 * time.Minute)
			if _, err := db.ActRevision(ctx, school.ID, d.ID, s.who, s.a, s.comment); err != nil {
				return 0, fmt.Errorf("revision %s: %w", s.a, err)
			}
		}
	}
	if it.Target == gongkai.StateWithdrawn {
		step(30 * time.Hour)
		if err := act(principal, gongkai.ActionWithdraw, it.Reason, nil); err != nil {
			return 0, err
		}
	}
	return d.ID, nil
}

// ensureAssessments records, as the principal did when the school started
// on gongkai, the impact assessment of every catalogue item that publishes
// a list of people, so that its items may be entered (PIPL art. 55).
func ensureAssessments(ctx context.Context, db *store.DB, school *gongkai.School, principal, supervisor *gongkai.Actor, now time.Time, clock *time.Time) error {
	cat, err := db.FindCatalogue(ctx, school.ID)
	if err != nil {
		return err
	}
	done, err := db.FindImpactAssessments(ctx, school.ID, "")
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, a := range done {
		has[a.CatalogueCode] = true
	}
	*clock = now.AddDate(-2, 0, 1)
	for _, c := range cat {
		if !c.Roster.Holds() || has[c.Code] {
			continue
		}
		purpose := "公示评定结果，接受学生、家长和社会对评定程序与结果的监督。"
		if c.Roster.Kind == gongkai.RosterStaff {
			purpose = "公示评定结果，接受全体教职工对评定程序与结果的监督。"
		}
		a := &gongkai.ImpactAssessment{CatalogueCode: c.Code, Purpose: purpose, Fields: c.Roster.FieldsText(),
			Audience: c.Audience.Label(), Retention: c.Roster.Takedown.Label() + "；原件由经办处室存档，查阅须登记理由。",
			CheckedBy: supervisor.DisplayName + "（监督小组组长）", AssessedOn: *clock}
		if err := db.CreateImpactAssessment(ctx, school.ID, principal, a); err != nil {
			return fmt.Errorf("impact assessment of %s: %w", c.Code, err)
		}
	}
	return nil
}
