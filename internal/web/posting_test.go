package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"gongkai"
	"gongkai/internal/store"
)

// matrixPostings keeps, per harness, the published item whose postings the
// authorisation matrix calls.
var matrixPostings sync.Map

// matrixPostingValues fills the path of the posting routes: the public
// item with a posting that has a photo; the void route gets a fresh posting
// on every call, so each caller finds one to void.
func (h *harness) matrixPostingValues(t *testing.T, pattern string) map[string]string {
	t.Helper()
	if !strings.Contains(pattern, "/postings") {
		return nil
	}
	d := h.published[gongkai.AudiencePublic]
	v, ok := matrixPostings.Load(h)
	if ok && !strings.HasSuffix(pattern, "/void") {
		return map[string]string{"id": strconv.FormatInt(d.ID, 10), "posting": v.(string)}
	}
	p := &gongkai.Posting{Channel: gongkai.ChannelBoard, Date: h.db.Now(), Place: "教学楼一楼公开栏", By: "王老师", PhotoType: "image/jpeg"}
	clean, _ := postingPhoto(t, "")
	st, err := h.srv.blobs.Put(context.Background(), bytes.NewReader(clean), "photo.jpg", gongkai.MaxPhotoBytes)
	must(t, err)
	p.PhotoKey, p.PhotoSize = st.Key, st.Size
	must(t, h.db.RecordPosting(context.Background(), h.school.ID, d.ID, h.actor("xq.clerk"), p))
	id := strconv.FormatInt(p.ID, 10)
	if !ok {
		matrixPostings.Store(h, id)
	}
	return map[string]string{"id": strconv.FormatInt(d.ID, 10), "posting": id}
}

// postingPhoto is a JPEG as a phone writes it, with an EXIF segment that
// names the GPS position and the camera's serial number, plus text that
// marks it; it returns the plain JPEG and the one with EXIF.
func postingPhoto(t *testing.T, mark string) (plain, withEXIF []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{200, 30, 30, 255})
		}
	}
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, img, nil))
	plain = buf.Bytes()
	payload := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00GPS 31.2304N 121.4737E SN-0042 " + mark)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	withEXIF = append(append(append([]byte{}, plain[:2]...), append(seg, payload...)...), plain[2:]...)
	return plain, withEXIF
}

// postPosting sends the recording form with an optional photo.
func (h *harness) postPosting(c *http.Client, d *gongkai.Disclosure, fields map[string]string, photo []byte, photoName string) (*http.Response, string) {
	h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		must(h.t, mw.WriteField(k, v))
	}
	if photo != nil {
		fw, err := mw.CreateFormFile("photo", photoName)
		must(h.t, err)
		_, err = fw.Write(photo)
		must(h.t, err)
	}
	must(h.t, mw.Close())
	return h.do(c, http.MethodPost, fmt.Sprintf("/s/%s/manage/d/%d/postings", h.school.Slug, d.ID), mw.FormDataContentType(), &body, nil)
}

