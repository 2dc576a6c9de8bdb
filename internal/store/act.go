package store

import (
	"context"
	"fmt"
	"time"

	"gongkai"
)

// The steps of an item's procedure: the domain decides each
// (gongkai.Disclosure.Step), the store locks, loads the facts and writes.

// Act takes one step of the procedure. A revision carries its changes in
// rev. The store locks the item, looks up the facts the step needs, lets
// the domain decide (gongkai.Disclosure.Step), and writes the outcome: row,
// trail and events in one transaction.
func (db *DB) Act(ctx context.Context, schoolID, id int64, actor *gongkai.Actor, action gongkai.Action, comment string, rev *Revision) (*gongkai.Disclosure, error) {
	if action == gongkai.ActionRevise {
		comment, err := gongkai.CleanComment(comment)
		if err != nil {
			return nil, err
		}
		return db.StartRevision(ctx, schoolID, id, actor, comment, rev)
	}
	err := db.withTx(ctx, func(tx *Tx) error {
		it, err := tx.lockItem(ctx, schoolID, id, actor)
		if err != nil {
			return err
		}
		var facts gongkai.StepFacts
		if action == gongkai.ActionSubmit {
			if facts, err = submitFacts(ctx, tx, it.Disclosure); err != nil {
				return err
			}
		}
		o, err := it.Step(actor, action, comment, facts)
		if err != nil {
			return err
		}
		return tx.applyStep(ctx, it, actor, o)
	})
	if err != nil {
		return nil, err
	}
	return db.FindDisclosureByID(ctx, schoolID, id)
}

// submitFacts loads the draft's body and what a submission checks it
// against: the impact assessment of its catalogue item and the personal
// data found in it.
func submitFacts(ctx context.Context, q querier, d *gongkai.Disclosure) (gongkai.StepFacts, error) {
	var f gongkai.StepFacts
	if err := q.QueryRowContext(ctx, `SELECT body FROM disclosures WHERE school_id = $1 AND id = $2`, d.SchoolID, d.ID).Scan(&d.Body); err != nil {
		return f, fmt.Errorf("store: body of disclosure %d: %w", d.ID, err)
	}
	var err error
	if f.NeedsAssessment, f.Assessed, err = assessed(ctx, q, d); err != nil { // roster.go
		return f, err
	}
	f.Findings, err = blockingFindings(ctx, q, d) // privacy.go
	return f, err
}

// SubmitProblems returns what a submission of the draft would refuse now
// (EINVALID with its fields), or nil: the form shows it after a refused
// submission, without submitting again.
func (db *DB) SubmitProblems(ctx context.Context, schoolID int64, d *gongkai.Disclosure) error {
	probe := *d
	facts, err := submitFacts(ctx, db.reader(ctx, schoolID), &probe)
	if err != nil {
		return err
	}
	return probe.CheckSubmission(facts)
}

// applyStep writes what a step does: the item's row once, the versions'
// signatures, publication, withdrawal, the trail and the events.
func (tx *Tx) applyStep(ctx context.Context, it *lockedItem, actor *gongkai.Actor, o gongkai.StepOutcome) error {
	d := it.Disclosure
	upd := &rowUpdate{}
	var err error
	switch {
	case o.Sign:
		upd.set("signed_by", actor.ID)
		upd.set("signed_at", ms(tx.Now))
		err = tx.signVersion(ctx, d, d.Version, actor.ID)
	case o.Check:
		err = tx.checkVersion(ctx, d, d.Version, actor.ID)
	case o.Unsign:
		err = tx.unsignVersion(ctx, d, d.Version)
	case o.Publish:
		err = tx.publish(ctx, it, upd)
		if err == nil && o.FirstPublication {
			err = tx.meetObligation(ctx, it) // obligation.go
		}
	case o.Withdraw:
		err = tx.withdraw(ctx, it, actor, o, upd)
	}
	if err != nil {
		return err
	}
	upd.set("state", string(o.To))
	upd.set("updated_at", ms(tx.Now))
	if err := upd.exec(ctx, tx, d.SchoolID, d.ID); err != nil {
		return fmt.Errorf("store: %s disclosure %d: %w", o.Action, d.ID, err)
	}
	if err := tx.logStep(ctx, d, o); err != nil {
		return err
	}
	if o.Withdraw {
		d.State, d.WithdrawnAt = o.To, tx.Now
		if err := tx.takeDown(ctx, d); err != nil { // roster.go
			return err
		}
		d.State = o.From
	}
	if o.Public {
		if err := tx.touch(ctx, d.SchoolID); err != nil {
			return err
		}
	}
	for _, typ := range o.Events {
		if err := tx.emitDisclosure(ctx, d, typ, o.Comment); err != nil { // outbox.go
			return err
		}
	}
	return tx.record(ctx, d, actor, o.Action, o.From, o.To, o.Comment)
}

