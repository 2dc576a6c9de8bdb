package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"gongkai"
)

// This file is the contract of the feedback store; the bodies are filled in
// by its implementation. Every method takes the school explicitly where the
// case belongs to one; ENOTFOUND for what is missing or not visible.

// FeedbackFilter selects cases for a queue.
type FeedbackFilter struct {
	Kinds      []gongkai.FeedbackKind
	States     []gongkai.FeedbackState
	Open       bool  // only cases waiting for the school
	Overdue    bool  // only open cases past their deadline (needs Now)
	AssigneeID int64 // only cases assigned to this user
	ToBureau   bool  // only cases with the bureau (leadership reports, escalations)
	SenderID   int64 // only cases this signed-in user sent with their name
	// Viewer, when set, keeps only the cases the viewer may see as staff
	// (gongkai.CanSeeFeedback), so that pages and totals agree.
	Viewer  *gongkai.Actor
	Query   string
	Page    int
	PerPage int
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

// ---- Receipts and secrets ------------------------------------------------

// codeSymbols is Crockford's base32: 32 symbols without I, L, O and U, so
// a code read out over the phone or copied by hand survives; 0/O and 1/I/L
// typed by mistake are mapped back.
const codeSymbols = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// receiptSymbols is the length of a receipt: 16 symbols of 5 bits, 80 bits
// of chance, so receipts cannot be enumerated.
const receiptSymbols = 16

// secretSymbols is the length of a secret: 28 symbols, 140 bits.
const secretSymbols = 28

// randomCode returns n random symbols in groups of four joined by dashes.
// Each byte's low five bits pick a symbol: 256 is a multiple of 32, so
// every symbol is equally likely.
func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	var sb strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(codeSymbols[c&31])
	}
	return sb.String()
}

