package handlers

import (
	"testing"
	"time"

	"rounds/models"
)

func TestSeatsLeftWords(t *testing.T) {
	room := func(capacity, left, waiting int) seats {
		return seats{Mode: models.ModeInPerson, Capacity: capacity, Left: left, Waiting: waiting}
	}
	online := func(capacity, left, waiting int) seats {
		return seats{Mode: models.ModeOnline, Capacity: capacity, Left: left, Waiting: waiting}
	}
	cases := []struct {
		name  string
		seats []seats
		want  string
	}{
		{"room with seats, online without a limit", []seats{room(40, 12, 0), online(-1, -1, 0)}, "12 seats left in the room · online open"},
		{"room full with a queue, online open", []seats{room(40, 0, 3), online(-1, -1, 0)}, "Full in the room · 3 waiting · online open"},
		{"room full, nobody waiting", []seats{room(20, 0, 0)}, "Full in the room"},
		{"room full with a queue", []seats{room(20, 0, 3)}, "Full in the room · 3 waiting"},
		{"one seat", []seats{room(20, 1, 0)}, "1 seat left in the room"},
		{"online only, limited", []seats{online(100, 7, 0)}, "7 online places left"},
		{"online only, one place", []seats{online(100, 1, 0)}, "1 online place left"},
		{"online only, full", []seats{online(100, 0, 2)}, "Full online · 2 waiting"},
		{"online only, no limit", []seats{online(-1, -1, 0)}, "Online open"},
		{"both full", []seats{room(10, 0, 1), online(5, 0, 4)}, "Full in the room · 1 waiting · full online · 4 waiting"},
		{"room open, online full", []seats{room(10, 2, 0), online(5, 0, 0)}, "2 seats left in the room · full online"},
		{"nothing to book", nil, ""},
	}
	for _, tc := range cases {
		if got := seatsLeftWords(tc.seats); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDayHeading(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 12, 30, 23, 30, 0, 0, london)
	cases := []struct {
		day  time.Time
		want string
	}{
		{time.Date(2026, 12, 30, 8, 0, 0, 0, london), "Today"},
		{time.Date(2026, 12, 31, 0, 10, 0, 0, london), "Tomorrow"},
		{time.Date(2027, 1, 1, 18, 0, 0, 0, london), "Fri 1 Jan 2027"},
		{time.Date(2026, 12, 29, 18, 0, 0, 0, london), "Tue 29 Dec"},
	}
	for _, tc := range cases {
		if got := dayHeading(tc.day, today); got != tc.want {
			t.Errorf("dayHeading(%s) = %q, want %q", tc.day, got, tc.want)
		}
	}
	// Across the clock change: days, not 24-hour periods.
	oct := time.Date(2026, 10, 24, 23, 0, 0, 0, london)
	if got := dayHeading(time.Date(2026, 10, 25, 23, 30, 0, 0, london), oct); got != "Tomorrow" {
		t.Errorf("the day after, across the October change: %q", got)
	}
}
