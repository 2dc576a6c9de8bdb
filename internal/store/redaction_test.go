package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"gongkai/internal/scrub/scrubtest"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/files"
	"gongkai/internal/store"
	"gongkai/internal/testdb"
)

// Markers of the personal data a roster published by mistake: an ASCII
// word (whose search token is the word itself) and a name (whose search
// tokens are its two-character pieces, of which the first is grepped).
const (
	leakWord = "qzleakword7"
	leakName = "璩璎珞"
	leakPart = "璩璎"
	fileWord = "qzfileword9"
)

// leakyItem publishes a roster whose body and file hold the markers, and
// returns it with its file.
func leakyItem(t *testing.T, f *fixture, blobs files.Store) (*gongkai.Disclosure, *gongkai.Attachment) {
	t.Helper()
	ctx := context.Background()
	d := &gongkai.Disclosure{Title: "2026年春季学期助学金受助学生名单", Category: "aid", Audience: gongkai.AudiencePublic, PublicityDays: 5,
		Body: "| 姓名 | 班级 | 身份证号 |\n| --- | --- | --- |\n| " + leakName + " | 三年级（2）班 | " + leakWord + " |\n"}
	if err := f.db.CreateDisclosure(ctx, f.school.ID, f.actors[gongkai.RoleClerk], d); err != nil {
		t.Fatal(err)
	}
	a := storeFile(t, f, blobs, f.school.ID, d.ID, "受助学生名单.pdf")
	f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionSubmit, "")
	f.act(t, d.ID, gongkai.RolePrincipal, gongkai.ActionApprove, "")
	f.act(t, d.ID, gongkai.RoleSupervisor, gongkai.ActionCheck, "")
	f.act(t, d.ID, gongkai.RoleClerk, gongkai.ActionPublish, "")
	return d, a
}

func storeFile(t *testing.T, f *fixture, blobs files.Store, schoolID, id int64, name string) *gongkai.Attachment {
	t.Helper()
	ctx := context.Background()
	st, err := blobs.Put(ctx, bytes.NewReader(scrubtest.TextPDF(fileWord+" "+leakName)), name, gongkai.MaxAttachmentBytes)
	if err != nil {
		t.Fatal(err)
	}
	a := &gongkai.Attachment{Filename: name, ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}
	clerk := f.actors[gongkai.RoleClerk]
	if schoolID != f.school.ID {
		clerk = f.outsider
	}
	// The leak got past the scan: the file is recorded as read and clean.
	if err := f.db.SaveAttachmentScan(ctx, schoolID, a.SHA256, nil); err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddAttachment(ctx, schoolID, id, clerk, a); err != nil {
		t.Fatal(err)
	}
	return a
}

