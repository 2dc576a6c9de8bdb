package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"gongkai/internal/scrub/scrubtest"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"gongkai"
	"gongkai/internal/files"
	"gongkai/internal/testdb"
)

// newS3Harness is newHarness with the server's attachments in the bucket
// that GONGKAI_TEST_S3 names (scripts/test.sh starts a MinIO and sets it).
// Without it the test is skipped, or fails under CI.
func newS3Harness(t *testing.T, dsn string) *harness {
	t.Helper()
	spec := os.Getenv("GONGKAI_TEST_S3")
	if spec == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("GONGKAI_TEST_S3 is not set under CI; scripts/test.sh starts a MinIO and sets it")
		}
		t.Skip("GONGKAI_TEST_S3 is not set; scripts/test.sh starts a MinIO and sets it")
	}
	h := newHarness(t, dsn)
	blobs, err := files.Open(context.Background(), spec, "")
	must(t, err)
	if _, ok := blobs.(*files.S3); !ok {
		t.Fatalf("GONGKAI_TEST_S3 gave a %T", blobs)
	}
	srv, err := New(Config{}, h.db, blobs, slog.New(slog.NewTextHandler(io.Discard, nil)))
	must(t, err)
	h.srv = srv
	h.ts = httptest.NewServer(srv)
	t.Cleanup(h.ts.Close)
	return h
}

// TestFilesS3_uploadAndDownload uploads files through the API into the
// bucket and reads the published one back through the public download
// route, whole and in a range.
func TestFilesS3_uploadAndDownload(t *testing.T) {
	h := newS3Harness(t, testdb.New(t, "sqlite"))
	clerk := h.apiToken("xq.clerk")
	upload := func(name string, data []byte) (int, string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", name)
		must(t, err)
		fw.Write(data)
		must(t, mw.Close())
		resp, body := h.do(h.client(""), "POST", fmt.Sprintf("/api/v1/disclosures/%d/attachments", h.draft.ID),
			mw.FormDataContentType(), &buf, http.Header{"Authorization": {"Bearer " + clerk}})
		return resp.StatusCode, body
	}

	// Bytes of their own, so the bucket, shared between runs, cannot
	// already hold them and the upload really happens.
	pdf := scrubtest.TextPDF(rand.Text())
	status, body := upload("2026年收支表.pdf", pdf)
	if status != http.StatusCreated {
		t.Fatalf("upload: %d %s", status, body)
	}
	var att struct {
		URL         string `json:"url"`
		SHA256      string `json:"sha256"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
	}
	must(t, json.Unmarshal([]byte(body), &att))
	if !strings.HasPrefix(att.URL, "/s/xq/files/") || att.Size != int64(len(pdf)) || att.ContentType != files.TypePDF {
		t.Fatalf("upload answered %s", body)
	}

	// Refused by content before anything reaches the bucket.
	if status, body := upload("report.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>")); status != http.StatusUnprocessableEntity {
		t.Errorf("HTML named .pdf: %d %s", status, body)
	}

	// Before publication the file is not public.
	if resp, _ := h.get(h.client(""), att.URL); resp.StatusCode != http.StatusNotFound {
		t.Errorf("draft's file for an anonymous reader: %d, want 404", resp.StatusCode)
	}
	h.act(h.school, h.draft.ID, "clerk", gongkai.ActionSubmit, "")
	h.act(h.school, h.draft.ID, "principal", gongkai.ActionApprove, "")
	h.act(h.school, h.draft.ID, "supervisor", gongkai.ActionCheck, "")
	h.act(h.school, h.draft.ID, "clerk", gongkai.ActionPublish, "")

	resp, data := h.get(h.client(""), att.URL)
	if resp.StatusCode != http.StatusOK || data != string(pdf) {
		t.Fatalf("download: %d, %d bytes, want %d", resp.StatusCode, len(data), len(pdf))
	}
	if ct, etag := resp.Header.Get("Content-Type"), resp.Header.Get("ETag"); ct != files.TypePDF || etag != `"`+att.SHA256+`"` {
		t.Errorf("download headers: Content-Type %q ETag %q", ct, etag)
	}
	// A range is answered from a ranged read of the object.
	resp, data = h.do(h.client(""), "GET", att.URL, "", nil, http.Header{"Range": {"bytes=5-12"}})
	if resp.StatusCode != http.StatusPartialContent || data != string(pdf[5:13]) {
		t.Errorf("range: %d %q, want 206 %q", resp.StatusCode, data, pdf[5:13])
	}
	// Another school's path does not reach the file.
	if resp, _ := h.get(h.client(""), strings.Replace(att.URL, "/s/xq/", "/s/other/", 1)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("file through the other school: %d, want 404", resp.StatusCode)
	}

	// A row whose object is missing from the bucket answers 404, as a
	// missing file on disk does.
	d := h.newDraft(h.school, "缺失的附件")
	key := strings.Repeat("0", 64)
	a := &gongkai.Attachment{Filename: "gone.pdf", ContentType: files.TypePDF, Size: 10, SHA256: key, StorageKey: key}
	must(t, h.db.AddAttachment(context.Background(), h.school.ID, d.ID, h.actor("xq.clerk"), a))
	if resp, _ := h.get(h.client("xq.clerk"), fmt.Sprintf("/s/xq/files/%d/gone.pdf", a.ID)); resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing object: %d, want 404", resp.StatusCode)
	}
}
