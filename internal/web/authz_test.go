package web

import (
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"gongkai"
)

// TestAuthorization_matrix calls every route of the route table as every
// kind of user — each role of the route's school, each role of another
// school, each bureau role, a user of no school and nobody — and checks
// that exactly the expected ones get past the access policy. The table is
// read from s.routes(), so a new route cannot be left out: a route whose
// access level or path parameter the test does not know fails it.
func TestAuthorization_matrix(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		// Who may pass each access level, written out from DESIGN.md rather
		// than computed by the code under test. Keys are harness user names
		// relative to the route's school ("own.<role>"); other users are
		// "other.<role>", the bureau's, "nobody" and "" (anonymous).
		own := func(roles ...gongkai.Role) []string {
			var out []string
			for _, r := range roles {
				out = append(out, "own."+string(r))
			}
			return out
		}
		all := []string{""}
		for _, r := range gongkai.SchoolRoles {
			all = append(all, "own."+string(r), "other."+string(r))
		}
		all = append(all, "bureau.admin", "bureau.inspector", "nobody")
		signedIn := all[1:]
		allowed := map[access][]string{
			accessOps:      all,
			accessPublic:   all,
			accessSignedIn: signedIn,
			accessStaff: append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor, gongkai.RoleClerk,
				gongkai.RoleStaff, gongkai.RoleRepresentative), "bureau.admin", "bureau.inspector"),
			accessWorkflow: append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor, gongkai.RoleClerk), "bureau.admin", "bureau.inspector"),
			accessCreate:   own(gongkai.RoleClerk, gongkai.RolePrincipal),
			accessManage:   append(own(gongkai.RolePrincipal), "bureau.admin"),
			accessBureau:   {"bureau.admin"},
		}
		// Routes whose domain rule is narrower than the route's policy: the
		// step "comment" on an item waiting for review, and editing a draft.
		editors := own(gongkai.RoleClerk, gongkai.RolePrincipal)
		narrower := map[string][]string{
			"POST /s/{slug}/manage/d/{id}/act/{action}": own(gongkai.RoleLeader, gongkai.RolePrincipal),
			"POST /api/v1/disclosures/{id}/{action}":    own(gongkai.RoleLeader, gongkai.RolePrincipal),
			// A revision waiting for review (revision_test.go): its step
			// "comment" is the leaders'; its draft is edited by the clerk
			// or the principal (the submitted revision answers 409 to them).
			"POST /s/{slug}/manage/d/{id}/revision/act/{action}": own(gongkai.RoleLeader, gongkai.RolePrincipal),
			"POST /api/v1/disclosures/{id}/revision/{action}":    own(gongkai.RoleLeader, gongkai.RolePrincipal),
			"PUT /api/v1/disclosures/{id}/revision":              editors,
			"PUT /api/v1/disclosures/{id}":                       editors,
			"POST /api/v1/disclosures/{id}/attachments":          editors,
			// A case (an opinion) is seen by the leadership, the supervision
			// group and the bureau; a note is added by all but the inspector.
			"GET /api/v1/feedback/{id}":           append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /api/v1/feedback/{id}/{action}": append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin"),
			// The same on the feedback pages, where a case is a named opinion
			// of xq.parent, whose own page only they open.
			"GET /s/{slug}/feedback/{id}":                 own(gongkai.RoleParent),
			"GET /s/{slug}/cases/{id}":                    append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/cases/{id}/files/{att}/{name}": append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /s/{slug}/cases/{id}/{action}":          append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin"),
			"GET /bureau/cases":                           {"bureau.admin", "bureau.inspector"},
			// The dashboard is the bureau's users'.
			"GET /bureau/{$}":            {"bureau.admin", "bureau.inspector"},
			"GET /bureau/dashboard.xlsx": {"bureau.admin", "bureau.inspector"},
			"GET /api/v1/dashboard":      {"bureau.admin", "bureau.inspector"},
			// Only the principal waives an obligation.
			"POST /s/{slug}/obligations/{id}/waive": own(gongkai.RolePrincipal),
			// Self-inspection and the annual report: read by the principal,
			// the leadership and supervision groups and the bureau; filled in
			// by the supervision group; measures done and the report written
			// and published by the principal (inspection_test.go).
			"GET /s/{slug}/inspection":                      append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/inspection/{term}":               append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /s/{slug}/inspection/{term}":              own(gongkai.RoleSupervisor),
			"POST /s/{slug}/inspection/{term}/{item}/done":  own(gongkai.RolePrincipal),
			"GET /bureau/inspections":                       {"bureau.admin", "bureau.inspector"},
			"GET /s/{slug}/report":                          append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/report/{year}":                   append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /s/{slug}/report/{year}/text":             own(gongkai.RolePrincipal),
			"POST /s/{slug}/report/{year}/publish":          own(gongkai.RolePrincipal),
			"GET /bureau/report/{year}":                     {"bureau.admin", "bureau.inspector"},
			"GET /api/v1/schools/{slug}/inspections":        append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /api/v1/schools/{slug}/inspections/{term}": append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /api/v1/schools/{slug}/reports/{year}":     append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			// Surveys: members of the school see them (the bureau too), the
			// audience answers, the supervision group and the principal run
			// them, and results are for them, the leaders and the bureau.
			"GET /s/{slug}/surveys":               append(own(gongkai.SchoolRoles...), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/surveys/new":           own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/new":          own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/template":     own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"GET /s/{slug}/surveys/{id}":          append(own(gongkai.SchoolRoles...), "bureau.admin", "bureau.inspector"),
			"POST /s/{slug}/surveys/{id}/answer":  own(gongkai.SchoolRoles...),
			"GET /s/{slug}/surveys/{id}/edit":     own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/{id}/edit":    own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/{id}/open":    own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/{id}/close":   own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"POST /s/{slug}/surveys/{id}/publish": own(gongkai.RolePrincipal, gongkai.RoleSupervisor),
			"GET /s/{slug}/surveys/{id}/results":  append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /api/v1/schools/{slug}/surveys":  append(own(gongkai.SchoolRoles...), "bureau.admin", "bureau.inspector"),
			"GET /api/v1/surveys/{id}/results":    append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /api/v1/surveys/{id}/answers":   own(gongkai.SchoolRoles...),
			// Supervision orders (an issued order of xq): read by the school's
			// principal, leadership and supervision groups and the bureau;
			// answered by the principal; accepted or returned by the bureau's
			// administrator (the inspector reads only).
			"GET /bureau/orders":                {"bureau.admin", "bureau.inspector"},
			"GET /api/v1/orders":                {"bureau.admin", "bureau.inspector"},
			"GET /s/{slug}/orders":              append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/orders/{id}":         append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /api/v1/schools/{slug}/orders": append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"POST /s/{slug}/orders/{id}/answer": own(gongkai.RolePrincipal),
			"POST /api/v1/orders/{id}/answer":   own(gongkai.RolePrincipal),
			"POST /s/{slug}/orders/{id}/accept": {"bureau.admin"},
			"POST /s/{slug}/orders/{id}/return": {"bureau.admin"},
			// An answer's files are read by whoever reads the order.
			"GET /s/{slug}/orders/{id}/files/{file}": append(own(gongkai.RolePrincipal, gongkai.RoleLeader, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			// The county is set up: every setup link answers 404 to everyone
			// (setup_test.go). The bureau's admin log is its users'.
			"GET /setup/{token}":  nil,
			"POST /setup/{token}": nil,
			"GET /bureau/log":     {"bureau.admin", "bureau.inspector"},
			// The witness's page is the bureau's users' (witness_test.go).
			"GET /bureau/witness":  {"bureau.admin", "bureau.inspector"},
			"GET /bureau/log.xlsx": {"bureau.admin", "bureau.inspector"},
			// Only the principal deletes personal data from a published
			// item (redaction_test.go).
			"GET /s/{slug}/manage/d/{id}/v/{version}/redact":  own(gongkai.RolePrincipal),
			"POST /s/{slug}/manage/d/{id}/v/{version}/redact": own(gongkai.RolePrincipal),
			"GET /s/{slug}/manage/d/{id}/files/{att}/redact":  own(gongkai.RolePrincipal),
			"POST /s/{slug}/manage/d/{id}/files/{att}/redact": own(gongkai.RolePrincipal),
			// The bureau's list of schools and its export are read by the
			// bureau's administrator and inspectors (schools_test.go).
			"GET /bureau/schools":      {"bureau.admin", "bureau.inspector"},
			"GET /bureau/schools.xlsx": {"bureau.admin", "bureau.inspector"},
			// The inspector (督查员) reads everything of the bureau and
			// changes nothing: its required items and its calendar too.
			"GET /bureau/catalogue":      {"bureau.admin", "bureau.inspector"},
			"GET /bureau/catalogue.xlsx": {"bureau.admin", "bureau.inspector"},
			"GET /admin/calendar":        {"bureau.admin", "bureau.inspector"},
			// Rosters (roster_test.go): the school's privacy record is read by
			// the principal, the supervision group and the bureau; only the
			// principal assesses.
			"GET /s/{slug}/privacy":                append(own(gongkai.RolePrincipal, gongkai.RoleSupervisor), "bureau.admin", "bureau.inspector"),
			"GET /s/{slug}/privacy/assess/{code}":  own(gongkai.RolePrincipal),
			"POST /s/{slug}/privacy/assess/{code}": own(gongkai.RolePrincipal),

			// Only the principal lets a personal-data finding stand (privacy_test.go).
			"POST /s/{slug}/manage/d/{id}/privacy/override": own(gongkai.RolePrincipal),
		}
		h.attachPublic(t)
		h.withLedger() // the log's routes answer once its checkpoint is signed (log_test.go)
		for _, rt := range h.srv.routes() {
			if rt.access == accessOps && strings.HasPrefix(rt.pattern, "/static/") {
				continue // needs a content hash; covered by the static test
			}
			want, ok := allowed[rt.access]
			if n, narrow := narrower[rt.method+" "+rt.pattern]; narrow {
				want = n
			}
			if !ok {
				t.Fatalf("route %s %s: the matrix does not know access level %q", rt.method, rt.pattern, rt.access)
			}
			may := map[string]bool{}
			for _, u := range want {
				may[u] = true
			}
			for _, who := range all {
				name := strings.Replace(strings.Replace(who, "own.", "xq.", 1), "other.", "other.", 1)
				t.Run(fmt.Sprintf("%s_%s/%s", rt.method, rt.pattern, label(who)), func(t *testing.T) {
					path := h.fillPath(t, rt.method, rt.pattern)
					status, loc := h.call(t, name, rt, path)
					// 404 is how items answer readers who may not see them.
					denied := status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound ||
						(status == http.StatusSeeOther && strings.HasPrefix(loc, "/login"))
					if may[who] && denied {
						t.Errorf("%s %s as %s: denied with %d %s, want allowed", rt.method, path, label(who), status, loc)
					}
					if !may[who] && !denied {
						t.Errorf("%s %s as %s: got %d, want it denied (401, 403, 404 or a redirect to sign in)", rt.method, path, label(who), status)
					}
					if status >= 500 {
						t.Errorf("%s %s as %s: server error %d", rt.method, path, label(who), status)
					}
				})
			}
		}
	})
}

