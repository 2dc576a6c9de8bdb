package web

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/auth"
	"gongkai/internal/store"
)

// openAPIDoc describes every /api/v1 route; a test checks it against the
// route table.
//
//go:embed openapi.json
var openAPIDoc []byte

// apiMaxJSONBytes is the largest JSON body the API reads: the longest
// registration form (100,000 characters of body, three bytes each in UTF-8)
// fits with room to spare.
const apiMaxJSONBytes = 1 << 20

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
	return nil
}

// ---- Reading requests --------------------------------------------------

// apiReadJSON decodes the JSON object of the request body into v. Unknown
// fields are ignored so that clients can send more than this version
// knows. A body that is not JSON answers 415 here and ok is false with a
// nil error; any other problem is returned as an error for the caller to
// return. With allowEmpty, an empty body leaves v as it is.
func apiReadJSON(w http.ResponseWriter, r *http.Request, v any, allowEmpty bool) (ok bool, err error) {
	if allowEmpty && r.ContentLength == 0 {
		return true, nil
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		apiUnsupported(w, "请求体须为 JSON，请设置 Content-Type: application/json。")
		return false, nil
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, apiMaxJSONBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return false, gongkai.Errorf(gongkai.ETOOLARGE, "请求体超过 %d MB 上限。", apiMaxJSONBytes>>20)
	}
	if err != nil {
		return false, gongkai.Errorf(gongkai.EMALFORMED, "请求体读取失败。")
	}
	if allowEmpty && len(bytes.TrimSpace(b)) == 0 {
		return true, nil
	}
	// encoding/json would turn bytes that are not UTF-8 into U+FFFD
	// silently; the sender is told instead, as on the pages.
	if !utf8.Valid(b) {
		return false, gongkai.Errorf(gongkai.EINVALID, textRefused)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(v); err != nil {
		return false, apiJSONError(b, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := apiPosition(b, dec.InputOffset())
		return false, gongkai.Errorf(gongkai.EMALFORMED, "JSON 格式错误：第 %d 行第 %d 列之后还有多余的内容，请求体只能是一个 JSON 对象。", line, col)
	}
	return true, nil
}

// apiJSONError says in words where and why a body failed to decode.
func apiJSONError(b []byte, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return gongkai.Errorf(gongkai.EMALFORMED, "请求体为空，应为一个 JSON 对象。")
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := apiPosition(b, int64(len(b)))
		return gongkai.Errorf(gongkai.EMALFORMED, "JSON 格式错误：在第 %d 行第 %d 列意外结束，请检查括号和引号是否成对。", line, col)
	case errors.As(err, &syntax):
		line, col := apiPosition(b, syntax.Offset)
		return gongkai.Errorf(gongkai.EMALFORMED, "JSON 格式错误：第 %d 行第 %d 列附近（%s）。", line, col, syntax.Error())
	case errors.As(err, &typ):
		line, col := apiPosition(b, typ.Offset)
		if typ.Field == "" {
			return gongkai.Errorf(gongkai.EMALFORMED, "请求体应为一个 JSON 对象，收到的是%s。", apiJSONKind(typ.Value))
		}
		msg := fmt.Sprintf("字段“%s”应为%s，收到的是%s（第 %d 行第 %d 列）。", typ.Field, apiGoKind(typ.Type), apiJSONKind(typ.Value), line, col)
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: msg, Fields: map[string]string{typ.Field: msg}}
	}
	return gongkai.Errorf(gongkai.EMALFORMED, "JSON 无法解析：%s", err.Error())
}

// apiPosition turns a byte offset into a line and a column (in
// characters), both from 1.
func apiPosition(b []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:]) + 1
	return line, col
}

func apiGoKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "字符串"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "整数"
	case reflect.Slice:
		return "数组"
	case reflect.Struct, reflect.Map:
		return "对象"
	case reflect.Bool:
		return "true 或 false"
	case reflect.Pointer:
		return apiGoKind(t.Elem())
	}
	return t.String()
}

