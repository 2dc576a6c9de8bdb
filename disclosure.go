package gongkai

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Audience says who may read a published disclosure.
type Audience string

// Audiences, from widest to narrowest.
const (
	AudiencePublic     Audience = "public"     // 对外公开: anyone, no sign-in
	AudienceCommunity  Audience = "community"  // 校内公开: signed-in parents, students and staff of the school
	AudienceStaff      Audience = "staff"      // 教职工: the internal board
	AudienceLeadership Audience = "leadership" // 领导小组
)

// Audiences lists every audience in the order forms show them.
var Audiences = []Audience{AudiencePublic, AudienceCommunity, AudienceStaff, AudienceLeadership}

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	for _, x := range Audiences {
		if a == x {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the audience as boards show it.
func (a Audience) Label() string {
	switch a {
	case AudiencePublic:
		return "对外公开"
	case AudienceCommunity:
		return "校内公开"
	case AudienceStaff:
		return "教职工"
	case AudienceLeadership:
		return "领导小组"
	}
	return string(a)
}

// Category is a heading of the board and of the catalogue.
type Category struct {
	Code   string // stable code used in URLs and the API
	Short  string // two letters in index numbers
	Name   string // Chinese name
	NameEN string
	// MinPublicityDays is the legal minimum publicity period in working days
	// (rosters, awards, evaluations and title reviews: at least 5).
	MinPublicityDays int
}

// Categories are the headings of 校务公开 as the seed plans group them.
var Categories = []Category{
	{"decisions", "ZD", "重大决策与规章制度", "Decisions and rules", 0},
	{"finance", "CW", "财务管理", "Finances", 0},
	{"fees", "SF", "收费公示", "Fees", 5},
	{"procurement", "CG", "采购与基建", "Procurement and works", 5},
	{"aid", "ZZ", "学生资助", "Student aid", 5},
	{"awards", "JL", "师生奖惩", "Awards and discipline", 5},
	{"evaluation", "KH", "考核与评优", "Evaluations", 5},
	{"titles", "ZC", "职称评聘", "Title reviews", 5},
	{"enrolment", "ZS", "招生入学", "Enrolment", 5},
	{"personnel", "RS", "干部分工与人事", "Leadership and staffing", 0},
	{"congress", "JD", "教代会", "Staff congress", 0},
	{"integrity", "LZ", "廉政建设", "Integrity", 0},
	{"other", "QT", "其他", "Other", 0},
}

// CategoryByCode returns the category with the code.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range Categories {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Channel is a place where a disclosure is also made public.
type Channel string

// Channels the registration form offers.
var Channels = []Channel{"online", "board", "congress", "staff_meeting", "parent_meeting", "broadcast"}

// Label is the Chinese name of the channel.
func (c Channel) Label() string {
	switch c {
	case "online":
		return "网上公开栏"
	case "board":
		return "校务公开栏（实体）"
	case "congress":
		return "教代会"
	case "staff_meeting":
		return "教职工大会"
	case "parent_meeting":
		return "家长会"
	case "broadcast":
		return "校园广播"
	}
	return string(c)
}

// Disclosure is one item of 校务公开 with the fields of the registration form.
type Disclosure struct {
	ID             int64
	SchoolID       int64
	IndexNo        string // 索引号, given at first publication and never changed
	CatalogueCode  string
	Category       string
	Title          string
	Body           string // Markdown
	Audience       Audience
	State          State
	DocNumber      string // 文号, when the item has one
	DepartmentID   int64
	DepartmentName string
	ClerkID        int64
	ClerkName      string
	Channels       []Channel
	LegalBasis     string
	Contact        string // where objections go besides the online form
	PublicityDays  int    // length of the publicity period in working days; 0 for none
	PublicityStart time.Time
	PublicityEnd   time.Time // last day of the period (a date in Beijing time)
	EndProvisional bool      // the end falls in a year without calendar data
	Version        int       // current version, 1 for the first
	CreatedBy      int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	PublishedAt    time.Time // first publication
	SignedBy       int64     // the principal who signed off (签发)
	SignedByName   string
	SignedAt       time.Time
	Reason         string // reason of the last withdraw or revise
	// RevisionState is where the item's pending revision stands (draft,
	// submitted, approved, checked), or "" when it has none. The pending
	// version is Version+1 in Versions, unpublished.
	RevisionState State
	WithdrawnAt   time.Time // when it was withdrawn; zero if never

	Attachments []Attachment
	Versions    []Version
	Trail       []Event
}

// Attachment is a file of a disclosure version.
type Attachment struct {
	ID           int64
	SchoolID     int64
	DisclosureID int64
	Version      int
	Filename     string
	ContentType  string
	Size         int64
	SHA256       string
	StorageKey   string
	CreatedAt    time.Time
	RedactedAt   time.Time // when its file was deleted as personal data (redaction.go); zero if never
}

// Version is one published (or draft) text of a disclosure. Every published
// version stays readable.
type Version struct {
	Version     int
	Title       string
	Body        string
	DocNumber   string
	Reason      string // why this revision was made; empty for the first version
	PublishedAt time.Time
	CreatedBy   int64
	Attachments []Attachment
	// Who signed the version (签发, the principal) and who checked it (审核,
	// the supervision group), shown to everyone with the dates. Versions
	// revised before revisions were signed again have neither.
	SignedBy      int64
	SignedByName  string
	SignedAt      time.Time
	CheckedBy     int64
	CheckedByName string
	CheckedAt     time.Time
	RedactedAt    time.Time // when its body was replaced as personal data (redaction.go); zero if never
}

// Event is one recorded step of the procedure.
type Event struct {
	ID        int64
	Action    Action
	From      State
	To        State
	ActorID   int64
	ActorName string
	ActorRole Role
	Comment   string
	Version   int
	At        time.Time
	// Revision marks a step of a revision of the published item, not of the
	// item itself; such steps leave the item's state as it is.
	Revision bool
}

// Limits of the registration form.
const (
	MaxTitleRunes      = 200
	MaxBodyRunes       = 100000
	MaxShortFieldRunes = 500
	MaxPublicityDays   = 60
	MaxAttachmentBytes = 20 << 20
	// MaxAttachments is how many files one version may carry.
	MaxAttachments = 20
)

// ValidateDraft checks what must hold even for a draft: limits that protect
// storage, and values that must be known codes.
func (d *Disclosure) ValidateDraft() error {
	fe := FieldErrors{}
	d.validateLimits(fe)
	return fe.Err()
}

// ValidateForSubmit checks the whole registration form, as submission and
// every later step require. All problems are reported at once.
func (d *Disclosure) ValidateForSubmit() error {
	fe := FieldErrors{}
	if strings.TrimSpace(d.Title) == "" {
		fe.Add("title", "请填写标题。")
	}
	if strings.TrimSpace(d.Body) == "" {
		fe.Add("body", "请填写公开内容。")
	}
	if d.Category == "" {
		fe.Add("category", "请选择公开类别。")
	}
	d.validateLimits(fe)
	if c, ok := CategoryByCode(d.Category); ok && d.PublicityDays < c.MinPublicityDays {
		fe.Add("publicity_days", fmt.Sprintf("“%s”类公示期不得少于 %d 个工作日。", c.Name, c.MinPublicityDays))
	}
	return fe.Err()
}

func (d *Disclosure) validateLimits(fe FieldErrors) {
	if utf8.RuneCountInString(d.Title) > MaxTitleRunes {
		fe.Add("title", fmt.Sprintf("标题不能超过 %d 字。", MaxTitleRunes))
	}
	if utf8.RuneCountInString(d.Body) > MaxBodyRunes {
		fe.Add("body", fmt.Sprintf("正文不能超过 %d 字，较长的材料请作为附件上传。", MaxBodyRunes))
	}
	if d.Category != "" {
		if _, ok := CategoryByCode(d.Category); !ok {
			fe.Add("category", "公开类别无效，请从列表中选择。")
		}
	}
	if !d.Audience.Valid() {
		fe.Add("audience", "请选择公开范围。")
	}
	if d.PublicityDays < 0 || d.PublicityDays > MaxPublicityDays {
		fe.Add("publicity_days", fmt.Sprintf("公示期须在 0–%d 个工作日之间。", MaxPublicityDays))
	}
	for name, v := range map[string]string{"doc_number": d.DocNumber, "legal_basis": d.LegalBasis, "contact": d.Contact} {
		if utf8.RuneCountInString(v) > MaxShortFieldRunes {
			fe.Add(name, fmt.Sprintf("不能超过 %d 字。", MaxShortFieldRunes))
		}
	}
	for _, c := range d.Channels {
		known := false
		for _, k := range Channels {
			known = known || c == k
		}
		if !known {
			fe.Add("channels", "公开渠道无效。")
		}
	}
	for _, r := range d.Title + d.DocNumber {
		if r < 0x20 && r != '\t' {
			fe.Add("title", "标题含有不可见的控制字符。")
			break
		}
	}
	for name, v := range map[string]string{"body": d.Body, "legal_basis": d.LegalBasis, "contact": d.Contact} {
		if HasNUL(v) {
			fe.Add(name, "内容含有无法保存的空字符（NUL），请删除后再试。")
		}
	}
}

// HasNUL reports whether s contains a NUL character, which PostgreSQL cannot
// store in text and no person means to type.
func HasNUL(s string) bool { return strings.ContainsRune(s, 0) }

// IndexNumber formats the stable 索引号: school code / year - category - sequence.
func IndexNumber(schoolCode string, year int, category string, seq int) string {
	c, _ := CategoryByCode(category)
	short := c.Short
	if short == "" {
		short = "QT"
	}
	return fmt.Sprintf("%s/%d-%s-%04d", schoolCode, year, short, seq)
}

// InPublicity reports whether the item is published and its publicity period
// has not ended at now, so objections are accepted.
func (d *Disclosure) InPublicity(now time.Time) bool {
	if d.State != StatePublished || d.PublicityDays == 0 || d.PublicityEnd.IsZero() {
		return false
	}
	return !PeriodOver(d.PublicityEnd, now)
}

// PeriodOver reports whether a period whose last day is end has ended at now:
// the period runs to the end of that day in Beijing time.
func PeriodOver(end, now time.Time) bool {
	y, m, day := end.In(Beijing).Date()
	return !now.Before(time.Date(y, m, day+1, 0, 0, 0, 0, Beijing))
}

// Published reports whether the item has been made public at least once, so
// its readers are decided by its audience.
func (d *Disclosure) Published() bool {
	switch d.State {
	case StatePublished, StateClosed, StateArchived, StateWithdrawn:
		return true
	}
	return false
}
