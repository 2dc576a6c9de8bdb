// Package scrubtest builds uploads that carry an author, a company and a
// place, as Office, PDF and camera programs write them, and finds those words
// again in whatever form a file keeps them. Tests of scrub and of the upload
// handlers share it, so no binary fixture is committed.
package scrubtest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The words a fixture hides in its metadata; none of them may survive.
const (
	Author  = "ZhangMingyuan"
	Company = "明远教育咨询有限公司"
	// GPS is the latitude reference an EXIF GPS block holds, as a marker.
	GPS = "GPSMarker"
)

// Secrets are the words a cleaned file must not contain.
var Secrets = []string{Author, Company, GPS}

// Body is the visible text of every document fixture; it must survive.
const Body = "学校收费公示"

// XLSX returns a workbook whose properties, custom properties and comment
// name the author and the company.
func XLSX(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must(tb, f.SetCellValue("Sheet1", "A1", Body))
	must(tb, f.SetCellValue("Sheet1", "B1", 1234.5))
	must(tb, f.SetDocProps(&excelize.DocProperties{Creator: Author, LastModifiedBy: Author, Title: "收费 " + Author,
		Description: Company, Subject: Author, Keywords: Author, Category: Company}))
	must(tb, f.SetAppProps(&excelize.AppProperties{Application: "Microsoft Excel", Company: Company, AppVersion: "16.0300"}))
	must(tb, f.SetCustomProps(excelize.CustomProperty{Name: "Owner", Value: Author}))
	must(tb, f.AddComment("Sheet1", excelize.Comment{Cell: "A1", Author: Author, Text: "请核对"}))
	buf, err := f.WriteToBuffer()
	must(tb, err)
	return buf.Bytes()
}

// XLSM returns a macro-enabled workbook (a VBA project, the macro content
// type); named .xlsx it is the renamed macro workbook.
func XLSM(tb testing.TB) []byte {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must(tb, f.SetCellValue("Sheet1", "A1", Body))
	// An OLE compound file header; Excel would run what follows.
	must(tb, f.AddVBAProject(append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, "Sub AutoOpen()"...)))
	f.Path = "macro.xlsm" // the content type follows the extension
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	must(tb, err)
	return buf.Bytes()
}

// XLSXWithVBAOnly is a workbook that declares the ordinary content type but
// carries a VBA project part, as a hand-edited package could.
func XLSXWithVBAOnly(tb testing.TB) []byte {
	tb.Helper()
	return addPart(tb, XLSX(tb), "xl/vbaProject.bin", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1Sub AutoOpen()")
}

func addPart(tb testing.TB, pkg []byte, name, content string) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	must(tb, err)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		must(tb, err)
		r, err := f.Open()
		must(tb, err)
		_, err = io.Copy(w, r)
		must(tb, err)
	}
	w, err := zw.Create(name)
	must(tb, err)
	_, err = w.Write([]byte(content))
	must(tb, err)
	must(tb, zw.Close())
	return out.Bytes()
}

// DOCX returns a Word document whose properties, comment and tracked
// change name the author and the company. Its parts are stored without
// compression, so a plain search of the bytes finds the author.
func DOCX(tb testing.TB) []byte { return docx(tb, false) }

// DOCM returns a macro-enabled Word document (the .docm content type and a
// VBA project).
func DOCM(tb testing.TB) []byte { return docx(tb, true) }

