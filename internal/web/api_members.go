package web

import (
	"net/http"
	"slices"
	"strings"

	"gongkai"
)

// apiMemberRequest adds a member: an existing username gets the roles, an
// unknown one becomes a new account with a set-password link.
type apiMemberRequest struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Department  string   `json:"department"` // a department of the school, by name; "" for none
}

type apiMember struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Department  string   `json:"department"`
}

type apiMemberResponse struct {
	Member  apiMember `json:"member"`
	Created bool      `json:"created"`
	// SetPasswordURL is the one-time link of a new account, given only in
	// this answer; absent for an existing account.
	SetPasswordURL string   `json:"set_password_url,omitempty"`
	ExpiresAt      *apiTime `json:"expires_at,omitempty"`
}

// apiAddMember is POST /api/v1/schools/{slug}/members (principal or bureau
// administrator): 201 with a new account and its set-password link, 200
// when an existing account got the roles.
func (s *Server) apiAddMember(w http.ResponseWriter, r *http.Request) error {
	var in apiMemberRequest
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	if err := apiNoNUL(map[string]string{"username": in.Username, "display_name": in.DisplayName, "department": in.Department}); err != nil {
		return err
	}
	school := schoolFrom(r.Context())
	fe := gongkai.FieldErrors{}
	var roles []gongkai.Role
	for _, v := range in.Roles {
		rl := gongkai.Role(strings.TrimSpace(v))
		if !rl.Valid() {
			if byLabel, ok := gongkai.RoleByLabel(v); ok {
				rl = byLabel
			} else {
				fe.Add("roles", "角色无效：“"+v+"”。可用：principal、leader、supervisor、clerk、staff、representative、parent。")
				continue
			}
		}
		if !slices.Contains(roles, rl) {
			roles = append(roles, rl)
		}
	}
	var deptID int64
	if name := strings.TrimSpace(in.Department); name != "" {
		depts, err := s.db.FindDepartments(r.Context(), school.ID)
		if err != nil {
			return err
		}
		for _, d := range depts {
			if d.Name == name {
				deptID = d.ID
			}
		}
		if deptID == 0 {
			fe.Add("department", "本校没有处室“"+name+"”。")
		}
	}
	if err := fe.Err(); err != nil {
		return err
	}
	m, err := s.db.AddMember(r.Context(), school.ID, gongkai.ActorFrom(r.Context()),
		gongkai.StaffEntry{Username: in.Username, DisplayName: in.DisplayName, Roles: roles}, deptID)
	if err != nil {
		return err
	}
	out := apiMemberResponse{Created: m.Created, Member: apiMember{ID: m.User.ID, Username: m.User.Username, DisplayName: m.User.DisplayName, Department: strings.TrimSpace(in.Department)}}
	for _, rl := range m.Roles {
		out.Member.Roles = append(out.Member.Roles, string(rl))
	}
	status := http.StatusOK
	if m.Created {
		status = http.StatusCreated
		exp := apiTime(m.Expires)
		out.SetPasswordURL, out.ExpiresAt = s.passwordURL(r, m.Token), &exp
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, out)
	return nil
}
