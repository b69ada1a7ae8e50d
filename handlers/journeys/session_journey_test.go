package journeys

import (
	"fmt"
	"testing"
	"time"

	"rounds/models"
)

// TestSessionJourney: teachers publish sessions; students find and book
// them. A teacher, on a laptop, drafts a session through the form (and is
// told what is missing), checks the draft and publishes it; a year-2
// student, on a 360-pixel phone, finds it among the sessions for their
// year, books a seat and sees it in "My sessions".
func TestSessionJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	tariq := site.CreateUser(t, Member{Name: "Tariq Osei", Email: "tariq.osei@example.ac.uk", Role: models.RoleTeacher})
	site.CreateUser(t, Member{Name: "Asha Patel", Email: "asha.patel@example.ac.uk", Year: 2})
	// Another teacher's session, for a year the student is not in.
	start5, end5 := slot(site, 3, 13, 0, time.Hour)
	seedSession(t, site, tariq, sessionSeed{Title: "Surgical finals: the acute abdomen", Topic: "Surgery", Years: []int{5},
		Venue: "Clinical Skills Lab", Seats: 12, Start: start5, End: end5})

	const title = "Acid-base and ABGs"
	start, end := slot(site, 2, 18, 0, 90*time.Minute)

	// The teacher starts a new session from "My teaching".
	teacher := br.NewPage("teacher", Desktop)
	teacher.LogIn("tariq.osei@example.ac.uk", DefaultPassword)
	teacher.Click("My teaching")
	teacher.ExpectPath("/teaching")
	teacher.ExpectHeading("My teaching")
	teacher.ExpectText("No drafts.")
	teacher.Checkpoint("my-teaching")
	teacher.Click("New session")
	teacher.ExpectPath("/teaching/new")
	teacher.ExpectHeading("New session")
	teacher.Fill("Title", title)
	teacher.Fill("Description", "Reading arterial blood gases step by step: six cases from the wards.\n\nBring a calculator.")
	teacher.Fill("Topic", "Respiratory")
	teacher.Select("Format", "Small group")
	teacher.Tick("Year 2")
	teacher.Tick("Year 3")
	teacher.Tick("In person")
	teacher.Fill("Venue", "Seminar Room 3, Education Centre")
	teacher.Fill("Seats in the room", "30")
	setValue(teacher.Scope, "Starts", inputTime(site, start))
	// They forget the end: the form says so and keeps what they typed.
	if status := teacher.Click("Save draft"); status != 422 {
		t.Errorf("a session without an end answered %d, want 422", status)
	}
	teacher.ExpectHeading("New session")
	teacher.ExpectText("Some fields need attention:")
	if got := teacher.Value("Title"); got != title {
		t.Errorf("after the refusal the title holds %q", got)
	}
	teacher.Checkpoint("form-with-a-mistake")

	setValue(teacher.Scope, "Ends", inputTime(site, end))
	if status := teacher.Click("Save draft"); status != 200 {
		t.Fatalf("saving the draft answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectHeading(title)
	teacher.ExpectText("Your draft is saved.", "This is a draft.", "Seminar Room 3, Education Centre", "Years 2, 3", "Tariq Osei")
	teacher.Checkpoint("draft-saved")

	var s models.Session
	if err := site.DB.Read(t.Context()).Where("title = ?", title).First(&s).Error; err != nil {
		t.Fatalf("the draft is not stored: %v", err)
	}
	if s.Status != models.SessionDraft || !s.StartsAt.Equal(start) || !s.EndsAt.Equal(end) || s.InPersonCapacity != 30 {
		t.Errorf("stored: %s, %s–%s, %d seats; want a draft, %s–%s, 30 seats", s.Status, s.StartsAt, s.EndsAt, s.InPersonCapacity, start, end)
	}

	// A student cannot see the draft.
	student := br.NewPage("student", Phone)
	student.LogIn("asha.patel@example.ac.uk", DefaultPassword)
	student.Click("Sessions")
	student.ExpectHeading("Sessions")
	student.ExpectNoText(title)

	// The teacher checks the draft and publishes it.
	if status := teacher.Click("Publish"); status != 200 {
		t.Fatalf("publishing answered %d: %s", status, excerpt(teacher.Text()))
	}
	teacher.ExpectText("Published: students can now find and book this session.", "In the room: 30 of 30 seats left")
	teacher.ExpectNoText("This is a draft.")
	teacher.Checkpoint("published")

	// The student finds it first among the sessions for their year.
	student.Visit("/sessions")
	student.ExpectText("1 session for year 2 coming up.", "Showing year 2, your year.")
	student.ExpectNoText("come first", "acute abdomen")
	mine := student.Within("section", "For year 2")
	mine.ExpectText(title, "Years 2, 3", "30 seats left in the room")
	student.ExpectFitsScreen()
	student.Checkpoint("sessions-for-my-year")
	// Every year is one click away.
	student.Click("All years")
	student.ExpectText("Surgical finals: the acute abdomen", title)
	student.Checkpoint("sessions-all-years")
	student.Visit("/sessions")
	mine = student.Within("section", "For year 2")

	// They open it and book a seat.
	mine.Click(title)
	student.ExpectPath(fmt.Sprintf("/sessions/%d", s.ID))
	student.ExpectHeading(title)
	student.ExpectText("Reading arterial blood gases", "Bring a calculator.", "Booking closes when the session starts")
	student.Checkpoint("session-page")
	if status := student.Click("Book a seat"); status != 200 {
		t.Fatalf("booking answered %d: %s", status, excerpt(student.Text()))
	}
	student.ExpectText("You are booked (in person). A confirmation is on its way by e-mail.", "You are booked, in person.",
		"In the room: 29 of 30 seats left")
	student.Checkpoint("booked")

	// "My sessions" has it coming up.
	student.Click("My sessions")
	student.ExpectPath("/my/sessions")
	student.ExpectHeading("My sessions")
	student.Within("section", "Coming up").ExpectText(title, "Booked, in person", "Seminar Room 3")
	student.Checkpoint("my-sessions")

	asha := site.User(t, "asha.patel@example.ac.uk")
	if b, err := models.UserBooking(t.Context(), site.DB, s.ID, asha.ID); err != nil || b.Status != models.BookingConfirmed || b.Mode != models.ModeInPerson {
		t.Errorf("stored booking: %+v, %v; want confirmed, in person", b, err)
	}
	if msgs, err := models.ListOutbox(t.Context(), site.DB, models.OutboxFilter{Kind: models.MailBookingConfirmed, To: asha.Email}); err != nil || len(msgs) != 1 {
		t.Errorf("booking confirmations queued for the student: %d, %v; want 1", len(msgs), err)
	}

	// The teacher's list counts the booking.
	teacher.Click("My teaching")
	teacher.Row(title).ExpectText("1 / 30")
}
