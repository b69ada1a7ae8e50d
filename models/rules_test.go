package models

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// Tonight's session on heart murmurs: 18:00 to 19:30 UTC.
var (
	ruleStart = time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	ruleEnd   = ruleStart.Add(90 * time.Minute)
)

// ruleSession is a published session of mode with 30 seats in the room and
// unlimited places online, changed by the options.
func ruleSession(mode Mode, opts ...func(*Session)) Session {
	s := Session{ID: 7, Title: "Heart murmurs", Mode: mode, Status: SessionPublished,
		InPersonCapacity: 30, StartsAt: ruleStart, EndsAt: ruleEnd}
	for _, o := range opts {
		o(&s)
	}
	return s
}

func withStatus(st SessionStatus) func(*Session) { return func(s *Session) { s.Status = st } }

func withSeats(confirmedInPerson, waitlistedInPerson, confirmedOnline, waitlistedOnline int) func(*Session) {
	return func(s *Session) {
		s.ConfirmedInPerson, s.WaitlistedInPerson = confirmedInPerson, waitlistedInPerson
		s.ConfirmedOnline, s.WaitlistedOnline = confirmedOnline, waitlistedOnline
	}
}

func withOnlineSeats(n int) func(*Session) { return func(s *Session) { s.OnlineCapacity = &n } }

func withRoomSeats(n int) func(*Session) { return func(s *Session) { s.InPersonCapacity = n } }

// wantErr compares errors: the same domain error, or a ValidationError with
// the same fields and messages.
func wantErr(t *testing.T, got, want error) {
	t.Helper()
	var gv, wv *ValidationError
	if errors.As(want, &wv) {
		if !errors.As(got, &gv) || !reflect.DeepEqual(gv.Fields, wv.Fields) {
			t.Fatalf("error = %v, want %v", got, want)
		}
		return
	}
	// A refusal that names a time (TimedError) is its plain error.
	if got != want && (want == nil || !errors.Is(got, want)) {
		t.Fatalf("error = %v, want %v", got, want)
	}
}

func modeProblem(msg string) error { return &ValidationError{Fields: map[string]string{"mode": msg}} }

var (
	studentAmy       = User{ID: 1, Role: RoleStudent}
	teacherBen       = User{ID: 2, Role: RoleTeacher}
	coTeacherCat     = User{ID: 3, Role: RoleTeacher}
	otherTeacherDan  = User{ID: 4, Role: RoleTeacher} // teaches other sessions
	committeeEve     = User{ID: 5, Role: RoleCommittee}
	formerTeacherFay = User{ID: 6, Role: RoleStudent} // listed as a teacher, but no longer has the role
	loggedOut        = User{}
	murmursTeachers  = []int64{teacherBen.ID, coTeacherCat.ID, formerTeacherFay.ID}
)

