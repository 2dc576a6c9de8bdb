package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// The feedback pages ("有公示、有回音、有结果"): five ways in from the public
// board, the receipt and its lookup, the public questions and answers, the
// staff queue and case page, and the school's settings.
//
// A receipt's secret travels only in POST bodies and in pages marked
// no-store: never in a URL, a cookie or a log.

// maxFeedbackFiles bounds the files of one submission or message.
const maxFeedbackFiles = 5

// casesPerPage is how many cases a queue shows on one page.
const casesPerPage = 20

// feedbackKindText is what each form says about its kind: its heading, the
// introduction and the navigation item it belongs to.
var feedbackKindText = map[gongkai.FeedbackKind]struct{ Heading, Intro, Nav string }{
	gongkai.KindObjection: {"对公示事项提出异议", "对公示中的事项有不同意见，请在公示期内提出。学校核实后答复；确有问题的，整改并公开整改结果。", "board"},
	gongkai.KindOpinion:   {"意见箱", "对学校工作的意见和建议，欢迎留言。学校会在规定期限内答复。", "opinion"},
	gongkai.KindMailbox:   {"校长信箱", "写给校长的信，由校长或领导小组阅处并答复。", "mailbox"},
	gongkai.KindReport:    {"举报", "反映乱收费、违反校务公开规定、违规违纪等问题，由学校监督小组受理。可以匿名举报。", "report"},
	gongkai.KindRequest:   {"依申请公开", "希望学校公开某项信息（点题公开），请写明希望公开的内容和用途。支持人数达到规定人数的申请，学校须公开答复。", "request"},
}

func feedbackFormURL(school *gongkai.School, kind gongkai.FeedbackKind) string {
	return "/s/" + school.Slug + "/feedback/new?kind=" + string(kind)
}

func casesURL(school *gongkai.School) string { return "/s/" + school.Slug + "/cases" }

func caseURL(school *gongkai.School, id int64) string {
	return casesURL(school) + "/" + strconv.FormatInt(id, 10)
}

// myCaseURL is the page where a signed-in sender follows a case sent with
// their name.
func myCaseURL(school *gongkai.School, id int64) string {
	return "/s/" + school.Slug + "/feedback/" + strconv.FormatInt(id, 10)
}

