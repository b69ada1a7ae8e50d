package journeys_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/handlers/journeys"
	"rounds/internal/config"
	"rounds/models"
)

// rotation is the check-in code's lifetime in these journeys: the shortest
// allowed, so that the teacher's screen is seen to change within seconds.
const rotation = 5 * time.Second

// publishedSession stores a session taught by teacher that starts soon, so
// check-in is open, and publishes it.
func publishedSession(t *testing.T, site *journeys.Site, teacher models.User, title string, mode models.Mode) models.Session {
	t.Helper()
	now := site.Clock.Now()
	start, end := now.Add(5*time.Minute), now.Add(95*time.Minute)
	format, venue, capacity, years := models.FormatSmallGroup, "Seminar Room 3", 40, []int{2}
	desc, topic := "Bring a stethoscope.", "Renal"
	in := models.SessionInput{Title: &title, Description: &desc, Topic: &topic, Format: &format, YearGroups: &years,
		Mode: &mode, Venue: &venue, InPersonCapacity: &capacity, StartsAt: &start, EndsAt: &end}
	if mode != models.ModeInPerson {
		link := "https://teams.example/meet/renal"
		in.OnlineURL = &link
	}
	s, err := models.CreateSession(t.Context(), site.DB, teacher, in, now)
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	if s, err = models.PublishSession(t.Context(), site.DB, teacher, s.ID, now); err != nil {
		t.Fatalf("publish session: %v", err)
	}
	return s
}

