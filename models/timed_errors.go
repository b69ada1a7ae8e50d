package models

import (
	"fmt"
	"time"
)

// TimedError is a refusal that turns on a time: feedback that opens at a
// time, or check-in that opens or closed at one. It carries its code and
// kind in Err (errors.Is(err, Err) holds), and says the time in words in
// the society's time zone once the caller has set Loc (UTC until then).
type TimedError struct {
	Err    *Error
	Format string    // the sentence, with %s for the time: "Feedback opens at %s."
	Field  string    // the JSON field that carries At: "opens_at" or "closed_at"
	At     time.Time // the time in question
	Loc    *time.Location
}

func (e *TimedError) Error() string {
	loc := e.Loc
	if loc == nil {
		loc = time.UTC
	}
	return fmt.Sprintf(e.Format, sayTime(e.At.In(loc)))
}

// Unwrap gives the plain error, for errors.Is.
func (e *TimedError) Unwrap() error { return e.Err }

// sayTime is a time as a sentence says it, "10:50 on Tue 3 Nov": the day
// too, as the reader may not be reading on that day.
func sayTime(t time.Time) string {
	return t.Format("15:04") + " on " + t.Format("Mon 2 Jan")
}

// FeedbackOpensBefore is how long before a session's end its feedback opens.
const FeedbackOpensBefore = 10 * time.Minute

// FeedbackOpensAt: feedback opens FeedbackOpensBefore (10 minutes) before the end, and never before the start (for a session shorter than that).
func FeedbackOpensAt(s Session) time.Time {
	opens := s.EndsAt.Add(-FeedbackOpensBefore)
	if opens.Before(s.StartsAt) {
		return s.StartsAt
	}
	return opens
}

// feedbackNotOpen is ErrFeedbackTooEarly with the time feedback opens.
func feedbackNotOpen(s Session) error {
	return &TimedError{Err: ErrFeedbackTooEarly, Format: "Feedback opens at %s, 10 minutes before the session ends.", Field: "opens_at", At: FeedbackOpensAt(s)}
}

// CheckinRefusal is nil while check-in to s is open at now (checkinWindow),
// else ErrCheckinClosed saying when it opens or when it closed. It reads no
// code: outside the window every code gets the same answer, so a guesser
// learns nothing from it.
func CheckinRefusal(s Session, now time.Time) error {
	opens, closes := checkinWindow(s)
	switch {
	case now.Before(opens):
		return &TimedError{Err: ErrCheckinClosed, Format: "Check-in opens at %s, 15 minutes before the start.", Field: "opens_at", At: opens}
	case !now.Before(closes):
		return &TimedError{Err: ErrCheckinClosed, Format: "Check-in closed at %s, when the session ended.", Field: "closed_at", At: closes}
	}
	return nil
}
