package gongkai

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ActionRedact is recorded in the trail when the principal deletes
// personal data that was published by mistake (删除个人信息): one version's
// body or one attachment is purged, not hidden. It is not a step of the
// procedure: the item stays in its state.
const ActionRedact Action = "redact"

// RedactedMark is what the public trail and a purged attachment say in
// place of what was removed.
const RedactedMark = "已删除个人信息"

// MaxRedactionReasonRunes bounds the recorded reason.
const MaxRedactionReasonRunes = 2000

// RedactionTarget is what a redaction removes.
type RedactionTarget string

// Targets of a redaction.
const (
	RedactBody       RedactionTarget = "body"       // the body of one version
	RedactAttachment RedactionTarget = "attachment" // one file, in every version of the item that carries it
)

// Label is the Chinese name of the target, as the trail and notices show it.
func (t RedactionTarget) Label() string {
	switch t {
	case RedactBody:
		return "正文"
	case RedactAttachment:
		return "附件"
	}
	return string(t)
}

// RedactionFacts is what the store knows of the content to redact.
type RedactionFacts struct {
	SchoolBureauID int64
	State          State // of the item
	Target         RedactionTarget
	// Published: the version (of the body, or carrying the file) was made
	// public; a draft is corrected by editing it, not by a redaction.
	Published bool
	// Redacted: the content was redacted before.
	Redacted bool
	// RevisionPending: a draft revision holds a copy of the text, which a
	// redaction of the published version would leave behind.
	RevisionPending bool
}

// AuthorizeRedaction decides whether the actor may redact the content of
// an item of the school. Only the school's principal may, and only
// content that was made public (published, closed, withdrawn or archived
// items). Errors: EUNAUTHENTICATED for nobody signed in; ENOTFOUND for
// someone with no part in the school, so a cross-school attempt learns
// nothing; EFORBIDDEN for anyone else but the principal; EINVALID for an
// unknown target; ECONFLICT when the state or the content does not allow
// it.
func AuthorizeRedaction(a *Actor, schoolID int64, f RedactionFacts) error {
	if a.Anonymous() {
		return Errorf(EUNAUTHENTICATED, "请先登录。")
	}
	if !a.HasRole(schoolID, RolePrincipal) {
		if !a.IsMember(schoolID) && !a.Oversees(f.SchoolBureauID) {
			return Errorf(ENOTFOUND, "公开事项不存在或您无权查看。")
		}
		return Errorf(EFORBIDDEN, "只有校长可以删除已公开内容中的个人信息。")
	}
	if f.Target != RedactBody && f.Target != RedactAttachment {
		return Errorf(EINVALID, "要删除的内容无效。")
	}
	switch f.State {
	case StatePublished, StateClosed, StateWithdrawn, StateArchived:
	default:
		return Errorf(ECONFLICT, "当前状态（%s）的事项尚未公开，请直接修改登记表。", f.State.Label())
	}
	if !f.Published {
		return Errorf(ECONFLICT, "该%s所在的版本尚未公开，请直接修改。", f.Target.Label())
	}
	if f.Redacted {
		return Errorf(ECONFLICT, "该%s中的个人信息已于此前删除。", f.Target.Label())
	}
	if f.RevisionPending {
		return Errorf(ECONFLICT, "本事项有修订在审核中，其中可能含有同样的个人信息。请先放弃修订，再删除个人信息。")
	}
	return nil
}

// CheckRedactionReason checks the reason the principal gives, which the
// supervision group and the bureau read: required, of bounded length, and
// text both databases keep alike.
func CheckRedactionReason(reason string) error {
	reason = strings.TrimSpace(reason)
	msg := ""
	switch {
	case reason == "":
		msg = "请填写删除理由。"
	case utf8.RuneCountInString(reason) > MaxRedactionReasonRunes:
		msg = fmt.Sprintf("删除理由不能超过 %d 字。", MaxRedactionReasonRunes)
	default:
		msg = CheckText("删除理由", reason, true)
	}
	if msg != "" {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"reason": msg}}
	}
	return nil
}

// RedactedBody is what a redacted version says in place of its body: the
// fact and the date (Beijing), nothing of what was there.
func RedactedBody(at time.Time) string {
	y, m, d := at.In(Beijing).Date()
	return fmt.Sprintf("**%s**\n\n本版本正文含有不应公开的个人信息，已于 %d年%d月%d日删除。", RedactedMark, y, int(m), d)
}
