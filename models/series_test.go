package models_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

var seriesLondon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// seriesInput is an in-person series starting on Tuesday 19 March 2030 at
// 18:00 London time (the clocks go forward on Sunday 31 March).
func seriesInput(weeks, seats int, skip ...string) models.SeriesInput {
	title, format, mode, venue := "Year 2 anatomy", models.FormatSmallGroup, models.ModeInPerson, "Dissection room"
	start := time.Date(2030, 3, 19, 18, 0, 0, 0, seriesLondon)
	end := start.Add(90 * time.Minute)
	years := []int{2}
	return models.SeriesInput{
		Session: models.SessionInput{Title: &title, Format: &format, Mode: &mode, Venue: &venue, InPersonCapacity: &seats,
			YearGroups: &years, StartsAt: &start, EndsAt: &end},
		Weeks: weeks, SkipDates: skip,
	}
}

func makeSeries(t *testing.T, db *store.Store, by models.User, in models.SeriesInput, publish bool) (models.Series, []models.Session) {
	t.Helper()
	series, ss, err := models.CreateSeries(t.Context(), db, by, in, testkit.T0, seriesLondon)
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if series, ss, err = models.PublishSeries(t.Context(), db, by, series.ID, testkit.T0); err != nil {
			t.Fatal(err)
		}
	}
	return series, ss
}

func TestCreateAndPublishSeries(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		other := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		student := testkit.Member(t, db, testkit.Year(2))

		series, ss, err := models.CreateSeries(t.Context(), db, teacher, seriesInput(4, 10, "2030-04-02"), testkit.T0, seriesLondon)
		if err != nil {
			t.Fatal(err)
		}
		if series.Title != "Year 2 anatomy" || len(ss) != 3 {
			t.Fatalf("series %+v with %d sessions, want 3 (one week skipped)", series, len(ss))
		}
		want := []string{"Tue 19 Mar 18:00 GMT", "Tue 26 Mar 18:00 GMT", "Tue 9 Apr 18:00 BST"}
		for i, s := range ss {
			if got := s.StartsAt.In(seriesLondon).Format("Mon 2 Jan 15:04 MST"); got != want[i] {
				t.Errorf("session %d starts %s, want %s", i, got, want[i])
			}
			if s.Status != models.SessionDraft || s.SeriesID == nil || *s.SeriesID != series.ID || s.EndsAt.Sub(s.StartsAt) != 90*time.Minute {
				t.Errorf("session %d: %+v", i, s)
			}
		}
		// Drafts: the student sees none of it, and cannot book it.
		if _, _, err := models.VisibleSeries(t.Context(), db, student, series.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a student sees a draft series: %v", err)
		}
		if _, err := models.BookSeries(t.Context(), db, student, series.ID, "", testkit.T0); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a student booked a draft series: %v", err)
		}
		// Only its teachers and committee publish it.
		if _, _, err := models.PublishSeries(t.Context(), db, other, series.ID, testkit.T0); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("another teacher published the series: %v", err)
		}
		_, ss, err = models.PublishSeries(t.Context(), db, teacher, series.ID, testkit.T0)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range ss {
			if s.Status != models.SessionPublished {
				t.Fatalf("not published: %+v", s)
			}
		}
		if _, seen, err := models.VisibleSeries(t.Context(), db, student, series.ID); err != nil || len(seen) != 3 {
			t.Fatalf("the student sees %d sessions, %v", len(seen), err)
		}

		// Refusals name the field.
		_, _, err = models.CreateSeries(t.Context(), db, teacher, seriesInput(4, 10, "2030-03-20"), testkit.T0, seriesLondon)
		var ve *models.ValidationError
		if !errors.As(err, &ve) || ve.Fields["skip_dates"] == "" {
			t.Fatalf("a skipped Wednesday: %v", err)
		}
		if _, _, err := models.CreateSeries(t.Context(), db, student, seriesInput(4, 10), testkit.T0, seriesLondon); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a student made a series: %v", err)
		}
	})
}

