package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"rounds/models/store"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Booking is a member's seat (confirmed) or place in the queue (waitlisted)
// for one mode of a session; one row per member and session, reused when a
// cancelled booking is booked again. QueuedAt orders the queue: it only
// grows within a session, so a new place is always at the back.
type Booking struct {
	ID               int64         `json:"id"`
	SessionID        int64         `json:"session_id"`
	UserID           int64         `json:"user_id"`
	Mode             Mode          `json:"mode"`
	Status           BookingStatus `json:"status"`
	WaitlistPosition *int          `json:"waitlist_position" gorm:"-"` // 1-based, while waitlisted
	QueuedAt         time.Time     `json:"-"`
	BookedBy         *int64        `json:"-"`
	CancelledAt      *time.Time    `json:"-"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"-"`
	User             *BookingUser  `json:"user,omitempty" gorm:"-"`    // filled by BookingsForSession
	Session          *SessionView  `json:"session,omitempty" gorm:"-"` // filled by BookingsForUser
	// CancelledWithSession: the session was cancelled, so the booking reads
	// as cancelled with it (bookingAsShown) whatever it held.
	CancelledWithSession bool `json:"cancelled_with_session,omitempty" gorm:"-"`
}

// AfterFind keeps times in UTC whatever the driver returns.
func (b *Booking) AfterFind(*gorm.DB) error {
	b.QueuedAt, b.CreatedAt, b.UpdatedAt = b.QueuedAt.UTC(), b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	if b.CancelledAt != nil {
		t := b.CancelledAt.UTC()
		b.CancelledAt = &t
	}
	return nil
}

// BookingUser is the member a booking is for, as a session's teachers see
// them.
type BookingUser struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	YearOfStudy *int   `json:"year_of_study"`
}

// BookInput is a request for a seat. Mode may be left empty for in-person or
// online sessions, not for hybrid ones. UserID, when set to someone else,
// books on their behalf (the session's teachers and committee only).
type BookInput struct {
	Mode   Mode  `json:"mode"`
	UserID int64 `json:"user_id"`
}

// BookingFilter narrows BookingsForSession and BookingsForUser.
type BookingFilter struct {
	Status BookingStatus // confirmed, waitlisted or cancelled
	Mode   Mode          // in_person or online
	From   time.Time     // BookingsForUser: sessions that end after From
	// AsBooked (BookingsForUser) reads Status as stored: a confirmed booking
	// of a cancelled session is still kept, for the calendar feed to strike out.
	AsBooked bool
}

func (f BookingFilter) check() error {
	p := Problems{}
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", ChooseMessage(BookingConfirmed, BookingWaitlisted, BookingCancelled))
	}
	if f.Mode != "" && !sessionChoice(f.Mode, ModeInPerson, ModeOnline) {
		p.Add("mode", ChooseMessage(ModeInPerson, ModeOnline))
	}
	return p.Err()
}

func (f BookingFilter) keep(b Booking) bool {
	return (f.Status == "" || b.Status == f.Status) && (f.Mode == "" || b.Mode == f.Mode)
}

// BookSeat books a seat on a published session: confirmed while seats of
// that mode remain, else waitlisted at the back of the queue. A member books
// for themselves; the session's teachers and committee may book on behalf
// of anyone (in.UserID). Booking closes when the session starts, except for
// committee, who may back-fill past sessions. A booking_confirmed e-mail is
// queued in the same transaction when the seat is confirmed (not for
// sessions that have already ended).
//
// Errors: ErrNotFound (no such session), ErrForbidden (booking for someone
// else without managing the session), ErrSessionNotPublished,
// ErrSessionCancelled, ErrBookingClosed, a ValidationError on mode or
// user_id, ErrAlreadyBooked (a confirmed or waitlisted booking exists).
//
// Capacity holds under any concurrency: the session row is locked (FOR
// UPDATE on PostgreSQL; SQLite's immediate transactions have one writer)
// before seats are counted.
func BookSeat(ctx context.Context, st *store.Store, actor User, sessionID int64, in BookInput, now time.Time) (Booking, error) {
	if err := requireConfirmedEmail(actor); err != nil {
		return Booking{}, err
	}
	now = now.UTC()
	var out Booking
	err := st.Write(ctx, func(tx *gorm.DB) (err error) {
		out, err = bookSeat(tx, actor, sessionID, in, now)
		return err
	})
	if err != nil {
		return Booking{}, fmt.Errorf("book seat on session %d: %w", sessionID, err)
	}
	return out, nil
}

