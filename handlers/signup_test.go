package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rounds/models"
	"rounds/models/testkit"
)

// TestSignUpSaysEveryProblem: a sign-up with several mistakes is answered
// with all of them, each beside its field, the input kept but the passwords.
func TestSignUpSaysEveryProblem(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	b := a.browser()
	res := b.post("/register", "/register", url.Values{
		"name": {"Grace Hopper"}, "email": {"grace at example"}, "year_of_study": {"4"},
		"password": {"short"}, "password_confirm": {"shorter"},
	})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", res.Status)
	}
	contains(t, res,
		`<p class="error" id="f-email-error">Enter an e-mail address like name@example.ac.uk.</p>`,
		`<p class="error" id="f-password-error">Use at least 10 characters.</p>`,
		`<p class="error" id="f-password_confirm-error">The two passwords differ.</p>`,
		`value="Grace Hopper"`, `value="grace at example"`, `<option value="4" selected>`)
	for _, secret := range []string{`value="short"`, `value="shorter"`} {
		if strings.Contains(string(res.Body), secret) {
			t.Errorf("the page gives back a password: %s", secret)
		}
	}
	if n, _ := models.CountUsers(t.Context(), a.db); n != 0 {
		t.Errorf("%d accounts made", n)
	}

	// Outside the allowed domains, with a bad year: both said.
	a = newApp(t, testkit.SQLite(t), map[string]string{"ROUNDS_ALLOWED_EMAIL_DOMAINS": "student.example.ac.uk"})
	b = a.browser()
	res = b.post("/register", "/register", url.Values{
		"name": {"Grace Hopper"}, "email": {"grace@gmail.com"}, "year_of_study": {"nine"},
		"password": {"long enough pw"}, "password_confirm": {"long enough pw"},
	})
	contains(t, res, "Use your student.example.ac.uk address.", "Choose a year from 1 to 6, or graduate.")
}
