package main

import (
	"context"

	"rounds/models"
	"rounds/models/store"
)

// miscountedSeats lists the sessions whose seat counts, kept on the session
// row by the booking rules, differ from their bookings; there should be
// none. It counts in SQL of its own, apart from the code it checks.
func miscountedSeats(ctx context.Context, db *store.Store) ([]int64, error) {
	const count = "SUM(CASE WHEN mode = ? AND status = ? THEN 1 ELSE 0 END)"
	var wrong []int64
	err := db.Read(ctx).Raw(`SELECT s.id FROM sessions s LEFT JOIN (
	SELECT session_id, `+count+` AS cip, `+count+` AS co, `+count+` AS wip, `+count+` AS wo
	FROM bookings GROUP BY session_id) c ON c.session_id = s.id
WHERE s.confirmed_in_person <> COALESCE(c.cip, 0) OR s.confirmed_online <> COALESCE(c.co, 0)
	OR s.waitlisted_in_person <> COALESCE(c.wip, 0) OR s.waitlisted_online <> COALESCE(c.wo, 0)
ORDER BY s.id`,
		models.ModeInPerson, models.BookingConfirmed, models.ModeOnline, models.BookingConfirmed,
		models.ModeInPerson, models.BookingWaitlisted, models.ModeOnline, models.BookingWaitlisted).Scan(&wrong).Error
	return wrong, err
}
