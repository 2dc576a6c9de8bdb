// Package extract reads the text of attachments (XLSX cells, DOCX
// paragraphs and tables, PDF pages) so that personal data in them is
// caught before an item is published. Every reader is bounded: a file
// too large, too deeply compressed or unreadable gives a notice that a
// person must check it, never an exhausted memory.
package extract

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"strings"

	"gongkai"
)

// Limits on what is read of one file.
const (
	MaxFileBytes     = 32 << 20  // the file itself
	MaxUnzippedBytes = 128 << 20 // the sum of an Office file's parts, uncompressed
	MaxRatio         = 200       // uncompressed / compressed of any large part
	MaxCells         = 500_000   // cells of a workbook
	MaxPages         = 1000      // pages of a PDF
	MaxTextBytes     = 8 << 20   // text of a PDF
	MaxFindings      = 200       // findings kept of one file
)

// Kinds of file the scan reads; others (images) carry no text to read.
const (
	typeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	typeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	typePDF  = "application/pdf"
)

// Scan reads a file and returns the personal data in it, with places
// relative to the file (工作表“Sheet1” C5, 第 3 段, 第 2 页); pass them
// through gongkai.InAttachment to name the file. A file that cannot be
// read gives one gongkai.PIIUnchecked finding with the reason. allowed are
// the school's own published mobile numbers.
func Scan(r io.ReaderAt, size int64, contentType, filename string, allowed map[string]bool) []gongkai.Finding {
	kind := kindOf(contentType, filename)
	if kind == "" {
		return nil
	}
	if size > MaxFileBytes {
		return []gongkai.Finding{gongkai.Unchecked("", fmt.Sprintf("文件超过 %d MB", MaxFileBytes>>20))}
	}
	var fs []gongkai.Finding
	switch kind {
	case typeOLE:
		// Word and Excel 97–2003, WPS's .wps and .et: neither their text
		// nor their hidden properties are read here, so a person checks.
		return []gongkai.Finding{gongkai.Unchecked("", MsgOldOffice)}
	case typeXLSX:
		fs = scanXLSX(r, size, allowed)
	case typeDOCX:
		fs = scanDOCX(r, size, allowed)
	case typePDF:
		fs = scanPDF(r, size, allowed)
	}
	if len(fs) > MaxFindings {
		// A whole roster of addresses: the first places are enough to
		// stop it; the file must be replaced in any case.
		fs = fs[:MaxFindings]
	}
	return fs
}

// MsgOldOffice says why an old Office or WPS file is held for a person: its
// text is not searched for personal data, and its hidden properties
// (author, company) stay in it, as no program here rewrites the format.
const MsgOldOffice = "旧版 Word/Excel 或 WPS 文件，无法检查其中的个人信息，也无法去除作者等隐藏信息；建议另存为 DOCX/XLSX 或 PDF 后上传"

// typeOLE is the kind of the compound files, which are not read.
const typeOLE = "ole"

// Readable reports whether Scan reads files of this type (or, for an old
// Office file, says that it cannot).
func Readable(contentType, filename string) bool { return kindOf(contentType, filename) != "" }

func kindOf(contentType, filename string) string {
	switch contentType {
	case typeXLSX, typeDOCX, typePDF:
		return contentType
	case "application/msword", "application/vnd.ms-excel":
		return typeOLE
	}
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		return typeXLSX
	case ".docx":
		return typeDOCX
	case ".pdf":
		return typePDF
	}
	return ""
}

// openZip opens an Office file, refusing one that would unpack to far more
// than its size (a zip bomb) or past MaxUnzippedBytes.
func openZip(r io.ReaderAt, size int64) (*zip.Reader, *gongkai.Finding) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		f := gongkai.Unchecked("", "文件无法打开，可能已损坏或已加密")
		return nil, &f
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if zf.UncompressedSize64 > 1<<20 && zf.UncompressedSize64 > MaxRatio*(zf.CompressedSize64+1) {
			f := gongkai.Unchecked("", "压缩比异常")
			return nil, &f
		}
	}
	if total > MaxUnzippedBytes {
		f := gongkai.Unchecked("", fmt.Sprintf("文件解压后超过 %d MB", MaxUnzippedBytes>>20))
		return nil, &f
	}
	return zr, nil
}

// readAll reads a whole ReaderAt of the given size, for libraries that
// want the bytes.
func readAll(r io.ReaderAt, size int64) ([]byte, error) {
	buf := make([]byte, size)
	n, err := r.ReadAt(buf, 0)
	if err != nil && err != io.EOF {
		return nil, err
	}
	return buf[:n], nil
}