func apiJSONKind(v string) string {
	switch {
	case v == "string":
		return "字符串"
	case v == "array":
		return "数组"
	case v == "object":
		return "对象"
	case v == "bool":
		return "true 或 false"
	case strings.HasPrefix(v, "number"):
		if n := strings.TrimSpace(strings.TrimPrefix(v, "number")); n != "" {
			return "数值 " + n + "（须为范围内的整数）"
		}
		return "数值"
	}
	return v
}

// apiUnsupported answers 415: the one status no domain error code names.
func apiUnsupported(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: apiErrorBody{Code: "unsupported_media_type", Message: msg}})
}

// apiNoNUL refuses text fields holding NUL, which PostgreSQL cannot store
// and no reader can see.
func apiNoNUL(fields map[string]string) error {
	fe := gongkai.FieldErrors{}
	for name, v := range fields {
		if strings.ContainsRune(v, 0) {
			fe.Add(name, "不能包含 NUL 控制字符。")
		}
	}
	return fe.Err()
}

// apiFieldNames renames the form's field names in errors to the API's.
func apiFieldNames(err error) error {
	var e *gongkai.Error
	if !errors.As(err, &e) || e.Fields["department"] == "" {
		return err
	}
	fields := map[string]string{}
	for k, v := range e.Fields {
		if k == "department" {
			k = "department_id"
		}
		fields[k] = v
	}
	return &gongkai.Error{Code: e.Code, Message: e.Message, Fields: fields}
}

// ---- Writing responses -------------------------------------------------

// apiTime is a moment as RFC 3339 in Beijing time, or null.
type apiTime time.Time

func (t apiTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).In(gongkai.Beijing).Format(time.RFC3339))
}

// apiDate is a calendar day in Beijing as YYYY-MM-DD, or null.
type apiDate time.Time

func (t apiDate) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(time.Time(t).In(gongkai.Beijing).Format("2006-01-02"))
}

type apiSchool struct {
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	FullName string `json:"full_name"`
	Code     string `json:"code"`
	Bureau   string `json:"bureau"`
}

type apiCatalogueItem struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Category      string `json:"category"`
	CategoryName  string `json:"category_name"`
	Audience      string `json:"audience"`
	PublicityDays int    `json:"publicity_days"`
	Frequency     string `json:"frequency"`
	Department    string `json:"department"`
	LegalBasis    string `json:"legal_basis"`
}

// apiItem is an item as lists show it.
type apiItem struct {
	ID             int64   `json:"id"`
	School         string  `json:"school"`
	IndexNo        string  `json:"index_no"`
	Title          string  `json:"title"`
	Category       *string `json:"category"` // null for a draft without one yet
	CategoryName   string  `json:"category_name"`
	Audience       string  `json:"audience"`
	State          string  `json:"state"`
	PublishedAt    apiTime `json:"published_at"`
	PublicityStart apiDate `json:"publicity_start"`
	PublicityEnd   apiDate `json:"publicity_end"`
	Version        int     `json:"version"`
	URL            string  `json:"url"`
	// RevisionPending: a revision of the item is on its way through the
	// procedure (修订审核中); what is shown stays the current version.
	RevisionPending bool `json:"revision_pending"`
}

// apiDetail is one item with everything a reader may see of it.
type apiDetail struct {
	apiItem
	SchoolName     string          `json:"school_name"`
	Body           string          `json:"body"`
	Hidden         bool            `json:"hidden"`
	Notice         string          `json:"notice,omitempty"` // why Hidden: 名单已于 2026年3月7日公示期满撤下
	CatalogueCode  string          `json:"catalogue_code"`
	DocNumber      string          `json:"doc_number"`
	DepartmentID   int64           `json:"department_id"`
	Department     string          `json:"department"`
	Clerk          string          `json:"clerk"`
	Channels       []string        `json:"channels"`
	LegalBasis     string          `json:"legal_basis"`
	Contact        string          `json:"contact"`
	PublicityDays  int             `json:"publicity_days"`
	EndProvisional bool            `json:"end_provisional"`
	CreatedAt      apiTime         `json:"created_at"`
	UpdatedAt      apiTime         `json:"updated_at"`
	SignedBy       *string         `json:"signed_by"`
	SignedAt       apiTime         `json:"signed_at"`
	Reason         string          `json:"reason"`
	Attachments    []apiAttachment `json:"attachments"`
	Versions       []apiVersion    `json:"versions"`
	Trail          []apiEvent      `json:"trail"`
	Actions        []string        `json:"actions"`
	// Of the pending revision, for the people of the procedure only: where
	// it stands and the steps the caller may take on it.
	RevisionState   string   `json:"revision_state,omitempty"`
	RevisionActions []string `json:"revision_actions,omitempty"`
}