// bookSeat is BookSeat in the caller's transaction tx: it locks the session
// first, so that a transaction that books several sessions (a series) takes
// each one's lock in turn.
func bookSeat(tx *gorm.DB, actor User, sessionID int64, in BookInput, now time.Time) (Booking, error) {
	var out Booking
	err := func() error {
		if actor.ID == 0 {
			return ErrForbidden
		}
		// Load the session, locked, and for a booking on behalf what the
		// policy reads; booking for oneself, the busiest path, reads no more.
		s, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		userID := in.UserID
		if userID == 0 {
			userID = actor.ID
		}
		ask := bookingAsk{Mode: in.Mode, Committee: actor.IsCommittee(), OnBehalf: userID != actor.ID}
		if ask.OnBehalf {
			teacherIDs, booked, err := policyFacts(tx, actor, s)
			if err != nil {
				return err
			}
			ask.Manages, ask.Sees = canManage(actor, teacherIDs), canSee(actor, s, teacherIDs, booked)
		}

		// Decide: a seat, a place at the back of the queue, or a refusal.
		d, err := decideBooking(s, ask, now)
		if err != nil {
			return err
		}
		// A refusal says why before a wrong user_id is reported.
		member := actor
		if ask.OnBehalf {
			if member, err = userByID(tx, userID); err != nil {
				return &ValidationError{Fields: map[string]string{"user_id": "There is no member with that id."}}
			}
		}

		// Write the place and the seat counts.
		var bookedBy *int64
		if ask.OnBehalf {
			id := actor.ID
			bookedBy = &id
		}
		queuedAt := s.nextQueuedAt(now)
		b := Booking{
			SessionID: s.ID, UserID: userID, Mode: d.Mode, Status: d.Status, QueuedAt: queuedAt,
			BookedBy: bookedBy, CreatedAt: now, UpdatedAt: now,
		}
		// The place, the seat counts and the confirmation: three statements,
		// or on PostgreSQL one, so that a booking costs the database two
		// round trips fewer: the counts and the e-mail are clauses of the
		// insert's WITH, done only when the insert makes a new row.
		mail := Email{
			Kind: MailBookingConfirmed, Key: placeMailKey(MailBookingConfirmed, b),
			UserID: member.ID, SessionID: s.ID, To: member.Email, ToName: member.Name,
			Data: map[string]string{"mode": string(d.Mode)},
		}
		insert := `INSERT INTO bookings (session_id, user_id, mode, status, queued_at, booked_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, user_id) DO NOTHING RETURNING id`
		args := []any{s.ID, userID, d.Mode, d.Status, queuedAt, bookedBy, now, now}
		oneStatement := store.DialectOf(tx) == store.Postgres
		unmoved := s
		if oneStatement {
			const inserted = "EXISTS (SELECT 1 FROM place)"
			seats, seatArgs := seatsUpdate(&s, d.Mode, "", d.Status, 1, &queuedAt, len(args)+1)
			clauses := []string{"place AS (" + insert + ")", "seats AS (" + seats + " AND " + inserted + ")"}
			args = append(args, seatArgs...)
			if d.Mail {
				values, err := outboxValues(mail, now)
				if err != nil {
					return err
				}
				clauses = append(clauses, "mail AS ("+outboxInsert(len(args)+1, inserted)+")")
				args = append(args, values...)
			}
			insert = "WITH " + strings.Join(clauses, ", ") + " SELECT id FROM place"
		}
		err = store.QueryRow(tx, insert, args...).Scan(&b.ID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) { // no row: the member holds a place already
			return err
		}
		if b.ID == 0 || !oneStatement { // else counted and queued already
			if b.ID == 0 {
				// The unique (session, user) index keeps one row: a new place
				// reuses a cancelled one, as a new booking at the back.
				var prev Booking
				if err := tx.Where("session_id = ? AND user_id = ?", s.ID, userID).Take(&prev).Error; err != nil {
					return err
				}
				if prev.Status != BookingCancelled {
					return ErrAlreadyBooked
				}
				b.ID = prev.ID
				err := tx.Model(&Booking{}).Where("id = ? AND status = ?", b.ID, BookingCancelled).Updates(map[string]any{
					"mode": d.Mode, "status": d.Status, "queued_at": queuedAt, "booked_by": bookedBy,
					"cancelled_at": nil, "created_at": now, "updated_at": now,
				}).Error
				if err != nil {
					return err
				}
			}
			s = unmoved // the clauses did not run
			if err := moveSeats(tx, &s, d.Mode, "", d.Status, 1, &queuedAt); err != nil {
				return err
			}
			if d.Mail {
				if _, err := enqueue(tx, mail, now); err != nil {
					return err
				}
			}
		}
		if d.Status == BookingWaitlisted {
			pos := d.Position
			b.WaitlistPosition = &pos
		}

		// Mark the figures stale.
		if figuresAffected(s, now) {
			if err := markFiguresStale(tx, s.ID); err != nil {
				return err
			}
		}
		out = b
		return nil
	}()
	return out, err
}

