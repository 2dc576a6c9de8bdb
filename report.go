package gongkai

import (
	"fmt"
	"strings"
)

// The annual disclosure report (校务公开工作年度报告) of a school or a bureau is
// generated from the year's data in the layout of the national annual
// report on government information disclosure; people write three of its
// paragraphs.

// ReportSections are the headings of the annual report, in order.
var ReportSections = []string{
	"一、总体情况",
	"二、主动公开情况",
	"三、依申请公开情况",
	"四、异议、意见和举报处理情况",
	"五、满意度测评情况",
	"六、存在的主要问题及改进情况",
	"七、其他需要报告的事项",
}

// ReportText is what people write in a school's annual report: the
// overview of section one, the problems and improvements of section six and
// the other matters of section seven.
type ReportText struct {
	Summary  string
	Problems string
	Other    string
}

// MaxReportParagraph is the length limit of each written paragraph.
const MaxReportParagraph = 5000

// Validate trims the paragraphs and checks their length and characters;
// field names are "summary", "problems" and "other".
func (t *ReportText) Validate() error {
	fe := FieldErrors{}
	for _, p := range []struct {
		field string
		text  *string
	}{{"summary", &t.Summary}, {"problems", &t.Problems}, {"other", &t.Other}} {
		*p.text = strings.TrimSpace(strings.ReplaceAll(*p.text, "\r\n", "\n"))
		if msg := checkPlain(*p.text, MaxReportParagraph); msg != "" {
			fe.Add(p.field, msg)
		}
	}
	return fe.Err()
}

// CanReadReport decides whether the actor may read the school's annual
// report before it is published: the principal, the leadership group, the
// supervision group and the bureau. Others are answered 404; the public
// reads the report once it is published as a disclosure.
func CanReadReport(a *Actor, schoolBureauID, schoolID int64) bool {
	return CanReadInspection(a, schoolBureauID, schoolID)
}

// CanEditReport reports whether the actor writes the report's paragraphs
// and publishes it: the principal, who signs the school's report.
func CanEditReport(a *Actor, schoolID int64) bool { return a.HasRole(schoolID, RolePrincipal) }

// ValidReportYear reports whether year is one a report can be made for at
// the current year now: from 2000 to this year.
func ValidReportYear(year, now int) bool { return year >= 2000 && year <= now }

// ReportTitle is the title of a school's report of the year.
func ReportTitle(schoolName string, year int) string {
	return fmt.Sprintf("%s%d年度校务公开工作年度报告", schoolName, year)
}
