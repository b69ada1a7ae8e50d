package models

// Reading sessions for the pages that show many of them. The session list
// is the most visited page; for it the sessions, their teachers and the
// viewer's own bookings are one straight statement whose rows are scanned
// field by field (no GORM statement building, no reflection), with only
// the columns a card shows. See docs/PERFORMANCE.md.

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"rounds/models/store"
)

// listColumns are the columns of a session that a card shows; the other
// fields of a listed Session stay zero (see ListSessionViews).
const listColumns = "id, title, topic, format, year_groups, mode, venue, online_url, in_person_capacity, online_capacity, " +
	"starts_at, ends_at, status, confirmed_in_person, confirmed_online, waitlisted_in_person, waitlisted_online, members_only"

func (s *Session) listFields() []any {
	return []any{&s.ID, &s.Title, &s.Topic, &s.Format, &s.YearGroups, &s.Mode, &s.Venue, &s.OnlineURL, &s.InPersonCapacity,
		&s.OnlineCapacity, &s.StartsAt, &s.EndsAt, &s.Status, &s.ConfirmedInPerson, &s.ConfirmedOnline,
		&s.WaitlistedInPerson, &s.WaitlistedOnline, &s.MembersOnly}
}

// ListSessionViews is ListSessions followed by ViewSessions, in one read
// for a page of cards: each session with only listColumns (no description,
// cancel reason, sequence, series or row times), its teachers, and the
// viewer's own live booking with its place in the queue. The seat counts
// are those of the session rows as they are read, as on every page.
func ListSessionViews(ctx context.Context, st *store.Store, viewer User, f SessionFilter) ([]SessionView, error) {
	cond, err := sessionWhere(viewer, f)
	if err != nil || cond == nil {
		return []SessionView{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	// Placeholders in the order they appear: SQLite numbers $n by that order.
	args := append(cond.args, limit, max(f.Offset, 0), viewer.ID, BookingCancelled)
	n := len(cond.args)
	where := ""
	if cond.sql != "" {
		where = " WHERE " + cond.numbered(1)
	}
	// The sessions of the page first (their limit counts sessions, not
	// rows), then a row for each of their teachers, beside the viewer's
	// booking if any (one at most: bookings are unique by session and member).
	query := "SELECT " + qualified("s", listColumns) + ", b.id, b.mode, b.status, b.queued_at, u.id, u.name" +
		" FROM (SELECT " + qualified("sessions", listColumns) + " FROM sessions" + where +
		" ORDER BY sessions.starts_at, sessions.id LIMIT $" + strconv.Itoa(n+1) + " OFFSET $" + strconv.Itoa(n+2) + ") s" +
		" LEFT JOIN bookings b ON b.session_id = s.id AND b.user_id = $" + strconv.Itoa(n+3) + " AND b.status <> $" + strconv.Itoa(n+4) +
		" LEFT JOIN session_teachers st ON st.session_id = s.id LEFT JOIN users u ON u.id = st.user_id" +
		" ORDER BY s.starts_at, s.id, u.name, u.id"
	db := st.Read(ctx)
	out, err := scanListViews(db, viewer, query, args)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// scanListViews runs the query of ListSessionViews and makes the views.
func scanListViews(db *gorm.DB, viewer User, query string, args []any) ([]SessionView, error) {
	rows, err := store.Query(db, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]SessionView, 0, 64)
	var s Session
	var bookingID, teacherID sql.NullInt64
	var bookingMode, bookingStatus, teacherName sql.NullString
	var queuedAt sql.NullTime
	dest := append(s.listFields(), &bookingID, &bookingMode, &bookingStatus, &queuedAt, &teacherID, &teacherName)
	for rows.Next() {
		s = Session{}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != s.ID {
			s.inUTC()
			v := SessionView{Session: s}
			if bookingID.Valid {
				v.MyBooking = &Booking{ID: bookingID.Int64, SessionID: s.ID, UserID: viewer.ID, Mode: Mode(bookingMode.String),
					Status: BookingStatus(bookingStatus.String), QueuedAt: queuedAt.Time.UTC()}
			}
			out = append(out, v)
		}
		if teacherID.Valid {
			last := &out[len(out)-1]
			last.Teachers = append(last.Teachers, SessionTeacher{ID: teacherID.Int64, Name: teacherName.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	for i, v := range out {
		if b := v.MyBooking; b != nil && b.Status == BookingWaitlisted {
			pos, err := waitlistPosition(db, *b)
			if err != nil {
				return nil, err
			}
			b.WaitlistPosition = &pos
		}
		out[i] = sessionView(viewer, v.Session, v.Teachers, v.MyBooking)
	}
	return out, nil
}

// sessionView is the view of s for viewer, given its teachers and the
// viewer's live booking of it (nil if none).
func sessionView(viewer User, s Session, teachers []SessionTeacher, mine *Booking) SessionView {
	v := SessionView{Session: s, Teachers: teachers, Counts: s.SeatCounts(), MyBooking: mine}
	if mine != nil {
		b := bookingAsShown(s, *mine)
		v.MyBooking = &b
	}
	if v.Teachers == nil {
		v.Teachers = []SessionTeacher{}
	}
	teacherIDs := make([]int64, len(v.Teachers))
	for i, t := range v.Teachers {
		teacherIDs[i] = t.ID
	}
	v.CanManage = canManage(viewer, teacherIDs)
	confirmed := v.MyBooking != nil && v.MyBooking.Status == BookingConfirmed
	if (v.CanManage || confirmed) && s.OnlineURL != "" {
		u := s.OnlineURL
		v.OnlineURL = &u
	}
	return v
}

// idList is "$from, $from+1, …" for the ids, and the ids as arguments.
func idList(from int, ids []int64) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
		args[i] = id
	}
	return b.String(), args
}

// teachersOf lists the teachers of each session by name.
func teachersOf(db *gorm.DB, ids []int64) (map[int64][]SessionTeacher, error) {
	out := map[int64][]SessionTeacher{}
	if len(ids) == 0 {
		return out, nil
	}
	list, args := idList(1, ids)
	rows, err := store.Query(db, "SELECT st.session_id, u.id, u.name FROM session_teachers st JOIN users u ON u.id = st.user_id"+
		" WHERE st.session_id IN ("+list+") ORDER BY u.name, u.id", args...)
	if err != nil {
		return nil, fmt.Errorf("session teachers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sessionID int64
		var t SessionTeacher
		if err := rows.Scan(&sessionID, &t.ID, &t.Name); err != nil {
			return nil, fmt.Errorf("session teachers: %w", err)
		}
		out[sessionID] = append(out[sessionID], t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("session teachers: %w", err)
	}
	return out, nil
}

// viewerBookingColumns are the columns of a booking that a view shows.
const viewerBookingColumns = "id, session_id, user_id, mode, status, queued_at, booked_by, cancelled_at, created_at, updated_at"

// liveBookingsOf is the member's live (not cancelled) bookings of the
// sessions, by session, with their places in the queue.
func liveBookingsOf(db *gorm.DB, userID int64, ids []int64) (map[int64]*Booking, error) {
	mine := map[int64]*Booking{}
	list, args := idList(3, ids)
	rows, err := store.Query(db, "SELECT "+viewerBookingColumns+" FROM bookings WHERE user_id = $1 AND status <> $2 AND session_id IN ("+list+")",
		append([]any{userID, BookingCancelled}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("view sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Booking
		if err := rows.Scan(&b.ID, &b.SessionID, &b.UserID, &b.Mode, &b.Status, &b.QueuedAt, &b.BookedBy, &b.CancelledAt,
			&b.CreatedAt, &b.UpdatedAt); err != nil {
			return nil, fmt.Errorf("view sessions: %w", err)
		}
		_ = b.AfterFind(nil)
		mine[b.SessionID] = &b
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("view sessions: %w", err)
	}
	rows.Close()
	for _, b := range mine {
		if b.Status == BookingWaitlisted {
			pos, err := waitlistPosition(db, *b)
			if err != nil {
				return nil, err
			}
			b.WaitlistPosition = &pos
		}
	}
	return mine, nil
}

// scanStrings runs a straight query of one text column.
func scanStrings(db *gorm.DB, query string, args ...any) ([]string, error) {
	rows, err := store.Query(db, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
