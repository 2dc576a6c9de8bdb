package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	_ "image/jpeg"
	_ "image/png"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/files"
	"gongkai/internal/scrub"
	"gongkai/internal/scrub/scrubtest"
)

// useDataDir gives the harness's server a file store in a folder of the
// test's own, and returns the folder, so a test can read what was written.
func (h *harness) useDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	blobs, err := files.NewDisk(dir)
	must(t, err)
	h.srv.blobs = blobs
	return dir
}

// dataFiles returns the content of every file under dir.
func dataFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	must(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	}))
	return out
}

// lastAttachment returns the newest file of item id in school xq.
func (h *harness) lastAttachment(t *testing.T, id int64) gongkai.Attachment {
	t.Helper()
	d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, id)
	must(t, err)
	if len(d.Attachments) == 0 {
		t.Fatalf("item %d has no file", id)
	}
	return d.Attachments[len(d.Attachments)-1]
}

// TestUploads_metadataStripped uploads a file of every kind that carries an
// author, a company or a GPS position, through the registration form, the
// API and the public feedback form, and reads back what was kept: over
// HTTP and in the data folder. None of those words is left anywhere, and
// every file still opens.
func TestUploads_metadataStripped(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dir := h.useDataDir(t)
		clerk := h.client("xq.clerk")
		token := h.apiToken("xq.clerk")
		base := fmt.Sprintf("/s/xq/manage/d/%d", h.draft.ID)
		// The API's files go to a draft of their own: the same content is
		// attached to a draft once.
		apiDraft := h.newDraft(h.school, "接口上传的附件")
		tests := []struct {
			name, filename, ctype string
			data                  []byte
			api                   bool
			opens                 func(t *testing.T, b []byte)
		}{
			{"xlsx by form", "收费明细.xlsx", files.TypeXLSX, scrubtest.XLSX(t), false, opensXLSX},
			{"docx by form", "收费通知.docx", files.TypeDOCX, scrubtest.DOCX(t), false, opensDOCX},
			{"pdf by form", "收费标准.pdf", files.TypePDF, scrubtest.PDF(""), false, opensPDF},
			{"jpeg with gps by form", "现场照片.jpg", files.TypeJPEG, scrubtest.JPEG(t), false, opensImage},
			{"png with text by form", "示意图.png", files.TypePNG, scrubtest.PNG(t), false, opensImage},
			{"xlsx by api", "明细.xlsx", files.TypeXLSX, scrubtest.XLSX(t), true, opensXLSX},
			{"pdf by api", "标准.pdf", files.TypePDF, scrubtest.PDF(""), true, opensPDF},
			{"jpeg by api", "照片.jpg", files.TypeJPEG, scrubtest.JPEG(t), true, opensImage},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if len(scrubtest.Leaks(tt.data)) == 0 {
					t.Fatal("the fixture carries no author: the test could not fail")
				}
				if tt.api {
					if status, body := h.apiUploadFile(t, apiDraft.ID, token, tt.filename, tt.data); status != http.StatusCreated {
						t.Fatalf("API upload: %d %s", status, body)
					}
				} else if resp, body := h.postMultipart(clerk, base+"/files", nil, upload{"file", tt.filename, tt.data}); resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("upload: %d\n%s", resp.StatusCode, errorSummary(body))
				}
				into := h.draft.ID
				if tt.api {
					into = apiDraft.ID
				}
				a := h.lastAttachment(t, into)
				if a.ContentType != tt.ctype || a.Filename != tt.filename {
					t.Errorf("recorded %q as %s, want %q as %s", a.Filename, a.ContentType, tt.filename, tt.ctype)
				}
				resp, served := h.get(clerk, fmt.Sprintf("/s/xq/files/%d/%s", a.ID, url.PathEscape(a.Filename)))
				if resp.StatusCode != 200 {
					t.Fatalf("fetch: %d", resp.StatusCode)
				}
				if leaks := scrubtest.Leaks([]byte(served)); len(leaks) > 0 {
					t.Errorf("the served file still holds %q", leaks)
				}
				tt.opens(t, []byte(served))
				sum := sha256.Sum256([]byte(served))
				if hex.EncodeToString(sum[:]) != a.SHA256 || a.StorageKey != a.SHA256 || a.Size != int64(len(served)) {
					t.Errorf("recorded sha256 %s size %d; the served bytes have %x, %d", a.SHA256, a.Size, sum, len(served))
				}
				onDisk, err := os.ReadFile(filepath.Join(dir, "files", a.StorageKey[:2], a.StorageKey))
				if err != nil || !bytes.Equal(onDisk, []byte(served)) {
					t.Errorf("the data folder holds other bytes than were served (%v)", err)
				}
			})
		}

		// A photo sent with an anonymous objection is cleaned too.
		item := h.published[gongkai.AudiencePublic]
		resp, body := h.fbPost(h.client(""), "/s/xq/feedback", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(item.ID)},
			"subject": {"照片为证"}, "body": {"公示栏上的金额与网上不符。"}, "anonymous": {"1"}},
			map[string][]byte{"公示栏.jpg": scrubtest.JPEG(t)})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("objection with a photo: %d\n%s", resp.StatusCode, errorSummary(body))
		}

		// Nothing in the data folder, temporary files included, holds the
		// author, the company or the place, in any form a file keeps them.
		all := dataFiles(t, dir)
		if len(all) < 6 {
			t.Fatalf("the data folder holds %d files, want the uploads", len(all))
		}
		for p, b := range all {
			if leaks := scrubtest.Leaks(b); len(leaks) > 0 {
				t.Errorf("%s holds %q", filepath.Base(p), leaks)
			}
		}
	})
}

