package gongkai

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web layer.
const (
	EINVALID         = "invalid"         // input fails validation (422) or is malformed (400)
	EMALFORMED       = "malformed"       // request body cannot be parsed (400)
	EUNAUTHENTICATED = "unauthenticated" // no or bad credentials (401)
	EFORBIDDEN       = "forbidden"       // signed in but not allowed (403)
	ENOTFOUND        = "not_found"       // missing, or not visible to the caller (404)
	ECONFLICT        = "conflict"        // the current state does not allow it (409)
	EGONE            = "gone"            // deleted for good, e.g. a redacted file (410)
	ETOOLARGE        = "too_large"       // upload or body over the limit (413)
	ETOOMANY         = "too_many"        // rate limited (429)
	EINTERNAL        = "internal"        // everything else (500)
)

// Error is a domain error with a code and a message safe to show to users.
// Fields holds per-field messages for forms.
type Error struct {
	Code    string
	Message string
	Fields  map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) > 0 {
		return fmt.Sprintf("%s: %s %v", e.Code, e.Message, e.Fields)
	}
	return e.Code + ": " + e.Message
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that no detail leaks.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "服务器内部错误，已记录，请稍后再试。"
}

// ErrorFields returns the per-field messages of err, if any.
func ErrorFields(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// FieldErrors collects validation messages per field; Err returns nil when
// there are none, so validators read top to bottom.
type FieldErrors map[string]string

// Add records msg for field unless the field already has a message.
func (f FieldErrors) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an EINVALID *Error carrying the field messages, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "请检查标红的项目。", Fields: f}
}