func TestBookSeries(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		series, ss := makeSeries(t, db, teacher, seriesInput(3, 1), true)
		first, second := testkit.Member(t, db, testkit.Year(2)), testkit.Member(t, db, testkit.Year(2))
		// The first already holds the second session's only seat.
		if _, err := models.BookSeat(t.Context(), db, first, ss[1].ID, models.BookInput{}, testkit.T0); err != nil {
			t.Fatal(err)
		}
		got, err := models.BookSeries(t.Context(), db, first, series.ID, "", testkit.T0)
		if err != nil || len(got) != 3 {
			t.Fatalf("%d bookings, %v", len(got), err)
		}
		for i, b := range got {
			if b.SessionID != ss[i].ID || b.Status != models.BookingConfirmed || b.AlreadyBooked != (i == 1) {
				t.Errorf("booking %d: %+v", i, b)
			}
		}
		got, err = models.BookSeries(t.Context(), db, second, series.ID, "", testkit.T0)
		if err != nil || len(got) != 3 {
			t.Fatalf("%d bookings, %v", len(got), err)
		}
		for i, b := range got {
			if b.Status != models.BookingWaitlisted || *b.WaitlistPosition != 1 || b.AlreadyBooked {
				t.Errorf("booking %d: %+v", i, b)
			}
		}
		// Booking again changes nothing and says so.
		again, err := models.BookSeries(t.Context(), db, second, series.ID, "", testkit.T0)
		if err != nil || len(again) != 3 || !again[0].AlreadyBooked || again[0].ID != got[0].ID {
			t.Fatalf("again: %+v, %v", again, err)
		}
		// A session that has started is left out; when all have, nothing is left.
		late := ss[0].StartsAt.Add(time.Minute)
		third := testkit.Member(t, db, testkit.Year(2))
		if got, err := models.BookSeries(t.Context(), db, third, series.ID, "", late); err != nil || len(got) != 2 {
			t.Fatalf("after the first started: %d, %v", len(got), err)
		}
		if _, err := models.BookSeries(t.Context(), db, third, series.ID, "", ss[2].EndsAt); !errors.Is(err, models.ErrNothingToBook) {
			t.Fatalf("after the last: %v", err)
		}
		// A mode the sessions do not offer refuses the whole series.
		fourth := testkit.Member(t, db, testkit.Year(2))
		var ve *models.ValidationError
		if _, err := models.BookSeries(t.Context(), db, fourth, series.ID, models.ModeOnline, testkit.T0); !errors.As(err, &ve) || ve.Fields["mode"] == "" {
			t.Fatalf("online on an in-person series: %v", err)
		}
		if b, err := models.UserBooking(t.Context(), db, ss[0].ID, fourth.ID); err == nil {
			t.Fatalf("a refused series left a booking: %+v", b)
		}
		if n := len(sbMail(t, db, models.MailBookingConfirmed)); n != 3 {
			t.Fatalf("%d confirmations, want 3 (one per seat)", n)
		}
	})
}

// TestBookSeriesRush: many students book the whole series at once. Every
// session keeps its capacity exactly, each queue is numbered without gaps,
// and since each booking takes the sessions' locks in the same order, the
// same students hold the seats of every session and queue in the same order.
func TestBookSeriesRush(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		const weeks, seats, students = 4, 6, 40
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		series, ss := makeSeries(t, db, teacher, seriesInput(weeks, seats), true)
		us := testkit.Members(t, db, students, testkit.Year(2))

		results := make([][]models.SeriesBooking, students)
		errs := make([]error, students)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range us {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				results[i], errs[i] = models.BookSeries(t.Context(), db, us[i], series.ID, "", testkit.T0)
			}(i)
		}
		close(start)
		wg.Wait()

		for i, err := range errs {
			if err != nil {
				t.Fatalf("student %d: %v", i, err)
			}
			if len(results[i]) != weeks {
				t.Fatalf("student %d: %d bookings", i, len(results[i]))
			}
		}
		var order []int64 // the queue of the first session, by member
		for w, s := range ss {
			list, err := models.BookingsForSession(t.Context(), db, teacher, s.ID, models.BookingFilter{})
			if err != nil {
				t.Fatal(err)
			}
			var confirmed, queue []int64
			for _, b := range list {
				if b.Status == models.BookingConfirmed {
					confirmed = append(confirmed, b.UserID)
				} else {
					if *b.WaitlistPosition != len(queue)+1 {
						t.Fatalf("week %d: position %d at place %d", w, *b.WaitlistPosition, len(queue)+1)
					}
					queue = append(queue, b.UserID)
				}
			}
			c, err := models.CountBookings(t.Context(), db, s.ID)
			if err != nil || len(confirmed) != seats || c.ConfirmedInPerson != seats || c.Waitlisted != students-seats {
				t.Fatalf("week %d: %d confirmed (%+v), %v", w, len(confirmed), c, err)
			}
			if w == 0 {
				order = queue
				continue
			}
			for i := range queue {
				if queue[i] != order[i] {
					t.Fatalf("week %d queues member %d at %d, week 1 member %d", w, queue[i], i+1, order[i])
				}
			}
		}
		// Each student was told what the session holds.
		for i, bs := range results {
			status := bs[0].Status
			for w, b := range bs {
				if b.Status != status {
					t.Errorf("student %d: week 1 %s, week %d %s", i, status, w+1, b.Status)
				}
			}
		}
		if wrong, err := models.MiscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
			t.Fatalf("seat counts differ from bookings on %v, %v", wrong, err)
		}
		if n := len(sbMail(t, db, models.MailBookingConfirmed)); n != weeks*seats {
			t.Fatalf("%d confirmations, want %d", n, weeks*seats)
		}
	})
}

