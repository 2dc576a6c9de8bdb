package notify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Sweep runs the periodic jobs that are due: once an hour, on one node of
// many, overdue cases are raised and old delivered events pruned; from
// Tuesday 08:00 Beijing time on, each school's weekly digest is started,
// once per school and week whatever the number of nodes.
func (d *Dispatcher) Sweep(ctx context.Context) error {
	var errs []error
	ok, err := d.db.ClaimSweep(ctx, "feedback.overdue", time.Hour)
	if err != nil {
		errs = append(errs, err)
	}
	if ok {
		if _, err := d.RaiseOverdue(ctx); err != nil {
			errs = append(errs, err)
		}
		if _, err := d.RemindOrders(ctx); err != nil { // order.go: once a day per overdue order
			errs = append(errs, err)
		}
		// The digest counts a week of events; keep a month.
		if _, err := d.db.PruneOutbox(ctx, d.now().AddDate(0, 0, -30)); err != nil {
			errs = append(errs, err)
		}
	}
	if week, due := DigestWeek(d.now()); due {
		d.mu.Lock()
		done := d.digestDone == week
		d.mu.Unlock()
		if !done {
			if _, err := d.StartDigests(ctx, week); err != nil {
				errs = append(errs, err)
			} else {
				d.mu.Lock()
				d.digestDone = week
				d.mu.Unlock()
			}
		}
	}
	return errors.Join(errs...)
}

// DigestWeek returns the ISO week (Beijing time) of now, e.g. "2026-W10",
// and whether its digest is due: from Tuesday 08:00 to the week's end. A
// node that was down on Tuesday sends it when it comes back.
func DigestWeek(now time.Time) (string, bool) {
	b := now.In(gongkai.Beijing)
	y, w := b.ISOWeek()
	week := fmt.Sprintf("%d-W%02d", y, w)
	switch b.Weekday() {
	case time.Monday:
		return week, false
	case time.Tuesday:
		return week, b.Hour() >= 8
	}
	return week, true
}

// openCases returns every open case of a school (schoolID) or every open
// case with a bureau (bureauID), page by page. A store without feedback
// yet has none.
func (d *Dispatcher) openCases(ctx context.Context, bureauID, schoolID int64) ([]*gongkai.Feedback, error) {
	var all []*gongkai.Feedback
	for page := 1; page <= 100; page++ {
		f := store.FeedbackFilter{Open: true, Page: page, PerPage: 100, ToBureau: bureauID != 0}
		cases, total, err := d.db.FindFeedback(ctx, bureauID, schoolID, f)
		if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
			return all, nil
		}
		if err != nil {
			return nil, err
		}
		all = append(all, cases...)
		if len(cases) == 0 || len(all) >= total {
			break
		}
	}
	return all, nil
}

// casesBySchool gathers the open cases of every school, those with the
// bureau included, each once.
func (d *Dispatcher) casesBySchool(ctx context.Context, schools []*gongkai.School) (map[int64][]*gongkai.Feedback, error) {
	out := map[int64][]*gongkai.Feedback{}
	seen := map[[2]int64]bool{}
	add := func(cases []*gongkai.Feedback) {
		for _, f := range cases {
			k := [2]int64{f.SchoolID, f.ID}
			if !seen[k] {
				seen[k] = true
				out[f.SchoolID] = append(out[f.SchoolID], f)
			}
		}
	}
	bureaus := map[int64]bool{}
	for _, s := range schools {
		cases, err := d.openCases(ctx, 0, s.ID)
		if err != nil {
			return nil, err
		}
		add(cases)
		if !bureaus[s.BureauID] {
			bureaus[s.BureauID] = true
			cases, err := d.openCases(ctx, s.BureauID, 0)
			if err != nil {
				return nil, err
			}
			add(cases)
		}
	}
	return out, nil
}

// deadline is the date an open case waits for: the reply, or the
// rectification.
func deadline(f *gongkai.Feedback) time.Time {
	if f.State == gongkai.FeedbackRectifying {
		return f.RectifyDue
	}
	return f.Due
}

