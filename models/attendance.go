package models

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"rounds/internal/checkin"
	"rounds/models/store"
)

// sourceRank orders the sources by trust: a record is only replaced by one
// from a source at least as trusted.
var sourceRank = map[AttendanceSource]int{SourceApology: 0, SourceCode: 1, SourceJoinLink: 1, SourceImport: 2, SourceRegister: 3}

// CheckinOpensBefore is how long before the start check-in opens.
const CheckinOpensBefore = 15 * time.Minute

// Errors of the attendance rules.
var (
	ErrCheckinClosed   = &Error{KindUnprocessable, "checkin_closed", "Check-in is open from 15 minutes before the start until the end of the session."}
	ErrCheckinCode     = &Error{KindUnprocessable, "invalid_code", "That code is wrong or has expired. Check the code on the screen and try again."}
	ErrNotBookedOnline = &Error{KindForbidden, "not_booked_online", "The join link is for students with a confirmed online seat."}
	ErrNotEnded        = &Error{KindUnprocessable, "session_not_ended", "This can be done once the session has ended."}
)

// Attendance records what happened for one student at one session.
type Attendance struct {
	ID          int64            `json:"-"`
	SessionID   int64            `json:"session_id"`
	UserID      int64            `json:"user_id"`
	Status      AttendanceStatus `json:"status"`
	Mode        Mode             `json:"mode"`
	Source      AttendanceSource `json:"source"`
	CheckedInAt *time.Time       `json:"checked_in_at"`
	Minutes     *int             `json:"minutes"`
	RecordedBy  *int64           `json:"-"`
	CreatedAt   time.Time        `json:"-"`
	UpdatedAt   time.Time        `json:"updated_at"`
	// WalkIn: came (present or late) without a confirmed booking
	// (arrivedAsWalkIn); filled where a record is shown.
	WalkIn bool `json:"walk_in" gorm:"-"`
}

// TableName is attendance, a mass noun.
func (Attendance) TableName() string { return "attendance" }

// Attended tells whether the record counts as having come.
func (a Attendance) Attended() bool {
	return a.Status == AttendancePresent || a.Status == AttendanceLate
}

// AttendanceAuditEntry is one change of an attendance record.
type AttendanceAuditEntry struct {
	ID         int64            `json:"-"`
	SessionID  int64            `json:"session_id"`
	UserID     int64            `json:"user_id"`
	ActorID    *int64           `json:"actor_id"`
	At         time.Time        `json:"at"`
	FromStatus AttendanceStatus `json:"from_status"`
	ToStatus   AttendanceStatus `json:"to_status"`
	FromMode   Mode             `json:"from_mode"`
	ToMode     Mode             `json:"to_mode"`
	FromSource AttendanceSource `json:"from_source"`
	ToSource   AttendanceSource `json:"to_source"`
}

// TableName names the audit table.
func (AttendanceAuditEntry) TableName() string { return "attendance_audit" }

// CheckinRules are the society's check-in settings.
type CheckinRules struct {
	Secret    []byte
	Rotation  time.Duration
	LateAfter time.Duration
}

// checkinOpen tells whether check-in is open for s at now (checkinWindow).
func checkinOpen(s Session, now time.Time) bool {
	opens, closes := checkinWindow(s)
	return !now.Before(opens) && now.Before(closes)
}

// arrivalStatus is present, or late after the grace period.
func arrivalStatus(s Session, late time.Duration, now time.Time) AttendanceStatus {
	if now.After(s.StartsAt.Add(late)) {
		return AttendanceLate
	}
	return AttendancePresent
}

// CheckinCode returns the current code of mode for a session's teachers and
// committee, and when it stops being the current one.
func CheckinCode(ctx context.Context, st *store.Store, actor User, sessionID int64, mode Mode, rules CheckinRules, now time.Time) (string, time.Time, error) {
	db := st.Read(ctx)
	s, err := manageableSession(db, actor, sessionID)
	if err != nil {
		return "", time.Time{}, err
	}
	if mode == "" {
		mode = s.Modes()[0]
	}
	if mode != ModeInPerson && mode != ModeOnline {
		return "", time.Time{}, &ValidationError{Fields: map[string]string{"mode": ChooseMessage(ModeInPerson, ModeOnline)}}
	}
	if !s.Offers(mode) {
		return "", time.Time{}, &ValidationError{Fields: map[string]string{"mode": "This session has no " + strings.ToLower(mode.Label()) + " seats."}}
	}
	code, exp := checkin.Current(rules.Secret, s.ID, string(mode), now, rules.Rotation)
	return code, exp, nil
}