func opensXLSX(t *testing.T, b []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open the stored workbook: %v", err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Sheet1", "A1"); v != scrubtest.Body {
		t.Errorf("A1 = %q, want %q", v, scrubtest.Body)
	}
	if p, err := f.GetDocProps(); err != nil || p.Creator != "" || p.LastModifiedBy != "" {
		t.Errorf("doc props %+v %v", p, err)
	}
	if p, err := f.GetAppProps(); err != nil || p.Company != "" {
		t.Errorf("app props %+v %v", p, err)
	}
}

func opensDOCX(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the stored DOCX is no zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		r, err := f.Open()
		must(t, err)
		var doc bytes.Buffer
		_, err = doc.ReadFrom(r)
		r.Close()
		must(t, err)
		if !strings.Contains(doc.String(), scrubtest.Body) {
			t.Errorf("the document's text is lost")
		}
		return
	}
	t.Error("the stored DOCX has no word/document.xml")
}

func opensPDF(t *testing.T, b []byte) {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(b), scrub.PDFConfig())
	if err != nil {
		t.Fatalf("the stored PDF does not parse: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil || ctx.PageCount != 1 {
		t.Errorf("the stored PDF: %d pages, %v", ctx.PageCount, err)
	}
}

func opensImage(t *testing.T, b []byte) {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the stored image does not decode: %v", err)
	}
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 16 {
		t.Errorf("the stored image is %v", img.Bounds())
	}
}

// TestUploads_refused sends files that could run code in a reader's
// program through the form and the API: each is refused with a message that
// says why, and nothing is stored.
func TestUploads_refused(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		dir := h.useDataDir(t)
		clerk := h.client("xq.clerk")
		token := h.apiToken("xq.clerk")
		base := fmt.Sprintf("/s/xq/manage/d/%d", h.draft.ID)
		tests := []struct {
			name, filename string
			data           []byte
			msg            string
		}{
			{"macro workbook", "名单.xlsm", scrubtest.XLSM(t), scrub.MsgMacro},
			{"macro workbook renamed xlsx", "名单.xlsx", scrubtest.XLSM(t), scrub.MsgMacro},
			{"macro document renamed docx", "通知.docx", scrubtest.DOCM(t), scrub.MsgMacro},
			{"pdf with a javascript open action", "通知.pdf", scrubtest.PDF(scrubtest.OpenActionJS), scrub.MsgJavaScript},
			{"pdf launching a program", "通知.pdf", scrubtest.PDF(scrubtest.OpenLaunch), scrub.MsgJavaScript},
			{"word package named doc", "通知.doc", scrubtest.DOCX(t), gongkai.MsgContentNotName},
			{"program named doc", "通知.doc", append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 300)...), gongkai.MsgContentNotName},
			{"old word with macros", "通知.doc", scrubtest.OLE("WordDocument", "Macros"), scrub.MsgMacro},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := h.postMultipart(clerk, base+"/files", nil, upload{"file", tt.filename, tt.data})
				if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tt.filename+"："+tt.msg) {
					t.Errorf("form: %d\n%s", resp.StatusCode, errorSummary(body))
				}
				status, jbody := h.apiUploadFile(t, h.draft.ID, token, tt.filename, tt.data)
				var e struct {
					Error struct {
						Code    string
						Message string
						Fields  map[string]string
					}
				}
				if err := json.Unmarshal([]byte(jbody), &e); err != nil || status != http.StatusUnprocessableEntity ||
					e.Error.Code != gongkai.EINVALID || e.Error.Message != tt.msg || e.Error.Fields["file"] != tt.msg {
					t.Errorf("API: %d %s", status, jbody)
				}
			})
		}
		d, err := h.db.FindDisclosureByID(context.Background(), h.school.ID, h.draft.ID)
		must(t, err)
		if len(d.Attachments) != 0 {
			t.Errorf("refused files were recorded: %+v", d.Attachments)
		}
		if all := dataFiles(t, dir); len(all) != 0 {
			t.Errorf("refused files left %d files in the data folder", len(all))
		}

		// A new item with a macro workbook is not saved half: the form comes
		// back with the message and the title typed.
		form := url.Values{"title": {"宏文件测试"}, "body": {"正文"}, "catalogue_code": {""}, "audience": {"public"}}
		resp, body := h.postMultipart(clerk, "/s/xq/manage/new", form, upload{"file", "名单.xlsx", scrubtest.XLSM(t)})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, scrub.MsgMacro) || !strings.Contains(body, "宏文件测试") ||
			!strings.Contains(body, "上传时自动去掉文件中的作者、单位、拍摄地点等隐藏信息") {
			t.Errorf("new item with a macro workbook: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		if all := dataFiles(t, dir); len(all) != 0 {
			t.Errorf("a refused file left %d files in the data folder", len(all))
		}
	})
}

