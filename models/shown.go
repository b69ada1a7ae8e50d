package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"gorm.io/gorm"

	"rounds/models/store"
)

// How a member's own booking and attendance read on their pages and in the
// API: the stored rows say what was booked and recorded, these rules say
// what that means to the member now.

// bookingAsShown: a booking of a cancelled session reads as cancelled with it, holding neither a seat nor a place in the queue. The stored status is kept (so its holder still sees the session, and the cancellation e-mail and the calendar feed reach them); a booking cancelled before is shown as it is.
func bookingAsShown(s Session, b Booking) Booking {
	if s.Status != SessionCancelled || b.Status == BookingCancelled {
		return b
	}
	b.Status, b.WaitlistPosition, b.CancelledWithSession = BookingCancelled, nil, true
	return b
}

// ForOtherYears: a session aimed at some years of study is for others than a member in a year outside them; members without a year (graduates, doctors) and sessions for every year are never warned.
func (s Session) ForOtherYears(year *int) bool {
	return year != nil && s.YearGroups != 0 && !s.YearGroups.Has(*year)
}

// Phrase is the years as a sentence says them: "year 2", "years 5–6",
// "years 1 and 3", "years 1–2 and 5".
func (y YearGroups) Phrase() string {
	years := y.Years()
	var runs []string
	for i := 0; i < len(years); {
		j := i
		for j+1 < len(years) && years[j+1] == years[j]+1 {
			j++
		}
		if j > i {
			runs = append(runs, strconv.Itoa(years[i])+"–"+strconv.Itoa(years[j]))
		} else {
			runs = append(runs, strconv.Itoa(years[i]))
		}
		i = j + 1
	}
	switch {
	case len(runs) == 0:
		return "no year"
	case len(years) == 1:
		return "year " + runs[0]
	case len(runs) == 1:
		return "years " + runs[0]
	}
	return "years " + strings.Join(runs[:len(runs)-1], ", ") + " and " + runs[len(runs)-1]
}

// arrivedAsWalkIn tells whether a record is a walk-in, by the register's
// one definition (PlaceOnRegister): someone who came without a confirmed seat.
func arrivedAsWalkIn(a Attendance, booked bool) bool {
	var b BookingStatus
	if booked {
		b = BookingConfirmed
	}
	return PlaceOnRegister(b, a.Status) == PlaceWalkIn
}

// markWalkIns sets WalkIn on records of one session, from its confirmed
// bookings.
func markWalkIns(db *gorm.DB, sessionID int64, recs []*Attendance) error {
	if len(recs) == 0 {
		return nil
	}
	var ids []int64
	if err := db.Model(&Booking{}).Where("session_id = ? AND status = ?", sessionID, BookingConfirmed).Pluck("user_id", &ids).Error; err != nil {
		return fmt.Errorf("walk-ins of session %d: %w", sessionID, err)
	}
	booked := make(map[int64]bool, len(ids))
	for _, id := range ids {
		booked[id] = true
	}
	for _, a := range recs {
		a.WalkIn = arrivedAsWalkIn(*a, booked[a.UserID])
	}
	return nil
}

// CountWalkIns counts who came to a session without a confirmed booking.
func CountWalkIns(ctx context.Context, st *store.Store, sessionID int64) (int, error) {
	var n int64
	err := st.Read(ctx).Model(&Attendance{}).
		Where("session_id = ? AND status IN ?", sessionID, []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Where("NOT EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = attendance.session_id AND b.user_id = attendance.user_id AND b.status = ?)", BookingConfirmed).
		Count(&n).Error
	return int(n), err
}
