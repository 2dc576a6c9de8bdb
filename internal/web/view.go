package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// docView is one item as the public sees it: the metadata block, the title,
// the trail line, the body and the files. The public item page and the
// staff review page both render it with {{template "doc" .Doc}}, so a draft
// under review looks exactly as it will once published.
type docView struct {
	b      *base
	School *gongkai.School
	D      *gongkai.Disclosure

	// What is shown: the current version, or an older one on its own page.
	Version     int
	Title       string
	Body        string
	DocNumber   string
	Files       []fileView
	OldVersion  bool // an older version, replaced by a revision
	IndexNo     string
	Category    string // the category's name in the reader's language
	Publisher   string // school full title · department
	Created     time.Time
	Published   time.Time // first publication; zero before it
	Audience    string
	PeriodDays  int // length of the publicity period in working days, 0 for none
	PeriodStart time.Time
	PeriodEnd   time.Time
	Provisional bool
	InPeriod    bool              // objections are accepted now
	PeriodLeft  gongkai.Countdown // how the end of the period stands today
	Trail       string
	Revisions   int // how many times the item was revised; 0 on an older version
	Withdrawn   bool
	Reason      string
	// RevisionPending marks an item whose revision is on its way through
	// the procedure (修订审核中); the text shown stays the current one.
	RevisionPending bool
	// TakenDown is set when the roster rule withholds the item's people
	// (roster.go): no body, no files, the names masked in the title, and
	// Notice instead. AuditURL is where staff of the procedure open the
	// original with a recorded reason.
	TakenDown bool
	Notice    string
	AuditURL  string
	Rule      gongkai.RosterRule
	names     []string
	// The channels chosen on the form with whether each is recorded, and
	// the posting records (posting.go).
	Channels []channelView
	Postings []postingView
}

// fileView is one attachment with its download link.
type fileView struct {
	gongkai.Attachment
	URL  string
	Kind string // PDF, 图片, Excel, Word
}

// T translates for the partial.
func (v *docView) T(zh string) string { return v.b.T(zh) }

// Tf translates and formats for the partial.
func (v *docView) Tf(zh string, args ...any) string { return v.b.Tf(zh, args...) }

// newDocView builds the view of the current version of d in school for the
// reader of b. It works for unpublished items too: no index number and no
// dates until publication. The reader must already be allowed to see d.
func (s *Server) newDocView(ctx context.Context, b *base, school *gongkai.School, d *gongkai.Disclosure) (*docView, error) {
	v := &docView{
		b: b, School: school, D: d,
		Version: d.Version, Title: d.Title, Body: d.Body, DocNumber: d.DocNumber,
		IndexNo:     d.IndexNo,
		Category:    categoryName(b, d.Category),
		Publisher:   school.Title(),
		Created:     d.CreatedAt,
		Published:   d.PublishedAt,
		Audience:    b.T(d.Audience.Label()),
		PeriodDays:  d.PublicityDays,
		PeriodStart: d.PublicityStart,
		PeriodEnd:   d.PublicityEnd,
		Provisional: d.EndProvisional,
		Revisions:   max(d.Version-1, 0),
		Withdrawn:   d.State == gongkai.StateWithdrawn,
		Reason:      d.Reason,

		RevisionPending: d.RevisionState != "",
	}
	if d.DepartmentName != "" {
		v.Publisher += " · " + d.DepartmentName
	}
	v.Files = fileViews(school, d.Attachments)
	v.Trail = trailLine(b, d, v.Revisions)
	rs, err := s.rostersOf(ctx, school)
	if err != nil {
		return nil, err
	}
	v.Rule = rs.rule(d)
	if at, down := gongkai.TakedownAt(d, v.Rule, b.Now); down {
		v.TakenDown = true
		if day, withdrawn := gongkai.TakedownCause(d, at); withdrawn {
			v.Notice = b.Tf("名单已于 %s撤回时撤下", b.Day(day))
		} else {
			v.Notice = b.Tf("名单已于 %s公示期满撤下", b.Day(day))
		}
		bodies := make([]string, 0, len(d.Versions)+1)
		bodies = append(bodies, d.Body)
		for _, ver := range d.Versions {
			bodies = append(bodies, ver.Body)
		}
		v.names = gongkai.RosterNames(bodies...)
		if gongkai.CanAuditRoster(b.Actor, school.BureauID, school.ID) {
			v.AuditURL = reviewURL(school, d.ID) + "/audit"
		}
		v.hideRoster()
	}
	if d.InPublicity(b.Now) {
		v.InPeriod = true
		cal, err := s.db.Calendar(ctx, school.RegionCode)
		if err != nil {
			return nil, err
		}
		v.PeriodLeft = countdown(cal, d.PublicityEnd, b.Now)
	}
	if err := s.postingsOf(ctx, v); err != nil {
		return nil, err
	}
	return v, nil
}

