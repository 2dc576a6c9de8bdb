package e2e

import (
	"bytes"
	be "encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/testdb"
)

// TestFlow_postingOnTheBoard: the clerk records on the item's staff page
// that the paper was posted on the bulletin board, with a phone photo that
// carries its GPS position; a parent on a 390×844 phone sees the posting
// on the public page, with the photo, and the photo holds no EXIF.
func TestFlow_postingOnTheBoard(t *testing.T) {
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) {
			srv := startServer(t, dialect)
			id, _ := revisableItem(t, srv.URL)
			review := fmt.Sprintf("%s/s/xiangqian/manage/d/%d", srv.URL, id)
			itemURL := fmt.Sprintf("%s/s/xiangqian/d/%d", srv.URL, id)
			const place = "实验楼二楼东侧公开栏"
			photo := phonePhoto(t)

			desk := browser(t, 1280, 800)
			login(t, desk, srv.URL, "xiangqian.clerk")
			do(t, desk, "fill the posting form",
				chromedp.Navigate(review+"#posting"),
				chromedp.WaitVisible(css("#p-place")),
				chromedp.SetValue(css("#p-channel"), "board"),
				chromedp.SendKeys(css("#p-place"), place),
				chromedp.SetUploadFiles(css("#p-photo"), []string{photo}),
			)
			by, err := chromedp.Run(desk, chromedp.Value(css("#p-by")))
			if err != nil || by == "" {
				t.Fatalf("the form does not name the clerk: %q, %v", by, err)
			}
			screenshot(t, desk, "1-posting-form-1280")
			do(t, desk, "record", chromedp.Click(css(`#posting button[type=submit]`)), chromedp.WaitVisible(css(".flash")))
			if s := text(t, desk, ".trail-log"); !strings.Contains(s, "张贴于公开栏") || !strings.Contains(s, place) {
				t.Fatalf("the staff trail lacks the posting: %q", s)
			}
			screenshot(t, desk, "2-manage-trail-1280")

			phone := browser(t, 390, 844)
			do(t, phone, "open the item", chromedp.Navigate(itemURL), chromedp.WaitVisible(css(".doc-postings")))
			page := text(t, phone, "main")
			if want := "张贴于公开栏 · " + place + " · " + by; !strings.Contains(page, want) {
				t.Errorf("the public page lacks %q: %q", want, page)
			}
			if s := text(t, phone, ".doc-postings"); !strings.Contains(s, "已张贴") {
				t.Errorf("the channels do not show the board as posted: %q", s)
			}
			do(t, phone, "scroll to the postings", chromedp.ScrollIntoView(css(".doc-postings")))
			screenshot(t, phone, "3-public-posting-390")
			checkNoHorizontalScroll(t, phone, "item with a posting")
			checkAccessibility(t, phone, "item with a posting")

			src, err := chromedp.Run(phone, chromedp.Evaluate[string](`document.querySelector(".posting-photo img").getAttribute("src")`))
			if err != nil || src == "" {
				t.Fatalf("no photo on the public page: %v", err)
			}
			loaded, err := chromedp.Run(phone, chromedp.Evaluate[bool](`document.querySelector(".posting-photo img").naturalWidth > 0`))
			if err != nil || !loaded {
				t.Errorf("the photo does not load in the page: %v", err)
			}
			resp, err := http.Get(srv.URL + src)
			if err != nil {
				t.Fatal(err)
			}
			img, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || bytes.Contains(img, []byte("Exif")) || bytes.Contains(img, []byte("GPS")) {
				t.Errorf("the photo as served: %d, %d bytes, EXIF %v", resp.StatusCode, len(img), bytes.Contains(img, []byte("Exif")))
			}

			staffPhone := browser(t, 390, 844)
			login(t, staffPhone, srv.URL, "xiangqian.clerk")
			do(t, staffPhone, "open the staff page", chromedp.Navigate(review+"#posting"), chromedp.WaitVisible(css("#posting")))
			screenshot(t, staffPhone, "4-manage-390")
			checkNoHorizontalScroll(t, staffPhone, "staff page with the posting form")
		})
	}
}

// phonePhoto writes a JPEG as a phone takes it, with an EXIF segment that
// holds a GPS position, and returns its path.
func phonePhoto(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			c := color.RGBA{235, 230, 214, 255} // paper
			if x < 12 || x > 307 || y < 12 || y > 227 {
				c = color.RGBA{29, 63, 114, 255} // the board's frame
			}
			if y > 40 && y < 52 && x > 60 && x < 260 || y > 80 && y%16 < 4 && x > 40 && x < 280 {
				c = color.RGBA{40, 40, 40, 255} // lines of text
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00GPS 31.2304N 121.4737E")
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	data := append(append(append([]byte{}, buf.Bytes()[:2]...), append(seg, payload...)...), buf.Bytes()[2:]...)
	path := filepath.Join(t.TempDir(), "IMG_2031.jpg")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