// ManageableSession loads a session its teachers or committee may manage.
func ManageableSession(ctx context.Context, st *store.Store, actor User, sessionID int64) (Session, error) {
	return manageableSession(st.Read(ctx), actor, sessionID)
}

// manageableSession is ManageableSession on a handle given by the caller (a transaction, or a read).
func manageableSession(db *gorm.DB, actor User, sessionID int64) (Session, error) {
	s, err := sessionByID(db, sessionID)
	if err != nil {
		return Session{}, err
	}
	if err := authorizeManage(db, actor, s); err != nil {
		return Session{}, err
	}
	return s, nil
}

// CheckIn records a student's attendance from a check-in code: present, or
// late after the grace period. A repeat changes nothing. A student who never
// booked checks in as a walk-in. It tells whether the record is new.
func CheckIn(ctx context.Context, st *store.Store, student User, sessionID int64, code string, rules CheckinRules, now time.Time) (Attendance, bool, error) {
	if err := requireConfirmedEmail(student); err != nil {
		return Attendance{}, false, err
	}
	return guardCheckin(ctx, st, student.ID, now, func() (Attendance, bool, error) {
		return checkIn(ctx, st, student, sessionID, code, rules, now)
	})
}

func checkIn(ctx context.Context, st *store.Store, student User, sessionID int64, code string, rules CheckinRules, now time.Time) (Attendance, bool, error) {
	s, err := sessionByID(st.Read(ctx), sessionID)
	if err != nil {
		return Attendance{}, false, err
	}
	if s.Status == SessionDraft {
		return Attendance{}, false, ErrNotFound
	}
	if s.Status == SessionCancelled {
		return Attendance{}, false, ErrSessionCancelled
	}
	if err := CheckinRefusal(s, now); err != nil {
		return Attendance{}, false, err
	}
	verified, ok := checkin.Verify(rules.Secret, s.ID, code, now, rules.Rotation)
	mode := Mode(verified)
	if !ok || !s.Offers(mode) {
		return Attendance{}, false, ErrCheckinCode
	}
	t := now.UTC()
	return recordArrival(ctx, st, s, student.ID, Attendance{Status: arrivalStatus(s, rules.LateAfter, now), Mode: mode, Source: SourceCode, CheckedInAt: &t}, now)
}

// recordArrival stores an arrival unless the student is already recorded as
// having come; it tells whether anything changed.
func recordArrival(ctx context.Context, st *store.Store, s Session, userID int64, rec Attendance, now time.Time) (Attendance, bool, error) {
	var out Attendance
	var changed bool
	err := st.Write(ctx, func(tx *gorm.DB) error {
		old, found, err := attendanceFor(tx, s.ID, userID, true)
		if err != nil {
			return err
		}
		if !recordsArrival(old, found, rec) {
			out, changed = old, false
			return nil
		}
		rec.SessionID, rec.UserID = s.ID, userID
		if out, changed, err = putAttendance(tx, old, found, rec, &userID, now); err != nil || !changed {
			return err
		}
		return markFiguresStale(tx, s.ID)
	})
	if err != nil {
		return out, changed, err
	}
	err = markWalkIns(st.Read(ctx), s.ID, []*Attendance{&out})
	return out, changed, err
}

func attendanceFor(tx *gorm.DB, sessionID, userID int64, lock bool) (Attendance, bool, error) {
	var a Attendance
	q := tx.Where("session_id = ? AND user_id = ?", sessionID, userID)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return Attendance{}, false, nil
	}
	return a, err == nil, err
}

// putAttendance stores what settleAttendance makes of rec over old, the
// student's record as attendanceFor read and locked it in this transaction,
// with an audit entry, and tells whether anything changed. It marks no
// figures: that is its caller's step.
func putAttendance(tx *gorm.DB, old Attendance, found bool, rec Attendance, actorID *int64, now time.Time) (Attendance, bool, error) {
	now = now.UTC()
	rec, changed := settleAttendance(old, found, rec, actorID, now)
	if !changed {
		return rec, false, nil
	}
	if err := tx.Save(&rec).Error; err != nil {
		return Attendance{}, false, err
	}
	entry := AttendanceAuditEntry{SessionID: rec.SessionID, UserID: rec.UserID, ActorID: actorID, At: now,
		FromStatus: old.Status, ToStatus: rec.Status, FromMode: old.Mode, ToMode: rec.Mode, FromSource: old.Source, ToSource: rec.Source}
	if err := tx.Create(&entry).Error; err != nil {
		return Attendance{}, false, err
	}
	return rec, true, nil
}

