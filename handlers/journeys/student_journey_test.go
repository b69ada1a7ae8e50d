package journeys

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"rounds/models"
)

// TestStudentJourney follows a year-3 student through a term on their
// phone: they sign up, find a session for their year and book it using
// only the keyboard, subscribe to their calendar feed, check in with the
// code on the screen (again by keyboard), answer the feedback e-mail after
// the session and download their certificate of attendance.
func TestStudentJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	priya := site.CreateUser(t, Member{Name: "Priya Shah", Email: "priya.shah@example.ac.uk", Role: models.RoleTeacher, Year: 5})
	const title = "Heart sounds and murmurs"
	start, end := slot(site, 2, 18, 0, 90*time.Minute)
	s := seedSession(t, site, priya, sessionSeed{Title: title, Topic: "Cardiology", Years: []int{3, 4},
		Venue: "Clinical Skills Lab 2", Seats: 20, Start: start, End: end})
	start1, end1 := slot(site, 1, 17, 30, time.Hour)
	seedSession(t, site, priya, sessionSeed{Title: "Anatomy of the upper limb", Topic: "Anatomy", Years: []int{1},
		Venue: "Dissection Room", Seats: 40, Start: start1, End: end1})

	const (
		name     = "Ben Carter"
		email    = "ben.carter@example.ac.uk"
		password = "auscultation-7"
	)

	// They sign up on their phone.
	phone := br.NewPage("student", Phone)
	phone.Visit("/")
	phone.Click("Sign up")
	phone.Fill("Your name", name)
	phone.Fill("E-mail address", email)
	phone.Select("Year of study", "Year 3")
	phone.Fill("Password", password)
	phone.Fill("Password again", password)
	if status := phone.Click("Sign up"); status != 200 {
		t.Fatalf("signing up answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectHeading("Hello, " + name)
	phone.Within("section", "Coming up for year 3").ExpectText(title)
	phone.Checkpoint("signed-up")

	// They confirm their address with the link in the welcome e-mail.
	welcome := mailOf(t, deliverMail(t, site), models.MailWelcome, email)
	phone.Visit(strings.TrimPrefix(linkIn(t, site, welcome, `/confirm-email\?token=[A-Za-z0-9_%-]+`), site.URL))
	if status := phone.Click("Confirm my e-mail address"); status != 200 {
		t.Fatalf("confirming the address answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectText("Your e-mail address is confirmed: you can book sessions now.")
	phone.Visit("/")

	// With the keyboard alone: to the sessions, to the session, to "Book a seat".
	keys := keyboardOf(phone)
	keys.tabTo(phone.Scope, "clickable", "Sessions")
	keys.pressAndWait(kb.Enter)
	phone.ExpectPath("/sessions")
	phone.ExpectHeading("Sessions")
	mine := phone.Within("section", "For year 3")
	mine.ExpectText(title, "Years 3, 4")
	mine.ExpectNoText("upper limb")
	phone.Checkpoint("sessions-for-year-3")
	keys.tabTo(mine, "clickable", title)
	keys.pressAndWait(kb.Enter)
	phone.ExpectPath(fmt.Sprintf("/sessions/%d", s.ID))
	phone.ExpectHeading(title)
	keys.tabTo(phone.Scope, "clickable", "Book a seat")
	if status := keys.pressAndWait(kb.Enter); status != 200 {
		t.Fatalf("booking by keyboard answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectText("You are booked (in person).", "You are booked, in person.")
	phone.Checkpoint("booked-by-keyboard")

	// "My sessions" gives the private calendar address, to copy into their
	// calendar; the feed has the session in it.
	phone.Click("My sessions")
	phone.ExpectHeading("My sessions")
	phone.Within("section", "Coming up").ExpectText(title, "Booked, in person")
	feed := phone.Value("Your private calendar address")
	if !regexp.MustCompile("^" + regexp.QuoteMeta(site.URL) + `/calendar/[^/?#]+\.ics$`).MatchString(feed) {
		t.Errorf("the calendar address is %q", feed)
	}
	// Copying is the script's; it says so on the button for a moment.
	phone.ClickInPlace("Copy")
	if !copied(phone) {
		t.Errorf("pressing Copy did not say Copied")
	}
	phone.Checkpoint("my-sessions-calendar")
	resp, ics := fetchURL(t, feed)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("the calendar feed answered %d, %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	cal := unfold(ics)
	for _, want := range []string{"BEGIN:VCALENDAR", "BEGIN:VEVENT", "SUMMARY:" + title,
		"DTSTART:" + start.UTC().Format("20060102T150405Z"), "DTEND:" + end.UTC().Format("20060102T150405Z"), "Clinical Skills Lab 2"} {
		if !strings.Contains(cal, want) {
			t.Errorf("the calendar feed has no %q:\n%s", want, cal)
		}
	}
	if strings.Contains(cal, "upper limb") {
		t.Errorf("the calendar feed has a session the student did not book:\n%s", cal)
	}

	// Five minutes before the start the teacher puts the code up in the room.
	site.Clock.Set(start.Add(-5 * time.Minute))
	screen := br.NewPage("teacher", Desktop)
	screen.LogIn("priya.shah@example.ac.uk", DefaultPassword)
	screen.Visit(fmt.Sprintf("/sessions/%d/attendance", s.ID))
	screen.ExpectHeading("Take attendance")
	screen.ExpectText("0 checked in")
	screen.ExpectText("go to " + strings.TrimPrefix(site.URL, "http://") + "/checkin and type the code")
	screen.Checkpoint("check-in-screen")

	// The student opens "Check in" from the menu and types the code, with the keyboard.
	keys.tabTo(phone.Scope, "clickable", "Check in")
	keys.pressAndWait(kb.Enter)
	phone.ExpectPath("/checkin")
	phone.ExpectHeading("Check in")
	phone.Checkpoint("check-in-form")
	keys.tabTo(phone.Scope, "control", "Check-in code")
	keys.typeText(strings.TrimSpace(screen.Within(".checkin-code", "").Text()))
	if status := keys.pressAndWait(kb.Enter); status != 200 {
		t.Fatalf("checking in by keyboard answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectHeading("You are checked in")
	phone.ExpectText("You are checked in to "+title+" — present.", "in person")
	phone.Checkpoint("checked-in-by-keyboard")

	// After the session, the feedback request goes out; the student follows
	// its link.
	site.Clock.Set(end.Add(30 * time.Minute))
	sent := deliverMail(t, site)
	request := mailOf(t, sent, models.MailFeedbackRequest, email)
	link := linkIn(t, site, request, `/sessions/\d+/feedback\b[^\s]*`)
	if want := fmt.Sprintf("%s/sessions/%d/feedback", site.URL, s.ID); !strings.HasPrefix(link, want) {
		t.Errorf("the feedback e-mail links to %s, want %s", link, want)
	}
	if status := phone.Visit(link); status != 200 {
		t.Fatalf("the feedback link answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectHeading(title)
	phone.ExpectText("Six quick questions", "taught by Priya Shah")
	phone.Within("fieldset", "1. How good was the session overall?").Tick("5 excellent")
	phone.Within("fieldset", "2. How good was the teaching?").Tick("4")
	phone.Within("fieldset", "3. How confident were you in Cardiology before").Tick("2")
	phone.Within("fieldset", "4. How confident are you in Cardiology now?").Tick("4")
	phone.Tick("Knowledge")
	phone.Tick("Clinical skills")
	phone.Fill("What went well", "Listening to real recordings of each murmur.")
	phone.Fill("What could be better", "More time for the quiz at the end.")
	phone.Checkpoint("feedback-form")
	if status := phone.Click("Send feedback"); status != 200 {
		t.Fatalf("sending feedback answered %d: %s", status, excerpt(phone.Text()))
	}
	phone.ExpectPath(fmt.Sprintf("/sessions/%d/feedback/thanks", s.ID))
	phone.ExpectHeading("Thank you for your feedback")
	phone.ExpectText("Your certificate of attendance")
	phone.Checkpoint("feedback-sent")

	// The certificate: its page, and the PDF for their portfolio.
	phone.Click("View your certificate")
	phone.ExpectHeading("Certificate of attendance")
	phone.ExpectText(name, title, "attended in person", "Genuine")
	code := strings.TrimPrefix(phone.Path(), "/certificates/")
	phone.Checkpoint("certificate")
	pdf := linkHref(phone.Scope, "Download the PDF")
	if want := site.URL + "/certificates/" + code + ".pdf"; pdf != want {
		t.Errorf("the PDF link is %s, want %s", pdf, want)
	}
	resp, body := fetchURL(t, pdf)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Errorf("the certificate's PDF answered %d, %s, starting %q", resp.StatusCode, resp.Header.Get("Content-Type"), body[:min(len(body), 8)])
	}

	// The e-mail that follows links to the same certificate.
	issued := mailOf(t, deliverMail(t, site), models.MailCertificateIssued, email)
	if got := linkIn(t, site, issued, `/certificates/[A-Za-z0-9-]+`); got != site.URL+"/certificates/"+code {
		t.Errorf("the certificate e-mail links to %s, want %s/certificates/%s", got, site.URL, code)
	}

	ben := site.User(t, email)
	if a, found, err := models.AttendanceOf(t.Context(), site.DB, ben.ID, s.ID); err != nil || !found || a.Status != models.AttendancePresent || a.Source != models.SourceCode {
		t.Errorf("stored attendance: %+v, %v, %v; want present by code", a, found, err)
	}
}

// copied tells whether the page's Copy button turned to "Copied", which it
// does for a second and a half.
func copied(p *Page) bool {
	p.t.Helper()
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if p.Has("Copied") {
			return true
		}
	}
	return false
}
