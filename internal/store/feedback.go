package store

import (
	"context"
	"time"

	"gongkai"
)

// This file is the contract of the feedback store; the bodies are filled in
// by its implementation. Every method takes the school explicitly where the
// case belongs to one; ENOTFOUND for what is missing or not visible.

// NewFeedback is what a sender submits from a public form or the API.
type NewFeedback struct {
	Kind         gongkai.FeedbackKind
	DisclosureID int64 // objection: the item objected to
	Subject      string
	Body         string
	Anonymous    bool
	SenderID     int64 // the signed-in sender; ignored (not stored) when Anonymous
	SenderName   string
	Contact      string
	Email        string
	About        gongkai.Subject // reports: whom it is about
	AboutName    string          // reports: the person's name as the sender wrote it
	Attachments  []gongkai.Attachment
}

// FeedbackFilter selects cases for a queue.
type FeedbackFilter struct {
	Kinds      []gongkai.FeedbackKind
	States     []gongkai.FeedbackState
	Open       bool  // only cases waiting for the school
	Overdue    bool  // only open cases past their deadline (needs Now)
	AssigneeID int64 // only cases assigned to this user
	ToBureau   bool  // only cases with the bureau (leadership reports, escalations)
	SenderID   int64 // only cases this signed-in user sent with their name
	Query      string
	Page       int
	PerPage    int
}

// FeedbackStep is one handling step by staff.
type FeedbackStep struct {
	Action       gongkai.FeedbackAction
	Comment      string // the reply, plan, reason or note
	DepartmentID int64  // assign
	AssigneeID   int64  // assign
	Due          time.Time
	ResultID     int64  // rectified: the published disclosure with the result
	QAQuestion   string // publish_qa: the anonymised question
	QAAnswer     string // publish_qa: the answer as published
	AboutUserID  int64  // supervisors may record whom a report is about
}

// SenderStep is what the sender may do later with the receipt: add a
// message, rate the answer, escalate to the bureau.
type SenderStep struct {
	Action      gongkai.FeedbackAction // message, rate or escalate
	Body        string
	Rating      gongkai.Rating
	Attachments []gongkai.Attachment
}

// FeedbackSettings are a school's deadlines, threshold and channels.
type FeedbackSettings struct {
	SchoolID         int64
	ReplyDays        map[gongkai.FeedbackKind]int
	SupportThreshold int
	NotifyEmail      string // where new cases are announced, besides handlers' own addresses
	WebhookURL       string
	WebhookSecret    string
}

// ReplyTemplate is a reusable answer.
type ReplyTemplate struct {
	ID       int64
	SchoolID int64
	Kind     gongkai.FeedbackKind // "" for any kind
	Title    string
	Body     string
}

// ObjectionCount is how many objections an item received and how many
// were answered.
type ObjectionCount struct{ Total, Answered int }

var errNotYet = gongkai.Errorf(gongkai.ENOTFOUND, "not implemented")

// CreateFeedback records a case: validates it (an objection only on an item
// of this school published to the public and still in its publicity
// period), routes it (reports about the leadership to the bureau), computes
// its reply deadline in working days from the school's settings, and gives
// it a receipt code (at least 80 bits) and a secret shown once, of which
// only a hash is kept. For an anonymous case nothing identifying the sender
// is stored.
func (db *DB) CreateFeedback(ctx context.Context, schoolID int64, nf *NewFeedback) (f *gongkai.Feedback, secret string, err error) {
	return nil, "", errNotYet
}

// LookupFeedback finds a case by its receipt and secret, with the messages
// the sender may read (no internal notes). A wrong pair is ENOTFOUND.
func (db *DB) LookupFeedback(ctx context.Context, receipt, secret string) (*gongkai.Feedback, error) {
	return nil, errNotYet
}

// FindFeedbackByID returns a case of the school with its whole thread.
func (db *DB) FindFeedbackByID(ctx context.Context, schoolID, id int64) (*gongkai.Feedback, error) {
	return nil, errNotYet
}

// FindFeedback returns a page of a school's cases (schoolID 0 with
// f.ToBureau: every bureau case of bureauID) newest first, and the total.
func (db *DB) FindFeedback(ctx context.Context, bureauID, schoolID int64, f FeedbackFilter) ([]*gongkai.Feedback, int, error) {
	return nil, 0, errNotYet
}

// HandleFeedback takes a staff step on a case, checking with the domain
// that the actor may handle it and that the state allows the step.
func (db *DB) HandleFeedback(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, step FeedbackStep) (*gongkai.Feedback, error) {
	return nil, errNotYet
}

// SenderAct lets the holder of a receipt and secret (or the signed-in
// named sender, with senderID) add a message, rate the answer or escalate.
func (db *DB) SenderAct(ctx context.Context, receipt, secret string, senderID int64, step SenderStep) (*gongkai.Feedback, error) {
	return nil, errNotYet
}

// SupportRequest records that a signed-in user supports a disclosure
// request (once per user) and returns the number of supporters; at the
// school's threshold the request must be answered in public.
func (db *DB) SupportRequest(ctx context.Context, schoolID, id, userID int64) (int, error) {
	return 0, errNotYet
}

// FindQA returns the school's published questions and answers, newest first.
func (db *DB) FindQA(ctx context.Context, schoolID int64, page int) ([]*gongkai.Feedback, int, error) {
	return nil, 0, errNotYet
}

// ObjectionCounts returns, for the given items of the school, how many
// objections each received and how many were answered, in one query.
func (db *DB) ObjectionCounts(ctx context.Context, schoolID int64, disclosureIDs []int64) (map[int64]ObjectionCount, error) {
	return nil, errNotYet
}

// FindFeedbackSettings returns the school's settings, with defaults.
func (db *DB) FindFeedbackSettings(ctx context.Context, schoolID int64) (*FeedbackSettings, error) {
	return nil, errNotYet
}

// UpdateFeedbackSettings saves the school's settings.
func (db *DB) UpdateFeedbackSettings(ctx context.Context, s *FeedbackSettings) error { return errNotYet }

// FindReplyTemplates returns the school's reply templates.
func (db *DB) FindReplyTemplates(ctx context.Context, schoolID int64) ([]ReplyTemplate, error) {
	return nil, errNotYet
}

// SaveReplyTemplate creates (ID 0) or updates a reply template.
func (db *DB) SaveReplyTemplate(ctx context.Context, t *ReplyTemplate) error { return errNotYet }