func label(who string) string {
	if who == "" {
		return "anonymous"
	}
	return who
}

// attachPublic publishes an item of xq with a file, for the attachment route.
func (h *harness) attachPublic(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	d := h.newDraft(h.school, "附件公示")
	st, err := h.srv.blobs.Put(ctx, strings.NewReader("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), "a.pdf", gongkai.MaxAttachmentBytes)
	must(t, err)
	a := &gongkai.Attachment{Filename: "a.pdf", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
	must(t, h.db.AddAttachment(ctx, h.school.ID, d.ID, h.actor("xq.clerk"), a))
	// The stand-in PDF has no text to check; these tests are not about that.
	must(t, h.db.SaveAttachmentScan(ctx, h.school.ID, a.SHA256, nil))
	h.act(h.school, d.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
	h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
	h.attached, h.attachment = d, a
}

// fillPath gives each path parameter a value that exists in school xq and
// lets an allowed request succeed: a public item for reading routes, a draft
// for editing routes, an item waiting for review for steps (whose step is
// "comment").
func (h *harness) fillPath(t *testing.T, method, pattern string) string {
	t.Helper()
	item := h.published[gongkai.AudiencePublic]
	switch {
	case strings.Contains(pattern, "{action}"):
		item = h.submitted
	case strings.Contains(pattern, "/files/{att}"):
		item = h.attached
	case strings.Contains(pattern, "/manage/"), method == http.MethodPut, strings.HasSuffix(pattern, "/attachments"):
		item = h.draft
	}
	values := map[string]string{
		"slug":    "xq",
		"id":      strconv.FormatInt(item.ID, 10),
		"version": "1",
		"att":     strconv.FormatInt(h.attachment.ID, 10),
		"name":    "file.pdf",
		"action":  "comment",
		"user":    strconv.FormatInt(h.users["xq.staff"].ID, 10),
		"token":   strings.Repeat("A", setupTokenLen),
		"path...": "entries/000.p/1", // the log's first entry bundle
		"$":       "",
	}
	if strings.HasPrefix(pattern, "/api/v1/feedback/{id}") {
		// A feedback case; its step is an internal note.
		values["id"], values["action"] = strconv.FormatInt(h.matrixFeedbackID(t), 10), "note"
	}
	for k, v := range h.matrixFeedbackValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixReportValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixSurveyValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixOrderValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixOrderFileValues(t, pattern) { // order_files_test.go
		values[k] = v
	}
	for k, v := range h.matrixPeopleValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixRevisionValues(t, pattern) {
		values[k] = v
	}
	for k, v := range h.matrixRosterValues(t, pattern) { // roster_test.go
		values[k] = v
	}
	for k, v := range h.matrixPostingValues(t, pattern) { // posting_test.go
		values[k] = v
	}
	path := pattern
	for {
		i := strings.Index(path, "{")
		if i < 0 {
			break
		}
		j := strings.Index(path[i:], "}")
		key := path[i+1 : i+j]
		v, ok := values[key]
		if !ok {
			t.Fatalf("route %s: the matrix has no value for path parameter {%s}", pattern, key)
		}
		path = path[:i] + v + path[i+j+1:]
	}
	return path
}

// call sends the route's request as the user with an empty body and returns
// the status and redirect target.
func (h *harness) call(t *testing.T, user string, rt route, path string) (int, string) {
	t.Helper()
	var c *http.Client
	header := http.Header{}
	if rt.api {
		c = h.client("")
		if user != "" {
			header.Set("Authorization", "Bearer "+h.apiToken(user))
		}
	} else {
		c = h.client(user)
	}
	ctype := "application/x-www-form-urlencoded"
	body := ""
	if strings.HasSuffix(rt.pattern, "/members/{user}") {
		body = "roles=staff" // an empty role list would remove the member
	}
	if rt.api {
		ctype, body = "application/json", "{}"
	}
	if rt.method == http.MethodGet {
		ctype, body = "", ""
	}
	if strings.HasSuffix(rt.pattern, "/attachments") || strings.HasSuffix(rt.pattern, "/files") {
		var buf strings.Builder
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "b.pdf")
		fw.Write([]byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"))
		mw.Close()
		ctype, body = mw.FormDataContentType(), buf.String()
	}
	resp, _ := h.do(c, rt.method, path, ctype, strings.NewReader(body), header)
	return resp.StatusCode, resp.Header.Get("Location")
}
