package gongkai

import "testing"

func TestEventTypeFamily(t *testing.T) {
	for _, tc := range []struct {
		typ  EventType
		want string
	}{
		{EventFeedbackReplied, "feedback"},
		{EventDisclosureRedacted, "disclosure"},
		{EventOrderOverdue, "order"},
		{EventSurveyResultsDrafted, "survey"},
		{EventMailSend, "mail"},
		{"nodot", "nodot"},
		{"", ""},
	} {
		if got := tc.typ.Family(); got != tc.want {
			t.Errorf("%q.Family() = %q, want %q", tc.typ, got, tc.want)
		}
	}
}
