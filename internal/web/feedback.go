package web

import (
	"net/url"
	"strconv"

	"gongkai"
)

// The feedback pages ("有公示、有回音、有结果"): five ways in from the public
// board, the receipt and its lookup, the public questions and answers, the
// staff queue and case page, and the school's settings.
//
// A receipt's secret travels only in POST bodies and in pages marked
// no-store: never in a URL, a cookie or a log.

// maxFeedbackFiles bounds the files of one submission or message.
const maxFeedbackFiles = 5

// casesPerPage is how many cases a queue shows on one page.
const casesPerPage = 20

// feedbackKindText is what each form says about its kind: its heading, the
// introduction and the navigation item it belongs to.
var feedbackKindText = map[gongkai.FeedbackKind]struct{ Heading, Intro, Nav string }{
	gongkai.KindObjection: {"对公示事项提出异议", "对公示中的事项有不同意见，请在公示期内提出。学校核实后答复；确有问题的，整改并公开整改结果。", "board"},
	gongkai.KindOpinion:   {"意见箱", "对学校工作的意见和建议，欢迎留言。学校会在规定期限内答复。", "opinion"},
	gongkai.KindMailbox:   {"校长信箱", "写给校长的信，由校长或领导小组阅处并答复。", "mailbox"},
	gongkai.KindReport:    {"举报", "反映乱收费、违反校务公开规定、违规违纪等问题，由学校监督小组受理。可以匿名举报。", "report"},
	gongkai.KindRequest:   {"依申请公开", "希望学校公开某项信息（点题公开），请写明希望公开的内容和用途。支持人数达到规定人数的申请，学校须公开答复。", "request"},
}

func feedbackFormURL(school *gongkai.School, kind gongkai.FeedbackKind) string {
	return "/s/" + school.Slug + "/feedback/new?kind=" + string(kind)
}

func casesURL(school *gongkai.School) string { return "/s/" + school.Slug + "/cases" }

func caseURL(school *gongkai.School, id int64) string {
	return casesURL(school) + "/" + strconv.FormatInt(id, 10)
}

// myCaseURL is the page where a signed-in sender follows a case sent with
// their name.
func myCaseURL(school *gongkai.School, id int64) string {
	return "/s/" + school.Slug + "/feedback/" + strconv.FormatInt(id, 10)
}

// formErrors are the messages of a refused form by field, the store's
// "attachments" shown at the form's "file"; a message about no field goes
// with the field fallback.
func formErrors(err error, fallback string) map[string]string {
	fields := map[string]string{}
	for k, v := range gongkai.ErrorFields(err) {
		if k == "attachments" {
			k = "file"
		}
		fields[k] = v
	}
	if len(fields) == 0 {
		fields[fallback] = gongkai.ErrorMessage(err)
	}
	return fields
}

// The thread, as the sender and as staff read it.

// threadView is a case's thread for the "feedback-thread" partial.
type threadView struct {
	b        *base
	Messages []gongkai.FeedbackMessage
	Staff    bool   // shown to staff: internal notes are marked, files open
	filesURL string // staff: prefix of the case's file links
	// Sender, for the sender's view: their files download by a POST with
	// the receipt and secret (or, for their own named case, its id).
	Sender *senderCase
}

// FileURL is where staff open a file of the case; senders, who sent the
// files themselves, see their names only.
func (v threadView) FileURL(a gongkai.Attachment) string {
	if v.filesURL == "" {
		return ""
	}
	return v.filesURL + strconv.FormatInt(a.ID, 10) + "/" + url.PathEscape(a.Filename)
}

// T translates for the partial.
func (v threadView) T(zh string) string { return v.b.T(zh) }

// ThreadView is the thread as the sender may read it.
func (p *lookupPage) ThreadView() threadView {
	return threadView{b: &p.base, Messages: p.Case.Thread, Sender: p.Case}
}

// ThreadView is the whole thread, for staff.
func (p *casePage) ThreadView() threadView {
	return threadView{b: &p.base, Messages: p.Thread, Staff: true, filesURL: p.StepURL + "files/"}
}
