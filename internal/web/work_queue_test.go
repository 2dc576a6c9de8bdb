package web

import (
	"regexp"
	"slices"
	"testing"

	"gongkai"
)

func TestOwnQueue(t *testing.T) {
	keys := []string{"returned", "sign", "review", "check", "publish", "period", "drafts"}
	tests := []struct {
		roles []gongkai.Role
		own   []string
	}{
		{[]gongkai.Role{gongkai.RolePrincipal}, []string{"sign"}},
		{[]gongkai.Role{gongkai.RoleLeader}, []string{"review"}},
		{[]gongkai.Role{gongkai.RoleSupervisor}, []string{"check"}},
		{[]gongkai.Role{gongkai.RoleClerk}, []string{"returned", "publish"}},
		{[]gongkai.Role{gongkai.RoleClerk, gongkai.RoleLeader}, []string{"returned", "review", "publish"}},
		{[]gongkai.Role{gongkai.RoleStaff}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, k := range keys {
			if ownQueue(tt.roles, k) {
				got = append(got, k)
			}
		}
		if !slices.Equal(got, tt.own) {
			t.Errorf("own queue of %v: %v, want %v", tt.roles, got, tt.own)
		}
	}
}

var workSection = regexp.MustCompile(`<section class="panel work-group [^"]*" id="g-([a-z-]+)"`)

// TestWork_ownQueueFirst: the work page opens on the reader's own queue —
// 待签发 for the principal, 待审核 for the supervision group, 待审议 for a
// leader — before the supervision orders, the feedback and what others
// wait for.
func TestWork_ownQueueFirst(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		h.issueOrder(t, "关于规范收费公示的督办通知", h.school)
		approved := h.newDraft(h.school, "已签发：食堂采购")
		h.act(h.school, approved.ID, "clerk", gongkai.ActionSubmit, "")
		h.act(h.school, approved.ID, "principal", gongkai.ActionApprove, "")
		for _, tt := range []struct {
			who, first string
			after      []string // shown, but after the reader's own queue
		}{
			{"xq.principal", "sign", []string{"orders"}},
			{"xq.leader", "review", []string{"orders"}},
			{"xq.supervisor", "check", nil},
		} {
			resp, body := h.get(h.client(tt.who), "/work")
			wantStatus(t, tt.who+"'s work", resp, body, 200)
			var order []string
			for _, m := range workSection.FindAllStringSubmatch(body, -1) {
				order = append(order, m[1])
			}
			if len(order) == 0 || order[0] != tt.first {
				t.Errorf("%s's work page shows %v, want %s first", tt.who, order, tt.first)
			}
			for _, a := range tt.after {
				if !slices.Contains(order, a) {
					t.Errorf("%s's work page shows %v, without %s", tt.who, order, a)
				}
			}
		}
	})
}
