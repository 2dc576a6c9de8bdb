package gongkai_test

import (
	"testing"
	"time"

	"gongkai"
)

// orderPeople are the people the order tests act as: every school role of
// the order's school (id 1 of bureau 7), the principal of another school
// of the same bureau, the bureau's two roles, and the administrator of
// another bureau.
func orderPeople() map[string]*gongkai.Actor {
	out := map[string]*gongkai.Actor{}
	for i, r := range gongkai.SchoolRoles {
		out["own."+string(r)] = &gongkai.Actor{User: gongkai.User{ID: int64(10 + i)},
			Memberships: []gongkai.Membership{{SchoolID: 1, UserID: int64(10 + i), Role: r}}}
	}
	out["other.principal"] = &gongkai.Actor{User: gongkai.User{ID: 30}, Memberships: []gongkai.Membership{{SchoolID: 2, UserID: 30, Role: gongkai.RolePrincipal}}}
	out["bureau.admin"] = &gongkai.Actor{User: gongkai.User{ID: 40, BureauID: 7, BureauRole: gongkai.RoleBureauAdmin}}
	out["bureau.inspector"] = &gongkai.Actor{User: gongkai.User{ID: 41, BureauID: 7, BureauRole: gongkai.RoleInspector}}
	out["elsewhere.admin"] = &gongkai.Actor{User: gongkai.User{ID: 42, BureauID: 8, BureauRole: gongkai.RoleBureauAdmin}}
	out["anonymous"] = &gongkai.Actor{}
	return out
}

// TestOrder_steps checks every (state, step, person): who may take it,
// where it leads, and which error the others get.
func TestOrder_steps(t *testing.T) {
	readers := map[string]bool{"own.principal": true, "own.leader": true, "own.supervisor": true, "bureau.admin": true, "bureau.inspector": true}
	takers := map[gongkai.OrderAction]string{gongkai.OActAnswer: "own.principal", gongkai.OActAccept: "bureau.admin", gongkai.OActReturn: "bureau.admin"}
	next := map[gongkai.OrderState]map[gongkai.OrderAction]gongkai.OrderState{
		gongkai.OrderIssued:   {gongkai.OActAnswer: gongkai.OrderAnswered},
		gongkai.OrderReturned: {gongkai.OActAnswer: gongkai.OrderAnswered},
		gongkai.OrderAnswered: {gongkai.OActAccept: gongkai.OrderAccepted, gongkai.OActReturn: gongkai.OrderReturned},
	}
	for _, st := range gongkai.OrderStates {
		for _, act := range gongkai.OrderActions {
			for who, a := range orderPeople() {
				o := &gongkai.Order{ID: 5, BureauID: 7, SchoolID: 1, State: st}
				to, err := gongkai.CheckOrderStep(a, 7, o, act)
				want, legal := next[st][act]
				var wantCode string
				switch {
				case !readers[who]:
					wantCode = gongkai.ENOTFOUND
				case takers[act] != who:
					wantCode = gongkai.EFORBIDDEN
				case !legal:
					wantCode = gongkai.ECONFLICT
				}
				if got := gongkai.ErrorCode(err); got != wantCode {
					t.Errorf("%s %s by %s: error %q (%v), want %q", st, act, who, got, err, wantCode)
					continue
				}
				if wantCode == "" && to != want {
					t.Errorf("%s %s by %s: leads to %s, want %s", st, act, who, to, want)
				}
				if got := gongkai.CanReadOrder(a, 7, o); got != readers[who] {
					t.Errorf("%s: may read %v, want %v", who, got, readers[who])
				}
			}
		}
	}
}

func TestOrder_readAcrossBureaus(t *testing.T) {
	admin := orderPeople()["bureau.admin"]
	// The school (bureau 7) is the admin's, but the order was another
	// bureau's: nobody of bureau 7 reads it.
	if gongkai.CanReadOrder(admin, 7, &gongkai.Order{BureauID: 8, SchoolID: 1}) {
		t.Error("an order of another bureau is readable")
	}
	if gongkai.CanIssueOrder(orderPeople()["bureau.inspector"], 7) || !gongkai.CanIssueOrder(admin, 7) || gongkai.CanIssueOrder(admin, 8) {
		t.Error("only the bureau's own administrator issues orders")
	}
}

