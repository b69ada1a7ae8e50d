package models_test

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestBookSeatConcurrent is rule 1 of DESIGN.md: however many book at once,
// never more confirmed than seats, and the queue is numbered without gaps.
func TestBookSeatConcurrent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		const seats, students = 40, 300
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(seats))
		us := testkit.Members(t, db, students, testkit.Year(2))
		clk := clock.NewFake(sbT0)

		results := make([]models.Booking, students)
		errs := make([]error, students)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range us {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				results[i], errs[i] = models.BookSeat(t.Context(), db, us[i], s.ID, models.BookInput{}, clk.Now())
			}(i)
		}
		close(start)
		wg.Wait()

		confirmed, positions := 0, []int{}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("student %d: %v", i, err)
			}
			switch b := results[i]; b.Status {
			case models.BookingConfirmed:
				confirmed++
				if b.WaitlistPosition != nil {
					t.Fatalf("confirmed booking with a position: %+v", b)
				}
			case models.BookingWaitlisted:
				positions = append(positions, *b.WaitlistPosition)
			}
		}
		if confirmed != seats || len(positions) != students-seats {
			t.Fatalf("%d confirmed, %d waitlisted; want %d and %d", confirmed, len(positions), seats, students-seats)
		}
		sort.Ints(positions)
		for i, p := range positions {
			if p != i+1 {
				t.Fatalf("waitlist positions are not 1..%d: %v", students-seats, positions)
			}
		}

		// What the database holds agrees with what the callers were told.
		c, err := models.CountBookings(t.Context(), db, s.ID)
		if err != nil || c.ConfirmedInPerson != seats || c.Waitlisted != students-seats {
			t.Fatalf("counts = %+v, %v", c, err)
		}
		list, err := models.BookingsForSession(t.Context(), db, teacher, s.ID, models.BookingFilter{Status: models.BookingWaitlisted})
		if err != nil || len(list) != students-seats {
			t.Fatalf("waitlist = %d, %v", len(list), err)
		}
		told := map[int64]int{}
		for _, b := range results {
			if b.WaitlistPosition != nil {
				told[b.ID] = *b.WaitlistPosition
			}
		}
		for i, b := range list {
			if *b.WaitlistPosition != i+1 || told[b.ID] != i+1 {
				t.Fatalf("booking %d is %d in the queue, was told %d", b.ID, i+1, told[b.ID])
			}
		}
		if n := len(sbMail(t, db, models.MailBookingConfirmed)); n != seats {
			t.Fatalf("%d booking_confirmed e-mails, want %d", n, seats)
		}

		// Cancelling a seat passes it to the head of the queue.
		var first models.Booking
		for _, b := range results {
			if b.Status == models.BookingConfirmed {
				first = b
				break
			}
		}
		var owner models.User
		for _, u := range us {
			if u.ID == first.UserID {
				owner = u
			}
		}
		if _, err := models.CancelMyBooking(t.Context(), db, owner, s.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		head, err := models.UserBooking(t.Context(), db, s.ID, list[0].UserID)
		if err != nil || head.Status != models.BookingConfirmed {
			t.Fatalf("head of the queue = %+v, %v", head, err)
		}
		next, _ := models.UserBooking(t.Context(), db, s.ID, list[1].UserID)
		if next.WaitlistPosition == nil || *next.WaitlistPosition != 1 {
			t.Fatalf("second in the queue now at %v", next.WaitlistPosition)
		}
	})
}

// TestBookSeatConcurrentLastSeats races members of a hybrid session for the
// last seats of both modes while others cancel.
func TestBookSeatConcurrentMixed(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode, in.OnlineURL = sbPtr(models.ModeHybrid), sbPtr("https://zoom.example.com/j/1")
			in.InPersonCapacity, in.OnlineCapacity = sbPtr(5), sbPtr(7)
		}))
		us := testkit.Members(t, db, 60, testkit.Year(2))
		var wg sync.WaitGroup
		for i, u := range us {
			wg.Add(1)
			go func(i int, u models.User) {
				defer wg.Done()
				mode := models.ModeInPerson
				if i%2 == 1 {
					mode = models.ModeOnline
				}
				if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{Mode: mode}, sbT0); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if _, err := models.CancelMyBooking(t.Context(), db, u, s.ID, sbT0); err != nil {
						t.Error(err)
					}
				}
			}(i, u)
		}
		wg.Wait()
		c, err := models.CountBookings(t.Context(), db, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 60 booked, 20 cancelled: 20 remain per mode, so both modes are full.
		if c.ConfirmedInPerson != 5 || c.ConfirmedOnline != 7 || c.WaitlistedInPerson != 15 || c.WaitlistedOnline != 13 {
			t.Fatalf("counts = %+v", c)
		}
	})
}

