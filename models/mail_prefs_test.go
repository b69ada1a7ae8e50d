package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func choices(t *testing.T, db *store.Store, u models.User) string {
	t.Helper()
	cs, err := models.MailPreferences(t.Context(), db, u)
	if err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, c := range cs {
		out += fmt.Sprintf("%s=%t ", c.Topic, c.On)
	}
	return out
}

func TestMailPreferences(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		student := testkit.Member(t, db, testkit.Email("s@x.ac.uk"), testkit.Year(2))
		teacher := testkit.Member(t, db, testkit.Email("t@x.ac.uk"), testkit.Role(models.RoleTeacher))
		if got, want := choices(t, db, student), "session_reminders=true feedback_requests=true certificates=true "; got != want {
			t.Fatalf("a student is offered %q, want %q", got, want)
		}
		if got := choices(t, db, teacher); got != "session_reminders=true feedback_requests=true certificates=true register_reminders=true " {
			t.Fatalf("a teacher is offered %q", got)
		}
		if err := models.SetMailPreferences(t.Context(), db, teacher, []models.MailTopic{models.TopicCertificates}, atStart); err != nil {
			t.Fatal(err)
		}
		if got := choices(t, db, teacher); got != "session_reminders=false feedback_requests=false certificates=true register_reminders=false " {
			t.Fatalf("after choosing certificates only: %q", got)
		}
		// Saving twice changes nothing; turning one off twice neither.
		if err := models.SetMailPreferences(t.Context(), db, teacher, []models.MailTopic{models.TopicCertificates}, atStart); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := models.TurnOffMail(t.Context(), db, teacher.ID, models.TopicCertificates, atStart); err != nil {
				t.Fatal(err)
			}
		}
		if got := choices(t, db, teacher); got != "session_reminders=false feedback_requests=false certificates=false register_reminders=false " {
			t.Fatalf("after turning certificates off: %q", got)
		}
		var ve *models.ValidationError
		if err := models.SetMailPreferences(t.Context(), db, student, []models.MailTopic{"booking_confirmed"}, atStart); !errors.As(err, &ve) {
			t.Fatalf("an e-mail that always goes was accepted as a choice: %v", err)
		}
		for kind, want := range map[models.MailKind]bool{models.MailBookingConfirmed: true, models.MailPasswordReset: true,
			models.MailSessionReminder: false, models.MailFeedbackReminder: false, models.MailCertificateIssued: false} {
			got, err := models.WantsMail(t.Context(), db, teacher.ID, kind)
			if err != nil || got != want {
				t.Errorf("WantsMail(%s) = %t, %v; want %t", kind, got, err, want)
			}
		}
	})
}

func TestUnsubscribeToken(t *testing.T) {
	key := []byte("server secret")
	tok := models.UnsubscribeToken(key, 42, models.TopicSessionReminders)
	id, topic, err := models.ParseUnsubscribeToken(key, tok)
	if err != nil || id != 42 || topic != models.TopicSessionReminders {
		t.Fatalf("round trip: %d %q %v", id, topic, err)
	}
	for name, bad := range map[string]string{
		"another key":     models.UnsubscribeToken([]byte("other"), 42, models.TopicSessionReminders),
		"another member":  "43" + tok[2:],
		"another topic":   "42.certificates." + tok[len("42.session_reminders."):],
		"no signature":    "42.session_reminders",
		"empty":           "",
		"unknown topic":   models.UnsubscribeToken(key, 42, "booking_confirmed"),
		"signature alone": tok[len("42.session_reminders."):],
	} {
		if _, _, err := models.ParseUnsubscribeToken(key, bad); !errors.Is(err, models.ErrBadUnsubscribeLink) {
			t.Errorf("%s: %v, want ErrBadUnsubscribeLink", name, err)
		}
	}
}

// The planners leave out members who turned a topic off, and only them.
func TestPlannersRespectMailChoices(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		quiet := testkit.Member(t, db, testkit.Email("quiet@x.ac.uk"), testkit.Role(models.RoleTeacher))
		keen := testkit.Member(t, db, testkit.Email("keen@x.ac.uk"), testkit.Year(2))
		off := testkit.Member(t, db, testkit.Email("off@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, remECGs, testkit.Mode(models.ModeInPerson), testkit.Starts(atStart), testkit.Seats(10), testkit.Teachers(teacher, quiet))
		for _, u := range []models.User{keen, off} {
			testkit.Book(t, db, u, s, "", testkit.At(atStart.Add(-72*time.Hour)))
		}
		if err := models.SetMailPreferences(t.Context(), db, off, nil, atStart.Add(-50*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := models.TurnOffMail(t.Context(), db, quiet.ID, models.TopicRegisterReminders, atStart.Add(-50*time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(t, sessionReminders, db, atStart.Add(-lead), 1)
		plan(t, models.PlanRegisterReminders, db, s.EndsAt.Add(time.Hour), 1)
		for _, u := range []models.User{keen, off} {
			if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, u.ID, models.RegisterEntry{Status: models.AttendancePresent}, s.EndsAt.Add(2*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		plan(t, models.PlanFeedbackRequests, db, s.EndsAt.Add(3*time.Hour), 1)
		plan(t, feedbackReminders, db, s.EndsAt.Add(60*time.Hour), 1)
		for kind, want := range map[models.MailKind]string{
			models.MailSessionReminder:  fmt.Sprintf("map[keen@x.ac.uk %d:1]", s.ID),
			models.MailRegisterReminder: fmt.Sprintf("map[teacher@x.ac.uk %d:1]", s.ID),
			models.MailFeedbackRequest:  fmt.Sprintf("map[keen@x.ac.uk %d:1]", s.ID),
			models.MailFeedbackReminder: fmt.Sprintf("map[keen@x.ac.uk %d:1]", s.ID),
		} {
			if got := fmt.Sprint(recipients(queued(t, db, kind))); got != want {
				t.Errorf("%s went to %s, want %s", kind, got, want)
			}
		}
		// Turned on again, the reminder comes on the next run.
		if err := models.SetMailPreferences(t.Context(), db, off, []models.MailTopic{models.TopicFeedbackRequests}, s.EndsAt.Add(61*time.Hour)); err != nil {
			t.Fatal(err)
		}
		plan(t, models.PlanFeedbackRequests, db, s.EndsAt.Add(62*time.Hour), 1)
	})
}
