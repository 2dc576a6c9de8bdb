package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/photo"
)

// Postings (张贴): the clerk records on an item's staff page that it was
// also posted on the bulletin board or announced at a meeting; the public
// page and the trail show it (gongkai.Posting).

// postingForm is the recording form of the staff page, with what was typed
// and the field errors after a refused submission.
type postingForm struct {
	URL      string // where the form posts
	Channels []gongkai.Channel
	Channel  string
	Date     string
	Place    string
	By       string
	Today    string
	Errors   map[string]string
	Error    string
	// The void form that was refused: its record, reason and error.
	VoidID    int64
	Reason    string
	VoidError string
}

// postingView is one record as the public page and the trail show it.
type postingView struct {
	gongkai.Posting
	PhotoURL string // empty when there is no photo or it is not shown
	VoidURL  string // for those who may void it
}

// channelView is one chosen channel with whether it is recorded.
type channelView struct {
	Label string
	Met   bool
	Day   time.Time
	Paper bool // the 公开栏: "已张贴" rather than "已通报"
	Web   bool // the online board: met by publication
}

// postingsOf fills the item view's channels and postings. Photos are not
// shown for a taken-down roster (they show the names) nor for a voided
// record to readers outside the procedure.
func (s *Server) postingsOf(ctx context.Context, v *docView) error {
	d := v.D
	if !d.Published() {
		for _, c := range gongkai.ChannelStatuses(d, nil) {
			v.Channels = append(v.Channels, channelView{Label: c.Channel.Label(), Web: c.Channel == gongkai.ChannelOnline})
		}
		return nil
	}
	ps, err := s.db.FindPostings(ctx, v.School.ID, d.ID)
	if err != nil {
		return err
	}
	for _, c := range gongkai.ChannelStatuses(d, ps) {
		v.Channels = append(v.Channels, channelView{Label: c.Channel.Label(), Met: c.Met(), Day: c.MetAt,
			Paper: c.Channel == gongkai.ChannelBoard, Web: c.Channel == gongkai.ChannelOnline})
	}
	insider := gongkai.CanSeeUnpublished(v.b.Actor, v.School.BureauID, v.School.ID)
	mayVoid := gongkai.CanRecordPosting(v.b.Actor, v.School.ID)
	for _, p := range ps {
		pv := postingView{Posting: p}
		if p.HasPhoto() && !v.TakenDown && (insider || !p.Voided()) {
			pv.PhotoURL = postingPhotoURL(v.School, p)
		}
		if mayVoid && !p.Voided() {
			pv.VoidURL = reviewURL(v.School, d.ID) + "/postings/" + strconv.FormatInt(p.ID, 10) + "/void"
		}
		v.Postings = append(v.Postings, pv)
	}
	return nil
}

// PhysicalChannels lists the channels on which postings are recorded, for
// the forms that name one.
func (b *base) PhysicalChannels() []gongkai.Channel {
	var out []gongkai.Channel
	for _, c := range gongkai.Channels {
		if c.Physical() {
			out = append(out, c)
		}
	}
	return out
}

func postingPhotoURL(school *gongkai.School, p gongkai.Posting) string {
	return fmt.Sprintf("/s/%s/d/%d/postings/%d/photo", school.Slug, p.DisclosureID, p.ID)
}

// newPostingForm is the empty form for an item the actor may record
// postings on, or nil: the channels chosen for it first, then the rest.
func newPostingForm(actor *gongkai.Actor, school *gongkai.School, d *gongkai.Disclosure, now time.Time) *postingForm {
	if !gongkai.CanRecordPosting(actor, school.ID) || gongkai.CanPostItem(d) != nil {
		return nil
	}
	f := &postingForm{URL: reviewURL(school, d.ID) + "/postings", By: actor.DisplayName, Today: now.In(gongkai.Beijing).Format("2006-01-02")}
	f.Date = f.Today
	for _, c := range d.Channels {
		if c.Physical() {
			f.Channels = append(f.Channels, c)
		}
	}
	for _, c := range gongkai.Channels {
		if c.Physical() && !containsChannel(f.Channels, c) {
			f.Channels = append(f.Channels, c)
		}
	}
	return f
}

