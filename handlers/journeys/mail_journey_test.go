package journeys

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"rounds/models"
)

// TestMailJourney reads a session reminder's HTML part as a mail program
// shows it, on a phone and on a laptop, then uses its link to turn such
// reminders off, and finds them off on the account page.
func TestMailJourney(t *testing.T) {
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: "Dr Sam Okafor", Email: "sam.okafor@example.ac.uk", Role: models.RoleTeacher})
	student := site.CreateUser(t, Member{Name: `Asha <script>alert(1)</script> Patel`, Email: "asha@example.ac.uk", Year: 3})
	start, end := slot(site, 2, 18, 0, 90*time.Minute)
	s := seedSession(t, site, teacher, sessionSeed{Title: "Renal physiology: acid–base in practice, with worked examples", Venue: "Lecture theatre 2, Medical School building",
		Years: []int{3}, Seats: 30, Start: start, End: end})
	seedBooking(t, site, student, s.ID, student, models.ModeInPerson)
	deliverMail(t, site) // the booking confirmation
	site.Clock.Set(start.Add(-12 * time.Hour))
	reminder := mailOf(t, deliverMail(t, site), models.MailSessionReminder, student.Email)
	if reminder.HTML == "" {
		t.Fatal("the reminder has no HTML part")
	}

	// A mail program shows the HTML part as a page of its own.
	inbox := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(reminder.HTML))
	}))
	t.Cleanup(inbox.Close)
	for _, vp := range []Viewport{Phone, Desktop} {
		letter := br.NewPage("student", vp)
		letter.Visit(inbox.URL)
		letter.ExpectHeading(reminder.Subject)
		letter.ExpectText("Rounds", "Hello Asha <script>alert(1)</script> Patel,", "Lecture theatre 2, Medical School building",
			"Open the session page", "Stop e-mails like this one")
		letter.Checkpoint("reminder-" + vp.Name)
	}

	// From the phone: the footer's link asks, then turns reminders off.
	phone := br.NewPage("student", Phone)
	phone.Visit(inbox.URL)
	phone.Click("Stop e-mails like this one")
	phone.ExpectHeading("Stop these e-mails?")
	phone.ExpectText("reminders the day before a session you booked")
	phone.Checkpoint("unsubscribe-asks")
	phone.Click("Stop these e-mails")
	phone.ExpectHeading("E-mails turned off")
	phone.Checkpoint("unsubscribe-done")

	// The account page shows the choice, and can turn it back on.
	phone.LogIn(student.Email, DefaultPassword)
	phone.Visit("/account#email")
	phone.ExpectText("E-mails about your own bookings", "Send me")
	if on := evaluate[bool](phone, "read the box", `document.getElementById("topic-session_reminders").checked`); on {
		t.Error("session reminders are still ticked on the account page")
	}
	phone.Checkpoint("account-email-choices")
	phone.Tick("Reminders the day before a session you booked")
	phone.Click("Save e-mail choices")
	phone.ExpectText("Your e-mail choices are saved.")
	if wants, err := models.WantsMail(t.Context(), site.DB, student.ID, models.MailSessionReminder); err != nil || !wants {
		t.Errorf("reminders after ticking the box again: %t, %v", wants, err)
	}
}
