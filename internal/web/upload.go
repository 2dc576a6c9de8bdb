package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"

	"gongkai"
	"gongkai/internal/files"
	"gongkai/internal/store"
)

// Files of the registration form: reading a form with files, storing
// them, adding and removing a draft's files.

// maxFormBody bounds a registration form with its files: a few attachments
// at their limit plus the text fields. More files go through the separate
// upload form, a few at a time.
const maxFormBody = 5 * (gongkai.MaxAttachmentBytes + 1<<20)

// form is read too.
func parseMultipart(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	// Files stay in memory, never in a temporary file: an upload is written
	// only after its hidden metadata is gone (internal/scrub).
	err := r.ParseMultipartForm(maxFormBody)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil && r.MultipartForm != nil:
		if err := checkValues(r.MultipartForm.Value); err != nil {
			removeMultipart(r)
			return err
		}
		return nil
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return checkValues(r.PostForm)
	case errors.As(err, &tooLarge):
		return gongkai.Errorf(gongkai.ETOOLARGE, "上传内容超过 %d MB，请分几次上传附件（每个文件不超过 %d MB）。", maxFormBody>>20, gongkai.MaxAttachmentBytes>>20)
	}
	return gongkai.Errorf(gongkai.EMALFORMED, "表单无法解析。")
}

// removeMultipart deletes the temporary files of a parsed form; the server
// would only do it for the request it created, not for our copy.
func removeMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		r.MultipartForm.RemoveAll()
	}
}

func formFiles(r *http.Request, name string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[name]
}

// storeFiles stores the uploaded files, checking each one's size and type
// by its content, and returns them ready to record. The first refused file
// stops it with an error that names the file.
func (s *Server) storeFiles(ctx context.Context, fhs []*multipart.FileHeader) ([]gongkai.Attachment, error) {
	var out []gongkai.Attachment
	for _, fh := range fhs {
		name := gongkai.CleanFilename(fh.Filename, "")
		if fh.Size > gongkai.MaxAttachmentBytes {
			msg := fmt.Sprintf("%s：文件超过 %d MB 上限。", name, gongkai.MaxAttachmentBytes>>20)
			return nil, &gongkai.Error{Code: gongkai.ETOOLARGE, Message: msg, Fields: map[string]string{"file": msg}}
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("web: open upload: %w", err)
		}
		st, err := s.blobs.Put(ctx, f, name, gongkai.MaxAttachmentBytes)
		f.Close()
		if err != nil {
			var e *gongkai.Error
			if errors.As(err, &e) {
				msg := name + "：" + e.Message
				return nil, &gongkai.Error{Code: e.Code, Message: msg, Fields: map[string]string{"file": msg}}
			}
			return nil, err
		}
		out = append(out, attachmentOf(name, st))
	}
	return out, nil
}

// attachmentOf is the record of a stored upload, named with the extension
// of the type its content showed.
func attachmentOf(name string, st *files.Stored) gongkai.Attachment {
	return gongkai.Attachment{Filename: gongkai.CleanFilename(name, st.ContentType), ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
}

func (s *Server) handleUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	actor := gongkai.ActorFrom(ctx)
	if err := gongkai.Authorize(actor, school.ID, d.State, gongkai.ActionEdit); err != nil {
		return err
	}
	if err := parseMultipart(w, r); err != nil {
		return err
	}
	defer removeMultipart(r)
	p, _, err := s.newFormPage(r, d)
	if err != nil {
		return err
	}
	p.Days = strconv.Itoa(d.PublicityDays)
	fhs := formFiles(r, "file")
	switch {
	case len(fhs) == 0:
		p.setErrors(map[string]string{"file": "请选择要上传的文件。"})
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	case len(d.Attachments)+len(fhs) > store.MaxAttachments:
		p.setErrors(map[string]string{"file": fmt.Sprintf("每项最多 %d 个附件。", store.MaxAttachments)})
		s.renderPage(w, r, http.StatusUnprocessableEntity, "form", p)
		return nil
	}
	atts, err := s.storeFiles(ctx, fhs)
	if err != nil {
		return s.formError(w, r, p, err)
	}
	added := 0
	for i := range atts {
		if err := s.db.AddAttachment(ctx, school.ID, d.ID, actor, &atts[i]); err != nil {
			return s.formError(w, r, p, err)
		}
		// A file already attached keeps its place (the store adds it once).
		if !slices.ContainsFunc(d.Attachments, func(a gongkai.Attachment) bool { return a.ID == atts[i].ID }) {
			added++
		}
	}
	if _, err := s.CheckPrivacy(ctx, school.ID, d.ID); err != nil { // reads the new files (privacy.go)
		return err
	}
	msg := fmt.Sprintf("已上传 %d 个附件。", added)
	if added == 0 {
		msg = "所选文件已在附件中，未重复添加。"
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/edit#f-file", msg)
}

func (s *Server) handleRemoveFile(w http.ResponseWriter, r *http.Request) error {
	school, d, err := s.loadItem(r)
	if err != nil {
		return err
	}
	att, err := strconv.ParseInt(r.PathValue("att"), 10, 64)
	if err != nil {
		return gongkai.Errorf(gongkai.ENOTFOUND, "附件不存在。")
	}
	if err := s.db.RemoveAttachment(r.Context(), school.ID, d.ID, att, gongkai.ActorFrom(r.Context())); err != nil {
		return err
	}
	return s.redirect(w, r, reviewURL(school, d.ID)+"/edit#f-file", "附件已删除。")
}
