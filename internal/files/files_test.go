package files

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"gongkai"
	"gongkai/internal/scrub"
	"gongkai/internal/scrub/scrubtest"
)

// eachStore runs fn on an empty Disk store and, when GONGKAI_TEST_S3 names
// an S3 server (scripts/test.sh starts a MinIO and sets it), on an empty
// bucket of its own there.
func eachStore(t *testing.T, fn func(t *testing.T, s Store)) {
	t.Helper()
	t.Run("disk", func(t *testing.T) {
		d, err := NewDisk(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		fn(t, d)
	})
	t.Run("s3", func(t *testing.T) { fn(t, newTestS3(t)) })
}

// newTestS3 returns a store on a fresh bucket of the GONGKAI_TEST_S3 server,
// removed with its objects when the test ends. Without the variable the test
// is skipped, or fails under CI, where a skipped store would go unnoticed.
func newTestS3(tb testing.TB) *S3 {
	tb.Helper()
	spec := os.Getenv("GONGKAI_TEST_S3")
	if spec == "" {
		if os.Getenv("CI") != "" {
			tb.Fatal("GONGKAI_TEST_S3 is not set under CI; scripts/test.sh starts a MinIO and sets it")
		}
		tb.Skip("GONGKAI_TEST_S3 is not set; scripts/test.sh starts a MinIO and sets it")
	}
	u, err := url.Parse(spec)
	if err != nil {
		tb.Fatalf("GONGKAI_TEST_S3: %v", err)
	}
	u.Path = "/gongkai-test-" + strings.ToLower(rand.Text()[:12])
	ctx := context.Background()
	s, err := NewS3(ctx, u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for o := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err == nil {
				_ = s.client.RemoveObject(ctx, s.bucket, o.Key, minio.RemoveObjectOptions{}) // cleanup
			}
		}
		if err := s.client.RemoveBucket(ctx, s.bucket); err != nil {
			tb.Errorf("remove bucket %s: %v", s.bucket, err)
		}
	})
	return s
}

