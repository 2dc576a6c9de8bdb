package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// Writing items through the API: drafts, their files and the steps of
// the procedure.

// apiDraftInput is the registration form as JSON.
type apiDraftInput struct {
	Title         string   `json:"title"`
	Body          string   `json:"body"`
	Category      string   `json:"category"`
	Audience      string   `json:"audience"`
	PublicityDays *int     `json:"publicity_days"`
	DocNumber     string   `json:"doc_number"`
	LegalBasis    string   `json:"legal_basis"`
	Contact       string   `json:"contact"`
	Channels      []string `json:"channels"`
	CatalogueCode string   `json:"catalogue_code"`
	DepartmentID  int64    `json:"department_id"`
}

// draft turns the input into a disclosure of the school. A catalogue item
// fills the category, audience and publicity period left out. Every
// problem is reported at once, as on the form.
func (s *Server) apiDraft(r *http.Request, school *gongkai.School, in *apiDraftInput) (*gongkai.Disclosure, error) {
	d := &gongkai.Disclosure{
		Title: in.Title, Body: in.Body, Category: in.Category, Audience: gongkai.Audience(in.Audience),
		DocNumber: in.DocNumber, LegalBasis: in.LegalBasis, Contact: in.Contact,
		CatalogueCode: strings.TrimSpace(in.CatalogueCode), DepartmentID: in.DepartmentID,
	}
	for _, c := range in.Channels {
		d.Channels = append(d.Channels, gongkai.Channel(c))
	}
	if in.PublicityDays != nil {
		d.PublicityDays = *in.PublicityDays
	}
	fe := gongkai.FieldErrors{}
	if err := apiNoNUL(map[string]string{"title": d.Title, "body": d.Body, "doc_number": d.DocNumber, "legal_basis": d.LegalBasis,
		"contact": d.Contact, "catalogue_code": d.CatalogueCode, "category": d.Category, "audience": in.Audience}); err != nil {
		return nil, err
	}
	if d.CatalogueCode != "" {
		items, err := s.db.FindCatalogue(r.Context(), school.ID)
		if err != nil {
			return nil, err
		}
		found := false
		for _, c := range items {
			if c.Code != d.CatalogueCode {
				continue
			}
			found = true
			if d.Category == "" {
				d.Category = c.Category
			}
			if d.Audience == "" {
				d.Audience = c.Audience
			}
			if in.PublicityDays == nil {
				d.PublicityDays = c.PublicityDays
			}
		}
		if !found {
			fe.Add("catalogue_code", "本校公开目录中没有这一项，请从 /api/v1/schools/"+school.Slug+"/catalogue 中选择。")
		}
	}
	if d.DepartmentID < 0 {
		fe.Add("department_id", "处室无效，请从列表中选择。")
	}
	if d.Audience == "" {
		d.Audience = gongkai.AudiencePublic
	}
	if err := d.ValidateDraft(); err != nil {
		for k, v := range gongkai.ErrorFields(err) {
			fe.Add(k, v)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *Server) apiCreateDisclosure(w http.ResponseWriter, r *http.Request) error {
	school := schoolFrom(r.Context())
	actor := gongkai.ActorFrom(r.Context())
	var in apiDraftInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	d, err := s.apiDraft(r, school, &in)
	if err != nil {
		return err
	}
	if err := s.db.CreateDisclosure(r.Context(), school.ID, actor, d); err != nil {
		return apiFieldNames(err)
	}
	got, err := s.db.FindDisclosureByID(r.Context(), school.ID, d.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/disclosures/"+strconv.FormatInt(d.ID, 10))
	return s.apiWriteDetail(r.Context(), w, actor, school, got, http.StatusCreated)
}

func (s *Server) apiUpdateDisclosure(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	// Say what is wrong with the step before what is wrong with the input.
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	var in apiDraftInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	upd, err := s.apiDraft(r, school, &in)
	if err != nil {
		return err
	}
	got, err := s.db.UpdateDraft(r.Context(), school.ID, d.ID, actor, upd)
	if err != nil {
		return apiFieldNames(err)
	}
	return s.apiWriteDetail(r.Context(), w, actor, school, got, http.StatusOK)
}

func (s *Server) apiUpload(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	// Refuse before reading up to 20 MB that could not be kept.
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		apiUnsupported(w, "上传文件须为 multipart/form-data，文件放在字段 file 中。")
		return nil
	}
	tooLarge := &gongkai.Error{Code: gongkai.ETOOLARGE, Message: fmt.Sprintf("文件超过 %d MB 上限。", gongkai.MaxAttachmentBytes>>20),
		Fields: map[string]string{"file": fmt.Sprintf("文件超过 %d MB 上限。", gongkai.MaxAttachmentBytes>>20)}}
	r.Body = http.MaxBytesReader(w, r.Body, gongkai.MaxAttachmentBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return gongkai.Errorf(gongkai.EMALFORMED, "multipart 请求体无法解析：%s", err.Error())
	}
	var tooBig *http.MaxBytesError
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return &gongkai.Error{Code: gongkai.EINVALID, Message: "请选择要上传的文件。", Fields: map[string]string{"file": "请在字段 file 中上传文件。"}}
		}
		if errors.As(err, &tooBig) {
			return tooLarge
		}
		if err != nil {
			return gongkai.Errorf(gongkai.EMALFORMED, "multipart 请求体无法解析：%s", err.Error())
		}
		if part.FormName() != "file" {
			if _, err := io.Copy(io.Discard, part); errors.As(err, &tooBig) {
				return tooLarge
			}
			continue
		}
		name := gongkai.CleanFilename(part.FileName(), "")
		st, err := s.blobs.Put(r.Context(), part, name, gongkai.MaxAttachmentBytes)
		if errors.As(err, &tooBig) {
			return tooLarge
		}
		if err != nil {
			return err
		}
		a := attachmentOf(name, st)
		if err := s.db.AddAttachment(r.Context(), school.ID, d.ID, actor, &a); err != nil {
			return err
		}
		if err := s.scanAttachments(r.Context(), school.ID, []gongkai.Attachment{a}); err != nil { // privacy.go
			return err
		}
		out := apiAttachmentOf(school, a)
		w.Header().Set("Location", out.URL)
		writeJSON(w, http.StatusCreated, out)
		return nil
	}
}

