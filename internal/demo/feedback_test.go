package demo

import (
	"context"
	"testing"
	"time"

	"gongkai"
	"gongkai/internal/calendar"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// TestLoad_feedback loads the demo county and checks that every school
// has cases of every kind and state, with what the pages need to show
// (anonymous senders, an overdue case, an escalation, questions and
// answers, a rectification with its published result, a request with
// supporters), and that a second load adds nothing.
func TestLoad_feedback(t *testing.T) {
	for _, now := range []time.Time{sample, time.Date(2026, 10, 9, 15, 0, 0, 0, gongkai.Beijing)} {
		t.Run(now.Format("2006-01-02"), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, testdb.New(t, "sqlite"), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			days, years := calendar.Seed()
			if err := db.SeedCalendar(ctx, "CN", days, years); err != nil {
				t.Fatal(err)
			}
			blobs, err := files.NewDisk(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := Load(ctx, db, blobs, now); err != nil {
				t.Fatalf("load: %v", err)
			}
			db.Now = func() time.Time { return now }
			counts := map[string]int{}
			for _, ss := range Schools() {
				school, err := db.FindSchoolBySlug(ctx, ss.Slug)
				if err != nil {
					t.Fatal(err)
				}
				cases, total, err := db.FindFeedback(ctx, 0, school.ID, store.FeedbackFilter{PerPage: 100})
				if err != nil {
					t.Fatal(err)
				}
				counts[ss.Slug] = total
				if total < 10 {
					t.Errorf("%s: %d cases, want about ten", ss.Slug, total)
				}
				kinds, states := map[gongkai.FeedbackKind]bool{}, map[gongkai.FeedbackState]bool{}
				var anonymous, overdue, escalated, supported, rectified int
				for _, c := range cases {
					kinds[c.Kind], states[c.State] = true, true
					if c.Anonymous {
						anonymous++
						if c.SenderID != 0 || c.SenderName != "" {
							t.Errorf("%s: anonymous case %q keeps a sender", ss.Slug, c.Subject)
						}
					}
					if c.Overdue(now) {
						overdue++
					}
					if c.Escalated {
						escalated++
					}
					if c.Kind == gongkai.KindRequest && c.Supporters >= 5 {
						supported++
					}
					if c.State == gongkai.FeedbackRectified || (c.ResultID != 0 && c.Kind == gongkai.KindOpinion) {
						rectified++
						d, err := db.FindDisclosureByID(ctx, school.ID, c.ResultID)
						if err != nil || !d.Published() {
							t.Errorf("%s: result of %q: %v", ss.Slug, c.Subject, err)
						}
					}
				}
				for _, k := range gongkai.FeedbackKinds {
					if !kinds[k] {
						t.Errorf("%s: no case of kind %s", ss.Slug, k)
					}
				}
				for _, st := range gongkai.FeedbackStates {
					if !states[st] {
						t.Errorf("%s: no case in state %s", ss.Slug, st)
					}
				}
				if anonymous < 3 || overdue < 1 || escalated != 1 || supported != 1 || rectified < 2 {
					t.Errorf("%s: %d anonymous, %d overdue, %d escalated, %d supported requests, %d rectified", ss.Slug, anonymous, overdue, escalated, supported, rectified)
				}
				qa, n, err := db.FindQA(ctx, school.ID, 1)
				if err != nil || n < 2 || qa[0].QAAnswer == "" {
					t.Errorf("%s: %d published Q&A (%v)", ss.Slug, n, err)
				}
				if tpl, _ := db.FindReplyTemplates(ctx, school.ID); len(tpl) == 0 {
					t.Errorf("%s: no reply templates", ss.Slug)
				}
			}
			if err := Load(ctx, db, blobs, now.Add(time.Hour)); err != nil {
				t.Fatalf("second load: %v", err)
			}
			for _, ss := range Schools() {
				school, _ := db.FindSchoolBySlug(ctx, ss.Slug)
				if _, total, _ := db.FindFeedback(ctx, 0, school.ID, store.FeedbackFilter{}); total != counts[ss.Slug] {
					t.Errorf("%s: %d cases after a second load, was %d", ss.Slug, total, counts[ss.Slug])
				}
			}
		})
	}
}