// bookingMode resolves the mode asked for against the session's modes.
func bookingMode(s Session, asked Mode) (Mode, error) {
	invalid := func(msg string) error { return &ValidationError{Fields: map[string]string{"mode": msg}} }
	switch {
	case asked == "" && s.Mode == ModeHybrid:
		return "", invalid("This session is hybrid: choose in person or online.")
	case asked == "":
		return s.Mode, nil
	case asked != ModeInPerson && asked != ModeOnline:
		return "", invalid(ChooseMessage(ModeInPerson, ModeOnline))
	case !s.Offers(asked):
		return "", invalid("This session is " + strings.ToLower(s.Mode.Label()) + " only.")
	}
	return asked, nil
}

// placeMailKey is the dedupe key of an e-mail about one place in a queue:
// the same member can be confirmed or promoted again on the same session
// after cancelling and booking again, and each place has its own queue time.
func placeMailKey(kind MailKind, b Booking) string {
	return MailKey(kind, b.UserID, b.SessionID) + ":" + strconv.FormatInt(b.QueuedAt.UnixMicro(), 10)
}

// WaitlistPosition is the 1-based place of a waitlisted booking in the queue
// of its mode, or 0 if it is not waitlisted.
func WaitlistPosition(ctx context.Context, st *store.Store, b Booking) (int, error) {
	return waitlistPosition(st.Read(ctx), b)
}

// waitlistPosition is WaitlistPosition on a handle given by the caller (a transaction, or a read).
func waitlistPosition(db *gorm.DB, b Booking) (int, error) {
	if b.Status != BookingWaitlisted {
		return 0, nil
	}
	var n int64
	err := db.Model(&Booking{}).
		Where("session_id = ? AND mode = ? AND status = ?", b.SessionID, b.Mode, BookingWaitlisted).
		Where("(queued_at < ? OR (queued_at = ? AND id <= ?))", b.QueuedAt.UTC(), b.QueuedAt.UTC(), b.ID).
		Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("waitlist position: %w", err)
	}
	return int(n), nil
}

// UserBooking returns the member's booking of a session in any status, with
// its waitlist position, or ErrNotFound.
func UserBooking(ctx context.Context, st *store.Store, sessionID, userID int64) (Booking, error) {
	return userBooking(st.Read(ctx), sessionID, userID)
}

