package journeys

import (
	"os"
	"path/filepath"
	"testing"

	"rounds/handlers/oidctest"
	"rounds/internal/config"
	"rounds/models"
)

// TestSSOJourney: a new student presses "Sign in with …" on the log-in
// page, signs in on the university's own page (a real OpenID Provider run
// in-process), says their year of study once and lands logged in; on a
// laptop and on a phone. With ROUNDS_DOCS_IMAGES set to a folder, the
// log-in page's screenshots are copied there for docs/SSO.md:
//
//	ROUNDS_DOCS_IMAGES=$PWD/docs/images go test -count=1 -run 'TestSSOJourney|TestSSOPasswordsOffJourney' ./handlers/journeys/
func TestSSOJourney(t *testing.T) {
	t.Parallel()
	skipWithoutChromium(t)
	var provider *oidctest.Provider
	site, br := Start(t, func(c *config.Config) {
		p, err := oidctest.New(c.BaseURL + "/auth/oidc/callback")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		provider = p
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = p.URL, p.ClientID, p.ClientSecret
		c.OIDCName, c.OIDCDomains = "Sign in with St Elsewhere", []string{"st-elsewhere.ac.uk"}
	})
	for i, vp := range []Viewport{Desktop, Phone} {
		user := []string{"amara", "kofi"}[i]
		name := []string{"Amara Okafor", "Kofi Mensah"}[i]
		email := user + "@st-elsewhere.ac.uk"
		provider.AddUser(oidctest.User{Username: user, Password: "university-pw", Subject: "sub-" + user, Email: email, EmailVerified: oidctest.Bool(true), Name: name})

		student := br.NewPage("student-"+vp.Name, vp)
		student.Visit("/login")
		student.ExpectHeading("Log in")
		student.ExpectText("Sign in with St Elsewhere", "or log in with your e-mail address and password")
		student.ExpectFitsScreen()
		shot := student.Screenshot("login-with-sso")
		student.ExpectNoErrors()
		student.ExpectAccessible()
		if dir := os.Getenv("ROUNDS_DOCS_IMAGES"); dir != "" {
			copyFile(t, shot, filepath.Join(dir, "sso-login-"+vp.Name+".png"))
		}

		// The university's own page.
		student.Click("Sign in with St Elsewhere")
		student.ExpectHeading("University sign-in")
		student.Fill("Username", user)
		student.Fill("Password", "university-pw")
		student.Screenshot("university-sign-in")
		if status := student.Click("Sign in"); status != 200 {
			t.Fatalf("signing in at the university answered %d: %s", status, excerpt(student.Text()))
		}

		// Back at Rounds: the year of study, once.
		student.ExpectPath("/auth/oidc/year")
		student.ExpectHeading("Welcome to Rounds")
		student.ExpectText(email, "Check your name and say your year of study")
		if got := student.Value("Your name"); got != name {
			t.Errorf("the name offered is %q, want %q", got, name)
		}
		student.Select("Year of study", "Year 3")
		student.Checkpoint("year-of-study")
		if status := student.Click("Create my account"); status != 200 {
			t.Fatalf("creating the account answered %d: %s", status, excerpt(student.Text()))
		}
		student.ExpectText("Welcome to Rounds, " + name + ".")
		student.Checkpoint("signed-in")
		// The account page says how they sign in.
		student.Visit("/account")
		student.ExpectText("Single sign-on", "The “Sign in with St Elsewhere” button on the log-in page signs you in to this account.",
			"As "+email+": linked on ", "Your account has no password: you sign in with single sign-on.")
		student.Checkpoint("account-single-sign-on")
		u := site.User(t, email)
		if u.YearOfStudy == nil || *u.YearOfStudy != 3 || !u.EmailConfirmed || u.Role != models.RoleStudent {
			t.Errorf("the account: %+v", u)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err == nil {
		err = os.WriteFile(to, b, 0o644)
	}
	if err != nil {
		t.Fatalf("copy %s to %s: %v", from, to, err)
	}
}

// TestSSOPasswordsOffJourney: with passwords off for linked accounts, the
// log-in page leads with the button and folds the password form away; the
// committee's own account opens it and logs in by password, on a phone.
func TestSSOPasswordsOffJourney(t *testing.T) {
	t.Parallel()
	skipWithoutChromium(t)
	site, br := Start(t, func(c *config.Config) {
		p, err := oidctest.New(c.BaseURL + "/auth/oidc/callback")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		c.OIDCIssuer, c.OIDCClientID, c.OIDCClientSecret = p.URL, p.ClientID, p.ClientSecret
		c.OIDCName, c.OIDCDomains, c.PasswordLogin = "Sign in with St Elsewhere", []string{"st-elsewhere.ac.uk"}, false
	})
	site.CreateUser(t, Member{Name: "Priya Shah", Email: "committee@st-elsewhere.ac.uk", Role: models.RoleCommittee})

	chair := br.NewPage("committee", Phone)
	chair.Visit("/login")
	chair.ExpectText("Sign in with St Elsewhere", "A password works only for an account not linked to it, such as the committee's own.", "Log in with a password")
	if chair.Has("E-mail address") {
		t.Error("the password form is open before it is asked for")
	}
	shot := chair.Screenshot("passwords-folded")
	chair.ExpectNoErrors()
	chair.ExpectFitsScreen()
	chair.ExpectAccessible()
	if dir := os.Getenv("ROUNDS_DOCS_IMAGES"); dir != "" {
		copyFile(t, shot, filepath.Join(dir, "sso-login-passwords-off-phone.png"))
	}
	chair.ClickInPlace("Log in with a password")
	chair.Fill("E-mail address", "committee@st-elsewhere.ac.uk")
	chair.Fill("Password", DefaultPassword)
	if status := chair.Click("Log in"); status != 200 {
		t.Fatalf("logging in answered %d: %s", status, excerpt(chair.Text()))
	}
	if path := chair.Path(); path != "/" {
		t.Fatalf("after logging in the page is %s: %s", path, excerpt(chair.Text()))
	}
	chair.Checkpoint("committee-logged-in")
}
