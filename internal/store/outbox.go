package store

import "context"

// Event is something that happened in a transaction and must be told to
// people or systems after commit: in-app notifications, e-mail, the
// school's webhook.
type Event struct {
	SchoolID int64
	Type     string         // e.g. "feedback.received", "feedback.replied", "disclosure.published"
	Subject  int64          // the feedback or disclosure id
	Data     map[string]any // what the message needs (title, kind, due, ...); never anything identifying an anonymous sender
}

// emit records an event in the transaction (the outbox), so it is delivered
// exactly when the change commits, even across a crash.
func (tx *Tx) emit(ctx context.Context, e Event) error {
	return nil // the outbox is filled in by its implementation (outbox table, dispatcher)
}
