package models_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

// TestBackfillBesideFiguresRefresh is rule 11 of DESIGN.md for bookings and
// the figures job: committee back-filling bookings onto past sessions, eight
// at a time, while RefreshFigures runs over and over, never meets a
// deadlock (PostgreSQL; SQLite has one writer). Afterwards the seat counts
// and the figures agree with the bookings.
func TestBackfillBesideFiguresRefresh(t *testing.T) {
	if testkit.PostgresURL() == "" {
		t.Skip("PostgreSQL not configured: set ROUNDS_TEST_POSTGRES_URL")
	}
	db := testkit.Postgres(t)
	const sessions, students, workers, seats = 10, 660, 8, 50
	committee := testkit.Member(t, db, testkit.Name("Chair Person"), testkit.Role(models.RoleCommittee), testkit.Direct())
	ss := make([]models.Session, sessions)
	for i := range ss {
		ss[i] = testkit.Session(t, db, committee, testkit.Published(), testkit.Seats(seats))
	}
	us := testkit.Members(t, db, students, testkit.Year(2))
	now := sbT0.Add(30 * 24 * time.Hour) // every session has ended
	if _, err := models.RefreshFigures(t.Context(), db, now, time.UTC); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(30 * time.Second)
	var failed atomic.Bool
	stop := func() bool { return failed.Load() || time.Now().After(deadline) }
	jobs := make(chan int)
	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		failed.Store(true)
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}

	var booking sync.WaitGroup
	for range workers {
		booking.Add(1)
		go func() {
			defer booking.Done()
			for i := range jobs {
				s := ss[i%sessions]
				if _, err := models.BookSeat(t.Context(), db, committee, s.ID, models.BookInput{UserID: us[i].ID}, now); err != nil {
					fail(err)
				}
			}
		}()
	}
	done := make(chan struct{})
	var refreshing sync.WaitGroup
	refreshes, figured := 0, 0
	refreshing.Add(1)
	go func() {
		defer refreshing.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			n, err := models.RefreshFigures(t.Context(), db, now, time.UTC)
			if err != nil {
				fail(err)
			}
			refreshes, figured = refreshes+1, figured+n
		}
	}()
	booked := 0
	for i := range us {
		if stop() {
			break
		}
		jobs <- i
		booked++
	}
	close(jobs)
	booking.Wait()
	close(done)
	refreshing.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.Fatalf("%d errors in %d bookings beside %d refreshes", len(errs), booked, refreshes)
	}
	if booked < students {
		t.Fatalf("only %d of %d bookings within the time allowed", booked, students)
	}
	if n := db.Retries(); n > 0 {
		t.Errorf("%d transactions deadlocked and were run again: locks are not taken in one order", n)
	}

	if wrong, err := models.MiscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
		t.Fatalf("seat counts differ from the bookings on sessions %v (%v)", wrong, err)
	}
	if _, err := models.RefreshFigures(t.Context(), db, now, time.UTC); err != nil {
		t.Fatal(err)
	}
	per := students / sessions
	for _, s := range ss {
		c, err := models.CountBookings(t.Context(), db, s.ID)
		if err != nil || c.ConfirmedInPerson != seats || c.Waitlisted != per-seats {
			t.Errorf("session %d: counts %+v (%v), want %d confirmed and %d waitlisted", s.ID, c, err, seats, per-seats)
		}
		var f struct{ Booked, Waitlisted int }
		if err := db.Read(context.Background()).Table("session_figures").Select("booked, waitlisted").Where("session_id = ?", s.ID).Scan(&f).Error; err != nil {
			t.Fatal(err)
		}
		if f.Booked != seats || f.Waitlisted != per-seats {
			t.Errorf("session %d: figures %+v, want %d booked and %d waitlisted", s.ID, f, seats, per-seats)
		}
	}
	t.Logf("%d bookings beside %d refreshes, which worked out %d sessions", booked, refreshes, figured)
}

