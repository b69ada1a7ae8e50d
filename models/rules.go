package models

// The rules of the domain as plain functions over plain values: no
// database and no clock (the time is always a parameter), so that a use
// case reads load → decide → write and each rule is table-tested in
// microseconds (rules_test.go).
//
// Rules that live beside the types they read: Session.Modes,
// Offers, Capacity, HasStarted, HasEnded, SeatCounts and nextQueuedAt,
// SessionCounts.Confirmed and inQueue, and SessionView.SeatsLeft
// (sessions.go); bookingMode (bookings.go); sourceRank, checkinOpen,
// arrivalStatus and Attendance.Attended (attendance.go); importAction and
// DefaultImportMinutes (attendance_import.go); summariseAnswers
// (feedback.go); User.IsCommittee and CanTeach (users.go).

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// ---- booking ---------------------------------------------------------------

// bookingAsk is a request for a seat as the booking rule sees it.
type bookingAsk struct {
	Mode      Mode // the mode asked for; "" for the session's only mode
	Committee bool // the actor is committee, who may back-fill a session that has started
	OnBehalf  bool // the actor books for another member
	Manages   bool // read when OnBehalf: the actor may manage the session (canManage)
	Sees      bool // read when OnBehalf: the actor may see the session (canSee)
}

// bookingDecision is what becomes of a request for a seat.
type bookingDecision struct {
	Mode     Mode          // in_person or online
	Status   BookingStatus // BookingConfirmed or BookingWaitlisted
	Position int           // when waitlisted, the 1-based place at the back of the mode's queue; else 0
	Mail     bool          // a booking_confirmed e-mail is due: confirmed, on a session that has not ended
}

// decideBooking: a published session that has not started (committee may back-fill one that has) gives a seat while the mode has one free, else a place at the back of that mode's queue; only those who manage the session book for someone else.
func decideBooking(s Session, ask bookingAsk, now time.Time) (bookingDecision, error) {
	if ask.OnBehalf {
		if err := accessError(ask.Manages, ask.Sees); err != nil {
			return bookingDecision{}, err
		}
	}
	switch s.Status {
	case SessionDraft:
		return bookingDecision{}, ErrSessionNotPublished
	case SessionCancelled:
		return bookingDecision{}, ErrSessionCancelled
	}
	if s.HasStarted(now) && !ask.Committee {
		return bookingDecision{}, ErrBookingClosed
	}
	mode, err := bookingMode(s, ask.Mode)
	if err != nil {
		return bookingDecision{}, err
	}
	if capacity := s.Capacity(mode); capacity < 0 || s.SeatCounts().Confirmed(mode) < capacity {
		return bookingDecision{Mode: mode, Status: BookingConfirmed, Mail: !s.HasEnded(now)}, nil
	}
	return bookingDecision{Mode: mode, Status: BookingWaitlisted, Position: s.SeatCounts().inQueue(mode) + 1}, nil
}

// cancelAsk is a request to cancel a booking as the cancelling rule sees it.
type cancelAsk struct {
	ActorID int64
	ByID    bool // a booking was named by its id; else the actor asked to cancel their own
	Manages bool // the actor may manage the session (canManage)
	Sees    bool // the actor may see the session (canSee); read only when the booking is not theirs
}

// cancelError: members cancel their own booking, and only until a published session starts; the session's teachers and committee cancel any booking at any time. A booking that is already cancelled gives nil: cancelling it again changes nothing.
func cancelError(s Session, b Booking, found bool, ask cancelAsk, now time.Time) error {
	if !ask.Manages && (!found || b.UserID != ask.ActorID) {
		if !ask.Sees || !ask.ByID {
			return ErrNotFound
		}
		return ErrForbidden
	}
	if !found {
		return ErrNotFound
	}
	if b.Status == BookingCancelled {
		return nil
	}
	if s.Status == SessionPublished && s.HasStarted(now) && !ask.Manages {
		return ErrBookingClosed
	}
	return nil
}

// ---- the queue -------------------------------------------------------------

// queuedBefore: first come, first served — the earlier queue time goes first, and on a tie the older booking.
func queuedBefore(a, b Booking) bool {
	if !a.QueuedAt.Equal(b.QueuedAt) {
		return a.QueuedAt.Before(b.QueuedAt)
	}
	return a.ID < b.ID
}

// promotable: a published session lets as many of a mode's queue in as it has seats of that mode free (-1: all of them, the seats are unlimited); a draft or cancelled session, or a mode it does not offer, lets none in.
func promotable(s Session, mode Mode) int {
	if s.Status != SessionPublished {
		return 0
	}
	v := SessionView{Session: s, Counts: s.SeatCounts()}
	return v.SeatsLeft(mode)
}

// promotions: the waitlisted bookings of a mode that take its free seats, in the order they queued.
func promotions(s Session, mode Mode, waitlisted []Booking) []Booking {
	n := promotable(s, mode)
	if n == 0 {
		return nil
	}
	queue := make([]Booking, 0, len(waitlisted))
	for _, b := range waitlisted {
		if b.Mode == mode && b.Status == BookingWaitlisted {
			queue = append(queue, b)
		}
	}
	sort.SliceStable(queue, func(i, j int) bool { return queuedBefore(queue[i], queue[j]) })
	if n > 0 && n < len(queue) {
		queue = queue[:n]
	}
	if len(queue) == 0 {
		return nil
	}
	return queue
}

// ---- changing a session ----------------------------------------------------

