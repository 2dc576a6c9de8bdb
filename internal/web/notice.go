package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"gongkai"
	"gongkai/internal/notice"
)

// The printed notice of a published item (打印公告): the A4 sheet a school
// posts on its 公开栏, as an HTML print view and as a PDF that gongkai makes
// (internal/notice). Both carry a QR code that opens the item's verify
// page and the hash of its record in the school's log, so the paper on the
// wall and the record online can be compared. They answer whoever may read
// the item page, as it does.

// noticePage is the print view, and the facts of the PDF.
type noticePage struct {
	base
	Doc       *docView
	Heading   string // 校务公开 · the catalogue item
	ItemURL   string // the item page, absolute
	VerifyURL string // the verify page, absolute: what the QR code opens
	QR        template.HTML
	Record    *noticeRecord // nil: not yet on the record
	// Objection says where to object during the publicity period; empty
	// for a withdrawn item or one whose roster was taken down.
	Objection string
	Ways      []string
	PDFURL    string
	CSSNotice string // hashed URL of notice.css
}

// noticeRecord is the newest entry of an item in its school's log.
type noticeRecord struct {
	Index    int64
	LeafHash [32]byte
}

// noticeRecordOf finds the newest record of the item in its school's log
// (the one the API's "ledger" answers); nil when it has none yet.
func (s *Server) noticeRecordOf(ctx context.Context, schoolID, id int64) (*noticeRecord, error) {
	recs, err := s.db.FindLedgerRecords(ctx, schoolID, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	last := recs[len(recs)-1]
	return &noticeRecord{Index: last.Index, LeafHash: last.LeafHash}, nil
}

// Hash is the record's leaf hash in hex.
func (r *noticeRecord) Hash() string { return hex.EncodeToString(r.LeafHash[:]) }

// RecordLine is "存证 #N · SHA-256", or 尚未存证.
func (p *noticePage) RecordLine() string {
	if p.Record == nil {
		return p.T("尚未存证")
	}
	return p.Tf("存证 #%d", p.Record.Index) + " · SHA-256"
}

func (s *Server) handleNotice(w http.ResponseWriter, r *http.Request) error {
	p, done, err := s.noticePage(w, r)
	if err != nil || done {
		return err
	}
	s.render(w, r, "notice", p)
	return nil
}

func (s *Server) handleNoticePDF(w http.ResponseWriter, r *http.Request) error {
	p, done, err := s.noticePage(w, r)
	if err != nil || done {
		return err
	}
	pdf, err := s.notices.PDF(p.pdf())
	if errors.Is(err, notice.ErrNoFont) {
		return s.noFont(w, r, p)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	name := strings.ReplaceAll(p.Doc.IndexNo, "/", "-") // 3501210001/2026-CW-0042
	if name == "" {
		name = strconv.FormatInt(p.Doc.D.ID, 10)
	}
	setFileHeaders(h, "application/pdf", name+".pdf", true)
	sum := sha256.Sum256(pdf)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "public, no-cache")
	}
	serveBytes(w, r, http.StatusOK, "application/pdf", pdf, nil, `"`+hex.EncodeToString(sum[:16])+`"`)
	return nil
}

// noFont tells the reader that this server cannot make the PDF, and where
// the print view is; never an error page, since nothing is wrong with the
// item.
func (s *Server) noFont(w http.ResponseWriter, r *http.Request, p *noticePage) error {
	w.Header().Set("Cache-Control", "no-store")
	p.NoIndex = true
	p.Title = p.T("暂不能生成 PDF")
	s.render(w, r, "notice-nofont", p)
	return nil
}

// noticePage loads the item as its page does (the same 404s and
// redirects) and builds what the notice says.
func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) (*noticePage, bool, error) {
	d, done, err := s.loadReadable(w, r)
	if err != nil || done {
		return nil, done, err
	}
	ctx := r.Context()
	school := schoolFrom(ctx)
	p := &noticePage{base: s.base(r, d.Title), CSSNotice: s.static.url("notice.css")}
	p.NoIndex = true // the item page is the one to find
	if p.Doc, err = s.newDocView(ctx, &p.base, school, d); err != nil {
		return nil, false, err
	}
	p.Title = p.Doc.Title
	if p.Heading, err = s.noticeHeading(ctx, &p.base, school, d); err != nil {
		return nil, false, err
	}
	site := s.siteBase(r)
	p.ItemURL = site + p.Doc.URL()
	p.VerifyURL = p.ItemURL + "/verify"
	p.PDFURL = p.Doc.URL() + "/notice.pdf"
	p.QR = s.qrSVG(p.VerifyURL, p.T("扫码核验"))
	if p.Record, err = s.noticeRecordOf(ctx, school.ID, d.ID); err != nil {
		return nil, false, err
	}
	if d.PublicityDays > 0 && !d.PublicityEnd.IsZero() && !p.Doc.Withdrawn && !p.Doc.TakenDown {
		p.Objection = p.Tf("如有异议，请于 %s前通过以下方式反映：", p.Day(d.PublicityEnd))
		p.Ways = append(p.Ways, p.T("在线提交异议")+p.Colon()+site+"/s/"+school.Slug+"/feedback/new?kind=objection&d="+strconv.FormatInt(d.ID, 10))
		if d.Contact != "" {
			p.Ways = append(p.Ways, d.Contact)
		}
		if school.Phone != "" {
			p.Ways = append(p.Ways, p.T("监督电话")+p.Colon()+school.Phone)
		}
		if b := school.Bureau; b.Phone != "" {
			p.Ways = append(p.Ways, p.T("主管单位")+p.Colon()+b.Name+" · "+p.T("监督举报电话")+p.Colon()+b.Phone)
		}
	}
	cachePrivate(w, &p.base, d.Audience != gongkai.AudiencePublic || p.Doc.Rule.Holds())
	return p, false, nil
}

