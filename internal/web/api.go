package web

import (
	"bytes"
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
	// The school's log (存证): its name and signed-note verifier key.
	LogOrigin string `json:"log_origin,omitempty"`
	LogKey    string `json:"log_key,omitempty"`
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
	// Ledger is the item's latest entry in its school's log, from which
	// anyone can recompute the leaf hash (docs/ledger.md).
	Ledger *apiLedger `json:"ledger,omitempty"`
	// Postings records the item's postings and announcements (api_postings.go).
	Postings []apiPosting `json:"postings"`
}

// apiLedger is an entry of a school's log: its index, RFC 6962 leaf hash
// (hex) and the exact entry text.
type apiLedger struct {
	Index    int64  `json:"index"`
	LeafHash string `json:"leaf_hash"`
	Entry    string `json:"entry"`
	// TextRemovedOn is the day (Beijing) personal data was lawfully
	// removed from the title and body (a redaction, or a roster taken
	// down), when it was: they no longer hash to the entry's values.
	TextRemovedOn *string `json:"text_removed_on,omitempty"`
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
