package gongkai

import (
	"fmt"
	"strings"
)

// A published item is never changed in place, and nothing goes out
// unsigned: revising a published item makes a new version that goes through
// the same procedure as the item once did. The clerk drafts and submits it,
// the leadership group comments on it or returns it, the principal signs it
// (签发), the supervision group checks it, and the clerk publishes it. Only
// then does it become the item's current version; until then the old
// version stays on the board, marked 修订审核中, and the draft is seen only
// by the people of the procedure.
//
// A revision's state is one of draft, submitted, approved and checked, the
// states of the item's own procedure; "" means that the item has no pending
// revision. Publishing the revision ends it (the version becomes current),
// and so does abandoning it (放弃修订).

// ActionAbandon gives up a pending revision before it is published.
const ActionAbandon Action = "abandon"

// RevisionActions lists the steps people take on a pending revision, in the
// order the revision page offers them.
var RevisionActions = []Action{ActionEdit, ActionSubmit, ActionComment, ActionApprove, ActionReturn, ActionCheck, ActionPublish, ActionAbandon}

// revisionTransitions is the procedure of a revision: the item's own steps
// from draft to publication, plus abandoning at any point before it. A
// step to "" ends the revision without publishing it.
var revisionTransitions = map[State]map[Action]step{
	StateDraft: {
		ActionEdit:    {StateDraft, []Role{RoleClerk, RolePrincipal}},
		ActionSubmit:  {StateSubmitted, []Role{RoleClerk, RolePrincipal}},
		ActionAbandon: {"", []Role{RoleClerk, RolePrincipal}},
	},
	StateSubmitted: {
		ActionComment: {StateSubmitted, []Role{RoleLeader, RolePrincipal}},
		ActionApprove: {StateApproved, []Role{RolePrincipal}},
		ActionReturn:  {StateDraft, []Role{RoleLeader, RolePrincipal}},
		ActionAbandon: {"", []Role{RoleClerk, RolePrincipal}},
	},
	StateApproved: {
		ActionCheck:   {StateChecked, []Role{RoleSupervisor}},
		ActionReturn:  {StateDraft, []Role{RoleSupervisor}},
		ActionAbandon: {"", []Role{RoleClerk, RolePrincipal}},
	},
	StateChecked: {
		ActionPublish: {StatePublished, []Role{RoleClerk}},
		ActionAbandon: {"", []Role{RoleClerk, RolePrincipal}},
	},
}

// RevisionLabel is how staff pages name where a pending revision stands.
func RevisionLabel(s State) string {
	switch s {
	case StateDraft:
		return "修订稿"
	case StateSubmitted:
		return "修订待审议"
	case StateApproved:
		return "修订已签发"
	case StateChecked:
		return "修订已审核"
	}
	return ""
}

// RevisionPendingLabel is the mark of an item with a pending revision on
// its page and in lists, for everyone.
const RevisionPendingLabel = "修订审核中"

// RevisionNext returns the state that action leads a revision to from
// state ("" when the step ends it), or ECONFLICT when the state does not
// allow the step.
func RevisionNext(from State, a Action) (State, error) {
	if from == "" {
		return "", Errorf(ECONFLICT, "本事项没有待审核的修订。")
	}
	s, ok := revisionTransitions[from][a]
	if !ok {
		return "", Errorf(ECONFLICT, "修订当前状态（%s）不能执行“%s”。", RevisionLabel(from), a.Label())
	}
	return s.to, nil
}

// revisionItemAllows reports whether an item in this state may carry a
// pending revision: it is on the board. A revision starts only from published (see
// the item's transitions); its period may end meanwhile.
func revisionItemAllows(item State) bool {
	return item == StatePublished || item == StateClosed
}

// AuthorizeRevision decides whether the actor may take step a on the pending
// revision (in state rev) of an item of the school in state item. The
// statuses follow Authorize: EFORBIDDEN when the actor holds no role that
// could ever take the step on a revision, ECONFLICT when the item or the
// revision does not allow it, EFORBIDDEN when it belongs to another role.
// Starting a revision is ActionRevise, decided by AuthorizeStep.
func AuthorizeRevision(actor *Actor, schoolID int64, item, rev State, a Action) error {
	if actor.Anonymous() {
		return Errorf(EUNAUTHENTICATED, "请先登录。")
	}
	var ever []Role
	for _, byAction := range revisionTransitions {
		ever = append(ever, byAction[a].roles...)
	}
	if !holdsAny(actor, schoolID, ever) {
		return Errorf(EFORBIDDEN, "您没有修订“%s”的权限。", a.Label())
	}
	if rev == "" {
		return Errorf(ECONFLICT, "本事项没有待审核的修订。")
	}
	if !revisionItemAllows(item) {
		return Errorf(ECONFLICT, "事项当前状态（%s）下不能办理修订。", item.Label())
	}
	if _, err := RevisionNext(rev, a); err != nil {
		return err
	}
	roles := revisionTransitions[rev][a].roles
	if !holdsAny(actor, schoolID, roles) {
		return Errorf(EFORBIDDEN, "修订当前状态（%s）下“%s”应由%s办理。", RevisionLabel(rev), a.Label(), roleList(roles))
	}
	return nil
}