func docx(tb testing.TB, macro bool) []byte {
	tb.Helper()
	main := "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
	if macro {
		main = "application/vnd.ms-word.document.macroEnabled.main+xml"
	}
	parts := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="` + main + `"/><Override PartName="/word/comments.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/><Override PartName="/docProps/custom.xml" ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/></Relationships>`},
		{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>`},
		{"word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:commentRangeStart w:id="0"/><w:r><w:t>` + Body + `</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:ins w:id="1" w:author="` + Author + `" w:date="2026-03-01T08:00:00Z"><w:r><w:t>（修订）</w:t></w:r></w:ins></w:p></w:body></w:document>`},
		{"word/comments.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="0" w:author="` + Author + `" w:date="2026-03-01T08:00:00Z" w:initials="ZM"><w:p><w:r><w:t>请核对金额</w:t></w:r></w:p></w:comment></w:comments>`},
		{"docProps/core.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>收费公示</dc:title><dc:creator>` + Author + `</dc:creator><cp:lastModifiedBy>` + Author + `</cp:lastModifiedBy><dcterms:created xsi:type="dcterms:W3CDTF">2026-03-01T08:00:00Z</dcterms:created></cp:coreProperties>`},
		{"docProps/app.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Template>Normal.dotm</Template><Pages>1</Pages><Application>Microsoft Office Word</Application><Manager>` + Author + `</Manager><Company>` + Company + `</Company><AppVersion>16.0000</AppVersion></Properties>`},
		{"docProps/custom.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner"><vt:lpwstr>` + Author + `</vt:lpwstr></property></Properties>`},
	}
	if macro {
		parts = append(parts, [2]string{"word/vbaProject.bin", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1Sub AutoOpen()"})
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: zip.Store})
		must(tb, err)
		_, err = w.Write([]byte(p[1]))
		must(tb, err)
	}
	must(tb, zw.Close())
	return out.Bytes()
}

// PDF returns a one-page PDF ("Notice") whose document information and XMP
// metadata name the author and the company. extra is added to the catalog,
// e.g. an /OpenAction.
func PDF(extra string) []byte {
	xmp := `<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>` + Author + `</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>`
	content := "BT /F1 24 Tf 20 100 Td (Notice) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Metadata 5 0 R " + extra + " >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 6 0 R >> >> /PieceInfo << /App << /Private (" + Author + ") >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		fmt.Sprintf("<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream", len(xmp), xmp),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Author (" + Author + ") /Creator (Writer " + Author + ") /Producer (" + Author + " PDF) /Title (" + Author + ") /Company <" + utf16Hex(Company) + "> >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// PDF catalog entries that run code when the file opens or is used.
const (
	OpenActionJS = "/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"
	NamesJS      = "/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (app.alert\\(1\\)) >>] >> >>"
	AALaunch     = "/AA << /WC << /S /Launch /F (cmd.exe) >> >>"
	OpenLaunch   = "/OpenAction << /S /Launch /F (calc.exe) >>"
)

func utf16Hex(s string) string {
	var b strings.Builder
	b.WriteString("FEFF")
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r) // the test words are in the BMP
	}
	return b.String()
}

// JPEG returns a 32×16 photo with EXIF (orientation 6, the artist, a GPS
// position), XMP, IPTC (APP13) and a comment naming the author.
func JPEG(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	must(tb, jpeg.Encode(&buf, testImage(), &jpeg.Options{Quality: 90}))
	plain := buf.Bytes()
	var segs []byte
	segs = append(segs, segment(0xE1, append([]byte("Exif\x00\x00"), exifTIFF()...))...)
	segs = append(segs, segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><dc:creator>"+Author+"</dc:creator></x:xmpmeta>"))...)
	segs = append(segs, segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10\x1c\x02\x50\x00\x0d"+Author))...)
	segs = append(segs, segment(0xFE, []byte("Taken by "+Author))...)
	out := append([]byte{}, plain[:2]...)
	out = append(out, segs...)
	return append(out, plain[2:]...)
}

func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(s[2:], uint16(len(payload)+2))
	return append(s, payload...)
}

// exifTIFF is a little-endian TIFF block: IFD0 with Orientation 6, Artist
// and a GPS IFD pointer; the GPS IFD with a latitude and its reference.
func exifTIFF() []byte {
	le := binary.LittleEndian
	t := make([]byte, 0, 160)
	t = append(t, 'I', 'I', 42, 0, 8, 0, 0, 0)
	entry := func(tag, typ uint16, count, value uint32) {
		t = le.AppendUint16(t, tag)
		t = le.AppendUint16(t, typ)
		t = le.AppendUint32(t, count)
		t = le.AppendUint32(t, value)
	}
	artist := Author + "\x00"
	const ifd0 = 8
	artistAt := ifd0 + 2 + 3*12 + 4
	gpsAt := artistAt + len(artist)
	if gpsAt%2 == 1 {
		gpsAt++
	}
	ref := GPS + "\x00"
	refAt := gpsAt + 2 + 2*12 + 4
	latAt := refAt + len(ref)
	t = le.AppendUint16(t, 3)
	entry(0x0112, 3, 1, 6)
	entry(0x013B, 2, uint32(len(artist)), uint32(artistAt))
	entry(0x8825, 4, 1, uint32(gpsAt))
	t = le.AppendUint32(t, 0)
	t = append(t, artist...)
	for len(t) < gpsAt {
		t = append(t, 0)
	}
	t = le.AppendUint16(t, 2)
	entry(0x0001, 2, uint32(len(ref)), uint32(refAt))
	entry(0x0002, 5, 3, uint32(latAt))
	t = le.AppendUint32(t, 0)
	t = append(t, ref...)
	for _, v := range []uint32{30, 1, 15, 1, 0, 1} {
		t = le.AppendUint32(t, v)
	}
	return t
}

// PNG returns a 32×16 image with tEXt, zTXt, iTXt (XMP), tIME and eXIf
// chunks naming the author and a place.
func PNG(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	must(tb, png.Encode(&buf, testImage()))
	plain := buf.Bytes()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, err := zw.Write([]byte("Scanned by " + Author))
	must(tb, err)
	must(tb, zw.Close())
	extra := chunk("tEXt", []byte("Author\x00"+Author))
	extra = append(extra, chunk("zTXt", append([]byte("Comment\x00\x00"), z.Bytes()...))...)
	extra = append(extra, chunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00<x:xmpmeta>"+Author+" "+Company+"</x:xmpmeta>"))...)
	extra = append(extra, chunk("tIME", []byte{0x07, 0xEA, 3, 1, 8, 0, 0})...)
	extra = append(extra, chunk("eXIf", exifTIFF())...)
	// After the signature (8) and IHDR (25 bytes).
	out := append([]byte{}, plain[:33]...)
	out = append(out, extra...)
	return append(out, plain[33:]...)
}

func chunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

func testImage() image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 32, 16))
	for x := 0; x < 32; x++ {
		for y := 0; y < 16; y++ {
			img.Set(x, y, color.RGBA{uint8(8 * x), uint8(16 * y), 128, 255})
		}
	}
	return img
}

// Leaks returns the secrets that data still holds: in its bytes, in the
// parts of a zip package, in zlib streams anywhere in it (PDF object and
// content streams, PNG zTXt), as UTF-16 (PDF strings).
func Leaks(data []byte) []string {
	texts := [][]byte{data}
	if zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data))); err == nil {
		for _, f := range zr.File {
			if r, err := f.Open(); err == nil {
				b, _ := io.ReadAll(r)
				r.Close()
				texts = append(texts, b)
			}
		}
	}
	// Every zlib stream: PDF FlateDecode streams start with 0x78.
	for i := 0; i+2 < len(data); i++ {
		if data[i] == 0x78 && (data[i+1] == 0x9C || data[i+1] == 0xDA || data[i+1] == 0x01 || data[i+1] == 0x5E) {
			if r, err := zlib.NewReader(bytes.NewReader(data[i:])); err == nil {
				b, _ := io.ReadAll(io.LimitReader(r, 64<<20))
				if len(b) > 0 {
					texts = append(texts, b)
				}
			}
		}
	}
	var found []string
	for _, s := range Secrets {
		var u16 []byte
		for _, r := range s {
			u16 = append(u16, byte(r>>8), byte(r))
		}
		forms := [][]byte{[]byte(s), u16, []byte(utf16Hex(s)[4:]), []byte(strings.ToLower(utf16Hex(s)[4:]))}
		for _, t := range texts {
			hit := false
			for _, f := range forms {
				if bytes.Contains(t, f) {
					hit = true
				}
			}
			if hit {
				found = append(found, s)
				break
			}
		}
	}
	return found
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// TextPDF returns a valid one-page PDF without metadata whose content
// stream carries text as written (in a comment line, so any UTF-8 stays
// byte for byte in the file): for tests that look for it in stored files.
func TextPDF(text string) []byte { return PlainPDF(text, "Roster") }

// PlainPDF returns a valid one-page PDF without metadata that shows the
// ASCII text shown, which the personal-data scan reads (a PDF without text
// cannot be checked), and carries note in a comment line of its page, byte
// for byte; a note also makes files of the same text differ.
func PlainPDF(note, shown string) []byte {
	content := "BT /F1 12 Tf 20 100 Td (" + shown + ") Tj ET"
	if note != "" {
		content = "% " + strings.ReplaceAll(note, "\n", " ") + "\n" + content
	}
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}
