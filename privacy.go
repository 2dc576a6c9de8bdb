package gongkai

import (
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Personal data caught before it is published: rosters must never show
// ID-card numbers, bank cards, phone numbers, home addresses or birth dates
// (教财厅函〔2017〕28号). The scanners below find them in a draft's body, its
// Markdown tables and the text of its attachments; each finding names the
// place and carries the value already masked, so that the value itself is
// never shown or stored again.

// PIIKind is a kind of personal data a scan finds.
type PIIKind string

// Kinds of personal data.
const (
	PIIResidentID PIIKind = "id"        // 身份证号, 18 digits (GB 11643) or the old 15
	PIIBankCard   PIIKind = "card"      // 银行卡号, 16–19 digits passing Luhn
	PIIMobile     PIIKind = "mobile"    // 手机号码, 11 digits 1[3-9]…
	PIIAddress    PIIKind = "address"   // 家庭住址, in a roster table's address column
	PIIBirthDate  PIIKind = "birth"     // 出生日期, in a roster table's birth-date column
	PIIUnchecked  PIIKind = "unchecked" // an attachment whose text could not be read
)

// Label is the Chinese name of the kind.
func (k PIIKind) Label() string {
	switch k {
	case PIIResidentID:
		return "身份证号"
	case PIIBankCard:
		return "银行卡号"
	case PIIMobile:
		return "手机号码"
	case PIIAddress:
		return "家庭住址"
	case PIIBirthDate:
		return "出生日期"
	case PIIUnchecked:
		return "无法自动检查"
	}
	return string(k)
}

// ActionOverridePrivacy is recorded in the trail when the principal lets one
// finding stand, with the reason.
const ActionOverridePrivacy Action = "privacy_override"

// Finding is one piece of personal data found, or one attachment that
// could not be checked.
type Finding struct {
	Kind   PIIKind `json:"kind"`
	Masked string  `json:"masked,omitempty"` // the value as the mask shows it
	Place  string  `json:"place"`            // 正文第 3 行, 表格第 2 行“电话”列, 附件《x.pdf》第 1 页
	Note   string  `json:"note,omitempty"`   // why an attachment could not be checked
	// Start and End are the value's byte range in the scanned body; both
	// are 0 outside the body, which cannot be masked in place.
	Start int `json:"-"`
	End   int `json:"-"`
}

// Key identifies the finding across scans of the same text, for overrides.
func (f Finding) Key() string { return string(f.Kind) + "|" + f.Place + "|" + f.Masked }

// InBody reports whether the finding is in the body, which masking can fix.
func (f Finding) InBody() bool { return f.End > f.Start }

// Message is the finding as one line: 正文第 3 行：身份证号 3501**********123X.
func (f Finding) Message() string {
	if f.Kind == PIIUnchecked {
		note := f.Note
		if note == "" {
			note = "可能是扫描图片"
		}
		return fmt.Sprintf("%s无法自动检查（%s），请人工核对", f.Place, note)
	}
	return f.Place + "：" + f.Kind.Label() + " " + f.Masked
}

// PrivacyRefusal is the error that stops a submission while findings
// remain, naming every place; nil when there is none.
func PrivacyRefusal(fs []Finding) error {
	if len(fs) == 0 {
		return nil
	}
	var body, files []string
	for _, f := range fs {
		if strings.HasPrefix(f.Place, "附件") {
			files = append(files, f.Message())
		} else {
			body = append(body, f.Message())
		}
	}
	msgs := append(append([]string{}, body...), files...)
	msg := "发现个人信息，不能提交审议：" + listed(msgs) + "。请遮盖或删除后再提交；附件须替换为处理过的文件。"
	e := &Error{Code: EINVALID, Message: msg, Fields: map[string]string{}}
	if len(body) > 0 {
		e.Fields["body"] = "正文含有个人信息：" + listed(body) + "。可用“一键遮盖”处理。"
	}
	if len(files) > 0 {
		e.Fields["file"] = "附件含有个人信息或无法检查：" + listed(files) + "。请删除后上传处理过的文件。"
	}
	return e
}

// MaxListed is how many places a message names; a roster of hundreds of
// rows is named by its first ones and a count.
const MaxListed = 20

func listed(msgs []string) string {
	if len(msgs) <= MaxListed {
		return strings.Join(msgs, "；")
	}
	return strings.Join(msgs[:MaxListed], "；") + fmt.Sprintf("；另有 %d 处", len(msgs)-MaxListed)
}

// CanOverridePrivacy reports whether a may let a finding stand: the
// principal of the school alone.
func CanOverridePrivacy(a *Actor, schoolID int64) bool { return a.HasRole(schoolID, RolePrincipal) }

// MaxOverrideReason is the longest reason of an override, in characters.
const MaxOverrideReason = 500

// ValidateOverrideReason checks the principal's reason for letting a finding stand.
func ValidateOverrideReason(reason string) error {
	reason = strings.TrimSpace(reason)
	msg := ""
	switch {
	case reason == "":
		msg = "请填写理由：为什么这项信息可以公开。"
	case utf8.RuneCountInString(reason) > MaxOverrideReason:
		msg = fmt.Sprintf("理由不能超过 %d 字。", MaxOverrideReason)
	case HasNUL(reason) || !utf8.ValidString(reason):
		msg = "理由含有无法保存的字符。"
	}
	if msg != "" {
		return &Error{Code: EINVALID, Message: msg, Fields: map[string]string{"reason": msg}}
	}
	return nil
}

// ---------------------------------------------------------------- numbers

// idWeights and idCheck are the check-character rule of GB 11643-1999.
var (
	idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	idCheck   = "10X98765432"
)

// provinces are the first two digits of a resident ID (GB/T 2260 and the
// codes for Taiwan, Hong Kong and Macao).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true, "50": true, "51": true,
	"52": true, "53": true, "54": true, "61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// IDCheckChar is the check character of the first 17 digits of a resident ID.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// ValidResidentID reports whether s is an 18-character resident ID number:
// a province code, a real date of birth and the right check character
// (X in either case).
func ValidResidentID(s string) bool {
	if len(s) != 18 || !allDigits(s[:17]) || !provinces[s[:2]] {
		return false
	}
	if !validDate(s[6:14]) {
		return false
	}
	c := s[17]
	if c == 'x' {
		c = 'X'
	}
	return c == IDCheckChar(s[:17])
}

// ValidOldResidentID reports whether s is a 15-digit resident ID number of
// the first generation: a province code and a real date of birth 19YYMMDD.
func ValidOldResidentID(s string) bool {
	return len(s) == 15 && allDigits(s) && provinces[s[:2]] && validDate("19"+s[6:12])
}

// Luhn reports whether the digits of s pass the Luhn check of card numbers.
func Luhn(s string) bool {
	if s == "" || !allDigits(s) {
		return false
	}
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// validCard reports whether digits look like a bank card: 16–19 digits of
// a card network's range (3–6) passing Luhn.
func validCard(digits string) bool {
	return len(digits) >= 16 && len(digits) <= 19 && digits[0] >= '3' && digits[0] <= '6' && Luhn(digits)
}

func validMobile(digits string) bool {
	return len(digits) == 11 && digits[0] == '1' && digits[1] >= '3' && digits[1] <= '9' && allDigits(digits)
}

func validDate(yyyymmdd string) bool {
	if !allDigits(yyyymmdd) {
		return false
	}
	t, err := time.Parse("20060102", yyyymmdd)
	return err == nil && t.Year() >= 1900 && t.Year() <= 2100
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ---------------------------------------------------------------- masks

// Mask is the masked form of a value of the kind: an ID number or a card
// keeps its first and last four characters (3501**********123X), a mobile
// number its first three and last four (138****5678), an address its first
// few characters, a birth date its year.
func Mask(k PIIKind, v string) string {
	switch k {
	case PIIResidentID, PIIBankCard:
		d := digitsOf(v)
		if len(d) <= 8 {
			return strings.Repeat("*", len(d))
		}
		return d[:4] + strings.Repeat("*", len(d)-8) + d[len(d)-4:]
	case PIIMobile:
		d := digitsOf(v)
		if len(d) > 11 { // +86 or 86 before the number
			d = d[len(d)-11:]
		}
		if len(d) != 11 {
			return strings.Repeat("*", len(d))
		}
		return d[:3] + "****" + d[7:]
	case PIIAddress:
		r := []rune(strings.TrimSpace(v))
		keep := min(6, len(r)/2)
		return string(r[:keep]) + "****"
	case PIIBirthDate:
		var b strings.Builder
		n := 0
		for _, c := range v {
			if c >= '0' && c <= '9' {
				n++
				if n > 4 {
					c = '*'
				}
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	return "****"
}

// digitsOf keeps the digits of s, and an ID's final X.
func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) || ((s[i] == 'X' || s[i] == 'x') && i == len(s)-1) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// MaskBody replaces each finding of fs that lies in body by its mask, and
// returns the new body. Findings outside the body are left alone.
func MaskBody(body string, fs []Finding) string {
	var in []Finding
	for _, f := range fs {
		if f.InBody() && f.End <= len(body) {
			in = append(in, f)
		}
	}
	// From the end, so the earlier ranges stay where they are; overlapping
	// ranges keep the first.
	sort.Slice(in, func(i, j int) bool { return in[i].Start > in[j].Start })
	last := len(body) + 1
	for _, f := range in {
		if f.End > last {
			continue
		}
		body = body[:f.Start] + f.Masked + body[f.End:]
		last = f.Start
	}
	return body
}

// AllowedPhones are the mobile numbers among the school's own published
// phone fields (监督电话, 招生咨询, 资助热线, the bureau's phone): those may
// appear anywhere.
func AllowedPhones(fields ...string) map[string]bool {
	out := map[string]bool{}
	for _, f := range fields {
		for _, h := range scanNumbers(f, nil) {
			if h.kind == PIIMobile {
				out[h.digits] = true
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- scanning

// hit is a value found in a piece of text, by byte range.
type hit struct {
	kind       PIIKind
	start, end int
	digits     string
}

// scanNumbers finds ID, card and mobile numbers in s, skipping allowed
// mobile numbers. A digit run is judged whole: a mobile number inside a
// longer run is no mobile number, and an ID that also passes Luhn is an ID.
func scanNumbers(s string, allowed map[string]bool) []hit {
	n, at := halfWidth(s)
	if at == nil {
		return scanASCII(s, allowed)
	}
	hits := scanASCII(n, allowed)
	for i := range hits {
		hits[i].start, hits[i].end = at[hits[i].start], at[hits[i].end]
	}
	return hits
}

// halfWidth returns s with full-width digits, X, hyphens and spaces (as an
// input method types them: １３８１２３４５６７８) made ASCII, and for each
// byte of the result (and its end) the byte of s it came from; at is nil
// when s has none of them.
func halfWidth(s string) (string, []int) {
	if !strings.ContainsAny(s, "０１２３４５６７８９ＸｘⅩ－　") {
		return s, nil
	}
	var b strings.Builder
	at := make([]int, 0, len(s)+1)
	for i, r := range s {
		switch {
		case r >= '０' && r <= '９':
			r = '0' + (r - '０')
		case r == 'Ｘ' || r == 'ｘ' || r == 'Ⅹ':
			r = 'X'
		case r == '－':
			r = '-'
		case r == '　':
			r = ' '
		}
		n := utf8.RuneLen(r)
		if r == utf8.RuneError {
			n = 1 // an invalid byte stays one byte
			b.WriteByte(s[i])
		} else {
			b.WriteRune(r)
		}
		for range n {
			at = append(at, i)
		}
	}
	at = append(at, len(s))
	return b.String(), at
}

// scanASCII is scanNumbers on text whose digits are ASCII.
func scanASCII(s string, allowed map[string]bool) []hit {
	var out []hit
	for i := 0; i < len(s); {
		if !isDigit(s[i]) || (i > 0 && isDigit(s[i-1])) {
			i++
			continue
		}
		// The longest run of digits with single spaces or hyphens between
		// groups, as cards and phones are written (6222 0212 3456 7890).
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		plainEnd := j
		var groupEnds []int
		for k := j; k+1 < len(s) && (s[k] == ' ' || s[k] == '-') && isDigit(s[k+1]) && len(groupEnds) < 8; {
			m := k + 1
			for m < len(s) && isDigit(s[m]) {
				m++
			}
			groupEnds = append(groupEnds, m)
			k = m
		}
		if h, ok := judge(s, i, plainEnd, allowed); ok {
			out = append(out, h)
			i = h.end
			continue
		}
		// The longest grouped number that is one: two cards written one
		// after the other are two.
		found := false
		for g := len(groupEnds) - 1; g >= 0 && !found; g-- {
			if h, ok := judge(s, i, groupEnds[g], allowed); ok {
				out = append(out, h)
				i, found = h.end, true
			}
		}
		if found {
			continue
		}
		i = plainEnd
	}
	return out
}

func isASCIILetter(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') }

// judge decides what the number s[i:j] is, if anything personal.
func judge(s string, i, j int, allowed map[string]bool) (hit, bool) {
	// A letter right after the run makes it a code, not a number (except
	// an ID's X).
	end := j
	d := digitsOf(s[i:j])
	if len(d) == 17 && j < len(s) && (s[j] == 'X' || s[j] == 'x') && isDigit(s[j-1]) {
		d += string(s[j])
		end = j + 1
	}
	if end < len(s) && isDigit(s[end]) {
		return hit{}, false
	}
	// Letters around a phone number make it part of a code (AB13812345678);
	// an ID or a card is personal whatever is written around it.
	lettered := (i > 0 && isASCIILetter(s[i-1])) || (end < len(s) && isASCIILetter(s[end]))
	h := hit{start: i, end: end, digits: d}
	switch {
	case len(d) == 18 && ValidResidentID(d):
		h.kind = PIIResidentID
	case len(d) == 18 && provinces[d[:2]] && validDate(d[6:14]):
		// An ID with a wrong check character: a typo, not a card.
		return hit{}, false
	case len(d) == 15 && ValidOldResidentID(d):
		h.kind = PIIResidentID
	case validCard(d):
		h.kind = PIIBankCard
	case validMobile(d):
		h.kind = PIIMobile
	case len(d) == 13 && strings.HasPrefix(d, "86") && validMobile(d[2:]):
		h.kind = PIIMobile
		h.digits = d[2:]
	default:
		return hit{}, false
	}
	if h.kind == PIIMobile && (allowed[h.digits] || lettered) {
		return hit{}, false
	}
	if h.kind == PIIMobile && i > 0 && s[i-1] == '+' {
		h.start = i - 1
	}
	return h, true
}

// rosterColumns are the words of a header that make a table a roster, and
// what each column holds.
type rosterColumn int

const (
	colOther rosterColumn = iota
	colAddress
	colBirth
	colPersonal // ID, phone, card: caught as numbers, but they mark a roster
)

func columnOf(header string) rosterColumn {
	h := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, header)
	switch {
	case strings.Contains(h, "学校") || strings.Contains(h, "单位"):
		return colOther // the school's own address is public
	case strings.Contains(h, "住址") || strings.Contains(h, "地址") || strings.Contains(h, "住所") || strings.Contains(h, "户籍"):
		return colAddress
	case strings.Contains(h, "出生") || strings.Contains(h, "生日"):
		return colBirth
	case strings.Contains(h, "身份证") || strings.Contains(h, "证件号") || strings.Contains(h, "电话") || strings.Contains(h, "手机") ||
		strings.Contains(h, "联系方式") || strings.Contains(h, "银行卡") || strings.Contains(h, "银行账号") || strings.Contains(h, "卡号") || strings.Contains(h, "账号"):
		return colPersonal
	}
	return colOther
}

// emptyCell reports whether a cell holds nothing to hide.
func emptyCell(v string) bool {
	switch strings.TrimSpace(v) {
	case "", "-", "—", "－", "/", "无", "——":
		return true
	}
	return false
}

// cellScanner scans the cells of one table (Markdown, sheet or document)
// once its header is known.
type cellScanner struct {
	headers []string
	cols    []rosterColumn
	roster  bool
}

func newCellScanner(headers []string) *cellScanner {
	c := &cellScanner{headers: headers, cols: make([]rosterColumn, len(headers))}
	for i, h := range headers {
		c.cols[i] = columnOf(h)
		c.roster = c.roster || c.cols[i] != colOther
	}
	return c
}

// scan returns the hits in one cell of column col.
func (c *cellScanner) scan(col int, v string, allowed map[string]bool) []hit {
	hits := scanNumbers(v, allowed)
	// A cell with stars was masked already.
	if !c.roster || col >= len(c.cols) || emptyCell(v) || strings.Contains(v, "**") {
		return hits
	}
	switch c.cols[col] {
	case colAddress:
		if len(hits) == 0 {
			return []hit{trimmedHit(PIIAddress, v)}
		}
	case colBirth:
		if len(hits) == 0 && strings.IndexFunc(v, func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
			return []hit{trimmedHit(PIIBirthDate, v)}
		}
	}
	return hits
}

// trimmedHit is the whole cell without its surrounding spaces.
func trimmedHit(k PIIKind, v string) hit {
	start := len(v) - len(strings.TrimLeftFunc(v, unicode.IsSpace))
	end := len(strings.TrimRightFunc(v, unicode.IsSpace))
	return hit{kind: k, start: start, end: end}
}

func (c *cellScanner) header(col int) string {
	if col < len(c.headers) && strings.TrimSpace(c.headers[col]) != "" {
		return strings.TrimSpace(c.headers[col])
	}
	return colLetter(col) + " "
}

// colLetter is a sheet's column name: A, B, …, Z, AA.
func colLetter(col int) string {
	s := ""
	for col++; col > 0; col = (col - 1) / 26 {
		s = string(rune('A'+(col-1)%26)) + s
	}
	return s
}

func finding(h hit, text, place string, offset int) Finding {
	v := text[h.start:h.end]
	if h.digits != "" {
		v = h.digits // the number as digits, whatever the width it was typed in
	}
	f := Finding{Kind: h.kind, Masked: Mask(h.kind, v), Place: place}
	if offset >= 0 {
		f.Start, f.End = offset+h.start, offset+h.end
	}
	return f
}

// ScanBody finds personal data in a draft's body (Markdown): numbers on
// every line, and in roster tables also home addresses and birth dates.
// Places are 正文第 N 行 and 表格第 R 行“列名”列 (第 2 个表格… after the
// first). Findings carry their byte range for MaskBody.
func ScanBody(body string, allowed map[string]bool) []Finding {
	var out []Finding
	lines := strings.SplitAfter(body, "\n")
	offsets := make([]int, len(lines))
	pos := 0
	for i, l := range lines {
		offsets[i] = pos
		pos += len(l)
	}
	tables := 0
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		if isTableRow(line) && i+1 < len(lines) && isSeparatorRow(strings.TrimRight(lines[i+1], "\r\n")) {
			tables++
			prefix := "表格"
			if tables > 1 {
				prefix = fmt.Sprintf("第 %d 个表格", tables)
			}
			var headers []string
			for _, c := range splitRow(line) {
				headers = append(headers, line[c[0]:c[1]])
			}
			cs := newCellScanner(headers)
			// The header row itself is no data, but a number typed there
			// is found like any other.
			for _, h := range scanNumbers(line, allowed) {
				out = append(out, finding(h, line, fmt.Sprintf("正文第 %d 行", i+1), offsets[i]))
			}
			row := 0
			j := i + 2
			for ; j < len(lines); j++ {
				l := strings.TrimRight(lines[j], "\r\n")
				if !isTableRow(l) {
					break
				}
				row++
				for col, c := range splitRow(l) {
					cell := l[c[0]:c[1]]
					for _, h := range cs.scan(col, cell, allowed) {
						place := fmt.Sprintf("%s第 %d 行“%s”列", prefix, row, cs.header(col))
						out = append(out, finding(h, cell, place, offsets[j]+c[0]))
					}
				}
			}
			i = j - 1
			continue
		}
		for _, h := range scanNumbers(line, allowed) {
			out = append(out, finding(h, line, fmt.Sprintf("正文第 %d 行", i+1), offsets[i]))
		}
	}
	return out
}

func isTableRow(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(t, "|") || (strings.Count(t, "|") >= 1 && !strings.HasPrefix(t, "```"))
}

func isSeparatorRow(l string) bool {
	t := strings.TrimSpace(l)
	if !strings.Contains(t, "-") {
		return false
	}
	for _, r := range t {
		if r != '|' && r != '-' && r != ':' && r != ' ' && r != '\t' {
			return false
		}
	}
	return true
}

// splitRow returns the byte ranges of the cells of a table row, without
// the outer pipes and without each cell's surrounding spaces. An escaped
// pipe (\|) stays in its cell.
func splitRow(l string) [][2]int {
	start := 0
	t := strings.TrimRight(l, " \t")
	lead := len(t) - len(strings.TrimLeft(t, " \t"))
	if strings.HasPrefix(t[lead:], "|") {
		start = lead + 1
	}
	end := len(t)
	if end > start && t[end-1] == '|' && (end < 2 || t[end-2] != '\\') {
		end--
	}
	var cells [][2]int
	from := start
	for k := start; k <= end; k++ {
		if k == end || (t[k] == '|' && (k == 0 || t[k-1] != '\\')) {
			a, b := from, k
			for a < b && (t[a] == ' ' || t[a] == '\t') {
				a++
			}
			for b > a && (t[b-1] == ' ' || t[b-1] == '\t') {
				b--
			}
			cells = append(cells, [2]int{a, b})
			from = k + 1
		}
	}
	return cells
}

// ---------------------------------------------------------------- attachments

// A sheet's header is looked for in its first rows: titles often come first.
const headerRows = 10

// ScanSheet finds personal data in a worksheet's rows, with places
// relative to the file: 工作表“Sheet1” C5. The header is the first of
// the first rows that names a roster column; below it addresses and birth
// dates are found too.
func ScanSheet(sheet string, rows [][]string, allowed map[string]bool) []Finding {
	var out []Finding
	var cs *cellScanner
	for r, row := range rows {
		if cs == nil && r < headerRows {
			if c := newCellScanner(row); c.roster {
				cs = c
				for col, v := range row {
					for _, h := range scanNumbers(v, allowed) {
						out = append(out, finding(h, v, fmt.Sprintf("工作表“%s” %s%d", sheet, colLetter(col), r+1), -1))
					}
				}
				continue
			}
		}
		for col, v := range row {
			var hits []hit
			if cs != nil {
				hits = cs.scan(col, v, allowed)
			} else {
				hits = scanNumbers(v, allowed)
			}
			for _, h := range hits {
				out = append(out, finding(h, v, fmt.Sprintf("工作表“%s” %s%d", sheet, colLetter(col), r+1), -1))
			}
		}
	}
	return out
}

// ScanParagraphs finds personal data in a document's paragraphs: 第 N 段.
func ScanParagraphs(paras []string, allowed map[string]bool) []Finding {
	var out []Finding
	for i, p := range paras {
		for _, h := range scanNumbers(p, allowed) {
			out = append(out, finding(h, p, fmt.Sprintf("第 %d 段", i+1), -1))
		}
	}
	return out
}

// ScanDocTable finds personal data in the n-th table (from 1) of a
// document, its first row the header: 表格 1 第 R 行“列名”列.
func ScanDocTable(n int, rows [][]string, allowed map[string]bool) []Finding {
	if len(rows) == 0 {
		return nil
	}
	var out []Finding
	cs := newCellScanner(rows[0])
	for col, v := range rows[0] {
		for _, h := range scanNumbers(v, allowed) {
			out = append(out, finding(h, v, fmt.Sprintf("表格 %d 表头“%s”列", n, cs.header(col)), -1))
		}
	}
	for r, row := range rows[1:] {
		for col, v := range row {
			for _, h := range cs.scan(col, v, allowed) {
				out = append(out, finding(h, v, fmt.Sprintf("表格 %d 第 %d 行“%s”列", n, r+1, cs.header(col)), -1))
			}
		}
	}
	return out
}

// ScanPages finds personal data in the text of a PDF's pages: 第 N 页.
func ScanPages(pages []string, allowed map[string]bool) []Finding {
	var out []Finding
	for i, p := range pages {
		for _, line := range strings.Split(p, "\n") {
			for _, h := range scanNumbers(line, allowed) {
				out = append(out, finding(h, line, fmt.Sprintf("第 %d 页", i+1), -1))
			}
		}
	}
	return out
}

// Unchecked is the notice for a file (or a part of it, place) that could
// not be checked, with the reason.
func Unchecked(place, note string) Finding {
	return Finding{Kind: PIIUnchecked, Place: place, Note: note}
}

// InAttachment returns the findings of a file's scan with the file named in
// their places: 附件《名单.xlsx》工作表“Sheet1” C5.
func InAttachment(filename string, fs []Finding) []Finding {
	out := make([]Finding, len(fs))
	for i, f := range fs {
		f.Place = "附件《" + filename + "》" + f.Place
		f.Start, f.End = 0, 0
		out[i] = f
	}
	return out
}