func equalMinutes(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

// JoinOnline returns the meeting link for a student with a confirmed online
// booking, recording their online attendance when the session is running.
func JoinOnline(ctx context.Context, st *store.Store, student User, sessionID int64, lateAfter time.Duration, now time.Time) (string, error) {
	if err := requireConfirmedEmail(student); err != nil {
		return "", err
	}
	db := st.Read(ctx)
	s, err := sessionByID(db, sessionID)
	if err != nil {
		return "", err
	}
	if s.Status == SessionDraft {
		return "", ErrNotFound
	}
	if s.Status == SessionCancelled {
		return "", ErrSessionCancelled
	}
	var n int64
	if err := db.Table("bookings").Where("session_id = ? AND user_id = ? AND mode = ? AND status = ?",
		s.ID, student.ID, ModeOnline, BookingConfirmed).Count(&n).Error; err != nil {
		return "", err
	}
	if n == 0 || s.OnlineURL == "" {
		return "", ErrNotBookedOnline
	}
	if checkinOpen(s, now) {
		t := now.UTC()
		rec := Attendance{Status: arrivalStatus(s, lateAfter, now), Mode: ModeOnline, Source: SourceJoinLink, CheckedInAt: &t}
		if _, _, err := recordArrival(ctx, st, s, student.ID, rec, now); err != nil {
			return "", err
		}
	}
	return s.OnlineURL, nil
}

// RegisterEntry is a teacher's register mark for one student.
type RegisterEntry struct {
	Status AttendanceStatus
	Mode   Mode // may be empty: the booking's mode, or the session's only mode
}

// MarkRegister records a teacher's register entry for a student, booked or
// a walk-in. It outranks every other source.
func MarkRegister(ctx context.Context, st *store.Store, actor User, sessionID, userID int64, e RegisterEntry, now time.Time) (Attendance, error) {
	var out Attendance
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := manageableSession(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if s.Status == SessionDraft {
			return ErrSessionNotPublished
		}
		var changed bool
		if out, changed, err = markRegisterLine(tx, actor, s, userID, e, now); err != nil || !changed {
			return err
		}
		return markFiguresStale(tx, s.ID)
	})
	if err != nil {
		return out, err
	}
	return out, markWalkIns(st.Read(ctx), sessionID, []*Attendance{&out})
}

// markRegisterLine records one register entry of a session the actor may
// manage, and tells whether it changed anything.
func markRegisterLine(tx *gorm.DB, actor User, s Session, userID int64, e RegisterEntry, now time.Time) (Attendance, bool, error) {
	student, err := userByID(tx, userID)
	if err != nil {
		return Attendance{}, false, err
	}
	p := Problems{}
	switch e.Status {
	case AttendancePresent, AttendanceLate, AttendanceAbsent, AttendanceExcused:
	default:
		p.Add("status", ChooseMessage(AttendanceStatuses...))
	}
	mode := e.Mode
	if mode == "" {
		mode = defaultAttendanceMode(tx, s, userID)
	}
	if mode != ModeInPerson && mode != ModeOnline {
		p.Add("mode", ChooseMessage(ModeInPerson, ModeOnline))
	} else if !s.Offers(mode) {
		p.Add("mode", "This session has no "+strings.ToLower(mode.Label())+" seats.")
	}
	if err := p.Err(); err != nil {
		return Attendance{}, false, err
	}
	old, found, err := attendanceFor(tx, s.ID, student.ID, true)
	if err != nil {
		return Attendance{}, false, err
	}
	rec := registerRecord(s, student.ID, e.Status, mode, old, found)
	actorID := actor.ID
	return putAttendance(tx, old, found, rec, &actorID, now)
}

// defaultAttendanceMode is the student's booking mode, or the session's only
// mode, or "" for a hybrid walk-in.
func defaultAttendanceMode(tx *gorm.DB, s Session, userID int64) Mode {
	var modes []Mode
	tx.Table("bookings").Where("session_id = ? AND user_id = ? AND status <> ?", s.ID, userID, BookingCancelled).Pluck("mode", &modes)
	if len(modes) > 0 {
		return modes[0]
	}
	if m := s.Modes(); len(m) == 1 {
		return m[0]
	}
	return ""
}