func TestDecideBooking(t *testing.T) {
	before := ruleStart.Add(-24 * time.Hour)
	tests := []struct {
		name string
		s    Session
		ask  bookingAsk
		now  time.Time
		want bookingDecision
		err  error
	}{
		{"empty room", ruleSession(ModeInPerson), bookingAsk{}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed, Mail: true}, nil},
		{"last seat", ruleSession(ModeInPerson, withSeats(29, 0, 0, 0)), bookingAsk{Mode: ModeInPerson}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed, Mail: true}, nil},
		{"full session, empty queue", ruleSession(ModeInPerson, withSeats(30, 0, 0, 0)), bookingAsk{}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingWaitlisted, Position: 1}, nil},
		{"full session, three waiting", ruleSession(ModeInPerson, withSeats(30, 3, 0, 0)), bookingAsk{}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingWaitlisted, Position: 4}, nil},
		{"room shrunk below those confirmed", ruleSession(ModeInPerson, withRoomSeats(20), withSeats(25, 0, 0, 0)), bookingAsk{}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingWaitlisted, Position: 1}, nil},
		{"online with no limit", ruleSession(ModeOnline, withSeats(0, 0, 500, 0)), bookingAsk{}, before,
			bookingDecision{Mode: ModeOnline, Status: BookingConfirmed, Mail: true}, nil},
		{"online places full", ruleSession(ModeOnline, withOnlineSeats(50), withSeats(0, 0, 50, 2)), bookingAsk{}, before,
			bookingDecision{Mode: ModeOnline, Status: BookingWaitlisted, Position: 3}, nil},
		{"hybrid, room full but online free", ruleSession(ModeHybrid, withOnlineSeats(50), withSeats(30, 4, 10, 0)), bookingAsk{Mode: ModeOnline}, before,
			bookingDecision{Mode: ModeOnline, Status: BookingConfirmed, Mail: true}, nil},
		{"hybrid, room full, queue counts the room's only", ruleSession(ModeHybrid, withSeats(30, 4, 10, 9)), bookingAsk{Mode: ModeInPerson}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingWaitlisted, Position: 5}, nil},
		{"hybrid session with no mode asked", ruleSession(ModeHybrid), bookingAsk{}, before,
			bookingDecision{}, modeProblem("This session is hybrid: choose in person or online.")},
		{"online asked of an in-person session", ruleSession(ModeInPerson), bookingAsk{Mode: ModeOnline}, before,
			bookingDecision{}, modeProblem("This session is in person only.")},
		{"in person asked of an online session", ruleSession(ModeOnline), bookingAsk{Mode: ModeInPerson}, before,
			bookingDecision{}, modeProblem("This session is online only.")},
		{"hybrid asked as a booking mode", ruleSession(ModeHybrid), bookingAsk{Mode: ModeHybrid}, before,
			bookingDecision{}, modeProblem("Choose in person or online.")},
		{"draft session", ruleSession(ModeInPerson, withStatus(SessionDraft)), bookingAsk{}, before,
			bookingDecision{}, ErrSessionNotPublished},
		{"cancelled session", ruleSession(ModeInPerson, withStatus(SessionCancelled)), bookingAsk{}, before,
			bookingDecision{}, ErrSessionCancelled},
		{"cancelled session, even for committee after the start", ruleSession(ModeInPerson, withStatus(SessionCancelled)), bookingAsk{Committee: true}, ruleEnd,
			bookingDecision{}, ErrSessionCancelled},
		{"a minute before the start", ruleSession(ModeInPerson), bookingAsk{}, ruleStart.Add(-time.Minute),
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed, Mail: true}, nil},
		{"student at the start", ruleSession(ModeInPerson), bookingAsk{}, ruleStart,
			bookingDecision{}, ErrBookingClosed},
		{"status is checked before the start", ruleSession(ModeInPerson, withStatus(SessionDraft)), bookingAsk{}, ruleEnd,
			bookingDecision{}, ErrSessionNotPublished},
		{"booking closed is checked before the mode", ruleSession(ModeHybrid), bookingAsk{}, ruleStart,
			bookingDecision{}, ErrBookingClosed},
		{"committee while it runs", ruleSession(ModeInPerson), bookingAsk{Committee: true}, ruleStart.Add(time.Minute),
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed, Mail: true}, nil},
		{"committee back-filling a past session: no e-mail", ruleSession(ModeInPerson), bookingAsk{Committee: true, OnBehalf: true, Manages: true, Sees: true}, ruleEnd.Add(48 * time.Hour),
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed}, nil},
		{"committee back-filling a full past session", ruleSession(ModeInPerson, withSeats(30, 0, 0, 0)), bookingAsk{Committee: true}, ruleEnd,
			bookingDecision{Mode: ModeInPerson, Status: BookingWaitlisted, Position: 1}, nil},
		{"teacher books a student in", ruleSession(ModeInPerson), bookingAsk{OnBehalf: true, Manages: true, Sees: true}, before,
			bookingDecision{Mode: ModeInPerson, Status: BookingConfirmed, Mail: true}, nil},
		{"student books a friend", ruleSession(ModeInPerson), bookingAsk{OnBehalf: true, Sees: true}, before,
			bookingDecision{}, ErrForbidden},
		{"student books a friend on a draft", ruleSession(ModeInPerson, withStatus(SessionDraft)), bookingAsk{OnBehalf: true}, before,
			bookingDecision{}, ErrNotFound},
		{"teacher books a student on their own draft", ruleSession(ModeInPerson, withStatus(SessionDraft)), bookingAsk{OnBehalf: true, Manages: true, Sees: true}, before,
			bookingDecision{}, ErrSessionNotPublished},
		{"not a manager is told before closed", ruleSession(ModeInPerson), bookingAsk{OnBehalf: true, Sees: true}, ruleEnd,
			bookingDecision{}, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := decideBooking(tt.s, tt.ask, tt.now)
			wantErr(t, err, tt.err)
			if got != tt.want {
				t.Errorf("decideBooking = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRuleCancel(t *testing.T) {
	before := ruleStart.Add(-time.Hour)
	mine := Booking{ID: 10, UserID: studentAmy.ID, Mode: ModeInPerson, Status: BookingConfirmed}
	theirs := Booking{ID: 11, UserID: 99, Mode: ModeInPerson, Status: BookingConfirmed}
	gone := Booking{ID: 12, UserID: studentAmy.ID, Mode: ModeInPerson, Status: BookingCancelled}
	own := cancelAsk{ActorID: studentAmy.ID, Sees: true}
	tests := []struct {
		name  string
		s     Session
		b     Booking
		found bool
		ask   cancelAsk
		now   time.Time
		err   error
	}{
		{"student cancels their own", ruleSession(ModeInPerson), mine, true, own, before, nil},
		{"student cancels their own by id", ruleSession(ModeInPerson), mine, true, cancelAsk{ActorID: studentAmy.ID, ByID: true, Sees: true}, before, nil},
		{"student cancels once it has started", ruleSession(ModeInPerson), mine, true, own, ruleStart, ErrBookingClosed},
		{"student cancels on a cancelled session after its start", ruleSession(ModeInPerson, withStatus(SessionCancelled)), mine, true, own, ruleEnd, nil},
		{"student cancels a cancelled booking after the start: nothing to do", ruleSession(ModeInPerson), gone, true, own, ruleEnd, nil},
		{"student with no booking", ruleSession(ModeInPerson), Booking{}, false, own, before, ErrNotFound},
		{"student names someone else's booking", ruleSession(ModeInPerson), theirs, true, cancelAsk{ActorID: studentAmy.ID, ByID: true, Sees: true}, before, ErrForbidden},
		{"student names a booking that does not exist", ruleSession(ModeInPerson), Booking{}, false, cancelAsk{ActorID: studentAmy.ID, ByID: true, Sees: true}, before, ErrForbidden},
		{"student names a booking on a draft they cannot see", ruleSession(ModeInPerson, withStatus(SessionDraft)), theirs, true, cancelAsk{ActorID: studentAmy.ID, ByID: true}, before, ErrNotFound},
		{"teacher cancels a student's booking while it runs", ruleSession(ModeInPerson), theirs, true, cancelAsk{ActorID: teacherBen.ID, ByID: true, Manages: true, Sees: true}, ruleStart.Add(time.Minute), nil},
		{"teacher names a booking that does not exist", ruleSession(ModeInPerson), Booking{}, false, cancelAsk{ActorID: teacherBen.ID, ByID: true, Manages: true, Sees: true}, before, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, cancelError(tt.s, tt.b, tt.found, tt.ask, tt.now), tt.err)
		})
	}
}