type apiAttachment struct {
	ID          int64   `json:"id"`
	Filename    string  `json:"filename"`
	ContentType string  `json:"content_type"`
	Size        int64   `json:"size"`
	SHA256      string  `json:"sha256"`
	URL         string  `json:"url"`
	CreatedAt   apiTime `json:"created_at"`
}

type apiVersion struct {
	Version     int             `json:"version"`
	Title       string          `json:"title"`
	Body        string          `json:"body"`
	DocNumber   string          `json:"doc_number"`
	Reason      string          `json:"reason"`
	PublishedAt apiTime         `json:"published_at"`
	Attachments []apiAttachment `json:"attachments"`
	SignedBy    *string         `json:"signed_by"`
	SignedAt    apiTime         `json:"signed_at"`
	CheckedBy   *string         `json:"checked_by"`
	CheckedAt   apiTime         `json:"checked_at"`
}

type apiEvent struct {
	Action  string  `json:"action"`
	From    string  `json:"from"`
	To      string  `json:"to"`
	Actor   string  `json:"actor"`
	Role    string  `json:"role"`
	Comment string  `json:"comment"`
	Version int     `json:"version"`
	At      apiTime `json:"at"`
	// Revision marks a step of a revision rather than of the item.
	Revision bool `json:"revision"`
}

func apiItemOf(school *gongkai.School, d *gongkai.Disclosure) apiItem {
	cat, _ := gongkai.CategoryByCode(d.Category)
	return apiItem{
		ID: d.ID, School: school.Slug, IndexNo: d.IndexNo, Title: d.Title,
		Category: apiCategory(d.Category), CategoryName: cat.Name, Audience: string(d.Audience), State: string(d.State),
		PublishedAt: apiTime(d.PublishedAt), PublicityStart: apiDate(d.PublicityStart), PublicityEnd: apiDate(d.PublicityEnd),
		Version: d.Version, URL: "/s/" + school.Slug + "/d/" + strconv.FormatInt(d.ID, 10),
		RevisionPending: d.RevisionState != "",
	}
}

// apiCategory is an item's category code, or null for a draft saved
// without one.
func apiCategory(code string) *string {
	if code == "" {
		return nil
	}
	return &code
}

func apiAttachmentsOf(school *gongkai.School, atts []gongkai.Attachment) []apiAttachment {
	out := make([]apiAttachment, len(atts))
	for i, a := range atts {
		out[i] = apiAttachmentOf(school, a)
	}
	return out
}

func apiAttachmentOf(school *gongkai.School, a gongkai.Attachment) apiAttachment {
	a.Filename = gongkai.CleanFilename(a.Filename, a.ContentType) // names stored before they were cleaned at upload
	return apiAttachment{ID: a.ID, Filename: a.Filename, ContentType: a.ContentType, Size: a.Size, SHA256: a.SHA256,
		URL: "/s/" + school.Slug + "/files/" + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Filename), CreatedAt: apiTime(a.CreatedAt)}
}