// normalizeCode turns what a person typed into the bare symbols: no
// spaces or dashes, upper case, look-alikes mapped.
func normalizeCode(s string) string {
	s = strings.ToUpper(s)
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '-', '\t', '\u3000', '－', '—':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// canonicalReceipt returns the receipt as stored, or "" when s cannot be
// one.
func canonicalReceipt(s string) string {
	s = normalizeCode(s)
	if len(s) != receiptSymbols {
		return ""
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(codeSymbols, s[i]) < 0 {
			return ""
		}
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

// hashSecret is what is kept of a secret. A secret has 140 random bits, so
// a fast hash is enough: there is nothing to guess from it.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(normalizeCode(secret)))
	return hex.EncodeToString(sum[:])
}

// secretMatches compares in constant time, so the time of an answer tells
// nothing about how much of a guess was right.
func secretMatches(secret, hash string) bool {
	return subtle.ConstantTimeCompare([]byte(hashSecret(secret)), []byte(hash)) == 1
}

// wrongCode is the one answer to a receipt or secret that does not fit:
// it does not say which of the two was wrong.
func wrongCode() error {
	return gongkai.Errorf(gongkai.ENOTFOUND, "回执码或查询密码不正确，请核对后再试。")
}

// ---- Reading -------------------------------------------------------------

const feedbackColumns = `f.id, f.school_id, f.kind, f.state, f.receipt, COALESCE(f.disclosure_id, 0), f.subject, f.anonymous,
	COALESCE(f.sender_id, 0), f.sender_name, f.contact, f.email, f.about, f.about_name, COALESCE(f.about_user_id, 0), f.to_bureau, f.escalated,
	COALESCE(f.department_id, 0), COALESCE(dep.name, ''), COALESCE(f.assignee_id, 0), COALESCE(au.display_name, ''),
	f.due, f.due_provisional, f.rectify_due, COALESCE(f.result_id, 0), f.rating, f.supporters, f.must_answer_publicly,
	f.qa_published, f.qa_question, f.qa_answer, f.qa_published_at, f.created_at, f.updated_at, f.replied_at, f.closed_at`

const feedbackJoins = ` FROM feedback_cases f
	LEFT JOIN departments dep ON dep.id = f.department_id
	LEFT JOIN users au ON au.id = f.assignee_id`

func scanFeedback(sc interface{ Scan(...any) error }, extra ...any) (*gongkai.Feedback, error) {
	var f gongkai.Feedback
	var kind, state, about, due, rdue, rating string
	var qaAt, created, updated, replied, closed int64
	dest := append([]any{&f.ID, &f.SchoolID, &kind, &state, &f.Receipt, &f.DisclosureID, &f.Subject, &f.Anonymous,
		&f.SenderID, &f.SenderName, &f.Contact, &f.Email, &about, &f.AboutName, &f.AboutUserID, &f.ToBureau, &f.Escalated,
		&f.DepartmentID, &f.DepartmentName, &f.AssigneeID, &f.AssigneeName,
		&due, &f.DueProvisional, &rdue, &f.ResultID, &rating, &f.Supporters, &f.MustAnswerPublicly,
		&f.QAPublished, &f.QAQuestion, &f.QAAnswer, &qaAt, &created, &updated, &replied, &closed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	f.Kind, f.State, f.About, f.Rating = gongkai.FeedbackKind(kind), gongkai.FeedbackState(state), gongkai.Subject(about), gongkai.Rating(rating)
	f.Due, f.RectifyDue = parseDay(due), parseDay(rdue)
	f.QAPublishedAt, f.CreatedAt, f.UpdatedAt, f.RepliedAt, f.ClosedAt = fromMS(qaAt), fromMS(created), fromMS(updated), fromMS(replied), fromMS(closed)
	return &f, nil
}

// FindFeedbackSchoolID returns the school of a case, for addresses such as
// /api/v1/feedback/{id} that name no school. The caller then loads the
// case with FindFeedbackByID and decides whether the reader may see it.
func (db *DB) FindFeedbackSchoolID(ctx context.Context, id int64) (int64, error) {
	var schoolID int64
	err := db.read.QueryRowContext(ctx, `SELECT school_id FROM feedback_cases WHERE id = $1`, id).Scan(&schoolID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("该件")
	}
	if err != nil {
		return 0, fmt.Errorf("store: school of feedback %d: %w", id, err)
	}
	return schoolID, nil
}

// FindFeedbackByID returns a case of the school with its whole thread,
// internal notes included: the caller decides with gongkai.CanSeeFeedback
// whether the reader may see it, and shows a sender f.SenderView().
func (db *DB) FindFeedbackByID(ctx context.Context, schoolID, id int64) (*gongkai.Feedback, error) {
	var body string
	f, err := scanFeedback(db.read.QueryRowContext(ctx, `SELECT `+feedbackColumns+`, f.body`+feedbackJoins+` WHERE f.school_id = $1 AND f.id = $2`, schoolID, id), &body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("该件")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find feedback %d: %w", id, err)
	}
	f.Body = body
	if err := db.loadThread(ctx, f); err != nil {
		return nil, err
	}
	return f, nil
}

func (db *DB) loadThread(ctx context.Context, f *gongkai.Feedback) error {
	rows, err := db.read.QueryContext(ctx, `SELECT id, action, from_staff, COALESCE(author_id, 0), author_name, body, internal, created_at
		FROM feedback_messages WHERE school_id = $1 AND feedback_id = $2 ORDER BY id`, f.SchoolID, f.ID)
	if err != nil {
		return fmt.Errorf("store: thread of feedback %d: %w", f.ID, err)
	}
	byID := map[int64]int{}
	f.Messages = nil
	for rows.Next() {
		var m gongkai.FeedbackMessage
		var action string
		var at int64
		if err := rows.Scan(&m.ID, &action, &m.FromStaff, &m.AuthorID, &m.Author, &m.Body, &m.Internal, &at); err != nil {
			rows.Close()
			return err
		}
		m.Action, m.At = gongkai.FeedbackAction(action), fromMS(at)
		byID[m.ID] = len(f.Messages)
		f.Messages = append(f.Messages, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	atts, err := db.read.QueryContext(ctx, `SELECT id, message_id, filename, content_type, size, sha256, storage_key, created_at
		FROM feedback_attachments WHERE school_id = $1 AND feedback_id = $2 ORDER BY id`, f.SchoolID, f.ID)
	if err != nil {
		return fmt.Errorf("store: attachments of feedback %d: %w", f.ID, err)
	}
	defer atts.Close()
	for atts.Next() {
		var a gongkai.Attachment
		var msg, at int64
		if err := atts.Scan(&a.ID, &msg, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &at); err != nil {
			return err
		}
		a.SchoolID, a.CreatedAt = f.SchoolID, fromMS(at)
		if i, ok := byID[msg]; ok {
			f.Messages[i].Attachments = append(f.Messages[i].Attachments, a)
		}
	}
	return atts.Err()
}

// FindFeedbackAttachment returns a file of a case; the caller checks that
// the reader may see the case (as staff, or as its sender).
func (db *DB) FindFeedbackAttachment(ctx context.Context, schoolID, feedbackID, id int64) (*gongkai.Attachment, error) {
	var a gongkai.Attachment
	var at int64
	err := db.read.QueryRowContext(ctx, `SELECT id, filename, content_type, size, sha256, storage_key, created_at
		FROM feedback_attachments WHERE school_id = $1 AND feedback_id = $2 AND id = $3`, schoolID, feedbackID, id).
		Scan(&a.ID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.StorageKey, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("附件")
	}
	if err != nil {
		return nil, fmt.Errorf("store: find feedback attachment %d: %w", id, err)
	}
	a.SchoolID, a.CreatedAt = schoolID, fromMS(at)
	return &a, nil
}

// LookupFeedback finds a case by its receipt and secret, with the messages
// the sender may read (no internal notes). A wrong pair is ENOTFOUND, the
// same whichever half was wrong, and takes the same time.
func (db *DB) LookupFeedback(ctx context.Context, receipt, secret string) (*gongkai.Feedback, error) {
	f, hash, err := findByReceipt(ctx, db.read, receipt, "")
	if gongkai.ErrorCode(err) == gongkai.ENOTFOUND {
		secretMatches(secret, strings.Repeat("0", 64))
		return nil, wrongCode()
	}
	if err != nil {
		return nil, err
	}
	if !secretMatches(secret, hash) {
		return nil, wrongCode()
	}
	if err := db.loadThread(ctx, f); err != nil {
		return nil, err
	}
	return f.SenderView(), nil
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// findByReceipt loads a case with its body and secret hash by receipt;
// lock is the row-lock suffix for a write.
func findByReceipt(ctx context.Context, q queryRower, receipt, lock string) (*gongkai.Feedback, string, error) {
	rc := canonicalReceipt(receipt)
	if rc == "" {
		return nil, "", wrongCode()
	}
	var body, hash string
	f, err := scanFeedback(q.QueryRowContext(ctx, `SELECT `+feedbackColumns+`, f.body, f.secret_hash`+feedbackJoins+` WHERE f.receipt = $1`+lock, rc), &body, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", wrongCode()
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: find feedback by receipt: %w", err)
	}
	f.Body = body
	return f, hash, nil
}

// FindFeedback returns a page of a school's cases newest first, and the
// total. With schoolID 0 it lists across schools: with f.ToBureau every
// bureau case of the schools of bureauID, with f.SenderID every case that
// user sent with their name. With f.Viewer only what the viewer may see as
// staff. Lists leave out the body and the thread.
func (db *DB) FindFeedback(ctx context.Context, bureauID, schoolID int64, f FeedbackFilter) ([]*gongkai.Feedback, int, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	switch {
	case schoolID != 0:
		where = append(where, "f.school_id = "+arg(schoolID))
	case f.ToBureau && bureauID != 0:
		where = append(where, "f.school_id IN (SELECT id FROM schools WHERE bureau_id = "+arg(bureauID)+")")
	case f.SenderID != 0:
	default:
		return nil, 0, gongkai.Errorf(gongkai.EINVALID, "请指定学校。")
	}
	if f.ToBureau {
		where = append(where, "f.to_bureau")
	}
	if f.SenderID != 0 {
		where = append(where, "f.sender_id = "+arg(f.SenderID), "NOT f.anonymous")
	}
	if len(f.Kinds) > 0 {
		ph := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			ph[i] = arg(string(k))
		}
		where = append(where, "f.kind IN ("+strings.Join(ph, ", ")+")")
	}
	if len(f.States) > 0 {
		ph := make([]string, len(f.States))
		for i, s := range f.States {
			ph[i] = arg(string(s))
		}
		where = append(where, "f.state IN ("+strings.Join(ph, ", ")+")")
	}
	if f.Open {
		where = append(where, "f.state IN ('received', 'assigned', 'rectifying')")
	}
	if f.Overdue {
		today := arg(formatDay(db.Now()))
		where = append(where, "((f.state IN ('received', 'assigned') AND f.due <> '' AND f.due < "+today+
			") OR (f.state = 'rectifying' AND f.rectify_due <> '' AND f.rectify_due < "+today+"))")
	}
	if f.AssigneeID != 0 {
		where = append(where, "f.assignee_id = "+arg(f.AssigneeID))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := arg("%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q) + "%")
		cond := "(f.subject LIKE " + like + ` ESCAPE '\' OR f.body LIKE ` + like + ` ESCAPE '\'`
		if rc := canonicalReceipt(q); rc != "" {
			cond += " OR f.receipt = " + arg(rc)
		}
		where = append(where, cond+")")
	}
	if v := f.Viewer; v != nil {
		cond, ok, err := db.viewerCondition(ctx, v, bureauID, schoolID, arg)
		if err != nil {
			return nil, 0, err
		}
		if !ok {
			return nil, 0, nil
		}
		if cond != "" {
			where = append(where, cond)
		}
	}
	w := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_cases f`+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count feedback of school %d: %w", schoolID, err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+feedbackColumns+feedbackJoins+w+
		` ORDER BY f.created_at DESC, f.id DESC`+pageClause(f.Page, f.PerPage), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find feedback of school %d: %w", schoolID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Feedback, error) { return scanFeedback(sc) })
	return out, total, err
}

// viewerCondition is gongkai.CanSeeFeedback as SQL, so a queue's pages and
// total count only what the viewer may see; ok is false when the viewer
// sees nothing. A test checks it against the domain function case by case.
func (db *DB) viewerCondition(ctx context.Context, v *gongkai.Actor, bureauID, schoolID int64, arg func(any) string) (cond string, ok bool, err error) {
	if v.Anonymous() {
		return "", false, nil
	}
	notAbout := "(f.about_user_id IS NULL OR f.about_user_id <> " + arg(v.ID) + ")"
	if schoolID == 0 {
		// Across schools: the bureau's users over their bureau; a sender's
		// own cases need no staff rights.
		if bureauID != 0 && v.Oversees(bureauID) {
			return notAbout, true, nil
		}
		return "", false, nil
	}
	var schoolBureau int64
	if err := db.read.QueryRowContext(ctx, `SELECT bureau_id FROM schools WHERE id = $1`, schoolID).Scan(&schoolBureau); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", false, nil
		}
		return "", false, fmt.Errorf("store: bureau of school %d: %w", schoolID, err)
	}
	if v.Oversees(schoolBureau) {
		return notAbout, true, nil
	}
	// A report about the leadership stays with the bureau.
	notLeadership := "NOT (f.kind = 'report' AND f.about = 'leadership')"
	if v.HasRole(schoolID, gongkai.RoleSupervisor) {
		return notAbout + " AND " + notLeadership, true, nil
	}
	// Other kinds than reports, which the leadership handles and clerks
	// handle once assigned, also after escalation (the school keeps sight).
	if v.HasRole(schoolID, gongkai.RolePrincipal) || v.HasRole(schoolID, gongkai.RoleLeader) {
		return notAbout + " AND f.kind <> 'report'", true, nil
	}
	return notAbout + " AND f.kind <> 'report' AND f.assignee_id = " + arg(v.ID), true, nil
}

// publicQA keeps what the board shows of a case: the anonymised question
// and the answer, never the sender's own words.
func publicQA(f *gongkai.Feedback) *gongkai.Feedback {
	return &gongkai.Feedback{ID: f.ID, SchoolID: f.SchoolID, Kind: f.Kind, State: f.State, ResultID: f.ResultID,
		Supporters: f.Supporters, MustAnswerPublicly: f.MustAnswerPublicly,
		QAPublished: f.QAPublished, QAQuestion: f.QAQuestion, QAAnswer: f.QAAnswer, QAPublishedAt: f.QAPublishedAt,
		CreatedAt: f.CreatedAt, RepliedAt: f.RepliedAt, ClosedAt: f.ClosedAt}
}

// FindQA returns the school's published questions and answers, newest
// first, 20 a page, with the total. Only the public fields are filled: the
// anonymised question, the answer, the kind, state and dates, the linked
// result.
func (db *DB) FindQA(ctx context.Context, schoolID int64, page int) ([]*gongkai.Feedback, int, error) {
	return db.findPublicCases(ctx, schoolID, page, "Q&A", `f.qa_published`, `f.qa_published_at DESC, f.id DESC`, publicQA)
}

// FindRequests returns the school's disclosure requests for the public
// list where people support them, newest first, 20 a page, with the total.
// A request's subject is public (the form says so); its body, sender and
// thread are not and are left out.
func (db *DB) FindRequests(ctx context.Context, schoolID int64, page int) ([]*gongkai.Feedback, int, error) {
	return db.findPublicCases(ctx, schoolID, page, "requests", `f.kind = 'request'`, `f.created_at DESC, f.id DESC`,
		func(f *gongkai.Feedback) *gongkai.Feedback {
			p := publicQA(f)
			p.Subject = f.Subject
			return p
		})
}

// findPublicCases returns a page of 20 of the school's cases that meet
// cond, in the given order, with the total; view keeps of each case only
// what the public may see. cond and order are constants of the callers,
// never input.
func (db *DB) findPublicCases(ctx context.Context, schoolID int64, page int, what, cond, order string, view func(*gongkai.Feedback) *gongkai.Feedback) ([]*gongkai.Feedback, int, error) {
	q := db.reader(ctx, schoolID)
	w := ` WHERE f.school_id = $1 AND ` + cond
	var total int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_cases f`+w, schoolID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: count %s of school %d: %w", what, schoolID, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT `+feedbackColumns+feedbackJoins+w+` ORDER BY `+order+pageClause(page, 20), schoolID)
	if err != nil {
		return nil, 0, fmt.Errorf("store: find %s of school %d: %w", what, schoolID, err)
	}
	out, err := collect(rows, func(sc interface{ Scan(...any) error }) (*gongkai.Feedback, error) {
		f, err := scanFeedback(sc)
		if err != nil {
			return nil, err
		}
		return view(f), nil
	})
	return out, total, err
}

// answeredStates are the states in which the school has given its answer.
const answeredStates = `('replied', 'rectifying', 'rectified', 'closed', 'declined')`

// ObjectionCounts returns, for the given items of the school, how many
// objections each received and how many were answered, in one query per
// 500 items. Items without objections are left out of the map.
func (db *DB) ObjectionCounts(ctx context.Context, schoolID int64, disclosureIDs []int64) (map[int64]ObjectionCount, error) {
	out := map[int64]ObjectionCount{}
	q := db.reader(ctx, schoolID)
	for len(disclosureIDs) > 0 {
		chunk := disclosureIDs[:min(len(disclosureIDs), 500)]
		disclosureIDs = disclosureIDs[len(chunk):]
		args := []any{schoolID}
		ph := make([]string, len(chunk))
		for i, id := range chunk {
			args = append(args, id)
			ph[i] = fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.QueryContext(ctx, `SELECT disclosure_id, COUNT(*), SUM(CASE WHEN state IN `+answeredStates+` THEN 1 ELSE 0 END)
			FROM feedback_cases WHERE school_id = $1 AND kind = 'objection' AND disclosure_id IN (`+strings.Join(ph, ", ")+`) GROUP BY disclosure_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: objection counts of school %d: %w", schoolID, err)
		}
		for rows.Next() {
			var id int64
			var c ObjectionCount
			if err := rows.Scan(&id, &c.Total, &c.Answered); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ---- Creating ------------------------------------------------------------

// duplicateWindow is how long the same text to the same school counts as
// a second click rather than a new case.
const duplicateWindow = 10 * time.Minute

// CreateFeedback records a case opened by gongkai.NewFeedback.Open, with
// the item it names, the school's deadline and calendar, and whether the
// same text came minutes ago; it gives the case a receipt code (80 bits)
// and a secret shown once, of which only a hash is kept. For an anonymous
// case nothing identifying the sender is stored. Errors: Open's EINVALID
// and ECONFLICT, ECONFLICT for a school that no longer takes feedback,
// ENOTFOUND for an unknown school.
func (db *DB) CreateFeedback(ctx context.Context, schoolID int64, nf *gongkai.NewFeedback) (f *gongkai.Feedback, secret string, err error) {
	// The sender's memberships decide which items they may object to, also
	// when they ask for anonymity; they are used here and not kept.
	var sender *gongkai.Actor
	if nf.SenderID != 0 {
		if sender, err = db.LoadActor(ctx, nf.SenderID); err != nil {
			return nil, "", err
		}
	}
	// What the sender typed is checked before it reaches a query: text
	// PostgreSQL cannot hold (a NUL) must come back as the field's error.
	if err := nf.Check(); err != nil {
		return nil, "", err
	}
	secret = strings.ToLower(randomCode(secretSymbols))
	err = db.withTx(ctx, func(tx *Tx) error {
		facts, err := tx.newFeedbackFacts(ctx, schoolID, nf)
		if err != nil {
			return err
		}
		out, err := nf.Open(schoolID, sender, facts)
		if err != nil {
			return err
		}
		f = &out.Case
		if err := tx.insertFeedback(ctx, f, hashSecret(secret), *out.DueRule); err != nil {
			return err
		}
		return tx.finishStep(ctx, &out)
	})
	if err != nil {
		return nil, "", err
	}
	return f, secret, nil
}

// newFeedbackFacts looks up what opening a case needs: the school's bureau,
// deadline and calendar, the item named, and whether the same text came
// minutes ago.
func (tx *Tx) newFeedbackFacts(ctx context.Context, schoolID int64, nf *gongkai.NewFeedback) (gongkai.NewFeedbackFacts, error) {
	facts := gongkai.NewFeedbackFacts{Now: tx.Now}
	var region string
	err := tx.QueryRowContext(ctx, `SELECT s.bureau_id, b.region_code FROM schools s JOIN bureaus b ON b.id = s.bureau_id WHERE s.id = $1`, schoolID).Scan(&facts.BureauID, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return facts, notFound("学校")
	}
	if err != nil {
		return facts, fmt.Errorf("store: school %d: %w", schoolID, err)
	}
	if err := tx.checkUse(ctx, schoolID, gongkai.UseFeedback); err != nil {
		return facts, err
	}
	if nf.DisclosureID != 0 {
		var d gongkai.Disclosure
		var aud, state, end string
		err := tx.QueryRowContext(ctx, `SELECT state, audience, publicity_days, publicity_end FROM disclosures WHERE school_id = $1 AND id = $2`,
			schoolID, nf.DisclosureID).Scan(&state, &aud, &d.PublicityDays, &end)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return facts, fmt.Errorf("store: item %d of feedback: %w", nf.DisclosureID, err)
		}
		if err == nil {
			d.ID, d.SchoolID, d.State, d.Audience, d.PublicityEnd = nf.DisclosureID, schoolID, gongkai.State(state), gongkai.Audience(aud), parseDay(end)
			facts.Item = &d
		}
	}
	var dup int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM feedback_cases WHERE school_id = $1 AND created_at > $2 AND subject = $3 AND body = $4`,
		schoolID, ms(tx.Now.Add(-duplicateWindow)), strings.TrimSpace(nf.Subject), strings.TrimSpace(strings.ReplaceAll(nf.Body, "\r\n", "\n"))).Scan(&dup); err != nil {
		return facts, fmt.Errorf("store: duplicate check: %w", err)
	}
	facts.Duplicate = dup > 0
	settings, err := tx.feedbackSettings(ctx, schoolID)
	if err != nil {
		return facts, err
	}
	facts.ReplyDays = settings.ReplyDays[nf.Kind]
	facts.Calendar, err = tx.db.Calendar(ctx, region)
	return facts, err
}

// insertFeedback inserts an opened case under a fresh receipt.
func (tx *Tx) insertFeedback(ctx context.Context, f *gongkai.Feedback, secretHash string, rule gongkai.WorkdayRule) error {
	for try := 0; f.ID == 0; try++ {
		if try == 3 {
			return fmt.Errorf("store: no free receipt after %d tries", try)
		}
		f.Receipt = randomCode(receiptSymbols)
		err := tx.QueryRowContext(ctx, `INSERT INTO feedback_cases (school_id, kind, state, receipt, secret_hash, disclosure_id, subject, body, anonymous,
			sender_id, sender_name, contact, email, about, about_name, to_bureau, due, due_provisional, created_at, updated_at, due_from, due_workdays)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $19, $20, $21)
			ON CONFLICT (receipt) DO NOTHING RETURNING id`,
			f.SchoolID, string(f.Kind), string(f.State), f.Receipt, secretHash, nullID(f.DisclosureID), f.Subject, f.Body, f.Anonymous,
			nullID(f.SenderID), f.SenderName, f.Contact, f.Email, string(f.About), f.AboutName, f.ToBureau, formatDay(f.Due), f.DueProvisional,
			ms(tx.Now), formatDay(rule.From), rule.Workdays).Scan(&f.ID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: create feedback: %w", err)
		}
	}
	return nil
}

// setDueRule records how a case's reply deadline was set: counted by rule,
// or (a zero rule) chosen by staff.
func (tx *Tx) setDueRule(ctx context.Context, f *gongkai.Feedback, rule gongkai.WorkdayRule) error {
	if _, err := tx.ExecContext(ctx, `UPDATE feedback_cases SET due_from = $1, due_workdays = $2 WHERE school_id = $3 AND id = $4`,
		formatDay(rule.From), rule.Workdays, f.SchoolID, f.ID); err != nil {
		return fmt.Errorf("store: deadline rule of feedback %d: %w", f.ID, err)
	}
	return nil
}

// addMessage appends an entry to the thread, with the sender's files.
func (tx *Tx) addMessage(ctx context.Context, f *gongkai.Feedback, m *gongkai.FeedbackMessage, from, to gongkai.FeedbackState, atts []gongkai.Attachment) error {
	m.At = tx.Now
	err := tx.QueryRowContext(ctx, `INSERT INTO feedback_messages (school_id, feedback_id, action, from_state, to_state, from_staff, author_id, author_name, body, internal, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		f.SchoolID, f.ID, string(m.Action), string(from), string(to), m.FromStaff, nullID(m.AuthorID), m.Author, m.Body, m.Internal, ms(tx.Now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store: add message to feedback %d: %w", f.ID, err)
	}
	for _, a := range atts {
		a.SchoolID, a.CreatedAt = f.SchoolID, tx.Now
		if err := tx.QueryRowContext(ctx, `INSERT INTO feedback_attachments (school_id, feedback_id, message_id, filename, content_type, size, sha256, storage_key, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			f.SchoolID, f.ID, m.ID, a.Filename, a.ContentType, a.Size, a.SHA256, a.StorageKey, ms(tx.Now)).Scan(&a.ID); err != nil {
			return fmt.Errorf("store: add attachment to feedback %d: %w", f.ID, err)
		}
		m.Attachments = append(m.Attachments, a)
	}
	return nil
}
