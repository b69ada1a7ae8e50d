package models_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

const lead = 24 * time.Hour

// remECGs is the session of these tests (Mode, Starts and Seats say the
// rest): a small group lasting 90 minutes, published a month before.
var remECGs = testkit.Options(testkit.Title("Cardiology: ECGs"), testkit.Description(""), testkit.Topic(""),
	testkit.Format(models.FormatSmallGroup), testkit.Years(3), testkit.Venue("Room 2"), testkit.Link("https://teams.example/l/1"),
	testkit.Ahead(30*24*time.Hour), testkit.Published())

// queued lists the outbox rows of kind as "email session" pairs, sorted.
func queued(t *testing.T, db *store.Store, kind models.MailKind) []models.OutboxMessage {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: kind, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	return msgs
}

func recipients(msgs []models.OutboxMessage) map[string]int {
	out := map[string]int{}
	for _, m := range msgs {
		out[fmt.Sprintf("%s %d", m.ToAddr, *m.SessionID)]++
	}
	return out
}

func plan(t *testing.T, f func(context.Context, *store.Store, time.Time) (int, error), db *store.Store, at time.Time, want int) {
	t.Helper()
	n, err := f(t.Context(), db, at)
	if err != nil {
		t.Fatalf("plan at %v: %v", at, err)
	}
	if n != want {
		t.Fatalf("plan at %v queued %d, want %d", at, n, want)
	}
}

func sessionReminders(ctx context.Context, db *store.Store, now time.Time) (int, error) {
	return models.PlanSessionReminders(ctx, db, lead, now)
}

func feedbackReminders(ctx context.Context, db *store.Store, now time.Time) (int, error) {
	return models.PlanFeedbackReminders(ctx, db, 48*time.Hour, now)
}

func TestPlanSessionReminders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		a := testkit.Member(t, db, testkit.Email("a@x.ac.uk"), testkit.Year(2))
		b := testkit.Member(t, db, testkit.Email("b@x.ac.uk"), testkit.Year(2))
		c := testkit.Member(t, db, testkit.Email("c@x.ac.uk"), testkit.Year(2))
		w := testkit.Member(t, db, testkit.Email("w@x.ac.uk"), testkit.Year(2))
		late := testkit.Member(t, db, testkit.Email("late@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeHybrid), testkit.Starts(atStart), testkit.Seats(2))
		moment := atStart.Add(-lead)

		testkit.Book(t, db, a, s, models.ModeInPerson, testkit.At(atStart.Add(-48*time.Hour)))
		testkit.Book(t, db, c, s, models.ModeInPerson, testkit.At(atStart.Add(-47*time.Hour)))
		if testkit.Book(t, db, w, s, models.ModeInPerson, testkit.At(atStart.Add(-46*time.Hour))).Status != models.BookingWaitlisted {
			t.Fatal("w is not waitlisted")
		}
		testkit.Book(t, db, b, s, models.ModeOnline, testkit.At(moment)) // confirmed at the very moment

		plan(t, sessionReminders, db, moment.Add(-time.Minute), 0)
		plan(t, sessionReminders, db, moment, 3)
		plan(t, sessionReminders, db, moment, 0)
		plan(t, sessionReminders, db, moment.Add(time.Minute), 0)

		// Booked after the moment: the confirmation serves, no reminder.
		testkit.Book(t, db, late, s, models.ModeOnline, testkit.At(atStart.Add(-23*time.Hour)))
		// c cancels; w is promoted after the moment: no reminder either.
		if _, err := models.CancelMyBooking(t.Context(), db, c, s.ID, atStart.Add(-20*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if bk, _ := models.UserBooking(t.Context(), db, s.ID, w.ID); bk.Status != models.BookingConfirmed {
			t.Fatalf("w: %s", bk.Status)
		}
		plan(t, sessionReminders, db, atStart.Add(-19*time.Hour), 0)
		plan(t, sessionReminders, db, atStart.Add(-time.Second), 0)
		plan(t, sessionReminders, db, atStart, 0)

		msgs := queued(t, db, models.MailSessionReminder)
		got := recipients(msgs)
		want := map[string]int{fmt.Sprintf("a@x.ac.uk %d", s.ID): 1, fmt.Sprintf("b@x.ac.uk %d", s.ID): 1, fmt.Sprintf("c@x.ac.uk %d", s.ID): 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("reminders to %v, want %v", got, want)
		}
		for _, m := range msgs {
			d := m.DataMap()
			if m.DedupeKey != models.SessionReminderKey(*m.UserID, s.ID, atStart) || d["starts_at"] != "2026-11-03T18:00:00Z" ||
				!m.CreatedAt.Equal(moment) {
				t.Errorf("reminder %s: data %v, created %v", m.DedupeKey, d, m.CreatedAt)
			}
		}
		if d := msgs[0].DataMap(); d["mode"] != string(models.ModeInPerson) {
			t.Errorf("a's reminder: mode %q", d["mode"])
		}
	})
}

// The planner was not running at the moment: it catches up if the session
// has not started, and sends nothing once it has.
func TestSessionRemindersAfterDownTime(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		a := testkit.Member(t, db, testkit.Email("a@x.ac.uk"), testkit.Year(2))
		early := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart.Add(-2*time.Hour)), testkit.Seats(10))
		later := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		testkit.Book(t, db, a, early, "", testkit.At(atStart.Add(-72*time.Hour)))
		testkit.Book(t, db, a, later, "", testkit.At(atStart.Add(-72*time.Hour)))

		plan(t, sessionReminders, db, atStart.Add(-27*time.Hour), 0)
		// Down from 27 hours before until a minute before the later start.
		plan(t, sessionReminders, db, atStart.Add(-time.Minute), 1)
		msgs := queued(t, db, models.MailSessionReminder)
		if len(msgs) != 1 || *msgs[0].SessionID != later.ID {
			t.Fatalf("reminders: %+v", msgs)
		}
	})
}