// MarkUnmarkedAbsent marks absent every confirmed booking without an
// attendance record, once the session has ended. It returns how many.
func MarkUnmarkedAbsent(ctx context.Context, st *store.Store, actor User, sessionID int64, now time.Time) (int, error) {
	n := 0
	err := st.Write(ctx, func(tx *gorm.DB) error {
		n = 0 // afresh on each run of the transaction
		s, err := manageableSession(tx, actor, sessionID)
		if err != nil {
			return err
		}
		if !s.HasEnded(now) {
			return ErrNotEnded
		}
		var rows []struct {
			UserID int64
			Mode   Mode
		}
		err = tx.Table("bookings").Select("bookings.user_id, bookings.mode").
			Where("bookings.session_id = ? AND bookings.status = ?", s.ID, BookingConfirmed).
			Where("NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = bookings.session_id AND a.user_id = bookings.user_id)").
			Scan(&rows).Error
		if err != nil {
			return err
		}
		actorID := actor.ID
		marked := false
		for _, r := range rows {
			old, found, err := attendanceFor(tx, s.ID, r.UserID, true)
			if err != nil {
				return err
			}
			rec := registerRecord(s, r.UserID, AttendanceAbsent, r.Mode, old, found)
			_, changed, err := putAttendance(tx, old, found, rec, &actorID, now)
			if err != nil {
				return err
			}
			marked = marked || changed
			n++
		}
		if !marked {
			return nil
		}
		return markFiguresStale(tx, s.ID)
	})
	return n, err
}

// SendApologies records that a student cannot come: their booking is
// cancelled as "can't make it" would (promoting the waitlist) and they are
// recorded as excused.
func SendApologies(ctx context.Context, st *store.Store, student User, sessionID int64, now time.Time) (Attendance, error) {
	var out Attendance
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := sessionByID(tx, sessionID)
		if err != nil {
			return err
		}
		if s.HasStarted(now) {
			return &Error{KindUnprocessable, "session_started", "Apologies are sent before the session starts; ask the teacher to mark you excused."}
		}
		b, err := userBooking(tx, sessionID, student.ID)
		if err != nil {
			return err
		}
		if _, err := cancelBooking(tx, student, sessionID, b.ID, now); err != nil {
			return err
		}
		old, found, err := attendanceFor(tx, s.ID, student.ID, true)
		if err != nil {
			return err
		}
		rec := Attendance{SessionID: s.ID, UserID: student.ID, Status: AttendanceExcused, Mode: b.Mode, Source: SourceApology}
		uid := student.ID
		var changed bool
		if out, changed, err = putAttendance(tx, old, found, rec, &uid, now); err != nil || !changed {
			return err
		}
		return markFiguresStale(tx, s.ID)
	})
	return out, err
}

// RegisterRow is one line of a session's register.
type RegisterRow struct {
	User          User          `json:"user"`
	Booking       *Booking      `json:"booking"`
	Attendance    *Attendance   `json:"attendance"`
	WalkIn        bool          `json:"walk_in"`
	Place         RegisterPlace `json:"-"`
	BookingMode   Mode          `json:"-"`
	BookingStatus BookingStatus `json:"-"`
}

// SessionRegister lists every booked student (confirmed or waitlisted) and
// every walk-in, with their attendance, by name.
func SessionRegister(ctx context.Context, st *store.Store, actor User, sessionID int64) ([]RegisterRow, error) {
	db := st.Read(ctx)
	s, err := manageableSession(db, actor, sessionID)
	if err != nil {
		return nil, err
	}
	var bookings []Booking
	if err := db.Where("session_id = ? AND status <> ?", s.ID, BookingCancelled).Find(&bookings).Error; err != nil {
		return nil, err
	}
	var records []Attendance
	if err := db.Where("session_id = ?", s.ID).Find(&records).Error; err != nil {
		return nil, err
	}
	rows := map[int64]*RegisterRow{}
	for i := range bookings {
		b := bookings[i]
		rows[b.UserID] = &RegisterRow{Booking: &b, BookingMode: b.Mode, BookingStatus: b.Status}
	}
	for i := range records {
		a := records[i]
		r, ok := rows[a.UserID]
		if !ok {
			r = &RegisterRow{}
			rows[a.UserID] = r
		}
		r.Attendance = &a
	}
	ids := make([]int64, 0, len(rows))
	for id := range rows {
		ids = append(ids, id)
	}
	var users []User
	if len(ids) > 0 {
		if err := db.Where("id IN ?", ids).Find(&users).Error; err != nil {
			return nil, err
		}
	}
	out := make([]RegisterRow, 0, len(users))
	for _, u := range users {
		r := rows[u.ID]
		r.User = u
		var status AttendanceStatus
		if r.Attendance != nil {
			status = r.Attendance.Status
		}
		r.Place = PlaceOnRegister(r.BookingStatus, status)
		r.WalkIn = r.Place == PlaceWalkIn
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		if a, b := strings.ToLower(out[i].User.Name), strings.ToLower(out[j].User.Name); a != b {
			return a < b
		}
		return out[i].User.ID < out[j].User.ID
	})
	return out, nil
}

