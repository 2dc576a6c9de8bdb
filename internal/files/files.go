// Package files keeps attachment bytes, content-addressed by SHA-256, on the
// local disk under the data directory or in an S3-compatible bucket.
package files

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/richardlehane/mscfb"

	"gongkai"
	"gongkai/internal/scrub"
)

// Store keeps attachment bytes under their SHA-256. Disk and S3 implement it.
type Store interface {
	// Put reads at most max bytes from r, checks the type by content,
	// removes hidden metadata (author, company, GPS: scrub.Clean), and
	// stores the cleaned bytes under their hash; the bytes as uploaded are
	// never written. It returns ETOOLARGE for a file over max and EINVALID
	// for an empty file, a type not allowed, a damaged file or one that
	// could run code (a macro, PDF JavaScript); each leaves nothing behind.
	Put(ctx context.Context, r io.Reader, filename string, max int64) (*Stored, error)
	// Open returns the bytes stored under key, or ENOTFOUND.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes the bytes stored under key for good; a key that holds
	// nothing is not an error. The caller makes sure nothing uses the key.
	Delete(ctx context.Context, key string) error
}

// Open returns the store that spec names: "" or "file:" for the local disk
// under dataDir, or s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET?secure=false&region=…
// for a bucket of an S3-compatible service, created when missing.
func Open(ctx context.Context, spec, dataDir string) (Store, error) {
	switch {
	case spec == "" || spec == "file:":
		return NewDisk(dataDir)
	case strings.HasPrefix(spec, "s3://"):
		return NewS3(ctx, spec)
	}
	return nil, fmt.Errorf("files: unknown store %q: want file: or s3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET", Redact(spec))
}

// Redact returns spec with the secret key hidden, for logs and messages. It
// does not parse spec, so a secret with an unescaped "/" is hidden too.
func Redact(spec string) string {
	at := strings.LastIndex(spec, "@")
	if at < 0 {
		return spec
	}
	start := 0
	if i := strings.Index(spec[:at], "://"); i >= 0 {
		start = i + 3
	}
	user, _, hasSecret := strings.Cut(spec[start:at], ":")
	if !hasSecret {
		return spec
	}
	return spec[:start] + user + ":xxxxx" + spec[at:]
}

// Stored describes a file after it was written.
type Stored struct {
	Key         string // storage key: the hex SHA-256
	SHA256      string
	Size        int64
	ContentType string
}

// Disk stores files under a root directory.
type Disk struct{ root string }

// NewDisk returns a store rooted at dir, creating it.
func NewDisk(dir string) (*Disk, error) {
	dir = filepath.Join(dir, "files")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("files: create %s: %w", dir, err)
	}
	return &Disk{root: dir}, nil
}

// String names the store for the log.
func (d *Disk) String() string { return "file:" + d.root }

// Put reads at most max bytes from r, checks the type by content, removes
// hidden metadata and stores the cleaned bytes under their hash. Files over
// max, of a type not allowed, damaged or able to run code are refused with
// ETOOLARGE or EINVALID and leave nothing behind.
func (d *Disk) Put(ctx context.Context, r io.Reader, filename string, max int64) (*Stored, error) {
	// The temporary file sits next to its destination, so the rename is atomic.
	tmp, st, err := spool(d.root, r, filename, max)
	if err != nil {
		return nil, err
	}
	// Once renamed there is nothing left to remove; after a failure, that
	// failure is the error to report.
	defer func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }()
	dst := d.path(st.Key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return nil, fmt.Errorf("files: store %s: %w", st.Key, err)
	}
	// The rename is durable only once its directory is synced; without it a
	// power cut could keep the database row and lose the file.
	if dir, err := os.Open(filepath.Dir(dst)); err == nil {
		err = dir.Sync()
		_ = dir.Close() // read-only: nothing to flush
		if err != nil {
			return nil, fmt.Errorf("files: sync %s: %w", filepath.Dir(dst), err)
		}
	}
	return st, nil
}

// Open returns the stored bytes of key.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if !validKey(key) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	return f, err
}

