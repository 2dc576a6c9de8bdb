package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai"
)

// The sender's view: the lookup by receipt and secret, the steps a sender
// takes there, and a signed-in sender's own case.

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
	if err := parseFeedbackMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	action := gongkai.FeedbackAction(r.PostFormValue("action"))
	done, ok := senderDone[action]
	if !ok {
		return gongkai.Errorf(gongkai.EINVALID, "没有这个操作。")
	}
	own, receipt, secret, err := s.senderOf(r)
	if err != nil {
		return err
	}
	step := gongkai.SenderStep{Action: action, Body: strings.TrimSpace(r.PostFormValue("body")), Rating: gongkai.Rating(r.PostFormValue("rating"))}
	err = s.takeSenderStep(r, own, receipt, secret, step)
	switch code := gongkai.ErrorCode(err); code {
	case "", gongkai.EINVALID, gongkai.ECONFLICT, gongkai.ETOOLARGE:
	case gongkai.ENOTFOUND:
		p := s.newLookupPage(r)
		p.Flash, p.Receipt = "", receipt
		p.Error = p.T("回执码或查询密码不正确，请核对后重新输入。")
		return s.renderLookup(w, r, http.StatusNotFound, p)
	default:
		return err
	}
	if own != nil {
		if err != nil {
			return s.renderOwnCase(w, r, statusOf(gongkai.ErrorCode(err)), own, err, step.Body)
		}
		school, err := s.db.FindSchoolByID(r.Context(), own.SchoolID)
		if err != nil {
			return err
		}
		return s.redirect(w, r, myCaseURL(school, own.ID), done)
	}
	return s.renderSenderStep(w, r, receipt, secret, err, step.Body, done)
}

// senderOf finds who takes a sender's step: a signed-in sender acts on a
// case sent with their name without the secret, the form naming the case
// (own); anyone else with the receipt and secret, counted as a guess.
func (s *Server) senderOf(r *http.Request) (own *gongkai.Feedback, receipt, secret string, err error) {
	actor := gongkai.ActorFrom(r.Context())
	receipt = strings.TrimSpace(r.PostFormValue("receipt"))
	secret = strings.TrimSpace(r.PostFormValue("secret"))
	if secret == "" && !actor.Anonymous() && r.PostFormValue("id") != "" {
		if own, err = s.ownCase(r.Context(), actor, r.PostFormValue("school"), r.PostFormValue("id")); err != nil {
			return nil, "", "", err
		}
		return own, own.Receipt, "", nil
	}
	if receipt == "" || secret == "" || len(receipt) > 64 || len(secret) > 128 {
		return nil, "", "", gongkai.Errorf(gongkai.EINVALID, "请先输入回执码和查询密码查询。")
	}
	return nil, receipt, secret, s.lookupAllowed(r, receipt)
}

// takeSenderStep keeps a message's files, once the domain has seen that
// their number is allowed, and takes the step.
func (s *Server) takeSenderStep(r *http.Request, own *gongkai.Feedback, receipt, secret string, step gongkai.SenderStep) error {
	ctx := r.Context()
	if step.Action == gongkai.FActMessage {
		fhs := formFiles(r, "file")
		if err := gongkai.CheckFeedbackFiles(nil, len(fhs)); err != nil {
			return err
		}
		var err error
		if step.Attachments, err = s.storeFiles(ctx, fhs); err != nil {
			return err
		}
	}
	var senderID int64
	if own != nil {
		senderID = gongkai.ActorFrom(ctx).ID
	}
	_, err := s.db.SenderAct(ctx, receipt, secret, senderID, step)
	return err
}

// renderSenderStep answers the holder of a receipt with the case as they
// see it, with the step's notice or its error.
func (s *Server) renderSenderStep(w http.ResponseWriter, r *http.Request, receipt, secret string, stepErr error, body, done string) error {
	p := s.newLookupPage(r)
	p.Flash = ""
	f, err := s.db.LookupFeedback(r.Context(), receipt, secret)
	if err != nil {
		return err
	}
	if p.Case, err = s.newSenderCase(r.Context(), f, receipt, secret, p.Now); err != nil {
		return err
	}
	if stepErr != nil {
		p.Case.Errors, p.Case.Message = formErrors(stepErr, "step"), body
		return s.renderLookup(w, r, statusOf(gongkai.ErrorCode(stepErr)), p)
	}
	p.Case.Notice = p.T(done)
	return s.renderLookup(w, r, http.StatusOK, p)
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

// handleLookupFile serves a file of the sender's own case: to the holder
// of its receipt and secret (in the POST body, as everywhere), or to the
// signed-in sender of a case sent with their name. The sender sees only
// what they may read of the thread, so only its files; for anyone else
// the file does not exist. Files come from the public, so they always
// download.
func (s *Server) handleLookupFile(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	ctx := r.Context()
	own, receipt, secret, err := s.senderOf(r)
	if err != nil {
		return err
	}
	f := own
	if f == nil {
		if f, err = s.db.LookupFeedback(ctx, receipt, secret); err != nil {
			return err
		}
	}
	id, _ := strconv.ParseInt(r.PostFormValue("att"), 10, 64)
	var file *gongkai.Attachment
	for _, m := range f.SenderView().Messages {
		for _, a := range m.Attachments {
			if a.ID == id && id > 0 {
				file = &a
			}
		}
	}
	if file == nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	return s.servePrivateFile(w, r, file, true)
}