func TestCancelBookingPromotes(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(2))
		us := testkit.Members(t, db, 5, testkit.Year(2))
		clk := clock.NewFake(sbT0)
		var bs []models.Booking
		for _, u := range us {
			clk.Advance(time.Second)
			b, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{Mode: models.ModeInPerson}, clk.Now())
			if err != nil {
				t.Fatal(err)
			}
			bs = append(bs, b)
		}
		if bs[1].Status != models.BookingConfirmed || bs[2].Status != models.BookingWaitlisted || *bs[4].WaitlistPosition != 3 {
			t.Fatalf("bookings = %+v", bs)
		}
		// A waitlisted cancellation only shortens the queue.
		if _, err := models.CancelMyBooking(t.Context(), db, us[3], s.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if n := len(sbMail(t, db, models.MailWaitlistPromoted)); n != 0 {
			t.Fatalf("waitlisted cancellation promoted %d", n)
		}
		if b, _ := models.UserBooking(t.Context(), db, s.ID, us[4].ID); *b.WaitlistPosition != 2 {
			t.Fatalf("last in the queue at %d, want 2", *b.WaitlistPosition)
		}
		// A confirmed one, by a teacher through its id, promotes the head.
		got, err := models.CancelBooking(t.Context(), db, teacher, s.ID, bs[0].ID, clk.Now())
		if err != nil || got.Status != models.BookingCancelled || got.CancelledAt == nil {
			t.Fatalf("cancel: %+v, %v", got, err)
		}
		promoted, _ := models.UserBooking(t.Context(), db, s.ID, us[2].ID)
		if promoted.Status != models.BookingConfirmed {
			t.Fatalf("head of the queue is %s", promoted.Status)
		}
		if b, _ := models.UserBooking(t.Context(), db, s.ID, us[4].ID); b.Status != models.BookingWaitlisted || *b.WaitlistPosition != 1 {
			t.Fatalf("next = %+v", b)
		}
		msgs := sbMail(t, db, models.MailWaitlistPromoted)
		if len(msgs) != 1 || *msgs[0].UserID != us[2].ID || msgs[0].ToAddr != us[2].Email || *msgs[0].SessionID != s.ID {
			t.Fatalf("waitlist_promoted e-mails = %+v", msgs)
		}
		if c, _ := models.CountBookings(t.Context(), db, s.ID); c.ConfirmedInPerson != 2 || c.Waitlisted != 1 {
			t.Fatalf("counts = %+v", c)
		}
		// Cancelling again changes nothing.
		if _, err := models.CancelBooking(t.Context(), db, teacher, s.ID, bs[0].ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if n := len(sbMail(t, db, models.MailWaitlistPromoted)); n != 1 {
			t.Fatalf("second cancellation promoted again: %d", n)
		}
		// Nobody else's booking is a student's to cancel.
		_, err = models.CancelBooking(t.Context(), db, us[1], s.ID, promoted.ID, clk.Now())
		sbWantErr(t, err, models.ErrForbidden)
		_, err = models.CancelMyBooking(t.Context(), db, testkit.Member(t, db, testkit.Name("Never Booked"), testkit.Year(3), testkit.Direct()), s.ID, clk.Now())
		sbWantErr(t, err, models.ErrNotFound)
		_, err = models.CancelBooking(t.Context(), db, teacher, s.ID, 987654, clk.Now())
		sbWantErr(t, err, models.ErrNotFound)
	})
}