// TestRegisterAndCancelBesideBackfill widens the test above: beside the
// back-fill and the refresh, committee marks the register of students just
// booked, marks some of them again (which changes their record) and cancels
// some bookings (which promotes the waitlist). No call meets a deadlock, and
// afterwards the figures are those worked out again from scratch.
func TestRegisterAndCancelBesideBackfill(t *testing.T) {
	if testkit.PostgresURL() == "" {
		t.Skip("PostgreSQL not configured: set ROUNDS_TEST_POSTGRES_URL")
	}
	db := testkit.Postgres(t)
	const sessions, students, workers, seats = 10, 660, 8, 50
	committee := testkit.Member(t, db, testkit.Name("Chair Person"), testkit.Role(models.RoleCommittee), testkit.Direct())
	ss := make([]models.Session, sessions)
	for i := range ss {
		ss[i] = testkit.Session(t, db, committee, testkit.Published(), testkit.Seats(seats))
	}
	us := testkit.Members(t, db, students, testkit.Year(2))
	now := sbT0.Add(30 * 24 * time.Hour)

	deadline := time.Now().Add(30 * time.Second)
	var failed atomic.Bool
	jobs := make(chan int)
	var mu sync.Mutex
	var errs []error
	fail := func(what string, err error) {
		failed.Store(true)
		mu.Lock()
		errs = append(errs, fmt.Errorf("%s: %w", what, err))
		mu.Unlock()
	}
	var working sync.WaitGroup
	for range workers {
		working.Add(1)
		go func() {
			defer working.Done()
			for i := range jobs {
				s, u := ss[i%sessions], us[i]
				b, err := models.BookSeat(t.Context(), db, committee, s.ID, models.BookInput{UserID: u.ID}, now)
				if err != nil {
					fail("book", err)
					continue
				}
				switch i % 4 {
				case 1, 2:
					if _, err := models.MarkRegister(t.Context(), db, committee, s.ID, u.ID, models.RegisterEntry{Status: models.AttendancePresent}, now); err != nil {
						fail("mark", err)
					}
					if i%4 == 2 {
						if _, err := models.MarkRegister(t.Context(), db, committee, s.ID, u.ID, models.RegisterEntry{Status: models.AttendanceLate}, now); err != nil {
							fail("mark again", err)
						}
					}
				case 3:
					if _, err := models.CancelBooking(t.Context(), db, committee, s.ID, b.ID, now); err != nil {
						fail("cancel", err)
					}
				}
			}
		}()
	}
	done := make(chan struct{})
	var refreshing sync.WaitGroup
	refreshes := 0
	refreshing.Add(1)
	go func() {
		defer refreshing.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := models.RefreshFigures(t.Context(), db, now, time.UTC); err != nil {
				fail("refresh", err)
			}
			refreshes++
		}
	}()
	sent := 0
	for i := range us {
		if failed.Load() || time.Now().After(deadline) {
			break
		}
		jobs <- i
		sent++
	}
	close(jobs)
	working.Wait()
	close(done)
	refreshing.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		t.Fatalf("%d errors in %d students' changes beside %d refreshes", len(errs), sent, refreshes)
	}
	if sent < students {
		t.Fatalf("only %d of %d students' changes within the time allowed", sent, students)
	}
	if n := db.Retries(); n > 0 {
		t.Errorf("%d transactions deadlocked and were run again: locks are not taken in one order", n)
	}

	if wrong, err := models.MiscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
		t.Fatalf("seat counts differ from the bookings on sessions %v (%v)", wrong, err)
	}
	figures := func() string {
		t.Helper()
		if _, err := models.RefreshFigures(t.Context(), db, now, time.UTC); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := db.Read(context.Background()).Table("session_figures").Order("session_id").Find(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var stats []map[string]any
		if err := db.Read(context.Background()).Table("session_stats").Order("session_id, year_of_study, mode").Find(&stats).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows, stats)
	}
	got := figures()
	if err := db.Write(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("INSERT INTO stats_dirty (session_id) SELECT id FROM sessions ON CONFLICT DO NOTHING").Error
	}); err != nil {
		t.Fatal(err)
	}
	if want := figures(); got != want {
		t.Errorf("figures after the run:\n%s\nworked out again:\n%s", got, want)
	}
	t.Logf("%d students' changes beside %d refreshes", sent, refreshes)
}
