package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
)

// The public forms: five ways in, the form and its submission.

// feedbackInput is the form as the sender typed it.
type feedbackInput struct {
	Subject, Body        string
	Name, Contact, Email string
	Anonymous            bool
	About                string // report: "", "staff" or "leadership"
	AboutName            string
}

type feedbackFormPage struct {
	base
	Kind       gongkai.FeedbackKind
	Heading    string
	Intro      string
	Action     string
	Item       *gongkai.Disclosure // objection: the item objected to; others: the item the sender came from
	ItemURL    string
	Closed     string // why no objection can be made now; the form is replaced by the explanation
	OpinionURL string
	In         feedbackInput
	Errors     map[string]string
	Summary    []fieldError
	ReplyDays  int
	Threshold  int
	BureauName string
	MaxFiles   int
	MaxFileMB  int
}

// feedbackFields are the fields of the form in their order, for the error
// summary.
var feedbackFields = [][2]string{
	{"disclosure", "公示事项"}, {"about", "举报对象"}, {"about_name", "被举报人姓名"}, {"subject", "主题"}, {"body", "内容"},
	{"file", "附件"}, {"anonymous", "署名方式"}, {"name", "姓名"}, {"contact", "联系电话"}, {"email", "电子邮箱"}, {"kind", "类型"},
}

func (p *feedbackFormPage) setErrors(fields map[string]string) {
	p.Errors, p.Summary = mergeFieldErrors(p.T, feedbackFields, p.Errors, fields)
}

