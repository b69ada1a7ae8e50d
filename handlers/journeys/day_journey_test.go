package journeys

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
			p.ExpectText("My teaching", "Log out")
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
	if h := evaluate[float64](p, "measure the code's box", `document.querySelector(".projector-code").getBoundingClientRect().height`); h > 2*size {
		t.Errorf("the code takes %.0f px for letters of %.0f px: it wraps", h, size)
	}
	if w := evaluate[float64](p, "measure the QR code", `document.querySelector(".projector-qr").getBoundingClientRect().width`); w < 500 {
		t.Errorf("the QR code is %.0f px wide on a 1280 × 900 screen", w)
	}
	if p.Has("Log out") {
		t.Error("the projector view has the navigation")
	}
	p.Checkpoint("projector")
	p.SetViewport(Phone)
	p.Checkpoint("projector-phone")
}

// goBack presses the browser's Back button and tells whether the page came
// back, rather than the browser's "Confirm form resubmission".
func goBack(p *Page) (path string, ok bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.NavigateBack()); err != nil && !isTimeout(err) {
		p.fatalf("back: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	r := evaluate[struct {
		Path  string `json:"path"`
		Title string `json:"title"`
	}](p, "read the page", `({path: location.pathname, title: document.title})`)
	return r.Path, strings.HasSuffix(r.Title, "Rounds")
}

// TestBackAfterAFormJourney: feedback sent after a mistake, and an import
// applied after its preview; Back shows the page before, never a form to
// send again.
func TestBackAfterAFormJourney(t *testing.T) {
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: "Priya Shah", Email: "priya.shah@example.ac.uk", Role: models.RoleTeacher})
	student := site.CreateUser(t, Member{Name: "Ama Warsame", Email: "ama.warsame@example.ac.uk", Year: 2})
	start := site.Clock.Now().Add(time.Hour)
	s := seedSession(t, site, teacher, sessionSeed{Title: "Heart sounds", Mode: models.ModeHybrid, Venue: "Seminar Room 3", Years: []int{2}, Seats: 30, OnlinePlaces: 50, Start: start, End: start.Add(time.Hour)})
	seedBooking(t, site, teacher, s.ID, student, models.ModeOnline)
	site.Clock.Set(start.Add(50 * time.Minute))
	seedRegister(t, site, teacher, s.ID, student, models.AttendancePresent)
	site.Clock.Set(start.Add(2 * time.Hour))

	phone := br.NewPage("student", Phone)
	phone.LogIn("ama.warsame@example.ac.uk", DefaultPassword)
	phone.Visit(fmt.Sprintf("/sessions/%d/feedback", s.ID))
	phone.Click("Send feedback") // nothing chosen: sent back with its mistakes
	phone.ExpectText("How good was the session overall")
	phone.Within("fieldset", "1. How good was the session overall?").Tick("5 excellent")
	phone.Within("fieldset", "2. How good was the teaching?").Tick("4")
	phone.Within("fieldset", "3. How confident were you").Tick("2")
	phone.Within("fieldset", "4. How confident are you").Tick("4")
	phone.Click("Send feedback")
	phone.ExpectPath(fmt.Sprintf("/sessions/%d/feedback/thanks", s.ID))
	if path, ok := goBack(phone); !ok {
		t.Errorf("Back after feedback sent on the second try shows no page (at %s)", path)
	}

	laptop := br.NewPage("teacher", Desktop)
	laptop.LogIn("priya.shah@example.ac.uk", DefaultPassword)
	reg := fmt.Sprintf("/sessions/%d/register", s.ID)
	laptop.Visit(reg)
	report := filepath.Join(t.TempDir(), "report.csv")
	people := []teamsParticipant{{Name: "Ama's iPad", Role: "Attendee", Join: time.Minute, Stay: 55 * time.Minute}}
	if err := os.WriteFile(report, teamsReport("Heart sounds", start, start.Add(time.Hour), society(site), people), 0o600); err != nil {
		t.Fatal(err)
	}
	chooseFile(laptop.Within("form", "Preview the import"), "Attendance report", report)
	laptop.Click("Preview the import")
	laptop.ExpectHeading("Check the import")
	laptop.Checkpoint("import-preview")
	laptop.Click("Apply the import")
	laptop.ExpectPath(reg)
	if path, ok := goBack(laptop); !ok {
		t.Errorf("Back after applying an import shows no page (at %s)", path)
	}
}
