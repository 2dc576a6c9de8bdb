package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/testdb"
)

// apiCall sends a JSON request with the bearer token ("" for none) and
// returns the status, the raw body and the headers. A string body is sent
// as it is; anything else is marshalled.
func (h *harness) apiCall(t *testing.T, method, path, token string, body any) (int, string, http.Header) {
	t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		must(t, err)
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	resp, text := h.do(h.client(""), method, path, ctype, rd, header)
	if resp.StatusCode >= 500 {
		t.Errorf("%s %s: server error %d: %s", method, path, resp.StatusCode, text)
	}
	return resp.StatusCode, text, resp.Header
}

// apiJSON decodes a response body, failing the test when it is not JSON.
func apiJSON[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("response is not JSON: %v: %s", err, body)
	}
	return v
}

type testAPIError struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

type testAPIList struct {
	Items []struct {
		ID          int64   `json:"id"`
		Title       string  `json:"title"`
		State       string  `json:"state"`
		Audience    string  `json:"audience"`
		URL         string  `json:"url"`
		PublishedAt *string `json:"published_at"`
	} `json:"items"`
	Total int  `json:"total"`
	Next  *int `json:"next"`
}

func (l testAPIList) titles() []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Title)
	}
	return out
}

type testAPIItem struct {
	ID             int64   `json:"id"`
	IndexNo        string  `json:"index_no"`
	Title          string  `json:"title"`
	Body           string  `json:"body"`
	State          string  `json:"state"`
	Category       string  `json:"category"`
	Audience       string  `json:"audience"`
	DocNumber      string  `json:"doc_number"`
	LegalBasis     string  `json:"legal_basis"`
	Contact        string  `json:"contact"`
	PublicityDays  int     `json:"publicity_days"`
	PublishedAt    *string `json:"published_at"`
	PublicityStart *string `json:"publicity_start"`
	PublicityEnd   *string `json:"publicity_end"`
	CreatedAt      string  `json:"created_at"`
	Version        int     `json:"version"`
	SignedBy       *string `json:"signed_by"`
	Clerk          string  `json:"clerk"`
	Channels       []string
	Attachments    []struct {
		ID          int64  `json:"id"`
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
		URL         string `json:"url"`
	} `json:"attachments"`
	Versions []struct {
		Version     int     `json:"version"`
		Title       string  `json:"title"`
		Body        string  `json:"body"`
		Reason      string  `json:"reason"`
		PublishedAt *string `json:"published_at"`
		SignedBy    *string `json:"signed_by"`
		SignedAt    *string `json:"signed_at"`
		CheckedBy   *string `json:"checked_by"`
		CheckedAt   *string `json:"checked_at"`
	} `json:"versions"`
	RevisionPending bool     `json:"revision_pending"`
	RevisionState   string   `json:"revision_state"`
	RevisionActions []string `json:"revision_actions"`
	Trail           []struct {
		Action   string `json:"action"`
		From     string `json:"from"`
		To       string `json:"to"`
		Actor    string `json:"actor"`
		Role     string `json:"role"`
		Comment  string `json:"comment"`
		At       string `json:"at"`
		Version  int    `json:"version"`
		Revision bool   `json:"revision"`
	} `json:"trail"`
	Actions []string `json:"actions"`
}