// apiDetailOf builds the full item for the reader. People outside the
// procedure see the trail without names and internal review comments (the
// public page shows only its one-line summary); a roster past its
// publicity period is withheld as on the public page.
func (s *Server) apiDetailOf(ctx context.Context, actor *gongkai.Actor, school *gongkai.School, d *gongkai.Disclosure) (apiDetail, error) {
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return apiDetail{}, err
	}
	rule := rs.rule(d)
	insider := gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)
	out := apiDetail{
		apiItem: apiItemOf(school, d), SchoolName: school.Title(),
		Body: d.Body, CatalogueCode: d.CatalogueCode, DocNumber: d.DocNumber,
		DepartmentID: d.DepartmentID, Department: d.DepartmentName, Clerk: d.ClerkName,
		Channels: make([]string, len(d.Channels)), LegalBasis: d.LegalBasis, Contact: d.Contact,
		PublicityDays: d.PublicityDays, EndProvisional: d.EndProvisional,
		CreatedAt: apiTime(d.CreatedAt), UpdatedAt: apiTime(d.UpdatedAt), SignedAt: apiTime(d.SignedAt), Reason: d.Reason,
		Attachments: apiAttachmentsOf(school, d.Attachments),
		Versions:    []apiVersion{}, Trail: []apiEvent{}, Actions: []string{},
	}
	for i, c := range d.Channels {
		out.Channels[i] = string(c)
	}
	if d.SignedBy != 0 {
		out.SignedBy = &d.SignedByName
	}
	if !insider {
		// Readers outside the procedure never knew the clerk by name.
		out.Clerk = ""
	}
	for _, v := range d.Versions {
		if !insider && v.PublishedAt.IsZero() {
			continue
		}
		out.Versions = append(out.Versions, apiVersionOf(school, v))
	}
	trail := d.Trail
	if !insider {
		// Steps of revisions not (yet) published are not public.
		trail = gongkai.PublicTrail(trail)
	}
	for _, e := range trail {
		ev := apiEvent{Action: string(e.Action), From: string(e.From), To: string(e.To), Actor: e.ActorName, Role: string(e.ActorRole),
			Comment: e.Comment, Version: e.Version, At: apiTime(e.At), Revision: e.Revision}
		if !insider {
			ev.Actor = ""
			if e.Action != gongkai.ActionWithdraw && e.Action != gongkai.ActionRevise {
				ev.Comment = ""
			}
		}
		out.Trail = append(out.Trail, ev)
	}
	for _, a := range d.ItemSteps(actor) {
		out.Actions = append(out.Actions, string(a))
	}
	if insider && d.RevisionState != "" {
		out.RevisionState = string(d.RevisionState)
		for _, a := range gongkai.AvailableRevisionActions(actor, school.ID, d.State, d.RevisionState) {
			out.RevisionActions = append(out.RevisionActions, string(a))
		}
	}
	if at, down := gongkai.TakedownAt(d, rule, s.now()); down { // roster.go
		bodies := []string{d.Body}
		for _, v := range d.Versions {
			bodies = append(bodies, v.Body)
		}
		names := gongkai.RosterNames(bodies...)
		out.Hidden, out.Body, out.Attachments = true, "", []apiAttachment{}
		out.Title = gongkai.MaskNames(out.Title, names)
		out.Notice = gongkai.TakedownNotice(d, at)
		for i := range out.Versions {
			out.Versions[i].Title = gongkai.MaskNames(out.Versions[i].Title, names)
			out.Versions[i].Body, out.Versions[i].Attachments = "", []apiAttachment{}
		}
	}
	return out, nil
}

// ---- Tokens ------------------------------------------------------------

type apiTokenRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

type apiTokenResponse struct {
	Token     string  `json:"token"`
	TokenType string  `json:"token_type"`
	ExpiresAt apiTime `json:"expires_at"`
	User      apiUser `json:"user"`
}

type apiUser struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

func (s *Server) apiToken(w http.ResponseWriter, r *http.Request) error {
	var in apiTokenRequest
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	if err := apiNoNUL(map[string]string{"username": in.Username, "password": in.Password}); err != nil {
		return err
	}
	u, err := s.login(r, in.Username, in.Password)
	if gongkai.ErrorCode(err) == gongkai.EINVALID {
		fe := gongkai.FieldErrors{}
		if strings.TrimSpace(in.Username) == "" {
			fe.Add("username", "请输入用户名。")
		}
		if in.Password == "" {
			fe.Add("password", "请输入密码。")
		}
		return &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.ErrorMessage(err), Fields: fe}
	}
	if err != nil {
		return err
	}
	token, hash := auth.NewToken()
	expires := s.db.Now().Add(apiTokenTTL)
	if err := s.db.StartSession(r.Context(), hash, u.ID, "api", "API 令牌 · "+gongkai.DescribeDevice(r.UserAgent()), apiTokenTTL); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiTokenResponse{Token: token, TokenType: "Bearer", ExpiresAt: apiTime(expires),
		User: apiUser{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName}})
	return nil
}