func TestPostings_recordAndShow(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.published[gongkai.AudiencePublic]
		clerk := h.client("xq.clerk")
		today := h.db.Now().In(gongkai.Beijing).Format("2006-01-02")
		_, photo := postingPhoto(t, "MARK-7")
		form := map[string]string{"channel": "board", "date": today, "place": "教学楼一楼公开栏", "by": "王老师"}

		// The staff page offers the form with the clerk's name.
		_, page := h.get(clerk, reviewURL(h.school, d.ID))
		if !strings.Contains(page, "记录张贴或通报") || !strings.Contains(page, `value="`+h.users["xq.clerk"].DisplayName+`"`) {
			t.Fatal("the staff page of a published item has no posting form with the clerk's name")
		}

		resp, body := h.postPosting(clerk, d, form, photo, "IMG_0042.jpg")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("record: %d %s", resp.StatusCode, body)
		}
		_, pub := h.get(h.client(""), fmt.Sprintf("/s/%s/d/%d", h.school.Slug, d.ID))
		line := "张贴于公开栏 · <span lang=\"zh-CN\">教学楼一楼公开栏 · 王老师</span> · <time datetime=\"" + today + "\">" + today + "</time>"
		if !strings.Contains(pub, line) {
			t.Errorf("the public page lacks the posting line %q", line)
		}
		if !strings.Contains(pub, "已张贴 "+today) {
			t.Errorf("the public page does not show the board as posted")
		}
		_, staff := h.get(clerk, reviewURL(h.school, d.ID))
		if !strings.Contains(staff, "event-posting") || !strings.Contains(staff, "作废此记录") {
			t.Errorf("the staff trail lacks the posting and its void form")
		}

		// The photo is served, without its EXIF.
		ps, err := h.db.FindPostings(context.Background(), h.school.ID, d.ID)
		if err != nil || len(ps) != 1 || !ps[0].HasPhoto() {
			t.Fatalf("postings = %+v, %v", ps, err)
		}
		photoURL := postingPhotoURL(h.school, ps[0])
		if !strings.Contains(pub, photoURL) {
			t.Errorf("the public page does not show the photo %s", photoURL)
		}
		resp, img := h.get(h.client(""), photoURL)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, s := range []string{"Exif", "GPS", "31.2304N", "SN-0042", "MARK-7"} {
			if strings.Contains(img, s) {
				t.Errorf("the served photo still holds %q", s)
			}
		}
		if _, err := jpeg.Decode(strings.NewReader(img)); err != nil {
			t.Errorf("the served photo is not a JPEG: %v", err)
		}

		// The API lists it, with the photo's address for a public item.
		resp, js := h.get(h.client(""), fmt.Sprintf("/api/v1/disclosures/%d", d.ID))
		var got struct {
			Postings []struct {
				Channel, Date, Place, By string
				PhotoURL                 string `json:"photo_url"`
			} `json:"postings"`
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(js), &got) != nil || len(got.Postings) != 1 {
			t.Fatalf("API: %d %s", resp.StatusCode, js)
		}
		if p := got.Postings[0]; p.Channel != "board" || p.Place != "教学楼一楼公开栏" || p.By != "王老师" || p.PhotoURL != photoURL || p.Date != today {
			t.Errorf("API posting %+v", p)
		}

		// The bureau's dashboard counts the item as posted on paper: one of
		// the four items the school published.
		_, dash := h.get(h.client("bureau.admin"), "/bureau/")
		if !strings.Contains(dash, `data-label="纸质张贴">1/4 (25%)</td>`) {
			t.Errorf("the dashboard does not show 1/4 (25%%) posted on paper")
		}

		// The answer, postings and all, is what the OpenAPI document says.
		_, raw, _ := h.apiCall(t, "GET", "/api/v1/openapi.json", "", nil)
		var doc, item map[string]any
		must(t, json.Unmarshal([]byte(raw), &doc))
		must(t, json.Unmarshal([]byte(js), &item))
		op := resolveRef(doc, "#/paths/"+jsonPointer("/api/v1/disclosures/{id}")+"/get")
		conforms(t, doc, resolveRef(map[string]any{"op": op}, "#/op/responses/200/content/application~1json/schema"), item, "item with postings")

		// Voiding keeps the record, with its reason, and hides the photo.
		voidURL := fmt.Sprintf("%s/postings/%d/void", reviewURL(h.school, d.ID), ps[0].ID)
		resp, body = h.post(clerk, voidURL, url.Values{"reason": {""}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请填写作废的理由。") {
			t.Errorf("void without reason: %d", resp.StatusCode)
		}
		resp, _ = h.post(clerk, voidURL, url.Values{"reason": {"贴错了事项"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("void: %d", resp.StatusCode)
		}
		_, pub = h.get(h.client(""), fmt.Sprintf("/s/%s/d/%d", h.school.Slug, d.ID))
		if !strings.Contains(pub, "已作废") || !strings.Contains(pub, "贴错了事项") || strings.Contains(pub, "已张贴 ") || strings.Contains(pub, photoURL) {
			t.Errorf("after voiding the public page shows the record wrongly")
		}
		if resp, _ := h.get(h.client(""), photoURL); resp.StatusCode != http.StatusNotFound {
			t.Errorf("a voided record's photo: %d, want 404", resp.StatusCode)
		}
	})
}

