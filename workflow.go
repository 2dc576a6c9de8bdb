package gongkai

// State is where a disclosure stands in the procedure.
type State string

// States of a disclosure (DESIGN.md section 3).
const (
	StateDraft     State = "draft"
	StateSubmitted State = "submitted" // waiting for the leadership group
	StateApproved  State = "approved"  // signed off by the principal
	StateChecked   State = "checked"   // checked by the supervision group
	StatePublished State = "published" // on the board, in its publicity period
	StateClosed    State = "closed"    // publicity period over, still on the board
	StateArchived  State = "archived"  // 归档
	StateWithdrawn State = "withdrawn" // taken back, shown as withdrawn with its reason
)

// States lists every state in procedure order.
var States = []State{StateDraft, StateSubmitted, StateApproved, StateChecked, StatePublished, StateClosed, StateArchived, StateWithdrawn}

// Label is the Chinese name of the state.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "草稿"
	case StateSubmitted:
		return "待审议"
	case StateApproved:
		return "已签发"
	case StateChecked:
		return "已审核"
	case StatePublished:
		return "已发布"
	case StateClosed:
		return "公示结束"
	case StateArchived:
		return "已归档"
	case StateWithdrawn:
		return "已撤回"
	}
	return string(s)
}

// Action is a step of the procedure.
type Action string

// Actions. Close is taken by the system when the publicity period ends.
const (
	ActionCreate   Action = "create" // recorded in the trail, authorised by CanCreateDisclosure
	ActionEdit     Action = "edit"
	ActionSubmit   Action = "submit"
	ActionComment  Action = "comment" // 审议意见: a leader's review comment
	ActionApprove  Action = "approve" // 签发: the principal signs off
	ActionReturn   Action = "return"  // 退回修改
	ActionCheck    Action = "check"   // 审核: the supervision group
	ActionPublish  Action = "publish"
	ActionWithdraw Action = "withdraw"
	ActionRevise   Action = "revise" // a new version of a published item
	ActionClose    Action = "close"
	ActionArchive  Action = "archive"
	// ActionRecount is recorded by the system when an edit of the work
	// calendar moves the end of an item's publicity period.
	ActionRecount Action = "recount"
)

// Actions lists the actions people take (not close, which the system takes).
var Actions = []Action{ActionEdit, ActionSubmit, ActionComment, ActionApprove, ActionReturn, ActionRecall, ActionCheck, ActionPublish, ActionWithdraw, ActionRevise, ActionArchive}

// Label is the Chinese name of the action, as buttons and the trail show it.
func (a Action) Label() string {
	switch a {
	case ActionCreate:
		return "创建草稿"
	case ActionEdit:
		return "修改草稿"
	case ActionSubmit:
		return "提交审议"
	case ActionComment:
		return "审议意见"
	case ActionApprove:
		return "同意签发"
	case ActionReturn:
		return "退回修改"
	case ActionCheck:
		return "审核通过"
	case ActionPublish:
		return "发布"
	case ActionWithdraw:
		return "撤回"
	case ActionRecall:
		return "撤回提交"
	case ActionRevise:
		return "修订"
	case ActionClose:
		return "公示期满"
	case ActionArchive:
		return "归档"
	case ActionRecount:
		return "公示期调整"
	case ActionAbandon:
		return "放弃修订"
	case ActionRedact:
		return "删除个人信息"
	case ActionOverridePrivacy:
		return "校长确认个人信息提示"
	}
	return string(a)
}

// step is one row of the transition table: from a state, an action leads to
// a state and may be taken by the listed roles.
type step struct {
	to    State
	roles []Role // nil: only the system
}

