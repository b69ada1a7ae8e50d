package letters_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"
	"gorm.io/gorm"

	"rounds/jobs/letters"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestTimeRange(t *testing.T) {
	tests := []struct {
		start, end time.Time
		want       string
	}{
		// Winter: GMT.
		{time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC), time.Date(2026, 11, 3, 19, 30, 0, 0, time.UTC),
			"Tuesday 3 November 2026, 18:00–19:30 GMT"},
		// Summer: the same UTC hour is an hour later in London.
		{time.Date(2026, 6, 2, 17, 0, 0, 0, time.UTC), time.Date(2026, 6, 2, 18, 30, 0, 0, time.UTC),
			"Tuesday 2 June 2026, 18:00–19:30 BST"},
		// The night the clocks go back (01:00 UTC on 25 October 2026).
		{time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), time.Date(2026, 10, 25, 2, 0, 0, 0, time.UTC),
			"Sunday 25 October 2026, 01:30 BST–02:00 GMT"},
		// Past midnight.
		{time.Date(2026, 5, 1, 21, 0, 0, 0, time.UTC), time.Date(2026, 5, 2, 0, 30, 0, 0, time.UTC),
			"Friday 1 May 2026, 22:00 BST – Saturday 2 May 2026, 01:30 BST"},
	}
	for _, tt := range tests {
		if got := letters.TimeRange(tt.start, tt.end, london); got != tt.want {
			t.Errorf("TimeRange(%v, %v) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}

// A hybrid session on Tuesday 3 November 2026, 18:00–19:30 GMT.
var sessionStart = time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)

type fixture struct {
	db               *store.Store
	r                *letters.Renderer
	teacher, cohost  models.User
	ada, bob, carol  models.User
	session          models.Session
	created, booking time.Time
}

// newFixture publishes the hybrid session, taught by two teachers, and books
// Ada online and Bob in the room, two days before it starts.
func newFixture(t *testing.T, db *store.Store) *fixture {
	t.Helper()
	f := &fixture{db: db, created: sessionStart.Add(-14 * 24 * time.Hour), booking: sessionStart.Add(-48 * time.Hour)}
	var err error
	if f.r, err = letters.New(db, testConfig()); err != nil {
		t.Fatal(err)
	}
	f.teacher = testkit.Member(t, db, testkit.Email("teacher@example.org"), testkit.Name("Dr Jane Teacher"), testkit.Role(models.RoleTeacher), testkit.Password("correct horse battery"))
	f.cohost = testkit.Member(t, db, testkit.Email("cohost@example.org"), testkit.Name("Sam Cohost"), testkit.Role(models.RoleTeacher), testkit.Password("correct horse battery"))
	f.ada = testkit.Member(t, db, testkit.Email("ada@example.org"), testkit.Name("Ada Lovelace"), testkit.Year(3), testkit.Password("correct horse battery"))
	f.bob = testkit.Member(t, db, testkit.Email("bob@example.org"), testkit.Name("Bob Babbage"), testkit.Year(3), testkit.Password("correct horse battery"))
	f.carol = testkit.Member(t, db, testkit.Email("carol@example.org"), testkit.Name("Carol Herschel"), testkit.Year(3), testkit.Password("correct horse battery"))
	f.session = testkit.Session(t, db, f.teacher, testkit.Title("Renal physiology"), testkit.Description("Bring a pen."),
		testkit.Topic("Renal"), testkit.Mode(models.ModeHybrid), testkit.Years(2, 3), testkit.Venue("Room 1, Medical School"),
		testkit.Link("https://zoom.example/j/123"), testkit.Capacity(30, 0), testkit.Starts(sessionStart),
		testkit.Teachers(f.teacher, f.cohost), testkit.At(f.created), testkit.Published())
	testkit.Book(t, f.db, f.ada, f.session, models.ModeOnline, testkit.At(f.booking))
	testkit.Book(t, f.db, f.bob, f.session, models.ModeInPerson, testkit.At(f.booking))
	return f
}

func (f *fixture) row(t *testing.T, kind models.MailKind, u models.User) models.OutboxMessage {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), f.db, models.OutboxFilter{Kind: kind, To: u.Email})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("outbox %s to %s: %d messages, %v", kind, u.Email, len(msgs), err)
	}
	return msgs[0] // the newest
}

