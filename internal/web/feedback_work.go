package web

import (
	"context"
	"time"

	"gongkai"
	"gongkai/internal/store"
)

// Feedback on the work page (工作台).

// feedbackWork is what feedback waits for the reader on the work page, and
// the cases they sent with their name.
type feedbackWork struct {
	Todo    []caseRow
	Overdue []caseRow
	Mine    []mineRow
}

type mineRow struct {
	F      *gongkai.Feedback
	School *gongkai.School
	URL    string
}

// Waiting reports whether any case waits for the reader.
func (fw *feedbackWork) Waiting() bool {
	return fw != nil && len(fw.Todo)+len(fw.Overdue) > 0
}

// feedbackWorkFor fills the feedback groups of the work page: per school the
// reader works in, the open cases they handle (one query); the cases they
// sent with their name (one query); for a bureau administrator, the
// bureau's cases (one query).
func (s *Server) feedbackWorkFor(ctx context.Context, actor *gongkai.Actor, now time.Time) (*feedbackWork, error) {
	fw := &feedbackWork{}
	add := func(school *gongkai.School, f *gongkai.Feedback) {
		row := newCaseRow(school, f, now)
		if row.Overdue {
			fw.Overdue = append(fw.Overdue, row)
		} else {
			fw.Todo = append(fw.Todo, row)
		}
	}
	for _, id := range memberSchools(actor) {
		school, err := s.db.FindSchoolByID(ctx, id)
		if err != nil {
			return nil, err
		}
		f := store.FeedbackFilter{Open: true, PerPage: 50}
		if kinds := kindsFor(actor, school, true); len(kinds) > 0 {
			f.Kinds = kinds
		} else {
			f.AssigneeID = actor.ID
		}
		if gongkai.CanReadInternalBoard(actor, school.BureauID, school.ID) {
			cases, _, err := s.db.FindFeedback(ctx, school.BureauID, school.ID, f)
			if err != nil {
				return nil, err
			}
			for _, c := range cases {
				if gongkai.CanHandleFeedback(actor, school.BureauID, c) {
					add(school, c)
				}
			}
		}
	}
	// The cases the reader sent with their name, to any school.
	mine, _, err := s.db.FindFeedback(ctx, 0, 0, store.FeedbackFilter{SenderID: actor.ID, PerPage: 10})
	if err != nil {
		return nil, err
	}
	schools := map[int64]*gongkai.School{}
	for _, c := range mine {
		school := schools[c.SchoolID]
		if school == nil {
			if school, err = s.db.FindSchoolByID(ctx, c.SchoolID); err != nil {
				return nil, err
			}
			schools[c.SchoolID] = school
		}
		fw.Mine = append(fw.Mine, mineRow{F: c, School: school, URL: myCaseURL(school, c.ID)})
	}
	if actor.BureauRole == gongkai.RoleBureauAdmin && actor.BureauID != 0 {
		schools, err := s.db.FindSchools(ctx, actor.BureauID)
		if err != nil {
			return nil, err
		}
		byID := map[int64]*gongkai.School{}
		for _, sc := range schools {
			byID[sc.ID] = sc
		}
		cases, _, err := s.db.FindFeedback(ctx, actor.BureauID, 0, store.FeedbackFilter{ToBureau: true, Open: true, PerPage: 50})
		if err != nil {
			return nil, err
		}
		for _, c := range cases {
			if sc := byID[c.SchoolID]; sc != nil && gongkai.CanHandleFeedback(actor, sc.BureauID, c) {
				add(sc, c)
			}
		}
	}
	return fw, nil
}