// noticeHeading is 校务公开 · the item's catalogue item (or its category
// when the item names none).
func (s *Server) noticeHeading(ctx context.Context, b *base, school *gongkai.School, d *gongkai.Disclosure) (string, error) {
	name := categoryName(b, d.Category)
	if d.CatalogueCode != "" {
		items, err := s.db.FindCatalogue(ctx, school.ID)
		if err != nil {
			return "", err
		}
		for _, c := range items {
			if c.Code == d.CatalogueCode {
				name = c.Name
			}
		}
	}
	return b.T("校务公开") + " · " + name, nil
}

// Files are the names of the files listed on the notice.
func (p *noticePage) Files() []string {
	var out []string
	for _, f := range p.Doc.Files {
		name := f.Filename
		if !f.RedactedAt.IsZero() {
			name += "（" + p.T("已删除个人信息") + "）"
		}
		out = append(out, name)
	}
	return out
}

// Period is 公示期：2026-03-03 至 2026-03-09, or "" without one.
func (p *noticePage) Period() string {
	v := p.Doc
	if v.PeriodDays == 0 || v.PeriodStart.IsZero() {
		return ""
	}
	s := p.T("公示期") + p.Colon() + isoDay(v.PeriodStart) + " " + p.T("至") + " " + isoDay(v.PeriodEnd)
	if v.Provisional {
		s += p.T("（暂定）")
	}
	return s
}

// Stopped is the notice that stands instead of the body: the item was
// withdrawn, or its roster taken down; "" otherwise.
func (p *noticePage) Stopped() string {
	v := p.Doc
	switch {
	case v.Withdrawn:
		s := p.T("本事项已撤回。")
		if v.Reason != "" {
			s += p.T("撤回理由：") + v.Reason
		}
		return s
	case v.TakenDown:
		return v.Notice + "\n" + p.T("按照教财厅函〔2017〕28号和个人信息保护的要求，名单及其附件不再公开。")
	}
	return ""
}

// SignersLine is who signed and checked the version shown, or "".
func (p *noticePage) SignersLine() string {
	if ver := p.Doc.Signed(); ver != nil {
		return p.Doc.Signers(ver)
	}
	return ""
}

// pdf is what the PDF says: the print view's facts.
func (p *noticePage) pdf() *notice.Notice {
	v := p.Doc
	n := &notice.Notice{
		School: v.School.Title(), Heading: p.Heading, Title: v.Title,
		Trail: v.Trail, Signers: p.SignersLine(), Notice: p.Stopped(),
		FilesLabel: p.T("附件") + p.Colon(), Files: p.Files(),
		Period: p.Period(), Objection: p.Objection, Ways: p.Ways,
		QR: p.VerifyURL, QRLabel: p.T("扫码核验：本公告与网上存证是否一致"),
		Record: []string{p.RecordLine()},
		Lang:   "zh-CN",
	}
	if n.Notice == "" {
		n.Body = v.Body
	}
	if p.Lang == "en" {
		n.Lang = "en"
	}
	n.Meta = append(n.Meta, [2]string{p.T("索引号") + p.Colon(), v.IndexNo})
	if v.DocNumber != "" {
		n.Meta = append(n.Meta, [2]string{p.T("文号") + p.Colon(), v.DocNumber})
	}
	n.Meta = append(n.Meta, [2]string{p.T("公开日期") + p.Colon(), isoDay(v.Published)}, [2]string{p.T("公开范围") + p.Colon(), v.Audience})
	if p.Record != nil {
		n.Record = append(n.Record, p.Record.Hash())
	}
	n.Record = append(n.Record, p.T("网上原文")+p.Colon()+p.ItemURL)
	return n
}
