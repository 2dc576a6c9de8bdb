package gongkai_test

import (
	"testing"
	"time"

	"gongkai"
)

// inspectionNow is the clock of the step tests: in the spring term 2026.
var inspectionNow = time.Date(2026, 5, 20, 10, 0, 0, 0, gongkai.Beijing)

// fullAnswers answers every item of the default checklist: the first
// falls short with a measure, the others are met.
func fullAnswers() []gongkai.InspectionAnswer {
	var out []gongkai.InspectionAnswer
	for i, c := range gongkai.DefaultChecklist {
		a := gongkai.InspectionAnswer{Code: c.Code, Verdict: gongkai.VerdictMet, Measure: "不该留下", Due: day("2026-06-30")}
		if i == 0 {
			a = gongkai.InspectionAnswer{Code: c.Code, Verdict: gongkai.VerdictNotMet, Note: "本学期未开会。", Measure: "六月召开。", Due: day("2026-06-30")}
		}
		out = append(out, a)
	}
	return out
}

// TestSaveInspection walks every (checklist state, draft or submit,
// person): who may save, what is saved and sent; the others get the error
// of their case.
func TestSaveInspection(t *testing.T) {
	term := gongkai.TermOf(inspectionNow)
	stored := map[string]func() *gongkai.Inspection{
		"none": func() *gongkai.Inspection { return nil },
		"draft": func() *gongkai.Inspection {
			in := gongkai.NewInspection(1, term)
			in.ID, in.Answers[0].Title = 3, "本校的措辞"
			return in
		},
		"submitted": func() *gongkai.Inspection {
			in := gongkai.NewInspection(1, term)
			in.ID, in.State = 3, gongkai.InspectionSubmitted
			return in
		},
	}
	for name, cur := range stored {
		for _, submit := range []bool{false, true} {
			for who, a := range orderPeople() {
				c := gongkai.InspectionSave{Term: term, Summary: " 总体良好。 ", Answers: fullAnswers(), Submit: submit}
				out, err := gongkai.SaveInspection(a, 1, cur(), c, inspectionNow)
				var want string
				switch {
				case who != "own.supervisor":
					want = gongkai.EFORBIDDEN
				case name == "submitted":
					want = gongkai.ECONFLICT
				}
				if got := gongkai.ErrorCode(err); got != want {
					t.Errorf("%s, submit %v, by %s: error %q (%v), want %q", name, submit, who, got, err, want)
					continue
				}
				if want != "" {
					continue
				}
				in := out.Inspection
				wantState := map[bool]gongkai.InspectionState{false: gongkai.InspectionDraft, true: gongkai.InspectionSubmitted}[submit]
				if in.State != wantState || in.Summary != "总体良好。" || in.Answers[1].Measure != "" || in.Answers[0].Measure != "六月召开。" {
					t.Errorf("%s, submit %v: saved %+v", name, submit, in)
				}
				if name == "draft" && (in.ID != 3 || in.Answers[0].Title != "本校的措辞") {
					t.Errorf("a draft started earlier lost its id or wording: %+v", in.Answers[0])
				}
				if submit != (len(out.Events) == 1) || submit && (out.Events[0].Type != gongkai.EventInspectionSubmitted || out.Events[0].Data["not_met"] != 1) {
					t.Errorf("%s, submit %v: events %+v", name, submit, out.Events)
				}
			}
		}
	}
}

