package web

import (
	"net/http"
	"strconv"
	"strings"

	"gongkai"
	"gongkai/internal/store"
)

// notificationsPage lists the signed-in user's notifications, newest
// first; the new ones are marked as such once, on this view.
type notificationsPage struct {
	base
	Items   []*store.Notification
	Total   int
	New     int // unread before this view
	Pager   []pageLink
	Page    int
	PerPage int
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := gongkai.ActorFrom(ctx)
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	items, total, unread, err := s.db.FindNotifications(ctx, actor.ID, page)
	if err != nil {
		return err
	}
	p := &notificationsPage{base: s.base(r, ""), Items: items, Total: total, New: unread, Page: page, PerPage: store.NotificationsPerPage}
	p.Title = p.T("通知")
	p.NoIndex = true
	p.Pager = pager(r.URL, page, total, store.NotificationsPerPage)
	if unread > 0 && len(items) > 0 {
		// Read on view: everything up to the newest shown, not what came
		// in while the page was being made.
		if err := s.db.MarkNotificationsRead(ctx, actor.ID, items[0].ID); err != nil {
			return err
		}
		if p.Unread, err = s.db.CountUnreadNotifications(ctx, actor.ID); err != nil {
			return err
		}
	}
	for _, n := range items {
		if !localPath(n.Link) {
			n.Link = ""
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "notifications", p)
	return nil
}

// localPath reports whether a link stays on this site.
func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}
