package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

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

// TestSignUpConfirmsEmail: a new member logs in but cannot book until they
// open the link in their welcome e-mail; opening it shows a button, which
// confirms; the link works once.
func TestSignUpConfirmsEmail(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, _ := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		s := testkit.Session(t, a.db, teacher, testkit.Title("ECGs"), testkit.Years(2), testkit.Mode(models.ModeInPerson),
			testkit.Starts(a.clock.Now().Add(72*time.Hour)), testkit.Published())
		res := a.api("POST", "/api/v1/auth/register", map[string]any{"email": "new@example.ac.uk", "name": "New", "password": "long enough pw", "year_of_study": 2}, "")
		if res.Status != 201 || res.json(t)["user"].(map[string]any)["email_confirmed"] != false {
			t.Fatalf("register: %d %s", res.Status, res.Body)
		}
		login := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "new@example.ac.uk", "password": "long enough pw"}, "")
		if login.Status != 200 {
			t.Fatalf("an unconfirmed member cannot log in: %d", login.Status)
		}
		token := login.json(t)["token"].(string)
		book := func() response {
			return a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", s.ID), map[string]any{"mode": "in_person"}, token)
		}
		if res := book(); res.Status != http.StatusForbidden || res.errorCode(t) != "email_unconfirmed" {
			t.Errorf("booking unconfirmed: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", "/api/v1/checkin", map[string]any{"code": "123456"}, token); res.Status != http.StatusForbidden || res.errorCode(t) != "email_unconfirmed" {
			t.Errorf("checking in unconfirmed: %d %s", res.Status, res.Body)
		}

		// The welcome e-mail's link opens a page with a button; the page
		// alone confirms nothing.
		link := welcomeLink(t, a, "new@example.ac.uk")
		b := a.browser()
		page := b.get(strings.TrimPrefix(link, a.cfg.BaseURL))
		if page.Status != 200 {
			t.Fatalf("link page: %d", page.Status)
		}
		contains(t, page, "Confirm my e-mail address")
		if res := book(); res.Status != http.StatusForbidden {
			t.Errorf("opening the page confirmed the address: %d", res.Status)
		}
		secret := link[strings.Index(link, "token=")+len("token="):]
		secret, _ = url.QueryUnescape(secret)
		res = b.post(strings.TrimPrefix(link, a.cfg.BaseURL), "/confirm-email", url.Values{"token": {secret}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/login?next=%2Fsessions" {
			t.Fatalf("confirm: %d %s", res.Status, res.Header.Get("Location"))
		}
		if res := book(); res.Status != http.StatusCreated {
			t.Errorf("booking once confirmed: %d %s", res.Status, res.Body)
		}
		me := a.api("GET", "/api/v1/me", nil, token)
		if me.json(t)["user"].(map[string]any)["email_confirmed"] != true {
			t.Errorf("/me: %s", me.Body)
		}
		// Used once: the API and the page both say so.
		if res := a.api("POST", "/api/v1/auth/confirm-email", map[string]string{"token": secret}, ""); res.Status != 422 || res.errorCode(t) != "invalid_token" {
			t.Errorf("second use: %d %s", res.Status, res.Body)
		}
		contains(t, b.get(strings.TrimPrefix(link, a.cfg.BaseURL)), "This link has expired or has already been used.")
	})
}

func welcomeLink(t *testing.T, a *app, addr string) string {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailWelcome, To: addr})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no welcome e-mail to %s", addr)
	}
	link := msgs[0].DataMap()["link"]
	if !strings.HasPrefix(link, a.cfg.BaseURL+"/confirm-email?token=") {
		t.Fatalf("welcome link %q", link)
	}
	return link
}

// TestSignUpNotice: the pages of an unconfirmed member say so and offer the
// link again, three times an hour; the API confirms the same way.
func TestSignUpNotice(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	b := a.browser()
	res := b.post("/register", "/register", url.Values{"name": {"Asha"}, "email": {"asha@example.ac.uk"}, "year_of_study": {"2"},
		"password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("sign-up: %d", res.Status)
	}
	home := b.get("/")
	contains(t, home, "We have sent a link to asha@example.ac.uk", "Confirm your e-mail address", "Send the link again")
	for i := 0; i < models.ConfirmationsPerHour; i++ {
		res := b.post("/sessions", "/confirm-email/resend", url.Values{"next": {"/sessions"}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/sessions" {
			t.Fatalf("resend %d: %d", i, res.Status)
		}
		contains(t, b.get("/sessions"), "A new link is on its way to asha@example.ac.uk")
	}
	b.post("/sessions", "/confirm-email/resend", url.Values{"next": {"/sessions"}})
	contains(t, b.get("/sessions"), "We have sent you 3 links in the last hour")
	if msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailEmailConfirmation}); len(msgs) != models.ConfirmationsPerHour {
		t.Errorf("%d links sent again, want %d", len(msgs), models.ConfirmationsPerHour)
	}
	link := welcomeLink(t, a, "asha@example.ac.uk")
	secret, _ := url.QueryUnescape(link[strings.Index(link, "token=")+len("token="):])
	res = a.api("POST", "/api/v1/auth/confirm-email", map[string]string{"token": secret}, "")
	if res.Status != 200 || res.json(t)["user"].(map[string]any)["email_confirmed"] != true {
		t.Fatalf("API confirm: %d %s", res.Status, res.Body)
	}
	page := b.get("/sessions")
	if strings.Contains(string(page.Body), "Send the link again") {
		t.Error("the notice stays once the address is confirmed")
	}
}

// TestSignUpWithoutConfirmation: ROUNDS_CONFIRM_EMAIL=false confirms every
// sign-up at once.
func TestSignUpWithoutConfirmation(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), map[string]string{"ROUNDS_CONFIRM_EMAIL": "false"})
	res := a.api("POST", "/api/v1/auth/register", map[string]any{"email": "quick@example.ac.uk", "name": "Q", "password": "long enough pw"}, "")
	if res.Status != 201 || res.json(t)["user"].(map[string]any)["email_confirmed"] != true {
		t.Fatalf("register: %d %s", res.Status, res.Body)
	}
	msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailWelcome, To: "quick@example.ac.uk"})
	if len(msgs) != 1 || msgs[0].DataMap()["link"] != "" {
		t.Errorf("welcome e-mail: %+v", msgs)
	}
}
