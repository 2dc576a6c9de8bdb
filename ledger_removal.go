package gongkai

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// A reader checking an item against its log entry (gongkai verify) sees,
// where personal data was lawfully removed, what gongkai shows instead:
// RedactedBody for a redacted body, TakedownNotice for a roster past its
// period, a purged file's message. RemovalDate reads the date of the
// removal from such a text, so that the check reports "已依法删除个人信息"
// with the date rather than a mismatch.

var chineseDate = regexp.MustCompile(`(\d{4})年(\d{1,2})月(\d{1,2})日`)

// RemovalDate returns the date a removal notice gives; false when the text
// is not one.
func RemovalDate(text string) (time.Time, bool) {
	if !strings.Contains(text, RedactedMark) && !strings.HasPrefix(text, "名单已于") {
		return time.Time{}, false
	}
	m := chineseDate.FindStringSubmatch(text)
	if m == nil {
		return time.Time{}, false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(mo), d, 0, 0, 0, 0, Beijing), true
}
