package scrub_test

import (
	"bytes"
	"image"
	"sync"
	"testing"

	"gongkai"
	"gongkai/internal/scrub"
	"gongkai/internal/scrub/scrubtest"
)

// FuzzCleanImage: whatever the bytes, Clean of a JPEG or PNG returns a
// refusal or an image that holds no more than it was given, and never
// panics.
func FuzzCleanImage(f *testing.F) {
	f.Add(scrubtest.JPEG(f), true)
	f.Add(scrubtest.PNG(f), false)
	f.Fuzz(func(t *testing.T, data []byte, isJPEG bool) {
		ctype := scrub.TypePNG
		if isJPEG {
			ctype = scrub.TypeJPEG
		}
		out, err := scrub.Clean(data, ctype, "x")
		if err != nil {
			if gongkai.ErrorCode(err) != gongkai.EINVALID {
				t.Fatalf("error %v is no refusal", err)
			}
			return
		}
		if len(out) > len(data)+64 {
			t.Fatalf("cleaned %d bytes into %d", len(data), len(out))
		}
	})
}

// FuzzCleanPDF: a damaged PDF is refused, never a panic or a 500.
func FuzzCleanPDF(f *testing.F) {
	f.Add(scrubtest.PDF(""))
	f.Add(scrubtest.PDF(scrubtest.OpenActionJS))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := scrub.Clean(data, scrub.TypePDF, "x.pdf"); err != nil && gongkai.ErrorCode(err) != gongkai.EINVALID {
			t.Fatalf("error %v is no refusal", err)
		}
	})
}

// TestClean_concurrent runs every kind at once, for the race detector:
// uploads arrive together.
func TestClean_concurrent(t *testing.T) {
	inputs := map[string][]byte{scrub.TypePDF: scrubtest.PDF(""), scrub.TypeXLSX: scrubtest.XLSX(t), scrub.TypeJPEG: scrubtest.JPEG(t), scrub.TypePNG: scrubtest.PNG(t)}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		for ctype, data := range inputs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := scrub.Clean(data, ctype, "x")
				if err != nil || len(scrubtest.Leaks(out)) > 0 {
					t.Errorf("%s: %v %q", ctype, err, scrubtest.Leaks(out))
				}
				if ctype == scrub.TypeJPEG {
					if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
						t.Error(err)
					}
				}
			}()
		}
	}
	wg.Wait()
}