// ---------------------------------------------------------------- the public forms

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
	actor := gongkai.ActorFrom(ctx)
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
	nf := &store.NewFeedback{Kind: kind, Subject: p.In.Subject, Body: p.In.Body, Anonymous: p.In.Anonymous,
		SenderName: p.In.Name, Contact: p.In.Contact, Email: p.In.Email}
	if p.Item != nil && kind == gongkai.KindObjection {
		nf.DisclosureID = p.Item.ID
	}
	// The store reads the sender's memberships to check the item's
	// audience, and keeps nothing of them with an anonymous case.
	nf.SenderID = actor.ID
	if nf.Anonymous {
		nf.SenderName, nf.Contact, nf.Email = "", "", ""
	}
	fe := gongkai.FieldErrors{}
	if kind == gongkai.KindReport {
		switch p.In.About {
		case "general":
			nf.About = gongkai.SubjectGeneral
		case string(gongkai.SubjectStaff):
			nf.About = gongkai.SubjectStaff
			nf.AboutName = strings.TrimSpace(p.In.AboutName)
			if nf.AboutName == "" {
				fe.Add("about_name", "请填写被举报教职工的姓名。")
			} else if utf8.RuneCountInString(nf.AboutName) > 40 {
				fe.Add("about_name", "姓名不能超过 40 字。")
			}
		case string(gongkai.SubjectLeadership):
			nf.About = gongkai.SubjectLeadership
		default:
			fe.Add("about", "请选择举报对象。")
		}
	}
	if kind == gongkai.KindReport || kind == gongkai.KindRequest {
		if a := v("anonymous"); a != "0" && a != "1" {
			fe.Add("anonymous", "请选择匿名提交或署名提交。")
		}
	}
	// The domain's rules, on a copy, so every problem shows at once.
	check := gongkai.Feedback{Kind: kind, DisclosureID: nf.DisclosureID, Subject: nf.Subject, Body: nf.Body, Anonymous: nf.Anonymous,
		SenderName: nf.SenderName, Contact: nf.Contact, Email: nf.Email, About: nf.About}
	for k, msg := range gongkai.ErrorFields(check.Validate()) {
		fe.Add(k, msg)
	}
	fhs := formFiles(r, "file")
	if len(fhs) > maxFeedbackFiles {
		fe.Add("file", fmt.Sprintf("每次最多上传 %d 个附件。", maxFeedbackFiles))
	}
	if len(fe) > 0 {
		p.setErrors(fe)
		s.renderPage(w, r, http.StatusUnprocessableEntity, "feedback-form", p)
		return nil
	}
	atts, err := s.storeFiles(ctx, fhs)
	if err == nil {
		nf.Attachments = atts
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

// ---------------------------------------------------------------- the receipt

type feedbackReceiptPage struct {
	base
	F      *gongkai.Feedback
	Secret string
	Named  bool   // sent by a signed-in user with their name
	MyURL  string // where that user follows it
	Card   receiptCard
}

// renderReceipt shows the receipt code and the secret, once: the page is
// the answer to the POST itself, kept out of every cache and history store.
func (s *Server) renderReceipt(w http.ResponseWriter, r *http.Request, school *gongkai.School, f *gongkai.Feedback, secret string) error {
	p := &feedbackReceiptPage{base: s.base(r, ""), F: f, Secret: secret}
	p.Flash = ""
	p.Card = s.newReceiptCard(r, &p.base, f)
	p.Title = p.T("提交成功")
	p.Path = "/s/" + school.Slug + "/"
	p.Nav = feedbackKindText[f.Kind].Nav
	p.NoIndex = true
	if f.SenderID != 0 && !f.Anonymous {
		p.Named, p.MyURL = true, myCaseURL(school, f.ID)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderPage(w, r, http.StatusCreated, "feedback-receipt", p)
	return nil
}

// ---------------------------------------------------------------- the sender's view: lookup

type lookupPage struct {
	base
	Receipt string // as typed
	Error   string
	Errors  map[string]string
	Case    *senderCase
}

// senderCase is a case as its sender follows it.
type senderCase struct {
	F           *gongkai.Feedback
	School      *gongkai.School
	Thread      []gongkai.FeedbackMessage
	Receipt     string
	Secret      string // carried in the forms' bodies; empty for a signed-in sender's own case
	Overdue     bool
	ResultURL   string
	ItemURL     string
	CanMessage  bool
	CanRate     bool
	CanEscalate bool
	Notice      string
	Message     string // a message as typed, after an error
	Errors      map[string]string
	MaxFiles    int
	MaxFileMB   int
}

// Ratings lists the ratings in the order the form offers them.
func (c *senderCase) Ratings() []gongkai.Rating {
	return []gongkai.Rating{gongkai.RatingSatisfied, gongkai.RatingBasic, gongkai.RatingUnsatisfied}
}

func (s *Server) newSenderCase(ctx context.Context, f *gongkai.Feedback, receipt, secret string, now time.Time) (*senderCase, error) {
	school, err := s.db.FindSchoolByID(ctx, f.SchoolID)
	if err != nil {
		return nil, err
	}
	c := &senderCase{F: f, School: school, Receipt: receipt, Secret: secret, Overdue: f.Overdue(now),
		MaxFiles: maxFeedbackFiles, MaxFileMB: gongkai.MaxAttachmentBytes >> 20}
	c.Thread = f.SenderView().Messages
	if f.ResultID != 0 {
		c.ResultURL = fmt.Sprintf("/s/%s/d/%d", school.Slug, f.ResultID)
	}
	if f.DisclosureID != 0 && f.Kind == gongkai.KindObjection {
		c.ItemURL = fmt.Sprintf("/s/%s/d/%d", school.Slug, f.DisclosureID)
	}
	c.CanMessage = f.State != gongkai.FeedbackClosed && f.State != gongkai.FeedbackDeclined
	c.CanRate = f.CanRate() && f.Rating == ""
	c.CanEscalate = f.CanEscalate(now) == nil
	return c, nil
}

func (s *Server) newLookupPage(r *http.Request) *lookupPage {
	p := &lookupPage{base: s.base(r, "")}
	p.Title = p.T("查询回执")
	p.Nav, p.NoIndex, p.Path = "lookup", true, "/lookup"
	return p
}

// renderLookup writes the lookup page; it may hold a secret, so no cache
// and no history store keeps it.
func (s *Server) renderLookup(w http.ResponseWriter, r *http.Request, status int, p *lookupPage) error {
	w.Header().Set("Cache-Control", "no-store")
	if p.Case != nil {
		// The school's header and navigation, so the sender sees whose case it is.
		p.School = p.Case.School
		p.Title = p.T("查询回执") + p.Colon() + p.Case.F.Subject
	}
	s.renderPage(w, r, status, "feedback-lookup", p)
	return nil
}

func (s *Server) handleLookupForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderLookup(w, r, http.StatusOK, s.newLookupPage(r))
}

// lookupAllowed limits guesses of receipt and secret: per client address in
// this node's memory (addresses are never stored), and per receipt in the
// database, so that several nodes give no more guesses than one.
func (s *Server) lookupAllowed(r *http.Request, receipt string) error {
	tooMany := gongkai.Errorf(gongkai.ETOOMANY, "查询过于频繁，请稍后再试。")
	if !s.limiter.allow("lookup-ip:"+clientKey(r), 3*time.Second, 20) {
		return tooMany
	}
	return s.receiptAllowed(r, receipt, tooMany)
}

// receiptAllowed limits guesses of one receipt's secret, from any number of
// addresses and nodes, for the page and the API alike: ten quick tries,
// then one every 30 seconds; refused with tooMany.
func (s *Server) receiptAllowed(r *http.Request, receipt string, tooMany error) error {
	key := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			return r
		}
		return -1
	}, strings.ToUpper(receipt))
	ok, err := s.db.Allow(r.Context(), "lookup:"+key, 30*time.Second, 10)
	if err != nil {
		return err
	}
	if !ok {
		return tooMany
	}
	return nil
}

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p := s.newLookupPage(r)
	p.Flash = ""
	p.Receipt = strings.TrimSpace(r.PostFormValue("receipt"))
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	fe := gongkai.FieldErrors{}
	if p.Receipt == "" {
		fe.Add("receipt", "请输入回执码。")
	} else if len(p.Receipt) > 64 {
		fe.Add("receipt", "回执码不正确。")
	}
	if secret == "" {
		fe.Add("secret", "请输入查询密码。")
	} else if len(secret) > 128 {
		fe.Add("secret", "查询密码不正确。")
	}
	if len(fe) > 0 {
		p.Errors = fe
		return s.renderLookup(w, r, http.StatusUnprocessableEntity, p)
	}
	if err := s.lookupAllowed(r, p.Receipt); err != nil {
		return err
	}
	f, err := s.db.LookupFeedback(r.Context(), p.Receipt, secret)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		p.Error = p.T("回执码或查询密码不正确，请核对后重新输入。")
		return s.renderLookup(w, r, http.StatusNotFound, p)
	}
	if err != nil {
		return err
	}
	if p.Case, err = s.newSenderCase(r.Context(), f, p.Receipt, secret, p.Now); err != nil {
		return err
	}
	return s.renderLookup(w, r, http.StatusOK, p)
}

// senderDone is the notice after each of the sender's steps.
var senderDone = map[gongkai.FeedbackAction]string{
	gongkai.FActMessage:  "留言已送达，学校答复后可在本页查看。",
	gongkai.FActRate:     "感谢您的评价。",
	gongkai.FActEscalate: "已提请教育局督办，教育局将跟进办理。",
}