func TestOrder_available(t *testing.T) {
	p := orderPeople()
	for _, tc := range []struct {
		who   string
		state gongkai.OrderState
		want  []gongkai.OrderAction
	}{
		{"own.principal", gongkai.OrderIssued, []gongkai.OrderAction{gongkai.OActAnswer}},
		{"own.principal", gongkai.OrderAnswered, nil},
		{"own.leader", gongkai.OrderIssued, nil},
		{"bureau.admin", gongkai.OrderAnswered, []gongkai.OrderAction{gongkai.OActAccept, gongkai.OActReturn}},
		{"bureau.admin", gongkai.OrderIssued, nil},
		{"bureau.inspector", gongkai.OrderAnswered, nil},
		{"own.principal", gongkai.OrderReturned, []gongkai.OrderAction{gongkai.OActAnswer}},
		{"bureau.admin", gongkai.OrderAccepted, nil},
	} {
		got := gongkai.AvailableOrderActions(p[tc.who], 7, &gongkai.Order{BureauID: 7, SchoolID: 1, State: tc.state})
		if len(got) != len(tc.want) {
			t.Errorf("%s on %s: %v, want %v", tc.who, tc.state, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s on %s: %v, want %v", tc.who, tc.state, got, tc.want)
			}
		}
	}
}

func TestOrder_overdue(t *testing.T) {
	due := day("2026-03-06") // a Friday
	for _, tc := range []struct {
		name  string
		state gongkai.OrderState
		now   time.Time
		want  bool
	}{
		{"the last minute of the deadline day", gongkai.OrderIssued, time.Date(2026, 3, 6, 23, 59, 59, 0, gongkai.Beijing), false},
		{"the first second after", gongkai.OrderIssued, time.Date(2026, 3, 7, 0, 0, 0, 0, gongkai.Beijing), true},
		{"16:00 UTC is midnight in Beijing", gongkai.OrderIssued, time.Date(2026, 3, 6, 16, 0, 0, 0, time.UTC), true},
		{"returned and past", gongkai.OrderReturned, day("2026-03-10"), true},
		{"answered in time, accepted later", gongkai.OrderAccepted, day("2026-03-10"), false},
		{"answered, waiting for the bureau", gongkai.OrderAnswered, day("2026-03-10"), false},
	} {
		o := &gongkai.Order{State: tc.state, Deadline: due}
		if got := o.Overdue(tc.now); got != tc.want {
			t.Errorf("%s: overdue %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestOrder_validate(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, gongkai.Beijing)
	ok := func() gongkai.Order {
		return gongkai.Order{Kind: gongkai.OrderUrge, Title: " 关于督促公开2月份财务收支情况的通知 ", Body: "请于期限内公开。", Deadline: day("2026-03-16")}
	}
	for _, tc := range []struct {
		name  string
		edit  func(o *gongkai.Order)
		field string // "" when valid
	}{
		{"valid", func(o *gongkai.Order) {}, ""},
		{"deadline today", func(o *gongkai.Order) { o.Deadline = day("2026-03-02") }, ""},
		{"no title", func(o *gongkai.Order) { o.Title = "  " }, "title"},
		{"long title", func(o *gongkai.Order) { o.Title = string(make([]rune, 101)) }, "title"},
		{"no body", func(o *gongkai.Order) { o.Body = "" }, "body"},
		{"unknown kind", func(o *gongkai.Order) { o.Kind = "warning" }, "kind"},
		{"no deadline", func(o *gongkai.Order) { o.Deadline = time.Time{} }, "deadline"},
		{"deadline yesterday", func(o *gongkai.Order) { o.Deadline = day("2026-03-01") }, "deadline"},
		{"deadline beyond a year", func(o *gongkai.Order) { o.Deadline = day("2027-03-03") }, "deadline"},
	} {
		o := ok()
		tc.edit(&o)
		err := o.Validate(now)
		fields := gongkai.ErrorFields(err)
		if tc.field == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.field != "" && fields[tc.field] == "" {
			t.Errorf("%s: errors %v, want one for %s", tc.name, fields, tc.field)
		}
		if tc.name == "valid" && o.Title != "关于督促公开2月份财务收支情况的通知" {
			t.Errorf("title not trimmed: %q", o.Title)
		}
	}
}

func TestOrderNumber(t *testing.T) {
	for _, tc := range []struct {
		bureau string
		want   string
	}{
		{"青禾县教育局", "青禾教督〔2026〕3号"},
		{"平川市教育局", "平川教督〔2026〕3号"},
		{"鼓楼区教育局", "鼓楼教督〔2026〕3号"},
		{"沙县教育局", "沙县教督〔2026〕3号"}, // a one-character name keeps its 县
		{"", "教育局教督〔2026〕3号"},
	} {
		if got := gongkai.OrderNumber(tc.bureau, 2026, 3); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.bureau, got, tc.want)
		}
	}
}