func (f *fixture) render(t *testing.T, kind models.MailKind, u models.User, at time.Time) (string, string, []byte) {
	t.Helper()
	row := f.row(t, kind, u)
	msg, err := f.r.Render(context.Background(), &row, at)
	if err != nil {
		t.Fatalf("render %s to %s: %v", kind, u.Email, err)
	}
	if msg.Kind() != string(kind) || strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.Text, "\n\n\n") {
		t.Errorf("%s: kind %q, untidy body:\n%s", kind, msg.Kind(), msg.Text)
	}
	var ics []byte
	for _, a := range msg.Attachments {
		if a.Name == "session.ics" {
			ics = a.Data
		}
	}
	return msg.Subject, msg.Text, ics
}

func (f *fixture) skipped(t *testing.T, kind models.MailKind, u models.User, at time.Time, why string) {
	t.Helper()
	row := f.row(t, kind, u)
	_, err := f.r.Render(context.Background(), &row, at)
	if reason, ok := letters.SkipReason(err); !ok || !strings.Contains(reason, why) {
		t.Errorf("%s to %s: err = %v, want a skip because %q", kind, u.Email, err, why)
	}
}

func contains(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func lacks(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s has %q:\n%s", what, w, text)
		}
	}
}

// event parses a calendar attachment and returns its method and only event.
func event(t *testing.T, ics []byte) (string, *goical.Event) {
	t.Helper()
	cal, err := goical.NewDecoder(bytes.NewReader(ics)).Decode()
	if err != nil {
		t.Fatalf("parse ics: %v\n%s", err, ics)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	method := ""
	if p := cal.Props.Get(goical.PropMethod); p != nil {
		method = p.Value
	}
	return method, &events[0]
}

func prop(e *goical.Event, name string) string {
	if p := e.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

func TestRenderBookingLetters(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		f := newFixture(t, db)
		id := strconv.FormatInt(f.session.ID, 10)
		page := "https://rounds.example.org/sessions/" + id
		at := f.booking.Add(time.Minute)

		subject, body, ics := f.render(t, models.MailBookingConfirmed, f.ada, at)
		if subject != "Booked: Renal physiology, Tuesday 3 November 2026" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "online booking", body, "Hello Ada Lovelace,", "Your seat is booked, online:",
			"  Renal physiology\n  When:      Tuesday 3 November 2026, 18:00–19:30 GMT\n  Where:     Online\n"+
				"  Taught by: Dr Jane Teacher and Sam Cohost\n  Details:   "+page+"\n",
			"  "+page+"/join\n", "Cancel your booking on the session page", "session.ics")
		lacks(t, "online booking", body, "https://zoom.example", "check in with the code", "tomorrow")
		method, ev := event(t, ics)
		if method != "REQUEST" || prop(ev, goical.PropUID) != "session-"+id+"@rounds.example.org" ||
			prop(ev, goical.PropDateTimeStart) != "20261103T180000Z" || prop(ev, goical.PropSequence) != "0" ||
			!strings.Contains(prop(ev, goical.PropAttendee), "ada@example.org") || prop(ev, goical.PropOrganizer) == "" {
			t.Errorf("invitation: method %s\n%s", method, ics)
		}

		_, body, _ = f.render(t, models.MailBookingConfirmed, f.bob, at)
		contains(t, "in-person booking", body, "Your seat is booked, in the room:", "Where:     Room 1, Medical School",
			"check in with the code or QR code shown in the room")
		lacks(t, "in-person booking", body, "/join")

		// Move the session a day later, to another room: both are told what
		// concerns their seat, with an updated invitation.
		newStart, newEnd, room := sessionStart.Add(24*time.Hour), sessionStart.Add(24*time.Hour+2*time.Hour), "Lecture Theatre 2"
		if _, err := models.UpdateSession(t.Context(), db, f.teacher, f.session.ID, models.SessionInput{StartsAt: &newStart, EndsAt: &newEnd, Venue: &room}, at); err != nil {
			t.Fatal(err)
		}
		subject, body, ics = f.render(t, models.MailSessionChanged, f.bob, at)
		if subject != "Changed: Renal physiology, now Wednesday 4 November 2026" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "change, in person", body, "Your seat, in the room, stays yours.",
			"  When:  now Wednesday 4 November 2026, 18:00–20:00 GMT\n         was Tuesday 3 November 2026, 18:00–19:30 GMT\n",
			"  Where: now Lecture Theatre 2\n         was Room 1, Medical School\n", "Where:     Lecture Theatre 2")
		method, ev = event(t, ics)
		if method != "REQUEST" || prop(ev, goical.PropSequence) != "1" || prop(ev, goical.PropDateTimeStart) != "20261104T180000Z" {
			t.Errorf("updated invitation: method %s\n%s", method, ics)
		}
		_, body, _ = f.render(t, models.MailSessionChanged, f.ada, at)
		contains(t, "change, online", body, "  When:  now Wednesday 4 November 2026", page+"/join")
		lacks(t, "change, online", body, "Lecture Theatre 2\n         was")

		// The room changes back: Bob's e-mail about the first change now
		// only says the time moved; a second one is queued for the room.
		old := "Room 1, Medical School"
		if _, err := models.UpdateSession(t.Context(), db, f.teacher, f.session.ID, models.SessionInput{Venue: &old}, at); err != nil {
			t.Fatal(err)
		}
		msgs, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailSessionChanged, To: f.bob.Email})
		if len(msgs) != 2 {
			t.Fatalf("%d session_changed e-mails to Bob, want 2", len(msgs))
		}
		first, err := f.r.Render(context.Background(), &msgs[1], at)
		if err != nil {
			t.Fatal(err)
		}
		lacks(t, "first change, after the room changed back", first.Text, "Where: now")
		second, err := f.r.Render(context.Background(), &msgs[0], at)
		if err != nil {
			t.Fatal(err)
		}
		if second.Subject != "Changed: Renal physiology, Wednesday 4 November 2026" {
			t.Errorf("subject of a change of room = %q", second.Subject)
		}
		contains(t, "change of room", second.Text, "  Where: now Room 1, Medical School\n         was Lecture Theatre 2\n")
		lacks(t, "change of room", second.Text, "When:  now")
		f.skipped(t, models.MailSessionChanged, f.ada, at, "nothing") // the room is not Ada's concern

		// A reminder planned for the new time says the actual date.
		remindAt := newStart.Add(-24 * time.Hour)
		if n, err := models.PlanSessionReminders(t.Context(), db, 24*time.Hour, remindAt); err != nil || n != 2 {
			t.Fatalf("planned %d reminders, %v", n, err)
		}
		subject, body, _ = f.render(t, models.MailSessionReminder, f.ada, remindAt)
		if subject != "Reminder: Renal physiology, Wednesday 4 November 2026 at 18:00 GMT" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "reminder", body, "A reminder of your seat, online, at:", "Wednesday 4 November 2026, 18:00–20:00 GMT", page+"/join")
		lacks(t, "reminder", body, "tomorrow", "Tomorrow")
		f.skipped(t, models.MailSessionReminder, f.ada, newStart, "started")

		// Bob cancels: his confirmation and reminder are no longer sent.
		if _, err := models.CancelMyBooking(t.Context(), db, f.bob, f.session.ID, remindAt); err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailSessionReminder, f.bob, remindAt, "booking")
		f.skipped(t, models.MailBookingConfirmed, f.bob, remindAt, "booking")
		// He books again: the first confirmation is superseded by the new one.
		testkit.Book(t, f.db, f.bob, f.session, models.ModeInPerson, testkit.At(remindAt.Add(time.Minute)))
		msgs, _ = models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailBookingConfirmed, To: f.bob.Email})
		if len(msgs) != 2 {
			t.Fatalf("%d confirmations to Bob, want 2", len(msgs))
		}
		if _, err := f.r.Render(context.Background(), &msgs[0], remindAt); err != nil {
			t.Errorf("new confirmation: %v", err)
		}
		if _, err := f.r.Render(context.Background(), &msgs[1], remindAt); err == nil {
			t.Error("the old confirmation was rendered")
		}

		// The session is cancelled: what was pending is skipped, and the
		// cancellation takes it out of the calendar.
		cancelAt := remindAt.Add(time.Hour)
		if _, err := models.CancelSession(t.Context(), db, f.teacher, f.session.ID, "The teacher is unwell.", cancelAt); err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailSessionReminder, f.ada, cancelAt, "cancelled")
		f.skipped(t, models.MailBookingConfirmed, f.ada, cancelAt, "cancelled")
		subject, body, ics = f.render(t, models.MailSessionCancelled, f.ada, cancelAt)
		if subject != "Cancelled: Renal physiology, Wednesday 4 November 2026" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "cancellation", body, "which was to take place on\nWednesday 4 November 2026, 18:00–20:00 GMT, has been cancelled.",
			"The reason given:\n\n  The teacher is unwell.\n", "takes the session out of your calendar", "https://rounds.example.org/sessions\n")
		method, ev = event(t, ics)
		if method != "CANCEL" || prop(ev, goical.PropStatus) != "CANCELLED" || prop(ev, goical.PropSequence) != "3" {
			t.Errorf("cancellation: method %s\n%s", method, ics)
		}
		f.skipped(t, models.MailSessionCancelled, f.ada, newEnd, "ended")

		// The session is deleted: nothing about it fails, everything skips.
		if err := db.Write(context.Background(), func(tx *gorm.DB) error { return tx.Exec("DELETE FROM sessions WHERE id = ?", f.session.ID).Error }); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []models.MailKind{models.MailBookingConfirmed, models.MailSessionChanged, models.MailSessionCancelled, models.MailSessionReminder} {
			f.skipped(t, kind, f.ada, cancelAt, "no longer exists")
		}
	})
}

