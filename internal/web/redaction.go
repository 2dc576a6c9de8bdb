package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Redaction (删除个人信息): the principal purges one published version's
// body or one file that published personal data by mistake. The confirm
// form names what goes and asks for the reason; the store does the rest
// (store.Redact).

// redactPage is the confirm form.
type redactPage struct {
	base
	D       *gongkai.Disclosure
	Action  string
	Target  gongkai.RedactionTarget
	Version int
	// Body is the text that will be deleted, shown once more to be sure.
	Body string
	// File is the file that will be deleted; Versions the versions that
	// carry it.
	File     *gongkai.Attachment
	Versions []int
	Reason   string
	Error    string
}

// redactTarget is what the request names: the body of version {version},
// or the file {att}, of the item; with the facts the domain decides on.
type redactTarget struct {
	page  *redactPage
	facts gongkai.RedactionFacts
}

// loadRedaction reads the item and the named content and checks that the
// actor may redact it.
func (s *Server) loadRedaction(r *http.Request) (*gongkai.School, *redactTarget, error) {
	school, d, err := s.loadItem(r)
	if err != nil {
		return nil, nil, err
	}
	p := &redactPage{base: s.base(r, "删除个人信息"), D: d}
	p.Nav, p.NoIndex = "manage", true
	t := &redactTarget{page: p, facts: gongkai.RedactionFacts{SchoolBureauID: school.BureauID, State: d.State}}
	if att := r.PathValue("att"); att != "" {
		id, err := strconv.ParseInt(att, 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
		}
		p.Target, t.facts.Target = gongkai.RedactAttachment, gongkai.RedactAttachment
		p.Action = reviewURL(school, d.ID) + "/files/" + att + "/redact"
		for _, v := range d.Versions {
			for _, a := range v.Attachments {
				if a.ID == id {
					p.File, p.Version = &a, v.Version
					t.facts.Published, t.facts.Redacted = !v.PublishedAt.IsZero(), !a.RedactedAt.IsZero()
				}
			}
		}
		if p.File == nil {
			return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
		}
		for _, v := range d.Versions {
			for _, a := range v.Attachments {
				if a.StorageKey != "" && a.StorageKey == p.File.StorageKey && !slices.Contains(p.Versions, v.Version) {
					p.Versions = append(p.Versions, v.Version)
				}
			}
		}
	} else {
		n, err := strconv.Atoi(r.PathValue("version"))
		if err != nil || n <= 0 {
			return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个版本。")
		}
		p.Target, t.facts.Target, p.Version = gongkai.RedactBody, gongkai.RedactBody, n
		p.Action = reviewURL(school, d.ID) + "/v/" + strconv.Itoa(n) + "/redact"
		found := false
		for _, v := range d.Versions {
			if v.Version == n {
				found, p.Body = true, v.Body
				t.facts.Published, t.facts.Redacted = !v.PublishedAt.IsZero(), !v.RedactedAt.IsZero()
			}
		}
		if !found {
			return nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "没有这个版本。")
		}
	}
	if err := gongkai.AuthorizeRedaction(gongkai.ActorFrom(r.Context()), school.ID, t.facts); err != nil {
		return nil, nil, err
	}
	p.Title = p.T("删除个人信息") + p.Colon() + d.Title
	return school, t, nil
}

func (s *Server) handleRedactForm(w http.ResponseWriter, r *http.Request) error {
	_, t, err := s.loadRedaction(r)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "redact", t.page)
	return nil
}

func (s *Server) handleRedact(w http.ResponseWriter, r *http.Request) error {
	school, t, err := s.loadRedaction(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := t.page
	p.Reason = r.PostFormValue("reason")
	req := store.RedactRequest{Target: p.Target, Version: p.Version, Reason: p.Reason}
	if p.File != nil {
		req.AttachmentID = p.File.ID
	}
	red, err := s.db.Redact(r.Context(), school.ID, p.D.ID, gongkai.ActorFrom(r.Context()), req, s.blobs)
	if err != nil {
		if gongkai.ErrorCode(err) == gongkai.EINVALID {
			p.Error = gongkai.ErrorMessage(err)
			if f := gongkai.ErrorFields(err)["reason"]; f != "" {
				p.Error = f
			}
			s.renderPage(w, r, http.StatusUnprocessableEntity, "redact", p)
			return nil
		}
		return err
	}
	flash := "已删除个人信息，并已通知监督小组和教育局。"
	switch {
	case red.Target != gongkai.RedactAttachment:
	case red.FileDeleted:
		flash = "已删除个人信息，附件文件已从文件存储中删除，并已通知监督小组和教育局。"
	case red.FileShared:
		flash = "已删除个人信息，该附件不再提供下载；同一文件仍被其他事项或意见使用，文件本身保留。已通知监督小组和教育局。"
	default:
		flash = "已删除个人信息，该附件不再提供下载，但文件未能从文件存储中删除，错误已记录，请联系系统管理员。已通知监督小组和教育局。"
	}
	return s.redirect(w, r, reviewURL(school, p.D.ID), flash)
}

// redactPanel lists, for the principal of a published item, each
// published version's body and files with a way to delete personal data
// from them, or the date it was deleted.
type redactPanel struct {
	Rows []redactRow
}

type redactRow struct {
	Version  int
	What     string // "正文" or the file name
	File     bool
	URL      string // the confirm form; empty once redacted
	Redacted time.Time
}

func newRedactPanel(actor *gongkai.Actor, school *gongkai.School, d *gongkai.Disclosure) *redactPanel {
	if !d.Published() || !actor.HasRole(school.ID, gongkai.RolePrincipal) {
		return nil
	}
	p := &redactPanel{}
	base := reviewURL(school, d.ID)
	for _, v := range d.Versions {
		if v.PublishedAt.IsZero() {
			continue
		}
		row := redactRow{Version: v.Version, What: "正文", Redacted: v.RedactedAt}
		if v.RedactedAt.IsZero() {
			row.URL = base + "/v/" + strconv.Itoa(v.Version) + "/redact"
		}
		p.Rows = append(p.Rows, row)
		for _, a := range v.Attachments {
			row := redactRow{Version: v.Version, What: a.Filename, File: true, Redacted: a.RedactedAt}
			if a.RedactedAt.IsZero() {
				row.URL = base + "/files/" + strconv.FormatInt(a.ID, 10) + "/redact"
			}
			p.Rows = append(p.Rows, row)
		}
	}
	return p
}

// redactionTrail is what the public trail line says of redactions: the
// fact and the date, once per day; the reason is for the staff.
func redactionTrail(b *base, d *gongkai.Disclosure) []string {
	var out []string
	for _, e := range d.Trail {
		if e.Action != gongkai.ActionRedact {
			continue
		}
		s := b.Tf("%s 已删除个人信息", e.At.In(gongkai.Beijing).Format("2006-01-02"))
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// versionList is "第 1、2 版" for the confirm form.
func (p *redactPage) VersionList() string {
	s := make([]string, len(p.Versions))
	for i, v := range p.Versions {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, "、")
}

// goneFile is the answer for a redacted file: 410, with the fact and the date.
func goneFile(a *gongkai.Attachment) error {
	y, m, d := a.RedactedAt.In(gongkai.Beijing).Date()
	return gongkai.Errorf(gongkai.EGONE, "%s：该附件含有不应公开的个人信息，已于 %d年%d月%d日删除。", gongkai.RedactedMark, y, int(m), d)
}
