package scrub_test

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/xuri/excelize/v2"

	"gongkai"
	"gongkai/internal/scrub"
	"gongkai/internal/scrub/scrubtest"
)

func TestClean_removesMetadata(t *testing.T) {
	for _, tc := range []struct {
		name, ctype, filename string
		data                  []byte
		opens                 func(t *testing.T, b []byte)
	}{
		{"xlsx", scrub.TypeXLSX, "收费.xlsx", scrubtest.XLSX(t), opensXLSX},
		{"docx", scrub.TypeDOCX, "收费.docx", scrubtest.DOCX(t), opensDOCX},
		{"pdf", scrub.TypePDF, "收费.pdf", scrubtest.PDF(""), opensPDF},
		{"pdf with object streams", scrub.TypePDF, "收费.pdf", rewritePDF(t, scrubtest.PDF("")), opensPDF},
		{"jpeg", scrub.TypeJPEG, "现场.jpg", scrubtest.JPEG(t), opensImage},
		{"png", scrub.TypePNG, "现场.png", scrubtest.PNG(t), opensImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if leaks := scrubtest.Leaks(tc.data); len(leaks) == 0 {
				t.Fatal("the fixture carries no author: the test could not fail")
			}
			out, err := scrub.Clean(tc.data, tc.ctype, tc.filename)
			if err != nil {
				t.Fatalf("Clean: %v", err)
			}
			if leaks := scrubtest.Leaks(out); len(leaks) > 0 {
				t.Errorf("cleaned file still holds %q", leaks)
			}
			tc.opens(t, out)
			again, err := scrub.Clean(out, tc.ctype, tc.filename)
			if err != nil {
				t.Fatalf("Clean of a cleaned file: %v", err)
			}
			tc.opens(t, again)
		})
	}
}

func opensXLSX(t *testing.T, b []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("excelize cannot open the cleaned workbook: %v", err)
	}
	defer f.Close()
	if v, err := f.GetCellValue("Sheet1", "A1"); err != nil || v != scrubtest.Body {
		t.Errorf("A1 = %q, %v; want %q", v, err, scrubtest.Body)
	}
	if v, _ := f.GetCellValue("Sheet1", "B1"); v != "1234.5" {
		t.Errorf("B1 = %q, want 1234.5", v)
	}
	if p, err := f.GetDocProps(); err != nil || p.Creator != "" || p.LastModifiedBy != "" || p.Title != "" {
		t.Errorf("doc props = %+v, %v; want empty", p, err)
	}
	if p, err := f.GetAppProps(); err != nil || p.Company != "" {
		t.Errorf("app props = %+v, %v; want no company", p, err)
	}
	if c, err := f.GetComments("Sheet1"); err != nil || len(c) != 1 || c[0].Author != "" {
		t.Errorf("comments = %+v, %v; want one comment without author", c, err)
	}
}

func opensDOCX(t *testing.T, b []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("cleaned DOCX is no zip: %v", err)
	}
	var doc string
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		r, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		content, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if strings.HasSuffix(f.Name, ".xml") || strings.HasSuffix(f.Name, ".rels") {
			d := xml.NewDecoder(bytes.NewReader(content))
			for {
				if _, err := d.Token(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("%s is not well-formed XML: %v", f.Name, err)
				}
			}
		}
		if f.Name == "word/document.xml" {
			doc = string(content)
		}
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/comments.xml", "docProps/core.xml", "docProps/app.xml"} {
		if !names[n] {
			t.Errorf("part %s lost", n)
		}
	}
	if !strings.Contains(doc, scrubtest.Body) {
		t.Errorf("document text lost: %s", doc)
	}
}

// rewritePDF writes b again with pdfcpu, which puts most objects into
// compressed object streams and the cross-reference table into a stream.
func rewritePDF(t *testing.T, b []byte) []byte {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(b), scrub.PDFConfig())
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func opensPDF(t *testing.T, b []byte) {
	t.Helper()
	ctx, err := api.ReadContext(bytes.NewReader(b), scrub.PDFConfig())
	if err != nil {
		t.Fatalf("cleaned PDF does not parse: %v", err)
	}
	if err := api.ValidateContext(ctx); err != nil {
		t.Fatalf("cleaned PDF is not valid: %v", err)
	}
	if ctx.PageCount != 1 {
		t.Errorf("pages = %d, want 1", ctx.PageCount)
	}
	if ctx.Author != "" || ctx.Title != "" || ctx.Creator != "" {
		t.Errorf("info: author %q title %q creator %q; want none", ctx.Author, ctx.Title, ctx.Creator)
	}
	if _, ok := ctx.RootDict.Find("Metadata"); ok {
		t.Error("catalog still has /Metadata")
	}
	r, err := api.ExtractPage(ctx, 1)
	if err != nil {
		t.Fatalf("page content: %v", err)
	}
	content, _ := io.ReadAll(r)
	if !bytes.Contains(content, []byte("(Notice) Tj")) {
		t.Errorf("page content lost: %q", content)
	}
}