// RaiseOverdue emits "feedback.overdue" for every open case past its
// deadline that was not announced before, and returns how many it raised.
func (d *Dispatcher) RaiseOverdue(ctx context.Context) (int, error) {
	schools, err := d.db.FindSchools(ctx, 0)
	if err != nil {
		return 0, err
	}
	bySchool, err := d.casesBySchool(ctx, schools)
	if err != nil {
		return 0, err
	}
	now := d.now()
	raised := 0
	for _, cases := range bySchool {
		for _, f := range cases {
			if !f.Overdue(now) {
				continue
			}
			ok, err := d.db.RaiseOverdue(ctx, f, deadline(f))
			if err != nil {
				return raised, err
			}
			if ok {
				raised++
			}
		}
	}
	if raised > 0 {
		d.log.Info("overdue cases raised", "cases", raised)
	}
	return raised, nil
}

// StartDigests starts the week's digest of every school that has not had
// it, and returns how many it started.
func (d *Dispatcher) StartDigests(ctx context.Context, week string) (int, error) {
	schools, err := d.db.FindSchools(ctx, 0)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range schools {
		ok, err := d.db.StartDigest(ctx, s.ID, week)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	if n > 0 {
		d.log.Info("weekly digests started", "week", week, "schools", n)
	}
	return n, nil
}

// maxDigestCases bounds the list in one digest.
const maxDigestCases = 50

// digest writes the school's weekly digest to its supervision group and
// principal, each seeing only the cases the domain lets them see: open
// cases with their age and deadline, overdue ones first, and how many came
// in and were answered in the week.
func (d *Dispatcher) digest(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (store.Outcome, error) {
	var out store.Outcome
	members, err := d.db.FindMembers(ctx, school.ID)
	if err != nil {
		return out, err
	}
	w, err := d.weekOf(ctx, ev, school)
	if err != nil {
		return out, err
	}
	week, _ := ev.Data["week"].(string)
	for _, m := range members {
		if m.User.Disabled || !(hasRole(m.Roles, gongkai.RoleSupervisor) || hasRole(m.Roles, gongkai.RolePrincipal)) {
			continue
		}
		mine, nIn, nReplied := w.seenBy(m.ActorIn(school), school.BureauID)
		if len(mine) == 0 && nIn == 0 && nReplied == 0 {
			continue // a quiet week is not worth a message
		}
		overdue := 0
		for _, f := range mine {
			if f.Overdue(w.now) {
				overdue++
			}
		}
		title := fmt.Sprintf("意见与来信周报：待办 %d 件，超期 %d 件", len(mine), overdue)
		lines := []string{
			fmt.Sprintf("%s 意见与来信周报（%s，截至%s）", school.Title(), weekLabel(week), cnDate(w.now)),
			fmt.Sprintf("过去一周收到 %d 件，答复 %d 件；尚未办结 %d 件，其中超期 %d 件。", nIn, nReplied, len(mine), overdue),
		}
		if len(mine) > 0 {
			lines = append(lines, "", "尚未办结：")
		}
		for i, f := range mine {
			if i == maxDigestCases {
				lines = append(lines, fmt.Sprintf("……另有 %d 件，请登录查看。", len(mine)-i))
				break
			}
			lines = append(lines, d.digestLine(ctx, school, f, w.now))
		}
		body := strings.Join(lines[1:], "\n")
		path := "/s/" + school.Slug + "/cases"
		out.Notifications = append(out.Notifications, store.Notification{UserID: m.User.ID, SchoolID: school.ID, Title: title, Body: body, Link: path})
		if d.mail != nil && m.User.Email != "" {
			out.Next = append(out.Next, d.mailEvent(school, m.User.Email, m.User.DisplayName, title, d.mailText(m.User.DisplayName, lines, path)))
		}
	}
	return out, nil
}

// digestWeek is a school's week of cases as the digest tells it: the open
// cases and those received or replied to in the week.
type digestWeek struct {
	now               time.Time
	cases             map[int64]*gongkai.Feedback
	openIDs           []int64
	received, replied map[int64]bool
}

// weekOf looks up the school's open cases, with those the bureau handles,
// and the cases received and replied to in the week before the event.
func (d *Dispatcher) weekOf(ctx context.Context, ev *store.OutboxEvent, school *gongkai.School) (*digestWeek, error) {
	open, err := d.openCases(ctx, 0, school.ID)
	if err != nil {
		return nil, err
	}
	withBureau, err := d.openCases(ctx, school.BureauID, 0)
	if err != nil {
		return nil, err
	}
	w := &digestWeek{now: d.now(), cases: map[int64]*gongkai.Feedback{}, received: map[int64]bool{}, replied: map[int64]bool{}}
	for _, f := range append(open, withBureau...) {
		if f.SchoolID == school.ID && w.cases[f.ID] == nil {
			w.cases[f.ID] = f
			w.openIDs = append(w.openIDs, f.ID)
		}
	}
	evs, err := d.db.FindEvents(ctx, school.ID, ev.CreatedAt.AddDate(0, 0, -7), gongkai.EventFeedbackReceived, gongkai.EventFeedbackReplied)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		if e.Type == gongkai.EventFeedbackReceived {
			w.received[e.Subject] = true
		} else {
			w.replied[e.Subject] = true
		}
		if w.cases[e.Subject] == nil {
			f, err := d.db.FindFeedbackByID(ctx, school.ID, e.Subject)
			if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			w.cases[f.ID] = f
		}
	}
	return w, nil
}

// seenBy is the week as one reader may see it: the open cases, overdue
// first and then by deadline, and how many came in and were replied to.
func (w *digestWeek) seenBy(a *gongkai.Actor, bureauID int64) (mine []*gongkai.Feedback, nIn, nReplied int) {
	sees := func(id int64) bool { f := w.cases[id]; return f != nil && gongkai.CanSeeFeedback(a, bureauID, f) }
	for _, id := range w.openIDs {
		if sees(id) {
			mine = append(mine, w.cases[id])
		}
	}
	sort.SliceStable(mine, func(i, j int) bool {
		oi, oj := mine[i].Overdue(w.now), mine[j].Overdue(w.now)
		if oi != oj {
			return oi
		}
		di, dj := deadline(mine[i]), deadline(mine[j])
		if di.IsZero() != dj.IsZero() {
			return !di.IsZero()
		}
		return di.Before(dj)
	})
	for id := range w.received {
		if sees(id) {
			nIn++
		}
	}
	for id := range w.replied {
		if sees(id) {
			nReplied++
		}
	}
	return mine, nIn, nReplied
}

func (d *Dispatcher) digestLine(ctx context.Context, school *gongkai.School, f *gongkai.Feedback, now time.Time) string {
	var b strings.Builder
	if f.Overdue(now) {
		b.WriteString("【超期】")
	}
	age := int(now.Sub(f.CreatedAt).Hours() / 24)
	fmt.Fprintf(&b, "%s · %s · %s · 已 %d 天", f.Kind.Label(), subjectOf(f), f.State.Label(), max(age, 0))
	if due := deadline(f); !due.IsZero() {
		date, left, _ := d.dueText(ctx, school, due)
		label := "答复期限"
		if f.State == gongkai.FeedbackRectifying {
			label = "整改期限"
		}
		fmt.Fprintf(&b, " · %s %s%s", label, date, left)
	}
	return b.String()
}

// weekLabel turns "2026-W10" into "2026年第10周".
func weekLabel(week string) string {
	var y, w int
	if _, err := fmt.Sscanf(week, "%d-W%d", &y, &w); err != nil {
		return week
	}
	return fmt.Sprintf("%d年第%d周", y, w)
}

func hasRole(rs []gongkai.Role, r gongkai.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
