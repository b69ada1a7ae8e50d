package models

import (
	"errors"
	"testing"
	"time"
)

func TestBookingAsShown(t *testing.T) {
	pos := 3
	tests := []struct {
		name       string
		s          Session
		b          Booking
		status     BookingStatus
		withSesion bool
	}{
		{"confirmed, session goes ahead", ruleSession(ModeInPerson), Booking{Status: BookingConfirmed}, BookingConfirmed, false},
		{"waitlisted, session goes ahead", ruleSession(ModeInPerson), Booking{Status: BookingWaitlisted, WaitlistPosition: &pos}, BookingWaitlisted, false},
		{"confirmed, session cancelled", ruleSession(ModeInPerson, withStatus(SessionCancelled)), Booking{Status: BookingConfirmed}, BookingCancelled, true},
		{"waitlisted, session cancelled", ruleSession(ModeInPerson, withStatus(SessionCancelled)), Booking{Status: BookingWaitlisted, WaitlistPosition: &pos}, BookingCancelled, true},
		{"cancelled before the session was", ruleSession(ModeInPerson, withStatus(SessionCancelled)), Booking{Status: BookingCancelled}, BookingCancelled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bookingAsShown(tt.s, tt.b)
			if got.Status != tt.status || got.CancelledWithSession != tt.withSesion {
				t.Errorf("bookingAsShown = %s (with the session: %v), want %s (%v)", got.Status, got.CancelledWithSession, tt.status, tt.withSesion)
			}
			if got.Status == BookingCancelled && got.WaitlistPosition != nil {
				t.Error("a cancelled booking keeps a place in the queue")
			}
		})
	}
}

func TestYearGroupsPhraseAndOtherYears(t *testing.T) {
	for _, tt := range []struct {
		years []int
		want  string
	}{
		{[]int{2}, "year 2"}, {[]int{5, 6}, "years 5–6"}, {[]int{1, 3}, "years 1 and 3"},
		{[]int{1, 2, 5}, "years 1–2 and 5"}, {[]int{1, 3, 5}, "years 1, 3 and 5"}, {[]int{1, 2, 3, 4, 5, 6}, "years 1–6"},
	} {
		if got := YearGroupsOf(tt.years...).Phrase(); got != tt.want {
			t.Errorf("Phrase(%v) = %q, want %q", tt.years, got, tt.want)
		}
	}
	one, five := 1, 5
	s := ruleSession(ModeInPerson, func(s *Session) { s.YearGroups = YearGroupsOf(5, 6) })
	if !s.ForOtherYears(&one) || s.ForOtherYears(&five) || s.ForOtherYears(nil) {
		t.Error("ForOtherYears: a year-1 student is warned of a years 5–6 session; a year-5 student and a graduate are not")
	}
}

func TestArrivedAsWalkIn(t *testing.T) {
	for _, tt := range []struct {
		status AttendanceStatus
		booked bool
		want   bool
	}{
		{AttendancePresent, false, true}, {AttendanceLate, false, true}, {AttendancePresent, true, false},
		{AttendanceExcused, false, false}, {AttendanceAbsent, false, false},
	} {
		if got := arrivedAsWalkIn(Attendance{Status: tt.status}, tt.booked); got != tt.want {
			t.Errorf("arrivedAsWalkIn(%s, booked %v) = %v", tt.status, tt.booked, got)
		}
	}
}

func TestFeedbackOpensAtAndItsRefusal(t *testing.T) {
	s := ruleSession(ModeInPerson) // 18:00–19:30 UTC
	if got, want := FeedbackOpensAt(s), ruleEnd.Add(-10*time.Minute); !got.Equal(want) {
		t.Errorf("FeedbackOpensAt = %v, want %v", got, want)
	}
	err := feedbackOpen(s, Attendance{Status: AttendancePresent}, true, ruleStart.Add(time.Minute))
	var te *TimedError
	if !errors.As(err, &te) || !errors.Is(err, ErrFeedbackTooEarly) || te.Field != "opens_at" || !te.At.Equal(ruleEnd.Add(-10*time.Minute)) {
		t.Fatalf("refusal = %#v", err)
	}
	london, _ := time.LoadLocation("Europe/London")
	te.Loc = london
	if got, want := te.Error(), "Feedback opens at 19:20 on Tue 3 Nov, 10 minutes before the session ends."; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
}

func TestCheckinRefusal(t *testing.T) {
	s := ruleSession(ModeInPerson) // 18:00–19:30 UTC: check-in 17:45–19:30
	for _, tt := range []struct {
		name  string
		now   time.Time
		field string
		at    time.Time
		words string
	}{
		{"an hour early", ruleStart.Add(-time.Hour), "opens_at", ruleStart.Add(-15 * time.Minute), "Check-in opens at 17:45 on Tue 3 Nov"},
		{"as it opens", ruleStart.Add(-15 * time.Minute), "", time.Time{}, ""},
		{"a second before the end", ruleEnd.Add(-time.Second), "", time.Time{}, ""},
		{"at the end", ruleEnd, "closed_at", ruleEnd, "Check-in closed at 19:30 on Tue 3 Nov"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckinRefusal(s, tt.now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused while open: %v", err)
				}
				return
			}
			var te *TimedError
			if !errors.As(err, &te) || !errors.Is(err, ErrCheckinClosed) || te.Field != tt.field || !te.At.Equal(tt.at) {
				t.Fatalf("refusal = %#v", err)
			}
			if got := te.Error(); len(got) < len(tt.words) || got[:len(tt.words)] != tt.words {
				t.Errorf("message %q, want it to begin %q", got, tt.words)
			}
		})
	}
}