var (
	rfc3339Beijing = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$`)
	isoDate        = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
)

var testPDF = string(textPDF("Report"))

// apiUploadFile posts one file as multipart field "file".
func (h *harness) apiUploadFile(t *testing.T, id int64, token, name string, content []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("note", "ignored")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(content)
	mw.Close()
	header := http.Header{}
	if token != "" {
		header.Set("Authorization", "Bearer "+token)
	}
	resp, body := h.do(h.client(""), "POST", fmt.Sprintf("/api/v1/disclosures/%d/attachments", id), mw.FormDataContentType(), &buf, header)
	if resp.StatusCode >= 500 {
		t.Errorf("upload %s: server error %d: %s", name, resp.StatusCode, body)
	}
	return resp.StatusCode, body
}

// TestAPI_procedure takes an item from the registration form to
// publication through the API alone, each step with the token of the role
// whose step it is, and then reads it as an anonymous citizen.
func TestAPI_procedure(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk, leader, principal, supervisor := h.apiToken("xq.clerk"), h.apiToken("xq.leader"), h.apiToken("xq.principal"), h.apiToken("xq.supervisor")
		form := map[string]any{
			"title": "关于2026年3月份财务收支情况的公示", "body": "## 收入\n\n合计 ¥12,000.00 元。", "catalogue_code": "monthly-finance",
			"doc_number": "祥小〔2026〕3号", "contact": "0591-5550023", "channels": []string{"online", "board"}, "publicity_days": 5,
			"unknown_field": "ignored",
		}
		status, body, hdr := h.apiCall(t, "POST", "/api/v1/schools/xq/disclosures", clerk, form)
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		d := apiJSON[testAPIItem](t, body)
		if d.State != "draft" || d.Category != "finance" || d.Audience != "public" || d.Title != form["title"] || d.Body != form["body"] || fmt.Sprint(d.Channels) != "[online board]" || d.PublicityDays != 5 {
			t.Fatalf("created %+v", d)
		}
		if hdr.Get("Location") != fmt.Sprintf("/api/v1/disclosures/%d", d.ID) {
			t.Errorf("Location %q", hdr.Get("Location"))
		}
		if d.PublishedAt != nil || d.IndexNo != "" || !rfc3339Beijing.MatchString(d.CreatedAt) {
			t.Errorf("draft times: published %v, index %q, created %q", d.PublishedAt, d.IndexNo, d.CreatedAt)
		}
		item := fmt.Sprintf("/api/v1/disclosures/%d", d.ID)

		// The clerk corrects the draft and attaches the statement.
		form["title"] = "关于2026年3月份财务收支情况的公示（更正）"
		if status, body, _ := h.apiCall(t, "PUT", item, clerk, form); status != http.StatusOK || apiJSON[testAPIItem](t, body).Title != form["title"] {
			t.Fatalf("update: %d %s", status, body)
		}
		status, body = h.apiUploadFile(t, d.ID, clerk, "../../财务报表.pdf", []byte(testPDF))
		if status != http.StatusCreated {
			t.Fatalf("upload: %d %s", status, body)
		}
		att := apiJSON[struct {
			Filename, ContentType, SHA256, URL string
			Size                               int64
		}](t, body)
		if att.Filename != "财务报表.pdf" || att.Size != int64(len(testPDF)) || len(att.SHA256) != 64 || !strings.HasPrefix(att.URL, "/s/xq/files/") {
			t.Errorf("attachment %+v", att)
		}

		steps := []struct {
			who, action, comment, state string
		}{
			{clerk, "submit", "", "submitted"},
			{leader, "comment", "同意公开", "submitted"},
			{principal, "approve", "", "approved"},
			{supervisor, "check", "审核无误", "checked"},
			{clerk, "publish", "", "published"},
		}
		for _, st := range steps {
			var in any
			if st.comment != "" {
				in = map[string]string{"comment": st.comment}
			}
			status, body, _ := h.apiCall(t, "POST", item+"/"+st.action, st.who, in)
			if status != http.StatusOK {
				t.Fatalf("%s: %d %s", st.action, status, body)
			}
			if got := apiJSON[testAPIItem](t, body); got.State != st.state {
				t.Fatalf("after %s: state %s, want %s", st.action, got.State, st.state)
			}
		}

		// A citizen finds it on the board and reads it, with its file, the
		// signature and the trail, but not who typed what.
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures", "", nil)
		list := apiJSON[testAPIList](t, body)
		if status != http.StatusOK || len(list.Items) == 0 || list.Items[0].ID != d.ID || list.Items[0].URL != fmt.Sprintf("/s/xq/d/%d", d.ID) {
			t.Fatalf("board: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "GET", item, "", nil)
		got := apiJSON[testAPIItem](t, body)
		if status != http.StatusOK || got.State != "published" || got.Body != form["body"] || got.DocNumber != "祥小〔2026〕3号" {
			t.Fatalf("public item: %d %s", status, body)
		}
		if !regexp.MustCompile(`^3501210001/\d{4}-CW-\d{4}$`).MatchString(got.IndexNo) {
			t.Errorf("index number %q", got.IndexNo)
		}
		if got.PublishedAt == nil || !rfc3339Beijing.MatchString(*got.PublishedAt) {
			t.Errorf("published_at %v, want RFC 3339 in +08:00", got.PublishedAt)
		}
		if got.PublicityStart == nil || got.PublicityEnd == nil || !isoDate.MatchString(*got.PublicityStart) || !isoDate.MatchString(*got.PublicityEnd) || *got.PublicityEnd < *got.PublicityStart {
			t.Errorf("publicity period %v..%v", got.PublicityStart, got.PublicityEnd)
		}
		if got.SignedBy == nil || *got.SignedBy != h.users["xq.principal"].DisplayName {
			t.Errorf("signed_by %v", got.SignedBy)
		}
		if len(got.Attachments) != 1 || got.Attachments[0].ContentType != "application/pdf" {
			t.Errorf("attachments %+v", got.Attachments)
		}
		var actions []string
		for _, e := range got.Trail {
			actions = append(actions, e.Action)
			if e.Actor != "" || !rfc3339Beijing.MatchString(e.At) {
				t.Errorf("public trail step %+v: names nobody, times in +08:00", e)
			}
			if e.Action == "comment" && e.Comment != "" {
				t.Errorf("review comment shown to the public: %q", e.Comment)
			}
		}
		if want := "create edit submit comment approve check publish"; strings.Join(actions, " ") != want {
			t.Errorf("trail %q, want %q", strings.Join(actions, " "), want)
		}
		if got.Clerk != "" || len(got.Actions) != 0 {
			t.Errorf("public reader sees clerk %q, actions %v", got.Clerk, got.Actions)
		}
		// The principal sees names and comments, and what they may do now.
		_, body, _ = h.apiCall(t, "GET", item, principal, nil)
		inside := apiJSON[testAPIItem](t, body)
		if inside.Trail[3].Actor != h.users["xq.leader"].DisplayName || inside.Trail[3].Comment != "同意公开" || inside.Trail[3].Role != "leader" {
			t.Errorf("insider trail step %+v", inside.Trail[3])
		}
		if fmt.Sprint(inside.Actions) != "[withdraw revise]" {
			t.Errorf("principal's actions %v", inside.Actions)
		}

		// A revision is a draft version with its reason, not yet public;
		// the body left out stays as it was, so only the title changes.
		status, body, _ = h.apiCall(t, "POST", item+"/revise", clerk, map[string]string{"comment": "更正标题", "title": "关于2026年3月份财务收支情况的公示（修订）"})
		rev := apiJSON[testAPIItem](t, body)
		if status != http.StatusOK || rev.Version != 1 || len(rev.Versions) != 2 || rev.Versions[1].Reason != "更正标题" || rev.Versions[1].PublishedAt != nil ||
			rev.Versions[1].Body != form["body"] || rev.RevisionState != "draft" || fmt.Sprint(rev.RevisionActions) != "[edit submit abandon]" {
			t.Fatalf("revise: %d %s", status, body)
		}
		status, body, _ = h.apiCall(t, "POST", item+"/withdraw", principal, map[string]string{"comment": "数据有误"})
		if status != http.StatusOK || apiJSON[testAPIItem](t, body).State != "withdrawn" {
			t.Fatalf("withdraw: %d %s", status, body)
		}
		// The public still reads the withdrawn item and its reason.
		_, body, _ = h.apiCall(t, "GET", item, "", nil)
		pub := apiJSON[testAPIItem](t, body)
		if pub.State != "withdrawn" || pub.Trail[len(pub.Trail)-1].Comment != "数据有误" {
			t.Errorf("withdrawn item as the public sees it: %s", body)
		}
	})
}

func TestAPI_token(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		status, body, _ := h.apiCall(t, "POST", "/api/v1/auth/token", "", map[string]string{"username": "XQ.Clerk ", "password": testPassword})
		if status != http.StatusOK {
			t.Fatalf("token: %d %s", status, body)
		}
		tok := apiJSON[struct {
			Token, TokenType, ExpiresAt string
			User                        struct {
				ID          int64
				Username    string
				DisplayName string `json:"display_name"`
			}
		}](t, body)
		var raw map[string]any
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			t.Fatalf("token answer %q: %v", body, err)
		}
		if tok.Token == "" || tok.User.Username != "xq.clerk" || tok.User.ID != h.users["xq.clerk"].ID || tok.User.DisplayName == "" ||
			!rfc3339Beijing.MatchString(fmt.Sprint(raw["expires_at"])) {
			t.Fatalf("token response %s", body)
		}
		// The token works where only a clerk may go, then is revoked.
		if status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?state=draft", tok.Token, nil); status != http.StatusOK {
			t.Fatalf("with token: %d %s", status, body)
		}
		if status, _, _ := h.apiCall(t, "DELETE", "/api/v1/auth/token", tok.Token, nil); status != http.StatusNoContent {
			t.Fatalf("revoke: %d", status)
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures", tok.Token, nil)
		if e := apiJSON[testAPIError](t, body); status != http.StatusUnauthorized || e.Error.Code != "unauthenticated" || e.Error.Message == "" {
			t.Fatalf("revoked token: %d %s", status, body)
		}

		cases := []struct {
			name   string
			header string
			body   any
			want   int
			field  string
		}{
			{"wrong password", "", map[string]string{"username": "xq.clerk", "password": "wrong password"}, 401, ""},
			{"no such user", "", map[string]string{"username": "nosuchuser", "password": "wrong password"}, 401, ""},
			{"missing password", "", map[string]string{"username": "xq.principal"}, 422, "password"},
			{"password not a string", "", `{"username": "xq.staff", "password": 12345}`, 400, "password"},
			{"bad token on a public route", "Bearer not-a-token", map[string]string{"username": "xq.staff", "password": testPassword}, 401, ""},
			{"not a bearer token", "Basic eHE6eHE=", map[string]string{"username": "xq.staff", "password": testPassword}, 401, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var rd io.Reader
				switch b := c.body.(type) {
				case string:
					rd = strings.NewReader(b)
				default:
					raw, _ := json.Marshal(b)
					rd = bytes.NewReader(raw)
				}
				header := http.Header{}
				if c.header != "" {
					header.Set("Authorization", c.header)
				}
				resp, body := h.do(h.client(""), "POST", "/api/v1/auth/token", "application/json", rd, header)
				e := apiJSON[testAPIError](t, body)
				if resp.StatusCode != c.want || e.Error.Message == "" || (c.field != "" && e.Error.Fields[c.field] == "") {
					t.Fatalf("%d %s, want %d with field %q", resp.StatusCode, body, c.want, c.field)
				}
				if strings.Contains(body, `"token"`) {
					t.Fatalf("a token was handed out: %s", body)
				}
			})
		}

		// Guessing is slowed down: after five quick failures for one name,
		// even the right password waits.
		var last int
		for i := range 6 {
			last, _, _ = h.apiCall(t, "POST", "/api/v1/auth/token", "", map[string]string{"username": "xq.leader", "password": "guess " + strconv.Itoa(i)})
		}
		status, body, _ = h.apiCall(t, "POST", "/api/v1/auth/token", "", map[string]string{"username": "xq.leader", "password": testPassword})
		if last != http.StatusTooManyRequests || status != http.StatusTooManyRequests || apiJSON[testAPIError](t, body).Error.Code != "too_many" {
			t.Fatalf("after repeated failures: %d then %d %s, want 429", last, status, body)
		}
	})
}

// TestAPI_visibility checks that every reader gets exactly what they may
// read: lists per role, and 404 (never 403) for items they may not see.
func TestAPI_visibility(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		pub := func(a gongkai.Audience) string { return h.published[a].Title }
		all := []string{pub(gongkai.AudienceLeadership), pub(gongkai.AudienceStaff), pub(gongkai.AudienceCommunity), pub(gongkai.AudiencePublic)}
		boards := []struct {
			who  string
			want []string
		}{
			{"", all[3:]},
			{"nobody", all[3:]},
			{"other.principal", all[3:]},
			{"xq.parent", all[2:]},
			{"xq.staff", all[1:]},
			{"xq.representative", all[1:]},
			{"xq.clerk", all[1:]},
			{"xq.leader", all},
			{"xq.principal", all},
			{"bureau.inspector", all},
		}
		for _, c := range boards {
			t.Run("board/"+label(c.who), func(t *testing.T) {
				tok := ""
				if c.who != "" {
					tok = h.apiToken(c.who)
				}
				status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures", tok, nil)
				l := apiJSON[testAPIList](t, body)
				if status != http.StatusOK || fmt.Sprint(l.titles()) != fmt.Sprint(c.want) || l.Total != len(c.want) || l.Next != nil {
					t.Fatalf("%d: %v (total %d), want %v", status, l.titles(), l.Total, c.want)
				}
				for _, it := range l.Items {
					if it.State != "published" || it.PublishedAt == nil {
						t.Errorf("board item %+v", it)
					}
				}
				// Each item of the board opens; those of narrower audiences do not.
				for aud, d := range h.published {
					status, _, _ := h.apiCall(t, "GET", fmt.Sprintf("/api/v1/disclosures/%d", d.ID), tok, nil)
					want := http.StatusNotFound
					for _, title := range c.want {
						if title == d.Title {
							want = http.StatusOK
						}
					}
					if status != want {
						t.Errorf("item for %s: %d, want %d", aud, status, want)
					}
				}
			})
		}

		// Work in progress: the procedure's people and the bureau only.
		work := []struct {
			who   string
			query string
			want  int
			total int
		}{
			{"", "state=draft", 401, 0},
			{"xq.parent", "state=draft", 403, 0},
			{"xq.staff", "scope=all", 403, 0},
			{"other.clerk", "state=submitted", 403, 0},
			{"xq.clerk", "state=draft", 200, 1},
			{"xq.leader", "state=submitted", 200, 1},
			{"bureau.admin", "state=draft", 200, 1},
			{"xq.clerk", "scope=all", 200, 5},     // two in progress, three on the clerk's boards
			{"xq.principal", "scope=all", 200, 6}, // and the leadership's item
			{"", "state=published", 200, 1},
			{"xq.parent", "state=withdrawn", 200, 0},
		}
		for _, c := range work {
			t.Run("work/"+label(c.who)+"/"+c.query, func(t *testing.T) {
				tok := ""
				if c.who != "" {
					tok = h.apiToken(c.who)
				}
				status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?"+c.query, tok, nil)
				if status != c.want {
					t.Fatalf("%d %s, want %d", status, body, c.want)
				}
				if status == http.StatusOK {
					if l := apiJSON[testAPIList](t, body); l.Total != c.total || len(l.Items) != c.total {
						t.Fatalf("%d items (total %d), want %d: %v", len(l.Items), l.Total, c.total, l.titles())
					}
				}
			})
		}

		// Items a reader may not see answer 404, as do ids that are no ids.
		draft := fmt.Sprintf("/api/v1/disclosures/%d", h.draft.ID)
		community := fmt.Sprintf("/api/v1/disclosures/%d", h.published[gongkai.AudienceCommunity].ID)
		hidden := []struct {
			who, method, path string
		}{
			{"other.clerk", "GET", draft},
			{"other.principal", "PUT", draft},
			{"other.clerk", "POST", draft + "/submit"},
			{"xq.parent", "GET", draft},
			{"xq.staff", "POST", draft + "/submit"},
			{"", "GET", draft},
			{"", "GET", community},
			{"other.parent", "GET", community},
			{"", "GET", "/api/v1/disclosures/abc"},
			{"", "GET", "/api/v1/disclosures/0"},
			{"", "GET", "/api/v1/disclosures/-1"},
			{"", "GET", "/api/v1/disclosures/01"},
			{"", "GET", "/api/v1/disclosures/99999999999999999999"},
			{"", "GET", "/api/v1/disclosures/987654"},
			{"", "GET", "/api/v1/schools/nope/disclosures"},
			{"", "GET", "/api/v1/nothing"},
			{"xq.clerk", "POST", draft + "/frobnicate"},
		}
		for _, c := range hidden {
			tok := ""
			if c.who != "" {
				tok = h.apiToken(c.who)
			}
			var body any
			if c.method != "GET" {
				body = "{}"
			}
			status, text, _ := h.apiCall(t, c.method, c.path, tok, body)
			e := apiJSON[testAPIError](t, text)
			if status != http.StatusNotFound || e.Error.Code != "not_found" || strings.Contains(text, h.draft.Title) {
				t.Errorf("%s %s as %s: %d %s, want 404", c.method, c.path, label(c.who), status, text)
			}
		}
	})
}

// TestAPI_stepErrors checks the statuses of steps the caller may not take.
func TestAPI_stepErrors(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		submitted := fmt.Sprintf("/api/v1/disclosures/%d", h.submitted.ID)
		draft := fmt.Sprintf("/api/v1/disclosures/%d", h.draft.ID)
		published := fmt.Sprintf("/api/v1/disclosures/%d", h.published[gongkai.AudiencePublic].ID)
		cases := []struct {
			name, who, method, path string
			body                    any
			want                    int
			field                   string
		}{
			{"leader approves", "xq.leader", "POST", submitted + "/approve", nil, 403, ""},
			{"clerk comments", "xq.clerk", "POST", submitted + "/comment", map[string]string{"comment": "好"}, 403, ""},
			{"parent withdraws", "xq.parent", "POST", published + "/withdraw", map[string]string{"comment": "x"}, 403, ""},
			{"inspector approves", "bureau.inspector", "POST", submitted + "/approve", nil, 403, ""},
			{"clerk publishes unchecked", "xq.clerk", "POST", submitted + "/publish", nil, 409, ""},
			{"clerk submits twice", "xq.clerk", "POST", submitted + "/submit", nil, 409, ""},
			{"principal edits a published item", "xq.principal", "PUT", published, map[string]string{"title": "改"}, 409, ""},
			{"clerk uploads to a published item", "xq.clerk", "POST", published + "/attachments", nil, 409, ""},
			{"leader edits a draft", "xq.leader", "PUT", draft, map[string]string{"title": "改"}, 403, ""},
			{"return without reason", "xq.leader", "POST", submitted + "/return", map[string]string{"comment": "  "}, 422, "comment"},
			{"comment without text", "xq.principal", "POST", submitted + "/comment", nil, 422, "comment"},
			{"withdraw without reason", "xq.principal", "POST", published + "/withdraw", `{}`, 422, "comment"},
			{"revise without change", "xq.clerk", "POST", published + "/revise", map[string]string{"comment": "无"}, 422, "body"},
			{"submit half a form", "xq.clerk", "POST", draft + "/submit", nil, 0, ""},
			{"anonymous step", "", "POST", published + "/archive", nil, 401, ""},
			{"anonymous create", "", "POST", "/api/v1/schools/xq/disclosures", map[string]string{"title": "x"}, 401, ""},
			{"parent creates", "xq.parent", "POST", "/api/v1/schools/xq/disclosures", map[string]string{"title": "x"}, 403, ""},
			{"leader creates", "xq.leader", "POST", "/api/v1/schools/xq/disclosures", map[string]string{"title": "x"}, 403, ""},
			{"other school's clerk creates", "other.clerk", "POST", "/api/v1/schools/xq/disclosures", map[string]string{"title": "x"}, 403, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.want == 0 {
					// Make the draft's form incomplete first.
					_, body, _ := h.apiCall(t, "PUT", draft, h.apiToken("xq.clerk"), map[string]any{"title": "", "category": "aid", "publicity_days": 2})
					c.want, c.field = 422, "title"
					_ = body
				}
				tok := ""
				if c.who != "" {
					tok = h.apiToken(c.who)
				}
				var status int
				var body string
				if strings.HasSuffix(c.path, "/attachments") {
					status, body = h.apiUploadFile(t, h.published[gongkai.AudiencePublic].ID, tok, "a.pdf", []byte(testPDF))
				} else {
					status, body, _ = h.apiCall(t, c.method, c.path, tok, c.body)
				}
				e := apiJSON[testAPIError](t, body)
				if status != c.want || e.Error.Message == "" || (c.field != "" && e.Error.Fields[c.field] == "") {
					t.Fatalf("%d %s, want %d (field %q)", status, body, c.want, c.field)
				}
			})
		}
		// The half-filled draft says everything that is missing at once.
		_, body, _ := h.apiCall(t, "POST", draft+"/submit", h.apiToken("xq.clerk"), nil)
		if f := apiJSON[testAPIError](t, body).Error.Fields; f["title"] == "" || f["publicity_days"] == "" {
			t.Errorf("submit errors %v, want title and publicity_days", f)
		}
	})
}

// TestAPI_badInput sends what careless or hostile clients send. Nothing
// may answer 500 (apiCall fails the test on any 5xx), and text is kept
// exactly as sent.
func TestAPI_badInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk := h.apiToken("xq.clerk")
		create := "/api/v1/schools/xq/disclosures"
		big := `{"title": "x", "body": "` + strings.Repeat("长", 400000) + `"}`
		cases := []struct {
			name, ctype, body string
			want              int
			code              string
			says              string // in the message
			field             string
		}{
			{"broken JSON", "application/json", "{\"title\": \"x\",\n \"body\": }", 400, "malformed", "第 2 行", ""},
			{"cut short", "application/json", `{"title": "x`, 400, "malformed", "意外结束", ""},
			{"empty", "application/json", "", 400, "malformed", "为空", ""},
			{"an array", "application/json", `[1, 2]`, 400, "malformed", "JSON 对象", ""},
			{"two objects", "application/json", `{"title": "a"} {"title": "b"}`, 400, "malformed", "多余", ""},
			{"days as text", "application/json", `{"title": "x", "publicity_days": "五"}`, 400, "malformed", "publicity_days", "publicity_days"},
			{"days as fraction", "application/json", `{"title": "x", "publicity_days": 5.5}`, 400, "malformed", "整数", "publicity_days"},
			{"channels as text", "application/json", `{"title": "x", "channels": "online"}`, 400, "malformed", "数组", "channels"},
			{"department as text", "application/json", `{"department_id": "1"}`, 400, "malformed", "department_id", "department_id"},
			{"form encoded", "application/x-www-form-urlencoded", "title=x", 415, "unsupported_media_type", "application/json", ""},
			{"no content type", "", `{"title": "x"}`, 415, "unsupported_media_type", "application/json", ""},
			{"over 1 MB", "application/json", big, 413, "too_large", "1 MB", ""},
			{"unknown category", "application/json", `{"title": "x", "category": "gossip"}`, 422, "invalid", "", "category"},
			{"unknown audience", "application/json", `{"title": "x", "audience": "world"}`, 422, "invalid", "", "audience"},
			{"unknown channel", "application/json", `{"title": "x", "channels": ["tv"]}`, 422, "invalid", "", "channels"},
			{"unknown catalogue item", "application/json", `{"title": "x", "catalogue_code": "nope"}`, 422, "invalid", "", "catalogue_code"},
			{"another school's department", "application/json", fmt.Sprintf(`{"title": "x", "department_id": %d}`, h.otherDepartment(t)), 422, "invalid", "", "department_id"},
			{"long title", "application/json", `{"title": "` + strings.Repeat("题", 201) + `"}`, 422, "invalid", "", "title"},
			{"days out of range", "application/json", `{"title": "x", "publicity_days": -1}`, 422, "invalid", "", "publicity_days"},
			{"NUL in body", "application/json", `{"title": "x", "body": "a\u0000b"}`, 422, "invalid", "", "body"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, body := h.do(h.client(""), "POST", create, c.ctype, strings.NewReader(c.body), http.Header{"Authorization": {"Bearer " + clerk}})
				e := apiJSON[testAPIError](t, body)
				if resp.StatusCode != c.want || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.says) || (c.field != "" && e.Error.Fields[c.field] == "") {
					t.Fatalf("%d %s; want %d %s saying %q, field %q", resp.StatusCode, body, c.want, c.code, c.says, c.field)
				}
			})
		}

		// Bad query parameters say which and why.
		for _, q := range []string{"page=0", "page=x", "page=99999", "per_page=500", "year=26", "year=abc", "category=gossip", "state=lost", "scope=everything", "q=" + strings.Repeat("财", 201)} {
			status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?"+q, "", nil)
			e := apiJSON[testAPIError](t, body)
			name, _, _ := strings.Cut(q, "=")
			if status != http.StatusBadRequest || e.Error.Fields[name] == "" || e.Error.Message == "" {
				t.Errorf("?%s: %d %s, want 400 naming %s", q, status, body, name)
			}
		}

		// SQL and HTML are only text: stored as typed, returned as JSON
		// strings with no raw markup, and the database is unharmed.
		hostile := map[string]any{
			"title":       `<script>alert("x")</script>'); DROP TABLE disclosures; --`,
			"body":        "<img src=x onerror=alert(1)>\n\n' OR '1'='1",
			"doc_number":  `"; DELETE FROM users; --`,
			"legal_basis": "&lt;b&gt; & <b>",
			"contact":     "Robert'); DROP TABLE students;--",
		}
		status, body, _ := h.apiCall(t, "POST", create, clerk, hostile)
		if status != http.StatusCreated || strings.Contains(body, "<script>") || strings.Contains(body, "<img") {
			t.Fatalf("hostile create: %d %s", status, body)
		}
		d := apiJSON[testAPIItem](t, body)
		_, body, _ = h.apiCall(t, "GET", fmt.Sprintf("/api/v1/disclosures/%d", d.ID), clerk, nil)
		got := apiJSON[testAPIItem](t, body)
		if got.Title != hostile["title"] || got.Body != hostile["body"] || got.DocNumber != hostile["doc_number"] || got.LegalBasis != hostile["legal_basis"] || got.Contact != hostile["contact"] {
			t.Errorf("hostile text changed: %+v", got)
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?q="+url.QueryEscape(`'; DROP TABLE disclosures; --`), "", nil); status != http.StatusOK {
			t.Errorf("hostile search: %d", status)
		}
		if status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?q=%22%28*", "", nil); status != http.StatusOK {
			t.Errorf("search with FTS syntax: %d %s", status, body)
		}
		if status, body, _ := h.apiCall(t, "GET", "/api/v1/schools", "", nil); status != http.StatusOK || !strings.Contains(body, `"slug":"xq"`) {
			t.Errorf("schools after hostile input: %d %s", status, body)
		}

		// Uploads: wrong type, too large, no file, not multipart.
		id := h.draft.ID
		if status, body := h.apiUploadFile(t, id, clerk, "evil.pdf", []byte("<html><script>alert(1)</script></html>")); status != http.StatusUnprocessableEntity || !strings.Contains(body, `"file"`) {
			t.Errorf("HTML named .pdf: %d %s", status, body)
		}
		huge := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), gongkai.MaxAttachmentBytes)...)
		if status, body := h.apiUploadFile(t, id, clerk, "big.pdf", huge); status != http.StatusRequestEntityTooLarge || apiJSON[testAPIError](t, body).Error.Code != "too_large" {
			t.Errorf("21 MB file: %d %s", status, body)
		}
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("title", "no file")
		mw.Close()
		resp, body := h.do(h.client(""), "POST", fmt.Sprintf("/api/v1/disclosures/%d/attachments", id), mw.FormDataContentType(), &buf, http.Header{"Authorization": {"Bearer " + clerk}})
		if resp.StatusCode != http.StatusUnprocessableEntity || apiJSON[testAPIError](t, body).Error.Fields["file"] == "" {
			t.Errorf("no file: %d %s", resp.StatusCode, body)
		}
		status, body, _ = h.apiCall(t, "POST", fmt.Sprintf("/api/v1/disclosures/%d/attachments", id), clerk, `{"file": "x"}`)
		if status != http.StatusUnsupportedMediaType {
			t.Errorf("JSON upload: %d %s", status, body)
		}
		resp, body = h.do(h.client(""), "POST", fmt.Sprintf("/api/v1/disclosures/%d/attachments", id), "multipart/form-data", strings.NewReader("junk"), http.Header{"Authorization": {"Bearer " + clerk}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("multipart without boundary: %d %s", resp.StatusCode, body)
		}
		// Nothing of the refused files was attached.
		_, body, _ = h.apiCall(t, "GET", fmt.Sprintf("/api/v1/disclosures/%d", id), clerk, nil)
		if n := len(apiJSON[testAPIItem](t, body).Attachments); n != 0 {
			t.Errorf("%d files attached by refused uploads", n)
		}
	})
}

