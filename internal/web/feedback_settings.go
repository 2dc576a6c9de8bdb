package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"gongkai"
	"gongkai/internal/store"
)

// The school's feedback settings and reply templates.

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

// Tab marks the feedback settings tab.
func (p *feedbackSettingsPage) Tab() string { return "feedback" }
