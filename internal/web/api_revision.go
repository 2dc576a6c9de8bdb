package web

import (
	"net/http"

	"gongkai"
	"gongkai/internal/store"
)

// The API of revisions (revision.go in the domain): POST
// /api/v1/disclosures/{id}/revise starts one (apiAct), PUT …/revision edits
// the draft, POST …/revision/{action} takes its steps.

func apiVersionOf(school *gongkai.School, v gongkai.Version) apiVersion {
	out := apiVersion{Version: v.Version, Title: v.Title, Body: v.Body, DocNumber: v.DocNumber,
		Reason: v.Reason, PublishedAt: apiTime(v.PublishedAt), Attachments: apiAttachmentsOf(school, v.Attachments),
		SignedAt: apiTime(v.SignedAt), CheckedAt: apiTime(v.CheckedAt)}
	if v.SignedByName != "" {
		out.SignedBy = &v.SignedByName
	}
	if v.CheckedByName != "" {
		out.CheckedBy = &v.CheckedByName
	}
	return out
}

// apiRevisionActions are the steps of a revision by the name in the path.
var apiRevisionActions = map[string]gongkai.Action{
	"submit": gongkai.ActionSubmit, "comment": gongkai.ActionComment, "approve": gongkai.ActionApprove,
	"return": gongkai.ActionReturn, "check": gongkai.ActionCheck, "publish": gongkai.ActionPublish,
	"abandon": gongkai.ActionAbandon,
}

func (s *Server) apiRevisionAct(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	action, ok := apiRevisionActions[r.PathValue("action")]
	if !ok {
		return gongkai.Errorf(gongkai.ENOTFOUND, "没有这个操作。修订可用的操作：submit、comment、approve、return、check、publish、abandon。")
	}
	var in apiActInput
	if ok, err := apiReadJSON(w, r, &in, true); !ok {
		return err
	}
	if err := apiNoNUL(map[string]string{"comment": in.Comment}); err != nil {
		return err
	}
	school, d, err := s.apiLoadItem(r, false)
	if err != nil {
		return err
	}
	got, err := s.db.ActRevision(r.Context(), school.ID, d.ID, actor, action, in.Comment)
	if err != nil {
		return err
	}
	return s.apiWriteDetail(r.Context(), w, actor, school, got, http.StatusOK)
}

// apiRevisionUpdate replaces the text and the reason of the draft revision;
// what the body leaves out stays as it is.
func (s *Server) apiRevisionUpdate(w http.ResponseWriter, r *http.Request) error {
	actor := gongkai.ActorFrom(r.Context())
	var in apiActInput
	if ok, err := apiReadJSON(w, r, &in, false); !ok {
		return err
	}
	school, d, err := s.apiLoad(r)
	if err != nil {
		return err
	}
	pending := d.PendingRevision()
	if pending == nil || !gongkai.CanSeeRevision(actor, school.BureauID, school.ID) {
		return gongkai.Errorf(gongkai.ENOTFOUND, "本事项没有待审核的修订。")
	}
	rev := &store.Revision{Title: pending.Title, Body: pending.Body, DocNumber: pending.DocNumber}
	reason := pending.Reason
	if in.Title != nil {
		rev.Title = *in.Title
	}
	if in.Body != nil {
		rev.Body = *in.Body
	}
	if in.DocNumber != nil {
		rev.DocNumber = *in.DocNumber
	}
	if in.Comment != "" {
		reason = in.Comment
	}
	if err := apiNoNUL(map[string]string{"comment": reason, "title": rev.Title, "body": rev.Body, "doc_number": rev.DocNumber}); err != nil {
		return err
	}
	got, err := s.db.UpdateRevision(r.Context(), school.ID, d.ID, actor, reason, rev)
	if err != nil {
		return err
	}
	return s.apiWriteDetail(r.Context(), w, actor, school, got, http.StatusOK)
}