// TestSaveInspection_input checks what saving asks of the answers.
func TestSaveInspection_input(t *testing.T) {
	sup := orderPeople()["own.supervisor"]
	term := gongkai.TermOf(inspectionNow)
	for _, tc := range []struct {
		name   string
		cmd    func() gongkai.InspectionSave
		cur    func() *gongkai.Inspection
		code   string
		fields []string
	}{
		{"a term not begun", func() gongkai.InspectionSave {
			return gongkai.InspectionSave{Term: gongkai.Term{Year: 2026, Autumn: true}}
		}, nil, gongkai.EINVALID, nil},
		{"a draft half-way", func() gongkai.InspectionSave {
			return gongkai.InspectionSave{Term: term, Answers: fullAnswers()[:2]}
		}, nil, "", nil},
		{"submitting half the items", func() gongkai.InspectionSave {
			return gongkai.InspectionSave{Term: term, Answers: fullAnswers()[:2], Submit: true}
		}, nil, gongkai.EINVALID, []string{"verdict-" + gongkai.DefaultChecklist[2].Code}},
		{"submitting the rest of a stored draft", func() gongkai.InspectionSave {
			return gongkai.InspectionSave{Term: term, Answers: fullAnswers()[2:], Submit: true}
		}, func() *gongkai.Inspection {
			in := gongkai.NewInspection(1, term)
			in.ID = 3
			copy(in.Answers, fullAnswers()[:2])
			return in
		}, "", nil},
		{"a shortfall without a measure", func() gongkai.InspectionSave {
			a := fullAnswers()
			a[0].Measure = ""
			return gongkai.InspectionSave{Term: term, Answers: a, Submit: true}
		}, nil, gongkai.EINVALID, []string{"measure-" + gongkai.DefaultChecklist[0].Code}},
		{"an unknown verdict in a draft", func() gongkai.InspectionSave {
			a := fullAnswers()
			a[1].Verdict = "maybe"
			return gongkai.InspectionSave{Term: term, Answers: a}
		}, nil, gongkai.EINVALID, []string{"verdict-" + gongkai.DefaultChecklist[1].Code}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cur *gongkai.Inspection
			if tc.cur != nil {
				cur = tc.cur()
			}
			_, err := gongkai.SaveInspection(sup, 1, cur, tc.cmd(), inspectionNow)
			if got := gongkai.ErrorCode(err); got != tc.code {
				t.Fatalf("error %q (%v), want %q", got, err, tc.code)
			}
			for _, f := range tc.fields {
				if gongkai.ErrorFields(err)[f] == "" {
					t.Errorf("fields %v, want one for %s", gongkai.ErrorFields(err), f)
				}
			}
		})
	}
}

// TestInspection_TakeMeasure walks every (state, item, person).
func TestInspection_TakeMeasure(t *testing.T) {
	term := gongkai.TermOf(inspectionNow)
	for _, state := range []gongkai.InspectionState{gongkai.InspectionDraft, gongkai.InspectionSubmitted} {
		for _, item := range []string{"short", "met", "done", "unknown"} {
			for who, a := range orderPeople() {
				in := gongkai.NewInspection(1, term)
				in.State, in.Answers = state, fullAnswers()
				code := map[string]string{"short": in.Answers[0].Code, "met": in.Answers[1].Code, "done": in.Answers[0].Code, "unknown": "nope"}[item]
				in.Answers[0].Done = item == "done"
				out, err := in.TakeMeasure(a, code, "已召开会议。", inspectionNow)
				var want string
				switch {
				case who != "own.principal":
					want = gongkai.EFORBIDDEN
				case state == gongkai.InspectionDraft, item == "met", item == "done":
					want = gongkai.ECONFLICT
				case item == "unknown":
					want = gongkai.ENOTFOUND
				}
				if got := gongkai.ErrorCode(err); got != want {
					t.Errorf("%s %s by %s: error %q (%v), want %q", state, item, who, got, err, want)
					continue
				}
				if want == "" && (!out.Answer.Done || out.Answer.DoneBy != a.ID || len(out.Events) != 1 || out.Events[0].Type != gongkai.EventInspectionMeasureDone) {
					t.Errorf("%s %s by %s: %+v, events %+v", state, item, who, out.Answer, out.Events)
				}
			}
		}
	}
}

// TestInspectionToFill: the work page lists a draft all term, a checklist
// not begun in the term's last six weeks only, and nothing once submitted.
func TestInspectionToFill(t *testing.T) {
	spring := gongkai.Term{Year: 2026}
	early, late := time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing), time.Date(2026, 6, 19, 0, 0, 0, 0, gongkai.Beijing)
	edge := time.Date(2026, 6, 18, 23, 59, 0, 0, gongkai.Beijing) // the day before the six weeks begin
	for _, tc := range []struct {
		state gongkai.InspectionState
		now   time.Time
		want  bool
	}{
		{"", early, false}, {"", edge, false}, {"", late, true},
		{gongkai.InspectionDraft, early, true}, {gongkai.InspectionDraft, late, true},
		{gongkai.InspectionSubmitted, early, false}, {gongkai.InspectionSubmitted, late, false},
	} {
		if got := gongkai.InspectionToFill(spring, tc.state, tc.now); got != tc.want {
			t.Errorf("%q at %s: %v, want %v", tc.state, tc.now.Format(time.DateTime), got, tc.want)
		}
	}
}