// waitFor reads a part of a page until it contains want, as a person would
// watch a screen that updates itself, and returns what it read.
func waitFor(t *testing.T, scope journeys.Scope, want string, d time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		text := strings.Join(strings.Fields(scope.Text()), " ")
		if strings.Contains(text, want) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the screen still reads %q, not %q", d, text, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// TestAttendanceJourney: a teacher puts the check-in code up on a laptop; a
// student types it on their phone and is told they are checked in; the
// teacher's screen, refreshed by its script, counts them.
func TestAttendanceJourney(t *testing.T) {
	site, br := journeys.Start(t, func(c *config.Config) { c.CheckinRotation = rotation })
	teacher := site.CreateUser(t, journeys.Member{Name: "Tariq Osei", Email: "tariq.osei@example.ac.uk", Role: models.RoleTeacher})
	site.CreateUser(t, journeys.Member{Name: "Asha Patel", Email: "asha.patel@example.ac.uk", Year: 2})
	s := publishedSession(t, site, teacher, "Renal physiology", models.ModeInPerson)

	// The teacher opens the attendance screen on the room's laptop.
	screen := br.NewPage("teacher", journeys.Desktop)
	screen.LogIn("tariq.osei@example.ac.uk", journeys.DefaultPassword)
	screen.Visit(fmt.Sprintf("/sessions/%d/attendance", s.ID))
	screen.ExpectHeading("Take attendance")
	screen.ExpectText("Renal physiology", "Check-in code", "0 checked in")
	code := strings.TrimSpace(screen.Within(".checkin-code", "").Text())
	if len(code) != 6 || code[0] != 'P' {
		t.Fatalf("the screen shows %q as the check-in code", code)
	}
	screen.Checkpoint("code-on-the-screen")

	// The code changes by itself, and the QR code with it.
	deadline := time.Now().Add(2*rotation + 5*time.Second)
	for {
		now := strings.TrimSpace(screen.Within(".checkin-code", "").Text())
		if now != code {
			code = now
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the code %s did not change within %s", code, 2*rotation+5*time.Second)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// The QR code beside it is drawn for the new code (Within fails if not).
	screen.Within(fmt.Sprintf(`img.qr[src$="code=%s"]`, code), "").Text()
	screen.Checkpoint("code-changed")

	// A student, on their phone, opens the check-in page.
	phone := br.NewPage("student", journeys.Phone)
	phone.LogIn("asha.patel@example.ac.uk", journeys.DefaultPassword)
	phone.Visit("/checkin")
	phone.ExpectHeading("Check in")
	phone.ExpectFitsScreen()
	phone.Checkpoint("check-in-form")

	// They type the code they read on the screen (now, as it may have changed).
	code = strings.TrimSpace(screen.Within(".checkin-code", "").Text())
	phone.Fill("Check-in code", strings.ToLower(code))
	if status := phone.Click("Check in"); status != 200 {
		t.Fatalf("checking in answered %d: %s", status, phone.Text())
	}
	phone.ExpectHeading("You are checked in")
	phone.ExpectText("You are checked in as a walk-in to Renal physiology — present.", "in person") // she had not booked
	phone.ExpectFitsScreen()
	phone.Checkpoint("checked-in")

	// The teacher's screen counts them without anyone touching it.
	waitFor(t, screen.Within(".checkin-count", ""), "1 checked in", 3*rotation)
	screen.Checkpoint("count-went-up")

	// A wrong code is refused with a message beside the field.
	phone.Visit("/checkin")
	phone.Fill("Check-in code", "P22222")
	if status := phone.Click("Check in"); status != 422 {
		t.Errorf("a wrong code answered %d", status)
	}
	phone.ExpectText("That code is wrong or has expired.")
	phone.Checkpoint("wrong-code")

	// From the screen the teacher opens the register, where the student is
	// present, and marks them late.
	screen.Click("Open the register")
	screen.ExpectHeading("Register")
	row := screen.Row("Asha Patel")
	row.ExpectText("Walk-in", "Present", "Check-in code")
	screen.Checkpoint("register")
	row.Select("Status of Asha Patel", "Late")
	row.Click("Save")
	screen.ExpectText("Asha Patel: late, in person.")
	screen.Row("Asha Patel").ExpectText("Late", "Register")
	screen.Checkpoint("register-changed")
}

// secondsLeft reads "New code in N seconds" from the teacher's screen:
// without JavaScript, the time left when the page was loaded.
func secondsLeft(t *testing.T, screen *journeys.Page) int {
	t.Helper()
	m := regexp.MustCompile(`New code in (\d+) seconds?`).FindStringSubmatch(screen.Within(".checkin-expiry", "").Text())
	if m == nil {
		t.Fatal("the screen does not say when the code changes")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestAttendanceJourneyWithoutJavaScript: without scripts, the teacher asks
// the screen to keep itself current, and it reloads when the code changes;
// the student checks in with a plain form. A page about to reload cannot be
// read, so the screen is read only just after a load, when the next reload
// is seconds away.
func TestAttendanceJourneyWithoutJavaScript(t *testing.T) {
	const rotation = 10 * time.Second
	site, br := journeys.Start(t, func(c *config.Config) { c.CheckinRotation = rotation })
	teacher := site.CreateUser(t, journeys.Member{Name: "Tariq Osei", Email: "tariq.osei@example.ac.uk", Role: models.RoleTeacher})
	site.CreateUser(t, journeys.Member{Name: "Ben Carter", Email: "ben.carter@example.ac.uk", Year: 2})
	s := publishedSession(t, site, teacher, "Acid-base balance", models.ModeHybrid)

	phone := br.NewPage("student", journeys.Phone, journeys.WithoutJavaScript())
	phone.LogIn("ben.carter@example.ac.uk", journeys.DefaultPassword)
	phone.Visit("/checkin")

	screen := br.NewPage("teacher", journeys.Desktop, journeys.WithoutJavaScript())
	screen.LogIn("tariq.osei@example.ac.uk", journeys.DefaultPassword)
	screen.Visit(fmt.Sprintf("/sessions/%d/attendance", s.ID))
	screen.Click("Online")
	screen.ExpectText("Online check-in code", "Read this code out in the call", "0 checked in online")
	screen.Checkpoint("online-code")

	// For the room's screen the teacher asks it to keep itself current.
	screen.Click("keep this screen current")
	loaded := time.Now()
	left := secondsLeft(t, screen)
	code := strings.TrimSpace(screen.Within(".checkin-code", "").Text())
	screen.ExpectText("This screen reloads itself each time the code changes.")

	// The student types the code they hear.
	phone.Fill("Check-in code", code)
	phone.Click("Check in")
	checkedIn := time.Now()
	phone.ExpectText("You are checked in as a walk-in to Acid-base balance — present.", "online") // he had not booked

	// Just after the screen's next reload, it shows a new code and counts them.
	reload := loaded.Add(time.Duration(left+1) * time.Second)
	for reload.Before(checkedIn.Add(500 * time.Millisecond)) {
		reload = reload.Add(rotation)
	}
	time.Sleep(time.Until(reload.Add(1500 * time.Millisecond)))
	if now := strings.TrimSpace(screen.Within(".checkin-code", "").Text()); now == code || now[0] != 'N' {
		t.Fatalf("the online code was %s and is now %s: the screen did not reload", code, now)
	}
	screen.Within(".checkin-count", "").ExpectText("1 checked in online")
	autoCheckpoint(screen, "reloaded-and-counted")
	phone.Checkpoint("checked-in-online")
}

// autoCheckpoint is Checkpoint for a screen the teacher has asked to reload
// itself: axe-core refuses every timed reload (WCAG 2.2.1), which is why it
// is never the default, so only the screenshot and the error checks run.
func autoCheckpoint(p *journeys.Page, name string) {
	p.Screenshot(name)
	p.ExpectNoErrors()
}
