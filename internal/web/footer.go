package web

import (
	"context"

	"gongkai"
)

// footerBureau is the bureau whose particulars the footer of a page without
// a school shows: the reader's bureau (a bureau user's, or the bureau of
// the first school they belong to), or the only bureau when there is
// exactly one. nil leaves the footer without a bureau, never with a
// placeholder.
func (s *Server) footerBureau(ctx context.Context, a *gongkai.Actor) *gongkai.Bureau {
	var id int64
	if !a.Anonymous() {
		id = a.BureauID
		if id == 0 && len(a.Memberships) > 0 {
			id = a.SchoolBureau[a.Memberships[0].SchoolID]
		}
	}
	b, err := s.db.FindFooterBureau(ctx, id)
	if err != nil {
		s.log.Warn("footer: bureau", "err", err)
		return nil
	}
	return b
}