// stored lists the keys of the objects in a store, and the temporary files
// Disk left behind.
func stored(t *testing.T, s Store) []string {
	t.Helper()
	var keys []string
	switch s := s.(type) {
	case *Disk:
		err := filepath.WalkDir(s.root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				keys = append(keys, d.Name())
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	case *S3:
		for o := range s.client.ListObjects(context.Background(), s.bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			keys = append(keys, o.Key)
		}
	}
	return keys
}

// officeZip builds a small zip package with the named parts.
func officeZip(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n<x/>")
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeImage(t *testing.T, enc func(io.Writer, image.Image) error) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var buf bytes.Buffer
	if err := enc(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// largePDF is a one-page PDF of about n bytes, most of them in its content
// stream (a comment of random letters that does not compress).
func largePDF(n int) []byte {
	content := "% " + strings.Repeat(rand.Text(), n/26+1) + "\n"
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n")
	b.WriteString("3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 99 99]/Contents 4 0 R>>endobj\n")
	fmt.Fprintf(&b, "4 0 obj<</Length %d>>stream\n%s\nendstream endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n", len(content), content)
	return b.Bytes()
}

// TestSniff_contentAgainstName: a file named as a kind of attachment whose
// content is another kind, or none, is refused with a message saying that
// its content does not match its name; an old Office file with macros is
// refused as macros; a file of no attachment's kind lists the kinds taken.
func TestSniff_contentAgainstName(t *testing.T) {
	docx := officeZip(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...)
	eachStore(t, func(t *testing.T, s Store) {
		for _, tt := range []struct {
			name, filename string
			data           []byte
			msg            string
		}{
			{"docx named doc", "通知.doc", docx, gongkai.MsgContentNotName},
			{"exe named doc", "通知.doc", exe, gongkai.MsgContentNotName},
			{"exe named xls", "名单.xls", exe, gongkai.MsgContentNotName},
			{"workbook named doc", "通知.doc", scrubtest.OLE("Workbook"), gongkai.MsgContentNotName},
			{"word named et", "名单.et", scrubtest.OLE("WordDocument"), gongkai.MsgContentNotName},
			{"compound file of neither", "通知.wps", scrubtest.OLE("CONTENTS"), gongkai.MsgContentNotName},
			{"pdf named docx", "通知.docx", []byte(testPDF), gongkai.MsgContentNotName},
			{"word with macros", "通知.doc", scrubtest.OLE("WordDocument", "Macros"), scrub.MsgMacro},
			{"excel with macros", "名单.xls", scrubtest.OLE("Workbook", "_VBA_PROJECT_CUR"), scrub.MsgMacro},
			{"exe", "setup.exe", exe, gongkai.MsgAttachmentTypes},
		} {
			t.Run(tt.name, func(t *testing.T) {
				st, err := s.Put(context.Background(), bytes.NewReader(tt.data), tt.filename, gongkai.MaxAttachmentBytes)
				if gongkai.ErrorCode(err) != gongkai.EINVALID || gongkai.ErrorFields(err)["file"] != tt.msg {
					t.Fatalf("Put %s: %v %v, want %q", tt.filename, st, err, tt.msg)
				}
				if keys := stored(t, s); len(keys) != 0 {
					t.Errorf("left behind %v", keys)
				}
			})
		}
	})
}

func TestStore_roundTrip(t *testing.T) {
	xlsx := officeZip(t, "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/worksheets/sheet1.xml")
	docx := officeZip(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
	jpg := encodeImage(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) })
	eachStore(t, func(t *testing.T, s Store) {
		tests := []struct {
			name, filename string
			data           []byte
			ctype          string
		}{
			{"pdf", "财务公示.pdf", []byte(testPDF), TypePDF},
			{"png", "照片.png", encodeImage(t, png.Encode), TypePNG},
			{"jpeg", "photo.jpg", jpg, TypeJPEG},
			{"xlsx", "收支表.xlsx", xlsx, TypeXLSX},
			{"docx", "通知.docx", docx, TypeDOCX},
			// Old Office and WPS files: compound files, by their main stream.
			{"doc", "通知.doc", scrubtest.OLE("WordDocument", "1Table"), TypeDOC},
			{"wps", "通知.wps", scrubtest.OLE("WordDocument"), TypeDOC},
			{"xls", "名单.xls", scrubtest.OLE("Workbook"), TypeXLS},
			{"et", "名单.et", scrubtest.OLE("Workbook", "SummaryInformation"), TypeXLS},
			// A name that promises no kind of attachment does not matter, only the bytes.
			{"pdf named txt", "notes.txt", []byte(testPDF + "% other\n"), TypePDF},
			// An image under another image's name is still an image.
			{"jpeg named png", "截图.png", jpg, TypeJPEG},
			// Over minio-go's 16 MiB part size: a multipart upload.
			{"large pdf", "扫描件.pdf", largePDF(17 << 20), TypePDF},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ctx := context.Background()
				st, err := s.Put(ctx, bytes.NewReader(tt.data), tt.filename, gongkai.MaxAttachmentBytes)
				if err != nil {
					t.Fatal(err)
				}
				// What is kept is the file without its metadata (these PDFs have
				// none: they are kept as they are), under the hash of those bytes.
				f, err := s.Open(ctx, st.Key)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				got, err := io.ReadAll(f)
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(got)
				if want := hex.EncodeToString(sum[:]); st.Key != want || st.SHA256 != want {
					t.Errorf("key %s sha256 %s, want %s", st.Key, st.SHA256, want)
				}
				if st.Size != int64(len(got)) || st.ContentType != tt.ctype {
					t.Errorf("size %d type %s, want %d %s", st.Size, st.ContentType, len(got), tt.ctype)
				}
				if want, err := scrub.Clean(tt.data, tt.ctype, tt.filename); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("read back %d bytes, want the %d cleaned bytes (%v)", len(got), len(want), err)
				}
				tt.data = got
				// http.ServeContent seeks to learn the size and to answer ranges.
				if end, err := f.Seek(0, io.SeekEnd); err != nil || end != int64(len(tt.data)) {
					t.Errorf("seek end: %d %v", end, err)
				}
				if _, err := f.Seek(4, io.SeekStart); err != nil {
					t.Fatal(err)
				}
				if got, err := io.ReadAll(f); err != nil || !bytes.Equal(got, tt.data[4:]) {
					t.Errorf("read after seek: %d bytes %v, want %d", len(got), err, len(tt.data)-4)
				}
			})
		}
	})
}

