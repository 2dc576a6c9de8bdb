package gongkai

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// ChannelOnline is the school's online board: publishing an item is itself
// the fact that it is online. Every other channel is physical (a board on a
// wall, a meeting, the loudspeakers) and counts only once its posting or
// announcement is recorded.
const ChannelOnline Channel = "online"

// ChannelBoard is the physical bulletin board (公开栏), where paper is posted.
const ChannelBoard Channel = "board"

// Valid reports whether c is a channel the registration form offers.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// Physical reports whether the channel is one where the item reaches
// people only once someone posts or announces it there.
func (c Channel) Physical() bool { return c.Valid() && c != ChannelOnline }

// Act names what was done on the channel, as the trail says it:
// "张贴于公开栏", "通报于家长会".
func (c Channel) Act() string {
	switch c {
	case ChannelBoard:
		return "张贴于公开栏"
	case "congress":
		return "通报于教代会"
	case "staff_meeting":
		return "通报于教职工大会"
	case "parent_meeting":
		return "通报于家长会"
	case "broadcast":
		return "播报于校园广播"
	case ChannelOnline:
		return "发布于网上公开栏"
	}
	return string(c)
}

// Requirement is how an obligation that names the channel says it:
// "须在公开栏张贴".
func (c Channel) Requirement() string {
	switch c {
	case ChannelBoard:
		return "须在公开栏张贴"
	case "congress":
		return "须在教代会通报"
	case "staff_meeting":
		return "须在教职工大会通报"
	case "parent_meeting":
		return "须在家长会通报"
	case "broadcast":
		return "须经校园广播播报"
	case ChannelOnline:
		return "须在网上公开栏发布"
	}
	return ""
}

// Posting is one recorded fact: an item posted on a physical board or
// announced at a meeting or on the loudspeakers, on a day, at a place, by
// someone, with an optional photo. Postings are never edited or deleted; a
// mistaken one is voided with a reason and stays in the trail.
type Posting struct {
	ID           int64
	SchoolID     int64
	DisclosureID int64
	Channel      Channel
	Date         time.Time // the day it was posted or announced (Beijing)
	Place        string    // e.g. 教学楼一楼公开栏
	By           string    // who posted or announced it, as written
	// The photo, stored without its metadata (EXIF, GPS); empty key for none.
	PhotoKey      string
	PhotoType     string
	PhotoSize     int64
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	VoidedAt      time.Time // zero unless voided (作废)
	VoidReason    string
	VoidedBy      int64
	VoidedByName  string
}

// Limits of a posting record.
const (
	MaxPostingPlaceRunes  = 100
	MaxPostingByRunes     = 50
	MaxPostingReasonRunes = 500
	// MaxPhotoBytes bounds a posting's photo as uploaded.
	MaxPhotoBytes = 10 << 20
)

// Voided reports whether the record was marked as mistaken.
func (p *Posting) Voided() bool { return !p.VoidedAt.IsZero() }

// HasPhoto reports whether the record carries a photo.
func (p *Posting) HasPhoto() bool { return p.PhotoKey != "" }

// Check validates a posting about to be recorded at now for an item first
// published at publishedAt: a physical channel, a day neither in the
// future nor before publication, a place and a name of sensible length.
// Every problem is reported at once, by field.
func (p *Posting) Check(now, publishedAt time.Time) error {
	fe := FieldErrors{}
	switch {
	case p.Channel == "":
		fe.Add("channel", "请选择公开渠道。")
	case p.Channel == ChannelOnline:
		fe.Add("channel", "网上公开栏在发布时即已公开，无需另行记录。")
	case !p.Channel.Physical():
		fe.Add("channel", "公开渠道无效。")
	}
	switch {
	case p.Date.IsZero():
		fe.Add("date", "请填写日期。")
	case dateOf(p.Date).After(dateOf(now)):
		fe.Add("date", "日期不能晚于今天。")
	case publishedAt.IsZero():
		fe.Add("date", "事项尚未发布，不能记录张贴。")
	case dateOf(p.Date).Before(dateOf(publishedAt)):
		fe.Add("date", fmt.Sprintf("日期不能早于发布日期（%s）。", dateOf(publishedAt).Format("2006-01-02")))
	}
	p.Place, p.By = strings.TrimSpace(p.Place), strings.TrimSpace(p.By)
	checkPostingText(fe, "place", p.Place, MaxPostingPlaceRunes, "请填写张贴或通报的地点。", "地点")
	checkPostingText(fe, "by", p.By, MaxPostingByRunes, "请填写张贴人或通报人。", "张贴人")
	return fe.Err()
}