// apiRevokeToken ends the bearer token the request carries.
func (s *Server) apiRevokeToken(w http.ResponseWriter, r *http.Request) error {
	token, _ := r.Context().Value(tokenKey{}).(string)
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") || token == "" {
		return gongkai.Errorf(gongkai.EMALFORMED, "请在 Authorization 头中给出要撤销的令牌：Bearer TOKEN。")
	}
	if err := s.db.DeleteSession(r.Context(), auth.HashToken(token)); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- Schools and catalogues --------------------------------------------

func (s *Server) apiSchools(w http.ResponseWriter, r *http.Request) error {
	schools, err := s.db.FindActiveSchools(r.Context(), 0)
	if err != nil {
		return err
	}
	out := make([]apiSchool, len(schools))
	for i, sc := range schools {
		out[i] = apiSchool{Slug: sc.Slug, Name: sc.Name, FullName: sc.FullName, Code: sc.Code, Bureau: sc.BureauName}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiCatalogue(w http.ResponseWriter, r *http.Request) error {
	items, err := s.db.FindCatalogue(r.Context(), schoolFrom(r.Context()).ID)
	if err != nil {
		return err
	}
	out := make([]apiCatalogueItem, len(items))
	for i, c := range items {
		cat, _ := gongkai.CategoryByCode(c.Category)
		out[i] = apiCatalogueItem{Code: c.Code, Name: c.Name, Category: c.Category, CategoryName: cat.Name, Audience: string(c.Audience),
			PublicityDays: c.PublicityDays, Frequency: c.Frequency, Department: c.Department, LegalBasis: c.LegalBasis}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// ---- Lists -------------------------------------------------------------

type apiList struct {
	Items   []apiItem `json:"items"`
	Total   int       `json:"total"`
	Page    int       `json:"page"`
	PerPage int       `json:"per_page"`
	Next    *int      `json:"next"`
}

const apiMaxPage = 10000

// apiDisclosures lists what the caller may see. By default that is the
// board: published items of the audiences the caller reads. People of the
// procedure (and the bureau) may ask for an unpublished state with state=,
// or for everything with scope=all: the work in progress first, then the
// board.
func (s *Server) apiDisclosures(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	q := r.URL.Query()
	fe := gongkai.FieldErrors{}
	f := store.DisclosureFilter{Query: q.Get("q"), Page: 1, PerPage: 20}
	intParam := func(name string, lo, hi int, msg string) int {
		v := q.Get(name)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			fe.Add(name, msg)
			return 0
		}
		return n
	}
	if n := intParam("page", 1, apiMaxPage, fmt.Sprintf("page 须为 1–%d 之间的整数。", apiMaxPage)); n > 0 {
		f.Page = n
	}
	if n := intParam("per_page", 1, 100, "per_page 须为 1–100 之间的整数。"); n > 0 {
		f.PerPage = n
	}
	f.Year = intParam("year", 1900, 2999, "year 须为四位年份，例如 2026。")
	if c := q.Get("category"); c != "" {
		if _, ok := gongkai.CategoryByCode(c); !ok {
			fe.Add("category", "没有这个公开类别："+apiQuote(c)+"。可用的类别见 /api/v1/openapi.json。")
		}
		f.Category = c
	}
	state := gongkai.State(q.Get("state"))
	if state != "" && !apiKnownState(state) {
		fe.Add("state", "没有这个状态："+apiQuote(string(state))+"。")
	}
	scope := q.Get("scope")
	if scope != "" && scope != "board" && scope != "all" {
		fe.Add("scope", "scope 只能是 board 或 all。")
	}
	if utf8.RuneCountInString(f.Query) > 200 {
		fe.Add("q", "搜索词不能超过 200 字。")
	}
	if len(fe) > 0 {
		return &gongkai.Error{Code: gongkai.EMALFORMED, Message: joinFields(fe), Fields: fe}
	}

	audiences := gongkai.ReadableAudiences(actor, school.BureauID, school.ID)
	insider := gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)
	wantsUnpublished := scope == "all" || (state != "" && !(&gongkai.Disclosure{State: state}).Published())
	if wantsUnpublished && !insider {
		if actor.Anonymous() {
			return gongkai.Errorf(gongkai.EUNAUTHENTICATED, "未发布的事项只对参与公开流程的人员开放，请先获取令牌。")
		}
		return gongkai.Errorf(gongkai.EFORBIDDEN, "未发布的事项只对本校经办人、领导小组、校长、监督小组和教育局开放。")
	}
	var items []*gongkai.Disclosure
	var total int
	var err error
	switch {
	case state != "" && wantsUnpublished:
		f.States = []gongkai.State{state}
		items, total, err = s.db.FindDisclosures(r.Context(), school.ID, f)
	case scope == "all" && state == "":
		f.Audiences = audiences
		items, total, err = s.db.FindAllDisclosures(r.Context(), school.ID, f)
	default:
		f.Published, f.Audiences = true, audiences
		if state != "" {
			f.States = []gongkai.State{state}
		}
		items, total, err = s.db.FindDisclosures(r.Context(), school.ID, f)
	}
	if err != nil {
		return err
	}
	if items, total, err = s.hideTakenDown(r.Context(), school, items, f.Query, total); err != nil { // roster.go
		return err
	}
	out := apiList{Items: make([]apiItem, len(items)), Total: total, Page: f.Page, PerPage: f.PerPage}
	for i, d := range items {
		out.Items[i] = apiItemOf(school, d)
	}
	if f.Page*f.PerPage < total && f.Page < apiMaxPage {
		next := f.Page + 1
		out.Next = &next
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func apiKnownState(st gongkai.State) bool {
	for _, x := range gongkai.States {
		if st == x {
			return true
		}
	}
	return false
}

// apiQuote shows a caller's value in a message, cut short.
func apiQuote(v string) string {
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:40]) + "…"
	}
	return "“" + strings.ToValidUTF8(v, "?") + "”"
}

// ---- One item ----------------------------------------------------------

// pathID reads the {id} path value: a positive number written plainly
// ("7", not "07" or "+7"), so that one item has one address.
func pathID(r *http.Request) (int64, bool) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == raw
}