func TestRenderWaitlistPromoted(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		f := newFixture(t, db)
		// Fill the room (30 seats), queue Carol, then free a seat.
		for i := range 29 {
			u := testkit.Member(t, db, testkit.Email("s"+strconv.Itoa(i)+"@example.org"), testkit.Name("Student"), testkit.Year(3), testkit.Password("correct horse battery"))
			testkit.Book(t, f.db, u, f.session, models.ModeInPerson, testkit.At(f.booking))
		}
		testkit.Book(t, f.db, f.carol, f.session, models.ModeInPerson, testkit.At(f.booking))
		if _, err := models.CancelMyBooking(t.Context(), db, f.bob, f.session.ID, f.booking.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		subject, body, ics := f.render(t, models.MailWaitlistPromoted, f.carol, f.booking.Add(time.Hour))
		if subject != "You have a seat: Renal physiology, Tuesday 3 November 2026" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "promotion", body, "a seat has come free, and it is yours", "your booking is now confirmed, in the room:",
			"Tuesday 3 November 2026, 18:00–19:30 GMT")
		if method, _ := event(t, ics); method != "REQUEST" {
			t.Errorf("method %s", method)
		}
	})
}

func TestRenderAfterTheSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		f := newFixture(t, db)
		id := strconv.FormatInt(f.session.ID, 10)
		ended := f.session.EndsAt

		// Nobody has taken the register: both teachers are reminded.
		at := ended.Add(time.Hour)
		if n, err := models.PlanRegisterReminders(t.Context(), db, at); err != nil || n != 2 {
			t.Fatalf("planned %d register reminders, %v", n, err)
		}
		subject, body, _ := f.render(t, models.MailRegisterReminder, f.cohost, at)
		if subject != "Take the register: Renal physiology, Tuesday 3 November 2026" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "register reminder", body, "Hello Sam Cohost,", "(Tuesday 3 November 2026, 18:00–19:30 GMT) has ended",
			"2 students had a confirmed seat.", "  https://rounds.example.org/sessions/"+id+"/register\n", "Teams or Zoom")

		// The register is taken: the reminder skips, and Ada (present) is
		// asked for feedback; Bob (absent) is not.
		if _, err := models.MarkRegister(t.Context(), db, f.teacher, f.session.ID, f.ada.ID, models.RegisterEntry{Status: models.AttendancePresent}, at); err != nil {
			t.Fatal(err)
		}
		if _, err := models.MarkRegister(t.Context(), db, f.teacher, f.session.ID, f.bob.ID, models.RegisterEntry{Status: models.AttendanceAbsent}, at); err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailRegisterReminder, f.teacher, at, "attendance has been recorded")
		if n, err := models.PlanFeedbackRequests(t.Context(), db, at); err != nil || n != 1 {
			t.Fatalf("planned %d feedback requests, %v", n, err)
		}
		subject, body, _ = f.render(t, models.MailFeedbackRequest, f.ada, at)
		if subject != "How was Renal physiology? Your feedback, please" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "feedback request", body, "Thank you for coming to Renal physiology on\nTuesday 3 November 2026, taught by Dr Jane Teacher and Sam Cohost.",
			"  https://rounds.example.org/sessions/"+id+"/feedback\n")

		later := at.Add(48 * time.Hour)
		if n, err := models.PlanFeedbackReminders(t.Context(), db, 48*time.Hour, later); err != nil || n != 1 {
			t.Fatalf("planned %d feedback reminders, %v", n, err)
		}
		subject, body, _ = f.render(t, models.MailFeedbackReminder, f.ada, later)
		if subject != "Reminder: your feedback on Renal physiology" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "feedback reminder", body, "On Tuesday 3 November 2026 we asked how you found Renal physiology",
			"/sessions/"+id+"/feedback\n", "the only reminder")

		// Ada answers: the requests skip, and her certificate is mailed.
		in := models.FeedbackInput{Overall: 5, Teaching: 5, ConfidenceBefore: 2, ConfidenceAfter: 4}
		_, cert, err := models.SubmitFeedback(t.Context(), db, f.ada, f.session.ID, in, later)
		if err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailFeedbackRequest, f.ada, later, "given feedback")
		f.skipped(t, models.MailFeedbackReminder, f.ada, later, "given feedback")
		subject, body, _ = f.render(t, models.MailCertificateIssued, f.ada, later)
		if subject != "Your certificate: Renal physiology" {
			t.Errorf("subject = %q", subject)
		}
		contains(t, "certificate", body, "Thank you for your feedback.", "Tuesday 3 November 2026, 18:00–19:30 GMT", "Code: "+cert.Code,
			"  https://rounds.example.org/certificates/"+cert.Code+".pdf\n", "  https://rounds.example.org/certificates/"+cert.Code+"\n")

		// A certificate withdrawn, a session deleted: skipped, not failed.
		if err := db.Write(context.Background(), func(tx *gorm.DB) error { return tx.Exec("DELETE FROM certificates WHERE code = ?", cert.Code).Error }); err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailCertificateIssued, f.ada, later, "no longer exists")
		if err := db.Write(context.Background(), func(tx *gorm.DB) error { return tx.Exec("DELETE FROM sessions WHERE id = ?", f.session.ID).Error }); err != nil {
			t.Fatal(err)
		}
		f.skipped(t, models.MailRegisterReminder, f.cohost, later, "no longer exists")
		f.skipped(t, models.MailFeedbackReminder, f.ada, later, "no longer exists")
	})
}

// A summer session shows British Summer Time.
func TestRenderSummerTime(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		f := newFixture(t, db)
		start, end := time.Date(2026, 6, 2, 17, 0, 0, 0, time.UTC), time.Date(2026, 6, 2, 18, 30, 0, 0, time.UTC)
		if _, err := models.UpdateSession(t.Context(), db, models.User{ID: f.teacher.ID, Role: models.RoleCommittee}, f.session.ID,
			models.SessionInput{StartsAt: &start, EndsAt: &end}, f.booking); err != nil {
			t.Fatal(err)
		}
		_, body, _ := f.render(t, models.MailSessionChanged, f.ada, start.Add(-time.Hour))
		contains(t, "summer change", body, "now Tuesday 2 June 2026, 18:00–19:30 BST", "was Tuesday 3 November 2026, 18:00–19:30 GMT")
	})
}