// userBooking is UserBooking on a handle given by the caller (a transaction, or a read).
func userBooking(db *gorm.DB, sessionID, userID int64) (Booking, error) {
	var b Booking
	if err := db.Where("session_id = ? AND user_id = ?", sessionID, userID).Take(&b).Error; err != nil {
		return Booking{}, fmt.Errorf("booking: %w", notFound(err))
	}
	if b.Status == BookingWaitlisted {
		pos, err := waitlistPosition(db, b)
		if err != nil {
			return Booking{}, err
		}
		b.WaitlistPosition = &pos
	}
	return b, nil
}

// CancelMyBooking cancels the actor's own booking of a session; see
// CancelBooking.
func CancelMyBooking(ctx context.Context, st *store.Store, actor User, sessionID int64, now time.Time) (Booking, error) {
	return cancelIn(ctx, st, actor, sessionID, 0, now)
}

// CancelBooking cancels one booking of a session: the member's own, or any
// by the session's teachers and committee. In the same transaction a
// confirmed booking's seat goes to the first waitlisted booking of that
// mode, who is sent a waitlist_promoted e-mail; a waitlisted booking just
// leaves the queue. Members cannot cancel once the session has started.
// Cancelling a cancelled booking changes nothing.
func CancelBooking(ctx context.Context, st *store.Store, actor User, sessionID, bookingID int64, now time.Time) (Booking, error) {
	if bookingID == 0 {
		return Booking{}, fmt.Errorf("cancel booking: %w", ErrNotFound)
	}
	return cancelIn(ctx, st, actor, sessionID, bookingID, now)
}

// cancelIn runs cancelBooking as a transaction of its own.
func cancelIn(ctx context.Context, st *store.Store, actor User, sessionID, bookingID int64, now time.Time) (Booking, error) {
	var out Booking
	err := st.Write(ctx, func(tx *gorm.DB) (err error) {
		out, err = cancelBooking(tx, actor, sessionID, bookingID, now)
		return err
	})
	if err != nil {
		return Booking{}, fmt.Errorf("cancel booking on session %d: %w", sessionID, err)
	}
	return out, nil
}

// cancelBooking cancels booking bookingID, or the actor's own if it is 0.
func cancelBooking(tx *gorm.DB, actor User, sessionID, bookingID int64, now time.Time) (Booking, error) {
	now = now.UTC()
	if actor.ID == 0 {
		return Booking{}, ErrForbidden
	}
	// Load the session, locked, the booking, and what the policy reads.
	s, err := lockSession(tx, sessionID)
	if err != nil {
		return Booking{}, err
	}
	teacherIDs, err := teachersForPolicy(tx, actor, s.ID)
	if err != nil {
		return Booking{}, err
	}
	q := tx.Where("session_id = ?", s.ID)
	if bookingID == 0 {
		q = q.Where("user_id = ?", actor.ID)
	} else {
		q = q.Where("id = ?", bookingID)
	}
	var rows []Booking
	if err := q.Limit(1).Find(&rows).Error; err != nil {
		return Booking{}, err
	}
	var b Booking
	found := len(rows) > 0
	if found {
		b = rows[0]
	}
	// A member's own booking shows they booked; otherwise the policy asks.
	booked := found && b.UserID == actor.ID
	if !booked {
		if booked, err = bookedForPolicy(tx, actor, s, teacherIDs); err != nil {
			return Booking{}, err
		}
	}
	ask := cancelAsk{ActorID: actor.ID, ByID: bookingID != 0,
		Manages: canManage(actor, teacherIDs), Sees: canSee(actor, s, teacherIDs, booked)}

	// Decide.
	if err := cancelError(s, b, found, ask, now); err != nil {
		return Booking{}, err
	}
	if b.Status == BookingCancelled { // cancelling again changes nothing
		return b, nil
	}

	// Write the booking and the seat counts; a seat freed goes to the front
	// of its queue, who are sent their e-mails.
	was := b.Status
	b.Status, b.CancelledAt, b.UpdatedAt = BookingCancelled, &now, now
	err = tx.Model(&Booking{}).Where("id = ?", b.ID).Updates(map[string]any{
		"status": BookingCancelled, "cancelled_at": now, "updated_at": now,
	}).Error
	if err != nil {
		return Booking{}, err
	}
	if err := moveSeats(tx, &s, b.Mode, was, BookingCancelled, 1, nil); err != nil {
		return Booking{}, err
	}
	if was == BookingConfirmed {
		if _, err := promoteWaitlisted(tx, s, now, b.Mode); err != nil {
			return Booking{}, err
		}
	}

	// Mark the figures stale.
	if figuresAffected(s, now) {
		if err := markFiguresStale(tx, s.ID); err != nil {
			return Booking{}, err
		}
	}
	return b, nil
}