// handleLookupAct takes a sender's step. The holder of a receipt and secret
// gets the case page back as the answer to this POST, because the secret
// may not travel in a redirect; a signed-in sender acting on a case sent
// with their name is redirected to its page.
func (s *Server) handleLookupAct(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	if err := parseFeedbackMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	p := s.newLookupPage(r)
	p.Flash = ""
	receipt := strings.TrimSpace(r.PostFormValue("receipt"))
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	action := gongkai.FeedbackAction(r.PostFormValue("action"))
	done, ok := senderDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.EINVALID, "没有这个操作。")
	}
	// A signed-in sender acts on a case sent with their name without the
	// secret; the form names the case.
	var own *gongkai.Feedback
	if secret == "" && !actor.Anonymous() {
		var err error
		if own, err = s.ownCase(ctx, actor, r.PostFormValue("school"), r.PostFormValue("id")); err != nil {
			return err
		}
		receipt = own.Receipt
	} else {
		if receipt == "" || secret == "" || len(receipt) > 64 || len(secret) > 128 {
			return gongkai.Errorf(gongkai.EINVALID, "请先输入回执码和查询密码查询。")
		}
		if err := s.lookupAllowed(r, receipt); err != nil {
			return err
		}
	}
	step := store.SenderStep{Action: action, Body: strings.TrimSpace(r.PostFormValue("body")), Rating: gongkai.Rating(r.PostFormValue("rating"))}
	fe := gongkai.FieldErrors{}
	switch action {
	case gongkai.FActMessage:
		if step.Body == "" {
			fe.Add("body", "请填写留言内容。")
		} else if utf8.RuneCountInString(step.Body) > gongkai.MaxFeedbackBody {
			fe.Add("body", fmt.Sprintf("内容不能超过 %d 字，较长的材料请作为附件上传。", gongkai.MaxFeedbackBody))
		}
	case gongkai.FActRate:
		if !step.Rating.Valid() {
			fe.Add("rating", "请选择评价。")
		}
	}
	fhs := formFiles(r, "file")
	if action == gongkai.FActMessage && len(fhs) > maxFeedbackFiles {
		fe.Add("file", fmt.Sprintf("每次最多上传 %d 个附件。", maxFeedbackFiles))
	}
	var err error
	if len(fe) > 0 {
		err = fe.Err()
	} else if action == gongkai.FActMessage {
		step.Attachments, err = s.storeFiles(ctx, fhs)
	}
	if err == nil {
		var senderID int64
		if own != nil {
			senderID = actor.ID
		}
		_, err = s.db.SenderAct(ctx, receipt, secret, senderID, step)
	}
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		p.Receipt = receipt
		p.Error = p.T("回执码或查询密码不正确，请核对后重新输入。")
		return s.renderLookup(w, r, http.StatusNotFound, p)
	}
	code := gongkai.ErrorCode(err)
	if err != nil && code != gongkai.EINVALID && code != gongkai.ECONFLICT && code != gongkai.ETOOLARGE {
		return err
	}
	if own != nil {
		if err == nil {
			school, err := s.db.FindSchoolByID(ctx, own.SchoolID)
			if err != nil {
				return err
			}
			return s.redirect(w, r, myCaseURL(school, own.ID), done)
		}
		return s.renderOwnCase(w, r, statusOf(code), own, err, step.Body)
	}
	// Read the case back as the sender sees it, with the step or the error.
	f, lerr := s.db.LookupFeedback(ctx, receipt, secret)
	if lerr != nil {
		return lerr
	}
	if p.Case, lerr = s.newSenderCase(ctx, f, receipt, secret, p.Now); lerr != nil {
		return lerr
	}
	if err != nil {
		p.Case.Errors = formErrors(err, "step")
		p.Case.Message = step.Body
		return s.renderLookup(w, r, statusOf(code), p)
	}
	p.Case.Notice = p.T(done)
	return s.renderLookup(w, r, http.StatusOK, p)
}

// formErrors are the messages of a refused form by field, the store's
// "attachments" shown at the form's "file"; a message about no field goes
// with the field fallback.
func formErrors(err error, fallback string) map[string]string {
	fields := map[string]string{}
	for k, v := range gongkai.ErrorFields(err) {
		if k == "attachments" {
			k = "file"
		}
		fields[k] = v
	}
	if len(fields) == 0 {
		fields[fallback] = gongkai.ErrorMessage(err)
	}
	return fields
}

// ownCase finds the case named by a form, which the signed-in actor must
// have sent with their name; for anyone else it does not exist.
func (s *Server) ownCase(ctx context.Context, actor *gongkai.Actor, slug, id string) (*gongkai.Feedback, error) {
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在。")
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 || slug == "" {
		return nil, notFound
	}
	school, err := s.db.FindSchoolBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	f, err := s.db.FindFeedbackByID(ctx, school.ID, n)
	if err != nil {
		return nil, err
	}
	if f.Anonymous || f.SenderID == 0 || f.SenderID != actor.ID {
		return nil, notFound
	}
	return f, nil
}

func memberSchools(a *gongkai.Actor) []int64 {
	var ids []int64
	for _, m := range a.Memberships {
		if !slices.Contains(ids, m.SchoolID) {
			ids = append(ids, m.SchoolID)
		}
	}
	return ids
}

// handleMyCase shows a signed-in sender a case they sent with their name.
func (s *Server) handleMyCase(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在。")
	}
	f, err := s.db.FindFeedbackByID(ctx, school.ID, id)
	if err != nil {
		return err
	}
	return s.renderOwnCase(w, r, http.StatusOK, f, nil, "")
}

// renderOwnCase renders a named sender's case for them, or 404 for anyone
// else.
func (s *Server) renderOwnCase(w http.ResponseWriter, r *http.Request, status int, f *gongkai.Feedback, stepErr error, message string) error {
	actor := gongkai.ActorFrom(r.Context())
	if f.Anonymous || f.SenderID == 0 || f.SenderID != actor.ID {
		return gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在。")
	}
	p := s.newLookupPage(r)
	var err error
	if p.Case, err = s.newSenderCase(r.Context(), f, f.Receipt, "", p.Now); err != nil {
		return err
	}
	if stepErr != nil {
		p.Case.Errors, p.Case.Message = formErrors(stepErr, "step"), message
	}
	p.Nav, p.Path = feedbackKindText[f.Kind].Nav, myCaseURL(p.Case.School, f.ID)
	return s.renderLookup(w, r, status, p)
}

// ---------------------------------------------------------------- questions and answers

type qaPage struct {
	base
	Items     []*gongkai.Feedback
	Total     int
	Pager     []pageLink
	Requests  []requestRow
	Threshold int
	Page      int
}

type requestRow struct {
	F          *gongkai.Feedback
	CanSupport bool
	SupportURL string
	Answer     string // the public answer, or the reason of a refusal
	Refused    bool
}

func (s *Server) handleQA(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	p := &qaPage{base: s.base(r, "")}
	p.Title = p.T("问答")
	p.Nav = "qa"
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	p.Page = min(max(page, 1), 100000)
	items, total, err := s.db.FindQA(ctx, school.ID, p.Page)
	if err != nil {
		return err
	}
	p.Items, p.Total = items, total
	p.Pager = pager(r.URL, p.Page, total, perPage)
	settings, err := s.db.FindFeedbackSettings(ctx, school.ID)
	if err != nil {
		return err
	}
	p.Threshold = settings.SupportThreshold
	if p.Page == 1 {
		reqs, _, err := s.db.FindRequests(ctx, school.ID, 1)
		if err != nil {
			return err
		}
		for _, f := range reqs {
			row := requestRow{F: f, SupportURL: fmt.Sprintf("/s/%s/feedback/%d/support", school.Slug, f.ID)}
			row.CanSupport = !p.Actor.Anonymous() && f.State.Open()
			row.Refused = f.State == gongkai.FeedbackDeclined
			if f.QAPublished {
				row.Answer = f.QAAnswer
			}
			p.Requests = append(p.Requests, row)
		}
	}
	if p.Page > 1 {
		p.Title += " - " + p.Tf("第 %d 页", p.Page)
	}
	cachePrivate(w, &p.base, false)
	s.render(w, r, "feedback-qa", p)
	return nil
}

func (s *Server) handleSupport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "申请不存在。")
	}
	n, err := s.db.SupportRequest(ctx, school.ID, id, actor.ID)
	back := fmt.Sprintf("/s/%s/qa#r-%d", school.Slug, id)
	switch gongkai.ErrorCode(err) {
	case "":
		return s.redirect(w, r, back, fmt.Sprintf("已支持该申请，目前共 %d 人支持。", n))
	case gongkai.ECONFLICT, gongkai.EINVALID:
		return s.redirect(w, r, back, "!"+gongkai.ErrorMessage(err))
	}
	return err
}