func containsChannel(cs []gongkai.Channel, c gongkai.Channel) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// maxPostingBody bounds the recording form with its photo.
const maxPostingBody = gongkai.MaxPhotoBytes + 1<<20

func (s *Server) handleRecordPosting(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	if !gongkai.CanRecordPosting(actor, school.ID) {
		return gongkai.Errorf(gongkai.EFORBIDDEN, "只有经办人或校长可以记录张贴。")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxPostingBody)
	if err := r.ParseMultipartForm(maxPostingBody); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return gongkai.Errorf(gongkai.ETOOLARGE, "照片不能超过 %d MB。", gongkai.MaxPhotoBytes>>20)
		}
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	defer removeMultipart(r)
	form := &postingForm{Channel: r.PostFormValue("channel"), Date: strings.TrimSpace(r.PostFormValue("date")),
		Place: r.PostFormValue("place"), By: r.PostFormValue("by")}
	p := &gongkai.Posting{Channel: gongkai.Channel(form.Channel), Place: form.Place, By: form.By}
	fe := gongkai.FieldErrors{}
	if form.Date != "" {
		if p.Date, err = time.ParseInLocation("2006-01-02", form.Date, gongkai.Beijing); err != nil {
			fe.Add("date", "日期格式应为 2026-12-03。")
		}
	}
	if err := gongkai.CanPostItem(d); err != nil {
		return s.renderPostingError(w, r, school, d, form, err)
	}
	if err := p.Check(s.now(), d.PublishedAt); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if len(fe) == 0 {
		if err := s.storePhoto(r, p); err != nil {
			return s.renderPostingError(w, r, school, d, form, err)
		}
	}
	if err := fe.Err(); err != nil {
		return s.renderPostingError(w, r, school, d, form, err)
	}
	if err := s.db.RecordPosting(r.Context(), school.ID, d.ID, actor, p); err != nil {
		return s.renderPostingError(w, r, school, d, form, err)
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"#trail-title", fmt.Sprintf("已记录：%s。", p.Channel.Act()))
}

// storePhoto cleans the photo of the form, if any, and stores it.
func (s *Server) storePhoto(r *http.Request, p *gongkai.Posting) error {
	fhs := formFiles(r, "photo")
	if len(fhs) == 0 || fhs[0].Size == 0 {
		return nil
	}
	fail := func(msg string) error {
		return &gongkai.Error{Code: gongkai.EINVALID, Message: msg, Fields: map[string]string{"photo": msg}}
	}
	if fhs[0].Size > gongkai.MaxPhotoBytes {
		return fail(fmt.Sprintf("照片不能超过 %d MB。", gongkai.MaxPhotoBytes>>20))
	}
	f, err := fhs[0].Open()
	if err != nil {
		return fmt.Errorf("web: open photo: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(f, gongkai.MaxPhotoBytes+1))
	f.Close()
	if err != nil {
		return fmt.Errorf("web: read photo: %w", err)
	}
	clean, ctype, err := photo.Clean(data)
	if err != nil {
		return fail(gongkai.ErrorMessage(err))
	}
	st, err := s.blobs.Put(r.Context(), bytes.NewReader(clean), "photo", gongkai.MaxPhotoBytes)
	if err != nil {
		if gongkai.ErrorCode(err) == gongkai.EINTERNAL {
			return err
		}
		return fail(gongkai.ErrorMessage(err))
	}
	p.PhotoKey, p.PhotoType, p.PhotoSize = st.Key, ctype, st.Size
	return nil
}

// renderPostingError shows the staff page again with the form as typed
// and its errors; errors that are not the user's go up.
func (s *Server) renderPostingError(w http.ResponseWriter, r *http.Request, school *gongkai.School, d *gongkai.Disclosure, form *postingForm, err error) error {
	code := gongkai.ErrorCode(err)
	if code != gongkai.EINVALID && code != gongkai.ECONFLICT {
		return err
	}
	p, perr := s.reviewPageOf(r, school, d, "", nil)
	if perr != nil {
		return perr
	}
	if p.Posting == nil {
		p.Posting = newPostingForm(gongkai.ActorFrom(r.Context()), school, d, s.now())
	}
	if p.Posting == nil { // not published, or withdrawn: say why at the top
		p.Error = gongkai.ErrorMessage(err)
	} else {
		f := p.Posting
		if form.VoidID != 0 {
			f.VoidID, f.Reason, f.VoidError = form.VoidID, form.Reason, gongkai.ErrorMessage(err)
			if msg := gongkai.ErrorFields(err)["reason"]; msg != "" {
				f.VoidError = msg
			}
		} else {
			f.Channel, f.Date, f.Place, f.By = form.Channel, form.Date, form.Place, form.By
			f.Errors, f.Error = gongkai.ErrorFields(err), gongkai.ErrorMessage(err)
		}
	}
	s.renderPage(w, r, statusOf(code), "review", p)
	return nil
}

func (s *Server) handleVoidPosting(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("posting"), 10, 64)
	if err != nil || id <= 0 {
		return gongkai.Errorf(gongkai.ENOTFOUND, "张贴记录不存在。")
	}
	if err := r.ParseForm(); err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
	}
	reason := r.PostFormValue("reason")
	if err := s.db.VoidPosting(r.Context(), school.ID, d.ID, id, gongkai.ActorFrom(r.Context()), reason); err != nil {
		return s.renderPostingError(w, r, school, d, &postingForm{VoidID: id, Reason: reason}, err)
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"#trail-title", "张贴记录已作废。")
}

