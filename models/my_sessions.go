package models

import (
	"context"
	"fmt"

	"rounds/models/store"
)

// SessionRecord is what happened for one member at one session: their
// attendance record (nil if none), whether they gave feedback, and their
// attendance certificate (nil if none).
type SessionRecord struct {
	Attendance    *Attendance
	FeedbackGiven bool
	Certificate   *Certificate
}

// SessionRecordsOf gathers, for "My sessions", what happened at every
// session the member has a record of, by session id; and the sessions they
// came to without ever booking (walk-ins), as the member sees them.
func SessionRecordsOf(ctx context.Context, st *store.Store, viewer User) (map[int64]SessionRecord, []SessionView, error) {
	db := st.Read(ctx)
	out := map[int64]SessionRecord{}
	var recs []Attendance
	if err := db.Where("user_id = ?", viewer.ID).Find(&recs).Error; err != nil {
		return nil, nil, fmt.Errorf("session records of %d: %w", viewer.ID, err)
	}
	var given []int64
	if err := db.Table("feedback").Where("user_id = ?", viewer.ID).Pluck("session_id", &given).Error; err != nil {
		return nil, nil, fmt.Errorf("session records of %d: %w", viewer.ID, err)
	}
	var certs []Certificate
	if err := db.Where("user_id = ? AND kind = ? AND session_id IS NOT NULL", viewer.ID, CertificateAttendance).Find(&certs).Error; err != nil {
		return nil, nil, fmt.Errorf("session records of %d: %w", viewer.ID, err)
	}
	var bookings []Booking
	if err := db.Select("session_id", "status").Where("user_id = ?", viewer.ID).Find(&bookings).Error; err != nil {
		return nil, nil, fmt.Errorf("session records of %d: %w", viewer.ID, err)
	}
	isBooked, confirmed := map[int64]bool{}, map[int64]bool{}
	for _, b := range bookings {
		isBooked[b.SessionID] = true
		confirmed[b.SessionID] = b.Status == BookingConfirmed
	}
	var unbooked []int64
	for i := range recs {
		a := recs[i]
		a.WalkIn = arrivedAsWalkIn(a, confirmed[a.SessionID])
		r := out[a.SessionID]
		r.Attendance = &a
		out[a.SessionID] = r
		if !isBooked[a.SessionID] {
			unbooked = append(unbooked, a.SessionID)
		}
	}
	for _, id := range given {
		r := out[id]
		r.FeedbackGiven = true
		out[id] = r
	}
	for i := range certs {
		c := certs[i]
		r := out[*c.SessionID]
		r.Certificate = &c
		out[*c.SessionID] = r
	}
	if len(unbooked) == 0 {
		return out, nil, nil
	}
	var ss []Session
	if err := db.Where("id IN ? AND status <> ?", unbooked, SessionDraft).Order("starts_at").Find(&ss).Error; err != nil {
		return nil, nil, fmt.Errorf("session records of %d: %w", viewer.ID, err)
	}
	views, err := viewSessions(db, viewer, ss)
	return out, views, err
}