func opensImage(t *testing.T, b []byte) {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("cleaned image does not decode: %v", err)
	}
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 16 {
		t.Errorf("%s is %v, want 32×16", format, img.Bounds())
	}
}

func TestClean_jpegKeepsOrientationOnly(t *testing.T) {
	out, err := scrub.Clean(scrubtest.JPEG(t), scrub.TypeJPEG, "a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	segs := jpegSegments(t, out)
	var app1 [][]byte
	for _, s := range segs {
		switch s[1] {
		case 0xE1:
			app1 = append(app1, s)
		case 0xED, 0xFE:
			t.Errorf("segment %X kept", s[1])
		}
	}
	if len(app1) != 1 {
		t.Fatalf("APP1 segments = %d, want 1 (orientation only)", len(app1))
	}
	// MM, IFD0 at 8, one entry: 0x0112 SHORT 1 = 6, no next IFD.
	want := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	if !bytes.Equal(app1[0][4:], want) {
		t.Errorf("APP1 = %q, want %q", app1[0][4:], want)
	}

	// A photo without EXIF gets none.
	plain, err := scrub.Clean(out[:2], scrub.TypeJPEG, "a.jpg")
	if err == nil {
		t.Errorf("a JPEG of two bytes was accepted: %x", plain)
	}
}

// jpegSegments lists the marker segments before the first scan.
func jpegSegments(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for i := 2; i+4 <= len(b); {
		n := int(b[i+2])<<8 | int(b[i+3])
		out = append(out, b[i:i+2+n])
		if b[i+1] == 0xDA {
			break
		}
		i += 2 + n
	}
	return out
}

func TestClean_pngChunks(t *testing.T) {
	out, err := scrub.Clean(scrubtest.PNG(t), scrub.TypePNG, "a.png")
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for i := 8; i+8 <= len(out); {
		n := int(out[i])<<24 | int(out[i+1])<<16 | int(out[i+2])<<8 | int(out[i+3])
		types = append(types, string(out[i+4:i+8]))
		i += 12 + n
	}
	if got := strings.Join(types, " "); got != "IHDR IDAT IEND" {
		t.Errorf("chunks = %s, want IHDR IDAT IEND", got)
	}
}

func TestClean_refuses(t *testing.T) {
	annotJS := strings.Replace(string(scrubtest.PDF("")), "/Resources", "/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A << /S /JavaScript /JS (app.alert\\(1\\)) >> >>] /Resources", 1)
	jsInObjectStream := func() []byte {
		// pdfcpu writes objects into compressed object streams: the action
		// is no longer visible in the file's bytes.
		b := rewritePDF(t, []byte(annotJS))
		if bytes.Contains(b, []byte("JavaScript")) {
			t.Fatal("the rewritten PDF still shows the action in plain bytes")
		}
		return b
	}
	for _, tc := range []struct {
		name, ctype, filename string
		data                  []byte
		msg                   string
	}{
		{"xlsm", scrub.TypeXLSX, "宏.xlsm", scrubtest.XLSM(t), scrub.MsgMacro},
		{"xlsm named xlsx", scrub.TypeXLSX, "名单.xlsx", scrubtest.XLSM(t), scrub.MsgMacro},
		{"xlsx with a VBA part", scrub.TypeXLSX, "名单.xlsx", scrubtest.XLSXWithVBAOnly(t), scrub.MsgMacro},
		{"plain xlsx named xlsm", scrub.TypeXLSX, "名单.XLSM", scrubtest.XLSX(t), scrub.MsgMacro},
		{"docm named docx", scrub.TypeDOCX, "通知.docx", scrubtest.DOCM(t), scrub.MsgMacro},
		{"pdf open action javascript", scrub.TypePDF, "a.pdf", scrubtest.PDF(scrubtest.OpenActionJS), scrub.MsgJavaScript},
		{"pdf javascript name tree", scrub.TypePDF, "a.pdf", scrubtest.PDF(scrubtest.NamesJS), scrub.MsgJavaScript},
		{"pdf additional action launch", scrub.TypePDF, "a.pdf", scrubtest.PDF(scrubtest.AALaunch), scrub.MsgJavaScript},
		{"pdf open action launch", scrub.TypePDF, "a.pdf", scrubtest.PDF(scrubtest.OpenLaunch), scrub.MsgJavaScript},
		{"pdf javascript in an object stream", scrub.TypePDF, "a.pdf", jsInObjectStream(), scrub.MsgJavaScript},
		{"pdf damaged", scrub.TypePDF, "a.pdf", []byte("%PDF-1.7\nnothing here"), scrub.MsgPDFBroken},
		{"zip damaged", scrub.TypeDOCX, "a.docx", []byte("PK\x03\x04 not a zip"), scrub.MsgZipBroken},
		{"jpeg truncated", scrub.TypeJPEG, "a.jpg", scrubtest.JPEG(t)[:300], scrub.MsgJPEGBroken},
		{"png truncated", scrub.TypePNG, "a.png", scrubtest.PNG(t)[:60], scrub.MsgPNGBroken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := scrub.Clean(tc.data, tc.ctype, tc.filename)
			var e *gongkai.Error
			if !errors.As(err, &e) || e.Code != gongkai.EINVALID {
				t.Fatalf("Clean = %d bytes, %v; want EINVALID", len(out), err)
			}
			if e.Message != tc.msg || e.Fields["file"] != tc.msg {
				t.Errorf("message = %q, fields %v; want %q", e.Message, e.Fields, tc.msg)
			}
		})
	}
	t.Run("pdf link annotation javascript", func(t *testing.T) {
		b := []byte(annotJS)
		// The xref offsets moved; pdfcpu repairs them as readers do.
		if _, err := scrub.Clean(b, scrub.TypePDF, "a.pdf"); gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("Clean = %v, want EINVALID", err)
		}
	})
}

