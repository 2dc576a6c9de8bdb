package gongkai

import (
	"strings"
	"unicode/utf8"
)

// What one step of an item's procedure does, decided without I/O: the
// store locks the item, looks up the facts the step needs, calls Step,
// then writes what the outcome says. Starting a revision (ActionRevise)
// and the steps of a pending revision have their own functions
// (revision.go); closing is the system's (PeriodOver).

// ActionRecall takes a submitted draft back before the principal signs it
// (撤回提交): the leadership group may have commented on it, but nothing
// is signed yet, so the clerk may still change it.
const ActionRecall Action = "recall"

// MaxCommentRunes bounds a step's comment or reason.
const MaxCommentRunes = 2000

// StepFacts are what the store looked up for a step. Only a submission
// needs any: the registration form is checked whole, with what the school
// has on record about it.
type StepFacts struct {
	// NeedsAssessment is set when the item's catalogue item publishes
	// personal data (its roster rule holds); Assessed when the principal
	// has filled that item's impact assessment.
	NeedsAssessment, Assessed bool
	// Findings are the personal data found in the draft's text and files,
	// a file not read yet counting as one.
	Findings []Finding
}

// StepOutcome is what a step does to the item.
type StepOutcome struct {
	Action   Action
	From, To State
	Comment  string // trimmed; the trail's comment, a withdrawal's reason
	// Sign records the principal's signature on the current version;
	// Unsign takes back the signature and the check of a returned one;
	// Check records the supervision group's check.
	Sign, Unsign, Check bool
	// Publish starts the publicity period; FirstPublication gives the item
	// its index number and meets the obligation chosen for it.
	Publish, FirstPublication bool
	// Withdraw records the reason and time and takes personal data down;
	// AbandonRevision gives up the pending revision with it.
	Withdraw, AbandonRevision bool
	// Public is set when the board changes, so its pages are dropped.
	Public bool
	// Events are told after the change commits.
	Events []EventType
}

// CleanComment trims a step's comment and refuses what cannot be stored.
func CleanComment(comment string) (string, error) {
	comment = strings.TrimSpace(comment)
	if HasNUL(comment) {
		return "", fieldError("comment", "意见含有无法保存的空字符。")
	}
	if utf8.RuneCountInString(comment) > MaxCommentRunes {
		return "", fieldError("comment", "意见不能超过 2000 字。")
	}
	return comment, nil
}

func fieldError(field, msg string) error {
	return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{field: msg}}
}

// AuthorizeItem is AuthorizeStep for this item: a submission is recalled
// only by its own clerk, the one who wrote it or the one named on it.
func (d *Disclosure) AuthorizeItem(actor *Actor, a Action) error {
	if err := AuthorizeStep(actor, d.SchoolID, d.State, d.RevisionState, a); err != nil {
		return err
	}
	if a == ActionRecall && actor.ID != d.CreatedBy && actor.ID != d.ClerkID {
		return Errorf(EFORBIDDEN, "只有本事项的经办人可以撤回提交。")
	}
	return nil
}

// ItemSteps lists the steps the actor may take on this item now, for
// buttons.
func (d *Disclosure) ItemSteps(actor *Actor) []Action {
	var as []Action
	for _, a := range AvailableSteps(actor, d.SchoolID, d.State, d.RevisionState) {
		if d.AuthorizeItem(actor, a) == nil {
			as = append(as, a)
		}
	}
	return as
}

// Step decides one step of the item's procedure taken by actor: whether it
// is allowed, and what it does. The item's Body must be loaded for a
// submission. Errors: EUNAUTHENTICATED, EFORBIDDEN, ECONFLICT (the state
// does not allow it), EINVALID (a missing comment, an incomplete form),
// ENOTFOUND (no such step).
func (d *Disclosure) Step(actor *Actor, a Action, comment string, f StepFacts) (StepOutcome, error) {
	comment, err := CleanComment(comment)
	if err != nil {
		return StepOutcome{}, err
	}
	switch {
	case a == ActionEdit || a == ActionClose || a == ActionCreate || a == ActionRevise:
		return StepOutcome{}, Errorf(EINVALID, "不支持的操作：%s", a)
	case !knownAction(a):
		return StepOutcome{}, Errorf(ENOTFOUND, "没有这个操作。")
	}
	if err := d.AuthorizeItem(actor, a); err != nil {
		return StepOutcome{}, err
	}
	if CommentRequired(a) && comment == "" {
		msg := "请填写理由。"
		if a == ActionComment {
			msg = "请填写审议意见。"
		}
		return StepOutcome{}, fieldError("comment", msg)
	}
	to, err := Next(d.State, a)
	if err != nil {
		return StepOutcome{}, err
	}
	o := StepOutcome{Action: a, From: d.State, To: to, Comment: comment}
	switch a {
	case ActionSubmit:
		if err := d.CheckSubmission(f); err != nil {
			return StepOutcome{}, err
		}
	case ActionApprove:
		o.Sign = true
	case ActionCheck:
		o.Check = true
	case ActionReturn:
		o.Unsign = true
	case ActionPublish:
		o.Publish, o.FirstPublication = true, d.IndexNo == ""
		o.Events = append(o.Events, EventDisclosurePublished)
	case ActionWithdraw:
		o.Withdraw, o.AbandonRevision = true, WithdrawAbandons(a, d.RevisionState)
		o.Events = append(o.Events, EventDisclosureWithdrawn)
	}
	o.Public = d.Published() || to == StatePublished
	return o, nil
}

// CheckSubmission is what a submission requires: the whole form, the
// impact assessment of an item that names people, and no personal data
// left unhandled. The form shows what it refuses after a refused
// submission, before the next one.
func (d *Disclosure) CheckSubmission(f StepFacts) error {
	if err := d.ValidateForSubmit(); err != nil {
		return err
	}
	if f.NeedsAssessment && !f.Assessed {
		return AssessmentMissing(d.CatalogueCode)
	}
	return PrivacyRefusal(f.Findings)
}

// AssessmentMissing refuses a draft of a catalogue item that publishes
// personal data before the principal has assessed it (PIPL art. 55).
func AssessmentMissing(catalogueCode string) error {
	msg := "该公开事项会公开个人信息，须先由校长填写个人信息保护影响评估（《个人信息保护法》第五十五条），之后才能登记。"
	// "assessment" names the catalogue item whose form the principal fills.
	return &Error{Code: EINVALID, Message: msg, Fields: FieldErrors{"catalogue": msg, "assessment": catalogueCode}}
}

func knownAction(a Action) bool {
	for _, x := range Actions {
		if x == a {
			return true
		}
	}
	return false
}
