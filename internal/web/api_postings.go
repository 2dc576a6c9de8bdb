package web

import (
	"context"

	"gongkai"
)

// apiPosting is one posting or announcement of an item (gongkai.Posting):
// no photo bytes, and the photo's address only for a public item.
type apiPosting struct {
	ID         int64   `json:"id"`
	Channel    string  `json:"channel"`
	Date       apiDate `json:"date"`
	Place      string  `json:"place"`
	By         string  `json:"by"`
	PhotoURL   string  `json:"photo_url,omitempty"`
	VoidedAt   apiTime `json:"voided_at"`
	VoidReason string  `json:"void_reason,omitempty"`
}

// apiPostingsOf lists the item's postings, voided ones with their reason.
func (s *Server) apiPostingsOf(ctx context.Context, school *gongkai.School, d *gongkai.Disclosure, rule gongkai.RosterRule) ([]apiPosting, error) {
	out := []apiPosting{}
	if !d.Published() {
		return out, nil
	}
	ps, err := s.db.FindPostings(ctx, school.ID, d.ID)
	if err != nil {
		return nil, err
	}
	public := d.Audience == gongkai.AudiencePublic && !rule.Holds()
	for _, p := range ps {
		ap := apiPosting{ID: p.ID, Channel: string(p.Channel), Date: apiDate(p.Date), Place: p.Place, By: p.By,
			VoidedAt: apiTime(p.VoidedAt), VoidReason: p.VoidReason}
		if public && p.HasPhoto() && !p.Voided() {
			ap.PhotoURL = postingPhotoURL(school, p)
		}
		out = append(out, ap)
	}
	return out, nil
}
