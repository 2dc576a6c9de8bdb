package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai"
)

var regexpHot = regexp.MustCompile(`点题公开申请 \d[^<]*`)

// TestReview_leadershipReportsStayWithTheBureau: a report about the
// leadership goes to the bureau past the school, so the school's annual
// report and its self-inspection evidence, which the principal reads, do
// not count it (they did, telling the principal that a report came in and
// when); the bureau's report does.
func TestReview_leadershipReportsStayWithTheBureau(t *testing.T) {
	eachHarness(t, func(t *testing.T, h *harness) {
		ctx := context.Background()
		send := func(about gongkai.Subject, subject string) {
			_, _, err := h.db.CreateFeedback(ctx, h.school.ID, &gongkai.NewFeedback{Kind: gongkai.KindReport, Subject: subject,
				Body: subject + "，请查处。", Anonymous: true, About: about, AboutName: "某某"})
			must(t, err)
		}
		send(gongkai.SubjectStaff, "举报食堂采购问题")
		send(gongkai.SubjectLeadership, "举报校长违规收费")
		year := strconv.Itoa(time.Now().In(gongkai.Beijing).Year())
		term := gongkai.TermOf(h.db.Now())
		_, err := h.db.SaveInspection(ctx, h.school.ID, h.actor("xq.supervisor"), gongkai.InspectionSave{Term: term})
		must(t, err)
		for _, who := range []string{"xq.principal", "xq.leader", "xq.supervisor", "bureau.inspector"} {
			c := h.client(who)
			_, body := h.get(c, "/s/xq/report/"+year)
			if !strings.Contains(body, "收到异议、意见、来信和举报 1 件") {
				t.Errorf("%s: the school's report does not count the one report the school handles", who)
			}
			_, body = h.get(c, "/s/xq/inspection/"+term.Key())
			if !strings.Contains(body, "举报 1 件") {
				t.Errorf("%s: the self-inspection evidence does not count the one report the school handles: %s", who, regexpHot.FindString(body))
			}
		}
		_, body := h.get(h.client("bureau.admin"), "/bureau/report/"+year)
		if !strings.Contains(body, "收到异议、意见、来信和举报 2 件") {
			t.Errorf("the bureau's report does not count both reports")
		}
	})
}
