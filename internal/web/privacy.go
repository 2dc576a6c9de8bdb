package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"gongkai"
	"gongkai/internal/extract"
	"gongkai/internal/store"
)

// Personal data caught before it is published: the warning on the edit
// and review pages, masking in one click, the principal's override.

// privacyView is the panel of findings on the edit and review pages.
type privacyView struct {
	b            *base
	Findings     []gongkai.Finding // the first maxShownFindings
	Total, More  int               // findings in all, and those not shown
	Overrides    []store.PrivacyOverride
	InBody       bool // some finding can be masked
	InFiles      bool // some finding is in a file, which must be replaced
	MaskURL      string
	OverrideURL  string
	CanMask      bool
	CanOverride  bool
	OverrideKey  string // the finding whose reason failed, with its message
	ReasonError  string
	Reason       string
	FormEditable bool // on the edit page (the mask button sits beside the form)
}

// maxShownFindings is how many findings the panel lists.
const maxShownFindings = 50

// T translates for the partial.
func (v *privacyView) T(zh string) string { return v.b.T(zh) }

// Tf translates and formats for the partial.
func (v *privacyView) Tf(zh string, args ...any) string { return v.b.Tf(zh, args...) }

// Empty reports whether there is nothing to show.
func (v *privacyView) Empty() bool {
	return v == nil || (len(v.Findings) == 0 && len(v.Overrides) == 0)
}

// CheckPrivacy is the personal-data check of an item's current version, the
// one call every path that lets an item go out makes (save, submit,
// revision): attachments not read yet are read first.
func (s *Server) CheckPrivacy(ctx context.Context, schoolID, id int64) (*store.PrivacyReport, error) {
	rep, err := s.db.CheckPrivacy(ctx, schoolID, id)
	if err != nil || len(rep.Unscanned) == 0 {
		return rep, err
	}
	if err := s.scanAttachments(ctx, schoolID, rep.Unscanned); err != nil {
		return nil, err
	}
	return s.db.CheckPrivacy(ctx, schoolID, id)
}

// scanAttachments reads the text of stored files and keeps what the scan
// found in them.
func (s *Server) scanAttachments(ctx context.Context, schoolID int64, atts []gongkai.Attachment) error {
	if len(atts) == 0 {
		return nil
	}
	allowed, err := s.db.AllowedPhones(ctx, schoolID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		fs := s.scanFile(ctx, a, allowed)
		if err := s.db.SaveAttachmentScan(ctx, schoolID, a.SHA256, fs); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) scanFile(ctx context.Context, a gongkai.Attachment, allowed map[string]bool) []gongkai.Finding {
	if !extract.Readable(a.ContentType, a.Filename) {
		return nil
	}
	if a.Size > extract.MaxFileBytes {
		return extract.Scan(nil, a.Size, a.ContentType, a.Filename, allowed)
	}
	rc, err := s.blobs.Open(ctx, a.StorageKey)
	if err != nil {
		s.log.Error("privacy scan: open file", "key", a.StorageKey, "err", err)
		return []gongkai.Finding{gongkai.Unchecked("", "文件无法读取")}
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		data, err := io.ReadAll(io.LimitReader(rc, extract.MaxFileBytes+1))
		if err != nil {
			s.log.Error("privacy scan: read file", "key", a.StorageKey, "err", err)
			return []gongkai.Finding{gongkai.Unchecked("", "文件无法读取")}
		}
		ra = bytes.NewReader(data)
	}
	return extract.Scan(ra, a.Size, a.ContentType, a.Filename, allowed)
}

// privacyPanel is the panel of the item for the reader of the page.
func (s *Server) privacyPanel(r *http.Request, b *base, school *gongkai.School, d *gongkai.Disclosure, editing bool) (*privacyView, error) {
	if d.ID == 0 {
		return nil, nil
	}
	rep, err := s.CheckPrivacy(r.Context(), school.ID, d.ID)
	if err != nil {
		return nil, err
	}
	actor := gongkai.ActorFrom(r.Context())
	v := &privacyView{b: b, Findings: rep.Findings, Overrides: rep.Overrides, InBody: rep.InBody(), FormEditable: editing}
	for _, f := range rep.Findings {
		v.InFiles = v.InFiles || !f.InBody()
	}
	v.Total = len(v.Findings)
	if v.Total > maxShownFindings {
		v.Findings, v.More = v.Findings[:maxShownFindings], v.Total-maxShownFindings
	}
	open := d.State == gongkai.StateDraft || d.State == gongkai.StateSubmitted
	v.CanMask = d.State == gongkai.StateDraft && gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit) == nil
	v.CanOverride = open && gongkai.CanOverridePrivacy(actor, school.ID)
	v.MaskURL = reviewURL(school, d.ID) + "/privacy/mask"
	v.OverrideURL = reviewURL(school, d.ID) + "/privacy/override"
	return v, nil
}

func (s *Server) handleMaskPrivacy(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	n, err := s.db.MaskDraft(r.Context(), school.ID, d.ID, gongkai.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	rep, err := s.CheckPrivacy(r.Context(), school.ID, d.ID)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("已遮盖正文中的 %d 处个人信息。", n)
	if n == 0 {
		msg = "正文中没有需要遮盖的个人信息。"
	}
	if len(rep.Findings) > 0 {
		msg += "附件无法直接遮盖：请删除含有个人信息的附件，上传处理过的文件。"
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/edit#privacy", msg)
}

func (s *Server) handleOverridePrivacy(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	key, reason := r.PostFormValue("key"), r.PostFormValue("reason")
	err = s.db.OverridePrivacy(r.Context(), school.ID, d.ID, gongkai.ActorFrom(r.Context()), key, reason)
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, reviewURL(school, d.ID)+"#privacy", "已记录校长确认及理由，监督小组审核时可见。")
	case gongkai.EINVALID, gongkai.ECONFLICT:
		p, perr := s.reviewPageOf(r, school, d, "", nil)
		if perr != nil {
			return perr
		}
		if p.Privacy != nil {
			p.Privacy.OverrideKey, p.Privacy.Reason = key, strings.TrimSpace(reason)
			p.Privacy.ReasonError = gongkai.ErrorMessage(err)
		}
		p.Error = gongkai.ErrorMessage(err)
		s.renderPage(w, r, statusOf(gongkai.ErrorCode(err)), "review", p)
		return nil
	}
	return err
}