// apiActions are the steps the API takes, by the name in the path.
var apiActions = map[string]gongkai.Action{
	"submit": gongkai.ActionSubmit, "comment": gongkai.ActionComment, "approve": gongkai.ActionApprove,
	"return": gongkai.ActionReturn, "check": gongkai.ActionCheck, "publish": gongkai.ActionPublish,
	"withdraw": gongkai.ActionWithdraw, "revise": gongkai.ActionRevise, "archive": gongkai.ActionArchive,
	"recall": gongkai.ActionRecall,
}

type apiActInput struct {
	Comment   string  `json:"comment"`
	Title     *string `json:"title"`
	Body      *string `json:"body"`
	DocNumber *string `json:"doc_number"`
}

func (s *Server) apiAct(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	action, ok := apiActions[r.PathValue("action")]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。可用的操作：submit、comment、approve、return、recall、check、publish、withdraw、revise、archive。")
	}
	// The body is read first, so that a bad one is refused alike whether
	// or not the item exists. Only a revision needs the item before acting
	// (what it leaves out stays as it is); Act loads the item under its row
	// lock and answers 404 to an actor who may not see it.
	var in apiActInput
	if ok, err := apiReadJSON(w, r, &in, true); !ok {
		return err
	}
	school, d, err := s.apiLoadItem(r, action == gongkai.ActionRevise)
	if err != nil {
		return err
	}
	text := map[string]string{"comment": in.Comment}
	var rev *store.Revision
	if action == gongkai.ActionRevise {
		// What a revision leaves out stays as it is.
		rev = &store.Revision{Title: d.Title, Body: d.Body, DocNumber: d.DocNumber}
		if in.Title != nil {
			rev.Title = *in.Title
		}
		if in.Body != nil {
			rev.Body = *in.Body
		}
		if in.DocNumber != nil {
			rev.DocNumber = *in.DocNumber
		}
		text["title"], text["body"], text["doc_number"] = rev.Title, rev.Body, rev.DocNumber
	}
	if err := apiNoNUL(text); err != nil {
		return err
	}
	if action == gongkai.ActionSubmit || action == gongkai.ActionRevise {
		// Files not read yet are read for the personal-data check (privacy.go).
		if _, err := s.CheckPrivacy(r.Context(), school.ID, d.ID); err != nil && gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			return err
		}
	}
	got, err := s.db.Act(r.Context(), school.ID, d.ID, actor, action, in.Comment, rev)
	if err != nil {
		return err
	}
	return s.apiWriteDetail(r.Context(), w, actor, school, got, http.StatusOK)
}
