package models

import (
	"strings"
	"testing"
)

func TestPlaceOnRegister(t *testing.T) {
	for _, tc := range []struct {
		booking BookingStatus
		status  AttendanceStatus
		want    RegisterPlace
	}{
		{BookingConfirmed, "", PlaceBooked},
		{BookingConfirmed, AttendancePresent, PlaceBooked},
		{BookingConfirmed, AttendanceAbsent, PlaceBooked},
		{BookingConfirmed, AttendanceExcused, PlaceBooked},
		{BookingWaitlisted, "", PlaceWaitlisted},
		{BookingWaitlisted, AttendanceAbsent, PlaceWaitlisted},
		{BookingWaitlisted, AttendanceExcused, PlaceWaitlisted},
		{BookingWaitlisted, AttendancePresent, PlaceWalkIn},
		{BookingWaitlisted, AttendanceLate, PlaceWalkIn},
		{"", AttendancePresent, PlaceWalkIn},
		{"", AttendanceLate, PlaceWalkIn},
		{BookingCancelled, AttendancePresent, PlaceWalkIn},
		// Apologies give up the booking and excuse the student: never a walk-in.
		{"", AttendanceExcused, PlaceApologies},
		{BookingCancelled, AttendanceExcused, PlaceApologies},
		{"", AttendanceAbsent, PlaceNotBooked},
		{"", "", PlaceNotBooked},
	} {
		if got := PlaceOnRegister(tc.booking, tc.status); got != tc.want {
			t.Errorf("PlaceOnRegister(%q, %q) = %q, want %q", tc.booking, tc.status, got, tc.want)
		}
	}
}

func TestRegisterPlaceWords(t *testing.T) {
	for _, p := range []RegisterPlace{PlaceBooked, PlaceWaitlisted, PlaceWalkIn, PlaceApologies, PlaceNotBooked} {
		if !p.Valid() || p.Label() == string(p) || strings.Contains(p.Label(), "_") {
			t.Errorf("%q: label %q, valid %v", p, p.Label(), p.Valid())
		}
	}
	if PlaceApologies.Label() == PlaceWalkIn.Label() {
		t.Error("apologies read as a walk-in")
	}
}

func TestChooseMessage(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{ChooseMessage(Modes...), "Choose in person, online or in person and online."},
		{ChooseMessage(ModeInPerson, ModeOnline), "Choose in person or online."},
		{ChooseMessage(Formats...), "Choose lecture, small group, practical or workshop."},
		{ChooseMessage(SessionStatuses...), "Choose draft, published or cancelled."},
		{ChooseMessage(Roles...), "Choose student, teacher or committee."},
		{ChooseMessage(AttendanceStatuses...), "Choose present, late, absent or excused."},
		{ChooseMessage(ModeOnline), "Choose online."},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestMatchByHand(t *testing.T) {
	plan := ImportPlan{MinMinutes: 30, Lines: []ImportLine{
		{Name: "Priya", Minutes: 80, UserID: 1, Action: ImportMarkPresent},
		{Name: "iPhone of P.", Minutes: 70, Action: ImportUnmatched},
		{Name: "Guest", Minutes: 10, Action: ImportUnmatched},
		{Name: "Someone", Minutes: 60, Action: ImportUnmatched},
	}}
	cands := map[int64]User{2: {ID: 2, Name: "Sam"}, 3: {ID: 3, Name: "Tao"}, 4: {ID: 4, Name: "Uma"}}
	got, p := matchByHand(plan, map[int]int64{1: 2, 2: 3, 3: 4}, cands, map[int64]bool{4: true})
	if len(p) != 0 {
		t.Fatalf("problems: %v", p)
	}
	want := []struct {
		uid    int64
		action ImportAction
	}{{1, ImportMarkPresent}, {2, ImportMarkPresent}, {3, ImportTooShort}, {4, ImportKeptRegister}}
	for i, w := range want {
		if l := got.Lines[i]; l.UserID != w.uid || l.Action != w.action {
			t.Errorf("line %d: %d %q, want %d %q", i, l.UserID, l.Action, w.uid, w.action)
		}
	}
	if plan.Lines[1].UserID != 0 {
		t.Error("the kept plan was changed in place")
	}
	for name, tc := range map[string]struct {
		byHand map[int]int64
		field  string
	}{
		"a matched line":    {map[int]int64{0: 2}, "match-0"},
		"no such line":      {map[int]int64{9: 2}, "match-9"},
		"not a candidate":   {map[int]int64{1: 1}, "match-1"},
		"one member, twice": {map[int]int64{1: 2, 3: 2}, "match-3"},
		"a negative line":   {map[int]int64{-1: 2}, "match--1"},
	} {
		if _, p := matchByHand(plan, tc.byHand, cands, nil); p[tc.field] == "" {
			t.Errorf("%s: no problem on %s: %v", name, tc.field, p)
		}
	}
	if got, p := matchByHand(plan, map[int]int64{1: 0}, cands, nil); len(p) != 0 || got.Lines[1].Action != ImportUnmatched {
		t.Errorf("none chosen: %v %+v", p, got.Lines[1])
	}
}
