package journeys

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestPagesTellTheTruth follows a year-1 student, on a laptop and on a
// phone, through the states where pages used to say something false: their
// own year's sessions first, a session aimed at finals students, a place on
// a waitlist, a cancelled session, a check-in code typed too early, and
// what happened at a past session; then committee's academic-year page.
func TestPagesTellTheTruth(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: "Kofi Mensah", Email: "kofi.mensah@example.ac.uk", Role: models.RoleTeacher, Year: 6})
	site.CreateUser(t, Member{Name: "Chair Person", Email: "chair@example.ac.uk", Role: models.RoleCommittee})
	ama := site.CreateUser(t, Member{Name: "Ama Warsame", Email: "ama.warsame@example.ac.uk", Year: 1})
	first := site.CreateUser(t, Member{Name: "Ola Nowak", Email: "ola.nowak@example.ac.uk", Year: 1})
	second := site.CreateUser(t, Member{Name: "Sam Reid", Email: "sam.reid@example.ac.uk", Year: 2})
	site.CreateUser(t, Member{Name: "Zara Finch", Email: "zara.finch@example.ac.uk", Year: 6})

	start, end := slot(site, 2, 18, 0, time.Hour)
	full := seedSession(t, site, teacher, sessionSeed{Title: "Upper limb anatomy", Topic: "Anatomy", Years: []int{1, 2},
		Venue: "Dissection Room", Seats: 1, Start: start, End: end})
	seedBooking(t, site, teacher, full.ID, first, models.ModeInPerson)
	seedBooking(t, site, teacher, full.ID, second, models.ModeInPerson)
	seedBooking(t, site, teacher, full.ID, ama, models.ModeInPerson) // 2nd on the waitlist
	start, end = slot(site, 3, 18, 0, time.Hour)
	finals := seedSession(t, site, teacher, sessionSeed{Title: "Finals OSCE practice", Topic: "Clinical skills", Years: []int{5, 6},
		Venue: "Skills Lab", Seats: 20, Start: start, End: end})
	start, end = slot(site, 4, 18, 0, time.Hour)
	renal := seedSession(t, site, teacher, sessionSeed{Title: "Renal physiology", Topic: "Physiology", Years: []int{1},
		Mode: models.ModeOnline, OnlinePlaces: 80, Start: start, End: end})
	seedBooking(t, site, ama, renal.ID, ama, models.ModeOnline)
	if _, err := models.CancelSession(t.Context(), site.DB, teacher, renal.ID, "The speaker is ill; we will run it again in January.", site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	// A session that has just ended, where Ama was present.
	now := site.Clock.Now()
	past := seedSession(t, site, teacher, sessionSeed{Title: "Cardiac cycle", Topic: "Physiology", Years: []int{1},
		Venue: "Lecture Theatre 1", Seats: 30, Start: now.Add(10 * time.Minute), End: now.Add(70 * time.Minute)})
	seedBooking(t, site, ama, past.ID, ama, models.ModeInPerson)
	// One starting in an hour, whose check-in is not open yet.
	soon := seedSession(t, site, teacher, sessionSeed{Title: "Histology of the kidney", Topic: "Histology", Years: []int{1},
		Venue: "Microscopy Lab", Seats: 30, Start: now.Add(time.Hour), End: now.Add(2 * time.Hour)})

	// The teacher puts the code up early.
	screen := br.NewPage("teacher", Desktop)
	screen.LogIn("kofi.mensah@example.ac.uk", DefaultPassword)
	screen.Visit(fmt.Sprintf("/sessions/%d/attendance", soon.ID))
	screen.ExpectText("Check-in opens at")
	screen.Checkpoint("screen-before-check-in-opens")

	for _, vp := range []Viewport{Desktop, Phone} {
		p := br.NewPage("student-"+vp.Name, vp)
		p.LogIn("ama.warsame@example.ac.uk", DefaultPassword)

		// Her own year's sessions, all years one click away.
		p.Visit("/sessions")
		p.ExpectText("Showing year 1, your year.", "Upper limb anatomy")
		p.ExpectNoText("Finals OSCE practice", "come first")
		p.Checkpoint("sessions-for-year-1")

		// Her place on the waitlist, and how to leave it.
		p.Visit(fmt.Sprintf("/sessions/%d", full.ID))
		p.ExpectText("You are 2nd on the waitlist", "You have no seat yet", "Leave the waitlist")
		p.ExpectNoText("Give up your place", "gets your place", "Can’t make it")
		p.Checkpoint("waitlisted")

		// The cancelled session: why, and nothing to book.
		p.Visit(fmt.Sprintf("/sessions/%d", renal.ID))
		p.ExpectText("This session has been cancelled.", "Why: The speaker is ill", "Your booking is cancelled")
		p.ExpectNoText("You are booked", "places left", "Add to calendar")
		p.Checkpoint("cancelled")

		// The code, typed before check-in opens.
		code := strings.TrimSpace(screen.Within(".checkin-code", "").Text())
		p.Visit("/checkin")
		p.Fill("Check-in code", code)
		p.Click("Check in")
		opens := soon.StartsAt.Add(-15 * time.Minute).In(society(site)).Format("15:04")
		p.ExpectText("Check-in opens at " + opens)
		p.ExpectNoText("wrong or has expired")
		p.Checkpoint("checkin-too-early")
	}

	// The student in year 1 books the finals session: asked once.
	desk := br.NewPage("student-books", Desktop)
	desk.LogIn("ama.warsame@example.ac.uk", DefaultPassword)
	desk.Visit(fmt.Sprintf("/sessions/%d", finals.ID))
	desk.ExpectText("This session is for years 5–6; you are in year 1.")
	if status := desk.Click("Book a seat"); status != 200 {
		t.Fatalf("booking answered %d", status)
	}
	desk.ExpectText("This session is for years 5–6 — book anyway?")
	desk.Checkpoint("book-anyway")
	desk.Click("Book anyway")
	desk.ExpectText("You are booked, in person.")

	// After the past session: what happened, and the feedback that follows.
	site.Clock.Set(past.StartsAt.Add(5 * time.Minute))
	seedRegister(t, site, teacher, past.ID, ama, models.AttendancePresent)
	site.Clock.Set(past.EndsAt.Add(time.Minute))
	for _, vp := range []Viewport{Desktop, Phone} {
		p := br.NewPage("my-sessions-"+vp.Name, vp)
		p.LogIn("ama.warsame@example.ac.uk", DefaultPassword)
		p.Visit("/my/sessions")
		row := p.Row("Cardiac cycle")
		row.ExpectText("Present, in person", "Give feedback")
		p.Within("section", "Past").ExpectNoText("Booked, in person")
		p.Checkpoint("my-sessions-past")
	}

	// Committee, in December: when the year was last started, and who moves.
	site.Clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
	for _, vp := range []Viewport{Desktop, Phone} {
		p := br.NewPage("committee-"+vp.Name, vp)
		p.LogIn("chair@example.ac.uk", DefaultPassword)
		p.Visit("/committee/academic-year")
		p.ExpectText("No start of an academic year is on record here yet.", "4 months ago", "Who becomes a graduate (2)")
		p.Checkpoint("academic-year-preview")
	}
}