// newFeedbackForm prepares the form of a kind; item is the "d" parameter,
// the item an objection is about (or, for other kinds, the item the sender
// came from). An item the reader may not see does not exist.
func (s *Server) newFeedbackForm(r *http.Request, kind gongkai.FeedbackKind, item string) (*feedbackFormPage, error) {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	text := feedbackKindText[kind]
	p := &feedbackFormPage{base: s.base(r, ""), Kind: kind, Action: "/s/" + school.Slug + "/feedback",
		MaxFiles: maxFeedbackFiles, MaxFileMB: gongkai.MaxAttachmentBytes >> 20, BureauName: school.BureauName}
	p.Heading, p.Intro, p.Nav = p.T(text.Heading), p.T(text.Intro), text.Nav
	p.Title = p.Heading
	p.NoIndex = kind == gongkai.KindObjection
	p.OpinionURL = feedbackFormURL(school, gongkai.KindOpinion)
	// After a POST, the language switch and the sign-in link come back to
	// the form, not to the address it posts to.
	p.Path = feedbackFormURL(school, kind)
	settings, err := s.db.FindFeedbackSettings(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	p.ReplyDays, p.Threshold = settings.ReplyDays[kind], settings.SupportThreshold
	if p.ReplyDays == 0 {
		p.ReplyDays = gongkai.DefaultReplyDays[kind]
	}
	if item != "" {
		id, err := strconv.ParseInt(item, 10, 64)
		if err != nil || id <= 0 {
			return nil, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
		}
		d, err := s.db.FindDisclosureByID(ctx, school.ID, id)
		if err != nil {
			return nil, err
		}
		if !d.Published() || !gongkai.CanReadDisclosure(actor, school.BureauID, d) {
			return nil, gongkai.Errorf(gongkai.ENOTFOUND, "公开事项不存在。")
		}
		// A roster taken down is named with its people masked, here and in
		// the subject the form suggests (roster.go).
		if _, _, err := s.hideTakenDown(ctx, school, []*gongkai.Disclosure{d}, "", 0); err != nil {
			return nil, err
		}
		p.Item, p.ItemURL = d, fmt.Sprintf("/s/%s/d/%d", school.Slug, d.ID)
		p.OpinionURL += "&d=" + strconv.FormatInt(d.ID, 10)
		p.Path += "&d=" + strconv.FormatInt(d.ID, 10)
	}
	if kind == gongkai.KindObjection {
		switch {
		case p.Item == nil:
			p.Closed = p.T("异议须针对一项公示中的事项。请在该事项页面的“公示期内接受异议”处点击“在线提交异议”。")
		case p.Item.State == gongkai.StateWithdrawn:
			p.Closed = p.T("本事项已撤回，不再接受异议。如有意见，请通过意见箱反映。")
		case p.Item.PublicityDays == 0 || p.Item.PublicityEnd.IsZero():
			p.Closed = p.T("本事项没有设置公示期，不接受在线异议。如有意见，请通过意见箱反映。")
		case !p.Item.InPublicity(p.Now):
			p.Closed = p.Tf("本事项的公示期已于 %s 结束，不再接受异议。如仍有意见，请通过意见箱反映，学校同样会答复。", p.Day(p.Item.PublicityEnd))
		}
	}
	return p, nil
}

func (s *Server) handleFeedbackForm(w http.ResponseWriter, r *http.Request) error {
	if err := schoolFrom(r.Context()).Refusal(gongkai.UseFeedback); err != nil {
		return err
	}
	q := r.URL.Query()
	kind := gongkai.FeedbackKind(q.Get("kind"))
	if kind == "" {
		kind = gongkai.KindOpinion
	}
	if !kind.Valid() {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这种反映方式。")
	}
	p, err := s.newFeedbackForm(r, kind, q.Get("d"))
	if err != nil {
		return err
	}
	// Reports are anonymous unless the sender chooses otherwise.
	p.In.Anonymous = kind == gongkai.KindReport
	if !p.Actor.Anonymous() {
		p.In.Name, p.In.Email = p.Actor.DisplayName, p.Actor.Email
	}
	if d := p.Item; d != nil {
		if kind == gongkai.KindObjection {
			p.In.Subject = p.Tf("对《%s》的异议", d.Title)
		} else {
			p.In.Subject = p.Tf("关于《%s》", d.Title)
		}
		if utf8.RuneCountInString(p.In.Subject) > gongkai.MaxFeedbackSubject {
			p.In.Subject = string([]rune(p.In.Subject)[:gongkai.MaxFeedbackSubject])
		}
	}
	w.Header().Set("Cache-Control", "private, no-cache")
	s.render(w, r, "feedback-form", p)
	return nil
}

func (s *Server) handleFeedbackCreate(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	// Counted before the form is read: files of a refused sender are not
	// taken in first.
	if !s.limiter.allow("feedback:"+clientKey(r), 20*time.Second, 10) {
		return gongkai.Errorf(gongkai.ETOOMANY, "提交过于频繁，请稍后再试。")
	}
	if err := parseFeedbackMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	kind := gongkai.FeedbackKind(r.PostFormValue("kind"))
	if !kind.Valid() {
		return gongkai.Errorf(gongkai.EINVALID, "请从学校页面选择反映方式后再提交。")
	}
	p, err := s.newFeedbackForm(r, kind, strings.TrimSpace(r.PostFormValue("d")))
	if err != nil {
		return err
	}
	// Nothing of this request is to be kept with an anonymous case: not even
	// the flash cookie is touched.
	p.Flash = ""
	v := r.PostFormValue
	p.In = feedbackInput{Subject: v("subject"), Body: v("body"), Name: v("name"), Contact: v("contact"), Email: v("email"),
		Anonymous: v("anonymous") == "1", About: v("about"), AboutName: v("about_name")}
	if p.Closed != "" {
		s.renderPage(w, r, http.StatusUnprocessableEntity, "feedback-form", p)
		return nil
	}
	nf := p.newFeedback(gongkai.ActorFrom(ctx))
	fhs := formFiles(r, "file")
	// Every problem at once, before any file is kept: the form's own, and
	// the domain's rules on what was typed and on the number of files.
	fe := gongkai.FieldErrors{}
	if (kind == gongkai.KindReport || kind == gongkai.KindRequest) && v("anonymous") != "0" && v("anonymous") != "1" {
		fe.Add("anonymous", "请选择匿名提交或署名提交。")
	}
	for _, err := range []error{nf.Check(), gongkai.CheckFeedbackFiles(nil, len(fhs))} {
		if err != nil {
			for k, msg := range formErrors(err, "body") {
				fe.Add(k, msg)
			}
		}
	}
	if len(fe) > 0 {
		p.setErrors(fe)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "feedback-form", p)
		return nil
	}
	if nf.Attachments, err = s.storeFiles(ctx, fhs); err == nil {
		var f *gongkai.Feedback
		var secret string
		if f, secret, err = s.db.CreateFeedback(ctx, school.ID, nf); err == nil {
			return s.renderReceipt(w, r, school, f, secret)
		}
	}
	switch gongkai.ErrorCode(err) {
	case gongkai.EINVALID, gongkai.ETOOLARGE, gongkai.ECONFLICT:
		p.setErrors(formErrors(err, "body"))
		s.renderPage(w, r, statusOf(gongkai.ErrorCode(err)), "feedback-form", p)
		return nil
	}
	return err
}

// formSubjects are the choices of whom a report is about, by the form's
// value; nothing chosen is no subject the domain knows, which it refuses.
var formSubjects = map[string]gongkai.Subject{
	"general": gongkai.SubjectGeneral, "staff": gongkai.SubjectStaff, "leadership": gongkai.SubjectLeadership,
}

// newFeedback is the case as the form was filled in.
func (p *feedbackFormPage) newFeedback(actor *gongkai.Actor) *gongkai.NewFeedback {
	in := p.In
	nf := &gongkai.NewFeedback{Kind: p.Kind, Subject: in.Subject, Body: in.Body, Anonymous: in.Anonymous,
		SenderName: in.Name, Contact: in.Contact, Email: in.Email}
	if p.Item != nil && p.Kind == gongkai.KindObjection {
		nf.DisclosureID = p.Item.ID
	}
	// The store reads the sender's memberships to check the item's
	// audience, and keeps nothing of them with an anonymous case.
	nf.SenderID = actor.ID
	if p.Kind == gongkai.KindReport {
		about, ok := formSubjects[in.About]
		if !ok {
			about = gongkai.Subject("-")
		}
		nf.About = about
		if about == gongkai.SubjectStaff {
			nf.AboutName = in.AboutName
		}
	}
	return nf
}
