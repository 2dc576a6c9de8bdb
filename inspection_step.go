package gongkai

import "time"

// InspectionSave is the supervision group saving a term's checklist as a
// draft or submitting it. The answers are matched to the checklist's items
// by code; answers may cover part of the items.
type InspectionSave struct {
	Term    Term
	Summary string
	Answers []InspectionAnswer
	Submit  bool
}

// InspectionOutcome is what saving decided: the checklist as it is after
// it (ID 0 when it is new) and the events to send.
type InspectionOutcome struct {
	Inspection *Inspection
	Events     []StepEvent
}

// SaveInspection decides a save of the school's checklist for the term at
// now; cur is the checklist stored, nil when there is none yet (it then
// starts from the default items; one started earlier keeps its items'
// wording). Errors: EFORBIDDEN for whoever is not of the supervision
// group, EINVALID for a term not yet begun or answers that fail
// Inspection.Validate (for a submission, the checklist as a whole must
// pass, not only the part sent), ECONFLICT once submitted. Submitting
// sends EventInspectionSubmitted.
func SaveInspection(a *Actor, schoolID int64, cur *Inspection, c InspectionSave, now time.Time) (InspectionOutcome, error) {
	if !CanFillInspection(a, schoolID) {
		return InspectionOutcome{}, Errorf(EFORBIDDEN, "自查表由监督小组填写。")
	}
	if c.Term.After(TermOf(now)) {
		return InspectionOutcome{}, Errorf(EINVALID, "%s尚未开始，不能填写自查表。", c.Term.Label())
	}
	sent := &Inspection{SchoolID: schoolID, Term: c.Term, Summary: c.Summary, Answers: c.Answers}
	if err := sent.Validate(c.Submit, now); err != nil {
		return InspectionOutcome{}, err
	}
	if cur == nil {
		cur = NewInspection(schoolID, c.Term)
	} else if !cur.Editable() {
		return InspectionOutcome{}, Errorf(ECONFLICT, "%s的自查表已提交，不能再修改。", c.Term.Label())
	}
	given := map[string]InspectionAnswer{}
	for _, g := range sent.Answers {
		given[g.Code] = g
	}
	next := *cur
	next.Summary, next.UpdatedAt, next.UpdatedByName = sent.Summary, now, a.DisplayName
	next.Answers = make([]InspectionAnswer, len(cur.Answers))
	for i, ans := range cur.Answers {
		if g, ok := given[ans.Code]; ok {
			ans.Verdict, ans.Note, ans.Measure, ans.Due = g.Verdict, g.Note, g.Measure, g.Due
		}
		if !ans.Verdict.Shortfall() {
			ans.Measure, ans.Due = "", time.Time{}
		}
		next.Answers[i] = ans
	}
	if !c.Submit {
		next.State = InspectionDraft
		return InspectionOutcome{Inspection: &next}, nil
	}
	if err := next.Validate(true, now); err != nil {
		return InspectionOutcome{}, err
	}
	next.State, next.SubmittedBy, next.SubmittedByName, next.SubmittedAt = InspectionSubmitted, a.ID, a.DisplayName, now
	return InspectionOutcome{Inspection: &next, Events: []StepEvent{{Type: EventInspectionSubmitted, Data: map[string]any{
		"term": c.Term.Key(), "label": c.Term.Label(), "not_met": next.Count(VerdictNotMet), "partly": next.Count(VerdictPartly), "by": a.DisplayName,
	}}}}, nil
}

// MeasureOutcome is what marking a measure done decided.
type MeasureOutcome struct {
	Answer *InspectionAnswer
	Events []StepEvent
}

// TakeMeasure decides the principal marking the measure of the item done
// with a note at now: EFORBIDDEN for anyone else, then CompleteMeasure's
// errors. It sends EventInspectionMeasureDone.
func (in *Inspection) TakeMeasure(a *Actor, code, note string, now time.Time) (MeasureOutcome, error) {
	if !CanCompleteMeasure(a, in.SchoolID) {
		return MeasureOutcome{}, Errorf(EFORBIDDEN, "整改完成情况由校长登记。")
	}
	ans, err := in.CompleteMeasure(code, note, now)
	if err != nil {
		return MeasureOutcome{}, err
	}
	ans.DoneBy, ans.DoneByName = a.ID, a.DisplayName
	note = ans.DoneNote
	if r := []rune(note); len(r) > 200 {
		note = string(r[:199]) + "…"
	}
	return MeasureOutcome{Answer: ans, Events: []StepEvent{{Type: EventInspectionMeasureDone, Data: map[string]any{
		"term": in.Term.Key(), "label": in.Term.Label(), "title": ans.Title, "note": note, "by": a.DisplayName,
	}}}}, nil
}

// SaveCommand is the save of the checklist as filled in: its term,
// summary and answers, submitted or not.
func (in *Inspection) SaveCommand(submit bool) InspectionSave {
	return InspectionSave{Term: in.Term, Summary: in.Summary, Answers: in.Answers, Submit: submit}
}
