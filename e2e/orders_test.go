package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/scrub/scrubtest"
)

// TestOrders_answerWithPhotoOnPhone: a principal answers the bureau's
// order on a 390×844 phone with a photo of the rectified notice board; the
// bureau's administrator, at a desk, finds the photo under the answer and
// opens it without the hidden position the phone wrote into it.
func TestOrders_answerWithPhotoOnPhone(t *testing.T) {
	srv := startServer(t, "sqlite")
	admin := pagesClient(t, srv.URL, "bureau.admin")
	m := findOnPage(t, admin, srv.URL, "/bureau/orders?state=issued", `/s/([a-z0-9-]+)/orders/(\d+)`)
	slug, page := m[0], "/s/"+m[0]+"/orders/"+m[1]
	photo := filepath.Join(t.TempDir(), "公示栏整改后.jpg")
	jpeg := scrubtest.JPEG(t)
	if len(scrubtest.Leaks(jpeg)) == 0 {
		t.Fatal("the photo carries nothing to scrub: the test could not fail")
	}
	if err := os.WriteFile(photo, jpeg, 0o644); err != nil {
		t.Fatal(err)
	}

	phone := browser(t, 390, 844)
	login(t, phone, srv.URL, slug+".principal")
	do(t, phone, "fill the answer",
		chromedp.Navigate(srv.URL+page),
		chromedp.WaitVisible(css("#o-answer")),
		chromedp.SendKeys(css("#o-answer"), "已整改：公示栏已更新，见所附照片。"),
		chromedp.SetUploadFiles(css("#o-files"), []string{photo}),
	)
	screenshot(t, phone, "1-answer-form")
	do(t, phone, "answer",
		chromedp.Click(css(`#step-answer button[type=submit]`)),
		chromedp.WaitVisible(css(".flash")),
	)
	if got := text(t, phone, ".order-files"); !strings.Contains(got, "公示栏整改后.jpg") {
		t.Fatalf("the answer lists %q, want the photo", got)
	}
	screenshot(t, phone, "2-answered")

	desk := browser(t, 1280, 800)
	login(t, desk, srv.URL, "bureau.admin")
	do(t, desk, "open the order",
		chromedp.Navigate(srv.URL+page),
		chromedp.WaitVisible(css(".order-files a")),
	)
	attr, err := chromedp.Run(desk, chromedp.AttributeValue(css(".order-files a"), "href"))
	if err != nil || !attr.Exists {
		t.Fatalf("the link to the photo: %v", err)
	}
	href := attr.Value
	screenshot(t, desk, "3-bureau")
	res, err := admin.Get(srv.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if leaks := scrubtest.Leaks(served); len(leaks) > 0 {
		t.Errorf("the served photo still holds %q", leaks)
	}
	if res, err := pagesClient(t, srv.URL, slug+".clerk").Get(srv.URL + href); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("the clerk fetches the photo: %v %v, want 404", res.StatusCode, err)
	}
}