// otherDepartment returns the id of a department of the other school.
func (h *harness) otherDepartment(t *testing.T) int64 {
	t.Helper()
	deps, err := h.db.FindDepartments(t.Context(), h.other.ID)
	must(t, err)
	return deps[0].ID
}

func TestAPI_searchAndPages(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		clerk := h.apiToken("xq.clerk")
		// A finance item among the board's, published through the API.
		status, body, _ := h.apiCall(t, "POST", "/api/v1/schools/xq/disclosures", clerk, map[string]any{
			"title": "2026年3月财务收支公示", "body": "收入与支出明细。", "category": "finance", "publicity_days": 0})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		item := fmt.Sprintf("/api/v1/disclosures/%d", apiJSON[testAPIItem](t, body).ID)
		for _, st := range []struct{ role, action string }{{"xq.clerk", "submit"}, {"xq.principal", "approve"}, {"xq.supervisor", "check"}, {"xq.clerk", "publish"}} {
			if status, body, _ := h.apiCall(t, "POST", item+"/"+st.action, h.apiToken(st.role), nil); status != http.StatusOK {
				t.Fatalf("%s: %d %s", st.action, status, body)
			}
		}
		search := []struct {
			query string
			want  []string
		}{
			{"q=" + url.QueryEscape("财务"), []string{"2026年3月财务收支公示"}}, // not the other school's 财务 item
			{"q=" + url.QueryEscape("明细"), []string{"2026年3月财务收支公示"}},
			{"q=" + url.QueryEscape("绩效"), nil},
			{"category=finance&q=" + url.QueryEscape("公示"), []string{"2026年3月财务收支公示", h.published[gongkai.AudiencePublic].Title}},
			{"category=fees", nil},
			{"year=2001", nil},
		}
		for _, c := range search {
			status, body, _ := h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?"+c.query, "", nil)
			if l := apiJSON[testAPIList](t, body); status != http.StatusOK || fmt.Sprint(l.titles()) != fmt.Sprint(c.want) {
				t.Errorf("?%s: %d %v, want %v", c.query, status, l.titles(), c.want)
			}
		}

		// The principal's board holds five items: pages of two.
		principal := h.apiToken("xq.principal")
		var seen []string
		page := 1
		for n := 0; n < 5; n++ {
			status, body, _ := h.apiCall(t, "GET", fmt.Sprintf("/api/v1/schools/xq/disclosures?per_page=2&page=%d", page), principal, nil)
			l := apiJSON[testAPIList](t, body)
			if status != http.StatusOK || l.Total != 5 {
				t.Fatalf("page %d: %d %s", page, status, body)
			}
			seen = append(seen, l.titles()...)
			if l.Next == nil {
				break
			}
			if *l.Next != page+1 {
				t.Fatalf("page %d: next %d", page, *l.Next)
			}
			page = *l.Next
		}
		if page != 3 || len(seen) != 5 || seen[0] != "2026年3月财务收支公示" {
			t.Errorf("pages ended at %d holding %v", page, seen)
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/disclosures?page=9", principal, nil)
		if l := apiJSON[testAPIList](t, body); status != http.StatusOK || len(l.Items) != 0 || l.Next != nil || l.Total != 5 || !strings.Contains(body, `"items":[]`) {
			t.Errorf("past the last page: %d %s", status, body)
		}
	})
}