// showVersion switches the view to an older published version n of the item.
// It reports false when there is no such published version.
func (v *docView) showVersion(n int) bool {
	for _, ver := range v.D.Versions {
		if ver.Version != n || ver.PublishedAt.IsZero() {
			continue
		}
		v.Version, v.Title, v.Body, v.DocNumber = ver.Version, ver.Title, ver.Body, ver.DocNumber
		v.Files = fileViews(v.School, ver.Attachments)
		v.OldVersion = n != v.D.Version
		if v.OldVersion {
			// The period, the countdown and the revision count belong to the
			// current version.
			v.PeriodDays, v.InPeriod, v.PeriodLeft = 0, false, gongkai.Countdown{}
			v.Revisions = 0
			v.Trail = trailLine(v.b, v.D, 0)
		}
		v.hideRoster()
		return true
	}
	return false
}

// PublishedVersions lists the versions that were made public, oldest first.
func (v *docView) PublishedVersions() []gongkai.Version {
	var out []gongkai.Version
	for _, ver := range v.D.Versions {
		if !ver.PublishedAt.IsZero() {
			out = append(out, ver)
		}
	}
	return out
}

// URL is the public address of the item.
func (v *docView) URL() string {
	return "/s/" + v.School.Slug + "/d/" + strconv.FormatInt(v.D.ID, 10)
}

// trailLine is the one-line procedure under the title: 经领导小组审议 ·
// 校长签发 · 监督小组审核 · 2025-03-03 发布 · 已修订 1 次.
func trailLine(b *base, d *gongkai.Disclosure, revisions int) string {
	var reviewed, signed, checked bool
	for _, e := range gongkai.PublicTrail(d.Trail) {
		switch e.Action {
		case gongkai.ActionComment:
			reviewed = true
		case gongkai.ActionApprove:
			reviewed, signed = true, true
		case gongkai.ActionCheck:
			checked = true
		}
	}
	var parts []string
	if reviewed {
		parts = append(parts, b.T("经领导小组审议"))
	}
	if signed {
		parts = append(parts, b.T("校长签发"))
	}
	if checked {
		parts = append(parts, b.T("监督小组审核"))
	}
	if !d.PublishedAt.IsZero() {
		parts = append(parts, b.Tf("%s 发布", d.PublishedAt.In(gongkai.Beijing).Format("2006-01-02")))
	}
	if revisions > 0 {
		parts = append(parts, b.Tf("已修订 %d 次", revisions))
	}
	parts = append(parts, redactionTrail(b, d)...) // redaction.go
	return strings.Join(parts, " · ")
}

func fileViews(school *gongkai.School, atts []gongkai.Attachment) []fileView {
	out := make([]fileView, len(atts))
	for i, a := range atts {
		a.Filename = gongkai.CleanFilename(a.Filename, a.ContentType) // names stored before they were cleaned at upload
		out[i] = fileView{Attachment: a, URL: attachmentURL(school, a), Kind: fileKind(a.ContentType)}
	}
	return out
}

func attachmentURL(school *gongkai.School, a gongkai.Attachment) string {
	return "/s/" + school.Slug + "/files/" + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Filename)
}

// fileKind is the short name of a file type as lists show it.
func fileKind(ctype string) string {
	switch {
	case ctype == "application/pdf":
		return "PDF"
	case strings.HasPrefix(ctype, "image/"):
		return "图片"
	case strings.Contains(ctype, "spreadsheet"), strings.Contains(ctype, "excel"):
		return "Excel"
	case strings.Contains(ctype, "wordprocessing"), strings.Contains(ctype, "msword"):
		return "Word"
	}
	return "文件"
}

// categoryName is the name of a category code in the reader's language.
func categoryName(b *base, code string) string {
	c, ok := gongkai.CategoryByCode(code)
	if !ok {
		return code
	}
	if b.Lang == "en" {
		return c.NameEN
	}
	return c.Name
}