// logStep appends a publication or a withdrawal to the school's log, in
// the step's transaction (ledger.go).
func (tx *Tx) logStep(ctx context.Context, d *gongkai.Disclosure, o gongkai.StepOutcome) error {
	switch {
	case o.Publish:
		return tx.appendLedger(ctx, d.SchoolID, d.ID, gongkai.LedgerPublish)
	case o.Withdraw:
		return tx.appendLedger(ctx, d.SchoolID, d.ID, gongkai.LedgerWithdraw)
	}
	return nil
}

// withdraw records the reason of a withdrawal and gives up the pending
// revision when the outcome says so: it can no longer replace the text on
// the board.
func (tx *Tx) withdraw(ctx context.Context, it *lockedItem, actor *gongkai.Actor, o gongkai.StepOutcome, upd *rowUpdate) error {
	upd.set("reason", o.Comment)
	if o.AbandonRevision {
		if err := tx.abandonRevision(ctx, it, actor, o.Comment); err != nil {
			return err
		}
		upd.set("revision_state", "")
	}
	upd.set("withdrawn_at", ms(tx.Now))
	return nil
}

// publish gives the item its index number on first publication and starts
// its publicity period today (Beijing), counted in working days.
func (tx *Tx) publish(ctx context.Context, it *lockedItem, upd *rowUpdate) error {
	d := it.Disclosure
	if d.IndexNo == "" {
		code := it.schoolCode
		if code == "" {
			code = fmt.Sprintf("S%05d", d.SchoolID)
		}
		year := tx.Now.In(gongkai.Beijing).Year()
		var seq int
		if err := tx.QueryRowContext(ctx, `INSERT INTO index_sequences (school_id, year, category, last) VALUES ($1, $2, $3, 1)
			ON CONFLICT (school_id, year, category) DO UPDATE SET last = index_sequences.last + 1 RETURNING last`,
			d.SchoolID, year, d.Category).Scan(&seq); err != nil {
			return fmt.Errorf("store: index sequence: %w", err)
		}
		d.IndexNo = gongkai.IndexNumber(code, year, d.Category, seq)
		upd.set("index_no", d.IndexNo)
		upd.set("published_at", ms(tx.Now))
	}
	if err := tx.startPeriod(ctx, it, upd); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE disclosure_versions SET published_at = $1 WHERE school_id = $2 AND disclosure_id = $3 AND version = $4`,
		ms(tx.Now), d.SchoolID, d.ID, d.Version)
	return err
}

// startPeriod sets the publicity period from today: the day of publication
// counts when it is a working day, so a five-day period published on a
// Monday ends on Friday.
func (tx *Tx) startPeriod(ctx context.Context, it *lockedItem, upd *rowUpdate) error {
	d := it.Disclosure
	if d.PublicityDays <= 0 {
		upd.set("publicity_start", "")
		upd.set("publicity_end", "")
		upd.set("end_provisional", false)
		return nil
	}
	cal, err := tx.db.Calendar(ctx, it.region)
	if err != nil {
		return err
	}
	y, m, day := tx.Now.In(gongkai.Beijing).Date()
	start := time.Date(y, m, day, 0, 0, 0, 0, gongkai.Beijing)
	end, provisional := cal.AddWorkdays(start.AddDate(0, 0, -1), d.PublicityDays)
	d.PublicityStart, d.PublicityEnd, d.EndProvisional = start, end, provisional
	upd.set("publicity_start", formatDay(start))
	upd.set("publicity_end", formatDay(end))
	upd.set("end_provisional", provisional)
	return nil
}