// Delete overwrites the file with zeros before it removes it, so that what
// a redaction purges is not left in the file's blocks for anyone who reads
// the disk (as far as the file system writes in place: a copy-on-write or
// journalled-data file system, or an SSD's wear levelling, may keep old
// blocks, which only encrypting the disk rules out).
func (d *Disk) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return nil
	}
	p := d.path(key)
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("files: delete %s: %w", key, err)
	}
	info, err := f.Stat()
	if err == nil {
		zeros := make([]byte, 64<<10)
		for left := info.Size(); left > 0 && err == nil; left -= int64(len(zeros)) {
			_, err = f.Write(zeros[:min(left, int64(len(zeros)))])
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("files: overwrite %s: %w", key, err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("files: delete %s: %w", key, err)
	}
	// Best effort: a file that a power cut brings back is an orphan that no
	// row points to, not a leak.
	if dir, err := os.Open(filepath.Dir(p)); err == nil {
		_ = dir.Sync()
		_ = dir.Close()
	}
	return nil
}

func (d *Disk) path(key string) string { return filepath.Join(d.root, key[:2], key) }

// validKey reports whether key is a hex SHA-256, the only keys Put makes; it
// keeps path tricks away from the disk and the bucket.
func validKey(key string) bool {
	return len(key) == 64 && strings.Trim(key, "0123456789abcdef") == ""
}

// spool reads at most max bytes of r into memory, checks size and type,
// removes the file's hidden metadata (scrub.Clean), and writes the cleaned
// bytes, hashed, into a new temporary file in dir. The bytes as uploaded are
// never written anywhere: a crash leaves at most a cleaned temporary file.
// On success the caller closes and removes the file; on error nothing is
// left behind.
func spool(dir string, r io.Reader, filename string, max int64) (_ *os.File, _ *Stored, err error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("files: read upload: %w", err)
	}
	n := int64(len(data))
	if n > max {
		return nil, nil, &gongkai.Error{Code: gongkai.ETOOLARGE, Message: fmt.Sprintf("文件超过 %d MB 上限。", max>>20), Fields: map[string]string{"file": fmt.Sprintf("文件超过 %d MB 上限。", max>>20)}}
	}
	if n == 0 {
		return nil, nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "文件是空的。", Fields: map[string]string{"file": "文件是空的。"}}
	}
	ctype, err := Sniff(bytes.NewReader(data), n, filename)
	if err != nil {
		return nil, nil, err
	}
	if !gongkai.NameFitsContent(filename, ctype) {
		return nil, nil, &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.MsgContentNotName, Fields: map[string]string{"file": gongkai.MsgContentNotName}}
	}
	clean, err := scrub.Clean(data, ctype, filename)
	if err != nil {
		return nil, nil, err
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return nil, nil, fmt.Errorf("files: temp file: %w", err)
	}
	if _, err := tmp.Write(clean); err != nil {
		_ = tmp.Close() // the write error is the one to report
		_ = os.Remove(tmp.Name())
		return nil, nil, fmt.Errorf("files: write upload: %w", err)
	}
	sum := sha256.Sum256(clean)
	key := hex.EncodeToString(sum[:])
	return tmp, &Stored{Key: key, SHA256: key, Size: int64(len(clean)), ContentType: ctype}, nil
}

// Allowed content types and their names for messages.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWEBP = "image/webp"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	// Word 97–2003 and WPS 文字 (.doc, .wps), Excel 97–2003 and WPS 表格
	// (.xls, .et): OLE compound files, told apart by their main stream.
	TypeDOC = "application/msword"
	TypeXLS = "application/vnd.ms-excel"
)

// oleMagic opens every OLE compound file.
var oleMagic = []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")

// sniffOLE decides a compound file by its streams: WordDocument is a Word
// document, which WPS 文字 writes too in its .wps files; Workbook (Book in
// Excel 5) a workbook, which WPS 表格 writes in its .et files. One with a
// macro project (Word's Macros, Excel's _VBA_PROJECT_CUR) is refused.
func sniffOLE(r io.ReaderAt) (string, error) {
	doc, err := mscfb.New(r)
	if err != nil {
		return "", nil
	}
	ctype := ""
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "Macros", "_VBA_PROJECT_CUR", "VBA":
			return "", &gongkai.Error{Code: gongkai.EINVALID, Message: scrub.MsgMacro, Fields: map[string]string{"file": scrub.MsgMacro}}
		case "WordDocument":
			ctype = TypeDOC
		case "Workbook", "Book":
			ctype = TypeXLS
		}
	}
	return ctype, nil
}

// Sniff decides the type of a file by its bytes, never by its name or the
// type the browser claims: PDF, PNG, JPEG, GIF, WebP, XLSX/DOCX (zip
// packages whose parts say which they are) and DOC/XLS (compound files,
// also WPS's .wps and .et). The name only chooses the message of a refusal:
// a file named as a kind we take says that its content does not match.
func Sniff(r io.ReaderAt, size int64, filename string) (string, error) {
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch ct := http.DetectContentType(head); {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF, nil
	case ct == TypePNG, ct == TypeJPEG, ct == TypeGIF, ct == TypeWEBP:
		return ct, nil
	case bytes.HasPrefix(head, oleMagic):
		ctype, err := sniffOLE(r)
		if err != nil || ctype != "" {
			return ctype, err
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(r, size)
		if err != nil {
			break
		}
		var types, xl, word bool
		for _, f := range zr.File {
			switch {
			case f.Name == "[Content_Types].xml":
				types = true
			case strings.HasPrefix(f.Name, "xl/"):
				xl = true
			case strings.HasPrefix(f.Name, "word/"):
				word = true
			}
		}
		if types && xl {
			return TypeXLSX, nil
		}
		if types && word {
			return TypeDOCX, nil
		}
	}
	if gongkai.AttachmentExt(filename) {
		// Named as a kind of file we take, but it is not one.
		return "", &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.MsgContentNotName, Fields: map[string]string{"file": gongkai.MsgContentNotName}}
	}
	return "", &gongkai.Error{Code: gongkai.EINVALID, Message: gongkai.MsgAttachmentTypes, Fields: map[string]string{"file": gongkai.MsgAttachmentTypes}}
}