// PromoteFromWaitlist fills every free seat of a published session from its
// waitlists, first come first served, queuing a waitlist_promoted e-mail for
// each promoted booking, and returns them. Booking rules call it themselves;
// it is exported for repairs and jobs, and is safe to run at any time.
func PromoteFromWaitlist(ctx context.Context, st *store.Store, sessionID int64, now time.Time) ([]Booking, error) {
	now = now.UTC()
	var out []Booking
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := lockSession(tx, sessionID)
		if err != nil {
			return err
		}
		promoted, err := promoteWaitlisted(tx, s, now, s.Modes()...)
		if err != nil {
			return err
		}
		if len(promoted) > 0 && figuresAffected(s, now) {
			if err := markFiguresStale(tx, s.ID); err != nil {
				return err
			}
		}
		out = promoted
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("promote from waitlist of session %d: %w", sessionID, err)
	}
	return out, nil
}

// promoteWaitlisted gives the free seats of the given modes to the front of
// their queues and sends each promoted member a waitlist_promoted e-mail,
// but marks no figures: that is its caller's step. The caller holds the
// session's lock.
func promoteWaitlisted(tx *gorm.DB, s Session, now time.Time, modes ...Mode) ([]Booking, error) {
	var promoted []Booking
	for _, m := range modes {
		free := promotable(s, m)
		if free == 0 {
			continue
		}
		// The front of the queue, as many as may come in: the database
		// orders it as queuedBefore does.
		q := tx.Where("session_id = ? AND mode = ? AND status = ?", s.ID, m, BookingWaitlisted).Order("queued_at, id")
		if free > 0 {
			q = q.Limit(free)
		}
		var front []Booking
		if err := q.Find(&front).Error; err != nil {
			return nil, err
		}
		n := 0
		for _, b := range promotions(s, m, front) {
			res := tx.Model(&Booking{}).Where("id = ? AND status = ?", b.ID, BookingWaitlisted).
				Updates(map[string]any{"status": BookingConfirmed, "updated_at": now})
			if res.Error != nil {
				return nil, res.Error
			}
			if res.RowsAffected == 1 {
				b.Status, b.UpdatedAt = BookingConfirmed, now
				promoted = append(promoted, b)
				n++
			}
		}
		if err := moveSeats(tx, &s, m, BookingWaitlisted, BookingConfirmed, n, nil); err != nil {
			return nil, err
		}
	}
	if len(promoted) == 0 || s.HasEnded(now) {
		return promoted, nil
	}
	members, err := bookingUsers(tx, promoted)
	if err != nil {
		return nil, err
	}
	for _, b := range promoted {
		u := members[b.UserID]
		if _, err := enqueue(tx, Email{
			Kind: MailWaitlistPromoted, Key: placeMailKey(MailWaitlistPromoted, b),
			UserID: b.UserID, SessionID: s.ID, To: u.Email, ToName: u.Name,
			Data: map[string]string{"mode": string(b.Mode)},
		}, now); err != nil {
			return nil, err
		}
	}
	return promoted, nil
}

// bookingUsers loads the members the bookings are for.
func bookingUsers(db *gorm.DB, bs []Booking) (map[int64]BookingUser, error) {
	out := map[int64]BookingUser{}
	if len(bs) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.UserID)
	}
	var users []BookingUser
	if err := db.Model(&User{}).Select("id, name, email, year_of_study").Where("id IN ?", ids).Scan(&users).Error; err != nil {
		return nil, err
	}
	for _, u := range users {
		out[u.ID] = u
	}
	return out, nil
}