// SessionAttendance lists a session's attendance records.
func SessionAttendance(ctx context.Context, st *store.Store, actor User, sessionID int64) ([]Attendance, error) {
	db := st.Read(ctx)
	s, err := manageableSession(db, actor, sessionID)
	if err != nil {
		return nil, err
	}
	var out []Attendance
	if err = db.Where("session_id = ?", s.ID).Order("user_id").Find(&out).Error; err != nil {
		return nil, err
	}
	all := make([]*Attendance, len(out))
	for i := range out {
		all[i] = &out[i]
	}
	return out, markWalkIns(db, s.ID, all)
}

// CountArrivals counts who has come (present or late) by mode.
func CountArrivals(ctx context.Context, st *store.Store, sessionID int64) (map[string]int, error) {
	db := st.Read(ctx)
	var rows []struct {
		Mode string
		N    int
	}
	err := db.Model(&Attendance{}).Select("mode, COUNT(*) AS n").
		Where("session_id = ? AND status IN ?", sessionID, []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Group("mode").Scan(&rows).Error
	out := map[string]int{string(ModeInPerson): 0, string(ModeOnline): 0}
	for _, r := range rows {
		out[r.Mode] = r.N
	}
	return out, err
}

// AttendanceOf returns a student's own record for a session, if any.
func AttendanceOf(ctx context.Context, st *store.Store, userID, sessionID int64) (Attendance, bool, error) {
	db := st.Read(ctx)
	a, found, err := attendanceFor(db, sessionID, userID, false)
	if err != nil || !found {
		return a, found, err
	}
	return a, found, markWalkIns(db, sessionID, []*Attendance{&a})
}

// AttendanceAudit lists every change of a session's attendance, oldest first.
// It is for committee.
func AttendanceAudit(ctx context.Context, st *store.Store, actor User, sessionID int64) ([]AttendanceAuditEntry, error) {
	db := st.Read(ctx)
	if !actor.IsCommittee() {
		return nil, ErrForbidden
	}
	if _, err := sessionByID(db, sessionID); err != nil {
		return nil, err
	}
	var out []AttendanceAuditEntry
	err := db.Where("session_id = ?", sessionID).Order("at, id").Find(&out).Error
	return out, err
}

// CheckInByCode records a check-in from a code alone: the code names its
// session, so a student on the "Check in" page types nothing else. Only
// sessions open for check-in at now are tried.
func CheckInByCode(ctx context.Context, st *store.Store, student User, code string, rules CheckinRules, now time.Time) (Attendance, bool, error) {
	if err := requireConfirmedEmail(student); err != nil {
		return Attendance{}, false, err
	}
	return guardCheckin(ctx, st, student.ID, now, func() (Attendance, bool, error) {
		return checkInByCode(ctx, st, student, code, rules, now)
	})
}

func checkInByCode(ctx context.Context, st *store.Store, student User, code string, rules CheckinRules, now time.Time) (Attendance, bool, error) {
	// The published sessions whose checkinWindow holds now, in SQL: opens
	// (the start less CheckinOpensBefore) <= now < closes (the end).
	var open []Session
	err := st.Read(ctx).Where("status = ? AND starts_at <= ? AND ends_at > ?", SessionPublished, now.Add(CheckinOpensBefore).UTC(), now.UTC()).
		Order("starts_at").Limit(500).Find(&open).Error
	if err != nil {
		return Attendance{}, false, err
	}
	for _, s := range open {
		if _, ok := checkin.Verify(rules.Secret, s.ID, code, now, rules.Rotation); ok {
			return checkIn(ctx, st, student, s.ID, code, rules, now)
		}
	}
	// The code of a session whose check-in is not open (the screen shows it
	// from before the window opens): say when it opens, or that it closed.
	var near []Session
	err = st.Read(ctx).Where("status = ? AND starts_at <= ? AND ends_at > ? AND NOT (starts_at <= ? AND ends_at > ?)", SessionPublished,
		now.Add(checkinNear).UTC(), now.Add(-checkinNear).UTC(), now.Add(CheckinOpensBefore).UTC(), now.UTC()).
		Order("starts_at").Limit(500).Find(&near).Error
	if err != nil {
		return Attendance{}, false, err
	}
	for _, s := range near {
		if _, ok := checkin.Verify(rules.Secret, s.ID, code, now, rules.Rotation); ok {
			if err := CheckinRefusal(s, now); err != nil {
				return Attendance{}, false, err
			}
		}
	}
	return Attendance{}, false, ErrCheckinCode
}

// checkinNear is how far from its window a session's code is still
// recognised, to say when check-in opens or that it has closed.
const checkinNear = 12 * time.Hour