// ---------------------------------------------------------------- the staff queue

type casesPage struct {
	base
	Heading   string
	Path      string // the queue's own path
	Bureau    bool   // the bureau's queue of all its schools
	Tab       string
	Tabs      []linkItem
	Kind      string
	Query     string
	Kinds     []gongkai.FeedbackKind
	Rows      []caseRow
	Total     int
	Pager     []pageLink
	CanManage bool
	Handles   bool // the reader handles cases of some kind here
}

type caseRow struct {
	F       *gongkai.Feedback
	URL     string
	School  *gongkai.School
	Overdue bool
	Age     int // days since received
	Due     time.Time
}

// newCaseRow describes a case in a list.
func newCaseRow(school *gongkai.School, f *gongkai.Feedback, now time.Time) caseRow {
	row := caseRow{F: f, URL: caseURL(school, f.ID), School: school, Overdue: f.Overdue(now), Due: f.Due}
	if f.State == gongkai.FeedbackRectifying && !f.RectifyDue.IsZero() {
		row.Due = f.RectifyDue
	}
	if !f.CreatedAt.IsZero() {
		row.Age = int(beijingDay(now).Sub(beijingDay(f.CreatedAt)).Hours() / 24)
	}
	return row
}

// kindsFor lists the kinds of the school's cases the actor handles (handle)
// or may read, asking the domain about a case of each kind.
func kindsFor(a *gongkai.Actor, school *gongkai.School, handle bool) []gongkai.FeedbackKind {
	var out []gongkai.FeedbackKind
	for _, k := range gongkai.FeedbackKinds {
		f := &gongkai.Feedback{Kind: k, SchoolID: school.ID}
		if handle && gongkai.CanHandleFeedback(a, school.BureauID, f) || !handle && gongkai.CanSeeFeedback(a, school.BureauID, f) {
			out = append(out, k)
		}
	}
	return out
}

var caseTabs = [][2]string{{"todo", "待办"}, {"overdue", "已逾期"}, {"all", "全部"}}

// queueFilter reads the tab, kind, words and page of a queue.
func (p *casesPage) queueFilter(r *http.Request, defaultTab string) store.FeedbackFilter {
	q := r.URL.Query()
	p.Tab = q.Get("tab")
	if !slices.ContainsFunc(caseTabs, func(t [2]string) bool { return t[0] == p.Tab }) {
		p.Tab = defaultTab
	}
	if k := gongkai.FeedbackKind(q.Get("kind")); k.Valid() {
		p.Kind = string(k)
	}
	p.Query = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(p.Query) > 50 {
		p.Query = string([]rune(p.Query)[:50])
	}
	page, _ := strconv.Atoi(q.Get("page"))
	f := store.FeedbackFilter{Query: p.Query, Page: min(max(page, 1), 100000), PerPage: casesPerPage}
	switch p.Tab {
	case "todo":
		f.Open = true
	case "overdue":
		f.Overdue = true
	}
	link := func(tab string) string {
		v := url.Values{}
		v.Set("tab", tab)
		if p.Kind != "" {
			v.Set("kind", p.Kind)
		}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		return p.Path + "?" + v.Encode()
	}
	for _, t := range caseTabs {
		p.Tabs = append(p.Tabs, linkItem{Label: p.T(t[1]), URL: link(t[0]), Current: t[0] == p.Tab})
	}
	return f
}

func (s *Server) handleCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school := schoolFrom(ctx)
	actor := gongkai.ActorFrom(ctx)
	p := &casesPage{base: s.base(r, ""), Path: casesURL(school)}
	p.Title = p.T("来信办理")
	p.Heading = p.Title
	p.Nav, p.NoIndex = "cases", true
	p.CanManage = p.base.CanManage()
	handles, sees := kindsFor(actor, school, true), kindsFor(actor, school, false)
	p.Handles = len(handles) > 0
	p.Kinds = sees
	if len(p.Kinds) == 0 {
		p.Kinds = gongkai.FeedbackKinds
	}
	defaultTab := "todo"
	if len(handles) == 0 && len(sees) > 0 {
		defaultTab = "all" // inspectors read; they handle nothing
	}
	f := p.queueFilter(r, defaultTab)
	// The store keeps what the reader may see, so pages and totals agree;
	// the to-do tab narrows that to the kinds the reader handles, or to
	// what was assigned to them.
	f.Viewer = actor
	query := true
	if p.Kind != "" {
		f.Kinds = []gongkai.FeedbackKind{gongkai.FeedbackKind(p.Kind)}
	}
	if p.Tab == "todo" {
		switch {
		case len(handles) == 0:
			f.AssigneeID = actor.ID
		case p.Kind == "":
			f.Kinds = handles
		default:
			query = slices.Contains(handles, gongkai.FeedbackKind(p.Kind))
		}
	}
	var cases []*gongkai.Feedback
	if query {
		var err error
		if cases, p.Total, err = s.db.FindFeedback(ctx, school.BureauID, school.ID, f); err != nil {
			return err
		}
	}
	for _, c := range cases {
		ok := gongkai.CanSeeFeedback(actor, school.BureauID, c)
		if p.Tab == "todo" {
			ok = gongkai.CanHandleFeedback(actor, school.BureauID, c)
		}
		if ok {
			p.Rows = append(p.Rows, newCaseRow(school, c, p.Now))
		}
	}
	p.Pager = pager(r.URL, f.Page, p.Total, casesPerPage)
	s.render(w, r, "feedback-cases", p)
	return nil
}

