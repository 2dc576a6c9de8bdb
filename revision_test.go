package gongkai

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// revisionAllowed is the procedure of a revision written out as the list of
// legal (revision state, action, role) steps, independent of the table: the
// item's own procedure from draft to publication, and abandoning by the
// clerk or the principal at any point before it.
var revisionAllowed = []struct {
	from State
	act  Action
	to   State
	role Role
}{
	{StateDraft, ActionEdit, StateDraft, RoleClerk},
	{StateDraft, ActionEdit, StateDraft, RolePrincipal},
	{StateDraft, ActionSubmit, StateSubmitted, RoleClerk},
	{StateDraft, ActionSubmit, StateSubmitted, RolePrincipal},
	{StateSubmitted, ActionComment, StateSubmitted, RoleLeader},
	{StateSubmitted, ActionComment, StateSubmitted, RolePrincipal},
	{StateSubmitted, ActionReturn, StateDraft, RoleLeader},
	{StateSubmitted, ActionReturn, StateDraft, RolePrincipal},
	{StateSubmitted, ActionApprove, StateApproved, RolePrincipal},
	{StateApproved, ActionCheck, StateChecked, RoleSupervisor},
	{StateApproved, ActionReturn, StateDraft, RoleSupervisor},
	{StateChecked, ActionPublish, StatePublished, RoleClerk},
}

func init() {
	for _, st := range []State{StateDraft, StateSubmitted, StateApproved, StateChecked} {
		for _, r := range []Role{RoleClerk, RolePrincipal} {
			revisionAllowed = append(revisionAllowed, struct {
				from State
				act  Action
				to   State
				role Role
			}{st, ActionAbandon, "", r})
		}
	}
}

// TestAuthorizeRevision_everyStep tries every (item state, revision state,
// action, role): allowed steps pass on an item on the board and lead to the
// documented state; a role that never takes the step on a revision gets
// 403; no pending revision, an item off the board or a revision state that
// does not allow the step gets 409; a role that takes the step only in
// another revision state gets 403.
func TestAuthorizeRevision_everyStep(t *testing.T) {
	const school = 1
	ever := map[Action]map[Role]bool{}
	for _, s := range revisionAllowed {
		if ever[s.act] == nil {
			ever[s.act] = map[Role]bool{}
		}
		ever[s.act][s.role] = true
	}
	legal := func(from State, a Action) (State, bool) {
		for _, s := range revisionAllowed {
			if s.from == from && s.act == a {
				return s.to, true
			}
		}
		return "", false
	}
	isAllowed := func(from State, a Action, r Role) bool {
		for _, s := range revisionAllowed {
			if s.from == from && s.act == a && s.role == r {
				return true
			}
		}
		return false
	}
	revStates := []State{"", StateDraft, StateSubmitted, StateApproved, StateChecked}
	for _, item := range States {
		for _, rev := range revStates {
			for _, a := range append(append([]Action{}, RevisionActions...), ActionRevise, ActionWithdraw, ActionArchive) {
				for _, r := range append(append([]Role{}, SchoolRoles...), BureauRoles...) {
					t.Run(fmt.Sprintf("%s/%q/%s/%s", item, rev, a, r), func(t *testing.T) {
						actor := actorWith(school, r)
						if r.ValidBureau() {
							actor = &Actor{User: User{ID: 9, BureauID: 1, BureauRole: r}}
						}
						err := AuthorizeRevision(actor, school, item, rev, a)
						onBoard := item == StatePublished || item == StateClosed
						_, stepExists := legal(rev, a)
						switch {
						case !ever[a][r]:
							if ErrorCode(err) != EFORBIDDEN {
								t.Fatalf("got %v, want EFORBIDDEN (role never takes %s on a revision)", err, a)
							}
						case rev == "" || !onBoard || !stepExists:
							if ErrorCode(err) != ECONFLICT {
								t.Fatalf("got %v, want ECONFLICT", err)
							}
						case isAllowed(rev, a, r):
							if err != nil {
								t.Fatalf("got %v, want allowed", err)
							}
							to, _ := legal(rev, a)
							if got, err := RevisionNext(rev, a); err != nil || got != to {
								t.Fatalf("RevisionNext = %q, %v; want %q", got, err, to)
							}
						default:
							if ErrorCode(err) != EFORBIDDEN {
								t.Fatalf("got %v, want EFORBIDDEN (another role's step)", err)
							}
						}
						if got := slices.Contains(AvailableRevisionActions(actor, school, item, rev), a); got != (err == nil) {
							t.Fatalf("AvailableRevisionActions contains %s = %v, Authorize err = %v", a, got, err)
						}
					})
				}
			}
		}
	}
}

func TestAuthorizeRevision_anonymous(t *testing.T) {
	if err := AuthorizeRevision(&Actor{}, 1, StatePublished, StateDraft, ActionSubmit); ErrorCode(err) != EUNAUTHENTICATED {
		t.Fatalf("got %v, want EUNAUTHENTICATED", err)
	}
}

