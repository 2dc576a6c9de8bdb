package web

import (
	"net/http"

	"gongkai"
)

// The receipt: the code and the secret, shown once.

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