// bureauSchools returns the bureau of a bureau user with its schools, also
// by id; ENOTFOUND for anyone else.
func (s *Server) bureauSchools(r *http.Request) (*gongkai.Bureau, []*gongkai.School, map[int64]*gongkai.School, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	if !actor.BureauRole.ValidBureau() || actor.BureauID == 0 {
		return nil, nil, nil, gongkai.Errorf(gongkai.ENOTFOUND, "页面不存在或您无权查看。")
	}
	bureau, err := s.db.FindBureauByID(ctx, actor.BureauID)
	if err != nil {
		return nil, nil, nil, err
	}
	schools, err := s.db.FindSchools(ctx, bureau.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	byID := make(map[int64]*gongkai.School, len(schools))
	for _, sc := range schools {
		byID[sc.ID] = sc
	}
	return bureau, schools, byID, nil
}

// handleBureauCases lists the cases with the bureau — reports about a
// school's leadership and escalations — of every school of the bureau.
func (s *Server) handleBureauCases(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	bureau, _, byID, err := s.bureauSchools(r)
	if err != nil {
		return err
	}
	p := &casesPage{base: s.base(r, ""), Path: "/bureau/cases", Bureau: true}
	p.Title = p.T("教育局督办")
	p.Heading = bureau.Name + " · " + p.Title
	p.NoIndex = true
	p.Kinds = gongkai.FeedbackKinds
	p.Handles = actor.BureauRole == gongkai.RoleBureauAdmin
	defaultTab := "todo"
	if !p.Handles {
		defaultTab = "all"
	}
	f := p.queueFilter(r, defaultTab)
	f.ToBureau, f.Viewer = true, actor
	if p.Kind != "" {
		f.Kinds = []gongkai.FeedbackKind{gongkai.FeedbackKind(p.Kind)}
	}
	cases, total, err := s.db.FindFeedback(ctx, bureau.ID, 0, f)
	if err != nil {
		return err
	}
	p.Total = total
	for _, c := range cases {
		sc := byID[c.SchoolID]
		if sc == nil || !gongkai.CanSeeFeedback(actor, sc.BureauID, c) {
			continue
		}
		p.Rows = append(p.Rows, newCaseRow(sc, c, p.Now))
	}
	p.Pager = pager(r.URL, f.Page, p.Total, casesPerPage)
	s.render(w, r, "feedback-cases", p)
	return nil
}

// ---------------------------------------------------------------- the staff case page

type casePage struct {
	base
	F           *gongkai.Feedback
	Thread      []gongkai.FeedbackMessage
	StepURL     string // prefix of the step forms: …/cases/{id}/
	Overdue     bool
	Age         int
	Item        *gongkai.Disclosure // the item objected to
	Result      *gongkai.Disclosure // the published rectification result
	Department  string
	Assignee    string
	CanHandle   bool
	Steps       map[gongkai.FeedbackAction]bool
	Departments []gongkai.Department
	Staff       []*gongkai.Member
	Templates   []store.ReplyTemplate
	Template    int64 // the chosen reply template
	Published   []*gongkai.Disclosure
	In          caseInput
	ErrAction   gongkai.FeedbackAction
	Errors      map[string]string
	Error       string
}

// caseInput is what the step forms show: the stored values, or what was
// typed into the form that failed.
type caseInput struct {
	Comment    map[gongkai.FeedbackAction]string
	Department int64
	Assignee   int64
	Due        string
	RectifyDue string
	ResultID   int64
	QAQuestion string
	QAAnswer   string
}

// Can reports whether the reader may take the step now.
func (p *casePage) Can(a string) bool { return p.Steps[gongkai.FeedbackAction(a)] }

// Text is the text of a step's form.
func (p *casePage) Text(a string) string { return p.In.Comment[gongkai.FeedbackAction(a)] }

// Err is the message of a field of the step's form after a failed try.
func (p *casePage) Err(a, field string) string {
	if string(p.ErrAction) != a {
		return ""
	}
	return p.Errors[field]
}

// Sender is how the case names its sender to staff.
func (p *casePage) Sender() string {
	if p.F.Anonymous || (p.F.SenderName == "" && p.F.SenderID == 0) {
		return p.T("匿名")
	}
	if p.F.SenderName != "" {
		return p.F.SenderName
	}
	return p.T("署名（未留姓名）")
}

func (s *Server) loadCase(r *http.Request) (*gongkai.School, *gongkai.Feedback, error) {
	school := schoolFrom(r.Context())
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "来信不存在或您无权查看。")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, notFound
	}
	f, err := s.db.FindFeedbackByID(r.Context(), school.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.CanSeeFeedback(gongkai.ActorFrom(r.Context()), school.BureauID, f) {
		return nil, nil, notFound
	}
	return school, f, nil
}

func (s *Server) newCasePage(r *http.Request, school *gongkai.School, f *gongkai.Feedback) (*casePage, error) {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	p := &casePage{base: s.base(r, f.Subject), F: f, Thread: f.Messages, StepURL: caseURL(school, f.ID) + "/",
		Steps: map[gongkai.FeedbackAction]bool{}}
	p.Nav, p.NoIndex, p.Path = "cases", true, caseURL(school, f.ID)
	p.Overdue = f.Overdue(p.Now)
	p.Age = newCaseRow(school, f, p.Now).Age
	for _, a := range gongkai.AvailableFeedbackActions(actor, school.BureauID, f) {
		p.Steps[a] = true
	}
	p.CanHandle = len(p.Steps) > 0
	p.In = caseInput{Comment: map[gongkai.FeedbackAction]string{}, Department: f.DepartmentID, Assignee: f.AssigneeID, ResultID: f.ResultID,
		QAQuestion: f.QAQuestion, QAAnswer: f.QAAnswer}
	if !f.Due.IsZero() {
		p.In.Due = f.Due.In(gongkai.Beijing).Format("2006-01-02")
	}
	if !f.RectifyDue.IsZero() {
		p.In.RectifyDue = f.RectifyDue.In(gongkai.Beijing).Format("2006-01-02")
	}
	if p.In.QAQuestion == "" {
		p.In.QAQuestion = f.Subject
	}
	if p.In.QAAnswer == "" {
		for _, m := range f.Messages {
			if (m.Action == gongkai.FActReply || m.Action == gongkai.FActDecline) && !m.Internal {
				p.In.QAAnswer = m.Body
			}
		}
	}
	var err error
	if p.Departments, err = s.db.FindDepartments(ctx, school.ID); err != nil {
		return nil, err
	}
	members, err := s.db.FindMembers(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if p.Steps[gongkai.FActAssign] && gongkai.CanBeAssigned(m.ActorIn(school), school.BureauID, f) {
			p.Staff = append(p.Staff, m)
		}
		if m.User.ID == f.AssigneeID {
			p.Assignee = m.User.DisplayName
		}
	}
	for _, d := range p.Departments {
		if d.ID == f.DepartmentID {
			p.Department = d.Name
		}
	}
	if f.DisclosureID != 0 {
		if p.Item, err = s.findItem(ctx, school, f.DisclosureID); err != nil {
			return nil, err
		}
	}
	if f.ResultID != 0 {
		if p.Result, err = s.findItem(ctx, school, f.ResultID); err != nil {
			return nil, err
		}
	}
	if p.Steps[gongkai.FActReply] {
		all, err := s.db.FindReplyTemplates(ctx, school.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			if t.Kind == "" || t.Kind == f.Kind {
				p.Templates = append(p.Templates, t)
			}
		}
	}
	// A rectification's result, or the item that answers a request, is a
	// published item of the school.
	if p.Steps[gongkai.FActRectified] || (p.Steps[gongkai.FActReply] && f.Kind == gongkai.KindRequest) {
		items, _, err := s.db.FindDisclosures(ctx, school.ID, store.DisclosureFilter{Published: true,
			Audiences: []gongkai.Audience{gongkai.AudiencePublic, gongkai.AudienceCommunity}, PerPage: 30})
		if err != nil {
			return nil, err
		}
		for _, d := range items {
			if d.State == gongkai.StatePublished || d.State == gongkai.StateClosed {
				p.Published = append(p.Published, d)
			}
		}
	}
	return p, nil
}