// A session moved after its reminder was queued gets a new reminder for the
// new time, under a new key; the old one stays (the letter skips it).
func TestSessionReminderForAMovedSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		a := testkit.Member(t, db, testkit.Email("a@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeOnline), testkit.Starts(atStart), testkit.Seats(10))
		testkit.Book(t, db, a, s, "", testkit.At(atStart.Add(-72*time.Hour)))
		plan(t, sessionReminders, db, atStart.Add(-lead), 1)

		// Two days later.
		newStart, newEnd := atStart.Add(48*time.Hour), atStart.Add(48*time.Hour+time.Hour)
		if _, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{StartsAt: &newStart, EndsAt: &newEnd}, atStart.Add(-23*time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(t, sessionReminders, db, atStart.Add(-22*time.Hour), 0)
		plan(t, sessionReminders, db, atStart, 0)
		plan(t, sessionReminders, db, newStart.Add(-lead), 1)
		plan(t, sessionReminders, db, newStart.Add(-lead), 0)

		// Moved earlier, into the reminder window: due at once.
		earlier, earlierEnd := newStart.Add(-12*time.Hour), newStart.Add(-11*time.Hour)
		at := newStart.Add(-lead).Add(time.Hour)
		if _, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{StartsAt: &earlier, EndsAt: &earlierEnd}, at); err != nil {
			t.Fatal(err)
		}
		plan(t, sessionReminders, db, at, 1)

		msgs := queued(t, db, models.MailSessionReminder)
		if len(msgs) != 3 {
			t.Fatalf("%d reminders, want 3", len(msgs))
		}
		for i, start := range []time.Time{atStart, newStart, earlier} {
			if msgs[i].DedupeKey != models.SessionReminderKey(a.ID, s.ID, start) || msgs[i].DataMap()["starts_at"] != start.Format(time.RFC3339) {
				t.Errorf("reminder %d: key %s, data %v", i, msgs[i].DedupeKey, msgs[i].DataMap())
			}
		}
	})
}

func TestNoSessionReminderForACancelledSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		a := testkit.Member(t, db, testkit.Email("a@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		testkit.Book(t, db, a, s, "", testkit.At(atStart.Add(-72*time.Hour)))
		if _, err := models.CancelSession(t.Context(), db, teacher, s.ID, "Room flooded.", atStart.Add(-30*time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(t, sessionReminders, db, atStart.Add(-lead), 0)
		plan(t, sessionReminders, db, atStart.Add(-time.Hour), 0)
	})
}

func TestPlanFeedbackRequestsAndReminders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		p := testkit.Member(t, db, testkit.Email("present@x.ac.uk"), testkit.Year(2))
		l := testkit.Member(t, db, testkit.Email("late@x.ac.uk"), testkit.Year(2))
		x := testkit.Member(t, db, testkit.Email("absent@x.ac.uk"), testkit.Year(2))
		g := testkit.Member(t, db, testkit.Email("gave@x.ac.uk"), testkit.Year(2))
		w := testkit.Member(t, db, testkit.Email("walkin@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		old := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart.Add(-8*24*time.Hour)), testkit.Seats(10))
		for _, u := range []models.User{p, l, x, g} {
			testkit.Book(t, db, u, s, "", testkit.At(atStart.Add(-72*time.Hour)))
		}
		end := s.EndsAt
		mark := func(s models.Session, u models.User, status models.AttendanceStatus, at time.Time) {
			t.Helper()
			if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, u.ID, models.RegisterEntry{Status: status}, at); err != nil {
				t.Fatal(err)
			}
		}
		mark(old, p, models.AttendancePresent, old.EndsAt.Add(10*time.Minute))

		// Nothing before the end, even for those checked in.
		mark(s, p, models.AttendancePresent, atStart.Add(30*time.Minute))
		plan(t, models.PlanFeedbackRequests, db, end.Add(-time.Second), 0)

		mark(s, l, models.AttendanceLate, end.Add(10*time.Minute))
		mark(s, x, models.AttendanceAbsent, end.Add(10*time.Minute))
		mark(s, g, models.AttendancePresent, end.Add(10*time.Minute))
		if _, _, err := models.SubmitFeedback(t.Context(), db, g, s.ID, models.FeedbackInput{Overall: 4, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 3}, end.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		asked := end.Add(20 * time.Minute)
		// p and l; not x (absent), not g (answered), nothing about the
		// session that ended eight days ago.
		plan(t, models.PlanFeedbackRequests, db, asked, 2)
		plan(t, models.PlanFeedbackRequests, db, asked, 0)

		// A walk-in recorded three days later is asked then.
		mark(s, w, models.AttendancePresent, end.Add(72*time.Hour))
		plan(t, models.PlanFeedbackRequests, db, end.Add(72*time.Hour), 1)
		// Past the look-back nobody new is asked.
		y := testkit.Member(t, db, testkit.Email("y@x.ac.uk"), testkit.Year(2))
		mark(s, y, models.AttendancePresent, end.Add(8*24*time.Hour))
		plan(t, models.PlanFeedbackRequests, db, end.Add(8*24*time.Hour), 0)

		got := recipients(queued(t, db, models.MailFeedbackRequest))
		want := map[string]int{fmt.Sprintf("present@x.ac.uk %d", s.ID): 1, fmt.Sprintf("late@x.ac.uk %d", s.ID): 1, fmt.Sprintf("walkin@x.ac.uk %d", s.ID): 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("feedback requests to %v, want %v", got, want)
		}

		// Reminders: 48 hours after each request, once, only to those who
		// have still not answered (l answers in between).
		plan(t, feedbackReminders, db, asked.Add(48*time.Hour-time.Second), 0)
		if _, _, err := models.SubmitFeedback(t.Context(), db, l, s.ID, models.FeedbackInput{Overall: 3, Teaching: 4, ConfidenceBefore: 1, ConfidenceAfter: 3}, asked.Add(30*time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(t, feedbackReminders, db, asked.Add(48*time.Hour), 1)
		plan(t, feedbackReminders, db, asked.Add(49*time.Hour), 0)
		plan(t, feedbackReminders, db, end.Add(72*time.Hour+48*time.Hour), 1) // the walk-in's
		plan(t, feedbackReminders, db, end.Add(20*24*time.Hour), 0)

		msgs := queued(t, db, models.MailFeedbackReminder)
		got = recipients(msgs)
		want = map[string]int{fmt.Sprintf("present@x.ac.uk %d", s.ID): 1, fmt.Sprintf("walkin@x.ac.uk %d", s.ID): 1}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("feedback reminders to %v, want %v", got, want)
		}
		if d := msgs[0].DataMap(); d["requested_at"] != asked.Format(time.RFC3339) {
			t.Errorf("requested_at = %q, want %s", d["requested_at"], asked.Format(time.RFC3339))
		}
		for _, m := range msgs {
			if m.DedupeKey != models.MailKey(models.MailFeedbackReminder, *m.UserID, s.ID) {
				t.Errorf("key %s", m.DedupeKey)
			}
		}
	})
}

// A feedback request that was skipped (the student answered before it went)
// or failed is not followed up.
func TestNoFeedbackReminderAfterASkippedRequest(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		p := testkit.Member(t, db, testkit.Email("p@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		testkit.Book(t, db, p, s, "", testkit.At(atStart.Add(-72*time.Hour)))
		if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, p.ID, models.RegisterEntry{Status: models.AttendancePresent}, s.EndsAt); err != nil {
			t.Fatal(err)
		}
		plan(t, models.PlanFeedbackRequests, db, s.EndsAt, 1)
		if err := db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("kind = ?", models.MailFeedbackRequest).Update("status", models.OutboxSkipped).Error; err != nil {
			t.Fatal(err)
		}
		plan(t, feedbackReminders, db, s.EndsAt.Add(72*time.Hour), 0)
	})
}

