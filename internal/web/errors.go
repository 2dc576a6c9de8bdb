package web

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"gongkai"
)

// statusOf maps an error code to its HTTP status.
func statusOf(code string) int {
	switch code {
	case gongkai.EINVALID:
		return http.StatusUnprocessableEntity
	case gongkai.EMALFORMED:
		return http.StatusBadRequest
	case gongkai.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case gongkai.EFORBIDDEN:
		return http.StatusForbidden
	case gongkai.ENOTFOUND:
		return http.StatusNotFound
	case gongkai.ECONFLICT:
		return http.StatusConflict
	case gongkai.EGONE:
		return http.StatusGone
	case gongkai.ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case gongkai.ETOOMANY:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// fail answers with the error: JSON for the API, an error page otherwise.
// Internal errors are logged with their detail; users see a calm message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, api bool, err error) {
	code := gongkai.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusInternalServerError {
		s.log.Error("internal error", "method", r.Method, "path", logPath(r.URL.Path), "err", err)
	}
	msg := gongkai.ErrorMessage(err)
	if api {
		writeJSON(w, status, apiError{Error: apiErrorBody{Code: code, Message: msg, Fields: gongkai.ErrorFields(err)}})
		return
	}
	if status == http.StatusNotFound {
		msg = "页面不存在或您无权查看。"
	}
	p := &errorPage{Status: status, Message: msg}
	var refused *refusedText
	if errors.As(err, &refused) {
		p.Kept = refused.Kept
	}
	p.base = s.base(r, http.StatusText(status))
	p.Title = p.T(errorTitle(status))
	s.renderPage(w, r, status, "error", p)
}

func errorTitle(status int) string {
	switch status {
	case http.StatusNotFound:
		return "页面不存在"
	case http.StatusForbidden:
		return "无权访问"
	case http.StatusUnauthorized:
		return "请先登录"
	case http.StatusTooManyRequests:
		return "操作过于频繁"
	case http.StatusRequestEntityTooLarge:
		return "提交的内容过大"
	case http.StatusGone:
		return gongkai.RedactedMark
	case http.StatusInternalServerError:
		return "服务器出错了"
	}
	return "请求有误"
}

type errorPage struct {
	base
	Status  int
	Message string
	Kept    []keptValue // what a refused form held, handed back
}

type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeJSON writes v as JSON with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encoding failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if status >= 400 || w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store") // unless the handler knows better (a log proof)
	}
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

// joinFields makes one message of the field messages, in the order of the
// field names so that it is the same each time.
func joinFields(fe map[string]string) string {
	names := slices.Sorted(maps.Keys(fe))
	msgs := make([]string, len(names))
	for i, k := range names {
		msgs[i] = fe[k]
	}
	return strings.Join(msgs, " ")
}