func TestClean_otherKindsAsTheyAre(t *testing.T) {
	gif := []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")
	out, err := scrub.Clean(gif, "image/gif", "a.gif")
	if err != nil || !bytes.Equal(out, gif) {
		t.Errorf("Clean(gif) = %q, %v; want it unchanged", out, err)
	}
}

func TestClean_pdfWithoutMetadataKept(t *testing.T) {
	// A PDF without information, XMP or private data is kept byte for byte
	// (an electronic seal over it stays valid); one saved again keeps its
	// earlier revision's information in its bytes, so it is written again.
	bare := []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	if out, err := scrub.Clean(bare, scrub.TypePDF, "a.pdf"); err != nil || !bytes.Equal(out, bare) {
		t.Errorf("a PDF without metadata changed: %q %v", out, err)
	}
	updated := append(append([]byte{}, scrubtest.PDF("")...), "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n7 0 obj<<>>endobj\nstartxref\n0\n%%EOF\n"...)
	out, err := scrub.Clean(updated, scrub.TypePDF, "a.pdf")
	if err != nil {
		t.Fatal(err)
	}
	if leaks := scrubtest.Leaks(out); len(leaks) > 0 {
		t.Errorf("a PDF saved again keeps %q", leaks)
	}
}

// TestClean_pdfClaimingManyObjects: a damaged PDF whose xref repair claims
// hundreds of millions of objects is refused at once instead of keeping
// the server busy.
func TestClean_pdfClaimingManyObjects(t *testing.T) {
	b := []byte(strings.Replace(string(scrubtest.PDF("")), "1 0 obj", "18FDC655980B2 0 obj", 1))
	done := make(chan error, 1)
	go func() {
		_, err := scrub.Clean(b, scrub.TypePDF, "a.pdf")
		done <- err
	}()
	select {
	case err := <-done:
		if gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Errorf("Clean = %v, want EINVALID", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Clean still runs after 5 s")
	}
}

// TestClean_zipBomb: a part that unpacks to more than Clean reads is
// refused as too large, by its header, without unpacking it.
func TestClean_zipBomb(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	w, _ = zw.Create("word/document.xml")
	zeros := make([]byte, 1<<20)
	for j := 0; j < 50; j++ {
		w.Write(zeros)
	}
	must(t, zw.Close())
	_, err := scrub.Clean(buf.Bytes(), scrub.TypeDOCX, "a.docx")
	var e *gongkai.Error
	if !errors.As(err, &e) || e.Message != scrub.MsgZipLarge {
		t.Errorf("Clean of %d bytes unpacking to 50 MB: %v, want %q", buf.Len(), err, scrub.MsgZipLarge)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