func TestAPI_schoolsAndCatalogue(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		status, body, _ := h.apiCall(t, "GET", "/api/v1/schools", "", nil)
		schools := apiJSON[[]map[string]string](t, body)
		if status != http.StatusOK || len(schools) != 2 {
			t.Fatalf("schools: %d %s", status, body)
		}
		want := map[string]string{"slug": "xq", "name": "祥谦小学", "full_name": "青禾县祥谦小学", "code": "3501210001", "bureau": "青禾县教育局"}
		found := false
		for _, s := range schools {
			found = found || fmt.Sprint(s) == fmt.Sprint(want)
		}
		if !found {
			t.Errorf("schools %v, want one %v", schools, want)
		}
		status, body, _ = h.apiCall(t, "GET", "/api/v1/schools/xq/catalogue", "", nil)
		cat := apiJSON[[]map[string]any](t, body)
		if status != http.StatusOK || len(cat) != len(gongkai.DefaultCatalogue) {
			t.Fatalf("catalogue: %d %s", status, body)
		}
		var fees map[string]any
		for _, c := range cat {
			if c["code"] == "fees" {
				fees = c
			}
		}
		if fees == nil || fees["category"] != "fees" || fees["category_name"] != "收费公示" || fees["publicity_days"] != float64(5) ||
			fees["audience"] != "public" || fees["frequency"] == "" || fees["legal_basis"] == "" || fees["department"] != "财务室" {
			t.Errorf("fees catalogue item %v", fees)
		}
		if status, _, _ := h.apiCall(t, "GET", "/api/v1/schools/nope/catalogue", "", nil); status != http.StatusNotFound {
			t.Errorf("unknown school's catalogue: %d", status)
		}
	})
}

