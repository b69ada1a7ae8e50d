package journeys

import (
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// TestMembersJourney: committee finds members among 318 a page at a time,
// makes two of them teachers in one change, and reads one member's record,
// on a laptop and then on a phone.
func TestMembersJourney(t *testing.T) {
	site, br := Start(t)
	testkit.Members(t, site.DB, 318, testkit.Year(2))
	site.CreateUser(t, Member{Name: "Cat Chair", Email: "chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})
	teacher := site.CreateUser(t, Member{Name: "Dr Sam Okafor", Email: "sam.okafor@example.ac.uk", Role: models.RoleTeacher})
	asha := site.CreateUser(t, Member{Name: "Asha Patel", Email: "asha.patel@example.ac.uk", Year: 3})
	start, end := slot(site, 3, 18, 0, 90*time.Minute)
	s := seedSession(t, site, teacher, sessionSeed{Title: "Renal physiology", Venue: "Room 2", Years: []int{3}, Seats: 20, Start: start, End: end})
	seedBooking(t, site, asha, s.ID, asha, models.ModeInPerson)

	committee := br.NewPage("committee", Desktop)
	committee.LogIn("chair@example.ac.uk", DefaultPassword)
	committee.Click("Members")
	committee.ExpectHeading("Members")
	committee.ExpectText("321 members · page 1 of 7", "Next page", "Download these 321 members as CSV")
	committee.Checkpoint("members-first-page")
	committee.Click("Next page")
	committee.ExpectText("321 members · page 2 of 7", "Previous page")

	// Search, then tick two and make them teachers.
	committee.Fill("Name or e-mail", "Student 01")
	committee.Select("Sort by", "Name")
	committee.Click("Find")
	committee.ExpectText("10 members")
	committee.Row("Student 011").Tick("Tick Student 011")
	committee.Row("Student 012").Tick("Tick Student 012")
	committee.Select("Give the members ticked below the role", "Teacher")
	committee.Checkpoint("members-ticked")
	committee.Click("Review the change")
	committee.ExpectHeading("Change roles")
	committee.ExpectText("2 members become teacher:", "Student 011", "Student 012")
	committee.Checkpoint("roles-confirm")
	committee.Click("Change 2 roles")
	committee.ExpectText("Changed the role of 2 members to teacher.", "10 members")
	committee.Checkpoint("roles-changed")

	// One member's record.
	committee.Fill("Name or e-mail", "asha")
	committee.Click("Find")
	committee.Click("Asha Patel")
	committee.ExpectHeading("Asha Patel")
	committee.ExpectText("Renal physiology", "Booked, in person", "Not recorded", "1 booked · 0 attended")
	committee.Checkpoint("member-page")

	// The same on a phone.
	phone := br.NewPage("committee", Phone)
	phone.LogIn("chair@example.ac.uk", DefaultPassword)
	phone.Visit("/committee/members?q=student+01")
	phone.ExpectText("10 members")
	phone.Checkpoint("members-phone")
	phone.Visit("/committee/members")
	phone.Checkpoint("members-first-page-phone")
	phone.Visit("/committee/members?sort=nonsense")
	phone.ExpectText("Sort by name, year of study, role or newest first.")
	phone.Checkpoint("members-bad-sort-phone")
	phone.Visit("/committee/members?q=asha")
	phone.Click("Asha Patel")
	phone.ExpectHeading("Asha Patel")
	phone.Checkpoint("member-page-phone")
}
