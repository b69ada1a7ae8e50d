package journeys

import (
	"context"
	"testing"
	"time"

	"rounds/jobs"
	"rounds/models"
)

// TestErasureJourney: a student asks on the account page for their account
// to be deleted, reads the e-mail, keeps the account with its link, asks
// again from their phone; a week later the retention job erases it: the
// student can no longer log in, and their certificate's verification page
// says it was withdrawn. On a laptop and on a phone.
func TestErasureJourney(t *testing.T) {
	site, br := Start(t)
	teacher := site.CreateUser(t, Member{Name: "Dr Mo Teacher", Email: "mo.teacher@example.ac.uk", Role: models.RoleTeacher})
	student := site.CreateUser(t, Member{Name: "Lee Leaving", Email: "lee.leaving@example.ac.uk", Year: 4})
	start, end := slot(site, 1, 18, 0, time.Hour)
	s := seedSession(t, site, teacher, sessionSeed{Title: "Sepsis recognition", Venue: "Seminar room 3", Years: []int{4}, Seats: 20, Start: start, End: end})
	seedBooking(t, site, student, s.ID, student, models.ModeInPerson)
	site.Clock.Set(end)
	seedRegister(t, site, teacher, s.ID, student, models.AttendancePresent)
	seedFeedback(t, site, student, s.ID, 5, 5, 2, 4, "Clear cases, thank you Dr Mo", "")
	certs, err := models.CertificatesOf(t.Context(), site.DB, student.ID)
	if err != nil || len(certs) != 1 {
		t.Fatalf("the student's certificate: %v %v", certs, err)
	}
	code := certs[0].Code
	deliverMail(t, site) // what came before

	// On a laptop: the account page, the confirmation page, the date.
	laptop := br.NewPage("student", Desktop)
	laptop.LogIn(student.Email, DefaultPassword)
	laptop.Visit("/account")
	laptop.ExpectText("Delete my account", "erased 7 days after you ask")
	laptop.Checkpoint("account-delete-block")
	laptop.Click("Delete my account")
	laptop.ExpectHeading("Delete your account")
	laptop.ExpectText("What we erase", "What we keep, with no name attached", "taught by “a former member”")
	laptop.Checkpoint("delete-confirm")
	laptop.Fill("Your password, to confirm", "not my password")
	laptop.Click("Delete my account in 7 days")
	laptop.ExpectText("That is not your password.")
	laptop.Fill("Your password, to confirm", DefaultPassword)
	laptop.Click("Delete my account in 7 days")
	laptop.ExpectHeading("Your account will be deleted")
	day := site.Clock.Now().Add(models.ErasureDelay).In(society(site)).Format("Mon 2 Jan 2006")
	laptop.ExpectText(day, "Cancel: keep my account")
	laptop.Checkpoint("delete-scheduled")

	// The e-mail says the day; its link keeps the account, from a phone,
	// without logging in, after a button (opening it does nothing).
	letter := mailOf(t, deliverMail(t, site), models.MailErasureScheduled, student.Email)
	keep := linkIn(t, site, letter, `/erasure/cancel/[A-Za-z0-9._-]+`)
	phone := br.NewPage("inbox", Phone)
	phone.Visit(keep)
	phone.ExpectHeading("Keep your account?")
	if w, _ := models.WaitingErasure(t.Context(), site.DB, student.ID); w == nil {
		t.Fatal("opening the e-mail's link called the erasure off")
	}
	phone.Checkpoint("keep-asks-phone")
	phone.Click("Keep my account")
	phone.ExpectHeading("Your account stays")
	phone.Checkpoint("keep-done-phone")
	laptop.Visit("/account")
	laptop.ExpectText("Delete my account")
	laptop.ExpectNoText("Your account will be deleted on")

	// Asked again, from the phone.
	mine := br.NewPage("student", Phone)
	mine.LogIn(student.Email, DefaultPassword)
	mine.Visit("/account#delete")
	mine.Click("Delete my account")
	mine.Fill("Your password, to confirm", DefaultPassword)
	mine.Click("Delete my account in 7 days")
	mine.ExpectHeading("Your account will be deleted")
	mine.Checkpoint("delete-scheduled-phone")

	// A week later the retention job runs.
	site.Clock.Advance(models.ErasureDelay + time.Hour)
	r, err := jobs.New(site.DB, site.Config, site.Clock, nil, jobs.WithOwner("e2e-"+t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Shutdown() }()
	ctx, cancel := context.WithTimeout(context.Background(), StepTimeout)
	defer cancel()
	if err := r.Retention(ctx); err != nil {
		t.Fatal(err)
	}

	gone := br.NewPage("visitor", Desktop)
	gone.Visit("/login")
	gone.Fill("E-mail address", student.Email)
	gone.Fill("Password", DefaultPassword)
	gone.Click("Log in")
	gone.ExpectHeading("Log in")
	gone.ExpectText("do not match an account")
	for _, vp := range []Viewport{Desktop, Phone} {
		check := br.NewPage("visitor", vp)
		check.Visit("/certificates/" + code)
		check.ExpectHeading("Certificate withdrawn")
		check.ExpectText(code, "has since been withdrawn")
		check.ExpectNoText("Lee Leaving")
		check.Checkpoint("certificate-withdrawn-" + vp.Name)
	}
	// Committee follow the requests: who asked, when, what became of it.
	site.CreateUser(t, Member{Name: "Cat Chair", Email: "chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})
	for _, vp := range []Viewport{Desktop, Phone} {
		chair := br.NewPage("committee", vp)
		chair.LogIn("chair@example.ac.uk", DefaultPassword)
		chair.Visit("/committee/requests")
		chair.ExpectHeading("Members' requests about their data")
		chair.ExpectText("Erasure of their account", "Cancelled by the member", "Done", "A former member")
		chair.ExpectNoText("Lee Leaving")
		chair.Checkpoint("committee-requests-" + vp.Name)
	}
}
