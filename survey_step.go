package gongkai

import (
	"strings"
	"time"
)

// SurveyFacts are what the store looked up for a step of a survey.
type SurveyFacts struct {
	SchoolBureauID int64
	Now            time.Time
	// Answer: whether the actor took part already.
	Answered bool
	// Publish: the clerk named to carry the results through the procedure,
	// whether they are a clerk or the principal of the school, and the
	// results as tallied.
	ClerkID int64
	ClerkOK bool
	Results *SurveyResults
}

// SurveyOutcome is what a step decided: the survey as it is after it, the
// draft disclosure of its results (publish), the answers to record
// (answer) and the events to send. The store adds "disclosure_id" to the
// data of EventSurveyResultsDrafted once it has written the draft.
type SurveyOutcome struct {
	Survey     *Survey
	Disclosure *Disclosure
	Answers    []SurveyAnswer
	Events     []StepEvent
}

// Take decides opening (SurveyStart) or closing (SurveyFinish) the survey
// at f.Now: EINVALID for another step or a survey not complete enough to
// open, and AuthorizeSurvey's errors. Opening tells the audience.
func (s *Survey) Take(a *Actor, act SurveyAction, f SurveyFacts) (SurveyOutcome, error) {
	if act != SurveyStart && act != SurveyFinish {
		return SurveyOutcome{}, Errorf(EINVALID, "没有这个操作。")
	}
	if err := AuthorizeSurvey(a, s, act, f.Now); err != nil {
		return SurveyOutcome{}, err
	}
	next := *s
	next.UpdatedAt = f.Now
	if act == SurveyFinish {
		next.State, next.ClosedAt = SurveyClosed, f.Now
		return SurveyOutcome{Survey: &next}, nil
	}
	if err := s.ValidateForOpen(f.Now); err != nil {
		return SurveyOutcome{}, err
	}
	next.State, next.OpenedAt = SurveyOpen, f.Now
	return SurveyOutcome{Survey: &next, Events: []StepEvent{{Type: EventSurveyOpened, Data: map[string]any{
		"title": s.Title, "audience": string(s.Audience), "opens_on": isoDay(s.OpensOn), "closes_on": isoDay(s.ClosesOn)}}}}, nil
}

// TakeAnswer decides the actor's response: ENOTFOUND when they may not
// see the survey, EFORBIDDEN outside its audience, ECONFLICT when it is
// not open or they answered already (f.Answered), EINVALID with fields
// q<N>. The outcome's Answers are the answers to record.
func (s *Survey) TakeAnswer(a *Actor, in []SurveyAnswer, f SurveyFacts) (SurveyOutcome, error) {
	if !CanSeeSurvey(a, f.SchoolBureauID, s) {
		return SurveyOutcome{}, Errorf(ENOTFOUND, "测评不存在或您无权查看。")
	}
	if err := s.CanAnswer(a, f.Now); err != nil {
		return SurveyOutcome{}, err
	}
	if f.Answered {
		return SurveyOutcome{}, Errorf(ECONFLICT, "您已参加本次测评，每人限答一次，感谢您的参与。")
	}
	answers, err := s.ValidateAnswers(in)
	if err != nil {
		return SurveyOutcome{}, err
	}
	return SurveyOutcome{Survey: s, Answers: answers}, nil
}

// PublishResults decides making a draft disclosure of a closed survey's
// results (category 考核与评优, for the audience that was asked, the
// results as Markdown tables) for the clerk named, who then carries it
// through the normal procedure: AuthorizeSurvey's errors, EINVALID (field
// clerk) for someone who is neither a clerk nor the principal of the
// school. The survey is linked to the draft once the store wrote it.
func (s *Survey) PublishResults(a *Actor, f SurveyFacts) (SurveyOutcome, error) {
	if err := AuthorizeSurvey(a, s, SurveyPublish, f.Now); err != nil {
		return SurveyOutcome{}, err
	}
	if !f.ClerkOK || f.Results == nil {
		msg := "请选择本校的经办人，由其提交审议并发布。"
		return SurveyOutcome{}, &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"clerk": msg}}
	}
	d := &Disclosure{SchoolID: s.SchoolID, Title: strings.TrimSpace("关于" + s.Title + "结果的公示"), Body: strings.TrimSpace(s.ResultsMarkdown(f.Results)),
		Category: "evaluation", Audience: s.Audience.DisclosureAudience(), PublicityDays: 5, Channels: []Channel{"online"}, ClerkID: f.ClerkID,
		State: StateDraft, Version: 1, CreatedBy: a.ID, CreatedAt: f.Now, UpdatedAt: f.Now}
	if err := d.ValidateDraft(); err != nil {
		return SurveyOutcome{}, err
	}
	next := *s
	next.State, next.UpdatedAt = SurveyClosed, f.Now
	return SurveyOutcome{Survey: &next, Disclosure: d, Events: []StepEvent{{Type: EventSurveyResultsDrafted, Data: map[string]any{
		"title": s.Title, "clerk_id": f.ClerkID}}}}, nil
}

// isoDay is a Beijing date as 2006-01-02, "" for the zero time.
func isoDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Beijing).Format("2006-01-02")
}