// AvailableRevisionActions lists the steps the actor may take now on the
// pending revision, for buttons.
func AvailableRevisionActions(actor *Actor, schoolID int64, item, rev State) []Action {
	var as []Action
	for _, a := range RevisionActions {
		if AuthorizeRevision(actor, schoolID, item, rev, a) == nil {
			as = append(as, a)
		}
	}
	return as
}

// RevisionRolesFor returns the roles that may take step a on a revision in
// state rev, for the trail.
func RevisionRolesFor(rev State, a Action) []Role {
	return revisionTransitions[rev][a].roles
}

// AuthorizeStep is Authorize for an item that may carry a pending revision
// (in state rev, "" for none): while one is pending, the item is not revised
// a second time nor archived, since the revision would be lost with it.
// Withdrawing stays possible and abandons the revision (WithdrawAbandons).
func AuthorizeStep(actor *Actor, schoolID int64, from, rev State, a Action) error {
	if err := Authorize(actor, schoolID, from, a); err != nil {
		return err
	}
	if rev == "" {
		return nil
	}
	switch a {
	case ActionRevise:
		return Errorf(ECONFLICT, "本事项已有修订在审核中，请办理或放弃该修订。")
	case ActionArchive:
		return Errorf(ECONFLICT, "本事项有修订在审核中，请先发布或放弃修订再归档。")
	}
	return nil
}

// AvailableSteps lists the item's steps the actor may take now, with the
// rule of a pending revision.
func AvailableSteps(actor *Actor, schoolID int64, from, rev State) []Action {
	var as []Action
	for _, a := range AvailableActions(actor, schoolID, from) {
		if AuthorizeStep(actor, schoolID, from, rev, a) == nil {
			as = append(as, a)
		}
	}
	return as
}

// WithdrawAbandons reports whether taking step a on the item gives up its
// pending revision: a withdrawn item is no longer on the board, so nothing
// can replace its text there.
func WithdrawAbandons(a Action, rev State) bool {
	return a == ActionWithdraw && rev != ""
}

// CanSeeRevision reports whether the actor may read a pending revision:
// like any unpublished text, only the people of the procedure and the
// bureau.
func CanSeeRevision(a *Actor, schoolBureauID, schoolID int64) bool {
	return CanSeeUnpublished(a, schoolBureauID, schoolID)
}

// PendingRevision returns the version of the item's pending revision, or
// nil when it has none (or it was not loaded).
func (d *Disclosure) PendingRevision() *Version {
	if d.RevisionState == "" {
		return nil
	}
	for i := range d.Versions {
		if v := &d.Versions[i]; v.Version == d.Version+1 && v.PublishedAt.IsZero() {
			return v
		}
	}
	return nil
}

// CheckRevisionReason requires the reason a revision is made for; the
// public trail shows it.
func CheckRevisionReason(reason string) error {
	if strings.TrimSpace(reason) == "" {
		return &Error{Code: EINVALID, Message: "请填写修订理由。", Fields: map[string]string{"comment": "请填写修订理由。"}}
	}
	return nil
}

// CheckRevisionForm says everything wrong with a revision as its form gives
// it, at once: the reason, the text as submission will check it, and the
// number of files it would carry.
func CheckRevisionForm(next *Disclosure, reason string, files int) error {
	fe := FieldErrors{}
	for k, v := range ErrorFields(CheckRevisionReason(reason)) {
		fe.Add(k, v)
	}
	for k, v := range ErrorFields(next.ValidateForSubmit()) {
		fe.Add(k, v)
	}
	if files > MaxAttachments {
		fe.Add("file", fmt.Sprintf("每项最多 %d 个附件。", MaxAttachments))
	}
	return fe.Err()
}

// PublicTrail is the trail without the steps of revisions that were not
// published: a pending revision is not public until it is, and an
// abandoned one never was. Steps of the item itself and of published
// revisions stay.
func PublicTrail(trail []Event) []Event {
	out := make([]Event, 0, len(trail))
	var attempt []Event // the steps of the revision under way
	for _, e := range trail {
		if !e.Revision {
			out = append(out, e)
			continue
		}
		attempt = append(attempt, e)
		switch e.Action {
		case ActionPublish:
			out = append(out, attempt...)
			attempt = nil
		case ActionAbandon:
			attempt = nil
		}
	}
	return out
}
