package handlers

import (
	"testing"
	"time"

	"rounds/internal/config"
)

// A session's time says the end's date only when it is another day, and
// each end's zone when the clocks change in between.
func TestWhenSaysTheDayAndTheZone(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{Config: config.Config{Location: london}}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct{ start, end, want string }{
		{"2026-11-03T18:00:00Z", "2026-11-03T19:30:00Z", "Tue 3 Nov 2026, 18:00–19:30 GMT"},
		{"2026-10-24T17:00:00Z", "2026-10-24T18:30:00Z", "Sat 24 Oct 2026, 18:00–19:30 BST"},
		{"2026-10-24T23:30:00Z", "2026-10-25T01:30:00Z", "Sun 25 Oct 2026, 00:30 BST–01:30 GMT"},
		{"2026-11-05T23:00:00Z", "2026-11-06T00:30:00Z", "Thu 5 Nov 2026, 23:00–Fri 6 Nov 2026, 00:30 GMT"},
		{"2027-03-27T23:00:00Z", "2027-03-28T09:00:00Z", "Sat 27 Mar 2027, 23:00 GMT–Sun 28 Mar 2027, 10:00 BST"},
	} {
		if got := h.when(at(c.start), at(c.end)); got != c.want {
			t.Errorf("when(%s, %s) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}
