// Package notice makes the PDF of the printed notice of a published item:
// the A4 sheet a school posts on its 公开栏, with a QR code that opens the
// item's record online and the record's hash beside it.
//
// It uses codeberg.org/go-pdf/fpdf (v0.12.0), the maintained fork of gofpdf:
// pure Go, no dependencies, and it embeds a subset of a TrueType font, so a
// notice carries the few hundred Chinese characters it uses (about 100 KB)
// rather than the whole font. The standard library writes no PDF. fpdf
// reads TrueType (glyf) fonts only, not OpenType/CFF nor collections
// (.ttc), which is why the default font is Debian's fonts-droid-fallback
// (DroidSansFallbackFull.ttf) rather than Noto CJK.
package notice

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"gongkai/internal/markdown"
)

// DefaultFont is where Debian's fonts-droid-fallback puts its TrueType
// font with the Chinese characters.
const DefaultFont = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"

// ErrNoFont is returned when no usable Chinese font is configured.
var ErrNoFont = errors.New("notice: no Chinese TrueType font")

// Notice is what the printed notice says, every text already in the
// reader's language. The PDF and the HTML print view are made from the
// same facts.
type Notice struct {
	School  string      // the school's full name, the header
	Heading string      // 校务公开 · the catalogue item
	Meta    [][2]string // label and value: 索引号, 文号, 发布机构, 公开日期
	Title   string
	Trail   string // 经领导小组审议 · 校长签发 · 监督小组审核 · 2026-03-03 发布
	Signers string // 签发人：… · 审核人：…
	// Notice stands instead of the body and the files when set: the item
	// was withdrawn, or its roster was taken down.
	Notice     string
	Body       string   // Markdown
	FilesLabel string   // 附件
	Files      []string // file names
	Period     string   // 公示期：2026-03-03 至 2026-03-09; empty without one
	Objection  string   // 如有异议，请于 2026年3月9日前通过以下方式反映：
	Ways       []string // online address, the item's contact, the school's phone
	QR         string   // the address the QR code opens (the verify page)
	QRLabel    string   // 扫码核验
	Record     []string // 存证 #12 · SHA-256 and the hash, or 尚未存证
	Lang       string   // zh-CN or en
}

// Maker makes notices with one font, and keeps the last ones it made: the
// same notice (the same item version, record and reader's language) is
// made once. It is safe for concurrent use.
type Maker struct {
	path string
	md   *markdown.Renderer

	once sync.Once
	font []byte
	err  error

	mu    sync.Mutex
	cache map[[32]byte][]byte
	order [][32]byte // oldest first
}

// maxCached bounds the notices kept (about 100 KB each).
const maxCached = 64

// NewMaker returns a maker with the TrueType font at path; the font is read
// when the first notice is made.
func NewMaker(path string) *Maker {
	return &Maker{path: path, md: markdown.New(), cache: map[[32]byte][]byte{}}
}

// Ready reports whether notices can be made, reading the font the first
// time: ErrNoFont (wrapped) when there is none.
func (m *Maker) Ready() error {
	m.once.Do(func() {
		if m.path == "" {
			m.err = ErrNoFont
			return
		}
		b, err := os.ReadFile(m.path)
		if err != nil {
			m.err = fmt.Errorf("%w: %v", ErrNoFont, err)
			return
		}
		if err := checkTrueType(b); err != nil {
			m.err = fmt.Errorf("%w: %s: %v", ErrNoFont, m.path, err)
			return
		}
		m.font = b
	})
	return m.err
}

// PDF returns the PDF of n.
func (m *Maker) PDF(n *Notice) ([]byte, error) {
	if err := m.Ready(); err != nil {
		return nil, err
	}
	key, err := keyOf(n)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	b, ok := m.cache[key]
	m.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err = render(n, m.md.Blocks(n.Body), m.font)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.cache[key]; !ok {
		if len(m.order) >= maxCached {
			delete(m.cache, m.order[0])
			m.order = m.order[1:]
		}
		m.cache[key] = b
		m.order = append(m.order, key)
	}
	return b, nil
}

// keyOf is the hash of everything a notice shows: two requests for the
// same text get the same PDF, and any change (a revision, a withdrawal, a
// new record) makes a new one.
func keyOf(n *Notice) ([32]byte, error) {
	b, err := json.Marshal(n)
	if err != nil {
		return [32]byte{}, fmt.Errorf("notice: key: %w", err)
	}
	return sha256.Sum256(b), nil
}

// checkTrueType refuses what fpdf cannot read, before it fails on it
// later: a collection (.ttc) or an OpenType font with CFF outlines.
func checkTrueType(b []byte) error {
	if len(b) < 12 {
		return errors.New("not a font file")
	}
	switch string(b[:4]) {
	case "\x00\x01\x00\x00", "true":
		return nil
	case "ttcf":
		return errors.New("a font collection (.ttc); a single TrueType font (.ttf) is needed")
	case "OTTO":
		return errors.New("an OpenType font with CFF outlines; a TrueType font (.ttf) is needed")
	}
	return errors.New("not a TrueType font")
}