func TestStore_refused(t *testing.T) {
	big := append([]byte(testPDF), bytes.Repeat([]byte("%"), 1024)...)
	eachStore(t, func(t *testing.T, s Store) {
		tests := []struct {
			name, filename string
			data           []byte
			max            int64
			code           string
		}{
			{"text", "a.txt", []byte("这是一段文字，不是文件。"), 1 << 20, gongkai.EINVALID},
			{"html renamed pdf", "report.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), 1 << 20, gongkai.EINVALID},
			{"svg", "logo.png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), 1 << 20, gongkai.EINVALID},
			{"zip not office", "data.xlsx", officeZip(t, "readme.txt", "xl.txt"), 1 << 20, gongkai.EINVALID},
			{"zip with xl but no content types", "data.xlsx", officeZip(t, "xl/workbook.xml"), 1 << 20, gongkai.EINVALID},
			{"broken zip", "data.docx", []byte("PK\x03\x04 not really a zip"), 1 << 20, gongkai.EINVALID},
			{"exe", "setup.pdf", append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), make([]byte, 200)...), 1 << 20, gongkai.EINVALID},
			{"empty", "a.pdf", nil, 1 << 20, gongkai.EINVALID},
			{"macro workbook named xlsx", "名单.xlsx", scrubtest.XLSM(t), 1 << 20, gongkai.EINVALID},
			{"pdf with javascript", "通知.pdf", scrubtest.PDF(scrubtest.OpenActionJS), 1 << 20, gongkai.EINVALID},
			{"damaged pdf", "通知.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"), 1 << 20, gongkai.EINVALID},
			{"too large", "a.pdf", big, int64(len(big)) - 1, gongkai.ETOOLARGE},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				st, err := s.Put(context.Background(), bytes.NewReader(tt.data), tt.filename, tt.max)
				if code := gongkai.ErrorCode(err); code != tt.code {
					t.Fatalf("Put: %v %v, want code %s", st, err, tt.code)
				}
				if msg := gongkai.ErrorFields(err)["file"]; msg == "" {
					t.Errorf("no message for the file field: %v", err)
				}
				if keys := stored(t, s); len(keys) != 0 {
					t.Errorf("left behind %v", keys)
				}
			})
		}
		t.Run("exactly max", func(t *testing.T) {
			if _, err := s.Put(context.Background(), bytes.NewReader(big), "a.pdf", int64(len(big))); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestStore_sameContentOnce(t *testing.T) {
	// PNG: cleaning it gives the same bytes each time (a PDF written again
	// carries the time of writing).
	img := string(encodeImage(t, png.Encode))
	other := string(encodeImage(t, func(w io.Writer, m image.Image) error { return jpeg.Encode(w, m, nil) }))
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		a, err := s.Put(ctx, strings.NewReader(img), "一.png", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Put(ctx, strings.NewReader(img), "二.png", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if a.Key != b.Key {
			t.Errorf("keys %s and %s for the same bytes", a.Key, b.Key)
		}
		keys := stored(t, s)
		if len(keys) != 1 || !strings.HasSuffix(keys[0], a.Key) || !strings.Contains(keys[0], a.Key[:2]) {
			t.Errorf("stored %v, want one object for %s", keys, a.Key)
		}
		if s3, ok := s.(*S3); ok {
			if keys[0] != "files/"+a.Key[:2]+"/"+a.Key {
				t.Errorf("object name %s", keys[0])
			}
			// Mark the object; a third Put of the same bytes must not upload
			// them again, so the mark stays.
			_, err := s3.client.PutObject(ctx, s3.bucket, keys[0], strings.NewReader(img), int64(len(img)),
				minio.PutObjectOptions{UserMetadata: map[string]string{"Mark": "kept"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Put(ctx, strings.NewReader(img), "四.png", 1<<20); err != nil {
				t.Fatal(err)
			}
			info, err := s3.client.StatObject(ctx, s3.bucket, keys[0], minio.StatObjectOptions{})
			if err != nil || info.UserMetadata["Mark"] != "kept" {
				t.Errorf("the same bytes were uploaded again: metadata %v %v", info.UserMetadata, err)
			}
		}
		if _, err := s.Put(ctx, strings.NewReader(other), "三.png", 1<<20); err != nil {
			t.Fatal(err)
		}
		if keys := stored(t, s); len(keys) != 2 {
			t.Errorf("stored %v, want two objects", keys)
		}
	})
}

func TestStore_openNotFound(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		st, err := s.Put(ctx, strings.NewReader(testPDF), "a.pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		missing := sha256.Sum256([]byte("never stored"))
		for _, key := range []string{
			hex.EncodeToString(missing[:]),
			"",
			"../../../../etc/passwd",
			"../" + st.Key[3:],
			st.Key[:2] + "/../" + st.Key[6:],
			"files/" + st.Key[:2] + "/" + st.Key,
			strings.ToUpper(st.Key),
			st.Key + "/",
			st.Key[:63],
			st.Key + "0",
		} {
			f, err := s.Open(ctx, key)
			if gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
				if f != nil {
					f.Close()
				}
				t.Errorf("Open(%q): %v, want ENOTFOUND", key, err)
			}
		}
	})
}

func TestS3_badCredentials(t *testing.T) {
	s := newTestS3(t)
	u, _ := url.Parse(os.Getenv("GONGKAI_TEST_S3"))
	u.User = url.UserPassword(u.User.Username(), "wrong-secret-123")
	u.Path = "/" + s.bucket
	_, err := Open(context.Background(), u.String(), "")
	if err == nil {
		t.Fatal("a wrong secret key was accepted")
	}
	if strings.Contains(err.Error(), "wrong-secret-123") {
		t.Errorf("the error shows the secret: %v", err)
	}
	t.Log(err)
}

func TestOpen_spec(t *testing.T) {
	const secret = "s3cr%2Fet-KEY"
	tests := []struct {
		name, spec string
		want       string // the type of store, or "error"
	}{
		{"default", "", "*files.Disk"},
		{"file", "file:", "*files.Disk"},
		{"unknown scheme", "gs://AK:" + secret + "@host/bucket", "error"},
		{"no scheme", "AK:" + secret + "@host/bucket", "error"},
		{"no secret", "s3://AK@127.0.0.1:9000/bucket", "error"},
		{"no credentials", "s3://127.0.0.1:9000/bucket", "error"},
		{"no bucket", "s3://AK:" + secret + "@127.0.0.1:9000", "error"},
		{"bucket and path", "s3://AK:" + secret + "@127.0.0.1:9000/bucket/dir", "error"},
		{"bad bucket name", "s3://AK:" + secret + "@127.0.0.1:9000/Bad_Bucket", "error"},
		{"no host", "s3://AK:" + secret + "@/bucket", "error"},
		{"bad port", "s3://AK:" + secret + "@127.0.0.1:nine/bucket", "error"},
		{"bad secure", "s3://AK:" + secret + "@127.0.0.1:9000/bucket?secure=maybe", "error"},
		{"unknown parameter", "s3://AK:" + secret + "@127.0.0.1:9000/bucket?sslmode=disable", "error"},
		{"unescaped slash in secret", "s3://AK:123/456@127.0.0.1:9000/bucket", "error"},
		// Nothing listens on port 1: the client is built, the bucket check fails.
		{"unreachable", "s3://AK:" + secret + "@127.0.0.1:1/bucket?secure=false", "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, tt.spec, t.TempDir())
			got := "error"
			if err == nil {
				got = typeName(s)
			}
			if got != tt.want {
				t.Fatalf("Open(%s) = %s %v, want %s", tt.spec, got, err, tt.want)
			}
			if err != nil {
				t.Log(err)
				for _, leak := range []string{secret, "s3cr/et", "456"} {
					if strings.Contains(err.Error(), leak) {
						t.Errorf("the error shows the secret: %v", err)
					}
				}
			}
		})
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *Disk:
		return "*files.Disk"
	case *S3:
		return "*files.S3"
	}
	return "?"
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"file:", "file:"},
		{"s3://AK:secret@host:9000/b?secure=false", "s3://AK:xxxxx@host:9000/b?secure=false"},
		{"s3://AK:se/cr@et@host/b", "s3://AK:xxxxx@host/b"},
		{"AK:secret@host/b", "AK:xxxxx@host/b"},
		{"s3://host/b", "s3://host/b"},
		{"s3://AK@host/b", "s3://AK@host/b"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestStore_keepsNoMetadata: what reaches the disk or the bucket is the
// file without its author, company or place; the upload as it came is
// written nowhere.
func TestStore_keepsNoMetadata(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for _, f := range []struct {
			name string
			data []byte
		}{
			{"收支表.xlsx", scrubtest.XLSX(t)}, {"通知.docx", scrubtest.DOCX(t)}, {"通知.pdf", scrubtest.PDF("")},
			{"照片.jpg", scrubtest.JPEG(t)}, {"图.png", scrubtest.PNG(t)},
		} {
			if _, err := s.Put(ctx, bytes.NewReader(f.data), f.name, gongkai.MaxAttachmentBytes); err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
		}
		keys := stored(t, s)
		if len(keys) != 5 {
			t.Fatalf("stored %v, want 5 objects and no temporary file", keys)
		}
		for _, k := range keys {
			r, err := s.Open(ctx, k[len(k)-64:])
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			if leaks := scrubtest.Leaks(b); len(leaks) > 0 {
				t.Errorf("%s holds %q", k, leaks)
			}
		}
	})
}

// TestStore_delete: a deleted file is gone (and on disk its bytes were
// overwritten first); deleting a missing key or a key that is no key is
// not an error and touches nothing else.
func TestStore_delete(t *testing.T) {
	eachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		st, err := s.Put(ctx, strings.NewReader(testPDF), "a.pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.Put(ctx, strings.NewReader(testPDF+"% other\n"), "b.pdf", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		var kept *os.File
		if d, ok := s.(*Disk); ok {
			// A reader holding the file open sees what Delete wrote over it.
			if kept, err = os.Open(d.path(st.Key)); err != nil {
				t.Fatal(err)
			}
			defer kept.Close()
		}
		if err := s.Delete(ctx, st.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Open(ctx, st.Key); gongkai.ErrorCode(err) != gongkai.ENOTFOUND {
			t.Fatalf("Open after Delete: %v, want ENOTFOUND", err)
		}
		if kept != nil {
			b, err := io.ReadAll(kept)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != len(testPDF) || strings.Trim(string(b), "\x00") != "" {
				t.Errorf("the deleted file's bytes were not overwritten: %q", b)
			}
		}
		for _, key := range []string{st.Key, "", "../../etc/passwd", strings.ToUpper(other.Key)} {
			if err := s.Delete(ctx, key); err != nil {
				t.Errorf("Delete(%q): %v", key, err)
			}
		}
		if got := stored(t, s); len(got) != 1 || !strings.HasSuffix(got[0], other.Key) {
			t.Errorf("after the deletions the store holds %v, want only %s", got, other.Key)
		}
	})
}