func waiting(id int64, mode Mode, at time.Time) Booking {
	return Booking{ID: id, SessionID: 7, UserID: 100 + id, Mode: mode, Status: BookingWaitlisted, QueuedAt: at}
}

func bookingIDs(bs []Booking) []int64 {
	var out []int64
	for _, b := range bs {
		out = append(out, b.ID)
	}
	return out
}

func TestPromotions(t *testing.T) {
	at := func(min int) time.Time { return ruleStart.Add(-48*time.Hour + time.Duration(min)*time.Minute) }
	// The queue as the database may return it: not in order.
	queue := []Booking{
		waiting(4, ModeInPerson, at(3)),
		waiting(2, ModeInPerson, at(1)),
		waiting(9, ModeOnline, at(0)),
		waiting(3, ModeInPerson, at(2)),
		waiting(1, ModeInPerson, at(2)), // queued at the same time as 3, but booked first
	}
	tests := []struct {
		name string
		s    Session
		mode Mode
		want []int64
	}{
		{"one seat freed by a cancellation", ruleSession(ModeInPerson, withSeats(29, 4, 0, 0)), ModeInPerson, []int64{2}},
		{"capacity raised by two", ruleSession(ModeInPerson, withRoomSeats(32), withSeats(30, 4, 0, 0)), ModeInPerson, []int64{2, 1}},
		{"room doubled: the whole queue comes in", ruleSession(ModeInPerson, withRoomSeats(60), withSeats(30, 4, 0, 0)), ModeInPerson, []int64{2, 1, 3, 4}},
		{"still full", ruleSession(ModeInPerson, withSeats(30, 4, 0, 0)), ModeInPerson, nil},
		{"room shrunk below those confirmed, one cancels", ruleSession(ModeInPerson, withRoomSeats(20), withSeats(24, 4, 0, 0)), ModeInPerson, nil},
		{"online made unlimited", ruleSession(ModeHybrid, withSeats(30, 4, 50, 1)), ModeOnline, []int64{9}},
		{"online seat freed: the room's queue stays", ruleSession(ModeHybrid, withOnlineSeats(50), withSeats(30, 4, 49, 1)), ModeOnline, []int64{9}},
		{"draft session", ruleSession(ModeInPerson, withStatus(SessionDraft), withSeats(0, 4, 0, 0)), ModeInPerson, nil},
		{"cancelled session", ruleSession(ModeInPerson, withStatus(SessionCancelled), withSeats(10, 4, 0, 0)), ModeInPerson, nil},
		{"mode the session does not offer", ruleSession(ModeInPerson, withSeats(29, 4, 0, 1)), ModeOnline, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := append([]Booking(nil), queue...)
			got := bookingIDs(promotions(tt.s, tt.mode, queue))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("promotions = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(queue, before) {
				t.Error("promotions reordered its argument")
			}
		})
	}
	t.Run("confirmed and cancelled bookings are not in the queue", func(t *testing.T) {
		bs := []Booking{waiting(1, ModeInPerson, at(0)), waiting(2, ModeInPerson, at(1)), waiting(3, ModeInPerson, at(2))}
		bs[0].Status, bs[1].Status = BookingConfirmed, BookingCancelled
		if got := bookingIDs(promotions(ruleSession(ModeInPerson, withSeats(0, 1, 0, 0)), ModeInPerson, bs)); !reflect.DeepEqual(got, []int64{3}) {
			t.Errorf("promotions = %v, want [3]", got)
		}
	})
}