// TestAttachments_served checks the headers of every served file: the
// sandbox and nosniff always, the type the server found in the content,
// inline only for PDFs and images, and the cleaned name in both forms.
func TestAttachments_served(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		clerk := h.client("xq.clerk")
		d := h.newDraft(h.school, "附件头部测试")
		base := fmt.Sprintf("/s/xq/manage/d/%d", d.ID)
		for _, u := range []upload{
			{"file", "收费标准.pdf", scrubtest.PDF("")},
			{"file", "示意图.png", scrubtest.PNG(t)},
			{"file", "明细.xlsx", scrubtest.XLSX(t)},
			{"file", "通知.docx", scrubtest.DOCX(t)},
			// A page named as one: the content is a JPEG, and so is the name.
			// (Each file has content of its own: the same content is
			// attached to a draft once.)
			{"file", "page.html", scrubtest.JPEG(t)},
			// An executable's name that shows as a PDF's.
			{"file", "report\u202efdp.exe", scrubtest.PlainPDF("report", "Report")},
			{"file", "\u2067名单\u2069 2026.xlsx", rosterWorkbook(t)},
		} {
			if resp, body := h.postMultipart(clerk, base+"/files", nil, u); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("upload %s: %d\n%s", u.filename, resp.StatusCode, errorSummary(body))
			}
		}
		// A record whose type is not one the server serves, as a row written
		// by hand or an older version would hold.
		st, err := h.srv.blobs.Put(ctx, bytes.NewReader(smallGIF(t)), "x.gif", gongkai.MaxAttachmentBytes)
		must(t, err)
		must(t, h.db.SaveAttachmentScan(ctx, h.school.ID, st.SHA256, nil)) // not about the scan
		must(t, h.db.AddAttachment(ctx, h.school.ID, d.ID, h.actor("xq.clerk"),
			&gongkai.Attachment{Filename: "x.html", ContentType: "text/html", Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}))
		// A name recorded before names were cleaned at upload.
		st, err = h.srv.blobs.Put(ctx, bytes.NewReader(scrubtest.PlainPDF("old", "Old notice")), "y.pdf", gongkai.MaxAttachmentBytes)
		must(t, err)
		must(t, h.db.SaveAttachmentScan(ctx, h.school.ID, st.SHA256, nil)) // not about the scan
		must(t, h.db.AddAttachment(ctx, h.school.ID, d.ID, h.actor("xq.clerk"),
			&gongkai.Attachment{Filename: "旧\u202efdp.exe", ContentType: st.ContentType, Size: st.Size, SHA256: st.SHA256, StorageKey: st.Key}))
		for _, a := range []gongkai.Action{gongkai.ActionSubmit} {
			h.act(h.school, d.ID, "clerk", a, "")
		}
		h.act(h.school, d.ID, "principal", gongkai.ActionApprove, "")
		h.act(h.school, d.ID, "supervisor", gongkai.ActionCheck, "")
		h.act(h.school, d.ID, "clerk", gongkai.ActionPublish, "")
		d, err = h.db.FindDisclosureByID(ctx, h.school.ID, d.ID)
		must(t, err)
		if len(d.Attachments) != 9 {
			t.Fatalf("%d files, want 9", len(d.Attachments))
		}

		want := []struct{ name, ctype, disposition string }{
			{"收费标准.pdf", files.TypePDF, "inline"},
			{"示意图.png", files.TypePNG, "inline"},
			{"明细.xlsx", files.TypeXLSX, "attachment"},
			{"通知.docx", files.TypeDOCX, "attachment"},
			{"page.jpg", files.TypeJPEG, "inline"},
			{"reportfdp.pdf", files.TypePDF, "inline"},
			{"名单 2026.xlsx", files.TypeXLSX, "attachment"},
			{"x.bin", "application/octet-stream", "attachment"},
			{"旧fdp.pdf", files.TypePDF, "inline"},
		}
		anon := h.client("")
		_, page := h.get(anon, itemPath(h.school, d))
		for i, w := range want {
			a := d.Attachments[i]
			if i < 7 && a.Filename != w.name {
				t.Errorf("file %d recorded as %+q, want %+q", i, a.Filename, w.name)
			}
			resp, _ := h.get(anon, fmt.Sprintf("/s/xq/files/%d/x", a.ID))
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d", w.name, resp.StatusCode)
				continue
			}
			hd := resp.Header
			if csp := hd.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("%s: Content-Security-Policy %q", w.name, csp)
			}
			if v := hd.Get("X-Content-Type-Options"); v != "nosniff" {
				t.Errorf("%s: X-Content-Type-Options %q", w.name, v)
			}
			if ct := hd.Get("Content-Type"); ct != w.ctype {
				t.Errorf("%s: Content-Type %q, want %q", w.name, ct, w.ctype)
			}
			cd := hd.Get("Content-Disposition")
			if kind, _, _ := strings.Cut(cd, ";"); kind != w.disposition {
				t.Errorf("%s: Content-Disposition %q, want %s", w.name, cd, w.disposition)
			}
			if i != 7 && !strings.Contains(cd, "filename*=UTF-8''"+rfc5987(w.name)) {
				t.Errorf("%s: Content-Disposition %q lacks the RFC 5987 name", w.name, cd)
			}
			if strings.Contains(cd, "%E2%80%AE") || strings.Contains(cd, "%E2%81%A7") {
				t.Errorf("%s: Content-Disposition %q keeps a bidirectional control", w.name, cd)
			}
		}
		for _, bidi := range []string{"\u202e", "\u2067", "&#8238;", "fdp.exe"} {
			if strings.Contains(page, bidi) {
				t.Errorf("the item page shows %+q", bidi)
			}
		}
		if !strings.Contains(page, "旧fdp.pdf") || !strings.Contains(page, "reportfdp.pdf") {
			t.Errorf("the item page does not list the cleaned names")
		}
		_, js := h.get(anon, fmt.Sprintf("/api/v1/disclosures/%d", d.ID))
		if strings.Contains(js, "\\u202e") || strings.Contains(js, "\u202e") || !strings.Contains(js, "旧fdp.pdf") {
			t.Errorf("the API lists a name with a bidirectional control: %.300s", js)
		}
	})
}

