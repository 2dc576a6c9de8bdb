package gongkai

import (
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFilenameRunes bounds the name an attachment is kept under.
const MaxFilenameRunes = 100

// attachmentExts are the extensions a file of each allowed type may carry;
// the first is the one given to a name that has none of them.
var attachmentExts = map[string][]string{
	"application/pdf": {".pdf"},
	"image/png":       {".png"},
	"image/jpeg":      {".jpg", ".jpeg", ".jpe", ".jfif"},
	"image/gif":       {".gif"},
	"image/webp":      {".webp"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {".xlsx"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {".docx"},
	"application/msword":       {".doc", ".wps"}, // WPS 文字 writes Word's format
	"application/vnd.ms-excel": {".xls", ".et"},  // WPS 表格 writes Excel's
}

// Messages of refused attachments, shared by every way of uploading.
const (
	MsgAttachmentTypes = "只能上传 PDF、图片（PNG/JPG/GIF/WebP）、Word（DOCX/DOC）、Excel（XLSX/XLS）或 WPS（WPS/ET）文件。"
	MsgContentNotName  = "文件的内容与文件名不符（扩展名所说的文件类型与文件实际内容不一致），为保护读者，不能上传。请用原程序重新保存后再上传。"
)

// AttachmentExt reports whether name ends in the extension of a kind of
// file attachments may be.
func AttachmentExt(name string) bool { return extType(name) != "" }

// extType is the content type whose extension name ends in, or "".
func extType(name string) string {
	ext := strings.ToLower(path.Ext(strings.TrimRight(name, " .")))
	for ct, exts := range attachmentExts {
		if slices.Contains(exts, ext) {
			return ct
		}
	}
	return ""
}

// NameFitsContent reports whether a file's name agrees with its content
// type, decided from its bytes: a name without an attachment's extension
// agrees with anything (CleanFilename gives it the right one), and an image
// with any image's extension (phones and chat programs often save a JPEG
// as .png); otherwise the extension must be one of the content's — a .doc
// that is a zip package or a program is refused, not renamed.
func NameFitsContent(name, contentType string) bool {
	ct := extType(name)
	if ct == "" || ct == contentType {
		return true
	}
	return strings.HasPrefix(ct, "image/") && strings.HasPrefix(contentType, "image/")
}

// CleanFilename returns the name an uploaded file is kept and offered under:
// the last part of the path the browser sent (either slash), valid UTF-8
// without control characters, without invisible format characters — the
// bidirectional overrides and isolates that make "report\u202efdp.exe" show
// as "reportexe.pdf", zero-width characters, byte-order marks — and without
// the characters Windows refuses in names; other spaces become one plain
// space, and leading and trailing dots and spaces go. Chinese is kept.
// When contentType is the type the server found in the file, the name ends
// in an extension of that type: a wrong one is replaced, a missing one
// added, so the name cannot promise another kind of file. An empty name
// becomes 附件. At most MaxFilenameRunes runes, extension kept.
func CleanFilename(name, contentType string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r), unicode.Is(unicode.Co, r),
			r == '\u2028', r == '\u2029', r == utf8.RuneError, isNoncharacter(r):
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r):
			space = true
			continue
		case strings.ContainsRune(`<>:"|?*`, r):
			r = '_'
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	name = b.String()

	base, ext := name, ""
	if e := path.Ext(name); plausibleExt(e) {
		base, ext = name[:len(name)-len(e)], strings.ToLower(e)
	}
	base = strings.Trim(base, " .")
	if base == "" {
		base = "附件"
	}
	if exts, ok := attachmentExts[contentType]; ok && !slices.Contains(exts, ext) {
		// "report.pdf.exe" of a PDF is "report.pdf", not "report.pdf.pdf".
		if e := strings.ToLower(path.Ext(base)); slices.Contains(exts, e) {
			base, ext = base[:len(base)-len(e)], e
		} else {
			ext = exts[0]
		}
	} else if ext != "" {
		ext = name[len(name)-len(ext):] // the extension as written: 报表.XLSX stays
	}
	if n := MaxFilenameRunes - utf8.RuneCountInString(ext); utf8.RuneCountInString(base) > n {
		base = strings.TrimRight(string([]rune(base)[:n]), " .")
	}
	return base + ext
}

// plausibleExt reports whether e (".xlsx") looks like a file extension: one
// to five ASCII letters or digits after the dot.
func plausibleExt(e string) bool {
	if len(e) < 2 || len(e) > 6 {
		return false
	}
	for _, c := range e[1:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isNoncharacter reports the 66 code points Unicode keeps out of text.
func isNoncharacter(r rune) bool {
	return r >= 0xFDD0 && r <= 0xFDEF || r&0xFFFE == 0xFFFE
}
