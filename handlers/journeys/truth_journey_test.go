package journeys

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// longName is a name of 71 letters with no space to break it at.
const longName = "Aoife-Siobhán-Ní-Mhaoldomhnaigh-Uí-Shúilleabháin-Fitzgerald-Ó-Donnchadha"

// TestRegisterOnAPhoneJourney: a teacher with a very long name opens the
// register on a phone and on a laptop; the menu folds away, long words
// wrap, the tables scroll by keyboard, a wrong file is said at the top with
// the focus on it, and the check-in screen goes up on a projector.
func TestRegisterOnAPhoneJourney(t *testing.T) {
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: longName, Email: "aoife.fitzgerald.odonnchadha.teaching.fellow@example.ac.uk", Role: models.RoleTeacher})
	student := site.CreateUser(t, Member{Name: "Ama Warsame", Email: "ama.warsame@example.ac.uk", Year: 2})
	start := site.Clock.Now().Add(5 * time.Minute)
	s := seedSession(t, site, teacher, sessionSeed{Title: "Renal physiology for " + longName, Mode: models.ModeHybrid, Venue: "Seminar Room 3", Years: []int{2}, Seats: 30, OnlinePlaces: 50, Start: start, End: start.Add(time.Hour)})
	seedBooking(t, site, teacher, s.ID, student, models.ModeOnline)
	if _, err := models.SendApologies(t.Context(), site.DB, student, s.ID, site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "notes.csv")
	if err := os.WriteFile(report, []byte("shopping list\nmilk\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, vp := range []Viewport{Phone, Desktop} {
		p := br.NewPage("teacher "+vp.Name, vp)
		p.LogIn("aoife.fitzgerald.odonnchadha.teaching.fellow@example.ac.uk", DefaultPassword)
		p.Visit(fmt.Sprintf("/sessions/%d/register", s.ID))
		p.ExpectHeading("Register")
		row := p.Row("Ama Warsame")
		row.ExpectText("Sent apologies")
		row.ExpectNoText("Walk-in")
		p.Checkpoint("register-" + vp.Name)

		// The menu is one line, and opens to the page's links.
		h := evaluate[float64](p, "measure the menu", `document.querySelector("header.site nav").getBoundingClientRect().height`)
		if h > 80 {
			t.Errorf("%s: the navigation is %.0f px high", vp.Name, h)
		}
		if vp == Phone {
			p.ClickInPlace("Menu")
			p.ExpectText("My teaching", "Your account", "Log out")
			p.Checkpoint("menu-open-phone")
		}

		// A file that is not a report: the message is at the top, with the focus.
		chooseFile(p.Within("form", "Preview the import"), "Attendance report", report)
		p.Click("Preview the import")
		p.ExpectText("The report was not imported", "not a Teams or Zoom attendance report")
		if f := focus(p, "#import-error"); !f.Target {
			t.Errorf("%s: the focus is on %s, not the error", vp.Name, f.What)
		}
		top := evaluate[float64](p, "where the error is", `document.getElementById("import-error").getBoundingClientRect().top`)
		if top < 0 || top > float64(vp.Height) {
			t.Errorf("%s: the error is %.0f px down a %d px screen", vp.Name, top, vp.Height)
		}
		p.Checkpoint("import-error-" + vp.Name)
	}

	// The projector view, from the live screen.
	p := br.NewPage("projector", Desktop)
	p.LogIn("aoife.fitzgerald.odonnchadha.teaching.fellow@example.ac.uk", DefaultPassword)
	p.Visit(fmt.Sprintf("/sessions/%d/attendance", s.ID))
	p.ExpectText("Who has checked in", "Nobody yet.")
	p.Checkpoint("take-attendance")
	p.Click("Show on a projector")
	code := strings.TrimSpace(p.Within(".projector-code", "").Text())
	if len(code) != 6 {
		t.Fatalf("the projector shows %q", code)
	}
	size := evaluate[float64](p, "measure the code", `parseFloat(getComputedStyle(document.querySelector(".projector-code")).fontSize)`)
	if size < 100 {
		t.Errorf("the code is %.0f px high on a 1280 px screen", size)
	}
	if p.Has("Log out") {
		t.Error("the projector view has the navigation")
	}
	p.Checkpoint("projector")
	p.SetViewport(Phone)
	p.Checkpoint("projector-phone")
}
