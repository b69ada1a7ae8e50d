package models

import (
	"context"
	"time"

	"rounds/models/store"
)

// Arrival is someone who has come to a session, as the teacher's check-in
// screen lists them.
type Arrival struct {
	UserID int64            `json:"user_id"`
	Name   string           `json:"name"`
	Mode   Mode             `json:"mode"`
	Status AttendanceStatus `json:"status"`
	At     time.Time        `json:"at"`
}

// MaxArrivalsShown is how many names the check-in screen lists.
const MaxArrivalsShown = 100

// RecentArrivals lists who has come (present or late), newest first: the
// time they checked in, or else when the register or an import said so.
func RecentArrivals(ctx context.Context, st *store.Store, sessionID int64, limit int) ([]Arrival, error) {
	var rows []struct {
		UserID      int64
		Name        string
		Mode        Mode
		Status      AttendanceStatus
		CheckedInAt *time.Time
		UpdatedAt   time.Time
	}
	err := st.Read(ctx).Table("attendance a").Select("a.user_id, u.name, a.mode, a.status, a.checked_in_at, a.updated_at").
		Joins("JOIN users u ON u.id = a.user_id").
		Where("a.session_id = ? AND a.status IN ?", sessionID, []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Order("COALESCE(a.checked_in_at, a.updated_at) DESC, a.id DESC").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]Arrival, 0, len(rows))
	for _, r := range rows {
		at := r.UpdatedAt
		if r.CheckedInAt != nil {
			at = *r.CheckedInAt
		}
		out = append(out, Arrival{UserID: r.UserID, Name: r.Name, Mode: r.Mode, Status: r.Status, At: at.UTC()})
	}
	return out, nil
}
