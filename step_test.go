package gongkai

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// stepItem is an item of school 1 in state from, written by user 7 (the
// actor of actorWith), complete enough to be submitted.
func stepItem(from State) *Disclosure {
	return &Disclosure{ID: 3, SchoolID: 1, State: from, Title: "2026年3月财务收支情况", Body: "收入与支出明细见附件。",
		Category: "finance", Audience: AudiencePublic, PublicityDays: 5, CreatedBy: 7, ClerkID: 7}
}

// TestStep_everyStateActionRole walks every (state, action, role): Step
// allows exactly what the workflow allows, answers with the same code when
// it refuses, and its outcome leads where the table says, with the effects
// and events of that step and of no other.
func TestStep_everyStateActionRole(t *testing.T) {
	const school = 1
	for _, from := range States {
		for _, a := range append(slices.Clone(Actions), ActionClose, ActionCreate, "bogus") {
			for _, r := range append(append([]Role{}, SchoolRoles...), BureauRoles...) {
				t.Run(fmt.Sprintf("%s/%s/%s", from, a, r), func(t *testing.T) {
					actor := actorWith(school, r)
					if r.ValidBureau() {
						actor = &Actor{User: User{ID: 9, BureauID: 1, BureauRole: r}}
					}
					d := stepItem(from)
					if from != StateDraft && from != StateSubmitted {
						d.IndexNo = "S00001-2026-finance-0001"
					}
					o, err := d.Step(actor, a, "理由", StepFacts{})
					var want string
					switch a {
					case ActionEdit, ActionClose, ActionCreate, ActionRevise:
						want = EINVALID
					case "bogus":
						want = ENOTFOUND
					default:
						want = ErrorCode(AuthorizeStep(actor, school, from, "", a))
						if a == ActionRecall && want == "" && actor.ID != d.CreatedBy {
							want = EFORBIDDEN
						}
					}
					if got := ErrorCode(err); got != want {
						t.Fatalf("Step = %q (%v), want %q", got, err, want)
					}
					if err != nil {
						return
					}
					to, _ := Next(from, a)
					if o.From != from || o.To != to || o.Action != a || o.Comment != "理由" {
						t.Fatalf("outcome %+v, want %s → %s", o, from, to)
					}
					checkEffects(t, a, o)
				})
			}
		}
	}
}

// checkEffects asserts that the outcome does what step a does and nothing
// another step does.
func checkEffects(t *testing.T, a Action, o StepOutcome) {
	t.Helper()
	has := map[string]bool{"sign": o.Sign, "unsign": o.Unsign, "check": o.Check, "publish": o.Publish, "withdraw": o.Withdraw}
	want := map[Action]string{ActionApprove: "sign", ActionReturn: "unsign", ActionCheck: "check", ActionPublish: "publish", ActionWithdraw: "withdraw"}
	for effect, on := range has {
		if on != (want[a] == effect) {
			t.Errorf("%s: effect %s = %v", a, effect, on)
		}
	}
	var events []EventType
	switch a {
	case ActionPublish:
		events = []EventType{EventDisclosurePublished}
	case ActionWithdraw:
		events = []EventType{EventDisclosureWithdrawn}
	}
	if !slices.Equal(o.Events, events) {
		t.Errorf("%s: events %v, want %v", a, o.Events, events)
	}
	public := a == ActionPublish || a == ActionWithdraw || a == ActionArchive
	if o.Public != public {
		t.Errorf("%s: public = %v, want %v", a, o.Public, public)
	}
}

