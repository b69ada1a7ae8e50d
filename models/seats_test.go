package models_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

// TestSeatCountsFollowBookings plays a long random run of everything that
// changes a hybrid session's bookings — booking, booking on behalf,
// cancelling, re-booking, capacity changes, promotion — and checks after
// every step that the counts kept on the session row are the bookings'
// own, that the queue is numbered 1..n per mode, and that a new waitlisted
// booking is told its true place.
func TestSeatCountsFollowBookings(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode = sbPtr(models.ModeHybrid)
			in.OnlineURL = sbPtr("https://teams.example/meet/1")
			in.InPersonCapacity = sbPtr(3)
			in.OnlineCapacity = sbPtr(2)
		}))
		us := testkit.Members(t, db, 12, testkit.Year(2))
		rng := rand.New(rand.NewPCG(7, 11))
		now := sbT0
		modes := []models.Mode{models.ModeInPerson, models.ModeOnline}
		steps := map[string]int{}

		for step := 0; step < 400; step++ {
			if rng.IntN(4) == 0 { // often several changes in the same microsecond
				now = now.Add(time.Duration(rng.IntN(5000)) * time.Microsecond)
			}
			u := us[rng.IntN(len(us))]
			var err error
			op := ""
			switch rng.IntN(6) {
			case 0, 1:
				op = "book"
				var b models.Booking
				b, err = models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{Mode: modes[rng.IntN(2)]}, now)
				if err == nil && b.Status == models.BookingWaitlisted {
					want, werr := models.WaitlistPosition(t.Context(), db, b)
					if werr != nil || b.WaitlistPosition == nil || *b.WaitlistPosition != want {
						t.Fatalf("step %d: booked at waitlist place %v, the queue says %d (%v)", step, b.WaitlistPosition, want, werr)
					}
				}
			case 2:
				op = "book on behalf"
				_, err = models.BookSeat(t.Context(), db, teacher, s.ID, models.BookInput{Mode: modes[rng.IntN(2)], UserID: u.ID}, now)
			case 3:
				op = "cancel own"
				_, err = models.CancelMyBooking(t.Context(), db, u, s.ID, now)
			case 4:
				op = "teacher cancels"
				var b models.Booking
				if b, err = models.UserBooking(t.Context(), db, s.ID, u.ID); err == nil {
					_, err = models.CancelBooking(t.Context(), db, teacher, s.ID, b.ID, now)
				}
			case 5:
				op = "capacity"
				_, err = models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{
					InPersonCapacity: sbPtr(1 + rng.IntN(5)), OnlineCapacity: sbPtr(1 + rng.IntN(4)),
				}, now)
			}
			if err != nil && !errors.Is(err, models.ErrAlreadyBooked) && !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("step %d (%s): %v", step, op, err)
			}
			if err == nil {
				steps[op]++
			}
			checkSeats(t, db, s.ID, step, op)
		}
		for _, op := range []string{"book", "book on behalf", "cancel own", "teacher cancels", "capacity"} {
			if steps[op] == 0 {
				t.Errorf("the run never managed to %s: %v", op, steps)
			}
		}

		// RecountSeats repairs counts written by other means.
		if err := db.Write(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("UPDATE sessions SET confirmed_in_person = 99, waitlisted_online = 7, queue_tail = NULL").Error
		}); err != nil {
			t.Fatal(err)
		}
		if wrong, _ := models.MiscountedSeats(t.Context(), db); len(wrong) != 1 {
			t.Fatalf("miscounted sessions after spoiling the counts: %v", wrong)
		}
		if err := models.RecountSeats(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		checkSeats(t, db, s.ID, -1, "recount")
		got, err := models.SessionByID(t.Context(), db, s.ID)
		if err != nil || got.QueueTail == nil {
			t.Fatalf("queue tail after the recount: %+v %v", got.QueueTail, err)
		}
		var newest time.Time
		db.Read(context.Background()).Raw("SELECT queued_at FROM bookings WHERE session_id = ? ORDER BY queued_at DESC LIMIT 1", s.ID).Row().Scan(&newest)
		if !got.QueueTail.Equal(newest) {
			t.Errorf("queue tail %v, newest place %v", got.QueueTail, newest)
		}
	})
}

func checkSeats(t *testing.T, db *store.Store, sessionID int64, step int, op string) {
	t.Helper()
	wrong, err := models.MiscountedSeats(t.Context(), db)
	if err != nil || len(wrong) > 0 {
		t.Fatalf("step %d (%s): seat counts differ from the bookings on sessions %v (%v)", step, op, wrong, err)
	}
	bs, err := models.BookingsForSession(t.Context(), db, models.User{ID: -1, Role: models.RoleCommittee}, sessionID, models.BookingFilter{Status: models.BookingWaitlisted})
	if err != nil {
		t.Fatal(err)
	}
	next := map[models.Mode]int{}
	for _, b := range bs {
		next[b.Mode]++
		want, err := models.WaitlistPosition(t.Context(), db, b)
		if err != nil || want != next[b.Mode] || *b.WaitlistPosition != want {
			t.Fatalf("step %d (%s): %s queue place %d, counted %d (%v)", step, op, b.Mode, *b.WaitlistPosition, want, err)
		}
	}
}