func TestPostings_badInput(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		d := h.published[gongkai.AudiencePublic]
		clerk := h.client("xq.clerk")
		now := h.db.Now().In(gongkai.Beijing)
		tomorrow := now.AddDate(0, 0, 1).Format("2006-01-02")
		for _, tc := range []struct {
			name   string
			form   map[string]string
			photo  []byte
			status int
			want   string
		}{
			{"tomorrow", map[string]string{"channel": "board", "date": tomorrow, "place": "东门公开栏甲", "by": "王老师"}, nil, 422, "日期不能晚于今天。"},
			{"not a date", map[string]string{"channel": "board", "date": "12/03", "place": "东门公开栏甲", "by": "王老师"}, nil, 422, "日期格式应为 2026-12-03。"},
			{"no place", map[string]string{"channel": "board", "date": now.Format("2006-01-02"), "place": " ", "by": "王老师甲"}, nil, 422, "请填写张贴或通报的地点。"},
			{"online", map[string]string{"channel": "online", "date": now.Format("2006-01-02"), "place": "东门公开栏甲", "by": "王老师"}, nil, 422, "无需另行记录"},
			{"unknown channel", map[string]string{"channel": "wechat", "date": now.Format("2006-01-02"), "place": "东门公开栏甲", "by": "王老师"}, nil, 422, "公开渠道无效。"},
			{"not a photo", map[string]string{"channel": "board", "date": now.Format("2006-01-02"), "place": "东门公开栏甲", "by": "王老师"}, []byte("%PDF-1.4 不是照片"), 422, "照片须为 JPEG 或 PNG 格式。"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := h.postPosting(clerk, d, tc.form, tc.photo, "x.jpg")
				if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
					t.Fatalf("%d, want %d with %q", resp.StatusCode, tc.status, tc.want)
				}
				for _, k := range []string{"place", "by"} {
					if v := strings.TrimSpace(tc.form[k]); v != "" && !strings.Contains(body, `value="`+v+`"`) {
						t.Errorf("the form lost the %s typed: %q", k, v)
					}
				}
			})
		}
		if ps, _ := h.db.FindPostings(context.Background(), h.school.ID, d.ID); len(ps) != 0 {
			t.Errorf("refused postings were recorded: %+v", ps)
		}

		// An item not yet published: refused with the reason, not recorded.
		form := map[string]string{"channel": "board", "date": now.Format("2006-01-02"), "place": "东门公开栏", "by": "王老师"}
		resp, body := h.postPosting(clerk, h.draft, form, nil, "")
		if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "事项尚未发布，不能记录张贴。") {
			t.Errorf("posting on a draft: %d", resp.StatusCode)
		}
		// Another school's principal, the school's parents and its
		// supervision group cannot record.
		for who, status := range map[string]int{"other.principal": http.StatusForbidden, "xq.parent": http.StatusForbidden, "xq.supervisor": http.StatusForbidden} {
			if resp, _ := h.postPosting(h.client(who), d, form, nil, ""); resp.StatusCode != status {
				t.Errorf("%s: %d, want %d", who, resp.StatusCode, status)
			}
		}
		if ps, _ := h.db.FindPostings(context.Background(), h.school.ID, h.draft.ID); len(ps) != 0 {
			t.Errorf("posting on a draft was recorded")
		}
	})
}

// A photo of the paper on the wall shows what was on it: once personal
// data is deleted from the item, its posting photos are gone too.
func TestPostings_photoGoneAfterRedaction(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		v := h.matrixPostingValues(t, "/s/{slug}/d/{id}/postings/{posting}/photo")
		path := fmt.Sprintf("/s/xq/d/%s/postings/%s/photo", v["id"], v["posting"])
		if resp, _ := h.get(h.client(""), path); resp.StatusCode != http.StatusOK {
			t.Fatalf("the photo before redaction: %d", resp.StatusCode)
		}
		d := h.published[gongkai.AudiencePublic]
		_, err := h.db.Redact(context.Background(), h.school.ID, d.ID, h.actor("xq.principal"),
			store.RedactRequest{Target: gongkai.RedactBody, Version: 1, Reason: "正文误含家长手机号码"}, h.srv.blobs)
		must(t, err)
		for _, who := range []string{"", "xq.clerk"} {
			resp, body := h.get(h.client(who), path)
			if resp.StatusCode != http.StatusGone || strings.Contains(body, "JFIF") || !strings.Contains(body, "个人信息已依法删除") {
				t.Errorf("the photo after redaction, as %q: %d %.80q", who, resp.StatusCode, body)
			}
		}
	})
}