func TestStep_recallOnlyByItsClerk(t *testing.T) {
	tests := []struct {
		name           string
		actor          *Actor
		createdBy, clk int64
		from           State
		want           string
	}{
		{"author", actorWith(1, RoleClerk), 7, 8, StateSubmitted, ""},
		{"named clerk", actorWith(1, RoleClerk), 8, 7, StateSubmitted, ""},
		{"principal who wrote it", actorWith(1, RolePrincipal), 7, 7, StateSubmitted, ""},
		{"another clerk", actorWith(1, RoleClerk), 8, 8, StateSubmitted, EFORBIDDEN},
		{"leader", actorWith(1, RoleLeader), 7, 7, StateSubmitted, EFORBIDDEN},
		{"supervisor", actorWith(1, RoleSupervisor), 7, 7, StateSubmitted, EFORBIDDEN},
		{"clerk of another school", actorWith(2, RoleClerk), 7, 7, StateSubmitted, EFORBIDDEN},
		{"anonymous", &Actor{}, 7, 7, StateSubmitted, EUNAUTHENTICATED},
		{"already signed", actorWith(1, RoleClerk), 7, 7, StateApproved, ECONFLICT},
		{"a draft", actorWith(1, RoleClerk), 7, 7, StateDraft, ECONFLICT},
		{"published", actorWith(1, RoleClerk), 7, 7, StatePublished, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := stepItem(tt.from)
			d.CreatedBy, d.ClerkID = tt.createdBy, tt.clk
			o, err := d.Step(tt.actor, ActionRecall, "", StepFacts{})
			if got := ErrorCode(err); got != tt.want {
				t.Fatalf("recall = %q (%v), want %q", got, err, tt.want)
			}
			if err == nil && (o.To != StateDraft || o.Unsign || o.Public || len(o.Events) > 0) {
				t.Fatalf("recall outcome %+v", o)
			}
			if got := slices.Contains(d.ItemSteps(tt.actor), ActionRecall); got != (tt.want == "") {
				t.Fatalf("ItemSteps offers recall = %v", got)
			}
		})
	}
}

func TestStep_submissionChecksTheFacts(t *testing.T) {
	clerk := actorWith(1, RoleClerk)
	phone := Finding{Kind: PIIUnchecked, Place: "正文", Note: "尚未检查"}
	tests := []struct {
		name  string
		edit  func(*Disclosure)
		facts StepFacts
		field string // "" when the submission passes
	}{
		{"complete", nil, StepFacts{}, ""},
		{"no title", func(d *Disclosure) { d.Title = " " }, StepFacts{}, "title"},
		{"short period", func(d *Disclosure) { d.Category, d.PublicityDays = "aid", 1 }, StepFacts{}, "publicity_days"},
		{"not assessed", nil, StepFacts{NeedsAssessment: true}, "catalogue"},
		{"assessed", nil, StepFacts{NeedsAssessment: true, Assessed: true}, ""},
		{"personal data", nil, StepFacts{Findings: []Finding{phone}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := stepItem(StateDraft)
			if tt.edit != nil {
				tt.edit(d)
			}
			_, err := d.Step(clerk, ActionSubmit, "", tt.facts)
			if tt.name == "personal data" {
				if ErrorCode(err) != EINVALID {
					t.Fatalf("submission with personal data: %v", err)
				}
				return
			}
			if tt.field == "" {
				if err != nil {
					t.Fatalf("submission refused: %v", err)
				}
				return
			}
			if _, ok := ErrorFields(err)[tt.field]; !ok || ErrorCode(err) != EINVALID {
				t.Fatalf("submission = %v (fields %v), want an error on %s", err, ErrorFields(err), tt.field)
			}
			if !errorsEqual(d.CheckSubmission(tt.facts), err) {
				t.Fatalf("CheckSubmission differs from the step: %v", d.CheckSubmission(tt.facts))
			}
		})
	}
}

func errorsEqual(a, b error) bool {
	return ErrorMessage(a) == ErrorMessage(b) && ErrorCode(a) == ErrorCode(b)
}

func TestStep_comment(t *testing.T) {
	leader := actorWith(1, RoleLeader)
	for _, tt := range []struct {
		name, comment string
		ok            bool
	}{
		{"required for a return", "  ", false},
		{"with a NUL", "退回\x00", false},
		{"too long", strings.Repeat("长", MaxCommentRunes+1), false},
		{"trimmed", "  请补充附件。 ", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o, err := stepItem(StateSubmitted).Step(leader, ActionReturn, tt.comment, StepFacts{})
			if (err == nil) != tt.ok {
				t.Fatalf("return with %q: %v", tt.comment, err)
			}
			if err != nil {
				if _, ok := ErrorFields(err)["comment"]; !ok {
					t.Fatalf("error not on the comment: %v", err)
				}
				return
			}
			if o.Comment != "请补充附件。" {
				t.Fatalf("comment %q", o.Comment)
			}
		})
	}
}
