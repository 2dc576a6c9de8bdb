package gongkai

import (
	"fmt"
	"testing"
)

// allowed is the procedure of DESIGN.md section 3 written out as the list of
// legal (state, action, role) steps, independent of the transition table.
var allowed = []struct {
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
	{StateSubmitted, ActionRecall, StateDraft, RoleClerk},
	{StateSubmitted, ActionRecall, StateDraft, RolePrincipal},
	{StateApproved, ActionCheck, StateChecked, RoleSupervisor},
	{StateApproved, ActionReturn, StateDraft, RoleSupervisor},
	{StateChecked, ActionPublish, StatePublished, RoleClerk},
	{StatePublished, ActionRevise, StatePublished, RoleClerk},
	{StatePublished, ActionRevise, StatePublished, RolePrincipal},
	{StatePublished, ActionWithdraw, StateWithdrawn, RolePrincipal},
	{StatePublished, ActionWithdraw, StateWithdrawn, RoleLeader},
	{StateClosed, ActionWithdraw, StateWithdrawn, RolePrincipal},
	{StateClosed, ActionWithdraw, StateWithdrawn, RoleLeader},
	{StateClosed, ActionArchive, StateArchived, RoleClerk},
	{StateClosed, ActionArchive, StateArchived, RolePrincipal},
	{StateWithdrawn, ActionArchive, StateArchived, RoleClerk},
	{StateWithdrawn, ActionArchive, StateArchived, RolePrincipal},
}

func actorWith(school int64, roles ...Role) *Actor {
	a := &Actor{User: User{ID: 7, Username: "x"}}
	for _, r := range roles {
		a.Memberships = append(a.Memberships, Membership{SchoolID: school, UserID: 7, Role: r})
	}
	return a
}

// TestAuthorize_everyStep tries every (state, action, role) and checks the
// outcome: allowed steps pass and lead to the documented state; a role that can
// never take the action gets 403; a state that does not allow it gets 409; a
// role that takes the action only in another state gets 403.
func TestAuthorize_everyStep(t *testing.T) {
	const school = 1
	everRoles := map[Action]map[Role]bool{}
	legal := map[State]map[Action]State{}
	for _, s := range allowed {
		if everRoles[s.act] == nil {
			everRoles[s.act] = map[Role]bool{}
		}
		everRoles[s.act][s.role] = true
		if legal[s.from] == nil {
			legal[s.from] = map[Action]State{}
		}
		legal[s.from][s.act] = s.to
	}
	isAllowed := func(from State, a Action, r Role) bool {
		for _, s := range allowed {
			if s.from == from && s.act == a && s.role == r {
				return true
			}
		}
		return false
	}
	for _, from := range States {
		for _, a := range Actions {
			for _, r := range append(append([]Role{}, SchoolRoles...), BureauRoles...) {
				t.Run(fmt.Sprintf("%s/%s/%s", from, a, r), func(t *testing.T) {
					actor := actorWith(school, r)
					if r.ValidBureau() {
						actor = &Actor{User: User{ID: 9, BureauID: 1, BureauRole: r}}
					}
					err := Authorize(actor, school, from, a)
					var want string
					switch {
					case isAllowed(from, a, r):
						want = ""
					case !everRoles[a][r]:
						want = EFORBIDDEN
					case legal[from][a] == "":
						want = ECONFLICT
					default:
						want = EFORBIDDEN
					}
					if got := ErrorCode(err); got != want {
						t.Fatalf("Authorize = %q (%v), want %q", got, err, want)
					}
					if want == "" {
						to, err := Next(from, a)
						if err != nil || to != legal[from][a] {
							t.Fatalf("Next = %s, %v; want %s", to, err, legal[from][a])
						}
					}
				})
			}
		}
	}
}

func TestAuthorize_otherSchoolAndAnonymous(t *testing.T) {
	principalOf2 := actorWith(2, RolePrincipal, RoleClerk, RoleSupervisor, RoleLeader)
	for _, a := range Actions {
		for _, from := range States {
			if err := Authorize(principalOf2, 1, from, a); ErrorCode(err) != EFORBIDDEN && ErrorCode(err) != ECONFLICT {
				t.Errorf("%s in %s by another school's staff: %v", a, from, err)
			} else if ErrorCode(err) == "" {
				t.Errorf("%s in %s allowed for another school", a, from)
			}
			if err := Authorize(&Actor{}, 1, from, a); ErrorCode(err) != EUNAUTHENTICATED {
				t.Errorf("%s in %s by anonymous: %v, want unauthenticated", a, from, err)
			}
		}
	}
}

func TestNext_closeIsSystemOnly(t *testing.T) {
	if to, err := Next(StatePublished, ActionClose); err != nil || to != StateClosed {
		t.Fatalf("close from published = %s, %v", to, err)
	}
	for _, r := range SchoolRoles {
		if err := Authorize(actorWith(1, r), 1, StatePublished, ActionClose); err == nil {
			t.Errorf("role %s may close by hand", r)
		}
	}
	for _, from := range States {
		if from == StatePublished {
			continue
		}
		if _, err := Next(from, ActionClose); ErrorCode(err) != ECONFLICT {
			t.Errorf("close from %s: %v, want conflict", from, err)
		}
	}
}

func TestCommentRequired(t *testing.T) {
	for _, a := range Actions {
		want := a == ActionReturn || a == ActionWithdraw || a == ActionRevise || a == ActionComment
		if CommentRequired(a) != want {
			t.Errorf("CommentRequired(%s) = %v", a, !want)
		}
	}
}