func TestHybridCapacities(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode, in.OnlineURL = sbPtr(models.ModeHybrid), sbPtr("https://zoom.example.com/j/1")
			in.InPersonCapacity, in.OnlineCapacity = sbPtr(1), sbPtr(2)
		}))
		us := testkit.Members(t, db, 5, testkit.Year(2))
		book := func(u models.User, mode models.Mode) models.Booking {
			t.Helper()
			b, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{Mode: mode}, sbT0)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		_, err := models.BookSeat(t.Context(), db, us[0], s.ID, models.BookInput{}, sbT0)
		if sbFields(t, err)["mode"] == "" {
			t.Fatalf("hybrid without a mode: %v", err)
		}
		_, err = models.BookSeat(t.Context(), db, us[0], s.ID, models.BookInput{Mode: models.ModeHybrid}, sbT0)
		if sbFields(t, err)["mode"] == "" {
			t.Fatalf("mode hybrid: %v", err)
		}
		if b := book(us[0], models.ModeInPerson); b.Status != models.BookingConfirmed {
			t.Fatalf("first in person: %s", b.Status)
		}
		if b := book(us[1], models.ModeInPerson); b.Status != models.BookingWaitlisted || *b.WaitlistPosition != 1 {
			t.Fatalf("second in person: %+v", b)
		}
		if b := book(us[2], models.ModeOnline); b.Status != models.BookingConfirmed {
			t.Fatalf("online while in person is full: %s", b.Status)
		}
		if b := book(us[3], models.ModeOnline); b.Status != models.BookingConfirmed {
			t.Fatalf("last online seat: %s", b.Status)
		}
		if b := book(us[4], models.ModeOnline); b.Status != models.BookingWaitlisted || *b.WaitlistPosition != 1 {
			t.Fatalf("online queue has its own numbering: %+v", b)
		}
		c, _ := models.CountBookings(t.Context(), db, s.ID)
		if c.ConfirmedInPerson != 1 || c.ConfirmedOnline != 2 || c.Waitlisted != 2 {
			t.Fatalf("counts = %+v", c)
		}
		// An online cancellation promotes the online queue, not the in-person one.
		if _, err := models.CancelMyBooking(t.Context(), db, us[2], s.ID, sbT0); err != nil {
			t.Fatal(err)
		}
		if b, _ := models.UserBooking(t.Context(), db, s.ID, us[4].ID); b.Status != models.BookingConfirmed {
			t.Fatalf("online waiter = %s", b.Status)
		}
		if b, _ := models.UserBooking(t.Context(), db, s.ID, us[1].ID); b.Status != models.BookingWaitlisted {
			t.Fatalf("in-person waiter = %s", b.Status)
		}

		// Single-mode sessions take their mode by default and refuse the other.
		online := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode, in.OnlineURL, in.Venue, in.InPersonCapacity = sbPtr(models.ModeOnline), sbPtr("https://zoom.example.com/j/2"), sbPtr(""), sbPtr(0)
		}))
		b, err := models.BookSeat(t.Context(), db, us[0], online.ID, models.BookInput{}, sbT0)
		if err != nil || b.Mode != models.ModeOnline || b.Status != models.BookingConfirmed {
			t.Fatalf("unlimited online: %+v, %v", b, err)
		}
		_, err = models.BookSeat(t.Context(), db, us[1], online.ID, models.BookInput{Mode: models.ModeInPerson}, sbT0)
		if sbFields(t, err)["mode"] == "" {
			t.Fatalf("in person on an online session: %v", err)
		}
	})
}

