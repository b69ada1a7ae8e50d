package journeys

import (
	"testing"

	"rounds/models"
)

// TestAccountJourney follows a student from signing up on their phone to
// being made a teacher by committee, once with JavaScript and once without:
// every step must work as a plain HTML form.
func TestAccountJourney(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []PageOption
	}{
		{"with-javascript", nil},
		{"without-javascript", []PageOption{WithoutJavaScript()}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			site, br := Start(t)
			accountJourney(t, site, br, mode.opts...)
		})
	}
}

func accountJourney(t *testing.T, site *Site, br *Browser, opts ...PageOption) {
	const (
		name     = "Asha Patel"
		email    = "asha.patel@example.ac.uk"
		password = "stethoscope-42"
	)

	// A visitor signs up on their phone.
	student := br.NewPage("student", Phone, opts...)
	student.Visit("/")
	student.ExpectHeading("Near-peer teaching, in one place")
	student.Checkpoint("home")
	student.Click("Sign up")
	student.ExpectPath("/register")
	student.ExpectHeading("Sign up")
	student.Fill("Your name", name)
	student.Fill("E-mail address", email)
	student.Select("Year of study", "Year 2")
	student.Fill("Password", password)
	student.Fill("Password again", password)
	student.Checkpoint("sign-up-filled")
	if status := student.Click("Sign up"); status != 200 {
		t.Fatalf("signing up answered %d: %s", status, excerpt(student.Text()))
	}

	// They land logged in, greeted by name.
	student.ExpectPath("/")
	student.ExpectHeading("Hello, " + name)
	student.ExpectText("Welcome to Rounds, "+name+".", "Year 2 · Student")
	if !student.Has(name) {
		t.Errorf("the menu has no link to %s's account", name)
	}
	student.Checkpoint("signed-up")

	// They log out.
	student.LogOut()
	student.ExpectPath("/login")
	student.Checkpoint("logged-out")

	// A wrong password is refused with a message.
	student.Fill("E-mail address", email)
	student.Fill("Password", "not-my-password")
	if status := student.Click("Log in"); status != 401 {
		t.Errorf("a wrong password answered %d, want 401", status)
	}
	student.ExpectHeading("Log in")
	student.ExpectText("That e-mail address and password do not match an account.")
	if got := student.Value("E-mail address"); got != email {
		t.Errorf("after a refused log-in the e-mail field holds %q, want %q", got, email)
	}
	student.Checkpoint("wrong-password")

	// The right one lets them in.
	student.LogIn(email, password)
	student.ExpectHeading("Hello, " + name)

	// They move up a year on their account page.
	student.Click(name)
	student.ExpectPath("/account")
	student.ExpectHeading("Your account")
	if got := student.Selected("Year of study"); got != "Year 2" {
		t.Errorf("the account page shows %q, want Year 2", got)
	}
	student.Checkpoint("account")
	student.Select("Year of study", "Year 3")
	if status := student.Click("Save profile"); status != 200 {
		t.Fatalf("saving the profile answered %d: %s", status, excerpt(student.Text()))
	}
	student.ExpectPath("/account")
	student.ExpectText("Your profile has been saved.")
	if got := student.Selected("Year of study"); got != "Year 3" {
		t.Errorf("after saving, the account page shows %q, want Year 3", got)
	}
	student.Checkpoint("account-saved")

	// A committee member, on a laptop, makes the student a teacher.
	site.CreateUser(t, Member{Name: "Cat Chair", Email: "chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})
	committee := br.NewPage("committee", Desktop, opts...)
	committee.LogIn("chair@example.ac.uk", DefaultPassword)
	committee.Click("Members")
	committee.ExpectPath("/committee/members")
	committee.ExpectHeading("Members")
	committee.ExpectText(name, "Cat Chair")
	committee.Checkpoint("members")
	committee.Fill("Name or e-mail", "asha")
	committee.Click("Find")
	committee.ExpectText("1 member")
	committee.ExpectNoText("chair@example.ac.uk")
	row := committee.Row(email)
	if got := row.Selected("Role of " + name); got != "Student" {
		t.Errorf("the members list shows %s as %q, want Student", name, got)
	}
	row.Select("Role of "+name, "Teacher")
	if status := row.Click("Save"); status != 200 {
		t.Fatalf("saving the member answered %d: %s", status, excerpt(committee.Text()))
	}
	committee.ExpectText("Saved " + name + ": teacher, Year 3.")
	if got := committee.Row(email).Selected("Role of " + name); got != "Teacher" {
		t.Errorf("after saving, the members list shows %s as %q, want Teacher", name, got)
	}
	committee.Checkpoint("member-saved")

	if u := site.User(t, email); u.Role != models.RoleTeacher || u.YearOfStudy == nil || *u.YearOfStudy != 3 {
		t.Errorf("stored: role %s, year %v; want teacher, year 3", u.Role, u.YearOfStudy)
	}

	// The student sees their new role.
	student.Visit("/")
	student.ExpectText("Year 3 · Teacher")
	student.Checkpoint("now-teacher")
}