// findItem returns an item of the school linked to a case, or nil when it
// is gone.
func (s *Server) findItem(ctx context.Context, school *gongkai.School, id int64) (*gongkai.Disclosure, error) {
	d, err := s.db.FindDisclosureByID(ctx, school.ID, id)
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		return nil, nil
	}
	return d, err
}

func (s *Server) handleCase(w http.ResponseWriter, r *http.Request) error {
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	p, err := s.newCasePage(r, school, f)
	if err != nil {
		return err
	}
	// A reply template fills the reply form without JavaScript: the select
	// submits ?template=ID and the page comes back with its text.
	if id, err := strconv.ParseInt(r.URL.Query().Get("template"), 10, 64); err == nil {
		for _, t := range p.Templates {
			if t.ID == id {
				p.Template, p.In.Comment[gongkai.FActReply] = t.ID, t.Body
			}
		}
	}
	s.render(w, r, "feedback-case", p)
	return nil
}

// caseDone is the flash after each staff step.
var caseDone = map[gongkai.FeedbackAction]string{
	gongkai.FActAssign:    "已交办。",
	gongkai.FActReply:     "已答复，来信人可凭回执查看。",
	gongkai.FActRectify:   "整改方案已记录。",
	gongkai.FActRectified: "已记录整改完成，整改结果已关联。",
	gongkai.FActClose:     "已办结。",
	gongkai.FActDecline:   "已决定不予受理，理由已告知来信人。",
	gongkai.FActNote:      "备注已保存，仅工作人员可见。",
	gongkai.FActPublishQA: "已公开到问答栏目。",
}

// commentRequired is what each step that needs text asks for.
var commentRequired = map[gongkai.FeedbackAction]string{
	gongkai.FActReply:     "请填写答复内容。",
	gongkai.FActRectify:   "请填写整改方案。",
	gongkai.FActRectified: "请说明整改结果。",
	gongkai.FActDecline:   "请写明不予受理的理由。",
	gongkai.FActNote:      "请填写备注内容。",
}

func (s *Server) handleCaseStep(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	action := gongkai.FeedbackAction(r.PathValue("action"))
	done, ok := caseDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。")
	}
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	v := r.PostFormValue
	step := store.FeedbackStep{Action: action, Comment: strings.TrimSpace(strings.ReplaceAll(v("comment"), "\r\n", "\n"))}
	fe := gongkai.FieldErrors{}
	date := func(field string) time.Time {
		s := strings.TrimSpace(v(field))
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, gongkai.Beijing)
		if err != nil || t.Year() < 2000 || t.Year() > 2100 {
			fe.Add(field, "日期格式应为 2025-03-07。")
			return time.Time{}
		}
		return t
	}
	id := func(field, msg string) int64 {
		s := strings.TrimSpace(v(field))
		if s == "" || s == "0" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			fe.Add(field, msg)
		}
		return n
	}
	switch action {
	case gongkai.FActAssign:
		step.DepartmentID = id("department", "请从列表中选择处室。")
		step.AssigneeID = id("assignee", "请从列表中选择承办人。")
		step.Due = date("due")
		if step.DepartmentID == 0 && step.AssigneeID == 0 {
			fe.Add("assignee", "请选择承办处室或承办人。")
		}
	case gongkai.FActRectify:
		step.Due = date("due")
		if step.Due.IsZero() && fe["due"] == "" {
			fe.Add("due", "请填写整改期限。")
		}
	case gongkai.FActRectified:
		step.ResultID = id("result_id", "请从列表中选择公开整改结果的事项。")
		if step.ResultID == 0 && fe["result_id"] == "" {
			fe.Add("result_id", "请选择公开整改结果的事项；如尚未公开，请先登记并发布整改结果。")
		}
	case gongkai.FActReply:
		step.ResultID = id("result_id", "请从列表中选择公开事项。")
	case gongkai.FActPublishQA:
		step.QAQuestion, step.QAAnswer = strings.TrimSpace(v("qa_question")), strings.TrimSpace(v("qa_answer"))
		if step.QAQuestion == "" {
			fe.Add("qa_question", "请填写公开的问题（去掉可识别来信人的内容）。")
		} else if utf8.RuneCountInString(step.QAQuestion) > 2000 {
			fe.Add("qa_question", "问题不能超过 2000 字。")
		}
		if step.QAAnswer == "" {
			fe.Add("qa_answer", "请填写公开的答复。")
		} else if utf8.RuneCountInString(step.QAAnswer) > gongkai.MaxFeedbackBody {
			fe.Add("qa_answer", fmt.Sprintf("答复不能超过 %d 字。", gongkai.MaxFeedbackBody))
		}
	}
	if msg, ok := commentRequired[action]; ok && step.Comment == "" {
		fe.Add("comment", msg)
	}
	if utf8.RuneCountInString(step.Comment) > gongkai.MaxFeedbackBody {
		fe.Add("comment", fmt.Sprintf("内容不能超过 %d 字。", gongkai.MaxFeedbackBody))
	}
	// A step the reader may not take now is the store's to refuse, with
	// its reason, rather than the form's.
	if !slices.Contains(gongkai.AvailableFeedbackActions(gongkai.ActorFrom(ctx), school.BureauID, f), action) {
		fe = gongkai.FieldErrors{}
	}
	if len(fe) == 0 {
		_, err = s.db.HandleFeedback(ctx, school.ID, f.ID, gongkai.ActorFrom(ctx), step)
		if err == nil {
			return s.redirect(w, r, caseURL(school, f.ID), done)
		}
		switch gongkai.ErrorCode(err) {
		case gongkai.EINVALID, gongkai.ECONFLICT, gongkai.EFORBIDDEN:
		default:
			return err
		}
	} else {
		err = fe.Err()
	}
	p, perr := s.newCasePage(r, school, f)
	if perr != nil {
		return perr
	}
	p.ErrAction, p.Errors, p.Error = action, gongkai.ErrorFields(err), gongkai.ErrorMessage(err)
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.In.Comment[action] = v("comment")
	switch action {
	case gongkai.FActAssign:
		p.In.Department, p.In.Assignee, p.In.Due = step.DepartmentID, step.AssigneeID, v("due")
	case gongkai.FActRectify:
		p.In.RectifyDue = v("due")
	case gongkai.FActRectified, gongkai.FActReply:
		p.In.ResultID = step.ResultID
	case gongkai.FActPublishQA:
		p.In.QAQuestion, p.In.QAAnswer = v("qa_question"), v("qa_answer")
	}
	s.renderPage(w, r, statusOf(gongkai.ErrorCode(err)), "feedback-case", p)
	return nil
}

