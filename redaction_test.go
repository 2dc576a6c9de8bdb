package gongkai

import (
	"strings"
	"testing"
	"time"
)

// TestAuthorizeRedaction walks every (role, state, target, published,
// redacted) and checks the outcome against the rule written out here: only
// the school's principal, only content that was made public, only once;
// someone with no part in the school learns nothing (404).
func TestAuthorizeRedaction(t *testing.T) {
	const school, bureau = int64(1), int64(9)
	publicStates := map[State]bool{StatePublished: true, StateClosed: true, StateWithdrawn: true, StateArchived: true}
	type who struct {
		name  string
		actor *Actor
		want  string // code when the content may be redacted by the principal
	}
	inspector := &Actor{User: User{ID: 8, Username: "insp", BureauID: bureau, BureauRole: RoleInspector}}
	admin := &Actor{User: User{ID: 9, Username: "adm", BureauID: bureau, BureauRole: RoleBureauAdmin}}
	otherBureau := &Actor{User: User{ID: 10, Username: "far", BureauID: bureau + 1, BureauRole: RoleBureauAdmin}}
	people := []who{
		{"anonymous", &Actor{}, EUNAUTHENTICATED},
		{"nil", nil, EUNAUTHENTICATED},
		{"principal of another school", actorWith(school+1, RolePrincipal), ENOTFOUND},
		{"bureau admin of another bureau", otherBureau, ENOTFOUND},
		{"bureau admin", admin, EFORBIDDEN},
		{"bureau inspector", inspector, EFORBIDDEN},
		{"principal", actorWith(school, RolePrincipal), ""},
		{"principal who is also a clerk", actorWith(school, RoleClerk, RolePrincipal), ""},
	}
	for _, r := range SchoolRoles {
		if r != RolePrincipal {
			people = append(people, who{"own " + string(r), actorWith(school, r), EFORBIDDEN})
		}
	}
	for _, p := range people {
		for _, st := range States {
			for _, target := range []RedactionTarget{RedactBody, RedactAttachment, "title"} {
				for _, published := range []bool{true, false} {
					for _, redacted := range []bool{false, true} {
						for _, pending := range []bool{false, true} {
							f := RedactionFacts{SchoolBureauID: bureau, State: st, Target: target, Published: published, Redacted: redacted, RevisionPending: pending}
							want := p.want
							if want == "" {
								switch {
								case target == "title":
									want = EINVALID
								case !publicStates[st], !published, redacted, pending:
									want = ECONFLICT
								}
							}
							got := ErrorCode(AuthorizeRedaction(p.actor, school, f))
							if got != want {
								t.Errorf("%s, %s, %s, published %v, redacted %v, revision pending %v: got %q, want %q", p.name, st, target, published, redacted, pending, got, want)
							}
						}
					}
				}
			}
		}
	}
}

func TestCheckRedactionReason(t *testing.T) {
	for _, tc := range []struct {
		name, reason string
		ok           bool
	}{
		{"given", "名单中误含学生身份证号码", true},
		{"multi-line", "名单中误含身份证号码。\n家长来电反映。", true},
		{"empty", "", false},
		{"blank", " \n\t ", false},
		{"too long", strings.Repeat("长", MaxRedactionReasonRunes+1), false},
		{"at the limit", strings.Repeat("长", MaxRedactionReasonRunes), true},
		{"NUL", "理由\x00", false},
		{"invalid UTF-8", "理由\xff", false},
		{"escape", "理由\x1b[31m", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckRedactionReason(tc.reason)
			if (err == nil) != tc.ok {
				t.Fatalf("got %v, want ok %v", err, tc.ok)
			}
			if err != nil && (ErrorCode(err) != EINVALID || ErrorFields(err)["reason"] == "") {
				t.Errorf("got %v, want EINVALID on the field reason", err)
			}
		})
	}
}

func TestRedactedBody(t *testing.T) {
	// 23:30 UTC on 6 March is 7 March in Beijing.
	at := time.Date(2026, 3, 6, 23, 30, 0, 0, time.UTC)
	got := RedactedBody(at)
	for _, want := range []string{RedactedMark, "2026年3月7日"} {
		if !strings.Contains(got, want) {
			t.Errorf("RedactedBody = %q, want it to contain %q", got, want)
		}
	}
	if ActionRedact.Label() != "删除个人信息" {
		t.Errorf("label %q", ActionRedact.Label())
	}
}
