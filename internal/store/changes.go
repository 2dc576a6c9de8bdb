package store

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// changesChannel is the PostgreSQL channel on which every node hears that a
// school's public pages changed.
const changesChannel = "gongkai_changes"

// calendarChannel is the PostgreSQL channel on which every node hears that a
// region's working-day calendar changed; the payload is the region.
const calendarChannel = "gongkai_calendar"

// OnChange registers fn to be called after a commit that changed what a
// school's public pages show (publish, revise, withdraw, archive, the end of
// a publicity period). schoolID 0 means "anything may have changed", e.g.
// after a lost connection to the notification channel.
func (db *DB) OnChange(fn func(schoolID int64)) {
	db.changeMu.Lock()
	db.onChange = append(db.onChange, fn)
	db.changeMu.Unlock()
}

func (db *DB) changed(schoolID int64) {
	db.changeMu.Lock()
	fns := db.onChange
	db.changeMu.Unlock()
	for _, fn := range fns {
		fn(schoolID)
	}
}

// touch records that the transaction changes the school's public pages. On
// PostgreSQL the notification is part of the transaction, so other nodes
// hear of it exactly when it commits and never for a rollback.
func (tx *Tx) touch(ctx context.Context, schoolID int64) error {
	tx.touched = append(tx.touched, schoolID)
	if tx.db.dialect == postgresDialect {
		_, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, changesChannel, strconv.FormatInt(schoolID, 10))
		return err
	}
	return nil
}

// Listen relays other nodes' changes to OnChange, and drops the calendars
// other nodes edited, until ctx ends. It is a no-op on SQLite, which has one
// node. After a lost connection it reports schoolID 0 and drops every
// calendar, since notifications may have been missed meanwhile.
func (db *DB) Listen(ctx context.Context) {
	if db.dialect != postgresDialect {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		db.log.Warn("change notifications interrupted", "err", err)
		db.deaf()
		db.changed(0)
		db.dropCalendar("")
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 10*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, db.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, ch := range []string{changesChannel, calendarChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return err
		}
	}
	if err := db.listening(ctx, conn); err != nil {
		return err
	}
	db.changed(0) // whatever happened before we listened
	db.dropCalendar("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if n.Channel == calendarChannel {
			db.dropCalendar(n.Payload)
			continue
		}
		// The payload is "<school>" or "<school>:<lsn>" (replica.go).
		id, err := db.heardOn(ctx, conn, n.Payload)
		if err != nil {
			return err // Listen drops every page and listens again
		}
		db.changed(id)
	}
}
