package journeys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestConfirmEmailJourney: a student signs up on their phone, is told to
// confirm their address before booking, opens the link from the welcome
// e-mail, confirms with the page's button, and books a seat.
func TestConfirmEmailJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	tariq := site.CreateUser(t, Member{Name: "Tariq Osei", Email: "tariq.osei@example.ac.uk", Role: models.RoleTeacher})
	const (
		title    = "Acid-base and ABGs"
		name     = "Ben Carter"
		email    = "ben.carter@example.ac.uk"
		password = "stethoscope-42"
	)
	start, end := slot(site, 2, 18, 0, 90*time.Minute)
	s := seedSession(t, site, tariq, sessionSeed{Title: title, Topic: "Medicine", Years: []int{2}, Venue: "Seminar Room 3", Seats: 20, Start: start, End: end})

	student := br.NewPage("student", Phone)
	student.Visit("/register")
	student.Fill("Your name", name)
	student.Fill("E-mail address", email)
	student.Select("Year of study", "Year 2")
	student.Fill("Password", password)
	student.Fill("Password again", password)
	if status := student.Click("Sign up"); status != 200 {
		t.Fatalf("signing up answered %d: %s", status, excerpt(student.Text()))
	}
	student.ExpectText("We have sent a link to "+email, "Confirm your e-mail address", "to book sessions, check in and give feedback")
	student.ExpectFitsScreen()
	student.Checkpoint("unconfirmed-notice")

	// Booking waits for the address.
	student.Visit(fmt.Sprintf("/sessions/%d", s.ID))
	student.ExpectHeading(title)
	student.Click("Book a seat")
	student.ExpectText("Confirm your e-mail address first")
	student.Checkpoint("booking-refused")
	if _, err := models.UserBooking(t.Context(), site.DB, s.ID, site.User(t, email).ID); err == nil {
		t.Fatal("an unconfirmed member was booked")
	}

	// The link in the welcome e-mail opens a page with one button.
	welcome := mailOf(t, deliverMail(t, site), models.MailWelcome, email)
	link := linkIn(t, site, welcome, `/confirm-email\?token=[A-Za-z0-9_%-]+`)
	student.Visit(strings.TrimPrefix(link, site.URL))
	student.ExpectHeading("Confirm your e-mail address")
	student.ExpectFitsScreen()
	student.Checkpoint("confirm-page")
	if status := student.Click("Confirm my e-mail address"); status != 200 {
		t.Fatalf("confirming answered %d: %s", status, excerpt(student.Text()))
	}
	student.ExpectPath("/sessions")
	student.ExpectText("Your e-mail address is confirmed: you can book sessions now.")
	student.ExpectNoText("Send the link again")
	student.Checkpoint("confirmed")

	student.Visit(fmt.Sprintf("/sessions/%d", s.ID))
	if status := student.Click("Book a seat"); status != 200 {
		t.Fatalf("booking answered %d: %s", status, excerpt(student.Text()))
	}
	student.ExpectText("You are booked, in person.")
	student.Checkpoint("booked")
}
