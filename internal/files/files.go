// Package files keeps attachment bytes, content-addressed by SHA-256, on the
// local disk under the data directory.
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

	"gongkai"
)

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

// Put reads at most max bytes from r, checks the type by content, and stores
// the bytes under their hash. Files over max or of a type not allowed are
// refused with ETOOLARGE or EINVALID and leave nothing behind.
func (d *Disk) Put(ctx context.Context, r io.Reader, filename string, max int64) (*Stored, error) {
	tmp, err := os.CreateTemp(d.root, ".upload-*")
	if err != nil {
		return nil, fmt.Errorf("files: temp file: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("files: write upload: %w", err)
	}
	if n > max {
		return nil, &gongkai.Error{Code: gongkai.ETOOLARGE, Message: fmt.Sprintf("文件超过 %d MB 上限。", max>>20), Fields: map[string]string{"file": fmt.Sprintf("文件超过 %d MB 上限。", max>>20)}}
	}
	if n == 0 {
		return nil, &gongkai.Error{Code: gongkai.EINVALID, Message: "文件是空的。", Fields: map[string]string{"file": "文件是空的。"}}
	}
	ctype, err := Sniff(tmp, n, filename)
	if err != nil {
		return nil, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	dst := d.path(sum)
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
		return nil, fmt.Errorf("files: store %s: %w", sum, err)
	}
	return &Stored{Key: sum, SHA256: sum, Size: n, ContentType: ctype}, nil
}

// Open returns the stored bytes of key.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if len(key) != 64 || strings.Trim(key, "0123456789abcdef") != "" {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	f, err := os.Open(d.path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, gongkai.Errorf(gongkai.ENOTFOUND, "文件不存在。")
	}
	return f, err
}

func (d *Disk) path(key string) string { return filepath.Join(d.root, key[:2], key) }

// Allowed content types and their names for messages.
const (
	TypePDF  = "application/pdf"
	TypePNG  = "image/png"
	TypeJPEG = "image/jpeg"
	TypeGIF  = "image/gif"
	TypeWEBP = "image/webp"
	TypeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	TypeDOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// Sniff decides the type of a file by its bytes, never by its name or the
// type the browser claims: PDF, PNG, JPEG, GIF, WebP, and XLSX/DOCX (zip
// packages whose parts say which they are).
func Sniff(r io.ReaderAt, size int64, filename string) (string, error) {
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch ct := http.DetectContentType(head); {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF, nil
	case ct == TypePNG, ct == TypeJPEG, ct == TypeGIF, ct == TypeWEBP:
		return ct, nil
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
	return "", &gongkai.Error{Code: gongkai.EINVALID, Message: "只能上传 PDF、图片（PNG/JPG/GIF/WebP）、Excel（XLSX）或 Word（DOCX）文件。",
		Fields: map[string]string{"file": "只能上传 PDF、图片（PNG/JPG/GIF/WebP）、Excel（XLSX）或 Word（DOCX）文件。"}}
}