func TestChangeTheRestOfASeries(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		student := testkit.Member(t, db, testkit.Year(2))
		series, ss := makeSeries(t, db, teacher, seriesInput(4, 10), true)
		if _, err := models.BookSeries(t.Context(), db, student, series.ID, "", testkit.T0); err != nil {
			t.Fatal(err)
		}
		// From the second session on: half an hour earlier, in another room.
		start := ss[1].StartsAt.Add(-30 * time.Minute)
		end := ss[1].EndsAt.Add(-30 * time.Minute)
		venue := "Anatomy lab"
		changed, err := models.UpdateSeriesFrom(t.Context(), db, teacher, ss[1].ID, models.SessionInput{StartsAt: &start, EndsAt: &end, Venue: &venue}, testkit.T0, seriesLondon)
		if err != nil || len(changed) != 3 {
			t.Fatalf("%d changed, %v", len(changed), err)
		}
		_, now, err := models.VisibleSeries(t.Context(), db, teacher, series.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"Tue 19 Mar 18:00 GMT Dissection room", "Tue 26 Mar 17:30 GMT Anatomy lab", "Tue 2 Apr 17:30 BST Anatomy lab", "Tue 9 Apr 17:30 BST Anatomy lab"}
		for i, s := range now {
			if got := s.StartsAt.In(seriesLondon).Format("Mon 2 Jan 15:04 MST") + " " + s.Venue; got != want[i] {
				t.Errorf("session %d: %s, want %s", i, got, want[i])
			}
		}
		if n := len(sbMail(t, db, models.MailSessionChanged)); n != 3 {
			t.Fatalf("%d session_changed e-mails, want 3", n)
		}
		// A title changed from the third on leaves the times alone.
		title := "Year 2 anatomy: the limbs"
		if _, err := models.UpdateSeriesFrom(t.Context(), db, teacher, ss[2].ID, models.SessionInput{Title: &title}, testkit.T0, seriesLondon); err != nil {
			t.Fatal(err)
		}
		if s, _ := models.SessionByID(t.Context(), db, ss[3].ID); s.Title != title || !s.StartsAt.Equal(now[3].StartsAt) {
			t.Fatalf("fourth: %+v", s)
		}
		// Cancelling the rest from the third: the first two stay.
		cancelled, err := models.CancelSeriesFrom(t.Context(), db, teacher, ss[2].ID, "The lab is closed for works.", testkit.T0)
		if err != nil || len(cancelled) != 2 {
			t.Fatalf("%d cancelled, %v", len(cancelled), err)
		}
		for i, s := range ss {
			got, _ := models.SessionByID(t.Context(), db, s.ID)
			if (got.Status == models.SessionCancelled) != (i >= 2) {
				t.Errorf("session %d is %s", i, got.Status)
			}
		}
		if n := len(sbMail(t, db, models.MailSessionCancelled)); n != 2 {
			t.Fatalf("%d session_cancelled e-mails, want 2", n)
		}
		// A session in no series has no rest.
		lone := testkit.Session(t, db, teacher, testkit.Published())
		var ve *models.ValidationError
		if _, err := models.CancelSeriesFrom(t.Context(), db, teacher, lone.ID, "No.", testkit.T0); !errors.As(err, &ve) || ve.Fields["series"] == "" {
			t.Fatalf("a lone session: %v", err)
		}
		// Someone else's series is not theirs to change.
		other := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		if _, err := models.UpdateSeriesFrom(t.Context(), db, other, ss[0].ID, models.SessionInput{Title: &title}, testkit.T0, seriesLondon); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("another teacher: %v", err)
		}
	})
}

func TestDuplicateSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		co := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		_, ss := makeSeries(t, db, teacher, seriesInput(2, 12), true)
		s := ss[1] // Tue 26 Mar 18:00 GMT
		title := "Anatomy"
		ids := []int64{teacher.ID, co.ID}
		if _, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{Title: &title, TeacherIDs: &ids}, testkit.T0); err != nil {
			t.Fatal(err)
		}
		c, err := models.DuplicateSession(t.Context(), db, co, s.ID, testkit.T0, seriesLondon)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.StartsAt.In(seriesLondon).Format("Mon 2 Jan 15:04 MST"); got != "Tue 2 Apr 18:00 BST" {
			t.Errorf("the copy starts %s", got)
		}
		if c.ID == s.ID || c.Status != models.SessionDraft || c.SeriesID != nil || c.Title != title || c.InPersonCapacity != 12 ||
			c.Venue != s.Venue || c.EndsAt.Sub(c.StartsAt) != s.EndsAt.Sub(s.StartsAt) || c.ConfirmedInPerson != 0 {
			t.Fatalf("copy %+v of %+v", c, s)
		}
		teachers, _ := models.SessionTeachers(t.Context(), db, c.ID)
		if len(teachers) != 2 {
			t.Fatalf("the copy's teachers: %+v", teachers)
		}
		student := testkit.Member(t, db, testkit.Year(2))
		if _, err := models.DuplicateSession(t.Context(), db, student, s.ID, testkit.T0, seriesLondon); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("a student duplicated a session: %v", err)
		}
	})
}