// BookingsForSession lists a session's bookings, with their members, in the
// order their places were taken, for its teachers and committee (others get
// ErrForbidden, or ErrNotFound if they may not see the session). Cancelled
// bookings are included unless f says otherwise.
func BookingsForSession(ctx context.Context, st *store.Store, viewer User, sessionID int64, f BookingFilter) ([]Booking, error) {
	db := st.Read(ctx)
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("bookings for session %d: %w", sessionID, err)
	}
	s, err := sessionByID(db, sessionID)
	if err != nil {
		return nil, err
	}
	if err := authorizeManage(db, viewer, s); err != nil {
		return nil, fmt.Errorf("bookings for session %d: %w", sessionID, err)
	}
	var all []Booking
	if err := db.Where("session_id = ?", sessionID).Order("queued_at, id").Find(&all).Error; err != nil {
		return nil, fmt.Errorf("bookings for session %d: %w", sessionID, err)
	}
	members, err := bookingUsers(db, all)
	if err != nil {
		return nil, fmt.Errorf("bookings for session %d: %w", sessionID, err)
	}
	queue := map[Mode]int{}
	out := []Booking{}
	for _, b := range all {
		if b.Status == BookingWaitlisted {
			queue[b.Mode]++
			pos := queue[b.Mode]
			b.WaitlistPosition = &pos
		}
		if !f.keep(b) {
			continue
		}
		u := members[b.UserID]
		b.User = &u
		out = append(out, b)
	}
	return out, nil
}

// BookingsForUser lists the viewer's own bookings, each with the session as
// the viewer sees it, by the session's start. Cancelled bookings are
// included unless f says otherwise.
func BookingsForUser(ctx context.Context, st *store.Store, viewer User, f BookingFilter) ([]Booking, error) {
	db := st.Read(ctx)
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("bookings for user: %w", err)
	}
	q := db.Model(&Booking{}).Joins("JOIN sessions ON sessions.id = bookings.session_id").
		Where("bookings.user_id = ?", viewer.ID)
	switch {
	case f.Status == "":
	case f.AsBooked:
		q = q.Where("bookings.status = ?", f.Status)
	case f.Status == BookingCancelled:
		q = q.Where("(bookings.status = ? OR sessions.status = ?)", BookingCancelled, SessionCancelled)
	default:
		q = q.Where("bookings.status = ? AND sessions.status <> ?", f.Status, SessionCancelled)
	}
	if f.Mode != "" {
		q = q.Where("bookings.mode = ?", f.Mode)
	}
	if !f.From.IsZero() {
		q = q.Where("sessions.ends_at > ?", f.From.UTC())
	}
	var bs []Booking
	if err := q.Select("bookings.*").Order("sessions.starts_at, bookings.id").Find(&bs).Error; err != nil {
		return nil, fmt.Errorf("bookings for user %d: %w", viewer.ID, err)
	}
	if len(bs) == 0 {
		return []Booking{}, nil
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.SessionID
	}
	var ss []Session
	if err := db.Where("id IN ?", ids).Find(&ss).Error; err != nil {
		return nil, fmt.Errorf("bookings for user %d: %w", viewer.ID, err)
	}
	views, err := viewSessions(db, viewer, ss)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*SessionView{}
	for i := range views {
		byID[views[i].ID] = &views[i]
	}
	for i := range bs {
		if bs[i].Status == BookingWaitlisted {
			pos, err := waitlistPosition(db, bs[i])
			if err != nil {
				return nil, err
			}
			bs[i].WaitlistPosition = &pos
		}
		bs[i].Session = byID[bs[i].SessionID]
		if v := bs[i].Session; v != nil {
			bs[i] = bookingAsShown(v.Session, bs[i])
		}
	}
	return bs, nil
}