// CheckVoid validates the reason for voiding a posting record.
func CheckVoid(reason string) error {
	fe := FieldErrors{}
	checkPostingText(fe, "reason", strings.TrimSpace(reason), MaxPostingReasonRunes, "请填写作废的理由。", "理由")
	return fe.Err()
}

func checkPostingText(fe FieldErrors, field, v string, max int, empty, name string) {
	switch {
	case v == "":
		fe.Add(field, empty)
	case utf8.RuneCountInString(v) > max:
		fe.Add(field, fmt.Sprintf("%s不能超过 %d 字。", name, max))
	case HasNUL(v) || strings.ContainsAny(v, "\r\n"):
		fe.Add(field, fmt.Sprintf("%s只能写一行。", name))
	}
}

// ChannelMetAt is the rule of when a channel counts as met for an item
// published at publishedAt (zero if never): the online board by the
// publication itself, a physical channel by the earliest day of a posting
// on it that is not voided. The zero time means not met.
func ChannelMetAt(c Channel, publishedAt time.Time, postings []Posting) time.Time {
	if c == "" || c == ChannelOnline {
		return publishedAt
	}
	if publishedAt.IsZero() {
		return time.Time{}
	}
	var first time.Time
	for i := range postings {
		p := &postings[i]
		if p.Channel != c || p.Voided() {
			continue
		}
		if d := dateOf(p.Date); first.IsZero() || d.Before(first) {
			first = d
		}
	}
	return first
}

// ChannelStatus is where one of an item's chosen channels stands.
type ChannelStatus struct {
	Channel Channel
	MetAt   time.Time // zero while not recorded
}

// Met reports whether the channel counts as met.
func (s ChannelStatus) Met() bool { return !s.MetAt.IsZero() }

// ChannelStatuses lists each channel chosen for the item with whether it is
// met, in the order of Channels; a physical channel on which a posting was
// recorded though the form did not name it is listed too, since it is a
// fact.
func ChannelStatuses(d *Disclosure, postings []Posting) []ChannelStatus {
	var out []ChannelStatus
	for _, c := range Channels {
		chosen := false
		for _, x := range d.Channels {
			chosen = chosen || x == c
		}
		met := ChannelMetAt(c, publishedAtOf(d), postings)
		if !chosen && (c == ChannelOnline || met.IsZero()) {
			continue
		}
		out = append(out, ChannelStatus{Channel: c, MetAt: met})
	}
	return out
}

func publishedAtOf(d *Disclosure) time.Time {
	if !d.Published() {
		return time.Time{}
	}
	return d.PublishedAt
}

// CanRecordPosting reports whether the actor may record or void postings of
// the school's items: whoever may register them (the clerk, the principal).
func CanRecordPosting(a *Actor, schoolID int64) bool { return CanCreateDisclosure(a, schoolID) }

// CanPostItem says whether postings may be recorded on the item now: only
// once it has been published, and not after it was withdrawn.
func CanPostItem(d *Disclosure) error {
	switch d.State {
	case StatePublished, StateClosed, StateArchived:
		return nil
	case StateWithdrawn:
		return Errorf(ECONFLICT, "事项已撤回，不能再记录张贴。")
	}
	return Errorf(ECONFLICT, "事项尚未发布，不能记录张贴。")
}
