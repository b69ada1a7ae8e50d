package handlers

import (
	"strings"
	"testing"

	"rounds/models"
)

// TestDashboardWords: a count of one reads in the singular.
func TestDashboardWords(t *testing.T) {
	rate := 0.5
	figures := dashHeadline(models.Headline{NoShows: 1, Responses: 1, Came: 1, Online: 1, NoShowRate: &rate, ResponseRate: &rate, OnlineShare: &rate, AttendanceRate: &rate})
	var all []string
	for _, f := range figures {
		all = append(all, f.Detail)
	}
	text := strings.Join(all, " | ")
	for _, want := range []string{"1 no-show |", "1 answer |", "1 of 1 attendance online"} {
		if !strings.Contains(text+" |", want) {
			t.Errorf("headline details %q lack %q", text, want)
		}
	}
	if got := dashCount(1234, "walk-in", "walk-ins"); got != "1,234 walk-ins" {
		t.Errorf("dashCount(1234) = %q", got)
	}
}
