package models_test

import (
	"errors"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// A booking writes its place, the session's seat counts and its
// confirmation together (on PostgreSQL in one statement): a new place is
// counted and e-mailed once; a place taken again after cancelling is
// counted and e-mailed again; booking while holding a place changes
// nothing, and neither does a refusal.
func TestBookingWritesCountsAndMailTogether(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.InPersonCapacity = sbPtr(1)
		}))
		first, second := testkit.Member(t, db, testkit.Year(2)), testkit.Member(t, db, testkit.Year(2))
		counts := func() string {
			got, err := models.VisibleSession(t.Context(), db, teacher, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			return string(rune('0'+got.ConfirmedInPerson)) + "/" + string(rune('0'+got.WaitlistedInPerson))
		}
		mails := func() int { return len(sbMail(t, db, models.MailBookingConfirmed)) }

		if b, err := models.BookSeat(t.Context(), db, first, s.ID, models.BookInput{}, sbT0); err != nil || b.Status != models.BookingConfirmed {
			t.Fatalf("first booking: %+v, %v", b, err)
		}
		if counts() != "1/0" || mails() != 1 {
			t.Fatalf("after one booking: counts %s, %d e-mails", counts(), mails())
		}
		if _, err := models.BookSeat(t.Context(), db, first, s.ID, models.BookInput{}, sbT0.Add(time.Minute)); !errors.Is(err, models.ErrAlreadyBooked) {
			t.Fatalf("booking again: %v", err)
		}
		// The second is waitlisted: counted, not e-mailed as confirmed.
		if b, err := models.BookSeat(t.Context(), db, second, s.ID, models.BookInput{}, sbT0.Add(2*time.Minute)); err != nil || b.Status != models.BookingWaitlisted {
			t.Fatalf("second booking: %+v, %v", b, err)
		}
		if counts() != "1/1" || mails() != 1 {
			t.Fatalf("after booking again and a waitlisted place: counts %s, %d e-mails", counts(), mails())
		}
		if _, err := models.CancelMyBooking(t.Context(), db, second, s.ID, sbT0.Add(3*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CancelMyBooking(t.Context(), db, first, s.ID, sbT0.Add(4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if counts() != "0/0" {
			t.Fatalf("after both cancelled: counts %s", counts())
		}
		// Taken again: the cancelled row is reused, counted and e-mailed.
		if b, err := models.BookSeat(t.Context(), db, first, s.ID, models.BookInput{}, sbT0.Add(5*time.Minute)); err != nil || b.Status != models.BookingConfirmed {
			t.Fatalf("booking after cancelling: %+v, %v", b, err)
		}
		if counts() != "1/0" || mails() != 2 {
			t.Fatalf("after booking again: counts %s, %d e-mails", counts(), mails())
		}
	})
}