func found(t *testing.T, f *fixture, schoolID int64, q string) int {
	t.Helper()
	_, n, err := f.db.FindDisclosures(context.Background(), schoolID, store.DisclosureFilter{Published: true, Audiences: gongkai.Audiences, Query: q})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRedact_purgesEverywhere: after the principal redacts the body and
// the file of a roster, none of the redacted text is left in the database
// files (SQLite: the database, its write-ahead log and shared memory; the
// whole data folder, files included) or in any table (PostgreSQL), search
// finds nothing, the trail says what happened, and the file answers no
// more. A clerk and another school's principal are refused and change
// nothing.
func TestRedact_purgesEverywhere(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		data := t.TempDir()
		if strings.HasPrefix(dsn, "sqlite:") {
			data = filepath.Dir(strings.TrimPrefix(dsn, "sqlite:"))
		}
		blobs, err := files.NewDisk(data)
		if err != nil {
			t.Fatal(err)
		}
		d, a := leakyItem(t, f, blobs)
		if found(t, f, f.school.ID, leakWord) != 1 || found(t, f, f.school.ID, leakName) != 1 {
			t.Fatal("the roster is not found by its words before the redaction")
		}
		reason := "名单中误含学生身份证号码"

		// Refused: nothing changes.
		for _, c := range []struct {
			who    string
			actor  *gongkai.Actor
			school int64
			code   string
		}{
			{"clerk", f.actors[gongkai.RoleClerk], f.school.ID, gongkai.EFORBIDDEN},
			{"supervisor", f.actors[gongkai.RoleSupervisor], f.school.ID, gongkai.EFORBIDDEN},
			{"another school's principal", f.outsider, f.school.ID, gongkai.ENOTFOUND},
			{"another school's principal, at their school", f.outsider, f.other.ID, gongkai.ENOTFOUND},
		} {
			for _, req := range []store.RedactRequest{
				{Target: gongkai.RedactBody, Version: 1, Reason: reason},
				{Target: gongkai.RedactAttachment, AttachmentID: a.ID, Reason: reason},
			} {
				if _, err := f.db.Redact(ctx, c.school, d.ID, c.actor, req, blobs); gongkai.ErrorCode(err) != c.code {
					t.Errorf("%s redacts the %s: %v, want %s", c.who, req.Target, err, c.code)
				}
			}
		}
		if _, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: "  "}, blobs); gongkai.ErrorFields(err)["reason"] == "" {
			t.Errorf("no reason: %v, want a field error", err)
		}
		if _, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactBody, Version: 9, Reason: reason}, blobs); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("a version the item does not have: %v", err)
		}
		got, err := f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Body, leakWord) || !got.Versions[0].RedactedAt.IsZero() || len(got.Trail) == 0 || got.Trail[len(got.Trail)-1].Action == gongkai.ActionRedact {
			t.Fatal("a refused redaction changed the item")
		}
		if rc, err := blobs.Open(ctx, a.StorageKey); err != nil {
			t.Fatal("a refused redaction deleted the file")
		} else {
			rc.Close()
		}

		// The principal redacts the body, then the file.
		f.now = f.now.AddDate(0, 0, 2) // Wednesday 2026-03-04
		red, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: reason}, blobs)
		if err != nil {
			t.Fatal(err)
		}
		if red.Target != gongkai.RedactBody || red.Version != 1 {
			t.Errorf("redaction %+v", red)
		}
		if _, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: reason}, blobs); gongkai.ErrorCode(err) != gongkai.ECONFLICT {
			t.Errorf("redacting twice: %v, want a conflict", err)
		}
		red, err = f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactAttachment, AttachmentID: a.ID, Reason: "附件含家庭住址"}, blobs)
		if err != nil {
			t.Fatal(err)
		}
		if !red.FileDeleted || red.FileShared || red.Filename != "受助学生名单.pdf" {
			t.Errorf("file redaction %+v, want the file deleted", red)
		}

		got, err = f.db.FindDisclosureByID(ctx, f.school.ID, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != gongkai.StatePublished || got.Body != gongkai.RedactedBody(f.now) || got.Versions[0].Body != got.Body || got.Versions[0].RedactedAt.IsZero() {
			t.Errorf("after the redaction: state %s, body %q, version %+v", got.State, got.Body, got.Versions[0])
		}
		if !strings.Contains(got.Body, "2026年3月4日") {
			t.Errorf("the notice %q does not say the date", got.Body)
		}
		if len(got.Attachments) != 1 || got.Attachments[0].RedactedAt.IsZero() || got.Attachments[0].StorageKey != "" || got.Attachments[0].Filename != "受助学生名单.pdf" {
			t.Errorf("the file row after the redaction: %+v", got.Attachments)
		}
		var redacts []gongkai.Event
		for _, e := range got.Trail {
			if e.Action == gongkai.ActionRedact {
				redacts = append(redacts, e)
			}
		}
		if len(redacts) != 2 || redacts[0].Comment != reason || redacts[0].ActorRole != gongkai.RolePrincipal || redacts[0].To != gongkai.StatePublished {
			t.Errorf("trail of the redactions: %+v", redacts)
		}
		if _, err := blobs.Open(ctx, a.StorageKey); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Errorf("the file is still stored: %v", err)
		}
		for _, q := range []string{leakWord, leakName, fileWord} {
			if n := found(t, f, f.school.ID, q); n != 0 {
				t.Errorf("search for %q finds %d items after the redaction", q, n)
			}
		}
		if found(t, f, f.school.ID, "助学金") != 1 {
			t.Error("the item is no longer found by its title")
		}

		markers := []string{leakWord, leakPart, fileWord}
		if f.db.Dialect() == "sqlite" {
			grepFolder(t, data, markers)
		} else {
			grepTables(t, f.db, dsn, markers)
		}
	})
}