func TestBookingWindowAndOnBehalf(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		us := testkit.Members(t, db, 4, testkit.Year(2))
		clk := clock.NewFake(sbT0)
		s := testkit.Session(t, db, teacher, testkit.Published())

		// A teacher books a student on behalf before the start.
		b, err := models.BookSeat(t.Context(), db, teacher, s.ID, models.BookInput{UserID: us[0].ID}, clk.Now())
		if err != nil || b.UserID != us[0].ID || b.Status != models.BookingConfirmed {
			t.Fatalf("on behalf: %+v, %v", b, err)
		}
		_, err = models.BookSeat(t.Context(), db, teacher, s.ID, models.BookInput{UserID: 987654}, clk.Now())
		if sbFields(t, err)["user_id"] == "" {
			t.Fatalf("unknown member: %v", err)
		}
		var dup *models.Error
		_, err = models.BookSeat(t.Context(), db, us[0], s.ID, models.BookInput{}, clk.Now())
		if !errors.As(err, &dup) || dup.Kind != models.KindConflict || dup.Code != "already_booked" {
			t.Fatalf("double booking: %v", err)
		}

		// At the start booking closes for students and teachers.
		clk.Set(s.StartsAt)
		_, err = models.BookSeat(t.Context(), db, us[1], s.ID, models.BookInput{}, clk.Now())
		sbWantErr(t, err, models.ErrBookingClosed)
		var de *models.Error
		if !errors.As(err, &de) || de.Kind != models.KindUnprocessable {
			t.Fatalf("closed booking kind: %v", err)
		}
		_, err = models.BookSeat(t.Context(), db, teacher, s.ID, models.BookInput{UserID: us[1].ID}, clk.Now())
		sbWantErr(t, err, models.ErrBookingClosed)
		_, err = models.CancelMyBooking(t.Context(), db, us[0], s.ID, clk.Now())
		sbWantErr(t, err, models.ErrBookingClosed)

		// Committee back-fills after the end; nobody is e-mailed about the past.
		clk.Set(s.EndsAt.Add(30 * 24 * time.Hour))
		before := len(sbMail(t, db, models.MailBookingConfirmed))
		b, err = models.BookSeat(t.Context(), db, committee, s.ID, models.BookInput{UserID: us[1].ID}, clk.Now())
		if err != nil || b.Status != models.BookingConfirmed {
			t.Fatalf("committee back-fill: %+v, %v", b, err)
		}
		if n := len(sbMail(t, db, models.MailBookingConfirmed)); n != before {
			t.Fatalf("back-fill e-mailed: %d → %d", before, n)
		}

		// A session created in the past by committee, published, back-filled.
		old := testkit.Session(t, db, committee, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.StartsAt, in.EndsAt = sbPtr(sbT0.Add(-100*time.Hour)), sbPtr(sbT0.Add(-99*time.Hour))
		}))
		if _, err := models.BookSeat(t.Context(), db, committee, old.ID, models.BookInput{UserID: us[2].ID}, sbT0); err != nil {
			t.Fatalf("back-fill an old session: %v", err)
		}

		// Drafts are not open, to anyone.
		draft := testkit.Session(t, db, teacher)
		_, err = models.BookSeat(t.Context(), db, us[3], draft.ID, models.BookInput{}, sbT0)
		sbWantErr(t, err, models.ErrSessionNotPublished)
		_, err = models.BookSeat(t.Context(), db, teacher, draft.ID, models.BookInput{UserID: us[3].ID}, sbT0)
		sbWantErr(t, err, models.ErrSessionNotPublished)
		_, err = models.BookSeat(t.Context(), db, us[3], 987654, models.BookInput{}, sbT0)
		sbWantErr(t, err, models.ErrNotFound)
	})
}

func TestRebookAfterCancel(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(1))
		us := testkit.Members(t, db, 3, testkit.Year(2))
		// The clock stands still: order must come from the queue, not the clock.
		now := sbT0
		book := func(u models.User) models.Booking {
			t.Helper()
			b, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{}, now)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		cancel := func(u models.User) {
			t.Helper()
			if _, err := models.CancelMyBooking(t.Context(), db, u, s.ID, now); err != nil {
				t.Fatal(err)
			}
		}
		a := book(us[0]) // confirmed
		book(us[1])      // waitlisted 1
		book(us[2])      // waitlisted 2
		cancel(us[0])    // us[1] promoted
		again := book(us[0])
		if again.ID != a.ID || again.Status != models.BookingWaitlisted || *again.WaitlistPosition != 2 {
			t.Fatalf("re-booking = %+v, want the same row at the back (position 2)", again)
		}
		cancel(us[1]) // us[2] promoted
		cancel(us[2]) // us[0] promoted
		book(us[1])   // waitlisted
		cancel(us[0]) // us[1] promoted a second time
		book(us[0])
		cancel(us[1]) // us[0] promoted a second time

		promoted := map[int64]int{}
		for _, m := range sbMail(t, db, models.MailWaitlistPromoted) {
			promoted[*m.UserID]++
		}
		if promoted[us[1].ID] != 2 || promoted[us[0].ID] != 2 || promoted[us[2].ID] != 1 {
			t.Fatalf("promotions e-mailed = %v", promoted)
		}
		if n := len(sbMail(t, db, models.MailBookingConfirmed)); n != 1 {
			t.Fatalf("%d booking_confirmed e-mails, want 1", n)
		}
		// The only confirmed booking is us[0]'s.
		list, err := models.BookingsForSession(t.Context(), db, teacher, s.ID, models.BookingFilter{Status: models.BookingConfirmed})
		if err != nil || len(list) != 1 || list[0].UserID != us[0].ID || list[0].User.Email != us[0].Email {
			t.Fatalf("confirmed = %+v, %v", list, err)
		}
	})
}