// apiLoad finds the item of the {id} path value with its school, and
// answers ENOTFOUND, never EFORBIDDEN, when the caller may not see it.
func (s *Server) apiLoad(r *http.Request) (*gongkai.School, *gongkai.Disclosure, error) {
	return s.apiLoadItem(r, true)
}

// apiLoadItem finds the school of the item in the path and, when full, the
// item itself, answering 404 when the actor may not read it. Without full
// only the item's id and school are filled in, and the store call that
// follows must check the actor (as Act does, under the row lock).
func (s *Server) apiLoadItem(r *http.Request, full bool) (*gongkai.School, *gongkai.Disclosure, error) {
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在或您无权查看。")
	id, ok := pathID(r)
	if !ok {
		return nil, nil, notFound
	}
	school, err := s.db.FindSchoolOfDisclosure(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	schoolID := school.ID
	if !full {
		// The caller's store call checks that the actor may see the item.
		return school, &gongkai.Disclosure{ID: id, SchoolID: schoolID}, nil
	}
	d, err := s.db.FindDisclosureByID(r.Context(), schoolID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanReadDisclosure(gongkai.ActorFrom(r.Context()), school.BureauID, d) {
		return nil, nil, notFound
	}
	return school, d, nil
}

func (s *Server) apiDisclosure(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	detail, err := s.apiDetailOf(r.Context(), gongkai.ActorFrom(r.Context()), school, d)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, detail)
	return nil
}

// apiDraftInput is the registration form as JSON.
type apiDraftInput struct {
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	Category      string   `json:"category"`
	Audience      string   `json:"audience"`
	PublicityDays *int     `json:"publicity_days"`
	DocNumber     string   `json:"doc_number"`
	LegalBasis    string   `json:"legal_basis"`
	Contact       string   `json:"contact"`
	Channels      []string `json:"channels"`
	CatalogueCode string   `json:"catalogue_code"`
	DepartmentID  int64    `json:"department_id"`
}

// draft turns the input into a disclosure of the school. A catalogue item
// fills the category, audience and publicity period left out. Every
// problem is reported at once, as on the form.
func (s *Server) apiDraft(r *http.Request, school *gongkai.School, in *apiDraftInput) (*gongkai.Disclosure, error) {
	d := &gongkai.Disclosure{
		Title: in.Title, Body: in.Body, Category: in.Category, Audience: gongkai.Audience(in.Audience),
		DocNumber: in.DocNumber, LegalBasis: in.LegalBasis, Contact: in.Contact,
		CatalogueCode: strings.TrimSpace(in.CatalogueCode), DepartmentID: in.DepartmentID,
	}
	for _, c := range in.Channels {
		d.Channels = append(d.Channels, gongkai.Channel(c))
	}
	if in.PublicityDays != nil {
		d.PublicityDays = *in.PublicityDays
	}
	fe := gongkai.FieldErrors{}
	if err := apiNoNUL(map[string]string{"title": d.Title, "body": d.Body, "doc_number": d.DocNumber, "legal_basis": d.LegalBasis,
		"contact": d.Contact, "catalogue_code": d.CatalogueCode, "category": d.Category, "audience": in.Audience}); err != nil {
		return nil, err
	}
	if d.CatalogueCode != "" {
		items, err := s.db.FindCatalogue(r.Context(), school.ID)
		if err != nil {
			return nil, err
		}
		found := false
		for _, c := range items {
			if c.Code != d.CatalogueCode {
				continue
			}
			found = true
			if d.Category == "" {
				d.Category = c.Category
			}
			if d.Audience == "" {
				d.Audience = c.Audience
			}
			if in.PublicityDays == nil {
				d.PublicityDays = c.PublicityDays
			}
		}
		if !found {
			fe.Add("catalogue_code", "本校公开目录中没有这一项，请从 /api/v1/schools/"+school.Slug+"/catalogue 中选择。")
		}
	}
	if d.DepartmentID < 0 {
		fe.Add("department_id", "处室无效，请从列表中选择。")
	}
	if d.Audience == "" {
		d.Audience = gongkai.AudiencePublic
	}
	if err := d.ValidateDraft(); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) apiCreateDisclosure(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	var in apiDraftInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	d, err := s.apiDraft(r, school, &in)
	if err != nil {
		return err
	}
	if err := s.db.CreateDisclosure(r.Context(), school.ID, actor, d); err != nil {
		return apiFieldNames(err)
	}
	got, err := s.db.FindDisclosureByID(r.Context(), school.ID, d.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/disclosures/"+strconv.FormatInt(d.ID, 10))
	detail, err := s.apiDetailOf(r.Context(), actor, school, got)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, detail)
	return nil
}

func (s *Server) apiUpdateDisclosure(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	// Say what is wrong with the step before what is wrong with the input.
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	var in apiDraftInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	upd, err := s.apiDraft(r, school, &in)
	if err != nil {
		return err
	}
	got, err := s.db.UpdateDraft(r.Context(), school.ID, d.ID, actor, upd)
	if err != nil {
		return apiFieldNames(err)
	}
	detail, err := s.apiDetailOf(r.Context(), actor, school, got)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, detail)
	return nil
}

