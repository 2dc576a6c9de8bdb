package scrub

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// pdfcpu (Apache-2.0) reads and writes PDF objects, object streams, xref
// streams and encryption. A correct rewrite of a PDF needs all of those, and
// the standard library has none.

var pdfConfigOnce sync.Once

// PDFConfig returns a pdfcpu configuration that reads and writes nothing
// outside memory. Without it pdfcpu installs a configuration directory with
// fonts under the user's home at first use; every package of gongkai that
// uses pdfcpu should take its configuration from here.
func PDFConfig() *model.Configuration {
	pdfConfigOnce.Do(func() { model.ConfigPath = "disable" })
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	return conf
}

// pdfActions are action types (the /S of an action dictionary) that run
// code or a program in the reader's viewer.
var pdfActions = map[string]bool{"JavaScript": true, "Launch": true, "RichMediaExecute": true}

// pdfReadTimeout bounds the time pdfcpu may take to read one upload.
const pdfReadTimeout = 30 * time.Second

// maxPDFObjects is the count of object numbers any PDF may claim; beyond it
// the file must hold at least a quarter of the objects it claims.
const maxPDFObjects = 1 << 20

// maxPDFDecode bounds a stream Clean decompresses to look into (XFA forms).
const maxPDFDecode = 16 << 20

// cleanPDF refuses a PDF with JavaScript or launch actions anywhere, and
// otherwise writes it again without its document information (author,
// creator, producer, title…), XMP metadata streams, private application data
// (PieceInfo) and an owner-password encryption that would keep it unread.
func cleanPDF(data []byte) (out []byte, err error) {
	defer func() {
		// pdfcpu may panic on a damaged file; it is the uploader's file
		// that is broken, not the server.
		if r := recover(); r != nil {
			out, err = nil, refuse(MsgPDFBroken)
		}
	}()
	rctx, cancel := context.WithTimeout(context.Background(), pdfReadTimeout)
	defer cancel()
	ctx, err := pdfcpu.ReadWithContext(rctx, bytes.NewReader(data), PDFConfig())
	if err != nil {
		return nil, refuse(MsgPDFBroken)
	}
	xt := ctx.XRefTable
	// pdfcpu walks every object number up to Size when it writes; a file
	// that claims hundreds of millions of objects and holds a few would
	// keep a server busy for minutes. Real files number their objects
	// densely.
	if xt.Size == nil || *xt.Size > maxPDFObjects && *xt.Size > 4*len(xt.Table) {
		return nil, refuse(MsgPDFBroken)
	}
	// Objects inside object streams are decoded when first used; all are
	// looked at here, so decode them all.
	for _, e := range xt.Table {
		if e == nil {
			continue
		}
		if l, ok := e.Object.(types.LazyObjectStreamObject); ok {
			o, err := l.DecodedObject(context.Background())
			if err != nil {
				return nil, refuse(MsgPDFBroken)
			}
			e.Object = o
		}
	}
	if err := pdfFindCode(ctx); err != nil {
		return nil, err
	}
	// A PDF with nothing to remove is kept byte for byte: rewriting it would
	// gain nothing and would break an electronic seal. One that was saved
	// again (more than one startxref) may keep an old information dictionary
	// in its earlier revision, so it is always written again.
	dirty := xt.Encrypt != nil || bytes.Count(data, []byte("startxref")) > 1
	for nr, e := range xt.Table {
		if e == nil || e.Free || e.Object == nil || nr == 0 {
			continue
		}
		if sd, ok := e.Object.(types.StreamDict); ok {
			if t := sd.Type(); t != nil && *t == "Metadata" {
				e.Object = types.NewDict()
				dirty = true
				continue
			}
		}
		if pdfStrip(e.Object, 0) {
			dirty = true
		}
	}
	if xt.Info != nil {
		// The information dictionary is emptied where it is; pdfcpu writes
		// only its own name and the dates of this rewrite into it.
		if e, ok := xt.Find(int(xt.Info.ObjectNumber)); ok && e != nil {
			if d, isDict := e.Object.(types.Dict); !isDict || len(d) > 0 {
				dirty = true
			}
			e.Object = types.NewDict()
		}
	}
	if !dirty {
		return data, nil
	}
	// A file that opens without a password may still be encrypted to stop
	// copying; it is written in the clear, as readers saw it anyway.
	xt.Encrypt, xt.EncKey = nil, nil
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, refuse(MsgPDFBroken)
	}
	return buf.Bytes(), nil
}

// pdfStrip removes the Metadata and PieceInfo entries of a dictionary and
// of the dictionaries written inside it, and reports whether it found any.
func pdfStrip(o types.Object, depth int) bool {
	if depth > 64 {
		return false
	}
	found := false
	switch v := o.(type) {
	case types.Dict:
		for _, k := range []string{"Metadata", "PieceInfo"} {
			if _, ok := v.Find(k); ok {
				v.Delete(k)
				found = true
			}
		}
		for _, x := range v {
			found = pdfStrip(x, depth+1) || found
		}
	case types.StreamDict:
		return pdfStrip(v.Dict, depth)
	case types.Array:
		for _, x := range v {
			found = pdfStrip(x, depth+1) || found
		}
	}
	return found
}

// pdfFindCode returns the refusal of a PDF that holds JavaScript (a /JS
// entry, a JavaScript name tree, an action of type JavaScript), a Launch or
// RichMediaExecute action, or an XFA form with scripts. Every object is
// looked at, not only those reached from /OpenAction or /AA, so an action
// hidden in an annotation, a form field or a page is found too.
func pdfFindCode(ctx *model.Context) error {
	for _, e := range ctx.XRefTable.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		if pdfHasCode(ctx, e.Object, 0) {
			return refuse(MsgJavaScript)
		}
	}
	return nil
}

func pdfHasCode(ctx *model.Context, o types.Object, depth int) bool {
	if depth > 64 {
		return true // nesting no producer writes: refuse rather than miss
	}
	switch v := o.(type) {
	case types.StreamDict:
		return pdfHasCode(ctx, v.Dict, depth)
	case types.Array:
		for _, x := range v {
			if pdfHasCode(ctx, x, depth+1) {
				return true
			}
		}
	case types.Dict:
		if _, ok := v.Find("JS"); ok {
			return true
		}
		if _, ok := v.Find("JavaScript"); ok {
			return true
		}
		if s := v.NameEntry("S"); s != nil && pdfActions[*s] {
			return true
		}
		if xfa, ok := v.Find("XFA"); ok && pdfXFAScript(ctx, xfa) {
			return true
		}
		for _, x := range v {
			if pdfHasCode(ctx, x, depth+1) {
				return true
			}
		}
	}
	return false
}

// pdfXFAScript reports whether an XFA form (one stream, or an array of
// names and streams) holds a script element.
func pdfXFAScript(ctx *model.Context, o types.Object) bool {
	o, err := ctx.Dereference(o)
	if err != nil {
		return true
	}
	switch v := o.(type) {
	case types.Array:
		for _, x := range v {
			if _, isName := x.(types.Name); !isName && pdfXFAScript(ctx, x) {
				return true
			}
		}
	case types.StreamDict:
		if err := v.DecodeWithLimit(maxPDFDecode); err != nil {
			return true // cannot look inside: refuse rather than miss
		}
		return bytes.Contains(bytes.ToLower(v.Content), []byte("<script"))
	}
	return false
}