// TestAPI_openAPIDocument checks that the document is OpenAPI 3 JSON that
// describes every API route of the route table, method and path, with its
// path parameters, and that its references resolve.
func TestAPI_openAPIDocument(t *testing.T) {
	h := newHarness(t, testdb.New(t, "sqlite"))
	status, body, hdr := h.apiCall(t, "GET", "/api/v1/openapi.json", "", nil)
	if status != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", status, hdr.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("openapi %q, want 3.x", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	n := 0
	for _, rt := range h.srv.routes() {
		if !rt.api {
			continue
		}
		n++
		item, ok := paths[rt.pattern].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in the OpenAPI document", rt.method, rt.pattern)
			continue
		}
		op, ok := item[strings.ToLower(rt.method)].(map[string]any)
		if !ok {
			t.Errorf("route %s %s: the document has no %s operation", rt.method, rt.pattern, strings.ToLower(rt.method))
			continue
		}
		if _, ok := op["responses"].(map[string]any); !ok {
			t.Errorf("route %s %s: no responses", rt.method, rt.pattern)
		}
		// Every {param} of the path is declared, on the path or the operation.
		declared := map[string]bool{}
		for _, list := range []any{item["parameters"], op["parameters"]} {
			ps, _ := list.([]any)
			for _, p := range ps {
				pm, _ := p.(map[string]any)
				if ref, ok := pm["$ref"].(string); ok {
					pm, _ = resolveRef(doc, ref).(map[string]any)
				}
				if pm["in"] == "path" {
					declared[fmt.Sprint(pm["name"])] = true
				}
			}
		}
		for _, m := range regexp.MustCompile(`\{([^}]+)\}`).FindAllStringSubmatch(rt.pattern, -1) {
			if !declared[m[1]] {
				t.Errorf("route %s %s: path parameter %s is not declared", rt.method, rt.pattern, m[1])
			}
		}
		// Routes that need a token say so.
		if rt.access != accessPublic {
			if sec, _ := op["security"].([]any); len(sec) != 1 || !strings.Contains(fmt.Sprint(sec), "bearerAuth") {
				t.Errorf("route %s %s: security %v, want bearerAuth required", rt.method, rt.pattern, op["security"])
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d API routes found", n)
	}
	// No path in the document that the server does not serve.
	served := map[string]bool{}
	for _, rt := range h.srv.routes() {
		if rt.api {
			served[strings.ToLower(rt.method)+" "+rt.pattern] = true
		}
	}
	for p, item := range paths {
		for m := range item.(map[string]any) {
			if m != "parameters" && !served[m+" "+p] {
				t.Errorf("the document describes %s %s, which is not served", m, p)
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "$ref" {
					if resolveRef(doc, fmt.Sprint(e)) == nil {
						t.Errorf("unresolved $ref %v", e)
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	schemes, _ := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	if bearer, _ := schemes["bearerAuth"].(map[string]any); bearer["scheme"] != "bearer" {
		t.Errorf("bearer scheme %v", schemes)
	}
	if resolveRef(doc, "#/components/schemas/Error") == nil {
		t.Errorf("no Error schema")
	}
}

// resolveRef follows a local JSON pointer, or returns nil.
func resolveRef(doc map[string]any, ref string) any {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil
	}
	var cur any = doc
	for _, seg := range strings.Split(p, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")]
	}
	return cur
}