// ---- Attachments -------------------------------------------------------

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	// Refuse before reading up to 20 MB that could not be kept.
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		apiUnsupported(w, "上传文件须为 multipart/form-data，文件放在字段 file 中。")
		return nil
	}
	tooLarge := &gongkai.Error{Code: gongkai.ETOOLARGE, Message: fmt.Sprintf("文件超过 %d MB 上限。", gongkai.MaxAttachmentBytes>>20),
		Fields: map[string]string{"file": fmt.Sprintf("文件超过 %d MB 上限。", gongkai.MaxAttachmentBytes>>20)}}
	r.Body = http.MaxBytesReader(w, r.Body, gongkai.MaxAttachmentBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "multipart 请求体无法解析：%s", err.Error())
	}
	var tooBig *http.MaxBytesError
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "请选择要上传的文件。", Fields: map[string]string{"file": "请在字段 file 中上传文件。"}}
		}
		if errors.As(err, &tooBig) {
			return tooLarge
		}
		if err != nil {
			return gongkai.Errorf(gongkai.EMALFORMED, "multipart 请求体无法解析：%s", err.Error())
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); errors.As(err, &tooBig) {
				return tooLarge
			}
			continue
		}
		name := gongkai.CleanFilename(part.FileName(), "")
		st, err := s.blobs.Put(r.Context(), part, name, gongkai.MaxAttachmentBytes)
		if errors.As(err, &tooBig) {
			return tooLarge
		}
		if err != nil {
			return err
		}
		a := attachmentOf(name, st)
		if err := s.db.AddAttachment(r.Context(), school.ID, d.ID, actor, &a); err != nil {
			return err
		}
		if err := s.scanAttachments(r.Context(), school.ID, []gongkai.Attachment{a}); err != nil { // privacy.go
			return err
		}
		out := apiAttachmentOf(school, a)
		w.Header().Set("Location", out.URL)
		writeJSON(w, http.StatusCreated, out)
		return nil
	}
}