// grepFolder reads every file under dir (the database, its -wal and -shm,
// the stored files) and fails on any marker, upper or lower case.
func grepFolder(t *testing.T, dir string, markers []string) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seen[filepath.Base(path)] = true
		low := bytes.ToLower(b)
		for _, m := range markers {
			if bytes.Contains(low, []byte(strings.ToLower(m))) {
				t.Errorf("%s still holds %q", path, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["gongkai.db"] {
		t.Fatalf("the database file was not read: %v", seen)
	}
}

// grepTables looks for the markers in every row of every table of the
// test's schema, as text (tsvector columns included), and reports what
// VACUUM left of old row versions in the pages of the tables that held
// the body, where pageinspect is there to read them.
func grepTables(t *testing.T, db *store.DB, dsn string, markers []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 {
		t.Fatalf("only %d tables in the schema", len(tables))
	}
	for _, tb := range tables {
		for _, m := range markers {
			var n int
			if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT COUNT(*) FROM %q x WHERE x::text ILIKE $1`, tb), "%"+m+"%").Scan(&n); err != nil {
				t.Fatalf("%s: %v", tb, err)
			}
			if n > 0 {
				t.Errorf("table %s: %d rows hold %q", tb, n, m)
			}
		}
	}
	// Old row versions: after VACUUM no tuple of the pages should hold the
	// text; the bytes of their freed space are not overwritten, which is
	// what PostgreSQL cannot promise (reported, not asserted: a
	// transaction elsewhere in the database can hold VACUUM back).
	if _, err := conn.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pageinspect`); err != nil {
		t.Logf("pageinspect is not available (%v): old row versions not inspected", err)
		return
	}
	for _, tb := range []string{"disclosures", "disclosure_versions"} {
		var tuples, raw int
		err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT
			(SELECT COUNT(*) FROM generate_series(0, pg_relation_size('%[1]s') / current_setting('block_size')::int - 1) b,
				heap_page_items(get_raw_page('%[1]s', b::int)) i WHERE position(convert_to($1, 'UTF8') IN i.t_data) > 0),
			(SELECT COUNT(*) FROM generate_series(0, pg_relation_size('%[1]s') / current_setting('block_size')::int - 1) b
				WHERE position(convert_to($1, 'UTF8') IN get_raw_page('%[1]s', b::int)) > 0)`, tb), leakWord).Scan(&tuples, &raw)
		if err != nil {
			t.Logf("%s: pages not inspected: %v", tb, err)
			continue
		}
		t.Logf("PostgreSQL %s after VACUUM: %d tuples (live or dead) hold the redacted text; %d pages still hold its bytes in free space", tb, tuples, raw)
	}
}

// TestRedact_sharedFileStays: a file whose bytes another school's item
// also published is no longer offered by the redacted item, but its bytes
// stay for the other item.
func TestRedact_sharedFileStays(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		blobs, err := files.NewDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		d, a := leakyItem(t, f, blobs)
		o := &gongkai.Disclosure{Title: "开物小学公示", Body: "见附件。", Category: "finance", Audience: gongkai.AudiencePublic}
		if err := f.db.CreateDisclosure(ctx, f.other.ID, f.outsider, o); err != nil {
			t.Fatal(err)
		}
		b := storeFile(t, f, blobs, f.other.ID, o.ID, "同一文件.pdf")
		if b.StorageKey != a.StorageKey {
			t.Fatal("the same bytes have two keys")
		}
		red, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactAttachment, AttachmentID: a.ID, Reason: "含个人信息"}, blobs)
		if err != nil {
			t.Fatal(err)
		}
		if red.FileDeleted || !red.FileShared {
			t.Errorf("redaction %+v, want the shared file kept", red)
		}
		rc, err := blobs.Open(ctx, b.StorageKey)
		if err != nil {
			t.Fatalf("the other school's file is gone: %v", err)
		}
		rc.Close()
		got, err := f.db.FindAttachment(ctx, f.other.ID, b.ID)
		if err != nil || !got.RedactedAt.IsZero() || got.StorageKey == "" {
			t.Errorf("the other school's file row changed: %+v %v", got, err)
		}
	})
}

// TestOpen_secureDeleteOnEveryConnection: every connection of the SQLite
// read pool zeroes what it frees (the write pool is shown by the grep
// above).
func TestOpen_secureDeleteOnEveryConnection(t *testing.T) {
	db := mustOpen(t, testdb.New(t, "sqlite"))
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < 4; i++ {
		c, err := db.Pool().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var on int
		if err := c.QueryRowContext(ctx, `PRAGMA secure_delete`).Scan(&on); err != nil {
			t.Fatal(err)
		}
		if on != 1 {
			t.Errorf("connection %d: secure_delete = %d, want 1", i, on)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestRedact_fileDeletionRetried: when the file store cannot delete the
// file at once (here: something else sits at the file's place), the item
// still no longer offers it, the key is kept, and a later retry deletes
// the file once the store is sound again.
func TestRedact_fileDeletionRetried(t *testing.T) {
	testdb.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		f := mustFixture(t, dsn)
		dir := t.TempDir()
		blobs, err := files.NewDisk(dir)
		if err != nil {
			t.Fatal(err)
		}
		d, a := leakyItem(t, f, blobs)
		path := filepath.Join(dir, "files", a.StorageKey[:2], a.StorageKey)
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		must(t, os.Remove(path))
		must(t, os.Mkdir(path, 0o750))
		red, err := f.db.Redact(ctx, f.school.ID, d.ID, f.actors[gongkai.RolePrincipal], store.RedactRequest{Target: gongkai.RedactAttachment, AttachmentID: a.ID, Reason: "含个人信息"}, blobs)
		if err != nil {
			t.Fatal(err)
		}
		if red.FileDeleted || red.FileShared {
			t.Fatalf("redaction %+v, want the deletion failed", red)
		}
		must(t, os.Remove(path))
		must(t, os.WriteFile(path, content, 0o640))
		n, err := f.db.RetryRedactedFiles(ctx, blobs)
		if err != nil || n != 1 {
			t.Fatalf("retry: %d, %v; want 1 file deleted", n, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("the file is still there after the retry: %v", err)
		}
		if n, err := f.db.RetryRedactedFiles(ctx, blobs); err != nil || n != 0 {
			t.Errorf("a second retry: %d, %v; want nothing left", n, err)
		}
	})
}