// handleCaseFile serves a file of a case to those who may see the case as
// staff. Files come from the public, so they always download.
func (s *Server) handleCaseFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, f, err := s.loadCase(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("att"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	a, err := s.db.FindFeedbackAttachment(ctx, school.ID, f.ID, id)
	if err != nil {
		return err
	}
	rd, err := s.blobs.Open(ctx, a.StorageKey)
	if err != nil {
		return fmt.Errorf("web: open feedback attachment %d: %w", a.ID, err)
	}
	defer rd.Close()
	h := w.Header()
	setFileHeaders(h, a.ContentType, a.Filename, true)
	h.Set("Cache-Control", "private, no-store")
	http.ServeContent(w, r, "", a.CreatedAt, rd)
	return nil
}

// ---------------------------------------------------------------- settings

type feedbackSettingsPage struct {
	base
	Kinds        []gongkai.FeedbackKind
	Days         map[gongkai.FeedbackKind]string
	Threshold    string
	NotifyEmail  string
	WebhookURL   string
	HasSecret    bool
	Errors       map[string]string
	Templates    []store.ReplyTemplate
	Tpl          store.ReplyTemplate // a template as typed, after an error
	TplErrors    map[string]string
	DefaultDays  map[gongkai.FeedbackKind]int
	NationalDays int
}

// TplErr reports whether the form of template id (0 for the new one)
// failed to save.
func (p *feedbackSettingsPage) TplErr(id int64, field string) bool {
	return p.TplErrors != nil && p.Tpl.ID == id
}

// tplForm is one reply template's form.
type tplForm struct {
	b      *base
	Slug   string
	Tpl    store.ReplyTemplate
	Errors map[string]string
	Kinds  []gongkai.FeedbackKind
}

// T translates for the form.
func (f tplForm) T(zh string) string { return f.b.T(zh) }

// TplForm is the form of a template: as stored, or as typed when its save
// failed.
func (p *feedbackSettingsPage) TplForm(t store.ReplyTemplate) tplForm {
	f := tplForm{b: &p.base, Slug: p.School.Slug, Tpl: t, Kinds: gongkai.FeedbackKinds}
	if p.TplErr(t.ID, "") {
		f.Tpl, f.Errors = p.Tpl, p.TplErrors
	}
	return f
}

// NewTemplate is the empty template of the "new" form.
func (p *feedbackSettingsPage) NewTemplate() store.ReplyTemplate { return store.ReplyTemplate{} }

func (s *Server) newSettingsPage(r *http.Request) (*feedbackSettingsPage, *store.FeedbackSettings, error) {
	ctx := r.Context()
	school := schoolFrom(ctx)
	st, err := s.db.FindFeedbackSettings(ctx, school.ID)
	if err != nil {
		return nil, nil, err
	}
	p := &feedbackSettingsPage{base: s.base(r, ""), Kinds: gongkai.FeedbackKinds, Days: map[gongkai.FeedbackKind]string{},
		Threshold: strconv.Itoa(st.SupportThreshold), NotifyEmail: st.NotifyEmail, WebhookURL: st.WebhookURL, HasSecret: st.WebhookSecret != "",
		DefaultDays: gongkai.DefaultReplyDays, NationalDays: 20}
	p.Title = p.T("来信办理设置")
	p.Nav, p.NoIndex, p.Path = "cases", true, "/s/"+school.Slug+"/manage/feedback"
	for _, k := range gongkai.FeedbackKinds {
		n := st.ReplyDays[k]
		if n == 0 {
			n = gongkai.DefaultReplyDays[k]
		}
		p.Days[k] = strconv.Itoa(n)
	}
	if p.Templates, err = s.db.FindReplyTemplates(ctx, school.ID); err != nil {
		return nil, nil, err
	}
	return p, st, nil
}

func (s *Server) handleFeedbackSettings(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.newSettingsPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, "feedback-settings", p)
	return nil
}

func (s *Server) handleFeedbackSettingsSave(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	p, st, err := s.newSettingsPage(r)
	if err != nil {
		return err
	}
	v := r.PostFormValue
	fe := gongkai.FieldErrors{}
	next := &store.FeedbackSettings{SchoolID: school.ID, ReplyDays: map[gongkai.FeedbackKind]int{}, WebhookSecret: st.WebhookSecret}
	for _, k := range gongkai.FeedbackKinds {
		p.Days[k] = strings.TrimSpace(v("days_" + string(k)))
		n, err := strconv.Atoi(p.Days[k])
		if err != nil {
			fe.Add("days_"+string(k), fmt.Sprintf("“%s”的答复期限须为 1–%d 个工作日。", k.Label(), store.MaxReplyDays))
		}
		next.ReplyDays[k] = n
	}
	p.Threshold = strings.TrimSpace(v("support_threshold"))
	n, err := strconv.Atoi(p.Threshold)
	if err != nil {
		fe.Add("support_threshold", fmt.Sprintf("联名人数须为 2–%d 人。", store.MaxSupportThreshold))
	}
	next.SupportThreshold = n
	// The store checks the addresses, the limits and the secret.
	p.NotifyEmail, p.WebhookURL = strings.TrimSpace(v("notify_email")), strings.TrimSpace(v("webhook_url"))
	next.NotifyEmail, next.WebhookURL = p.NotifyEmail, p.WebhookURL
	if sec := strings.TrimSpace(v("webhook_secret")); sec != "" {
		next.WebhookSecret = sec
	} else if v("clear_secret") == "1" {
		next.WebhookSecret = ""
	}
	if len(fe) == 0 {
		err = s.db.UpdateFeedbackSettings(r.Context(), next)
		if err == nil {
			return s.redirect(w, r, "/s/"+school.Slug+"/manage/feedback", "设置已保存。")
		}
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			return err
		}
	} else {
		err = fe.Err()
	}
	p.Errors = gongkai.ErrorFields(err)
	if p.Errors == nil {
		p.Errors = map[string]string{"support_threshold": gongkai.ErrorMessage(err)}
	}
	s.renderPage(w, r, http.StatusUnprocessableEntity, "feedback-settings", p)
	return nil
}

