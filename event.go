package gongkai

import "strings"

// EventType names something that happened in a change and that people or
// systems are told of after it commits: in-app notifications, e-mail and
// the school's webhook. The store records events in the same transaction
// as the change (the outbox); the notifier dispatches on these constants.
// Their values are part of the webhook's JSON and stay as they are.
type EventType string

// Events of the disclosure procedure that change what the public sees.
const (
	EventDisclosurePublished EventType = "disclosure.published"
	EventDisclosureRevised   EventType = "disclosure.revised"
	EventDisclosureWithdrawn EventType = "disclosure.withdrawn"
	EventDisclosureRedacted  EventType = "disclosure.redacted"
)

// Events of a feedback case.
const (
	EventFeedbackReceived   EventType = "feedback.received"
	EventFeedbackAssigned   EventType = "feedback.assigned"
	EventFeedbackReplied    EventType = "feedback.replied"
	EventFeedbackRectifying EventType = "feedback.rectifying"
	EventFeedbackRectified  EventType = "feedback.rectified"
	EventFeedbackClosed     EventType = "feedback.closed"
	EventFeedbackDeclined   EventType = "feedback.declined"
	EventFeedbackEscalated  EventType = "feedback.escalated"
	EventFeedbackMessage    EventType = "feedback.message"
	EventFeedbackRated      EventType = "feedback.rated"
	EventFeedbackSupported  EventType = "feedback.supported"
	EventFeedbackOverdue    EventType = "feedback.overdue"
)

// Events of a bureau's supervision order (督办).
const (
	EventOrderIssued   EventType = "order.issued"
	EventOrderAnswered EventType = "order.answered"
	EventOrderReturned EventType = "order.returned"
	EventOrderAccepted EventType = "order.accepted"
	EventOrderOverdue  EventType = "order.overdue"
)

// Events of surveys, self-inspections and obligations.
const (
	EventSurveyOpened          EventType = "survey.opened"
	EventSurveyResultsDrafted  EventType = "survey.results_drafted"
	EventInspectionSubmitted   EventType = "inspection.submitted"
	EventInspectionMeasureDone EventType = "inspection.measure_done"
	EventObligationDueSoon     EventType = "obligation.due_soon"
	EventObligationOverdue     EventType = "obligation.overdue"
)

// Events the notifier makes for itself: one e-mail or webhook post each, so
// that each is retried alone, and the weekly digest.
const (
	EventMailSend     EventType = "mail.send"
	EventWebhookPost  EventType = "webhook.post"
	EventDigestWeekly EventType = "digest.weekly"
)

// Family is the part of an event type before the dot ("feedback" for
// "feedback.replied"): the aggregate the event is about.
func (t EventType) Family() string {
	family, _, _ := strings.Cut(string(t), ".")
	return family
}

// StepEvent is an event a step of a procedure decided on, with what the
// message needs, never anything identifying an anonymous sender. The store
// adds the school and the subject (the row it wrote) and records it in the
// outbox in the same transaction.
type StepEvent struct {
	Type EventType
	Data map[string]any
}
