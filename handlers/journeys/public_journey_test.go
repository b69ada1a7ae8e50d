package journeys

import (
	"fmt"
	"testing"
	"time"

	"rounds/models"
)

// TestPublicSessionPageAndBookOnCard follows a link shared with a student
// who is not logged in: the session's public page, Log in to book, back to
// the same page, and booking; then the session list grouped by day, where a
// card's Book button books another session; on a laptop and on a phone.
func TestPublicSessionPageAndBookOnCard(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: "Kofi Mensah", Email: "kofi.mensah@example.ac.uk", Role: models.RoleTeacher, Year: 6})
	site.CreateUser(t, Member{Name: "Ama Warsame", Email: "ama.warsame@example.ac.uk", Year: 2})
	site.CreateUser(t, Member{Name: "Ola Nowak", Email: "ola.nowak@example.ac.uk", Year: 2})
	start, end := slot(site, 1, 18, 0, 90*time.Minute)
	shared := seedSession(t, site, teacher, sessionSeed{Title: "Reading chest X-rays", Topic: "Radiology", Years: []int{2, 3},
		Venue: "Lecture Theatre 2", Seats: 40, Start: start, End: end})
	start, end = slot(site, 3, 17, 0, time.Hour)
	seedSession(t, site, teacher, sessionSeed{Title: "Cranial nerves", Topic: "Neurology", Years: []int{2},
		Venue: "Skills Lab", Seats: 12, Start: start, End: end})

	for i, vp := range []Viewport{Desktop, Phone} {
		email := []string{"ama.warsame@example.ac.uk", "ola.nowak@example.ac.uk"}[i]
		p := br.NewPage("visitor-"+vp.Name, vp)
		p.Visit("/")
		p.ExpectText("Coming up", "Reading chest X-rays", "Cranial nerves")
		p.Checkpoint("landing")
		p.Click("Reading chest X-rays")
		p.ExpectPath(fmt.Sprintf("/sessions/%d", shared.ID))
		p.ExpectHeading("Reading chest X-rays")
		p.ExpectText("Lecture Theatre 2", "Kofi Mensah", "Years 2, 3", fmt.Sprintf("%d seats left in the room", 40-i), "Google Calendar", "Outlook")
		p.ExpectNoText("Can’t make it", "Join online")
		p.Checkpoint("public-session-page")

		p.Click("Log in to book")
		p.Fill("E-mail address", email)
		p.Fill("Password", DefaultPassword)
		if status := p.Click("Log in"); status != 200 {
			t.Fatalf("logging in answered %d", status)
		}
		p.ExpectPath(fmt.Sprintf("/sessions/%d", shared.ID))
		if status := p.Click("Book a seat"); status != 200 {
			t.Fatalf("booking answered %d: %s", status, excerpt(p.Text()))
		}
		p.ExpectText("You are booked")
		p.Checkpoint("booked-after-login")

		p.Visit("/sessions")
		p.ExpectText("Tomorrow", "Booked, in person", fmt.Sprintf("%d seats left in the room", 12-i))
		card := p.Within("article", "Cranial nerves")
		if status := card.Click("Book a seat"); status != 200 {
			t.Fatalf("booking from the card answered %d: %s", status, excerpt(p.Text()))
		}
		p.ExpectText("You are booked")
		p.Visit("/sessions")
		p.Within("article", "Cranial nerves").ExpectText("Booked, in person", fmt.Sprintf("%d seats left in the room", 11-i))
		p.Checkpoint("list-by-day")

		p.Visit("/my/calendar")
		p.ExpectText("Subscribe in Google Calendar", "Subscribe in Apple Calendar")
		p.Checkpoint("calendar-subscribe")
	}
}