func (s *Server) handleReplyTemplateSave(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	v := r.PostFormValue
	t := store.ReplyTemplate{SchoolID: school.ID, Kind: gongkai.FeedbackKind(v("kind")), Title: strings.TrimSpace(v("title")),
		Body: strings.TrimSpace(strings.ReplaceAll(v("body"), "\r\n", "\n"))}
	if id := v("id"); id != "" && id != "0" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return gongkai.Errorf(gongkai.ENOTFOUND, "回复模板不存在。")
		}
		t.ID = n
	}
	fe := gongkai.FieldErrors{}
	if t.Kind != "" && !t.Kind.Valid() {
		fe.Add("kind", "请选择适用类型。")
	}
	if t.Title == "" {
		fe.Add("title", "请填写模板名称。")
	} else if utf8.RuneCountInString(t.Title) > 60 {
		fe.Add("title", "模板名称不能超过 60 字。")
	}
	if t.Body == "" {
		fe.Add("body", "请填写模板内容。")
	} else if utf8.RuneCountInString(t.Body) > gongkai.MaxFeedbackBody {
		fe.Add("body", fmt.Sprintf("内容不能超过 %d 字。", gongkai.MaxFeedbackBody))
	}
	var err error
	if len(fe) == 0 {
		if err = s.db.SaveReplyTemplate(r.Context(), &t); err == nil {
			return s.redirect(w, r, "/s/"+school.Slug+"/manage/feedback#tpl-"+strconv.FormatInt(t.ID, 10), "回复模板已保存。")
		}
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			return err
		}
	} else {
		err = fe.Err()
	}
	p, _, perr := s.newSettingsPage(r)
	if perr != nil {
		return perr
	}
	p.Tpl, p.TplErrors = t, gongkai.ErrorFields(err)
	if p.TplErrors == nil {
		p.TplErrors = map[string]string{"body": gongkai.ErrorMessage(err)}
	}
	s.renderPage(w, r, http.StatusUnprocessableEntity, "feedback-settings", p)
	return nil
}

func (s *Server) handleReplyTemplateDelete(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "回复模板不存在。")
	}
	// A template of another school, or one gone already, is not found:
	// answering "deleted" would tell another school's principal that the
	// id exists and that something was done to it.
	if err := s.db.DeleteReplyTemplate(r.Context(), school.ID, id); err != nil {
		return err
	}
	return s.redirect(w, r, "/s/"+school.Slug+"/manage/feedback#tpl-title", "回复模板已删除。")
}

// ---------------------------------------------------------------- 工作台

// feedbackWork is what feedback waits for the reader on the work page, and
// the cases they sent with their name.
type feedbackWork struct {
	Todo    []caseRow
	Overdue []caseRow
	Mine    []mineRow
}

type mineRow struct {
	F      *gongkai.Feedback
	School *gongkai.School
	URL    string
}

// Waiting reports whether any case waits for the reader.
func (fw *feedbackWork) Waiting() bool {
	return fw != nil && len(fw.Todo)+len(fw.Overdue) > 0
}

// feedbackWorkFor fills the feedback groups of the work page: per school the
// reader works in, the open cases they handle (one query); the cases they
// sent with their name (one query); for a bureau administrator, the
// bureau's cases (one query).
func (s *Server) feedbackWorkFor(ctx context.Context, actor *gongkai.Actor, now time.Time) (*feedbackWork, error) {
	fw := &feedbackWork{}
	add := func(school *gongkai.School, f *gongkai.Feedback) {
		row := newCaseRow(school, f, now)
		if row.Overdue {
			fw.Overdue = append(fw.Overdue, row)
		} else {
			fw.Todo = append(fw.Todo, row)
		}
	}
	for _, id := range memberSchools(actor) {
		school, err := s.db.FindSchoolByID(ctx, id)
		if err != nil {
			return nil, err
		}
		f := store.FeedbackFilter{Open: true, PerPage: 50}
		if kinds := kindsFor(actor, school, true); len(kinds) > 0 {
			f.Kinds = kinds
		} else {
			f.AssigneeID = actor.ID
		}
		if gongkai.CanReadInternalBoard(actor, school.BureauID, school.ID) {
			cases, _, err := s.db.FindFeedback(ctx, school.BureauID, school.ID, f)
			if err != nil {
				return nil, err
			}
			for _, c := range cases {
				if gongkai.CanHandleFeedback(actor, school.BureauID, c) {
					add(school, c)
				}
			}
		}
	}
	// The cases the reader sent with their name, to any school.
	mine, _, err := s.db.FindFeedback(ctx, 0, 0, store.FeedbackFilter{SenderID: actor.ID, PerPage: 10})
	if err != nil {
		return nil, err
	}
	schools := map[int64]*gongkai.School{}
	for _, c := range mine {
		school := schools[c.SchoolID]
		if school == nil {
			if school, err = s.db.FindSchoolByID(ctx, c.SchoolID); err != nil {
				return nil, err
			}
			schools[c.SchoolID] = school
		}
		fw.Mine = append(fw.Mine, mineRow{F: c, School: school, URL: myCaseURL(school, c.ID)})
	}
	if actor.BureauRole == gongkai.RoleBureauAdmin && actor.BureauID != 0 {
		schools, err := s.db.FindSchools(ctx, actor.BureauID)
		if err != nil {
			return nil, err
		}
		byID := map[int64]*gongkai.School{}
		for _, sc := range schools {
			byID[sc.ID] = sc
		}
		cases, _, err := s.db.FindFeedback(ctx, actor.BureauID, 0, store.FeedbackFilter{ToBureau: true, Open: true, PerPage: 50})
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if sc := byID[c.SchoolID]; sc != nil && gongkai.CanHandleFeedback(actor, sc.BureauID, c) {
				add(sc, c)
			}
		}
	}
	return fw, nil
}

// ---------------------------------------------------------------- the thread

// threadView is a case's thread for the "feedback-thread" partial.
type threadView struct {
	b        *base
	Messages []gongkai.FeedbackMessage
	Staff    bool   // shown to staff: internal notes are marked, files open
	filesURL string // staff: prefix of the case's file links
}

// FileURL is where staff open a file of the case; senders, who sent the
// files themselves, see their names only.
func (v threadView) FileURL(a gongkai.Attachment) string {
	if v.filesURL == "" {
		return ""
	}
	return v.filesURL + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Filename)
}

// T translates for the partial.
func (v threadView) T(zh string) string { return v.b.T(zh) }

// ThreadView is the thread as the sender may read it.
func (p *lookupPage) ThreadView() threadView {
	return threadView{b: &p.base, Messages: p.Case.Thread}
}

// ThreadView is the whole thread, for staff.
func (p *casePage) ThreadView() threadView {
	return threadView{b: &p.base, Messages: p.Thread, Staff: true, filesURL: p.StepURL + "files/"}
}

// Open reports whether a step's form starts unfolded: the one that failed,
// or the step the case waits for.
func (p *casePage) Open(a string) bool {
	if p.ErrAction != "" {
		return string(p.ErrAction) == a
	}
	st := p.F.State
	switch gongkai.FeedbackAction(a) {
	case gongkai.FActAssign:
		return st == gongkai.FeedbackReceived
	case gongkai.FActReply:
		return st == gongkai.FeedbackReceived || st == gongkai.FeedbackAssigned
	case gongkai.FActRectified:
		return st == gongkai.FeedbackRectifying
	case gongkai.FActClose:
		return st == gongkai.FeedbackReplied || st == gongkai.FeedbackRectified
	}
	return false
}

// Tab marks the feedback settings tab.
func (p *feedbackSettingsPage) Tab() string { return "feedback" }