// TestAuthorizeStep_pendingRevision checks what a pending revision allows of
// the item itself: no second revision and no archiving while it is pending,
// withdrawing still, and that withdrawing abandons it.
func TestAuthorizeStep_pendingRevision(t *testing.T) {
	const school = 1
	clerk, principal, leader := actorWith(school, RoleClerk), actorWith(school, RolePrincipal), actorWith(school, RoleLeader)
	tests := []struct {
		name  string
		actor *Actor
		item  State
		rev   State
		a     Action
		code  string // "" for allowed
	}{
		{"revise without pending", clerk, StatePublished, "", ActionRevise, ""},
		{"revise again while pending", clerk, StatePublished, StateDraft, ActionRevise, ECONFLICT},
		{"revise again while signed", principal, StatePublished, StateApproved, ActionRevise, ECONFLICT},
		{"revise a closed item", clerk, StateClosed, "", ActionRevise, ECONFLICT},
		{"revise as leader", leader, StatePublished, "", ActionRevise, EFORBIDDEN},
		{"withdraw while pending", principal, StatePublished, StateSubmitted, ActionWithdraw, ""},
		{"withdraw closed while pending", leader, StateClosed, StateChecked, ActionWithdraw, ""},
		{"archive while pending", clerk, StateClosed, StateDraft, ActionArchive, ECONFLICT},
		{"archive without pending", clerk, StateClosed, "", ActionArchive, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := AuthorizeStep(tt.actor, school, tt.item, tt.rev, tt.a)
			if ErrorCode(err) != tt.code {
				t.Fatalf("got %v, want %q", err, tt.code)
			}
			if got := slices.Contains(AvailableSteps(tt.actor, school, tt.item, tt.rev), tt.a); got != (err == nil) {
				t.Fatalf("AvailableSteps contains %s = %v, err = %v", tt.a, got, err)
			}
		})
	}
	if !WithdrawAbandons(ActionWithdraw, StateApproved) || WithdrawAbandons(ActionWithdraw, "") || WithdrawAbandons(ActionArchive, StateDraft) {
		t.Fatal("WithdrawAbandons: only a withdrawal with a pending revision abandons it")
	}
}

func TestCommentRequired_abandon(t *testing.T) {
	if !CommentRequired(ActionAbandon) {
		t.Fatal("abandoning a revision must say why")
	}
}

// TestPublicTrail keeps the steps of the item and of published revisions and
// drops those of pending and abandoned revisions.
func TestPublicTrail(t *testing.T) {
	ev := func(a Action, v int, rev bool) Event { return Event{Action: a, Version: v, Revision: rev} }
	item := []Event{ev(ActionCreate, 1, false), ev(ActionSubmit, 1, false), ev(ActionApprove, 1, false), ev(ActionCheck, 1, false), ev(ActionPublish, 1, false)}
	abandoned := []Event{ev(ActionRevise, 2, true), ev(ActionSubmit, 2, true), ev(ActionAbandon, 2, true)}
	published := []Event{ev(ActionRevise, 2, true), ev(ActionSubmit, 2, true), ev(ActionApprove, 2, true), ev(ActionCheck, 2, true), ev(ActionPublish, 2, true)}
	pending := []Event{ev(ActionRevise, 3, true), ev(ActionSubmit, 3, true), ev(ActionApprove, 3, true)}
	legacy := []Event{ev(ActionRevise, 2, false)} // revised before revisions were signed again
	withdraw := []Event{ev(ActionAbandon, 3, true), ev(ActionWithdraw, 2, false)}
	cat := func(parts ...[]Event) []Event {
		var out []Event
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name  string
		trail []Event
		want  []Event
	}{
		{"item only", item, item},
		{"legacy revision", cat(item, legacy), cat(item, legacy)},
		{"pending", cat(item, pending), item},
		{"abandoned", cat(item, abandoned), item},
		{"abandoned then published", cat(item, abandoned, published), cat(item, published)},
		{"published then pending", cat(item, published, pending), cat(item, published)},
		{"withdrawn while pending", cat(item, published, pending, withdraw), cat(item, published, withdraw[1:])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PublicTrail(tt.trail)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got\n%v\nwant\n%v", got, tt.want)
			}
		})
	}
}

func TestPendingRevision(t *testing.T) {
	d := &Disclosure{Version: 1, Versions: []Version{{Version: 1, PublishedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, Beijing)}, {Version: 2}}}
	if d.PendingRevision() != nil {
		t.Fatal("no revision state, no pending revision")
	}
	d.RevisionState = StateSubmitted
	if v := d.PendingRevision(); v == nil || v.Version != 2 {
		t.Fatalf("got %v, want version 2", v)
	}
}

func TestCheckRevisionForm(t *testing.T) {
	ok := Disclosure{Title: "关于2026年春季学期收费标准的公示", Body: "收费标准如下。", Category: "fees", Audience: AudiencePublic, PublicityDays: 5}
	for _, tc := range []struct {
		name   string
		edit   func(d *Disclosure)
		reason string
		files  int
		want   []string // fields with a message
	}{
		{"complete", nil, "金额有误", 0, nil},
		{"as many files as allowed", nil, "金额有误", MaxAttachments, nil},
		{"no reason", nil, "", 0, []string{"comment"}},
		{"blank reason", nil, " \n ", 0, []string{"comment"}},
		{"one file too many", nil, "金额有误", MaxAttachments + 1, []string{"file"}},
		{"no title", func(d *Disclosure) { d.Title = "" }, "金额有误", 0, []string{"title"}},
		{"period too short", func(d *Disclosure) { d.PublicityDays = 1 }, "金额有误", 0, []string{"publicity_days"}},
		{"everything at once", func(d *Disclosure) { d.Body = "" }, "", MaxAttachments + 3, []string{"body", "comment", "file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			next := ok
			if tc.edit != nil {
				tc.edit(&next)
			}
			err := CheckRevisionForm(&next, tc.reason, tc.files)
			fields := ErrorFields(err)
			var got []string
			for k := range fields {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("fields %v (%v), want %v", got, fields, tc.want)
			}
			if len(tc.want) > 0 && ErrorCode(err) != EINVALID {
				t.Errorf("code %q, want EINVALID", ErrorCode(err))
			}
		})
	}
}