// transitions is the whole procedure; nothing else decides which step is legal.
var transitions = map[State]map[Action]step{
	StateDraft: {
		ActionEdit:   {StateDraft, []Role{RoleClerk, RolePrincipal}},
		ActionSubmit: {StateSubmitted, []Role{RoleClerk, RolePrincipal}},
	},
	StateSubmitted: {
		ActionComment: {StateSubmitted, []Role{RoleLeader, RolePrincipal}},
		ActionApprove: {StateApproved, []Role{RolePrincipal}},
		ActionReturn:  {StateDraft, []Role{RoleLeader, RolePrincipal}},
		// Until the principal signs, the clerk may take it back (撤回提交);
		// AuthorizeItem keeps it to the item's own clerk.
		ActionRecall: {StateDraft, []Role{RoleClerk, RolePrincipal}},
	},
	StateApproved: {
		ActionCheck:  {StateChecked, []Role{RoleSupervisor}},
		ActionReturn: {StateDraft, []Role{RoleSupervisor}},
	},
	StateChecked: {
		ActionPublish: {StatePublished, []Role{RoleClerk}},
	},
	StatePublished: {
		ActionRevise:   {StatePublished, []Role{RoleClerk, RolePrincipal}},
		ActionWithdraw: {StateWithdrawn, []Role{RolePrincipal, RoleLeader}},
		ActionClose:    {StateClosed, nil},
	},
	StateClosed: {
		ActionWithdraw: {StateWithdrawn, []Role{RolePrincipal, RoleLeader}},
		ActionArchive:  {StateArchived, []Role{RoleClerk, RolePrincipal}},
	},
	StateWithdrawn: {
		ActionArchive: {StateArchived, []Role{RoleClerk, RolePrincipal}},
	},
}

// Next returns the state that action leads to from state, or an ECONFLICT
// error when the current state does not allow it.
func Next(from State, a Action) (State, error) {
	s, ok := transitions[from][a]
	if !ok {
		return "", Errorf(ECONFLICT, "当前状态（%s）不能执行“%s”。", from.Label(), a.Label())
	}
	return s.to, nil
}

// RolesFor returns the roles that may take action a in state from; nil when
// the step does not exist or only the system takes it.
func RolesFor(from State, a Action) []Role {
	return transitions[from][a].roles
}

// rolesEver returns every role that may take action a in some state.
func rolesEver(a Action) []Role {
	var rs []Role
	for _, byAction := range transitions {
		rs = append(rs, byAction[a].roles...)
	}
	return rs
}

// CommentRequired reports whether the action needs a comment: a return, a
// withdrawal, a revision and abandoning one must say why, and a review comment is the comment.
func CommentRequired(a Action) bool {
	switch a {
	case ActionReturn, ActionWithdraw, ActionRevise, ActionComment, ActionAbandon:
		return true
	}
	return false
}

// Authorize decides whether the actor may take action a on an item of the
// school in state from. The order of checks gives the documented statuses:
// EFORBIDDEN when the actor holds no role that could ever take this step,
// ECONFLICT when the state does not allow the step, EFORBIDDEN when the step
// exists but belongs to another role in this state.
func Authorize(actor *Actor, schoolID int64, from State, a Action) error {
	if actor.Anonymous() {
		return Errorf(EUNAUTHENTICATED, "请先登录。")
	}
	if !holdsAny(actor, schoolID, rolesEver(a)) {
		return Errorf(EFORBIDDEN, "您没有“%s”的权限。", a.Label())
	}
	if _, err := Next(from, a); err != nil {
		return err
	}
	if !holdsAny(actor, schoolID, RolesFor(from, a)) {
		return Errorf(EFORBIDDEN, "当前状态（%s）下“%s”应由%s办理。", from.Label(), a.Label(), roleList(RolesFor(from, a)))
	}
	return nil
}

// AvailableActions lists the actions the actor may take now, for buttons.
func AvailableActions(actor *Actor, schoolID int64, from State) []Action {
	var as []Action
	for _, a := range Actions {
		if Authorize(actor, schoolID, from, a) == nil {
			as = append(as, a)
		}
	}
	return as
}

func holdsAny(actor *Actor, schoolID int64, roles []Role) bool {
	for _, r := range roles {
		if actor.HasRole(schoolID, r) {
			return true
		}
	}
	return false
}

func roleList(rs []Role) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			s += "或"
		}
		s += r.Label()
	}
	return s
}