func TestCapacityChanges(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(3))
		us := testkit.Members(t, db, 6, testkit.Year(2))
		clk := clock.NewFake(sbT0)
		for _, u := range us {
			clk.Advance(time.Millisecond)
			if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{}, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		counts := func() models.SessionCounts { c, _ := models.CountBookings(t.Context(), db, s.ID); return c }
		// Lowering never un-confirms anyone.
		if _, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{InPersonCapacity: sbPtr(1)}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if c := counts(); c.ConfirmedInPerson != 3 || c.Waitlisted != 3 {
			t.Fatalf("after lowering: %+v", c)
		}
		// A cancellation while over capacity promotes nobody.
		if _, err := models.CancelMyBooking(t.Context(), db, us[0], s.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if c := counts(); c.ConfirmedInPerson != 2 || c.Waitlisted != 3 {
			t.Fatalf("after cancelling over capacity: %+v", c)
		}
		// Raising promotes the queue in order.
		if _, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{InPersonCapacity: sbPtr(4)}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		msgs := sbMail(t, db, models.MailWaitlistPromoted)
		if len(msgs) != 2 || *msgs[0].UserID != us[3].ID || *msgs[1].UserID != us[4].ID {
			t.Fatalf("promoted = %+v", msgs)
		}
		if b, _ := models.UserBooking(t.Context(), db, s.ID, us[5].ID); *b.WaitlistPosition != 1 {
			t.Fatalf("left in the queue at %d", *b.WaitlistPosition)
		}
		if n := len(sbMail(t, db, models.MailSessionChanged)); n != 0 {
			t.Fatalf("capacity change sent %d session_changed", n)
		}
	})
}

func TestBookingsVisibility(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		us := testkit.Members(t, db, 3, testkit.Year(2))
		s1 := testkit.Session(t, db, teacher, testkit.Published(), testkit.Title("Second"))
		s2 := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Title = sbPtr("First")
			in.StartsAt, in.EndsAt = sbPtr(sbT0.Add(time.Hour)), sbPtr(sbT0.Add(2*time.Hour))
		}))
		for _, s := range []models.Session{s1, s2} {
			for _, u := range us[:2] {
				if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{}, sbT0); err != nil {
					t.Fatal(err)
				}
			}
		}
		// A student sees their own bookings and nobody else's.
		_, err := models.BookingsForSession(t.Context(), db, us[0], s1.ID, models.BookingFilter{})
		sbWantErr(t, err, models.ErrForbidden)
		mine, err := models.BookingsForUser(t.Context(), db, us[0], models.BookingFilter{})
		if err != nil || len(mine) != 2 {
			t.Fatalf("my bookings = %+v, %v", mine, err)
		}
		for _, b := range mine {
			if b.UserID != us[0].ID || b.Session == nil || b.Session.MyBooking == nil || b.Session.OnlineURL != nil {
				t.Fatalf("my booking = %+v", b)
			}
		}
		if mine[0].Session.Title != "First" {
			t.Fatalf("my bookings are not by start: %s first", mine[0].Session.Title)
		}
		raw, _ := json.Marshal(mine[0])
		for _, k := range []string{`"id"`, `"session_id"`, `"user_id"`, `"mode"`, `"status"`, `"waitlist_position":null`, `"created_at"`, `"session":{`} {
			if !strings.Contains(string(raw), k) {
				t.Fatalf("booking JSON lacks %s: %s", k, raw)
			}
		}
		if strings.Contains(string(raw), us[1].Email) {
			t.Fatalf("booking JSON names another student: %s", raw)
		}
		none, err := models.BookingsForUser(t.Context(), db, us[2], models.BookingFilter{})
		if err != nil || len(none) != 0 || none == nil {
			t.Fatalf("no bookings = %#v, %v", none, err)
		}
		if upcoming, _ := models.BookingsForUser(t.Context(), db, us[0], models.BookingFilter{From: sbT0.Add(3 * time.Hour)}); len(upcoming) != 1 {
			t.Fatalf("from filter: %d", len(upcoming))
		}
		// Teachers and committee see the list with members.
		for _, who := range []models.User{teacher, committee} {
			list, err := models.BookingsForSession(t.Context(), db, who, s1.ID, models.BookingFilter{})
			if err != nil || len(list) != 2 || list[0].User == nil || list[0].User.Email != us[0].Email || list[0].User.YearOfStudy == nil {
				t.Fatalf("%s: bookings = %+v, %v", who.Name, list, err)
			}
			raw, _ := json.Marshal(list[0])
			if !strings.Contains(string(raw), `"user":{"id":`) || !strings.Contains(string(raw), `"year_of_study":2`) {
				t.Fatalf("booking with user JSON: %s", raw)
			}
		}
		_, err = models.BookingsForSession(t.Context(), db, teacher, s1.ID, models.BookingFilter{Status: "gone"})
		if sbFields(t, err)["status"] == "" {
			t.Fatalf("bad filter: %v", err)
		}
	})
}
