package journeys

import (
	"testing"

	"rounds/models"
)

// TestPrivacyJourney: a visitor about to sign up reads what Rounds keeps;
// committee reword the page, and find the edit in the audit log, on a
// laptop and on a phone.
func TestPrivacyJourney(t *testing.T) {
	site, br := Start(t)
	site.CreateUser(t, Member{Name: "Cat Chair", Email: "chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})

	visitor := br.NewPage("visitor", Phone)
	visitor.Visit("/register")
	visitor.Click("Read what it keeps, who sees it and for how long")
	visitor.ExpectHeading("Privacy")
	visitor.ExpectText("What Rounds keeps", "How long things are kept", "cleared 90 days after", "write to the society's committee")
	visitor.Checkpoint("privacy-phone")

	committee := br.NewPage("committee", Desktop)
	committee.LogIn("chair@example.ac.uk", DefaultPassword)
	committee.Visit("/privacy")
	committee.Click("Edit this page")
	committee.ExpectHeading("Edit the privacy page")
	committee.ExpectText("This is the default text")
	committee.Checkpoint("privacy-edit")
	committee.Fill("Text of the privacy page", "Rounds keeps what you book and attend.\n\nWrite to chair@example.ac.uk for a copy.")
	committee.Click("Save")
	committee.ExpectText("The privacy page is saved.", "Write to chair@example.ac.uk for a copy.")
	committee.Click("Audit log")
	committee.ExpectHeading("Audit log")
	committee.ExpectText("Edited the privacy page", "Cat Chair")
	committee.Checkpoint("audit-log")

	phone := br.NewPage("committee", Phone)
	phone.LogIn("chair@example.ac.uk", DefaultPassword)
	phone.Visit("/committee/audit")
	phone.ExpectText("Edited the privacy page")
	phone.Checkpoint("audit-log-phone")
}