// handlePostingPhoto serves a posting's photo to those who may read the
// item: publicly cacheable for a public item, private otherwise; never
// for a taken-down roster, and a voided record's only to the procedure.
func (s *Server) handlePostingPhoto(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	notFound := gongkai.Errorf(gongkai.ENOTFOUND, "照片不存在。")
	id, err := strconv.ParseInt(r.PathValue("posting"), 10, 64)
	if err != nil || id <= 0 {
		return notFound
	}
	p, err := s.db.FindPosting(r.Context(), school.ID, d.ID, id)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(r.Context())
	if !p.HasPhoto() || (p.Voided() && !gongkai.CanSeeUnpublished(actor, school.BureauID, school.ID)) {
		return notFound
	}
	rs, err := s.rostersOf(r.Context(), school)
	if err != nil {
		return err
	}
	if _, down := rs.takenDown(d); down {
		return s.takenDownFile(w, r, school, d)
	}
	if redactedItem(d) {
		// A photo of the paper shows what was on it: once personal data was
		// deleted from the item, the photo is not served either.
		return gongkai.Errorf(gongkai.EGONE, "该事项的个人信息已依法删除，张贴照片不再提供。")
	}
	a := &gongkai.Attachment{ID: p.ID, Filename: fmt.Sprintf("posting-%d", p.ID), ContentType: p.PhotoType, StorageKey: p.PhotoKey, CreatedAt: p.CreatedAt}
	if d.Audience != gongkai.AudiencePublic || p.Voided() || rs.rule(d).Holds() {
		return s.servePrivateFile(w, r, a, false)
	}
	f, err := s.blobs.Open(r.Context(), p.PhotoKey)
	if err != nil {
		return fmt.Errorf("web: open posting photo %d: %w", p.ID, err)
	}
	defer f.Close()
	setFileHeaders(w.Header(), a.ContentType, a.Filename, false)
	w.Header().Set("Cache-Control", "public, no-cache")
	w.Header().Set("ETag", `"`+p.PhotoKey+`"`)
	http.ServeContent(w, r, "", p.CreatedAt, f)
	return nil
}

// redactedItem reports whether personal data was deleted from any version
// or file of the item (redaction.go).
func redactedItem(d *gongkai.Disclosure) bool {
	for _, v := range d.Versions {
		if !v.RedactedAt.IsZero() {
			return true
		}
	}
	for _, a := range d.Attachments {
		if !a.RedactedAt.IsZero() {
			return true
		}
	}
	return false
}