func TestPlanRegisterReminders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		cohost := testkit.Member(t, db, testkit.Email("cohost@x.ac.uk"), testkit.Role(models.RoleTeacher))
		former := testkit.Member(t, db, testkit.Email("former@x.ac.uk"), testkit.Role(models.RoleTeacher))
		a := testkit.Member(t, db, testkit.Email("a@x.ac.uk"), testkit.Year(2))
		b := testkit.Member(t, db, testkit.Email("b@x.ac.uk"), testkit.Year(2))

		untaken := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10), testkit.Teachers(teacher, cohost, former))
		checkedIn := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		apologies := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		cancelled := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10))
		old := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart.Add(-8*24*time.Hour)), testkit.Seats(10))
		// The former teacher has gone back to being a student.
		if err := db.Read(context.Background()).Model(&models.User{}).Where("id = ?", former.ID).Update("role", models.RoleStudent).Error; err != nil {
			t.Fatal(err)
		}

		testkit.Book(t, db, a, checkedIn, "", testkit.At(atStart.Add(-72*time.Hour)))
		code, _, err := models.CheckinCode(t.Context(), db, teacher, checkedIn.ID, models.ModeInPerson, atRules, atStart)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.CheckIn(t.Context(), db, a, checkedIn.ID, code, atRules, atStart); err != nil {
			t.Fatal(err)
		}
		testkit.Book(t, db, b, apologies, "", testkit.At(atStart.Add(-72*time.Hour)))
		if _, err := models.SendApologies(t.Context(), db, b, apologies.ID, atStart.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CancelSession(t.Context(), db, teacher, cancelled.ID, "Strike day.", atStart.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if taken, err := models.RegisterTaken(t.Context(), db, apologies.ID); err != nil || taken {
			t.Fatalf("apologies count as the register: %v %v", taken, err)
		}
		if taken, err := models.RegisterTaken(t.Context(), db, checkedIn.ID); err != nil || !taken {
			t.Fatalf("a check-in does not count as attendance: %v %v", taken, err)
		}

		end := untaken.EndsAt
		plan(t, models.PlanRegisterReminders, db, end.Add(29*time.Minute), 0)
		plan(t, models.PlanRegisterReminders, db, end.Add(30*time.Minute), 3)
		plan(t, models.PlanRegisterReminders, db, end.Add(time.Hour), 0)
		plan(t, models.PlanRegisterReminders, db, end.Add(6*24*time.Hour), 0)

		got := recipients(queued(t, db, models.MailRegisterReminder))
		want := map[string]int{
			fmt.Sprintf("teacher@x.ac.uk %d", untaken.ID): 1, fmt.Sprintf("cohost@x.ac.uk %d", untaken.ID): 1,
			fmt.Sprintf("teacher@x.ac.uk %d", apologies.ID): 1,
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("register reminders to %v, want %v (old session %d)", got, want, old.ID)
		}
	})
}

// Several instances planning at the same moment queue each e-mail once.
func TestPlanRemindersConcurrently(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		var sessions []models.Session
		for i := range 3 {
			sessions = append(sessions, testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeOnline), testkit.Starts(atStart.Add(time.Duration(i)*time.Hour)), testkit.Seats(100)))
		}
		past := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeOnline), testkit.Starts(atStart.Add(-48*time.Hour)), testkit.Seats(100))
		for i := range 30 {
			u := testkit.Member(t, db, testkit.Email(fmt.Sprintf("s%02d@x.ac.uk", i)), testkit.Year(2))
			for _, s := range sessions {
				testkit.Book(t, db, u, s, "", testkit.At(atStart.Add(-72*time.Hour)))
			}
			testkit.Book(t, db, u, past, "", testkit.At(atStart.Add(-96*time.Hour)))
			if _, err := models.MarkRegister(t.Context(), db, teacher, past.ID, u.ID, models.RegisterEntry{Status: models.AttendancePresent}, past.EndsAt); err != nil {
				t.Fatal(err)
			}
		}
		now := atStart.Add(-time.Hour)
		rules := models.ReminderRules{SessionReminderBefore: lead}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := models.PlannedReminders{}
		for range 6 {
			wg.Go(func() {
				p, err := models.PlanReminders(t.Context(), db, rules, now)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				total.SessionReminders += p.SessionReminders
				total.FeedbackRequests += p.FeedbackRequests
				mu.Unlock()
			})
		}
		wg.Wait()
		if total.SessionReminders != 90 || total.FeedbackRequests != 30 {
			t.Fatalf("queued %+v, want 90 session reminders and 30 feedback requests in all", total)
		}
		for kind, n := range map[models.MailKind]int{models.MailSessionReminder: 90, models.MailFeedbackRequest: 30} {
			msgs := queued(t, db, kind)
			if len(msgs) != n {
				t.Errorf("%d %s rows, want %d", len(msgs), kind, n)
			}
			for r, c := range recipients(msgs) {
				if c != 1 {
					t.Errorf("%s to %s: %d", kind, r, c)
				}
			}
		}
	})
}