// TestAttachments_caseFilesDownload: a file a citizen sent with a case is
// never shown inline, even a PDF, and is sandboxed like every file.
func TestAttachments_caseFilesDownload(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		item := h.published[gongkai.AudiencePublic]
		resp, body := h.fbPost(h.client(""), "/s/xq/feedback", url.Values{"kind": {"objection"}, "d": {fmt.Sprint(item.ID)},
			"subject": {"附件"}, "body": {"见附件。"}, "anonymous": {"1"}},
			map[string][]byte{"证据\u202efdp.exe": scrubtest.PDF("")})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("submit: %d\n%s", resp.StatusCode, errorSummary(body))
		}
		receipt, secret := fbCodes(t, body)
		f := h.fbCase(receipt, secret)
		a := f.Messages[0].Attachments[0]
		if a.Filename != "证据fdp.pdf" {
			t.Errorf("case file recorded as %+q", a.Filename)
		}
		var got *http.Response
		for _, who := range []string{"xq.principal", "xq.supervisor", "xq.leader"} {
			r, _ := h.get(h.client(who), fmt.Sprintf("/s/xq/cases/%d/files/%d/x", f.ID, a.ID))
			if r.StatusCode == 200 {
				got = r
				break
			}
		}
		if got == nil {
			t.Fatal("no member of staff could open the case's file")
		}
		if cd := got.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("Content-Disposition %q, want attachment", cd)
		}
		if csp := got.Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "sandbox;") {
			t.Errorf("Content-Security-Policy %q", csp)
		}
		if ct := got.Header.Get("Content-Type"); ct != files.TypePDF {
			t.Errorf("Content-Type %q", ct)
		}
	})
}

// rosterWorkbook is a small workbook of its own content.
func rosterWorkbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must(t, f.SetCellValue("Sheet1", "A1", "2026年获奖名单"))
	var b bytes.Buffer
	must(t, f.Write(&b))
	return b.Bytes()
}

// smallGIF is a two-pixel image unlike the other fixtures.
func smallGIF(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	must(t, gif.Encode(&b, image.NewPaletted(image.Rect(0, 0, 2, 1), color.Palette{color.White, color.Black}), nil))
	return b.Bytes()
}