// checkModeDrop: a session may not stop offering a mode while anyone is confirmed or waiting in it (a capacity, though, may fall below the confirmed seats: nobody is un-confirmed).
func checkModeDrop(p Problems, old, s Session) {
	if s.Mode == old.Mode {
		return
	}
	for _, m := range old.Modes() {
		if s.Offers(m) {
			continue
		}
		c := old.SeatCounts()
		if n := c.Confirmed(m) + c.inQueue(m); n > 0 {
			p.Add("mode", fmt.Sprintf("%d booked %s; cancel those bookings before dropping that mode.", n, strings.ToLower(m.Label())))
		}
	}
}

// ---- dashboard figures -----------------------------------------------------

// figuresSlack is more than any two instances' clocks may differ by.
const figuresSlack = time.Hour

// figuresAffected: a change of a session or its bookings marks the session's dashboard figures for working out again, unless the session ends more than figuresSlack after now. Such a session is marked already (CreateSession marks every session, and RefreshFigures removes only the marks of sessions that have ended), and bookings of sessions to come, the busiest writes, so write one row fewer.
func figuresAffected(s Session, now time.Time) bool {
	return !s.EndsAt.After(now.Add(figuresSlack))
}

// ---- attendance ------------------------------------------------------------

// recordsArrival: a check-in (code or join link) is written unless the student is already recorded as having come, or a more trusted source has recorded them.
func recordsArrival(old Attendance, found bool, arrival Attendance) bool {
	return !found || (!old.Attended() && sourceRank[old.Source] <= sourceRank[arrival.Source])
}

// settleAttendance: a record replaces the one there unless it comes from a less trusted source or says the same again; kept with the same status, it keeps the time the student checked in. It returns what to store and whether anything changes.
func settleAttendance(old Attendance, found bool, rec Attendance, actorID *int64, now time.Time) (Attendance, bool) {
	now = now.UTC()
	if found {
		if sourceRank[rec.Source] < sourceRank[old.Source] {
			return old, false
		}
		if old.Status == rec.Status && old.Mode == rec.Mode && old.Source == rec.Source && equalMinutes(old.Minutes, rec.Minutes) {
			return old, false
		}
		rec.ID, rec.CreatedAt = old.ID, old.CreatedAt
		if rec.CheckedInAt == nil && rec.Status == old.Status {
			rec.CheckedInAt = old.CheckedInAt
		}
	} else {
		rec.CreatedAt = now
	}
	rec.UpdatedAt = now
	rec.RecordedBy = actorID
	return rec, true
}

// importRecord: a member the meeting report shows staying long enough is present online (in person when the session has no online seats), keeping the time and the lateness of a check-in already recorded.
func importRecord(s Session, userID int64, minutes int, old Attendance, found bool) Attendance {
	rec := Attendance{SessionID: s.ID, UserID: userID, Status: AttendancePresent, Mode: ModeOnline, Source: SourceImport, Minutes: &minutes}
	if !s.Offers(ModeOnline) {
		rec.Mode = ModeInPerson
	}
	if found && old.CheckedInAt != nil {
		rec.CheckedInAt = old.CheckedInAt
		if old.Status == AttendanceLate {
			rec.Status = AttendanceLate
		}
	}
	return rec
}

// registerRecord: a teacher's register mark outranks every other source; marked present or late, the student keeps the time they checked in.
func registerRecord(s Session, userID int64, status AttendanceStatus, mode Mode, old Attendance, found bool) Attendance {
	rec := Attendance{SessionID: s.ID, UserID: userID, Status: status, Mode: mode, Source: SourceRegister}
	if rec.Status == AttendancePresent || rec.Status == AttendanceLate {
		if found && old.CheckedInAt != nil {
			rec.CheckedInAt = old.CheckedInAt
		}
	}
	return rec
}

// checkinWindow: check-in opens CheckinOpensBefore (15 minutes) before the start and closes at the end; open means opens <= now < closes.
func checkinWindow(s Session) (opens, closes time.Time) {
	return s.StartsAt.Add(-CheckinOpensBefore), s.EndsAt
}

// ---- feedback --------------------------------------------------------------

// feedbackOpen: feedback on a session that is not a draft is given by those who came (present or late), from FeedbackOpensAt (10 minutes before the end); earlier, the refusal says when it opens.
func feedbackOpen(s Session, a Attendance, found bool, now time.Time) error {
	if s.Status == SessionDraft {
		return ErrNotFound
	}
	if !found || !a.Attended() {
		return ErrDidNotAttend
	}
	if now.Before(FeedbackOpensAt(s)) {
		return feedbackNotOpen(s)
	}
	return nil
}

// ---- who may see and manage a session --------------------------------------

// canManage: committee manage every session; a teacher manages the sessions they are listed to teach, until they lose the teacher role.
func canManage(u User, teacherIDs []int64) bool {
	if u.ID == 0 {
		return false
	}
	if u.IsCommittee() {
		return true
	}
	return u.CanTeach() && slices.Contains(teacherIDs, u.ID)
}

// canSee: everyone logged in sees a published session; its managers see it in any status; a cancelled one is seen by those who had booked it (booked: a booking of any status, cancelled too); nobody else sees a draft.
func canSee(u User, s Session, teacherIDs []int64, booked bool) bool {
	if s.Status == SessionPublished {
		return u.ID != 0
	}
	if canManage(u, teacherIDs) {
		return true
	}
	return s.Status == SessionCancelled && booked
}

// accessError: nil for those who manage, ErrForbidden for those who only see, ErrNotFound for those who may not even know the session is there.
func accessError(manages, sees bool) error {
	switch {
	case manages:
		return nil
	case sees:
		return ErrForbidden
	}
	return ErrNotFound
}

// manageError: whether u may manage s, as an error: nil, ErrForbidden when they see it but may not manage it, ErrNotFound when they may not see it.
func manageError(u User, s Session, teacherIDs []int64, booked bool) error {
	if canManage(u, teacherIDs) {
		return nil
	}
	return accessError(false, canSee(u, s, teacherIDs, booked))
}