func TestPromotable(t *testing.T) {
	tests := []struct {
		name string
		s    Session
		mode Mode
		want int
	}{
		{"two seats free", ruleSession(ModeInPerson, withSeats(28, 5, 0, 0)), ModeInPerson, 2},
		{"full", ruleSession(ModeInPerson, withSeats(30, 5, 0, 0)), ModeInPerson, 0},
		{"overbooked after the room shrank", ruleSession(ModeInPerson, withRoomSeats(10), withSeats(30, 5, 0, 0)), ModeInPerson, 0},
		{"unlimited online", ruleSession(ModeOnline, withSeats(0, 0, 300, 0)), ModeOnline, -1},
		{"online limited", ruleSession(ModeOnline, withOnlineSeats(40), withSeats(0, 0, 35, 0)), ModeOnline, 5},
		{"draft", ruleSession(ModeInPerson, withStatus(SessionDraft)), ModeInPerson, 0},
		{"mode not offered", ruleSession(ModeOnline), ModeInPerson, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := promotable(tt.s, tt.mode); got != tt.want {
				t.Errorf("promotable = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRuleModeDrop(t *testing.T) {
	tests := []struct {
		name     string
		old      Session
		newMode  Mode
		problems Problems
	}{
		{"hybrid to in person with online bookings", ruleSession(ModeHybrid, withSeats(10, 0, 3, 2)), ModeInPerson,
			Problems{"mode": "5 booked online; cancel those bookings before dropping that mode."}},
		{"hybrid to online with only a queue for the room", ruleSession(ModeHybrid, withSeats(0, 2, 3, 0)), ModeOnline,
			Problems{"mode": "2 booked in person; cancel those bookings before dropping that mode."}},
		{"hybrid to in person with nobody online", ruleSession(ModeHybrid, withSeats(10, 4, 0, 0)), ModeInPerson, Problems{}},
		{"in person to online, room booked", ruleSession(ModeInPerson, withSeats(1, 0, 0, 0)), ModeOnline,
			Problems{"mode": "1 booked in person; cancel those bookings before dropping that mode."}},
		{"in person to hybrid: nothing dropped", ruleSession(ModeInPerson, withSeats(30, 9, 0, 0)), ModeHybrid, Problems{}},
		{"mode unchanged", ruleSession(ModeHybrid, withSeats(30, 9, 8, 1)), ModeHybrid, Problems{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.old
			s.Mode = tt.newMode
			p := Problems{}
			checkModeDrop(p, tt.old, s)
			if !reflect.DeepEqual(p, tt.problems) {
				t.Errorf("problems = %v, want %v", p, tt.problems)
			}
		})
	}
	t.Run("a wrong mode is reported as wrong, not as dropped", func(t *testing.T) {
		old := ruleSession(ModeHybrid, withSeats(10, 0, 3, 0))
		s := old
		s.Mode = "both"
		p := Problems{}
		checkSession(p, s)
		checkModeDrop(p, old, s)
		if p["mode"] != "Choose in person, online or in person and online." {
			t.Errorf("mode problem = %q", p["mode"])
		}
	})
}

func TestFiguresAffected(t *testing.T) {
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"booked a week ahead", ruleStart.Add(-7 * 24 * time.Hour), false},
		{"an hour and a minute before it ends", ruleEnd.Add(-figuresSlack - time.Minute), false},
		{"an hour before it ends", ruleEnd.Add(-figuresSlack), true},
		{"as it starts, an hour and a half before its end", ruleStart, false},
		{"half an hour before it ends", ruleEnd.Add(-30 * time.Minute), true},
		{"as it ends", ruleEnd, true},
		{"back-filled a month later", ruleEnd.Add(30 * 24 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := figuresAffected(ruleSession(ModeInPerson), tt.now); got != tt.want {
				t.Errorf("figuresAffected = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRankRecordsArrival(t *testing.T) {
	record := func(st AttendanceStatus, src AttendanceSource) Attendance {
		return Attendance{Status: st, Source: src, Mode: ModeInPerson}
	}
	code := record(AttendancePresent, SourceCode)
	join := record(AttendanceLate, SourceJoinLink)
	tests := []struct {
		name    string
		old     Attendance
		found   bool
		arrival Attendance
		want    bool
	}{
		{"first check-in", Attendance{}, false, code, true},
		{"second scan of the QR", code, true, code, false},
		{"joined online after checking in", code, true, join, false},
		{"check-in after sending apologies", record(AttendanceExcused, SourceApology), true, code, true},
		{"check-in after the register said absent", record(AttendanceAbsent, SourceRegister), true, code, false},
		{"check-in after the import said present", record(AttendancePresent, SourceImport), true, code, false},
		{"join link after the register said excused", record(AttendanceExcused, SourceRegister), true, join, false},
		{"check-in over an absent mark from the same rank", record(AttendanceAbsent, SourceJoinLink), true, code, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recordsArrival(tt.old, tt.found, tt.arrival); got != tt.want {
				t.Errorf("recordsArrival = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRankSettleAttendance(t *testing.T) {
	now := ruleEnd.Add(time.Hour)
	created := ruleStart.Add(-time.Hour)
	scanned := ruleStart.Add(2 * time.Minute)
	teacherID := teacherBen.ID
	ten, forty := 10, 40
	old := func(st AttendanceStatus, src AttendanceSource) Attendance {
		return Attendance{ID: 3, SessionID: 7, UserID: 1, Status: st, Mode: ModeInPerson, Source: src,
			CheckedInAt: &scanned, CreatedAt: created, UpdatedAt: created}
	}
	rec := func(st AttendanceStatus, src AttendanceSource, minutes *int) Attendance {
		return Attendance{SessionID: 7, UserID: 1, Status: st, Mode: ModeInPerson, Source: src, Minutes: minutes}
	}
	tests := []struct {
		name    string
		old     Attendance
		found   bool
		rec     Attendance
		want    Attendance
		changed bool
	}{
		{"first record", Attendance{}, false, rec(AttendanceAbsent, SourceRegister, nil),
			Attendance{SessionID: 7, UserID: 1, Status: AttendanceAbsent, Mode: ModeInPerson, Source: SourceRegister,
				CreatedAt: now, UpdatedAt: now, RecordedBy: &teacherID}, true},
		{"register overrules a check-in, keeping when they scanned", old(AttendancePresent, SourceCode), true, rec(AttendancePresent, SourceRegister, nil),
			Attendance{ID: 3, SessionID: 7, UserID: 1, Status: AttendancePresent, Mode: ModeInPerson, Source: SourceRegister,
				CheckedInAt: &scanned, CreatedAt: created, UpdatedAt: now, RecordedBy: &teacherID}, true},
		{"register marks a checked-in student absent: the scan time goes", old(AttendancePresent, SourceCode), true, rec(AttendanceAbsent, SourceRegister, nil),
			Attendance{ID: 3, SessionID: 7, UserID: 1, Status: AttendanceAbsent, Mode: ModeInPerson, Source: SourceRegister,
				CreatedAt: created, UpdatedAt: now, RecordedBy: &teacherID}, true},
		{"import does not overrule the register", old(AttendanceAbsent, SourceRegister), true, rec(AttendancePresent, SourceImport, &forty),
			old(AttendanceAbsent, SourceRegister), false},
		{"check-in does not overrule the import", old(AttendancePresent, SourceImport), true, rec(AttendanceLate, SourceCode, nil),
			old(AttendancePresent, SourceImport), false},
		{"the same register mark twice", old(AttendanceLate, SourceRegister), true, rec(AttendanceLate, SourceRegister, nil),
			old(AttendanceLate, SourceRegister), false},
		{"import again with more minutes", func() Attendance { a := old(AttendancePresent, SourceImport); a.Minutes = &ten; return a }(), true,
			rec(AttendancePresent, SourceImport, &forty),
			Attendance{ID: 3, SessionID: 7, UserID: 1, Status: AttendancePresent, Mode: ModeInPerson, Source: SourceImport, Minutes: &forty,
				CheckedInAt: &scanned, CreatedAt: created, UpdatedAt: now, RecordedBy: &teacherID}, true},
		{"join link over a code check-in of the same rank", old(AttendancePresent, SourceCode), true,
			Attendance{SessionID: 7, UserID: 1, Status: AttendancePresent, Mode: ModeOnline, Source: SourceJoinLink},
			Attendance{ID: 3, SessionID: 7, UserID: 1, Status: AttendancePresent, Mode: ModeOnline, Source: SourceJoinLink,
				CheckedInAt: &scanned, CreatedAt: created, UpdatedAt: now, RecordedBy: &teacherID}, true},
		{"apologies never overrule anything", old(AttendanceAbsent, SourceCode), true, rec(AttendanceExcused, SourceApology, nil),
			old(AttendanceAbsent, SourceCode), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changed := settleAttendance(tt.old, tt.found, tt.rec, &teacherID, now)
			if changed != tt.changed || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("settleAttendance = %+v, %v\nwant %+v, %v", got, changed, tt.want, tt.changed)
			}
		})
	}
}

func TestRuleImportAndRegisterRecords(t *testing.T) {
	scanned := ruleStart.Add(20 * time.Minute)
	late := Attendance{Status: AttendanceLate, Source: SourceCode, Mode: ModeOnline, CheckedInAt: &scanned}
	absent := Attendance{Status: AttendanceAbsent, Source: SourceRegister, Mode: ModeOnline}
	t.Run("import of a student who joined late keeps them late", func(t *testing.T) {
		got := importRecord(ruleSession(ModeOnline), 1, 55, late, true)
		if got.Status != AttendanceLate || got.Mode != ModeOnline || got.Source != SourceImport || got.CheckedInAt != &scanned || *got.Minutes != 55 {
			t.Errorf("importRecord = %+v", got)
		}
	})
	t.Run("import of a student with no record", func(t *testing.T) {
		got := importRecord(ruleSession(ModeHybrid), 1, 55, Attendance{}, false)
		want := Attendance{SessionID: 7, UserID: 1, Status: AttendancePresent, Mode: ModeOnline, Source: SourceImport, Minutes: got.Minutes}
		if !reflect.DeepEqual(got, want) || *got.Minutes != 55 {
			t.Errorf("importRecord = %+v", got)
		}
	})
	t.Run("import for an in-person session records them in person", func(t *testing.T) {
		if got := importRecord(ruleSession(ModeInPerson), 1, 55, Attendance{}, false); got.Mode != ModeInPerson {
			t.Errorf("mode = %q", got.Mode)
		}
	})
	t.Run("import over a register mark without check-in", func(t *testing.T) {
		if got := importRecord(ruleSession(ModeOnline), 1, 55, absent, true); got.Status != AttendancePresent || got.CheckedInAt != nil {
			t.Errorf("importRecord = %+v", got)
		}
	})
	t.Run("register marks a late scanner present: the scan time stays", func(t *testing.T) {
		got := registerRecord(ruleSession(ModeOnline), 1, AttendancePresent, ModeOnline, late, true)
		if got.Status != AttendancePresent || got.Source != SourceRegister || got.CheckedInAt != &scanned {
			t.Errorf("registerRecord = %+v", got)
		}
	})
	t.Run("register marks a scanner excused: no scan time", func(t *testing.T) {
		if got := registerRecord(ruleSession(ModeOnline), 1, AttendanceExcused, ModeOnline, late, true); got.CheckedInAt != nil {
			t.Errorf("registerRecord = %+v", got)
		}
	})
}

func TestCheckinWindow(t *testing.T) {
	s := ruleSession(ModeInPerson)
	opens, closes := checkinWindow(s)
	if !opens.Equal(ruleStart.Add(-15*time.Minute)) || !closes.Equal(ruleEnd) {
		t.Fatalf("checkinWindow = %v, %v", opens, closes)
	}
	lateAfter := 10 * time.Minute
	tests := []struct {
		name   string
		now    time.Time
		open   bool
		status AttendanceStatus
	}{
		{"half an hour early", ruleStart.Add(-30 * time.Minute), false, AttendancePresent},
		{"as check-in opens", ruleStart.Add(-15 * time.Minute), true, AttendancePresent},
		{"a nanosecond before it opens", ruleStart.Add(-15*time.Minute - time.Nanosecond), false, AttendancePresent},
		{"at the start", ruleStart, true, AttendancePresent},
		{"at the end of the grace period", ruleStart.Add(lateAfter), true, AttendancePresent},
		{"just after the grace period", ruleStart.Add(lateAfter + time.Nanosecond), true, AttendanceLate},
		{"a minute before the end", ruleEnd.Add(-time.Minute), true, AttendanceLate},
		{"at the end", ruleEnd, false, AttendanceLate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inWindow := !tt.now.Before(opens) && tt.now.Before(closes)
			if inWindow != tt.open || checkinOpen(s, tt.now) != tt.open {
				t.Errorf("open = %v (window) %v (checkinOpen), want %v", inWindow, checkinOpen(s, tt.now), tt.open)
			}
			if got := arrivalStatus(s, lateAfter, tt.now); got != tt.status {
				t.Errorf("arrivalStatus = %q, want %q", got, tt.status)
			}
		})
	}
	t.Run("with no grace period, a second after the start is late", func(t *testing.T) {
		if got := arrivalStatus(s, 0, ruleStart.Add(time.Second)); got != AttendanceLate {
			t.Errorf("arrivalStatus = %q", got)
		}
	})
}

func TestFeedbackOpen(t *testing.T) {
	came := Attendance{Status: AttendancePresent}
	tests := []struct {
		name  string
		s     Session
		a     Attendance
		found bool
		now   time.Time
		err   error
	}{
		{"attendee after the session", ruleSession(ModeInPerson), came, true, ruleEnd.Add(time.Hour), nil},
		{"late arrival, 10 minutes before the end", ruleSession(ModeInPerson), Attendance{Status: AttendanceLate}, true, ruleEnd.Add(-10 * time.Minute), nil},
		{"checked in early, before the start", ruleSession(ModeInPerson), came, true, ruleStart.Add(-5 * time.Minute), ErrFeedbackTooEarly},
		{"a minute into the session", ruleSession(ModeInPerson), came, true, ruleStart.Add(time.Minute), ErrFeedbackTooEarly},
		{"a second before it opens", ruleSession(ModeInPerson), came, true, ruleEnd.Add(-10*time.Minute - time.Second), ErrFeedbackTooEarly},
		{"a five-minute session, from its start", ruleSession(ModeInPerson, func(s *Session) { s.EndsAt = s.StartsAt.Add(5 * time.Minute) }), came, true, ruleStart, nil},
		{"booked but never came", ruleSession(ModeInPerson), Attendance{}, false, ruleEnd, ErrDidNotAttend},
		{"marked absent", ruleSession(ModeInPerson), Attendance{Status: AttendanceAbsent}, true, ruleEnd, ErrDidNotAttend},
		{"sent apologies", ruleSession(ModeInPerson), Attendance{Status: AttendanceExcused, Source: SourceApology}, true, ruleEnd, ErrDidNotAttend},
		{"draft session", ruleSession(ModeInPerson, withStatus(SessionDraft)), came, true, ruleEnd, ErrNotFound},
		{"cancelled session someone was marked at", ruleSession(ModeInPerson, withStatus(SessionCancelled)), came, true, ruleEnd, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, feedbackOpen(tt.s, tt.a, tt.found, tt.now), tt.err)
		})
	}
}

func TestCanManageAndSee(t *testing.T) {
	published, draft, cancelled := ruleSession(ModeInPerson), ruleSession(ModeInPerson, withStatus(SessionDraft)), ruleSession(ModeInPerson, withStatus(SessionCancelled))
	tests := []struct {
		name   string
		u      User
		s      Session
		booked bool
		manage bool
		see    bool
		err    error
	}{
		{"student, published session", studentAmy, published, false, false, true, ErrForbidden},
		{"logged out, published session", loggedOut, published, false, false, false, ErrNotFound},
		{"draft session seen by a student", studentAmy, draft, false, false, false, ErrNotFound},
		{"teacher of the session, draft", teacherBen, draft, false, true, true, nil},
		{"co-teacher, draft", coTeacherCat, draft, false, true, true, nil},
		{"teacher of another session, draft", otherTeacherDan, draft, false, false, false, ErrNotFound},
		{"teacher of another session, published", otherTeacherDan, published, false, false, true, ErrForbidden},
		{"committee, draft they do not teach", committeeEve, draft, false, true, true, nil},
		{"committee, cancelled", committeeEve, cancelled, false, true, true, nil},
		{"listed teacher who lost the role, published", formerTeacherFay, published, false, false, true, ErrForbidden},
		{"listed teacher who lost the role, draft", formerTeacherFay, draft, false, false, false, ErrNotFound},
		{"student who had booked a cancelled session", studentAmy, cancelled, true, false, true, ErrForbidden},
		{"student who had not booked a cancelled session", studentAmy, cancelled, false, false, false, ErrNotFound},
		{"teacher of the session, cancelled", teacherBen, cancelled, false, true, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := canManage(tt.u, murmursTeachers); got != tt.manage {
				t.Errorf("canManage = %v, want %v", got, tt.manage)
			}
			if got := canSee(tt.u, tt.s, murmursTeachers, tt.booked); got != tt.see {
				t.Errorf("canSee = %v, want %v", got, tt.see)
			}
			wantErr(t, manageError(tt.u, tt.s, murmursTeachers, tt.booked), tt.err)
			wantErr(t, accessError(tt.manage, tt.see), tt.err)
		})
	}
	t.Run("a session with no teachers is managed by committee alone", func(t *testing.T) {
		if canManage(teacherBen, nil) || !canManage(committeeEve, nil) {
			t.Error("wrong managers for a session without teachers")
		}
	})
	t.Run("a member with no id manages nothing, even listed", func(t *testing.T) {
		if canManage(User{Role: RoleCommittee}, []int64{0}) {
			t.Error("a member with no id may manage")
		}
	})
}