// ---- Steps of the procedure --------------------------------------------

// apiActions are the steps the API takes, by the name in the path.
var apiActions = map[string]gongkai.Action{
	"submit": gongkai.ActionSubmit, "comment": gongkai.ActionComment, "approve": gongkai.ActionApprove,
	"return": gongkai.ActionReturn, "check": gongkai.ActionCheck, "publish": gongkai.ActionPublish,
	"withdraw": gongkai.ActionWithdraw, "revise": gongkai.ActionRevise, "archive": gongkai.ActionArchive,
	"recall": gongkai.ActionRecall,
}

type apiActInput struct {
	Comment   string  `json:"comment"`
	Title     *string `json:"title"`
	Body      *string `json:"body"`
	DocNumber *string `json:"doc_number"`
}

func (s *Server) apiAct(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	action, ok := apiActions[r.PathValue("action")]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。可用的操作：submit、comment、approve、return、recall、check、publish、withdraw、revise、archive。")
	}
	// The body is read first, so that a bad one is refused alike whether
	// or not the item exists. Only a revision needs the item before acting
	// (what it leaves out stays as it is); Act loads the item under its row
	// lock and answers 404 to an actor who may not see it.
	var in apiActInput
	if ok, err := apiReadJSON(w, r, &in, true); !ok {
		return err
	}
	school, d, err := s.apiLoadItem(r, action == gongkai.ActionRevise)
	if err != nil {
		return err
	}
	text := map[string]string{"comment": in.Comment}
	var rev *store.Revision
	if action == gongkai.ActionRevise {
		// What a revision leaves out stays as it is.
		rev = &store.Revision{Title: d.Title, Body: d.Body, DocNumber: d.DocNumber}
		if in.Title != nil {
			rev.Title = *in.Title
		}
		if in.Body != nil {
			rev.Body = *in.Body
		}
		if in.DocNumber != nil {
			rev.DocNumber = *in.DocNumber
		}
		text["title"], text["body"], text["doc_number"] = rev.Title, rev.Body, rev.DocNumber
	}
	if err := apiNoNUL(text); err != nil {
		return err
	}
	if action == gongkai.ActionSubmit || action == gongkai.ActionRevise {
		// Files not read yet are read for the personal-data check (privacy.go).
		if _, err := s.CheckPrivacy(r.Context(), school.ID, d.ID); err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			return err
		}
	}
	got, err := s.db.Act(r.Context(), school.ID, d.ID, actor, action, in.Comment, rev)
	if err != nil {
		return err
	}
	detail, err := s.apiDetailOf(r.Context(), actor, school, got)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, detail)
	return nil
}
