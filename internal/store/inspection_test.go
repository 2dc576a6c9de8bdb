package store_test

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/testdb"
)

// answered returns the default checklist with every item met except the
// listed shortfalls.
func answered(term gongkai.Term, shortfalls map[string]gongkai.InspectionAnswer) *gongkai.Inspection {
	in := gongkai.NewInspection(0, term)
	for i := range in.Answers {
		a := &in.Answers[i]
		a.Verdict = gongkai.VerdictMet
		if s, ok := shortfalls[a.Code]; ok {
			a.Verdict, a.Note, a.Measure, a.Due = s.Verdict, s.Note, s.Measure, s.Due
		}
	}
	in.Summary = "本学期校务公开工作总体规范。"
	return in
}

// TestInspection_saveSubmitComplete goes through a term: the supervision
// group saves a draft, cannot submit it incomplete, submits it; it is
// read-only after; the principal marks a measure done; the history and the
// bureau's view count what was found; another school sees nothing.
func TestInspection_saveSubmitComplete(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		f.now = bjDay("2026-06-15").Add(10 * time.Hour)
		sup, principal := f.actors[gongkai.RoleSupervisor], f.actors[gongkai.RolePrincipal]
		spring := gongkai.Term{Year: 2026}

		if _, err := f.db.FindInspection(ctx, f.school.ID, spring); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("before any: %v, want ENOTFOUND", err)
		}
		draft := gongkai.NewInspection(f.school.ID, spring)
		draft.Answers[0].Verdict = gongkai.VerdictMet
		draft.Answers[1].Verdict, draft.Answers[1].Note = gongkai.VerdictNotMet, "两期月报逾期。"
		for _, who := range []gongkai.Role{gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleClerk, gongkai.RoleStaff} {
			if _, err := f.db.SaveInspection(ctx, f.school.ID, f.actors[who], draft.SaveCommand(false)); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
				t.Errorf("%s saves: %v, want EFORBIDDEN", who, err)
			}
		}
		if _, err := f.db.SaveInspection(ctx, f.school.ID, f.outsider, draft.SaveCommand(false)); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("another school's principal saves: %v", err)
		}
		got, err := f.db.SaveInspection(ctx, f.school.ID, sup, draft.SaveCommand(false))
		if err != nil {
			t.Fatalf("save draft: %v", err)
		}
		if got.State != gongkai.InspectionDraft || got.Answers[1].Verdict != gongkai.VerdictNotMet || got.Answers[1].Note != "两期月报逾期。" || got.Answers[2].Verdict != "" ||
			len(got.Answers) != len(gongkai.DefaultChecklist) || got.Answers[1].Title != gongkai.DefaultChecklist[1].Title {
			t.Fatalf("draft as saved: %+v", got)
		}

		// Submitting the incomplete draft names every missing answer.
		_, err = f.db.SaveInspection(ctx, f.school.ID, sup, draft.SaveCommand(true))
		fe := gongkai.ErrorFields(err)
		if gongkai.ErrorCode(err) != gongkai.EINVALID || fe["verdict-procedure"] == "" || fe["measure-catalogue"] == "" || fe["due-catalogue"] == "" || fe["verdict-organisation"] != "" {
			t.Fatalf("incomplete submit: %v", err)
		}
		if in, _ := f.db.FindInspection(ctx, f.school.ID, spring); in.State != gongkai.InspectionDraft {
			t.Fatalf("a refused submit changed the state: %s", in.State)
		}
		// A term not begun yet cannot be filled in.
		if _, err := f.db.SaveInspection(ctx, f.school.ID, sup, (gongkai.NewInspection(f.school.ID, gongkai.Term{Year: 2026, Autumn: true})).SaveCommand(false)); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("future term: %v, want EINVALID", err)
		}

		full := answered(spring, map[string]gongkai.InspectionAnswer{
			"monthly-finance": {Verdict: gongkai.VerdictNotMet, Note: "3月、4月报表逾期公开。", Measure: "财务室每月3日前提交报表。", Due: bjDay("2026-07-10")},
			"feedback":        {Verdict: gongkai.VerdictNotMet, Note: "1件来信逾期答复。", Measure: "指定专人跟踪来信。", Due: bjDay("2026-07-10")},
			"archive":         {Verdict: gongkai.VerdictPartly, Note: "部分登记表未归档。", Measure: "6月底前补齐。", Due: bjDay("2026-06-30")},
		})
		got, err = f.db.SaveInspection(ctx, f.school.ID, sup, full.SaveCommand(true))
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		if got.State != gongkai.InspectionSubmitted || got.SubmittedByName != sup.DisplayName || got.SubmittedAt.IsZero() ||
			got.Count(gongkai.VerdictNotMet) != 2 || got.Count(gongkai.VerdictPartly) != 1 || got.OpenMeasures() != 3 {
			t.Fatalf("submitted: %+v", got)
		}
		if a := got.Answer("catalogue"); a.Verdict != gongkai.VerdictMet || a.Note != "" {
			t.Errorf("the draft's answer was not replaced: %+v", a)
		}
		evs, err := f.db.FindEvents(ctx, f.school.ID, time.Time{}, gongkai.EventInspectionSubmitted)
		if err != nil || len(evs) != 1 || evs[0].Data["term"] != "2026-spring" {
			t.Errorf("submitted event: %v %v", evs, err)
		}

		// Read-only after submission.
		if _, err := f.db.SaveInspection(ctx, f.school.ID, sup, full.SaveCommand(false)); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("save after submit: %v, want ECONFLICT", err)
		}

		// The principal marks a measure done, with a note.
		if _, err := f.db.CompleteMeasure(ctx, f.school.ID, sup, spring, "archive", "已补齐。"); gongkai.ErrorCode(err) != gongkai.EFORBIDDEN {
			t.Errorf("supervisor completes: %v", err)
		}
		if _, err := f.db.CompleteMeasure(ctx, f.school.ID, principal, spring, "archive", " "); gongkai.ErrorFields(err)["done_note"] == "" {
			t.Errorf("no note: %v", err)
		}
		if _, err := f.db.CompleteMeasure(ctx, f.school.ID, principal, spring, "organisation", "无"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("item without measure: %v", err)
		}
		f.now = bjDay("2026-06-29").Add(9 * time.Hour)
		got, err = f.db.CompleteMeasure(ctx, f.school.ID, principal, spring, "archive", "登记表已全部归档。")
		if err != nil {
			t.Fatal(err)
		}
		if a := got.Answer("archive"); !a.Done || a.DoneNote != "登记表已全部归档。" || a.DoneByName != principal.DisplayName || day(a.DoneAt) != "2026-06-29" || got.OpenMeasures() != 2 {
			t.Errorf("done: %+v", a)
		}
		if _, err := f.db.CompleteMeasure(ctx, f.school.ID, principal, spring, "archive", "再次"); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("done twice: %v", err)
		}

		// History, newest term first, with counts; last autumn as a draft.
		f.now = bjDay("2026-06-30").Add(9 * time.Hour)
		autumn := gongkai.Term{Year: 2025, Autumn: true}
		if _, err := f.db.SaveInspection(ctx, f.school.ID, sup, (answered(autumn, nil)).SaveCommand(false)); err != nil {
			t.Fatal(err)
		}
		hist, err := f.db.FindInspections(ctx, f.school.ID)
		if err != nil || len(hist) != 2 {
			t.Fatalf("history: %+v %v", hist, err)
		}
		if hist[0].Term != spring || hist[0].State != gongkai.InspectionSubmitted || hist[0].NotMet != 2 || hist[0].Partly != 1 || hist[0].OpenMeasures != 2 ||
			hist[1].Term != autumn || hist[1].State != gongkai.InspectionDraft || hist[1].NotMet != 0 {
			t.Errorf("history: %+v", hist)
		}
		years, err := f.db.FindYearInspections(ctx, f.school.ID, 2026)
		if err != nil || len(years) != 1 || years[0].Term != spring {
			t.Errorf("2026 inspections: %v %v", years, err)
		}
		if y, _ := f.db.FindYearInspections(ctx, f.school.ID, 2025); len(y) != 0 {
			t.Errorf("2025 has only a draft, got %d submitted", len(y))
		}

		// The bureau sees every school, with or without a checklist.
		rows, err := f.db.BureauInspections(ctx, f.bureau.ID, spring)
		if err != nil || len(rows) != 2 {
			t.Fatalf("bureau: %+v %v", rows, err)
		}
		for _, r := range rows {
			switch r.SchoolID {
			case f.school.ID:
				if r.State != gongkai.InspectionSubmitted || r.NotMet != 2 || r.OpenMeasures != 2 {
					t.Errorf("bureau row of xiangqian: %+v", r)
				}
			case f.other.ID:
				if r.State != "" || r.NotMet != 0 {
					t.Errorf("bureau row of kaiwu: %+v", r)
				}
			}
		}

		// Another school has none of it.
		if _, err := f.db.FindInspection(ctx, f.other.ID, spring); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("other school's spring: %v", err)
		}
		if h, _ := f.db.FindInspections(ctx, f.other.ID); len(h) != 0 {
			t.Errorf("other school's history: %+v", h)
		}
		if _, err := f.db.CompleteMeasure(ctx, f.other.ID, f.outsider, spring, "archive", "x"); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("other school's principal completes: %v", err)
		}
	})
}

// TestInspections_deactivatedSchool: a school deactivated during a term owes
// no self-inspection of it and leaves the bureau's list of the term, but
// stays on the list of a term that ended before.
func TestInspections_deactivatedSchool(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		if _, err := f.db.SetSchoolActive(ctx, f.bureauAdmin(t), f.bureau.ID, f.other.ID, false, "撤并"); err != nil {
			t.Fatal(err)
		}
		listed := func(term gongkai.Term) map[int64]bool {
			rows, err := f.db.BureauInspections(ctx, f.bureau.ID, term)
			if err != nil {
				t.Fatal(err)
			}
			out := map[int64]bool{}
			for _, r := range rows {
				out[r.SchoolID] = true
			}
			return out
		}
		if now := listed(gongkai.Term{Year: 2026}); !now[f.school.ID] || now[f.other.ID] {
			t.Errorf("this term lists %v, want only the active school", now)
		}
		if past := listed(gongkai.Term{Year: 2025, Autumn: true}); !past[f.school.ID] || !past[f.other.ID] {
			t.Errorf("the last term lists %v, want both schools", past)
		}
	})
}
