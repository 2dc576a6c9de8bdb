package gongkai

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// SurveyKind is what a survey measures.
type SurveyKind string

// Survey kinds.
const (
	SurveySatisfaction SurveyKind = "satisfaction" // 满意度测评: scored on the bureau's dashboard
	SurveyEvaluation   SurveyKind = "evaluation"   // 民主评议: of the leadership
	SurveyOther        SurveyKind = "other"
)

// SurveyKinds lists the kinds in the order forms show them.
var SurveyKinds = []SurveyKind{SurveySatisfaction, SurveyEvaluation, SurveyOther}

// Label is the Chinese name of the kind.
func (k SurveyKind) Label() string {
	switch k {
	case SurveySatisfaction:
		return "满意度测评"
	case SurveyEvaluation:
		return "民主评议"
	case SurveyOther:
		return "其他测评"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k SurveyKind) Valid() bool {
	return k == SurveySatisfaction || k == SurveyEvaluation || k == SurveyOther
}

// SurveyAudience says who may answer a survey.
type SurveyAudience string

// Survey audiences.
const (
	SurveyForStaff           SurveyAudience = "staff"           // 全体教职工
	SurveyForRepresentatives SurveyAudience = "representatives" // 教代会代表
	SurveyForParents         SurveyAudience = "parents"         // 家长
	SurveyForStaffParents    SurveyAudience = "staff_parents"   // 教职工和家长
)

// SurveyAudiences lists the audiences in the order forms show them.
var SurveyAudiences = []SurveyAudience{SurveyForStaffParents, SurveyForStaff, SurveyForRepresentatives, SurveyForParents}

// Label is the Chinese name of the audience.
func (a SurveyAudience) Label() string {
	switch a {
	case SurveyForStaff:
		return "全体教职工"
	case SurveyForRepresentatives:
		return "教代会代表"
	case SurveyForParents:
		return "家长"
	case SurveyForStaffParents:
		return "教职工和家长"
	}
	return string(a)
}

// Valid reports whether a is a known audience.
func (a SurveyAudience) Valid() bool {
	for _, x := range SurveyAudiences {
		if a == x {
			return true
		}
	}
	return false
}

// Roles returns the school roles whose holders may answer.
func (a SurveyAudience) Roles() []Role {
	switch a {
	case SurveyForStaff:
		var rs []Role
		for _, r := range SchoolRoles {
			if r.isStaffSide() {
				rs = append(rs, r)
			}
		}
		return rs
	case SurveyForRepresentatives:
		return []Role{RoleRepresentative}
	case SurveyForParents:
		return []Role{RoleParent}
	case SurveyForStaffParents:
		return SchoolRoles
	}
	return nil
}

// Includes reports whether someone holding the roles may answer.
func (a SurveyAudience) Includes(roles []Role) bool {
	for _, r := range roles {
		for _, x := range a.Roles() {
			if r == x {
				return true
			}
		}
	}
	return false
}

// DisclosureAudience is the audience of the disclosure that publishes the
// results: those asked read the answer to what they were asked.
func (a SurveyAudience) DisclosureAudience() Audience {
	switch a {
	case SurveyForStaff, SurveyForRepresentatives:
		return AudienceStaff
	}
	return AudienceCommunity
}

// SurveyState is where a survey stands as stored. A survey whose closing
// day has passed is closed whatever its stored state (see Status).
type SurveyState string

// Survey states: questions change only in a draft.
const (
	SurveyDraft  SurveyState = "draft"
	SurveyOpen   SurveyState = "open"
	SurveyClosed SurveyState = "closed"
)

// SurveyStatus is the state as readers see it at a moment.
type SurveyStatus string

// Survey statuses.
const (
	SurveyStatusDraft     SurveyStatus = "draft"
	SurveyStatusScheduled SurveyStatus = "scheduled" // opened, its first day still to come
	SurveyStatusOpen      SurveyStatus = "open"
	SurveyStatusClosed    SurveyStatus = "closed"
)

// Label is the Chinese name of the status.
func (s SurveyStatus) Label() string {
	switch s {
	case SurveyStatusDraft:
		return "草稿"
	case SurveyStatusScheduled:
		return "未开始"
	case SurveyStatusOpen:
		return "进行中"
	case SurveyStatusClosed:
		return "已结束"
	}
	return string(s)
}

// SurveyQuestionKind is the type of a question.
type SurveyQuestionKind string

// SurveyQuestion kinds.
const (
	QuestionSingle   SurveyQuestionKind = "single"   // 单选
	QuestionMultiple SurveyQuestionKind = "multiple" // 多选, with an optional maximum
	QuestionRating   SurveyQuestionKind = "rating"   // 1–5 from 不满意 to 满意
	QuestionText     SurveyQuestionKind = "text"     // 文字意见
)

// SurveyQuestionKinds lists the kinds in the order forms show them.
var SurveyQuestionKinds = []SurveyQuestionKind{QuestionRating, QuestionSingle, QuestionMultiple, QuestionText}

// Label is the Chinese name of the kind.
func (k SurveyQuestionKind) Label() string {
	switch k {
	case QuestionSingle:
		return "单选题"
	case QuestionMultiple:
		return "多选题"
	case QuestionRating:
		return "满意度评分（1–5）"
	case QuestionText:
		return "文字意见"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k SurveyQuestionKind) Valid() bool {
	for _, x := range SurveyQuestionKinds {
		if k == x {
			return true
		}
	}
	return false
}

// SurveyRatingLabels names the values of a rating question, 1 to 5.
var SurveyRatingLabels = [6]string{"", "不满意", "不太满意", "基本满意", "比较满意", "满意"}

// SurveyQuestion is one question of a survey.
type SurveyQuestion struct {
	Position   int // from 1, the order on the form
	Kind       SurveyQuestionKind
	Text       string
	Options    []string // single and multiple choice
	MaxChoices int      // multiple choice: at most this many, 0 for any number
	Required   bool
}

// Survey is a satisfaction survey or a democratic evaluation run by the
// supervision group for an audience of the school.
type Survey struct {
	ID            int64
	SchoolID      int64
	Kind          SurveyKind
	Title         string
	Intro         string
	Audience      SurveyAudience
	State         SurveyState
	OpensOn       time.Time // first day answers are taken (a Beijing date)
	ClosesOn      time.Time // last day answers are taken (a Beijing date)
	ClosedAt      time.Time // when it was closed by hand, before its last day ended
	DisclosureID  int64     // the disclosure publishing its results
	CreatedBy     int64
	CreatedByName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	OpenedAt      time.Time
	Responses     int
	Questions     []SurveyQuestion
}

// Limits of a survey.
const (
	MaxSurveyTitle        = 100
	MaxSurveyIntro        = 2000
	MaxSurveyQuestions    = 50
	MaxSurveyQuestionText = 300
	MaxSurveyOptions      = 20
	MaxSurveyOptionText   = 100
	MaxSurveyTextAnswer   = 2000
	MaxSurveyDays         = 366
	MinSurveyResponses    = 5 // results show from this many responses (k-anonymity)
)

// EndsAt is the moment the survey stops taking answers: when it was
// closed by hand, else the end of its last day in Beijing time.
func (s *Survey) EndsAt() time.Time {
	if !s.ClosedAt.IsZero() {
		return s.ClosedAt
	}
	if s.ClosesOn.IsZero() {
		return time.Time{}
	}
	y, m, d := s.ClosesOn.In(Beijing).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, Beijing)
}

// Status is the survey's state as readers see it at now.
func (s *Survey) Status(now time.Time) SurveyStatus {
	switch {
	case s.State == SurveyDraft:
		return SurveyStatusDraft
	case s.State == SurveyClosed || !now.Before(s.EndsAt()):
		return SurveyStatusClosed
	case now.Before(dateOf(s.OpensOn)):
		return SurveyStatusScheduled
	}
	return SurveyStatusOpen
}

// Validate checks a survey's fields and questions, all problems at once;
// it trims the text first. Field names: title, intro, kind, audience,
// opens_on, closes_on, questions, and q<N>_text, q<N>_kind, q<N>_options,
// q<N>_max for the question at position N.
func (s *Survey) Validate() error {
	fe := FieldErrors{}
	s.Title = strings.TrimSpace(s.Title)
	s.Intro = strings.TrimSpace(strings.ReplaceAll(s.Intro, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(s.Title); {
	case n == 0:
		fe.Add("title", "请填写测评名称。")
	case n > MaxSurveyTitle:
		fe.Add("title", fmt.Sprintf("测评名称不能超过 %d 字。", MaxSurveyTitle))
	}
	if msg := checkFeedbackText(s.Title, false); msg != "" {
		fe.Add("title", msg)
	}
	if utf8.RuneCountInString(s.Intro) > MaxSurveyIntro {
		fe.Add("intro", fmt.Sprintf("说明不能超过 %d 字。", MaxSurveyIntro))
	}
	if msg := checkFeedbackText(s.Intro, true); msg != "" {
		fe.Add("intro", msg)
	}
	if !s.Kind.Valid() {
		fe.Add("kind", "请选择测评类型。")
	}
	if !s.Audience.Valid() {
		fe.Add("audience", "请选择参评范围。")
	}
	switch {
	case s.OpensOn.IsZero():
		fe.Add("opens_on", "请填写开始日期。")
	case s.ClosesOn.IsZero():
		fe.Add("closes_on", "请填写截止日期。")
	case dateOf(s.ClosesOn).Before(dateOf(s.OpensOn)):
		fe.Add("closes_on", "截止日期不能早于开始日期。")
	case dateOf(s.ClosesOn).Sub(dateOf(s.OpensOn)) > MaxSurveyDays*24*time.Hour:
		fe.Add("closes_on", "测评时间不能超过一年。")
	}
	if len(s.Questions) > MaxSurveyQuestions {
		fe.Add("questions", fmt.Sprintf("最多 %d 道题。", MaxSurveyQuestions))
	}
	for i := range s.Questions {
		q := &s.Questions[i]
		q.Position = i + 1
		q.validate(fe)
	}
	return fe.Err()
}

func (q *SurveyQuestion) validate(fe FieldErrors) {
	key := func(f string) string { return fmt.Sprintf("q%d_%s", q.Position, f) }
	q.Text = strings.TrimSpace(q.Text)
	switch n := utf8.RuneCountInString(q.Text); {
	case n == 0:
		fe.Add(key("text"), "请填写题目。")
	case n > MaxSurveyQuestionText:
		fe.Add(key("text"), fmt.Sprintf("题目不能超过 %d 字。", MaxSurveyQuestionText))
	}
	if msg := checkFeedbackText(q.Text, false); msg != "" {
		fe.Add(key("text"), msg)
	}
	if !q.Kind.Valid() {
		fe.Add(key("kind"), "请选择题型。")
		return
	}
	var opts []string
	for _, o := range q.Options {
		if o = strings.TrimSpace(o); o != "" {
			opts = append(opts, o)
		}
	}
	q.Options = opts
	switch q.Kind {
	case QuestionSingle, QuestionMultiple:
		seen := map[string]bool{}
		for _, o := range opts {
			if utf8.RuneCountInString(o) > MaxSurveyOptionText {
				fe.Add(key("options"), fmt.Sprintf("每个选项不能超过 %d 字。", MaxSurveyOptionText))
			}
			if msg := checkFeedbackText(o, false); msg != "" {
				fe.Add(key("options"), msg)
			}
			if seen[o] {
				fe.Add(key("options"), fmt.Sprintf("选项“%s”重复了。", o))
			}
			seen[o] = true
		}
		if len(opts) < 2 || len(opts) > MaxSurveyOptions {
			fe.Add(key("options"), fmt.Sprintf("选择题须有 2–%d 个选项，每行一个。", MaxSurveyOptions))
		}
		if q.Kind == QuestionSingle {
			q.MaxChoices = 0
		} else if q.MaxChoices < 0 || (len(opts) >= 2 && q.MaxChoices > len(opts)) {
			fe.Add(key("max"), "最多可选项数须在 0（不限）到选项数之间。")
		}
	default:
		if len(opts) > 0 {
			fe.Add(key("options"), "评分题和文字题不需要填写选项。")
		}
		q.MaxChoices = 0
	}
}

// ValidateForOpen checks what opening needs besides Validate: at least one
// question, and a last day not yet past at now.
func (s *Survey) ValidateForOpen(now time.Time) error {
	fe := FieldErrors{}
	for k, v := range ErrorFields(s.Validate()) {
		fe.Add(k, v)
	}
	if len(s.Questions) == 0 {
		fe.Add("questions", "请至少添加一道题。")
	}
	if !s.ClosesOn.IsZero() && PeriodOver(s.ClosesOn, now) {
		fe.Add("closes_on", "截止日期已过，请修改后再开始测评。")
	}
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "测评还不能开始：" + surveyMessages(fe), Fields: fe}
}

func surveyMessages(fe FieldErrors) string {
	var msgs []string
	for _, q := range []string{"title", "kind", "audience", "opens_on", "closes_on", "questions"} {
		if m, ok := fe[q]; ok {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) < len(fe) {
		msgs = append(msgs, "题目有误，请修改。")
	}
	return strings.Join(msgs, " ")
}

// ---- Who may do what -----------------------------------------------------

// SurveyAction is a step of a survey's life.
type SurveyAction string

// Survey actions.
const (
	SurveyEdit    SurveyAction = "edit"
	SurveyStart   SurveyAction = "open"
	SurveyFinish  SurveyAction = "close"
	SurveyPublish SurveyAction = "publish" // results as a draft disclosure
)

// Label is the Chinese name of the action.
func (a SurveyAction) Label() string {
	switch a {
	case SurveyEdit:
		return "修改"
	case SurveyStart:
		return "开始测评"
	case SurveyFinish:
		return "结束测评"
	case SurveyPublish:
		return "公开测评结果"
	}
	return string(a)
}

// CanManageSurveys reports whether the actor creates and runs the school's
// surveys: the supervision group, and the principal.
func CanManageSurveys(a *Actor, schoolID int64) bool {
	return a.HasRole(schoolID, RoleSupervisor) || a.HasRole(schoolID, RolePrincipal)
}

// CanSeeSurveyResults reports whether the actor reads the results before
// they are published: the supervision group, the principal, the leadership
// group and the bureau.
func CanSeeSurveyResults(a *Actor, schoolBureauID, schoolID int64) bool {
	return a.Oversees(schoolBureauID) || a.HasRole(schoolID, RoleSupervisor) || a.HasRole(schoolID, RolePrincipal) || a.HasRole(schoolID, RoleLeader)
}

// CanSeeSurvey decides whether the actor may open the survey's page:
// those who read its results, always; members of the school once it is no
// longer a draft. Callers answer ENOTFOUND otherwise.
func CanSeeSurvey(a *Actor, schoolBureauID int64, s *Survey) bool {
	if CanSeeSurveyResults(a, schoolBureauID, s.SchoolID) {
		return true
	}
	return s.State != SurveyDraft && a.IsMember(s.SchoolID)
}

// Eligible reports whether the actor belongs to the survey's audience.
func (s *Survey) Eligible(a *Actor) bool {
	return !a.Anonymous() && s.Audience.Includes(a.Roles(s.SchoolID))
}

// CanAnswer says whether the actor may answer at now: nil when they may;
// EFORBIDDEN outside the audience, ECONFLICT when it is not open. Whether
// they answered already is the store's to say.
func (s *Survey) CanAnswer(a *Actor, now time.Time) error {
	if a.Anonymous() {
		return Errorf(EUNAUTHENTICATED, "请先登录。")
	}
	if !s.Eligible(a) {
		return Errorf(EFORBIDDEN, "本次测评面向%s，您不在参评范围内。", s.Audience.Label())
	}
	switch s.Status(now) {
	case SurveyStatusDraft:
		return Errorf(ECONFLICT, "本次测评尚未开始。")
	case SurveyStatusScheduled:
		y, m, d := s.OpensOn.In(Beijing).Date()
		return Errorf(ECONFLICT, "本次测评将于%d年%d月%d日开始。", y, m, d)
	case SurveyStatusClosed:
		return Errorf(ECONFLICT, "本次测评已结束，不再接受答卷。")
	}
	return nil
}

// AuthorizeSurvey decides whether the actor may take the step on the
// survey at now: EFORBIDDEN for anyone but its managers, ECONFLICT when the
// survey's status does not allow it.
func AuthorizeSurvey(a *Actor, s *Survey, act SurveyAction, now time.Time) error {
	if a.Anonymous() {
		return Errorf(EUNAUTHENTICATED, "请先登录。")
	}
	if !CanManageSurveys(a, s.SchoolID) {
		return Errorf(EFORBIDDEN, "测评由监督小组或校长管理。")
	}
	st := s.Status(now)
	switch act {
	case SurveyEdit, SurveyStart:
		if st != SurveyStatusDraft {
			return Errorf(ECONFLICT, "测评已开始，题目不能再修改。")
		}
	case SurveyFinish:
		if st != SurveyStatusOpen && st != SurveyStatusScheduled {
			return Errorf(ECONFLICT, "当前状态（%s）不能结束测评。", st.Label())
		}
	case SurveyPublish:
		if st != SurveyStatusClosed {
			return Errorf(ECONFLICT, "测评结束后才能公开结果。")
		}
		if s.DisclosureID != 0 {
			return Errorf(ECONFLICT, "测评结果已生成公开事项。")
		}
		if s.Responses < MinSurveyResponses {
			return Errorf(ECONFLICT, "答卷少于 %d 份，为保护参评人，结果不予公开。", MinSurveyResponses)
		}
	default:
		return Errorf(EINVALID, "没有这个操作。")
	}
	return nil
}

// AvailableSurveyActions lists the steps the actor may take now, for buttons.
func AvailableSurveyActions(a *Actor, s *Survey, now time.Time) []SurveyAction {
	var out []SurveyAction
	for _, act := range []SurveyAction{SurveyEdit, SurveyStart, SurveyFinish, SurveyPublish} {
		if AuthorizeSurvey(a, s, act, now) == nil {
			out = append(out, act)
		}
	}
	return out
}

// ---- Answers -------------------------------------------------------------

// SurveyAnswer is one person's answer to one question: the chosen options (from
// 1), the rating (1–5) as the one choice, or the text.
type SurveyAnswer struct {
	Position int
	Choices  []int
	Text     string
}

// ValidateAnswers checks a response against the questions, all problems
// at once (fields q<N>), and returns the answers in question order without
// the unanswered ones.
func (s *Survey) ValidateAnswers(in []SurveyAnswer) ([]SurveyAnswer, error) {
	fe := FieldErrors{}
	byPos := map[int]SurveyAnswer{}
	for _, a := range in {
		if a.Position < 1 || a.Position > len(s.Questions) {
			fe.Add("answers", fmt.Sprintf("没有第 %d 题。", a.Position))
			continue
		}
		if _, dup := byPos[a.Position]; dup {
			fe.Add(fmt.Sprintf("q%d", a.Position), "同一道题只能回答一次。")
		}
		byPos[a.Position] = a
	}
	var out []SurveyAnswer
	for _, q := range s.Questions {
		key := fmt.Sprintf("q%d", q.Position)
		a, ok := byPos[q.Position]
		a.Position = q.Position
		a.Text = strings.TrimSpace(strings.ReplaceAll(a.Text, "\r\n", "\n"))
		empty := !ok || (len(a.Choices) == 0 && a.Text == "")
		if empty {
			if q.Required {
				fe.Add(key, "请回答此题。")
			}
			continue
		}
		switch q.Kind {
		case QuestionText:
			if len(a.Choices) > 0 {
				fe.Add(key, "此题请填写文字。")
			} else if utf8.RuneCountInString(a.Text) > MaxSurveyTextAnswer {
				fe.Add(key, fmt.Sprintf("不能超过 %d 字。", MaxSurveyTextAnswer))
			} else if msg := checkFeedbackText(a.Text, true); msg != "" {
				fe.Add(key, msg)
			}
			a.Choices = nil
		case QuestionRating, QuestionSingle:
			top := len(q.Options)
			if q.Kind == QuestionRating {
				top = 5
			}
			if len(a.Choices) != 1 || a.Text != "" {
				fe.Add(key, "此题只能选一项。")
			} else if a.Choices[0] < 1 || a.Choices[0] > top {
				fe.Add(key, "所选的选项不存在。")
			}
		case QuestionMultiple:
			seen := map[int]bool{}
			for _, c := range a.Choices {
				if c < 1 || c > len(q.Options) || seen[c] {
					fe.Add(key, "所选的选项不存在或重复。")
				}
				seen[c] = true
			}
			if a.Text != "" {
				fe.Add(key, "此题请选择选项。")
			}
			if q.MaxChoices > 0 && len(a.Choices) > q.MaxChoices {
				fe.Add(key, fmt.Sprintf("此题最多选 %d 项。", q.MaxChoices))
			}
		}
		out = append(out, a)
	}
	if len(fe) > 0 {
		return nil, &Error{Code: EINVALID, Message: "请检查标红的题目。", Fields: fe}
	}
	return out, nil
}

// ---- Results -------------------------------------------------------------

// SurveyTally is how often one value was given to one question: an
// option (from 1) of a choice question, or a rating.
type SurveyTally struct {
	Position, Choice, N int
}

// SurveyResults are a survey's aggregated answers.
type SurveyResults struct {
	// Running is set while the survey is still open: then nothing but the
	// count is given, to anyone. Results that change as answers arrive
	// would show what the last person answered to whoever compares them.
	Running   bool
	Responses int
	Eligible  int     // members of the audience now
	Score     float64 // 0–100 from every rating given; -1 without ratings
	Questions []SurveyQuestionResult
}

// SurveyQuestionResult is the aggregate of one question.
type SurveyQuestionResult struct {
	SurveyQuestion
	Answered int // responses that answered it
	Options  []SurveyOptionResult
	Mean     float64 // rating: mean of 1–5; 0 when nobody rated
	Score    float64 // rating: (Mean-1)/4·100; -1 when nobody rated
	Texts    []string
}

// SurveyOptionResult is one option (or rating value) with its count and its share
// of the responses that answered the question (multiple choice shares add
// up to more than 100).
type SurveyOptionResult struct {
	Value   int
	Label   string
	N       int
	Percent float64
}

// Shown reports whether there are enough responses to show the results
// without exposing anyone (k-anonymity, k = MinSurveyResponses).
func (r *SurveyResults) Shown() bool { return !r.Running && r.Responses >= MinSurveyResponses }

// Rate is the response rate in percent; 0 when nobody is eligible.
func (r *SurveyResults) Rate() float64 {
	if r.Eligible == 0 {
		return 0
	}
	return math.Min(100, float64(r.Responses)*100/float64(r.Eligible))
}

// RatingScore turns a mean rating of 1–5 into 0–100.
func RatingScore(mean float64) float64 { return (mean - 1) / 4 * 100 }

// Tally builds the results from the counts per question and value
// (answered: responses per question), the free texts (shown in the order
// given: the store shuffles them) and the number of responses and of
// eligible members.
func (s *Survey) Tally(responses, eligible int, tallies []SurveyTally, answered map[int]int, texts map[int][]string) *SurveyResults {
	r := &SurveyResults{Responses: responses, Eligible: eligible, Score: -1}
	count := map[[2]int]int{}
	for _, t := range tallies {
		count[[2]int{t.Position, t.Choice}] += t.N
	}
	var sum, n int
	for _, q := range s.Questions {
		qr := SurveyQuestionResult{SurveyQuestion: q, Answered: answered[q.Position], Score: -1, Texts: texts[q.Position]}
		pct := func(k int) float64 {
			if qr.Answered == 0 {
				return 0
			}
			return float64(k) * 100 / float64(qr.Answered)
		}
		switch q.Kind {
		case QuestionSingle, QuestionMultiple:
			for i, o := range q.Options {
				k := count[[2]int{q.Position, i + 1}]
				qr.Options = append(qr.Options, SurveyOptionResult{Value: i + 1, Label: o, N: k, Percent: pct(k)})
			}
		case QuestionRating:
			var qs, qn int
			for v := 5; v >= 1; v-- {
				k := count[[2]int{q.Position, v}]
				qr.Options = append(qr.Options, SurveyOptionResult{Value: v, Label: SurveyRatingLabels[v], N: k, Percent: pct(k)})
				qs += v * k
				qn += k
			}
			if qn > 0 {
				qr.Mean = float64(qs) / float64(qn)
				qr.Score = RatingScore(qr.Mean)
			}
			sum += qs
			n += qn
		}
		r.Questions = append(r.Questions, qr)
	}
	if n > 0 {
		r.Score = RatingScore(float64(sum) / float64(n))
	}
	return r
}

// ResultsMarkdown is the body of the disclosure publishing the results:
// who was asked, how many answered, the overall score and one table per
// question. Free texts are not published word for word, as a person may be
// recognised by how they write; their number is, and the supervision group
// passes them on to be handled.
func (s *Survey) ResultsMarkdown(r *SurveyResults) string {
	var b strings.Builder
	day := func(t time.Time) string {
		y, m, d := t.In(Beijing).Date()
		return fmt.Sprintf("%d年%d月%d日", y, m, d)
	}
	last := s.ClosesOn
	if !s.ClosedAt.IsZero() {
		last = s.ClosedAt
	}
	fmt.Fprintf(&b, "学校监督小组于%s至%s组织开展了“%s”（%s），参评范围为%s。测评以不记名方式进行，每人限答一次，现将结果公布如下。\n\n",
		day(s.OpensOn), day(last), surveyMD(s.Title), s.Kind.Label(), s.Audience.Label())
	fmt.Fprintf(&b, "| 项目 | 结果 |\n| --- | ---: |\n| 应参评人数 | %d |\n| 实收答卷 | %d |\n| 参评率 | %.1f%% |\n", r.Eligible, r.Responses, r.Rate())
	if r.Score >= 0 {
		fmt.Fprintf(&b, "| 综合满意度得分（满分100） | %.1f |\n", r.Score)
	}
	b.WriteString("\n")
	for _, q := range r.Questions {
		fmt.Fprintf(&b, "### %d. %s\n\n", q.Position, surveyMD(q.Text))
		switch q.Kind {
		case QuestionText:
			fmt.Fprintf(&b, "共收到文字意见 %d 条，已由监督小组整理转交学校研究办理。\n\n", len(q.Texts))
			continue
		case QuestionMultiple:
			b.WriteString("（多选题，比例为选择该项的人数占本题作答人数的比例）\n\n")
		}
		b.WriteString("| 选项 | 人数 | 比例 |\n| --- | ---: | ---: |\n")
		for _, o := range q.Options {
			fmt.Fprintf(&b, "| %s | %d | %.1f%% |\n", surveyMD(o.Label), o.N, o.Percent)
		}
		fmt.Fprintf(&b, "| 本题作答 | %d | |\n", q.Answered)
		if q.Kind == QuestionRating && q.Score >= 0 {
			fmt.Fprintf(&b, "\n平均分 %.2f（满分5分），折合满意度得分 %.1f。\n", q.Mean, q.Score)
		}
		b.WriteString("\n")
	}
	b.WriteString("如对测评结果有异议，请在公示期内通过意见箱或校长信箱反映。\n")
	return b.String()
}

// surveyMD keeps a text from breaking a Markdown table or starting markup.
func surveyMD(s string) string {
	return strings.NewReplacer("\\", "\\\\", "|", "\\|", "\n", " ", "*", "\\*", "_", "\\_", "#", "\\#", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]", "`", "\\`").Replace(s)
}

// ---- The shipped default ------------------------------------------------

// DefaultSurveyTitle is the title of the shipped template.
const DefaultSurveyTitle = "校务公开工作满意度测评"

// DefaultSurvey is the shipped satisfaction survey on the school's
// disclosure work, for staff and parents, over the two weeks from today.
func DefaultSurvey(schoolID int64, today time.Time) *Survey {
	today = dateOf(today)
	ratings := func(text string) SurveyQuestion {
		return SurveyQuestion{Kind: QuestionRating, Text: text, Required: true}
	}
	qs := []SurveyQuestion{
		ratings("您对学校校务公开的及时性是否满意（如收费、财务、评优等事项是否按时公开）？"),
		ratings("您对学校校务公开内容的完整性是否满意（应公开的事项是否都已公开）？"),
		ratings("您认为学校公开的信息是否真实、准确？"),
		ratings("您能否方便地找到需要的公开信息（公开栏、网上公开栏、家长会等）？"),
		{Kind: QuestionSingle, Text: "您通过意见箱、校长信箱等提出的意见或异议，是否得到了答复？", Required: true,
			Options: []string{"都得到了及时答复", "得到了答复，但不够及时", "部分得到答复", "没有得到答复", "没有提出过意见"}},
		{Kind: QuestionMultiple, Text: "您主要通过哪些渠道了解学校公开的信息？（可多选）",
			Options: []string{"网上公开栏", "校务公开栏（实体）", "家长会", "教职工大会", "班级群通知", "其他"}},
		ratings("总体而言，您对学校校务公开工作是否满意？"),
		{Kind: QuestionText, Text: "您对学校校务公开工作有什么意见和建议？"},
	}
	for i := range qs {
		qs[i].Position = i + 1
	}
	return &Survey{
		SchoolID: schoolID, Kind: SurveySatisfaction, Title: DefaultSurveyTitle, Audience: SurveyForStaffParents,
		Intro:   "为进一步做好校务公开工作，学校监督小组开展本次满意度测评。测评不记名，系统不保存答卷与答题人之间的任何对应关系，每人限答一次，请根据实际情况如实填写。",
		OpensOn: today, ClosesOn: today.AddDate(0, 0, 14), State: SurveyDraft, Questions: qs,
	}
}
