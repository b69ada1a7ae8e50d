package handlers_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// Tokens and reset links stop working after logout, expiry or use.
//
// A browser's cookie jar drops the login cookie as soon as the server says so,
// which would hide a server that still honours it. So these tests also replay
// the old cookie value exactly, as someone who copied it would.

const expiryPassword = "correct horse battery" // the password a.user gives

// cookie reads the value of a cookie the browser holds for the app.
func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.a.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// replay sends a request carrying exactly the given cookies (no jar), with
// form as an url-encoded body when not nil, and does not follow redirects.
func (a *app) replay(method, path string, cookies map[string]string, form url.Values, header map[string]string) response {
	a.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, a.srv.URL+path, body)
	if err != nil {
		a.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, raw}
}

// loginToken logs in through the API and returns the token and its expires_at.
func (a *app) loginToken(email, password string) (string, time.Time) {
	a.t.Helper()
	res := a.api("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, "")
	if res.Status != http.StatusOK {
		a.t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	m := res.json(a.t)
	exp, err := time.Parse(time.RFC3339Nano, fmt.Sprint(m["expires_at"]))
	if err != nil {
		a.t.Fatalf("login %s: expires_at %v: %v", email, m["expires_at"], err)
	}
	return m["token"].(string), exp
}

// sentToLogin tells whether a page answer is the redirect to the log-in page.
func sentToLogin(r response) bool {
	return r.Status == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")
}

// bookingOf returns the student's booking of a session, or false if none.
func bookingOf(t *testing.T, a *app, sessionID, userID int64) (models.Booking, bool) {
	t.Helper()
	b, err := models.UserBooking(t.Context(), a.db, sessionID, userID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Booking{}, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

func nameOf(t *testing.T, a *app, id int64) string {
	t.Helper()
	u, err := models.UserByID(t.Context(), a.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return u.Name
}

// expirySessions publishes two in-person sessions that start well after a
// login issued now has expired, so booking stays open throughout.
func expirySessions(t *testing.T, a *app) (early, late int64) {
	t.Helper()
	_, teacherTok := a.user("expiry.teacher@example.ac.uk", models.RoleTeacher, nil)
	start := a.clock.Now().Add(a.cfg.LoginTTL + 7*24*time.Hour)
	extra := map[string]any{"mode": "in_person", "in_person_capacity": 20}
	return a.attendanceSession(teacherTok, start, extra), a.attendanceSession(teacherTok, start.Add(3*time.Hour), extra)
}

func TestAPITokenExpiry(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		ttl := a.cfg.LoginTTL
		early, late := expirySessions(t, a)
		student, _ := a.user("expiry.api@example.ac.uk", models.RoleStudent, intp(1))

		issued := a.clock.Now()
		tok, exp := a.loginToken("expiry.api@example.ac.uk", expiryPassword)
		if !exp.Equal(issued.Add(ttl)) {
			t.Errorf("expires_at = %s, want login time + LoginTTL = %s", exp, issued.Add(ttl))
		}

		// A minute before expiry the token still reads and writes (and using
		// it does not stretch its life).
		a.clock.Set(issued.Add(ttl - time.Minute))
		if r := a.api("GET", "/api/v1/me", nil, tok); r.Status != http.StatusOK || r.json(t)["user"].(map[string]any)["email"] != "expiry.api@example.ac.uk" {
			t.Fatalf("me just before expiry: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", early), map[string]any{"mode": "in_person"}, tok); r.Status != http.StatusCreated {
			t.Fatalf("booking just before expiry: %d %s", r.Status, r.Body)
		}

		// Once LoginTTL has passed, the same token is refused for everything.
		a.clock.Set(issued.Add(ttl + time.Second))
		calls := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/me", nil},
			{"GET", "/api/v1/me/bookings", nil},
			{"POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", late), map[string]any{"mode": "in_person"}},
			{"DELETE", fmt.Sprintf("/api/v1/sessions/%d/bookings/me", early), nil},
			{"PATCH", "/api/v1/me", map[string]any{"name": "Changed After Expiry"}},
			{"POST", "/api/v1/auth/logout", nil},
		}
		for _, c := range calls {
			r := a.api(c.method, c.path, c.body, tok)
			if r.Status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
				t.Errorf("%s %s with an expired token: %d %s", c.method, c.path, r.Status, r.Body)
			}
		}

		// Nothing changed.
		if b, ok := bookingOf(t, a, early, student.ID); !ok || b.Status != models.BookingConfirmed {
			t.Errorf("booking made before expiry: %+v (found %v), want confirmed", b, ok)
		}
		if b, ok := bookingOf(t, a, late, student.ID); ok {
			t.Errorf("an expired token booked: %+v", b)
		}
		if n := nameOf(t, a, student.ID); n != student.Name {
			t.Errorf("an expired token renamed the account to %q", n)
		}

		// Logging in again gives a working token.
		fresh, _ := a.loginToken("expiry.api@example.ac.uk", expiryPassword)
		if r := a.api("GET", "/api/v1/me", nil, fresh); r.Status != http.StatusOK {
			t.Errorf("me with a fresh token: %d %s", r.Status, r.Body)
		}
	})
}

func TestLoginCookieExpiry(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		ttl := a.cfg.LoginTTL
		early, late := expirySessions(t, a)
		student, _ := a.user("expiry.page@example.ac.uk", models.RoleStudent, intp(1))

		b := a.browser()
		issued := a.clock.Now()
		b.login("expiry.page@example.ac.uk", expiryPassword)
		loginValue := b.cookie("rounds_login")
		if loginValue == "" {
			t.Fatal("no login cookie after logging in")
		}
		csrf := b.csrf("/account")
		old := map[string]string{"rounds_login": loginValue, "rounds_csrf": b.cookie("rounds_csrf")}

		// A minute before expiry: pages open and forms work.
		a.clock.Set(issued.Add(ttl - time.Minute))
		for _, p := range []string{"/account", "/sessions", "/my/sessions"} {
			if r := b.get(p); r.Status != http.StatusOK {
				t.Errorf("GET %s just before expiry: %d %q", p, r.Status, r.Header.Get("Location"))
			}
		}
		r := b.post("/account", "/account", url.Values{"name": {"Before Expiry"}, "year_of_study": {"1"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
			t.Errorf("profile form just before expiry: %d %q", r.Status, r.Header.Get("Location"))
		}
		r = b.post(fmt.Sprintf("/sessions/%d", early), fmt.Sprintf("/sessions/%d/book", early), url.Values{"mode": {"in_person"}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/sessions/%d", early) {
			t.Errorf("booking form just before expiry: %d %q", r.Status, r.Header.Get("Location"))
		}
		if bk, ok := bookingOf(t, a, early, student.ID); !ok || bk.Status != models.BookingConfirmed {
			t.Fatalf("booking just before expiry: %+v (found %v)", bk, ok)
		}

		// Once LoginTTL has passed, the browser is sent to log in and told to
		// forget the cookie.
		a.clock.Set(issued.Add(ttl + time.Second))
		r = b.get("/account")
		if !sentToLogin(r) {
			t.Errorf("GET /account after expiry: %d %q, want 303 to /login", r.Status, r.Header.Get("Location"))
		}
		cleared := false
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == "rounds_login" && c.Value == "" && c.MaxAge < 0 {
				cleared = true
			}
		}
		if !cleared {
			t.Errorf("the expired login cookie was not cleared: %q", r.Header.Values("Set-Cookie"))
		}

		// The same cookie, sent again with a valid CSRF token, is refused
		// the same way by every page and form.
		for _, p := range []string{"/account", "/sessions", "/my/sessions"} {
			if r := a.replay("GET", p, old, nil, nil); !sentToLogin(r) {
				t.Errorf("GET %s with the expired cookie: %d %q", p, r.Status, r.Header.Get("Location"))
			}
		}
		forms := []struct {
			path string
			form url.Values
		}{
			{"/account", url.Values{"name": {"After Expiry"}, "year_of_study": {"1"}}},
			{fmt.Sprintf("/sessions/%d/book", late), url.Values{"mode": {"in_person"}}},
			{fmt.Sprintf("/sessions/%d/cancel-booking", early), url.Values{}},
		}
		for _, f := range forms {
			f.form.Set("_csrf", csrf)
			if r := a.replay("POST", f.path, old, f.form, nil); !sentToLogin(r) {
				t.Errorf("POST %s with the expired cookie: %d %q", f.path, r.Status, r.Header.Get("Location"))
			}
		}
		// So does the API, which also accepts a cookie login.
		if r := a.replay("GET", "/api/v1/me", old, nil, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("API with the expired cookie: %d %s", r.Status, r.Body)
		}
		if r := a.replay("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", late), old, nil,
			map[string]string{"X-CSRF-Token": csrf, "Content-Type": "application/json"}); r.Status != http.StatusUnauthorized {
			t.Errorf("API booking with the expired cookie: %d %s", r.Status, r.Body)
		}

		// Nothing changed.
		if n := nameOf(t, a, student.ID); n != "Before Expiry" {
			t.Errorf("name = %q after forms with an expired cookie", n)
		}
		if bk, ok := bookingOf(t, a, early, student.ID); !ok || bk.Status != models.BookingConfirmed {
			t.Errorf("booking cancelled with an expired cookie: %+v (found %v)", bk, ok)
		}
		if bk, ok := bookingOf(t, a, late, student.ID); ok {
			t.Errorf("an expired cookie booked: %+v", bk)
		}

		// Control: the replay itself works with a live login and its token.
		b2 := a.browser()
		b2.login("expiry.page@example.ac.uk", expiryPassword)
		live := map[string]string{"rounds_login": b2.cookie("rounds_login"), "rounds_csrf": b2.cookie("rounds_csrf")}
		if r := a.replay("GET", "/account", live, nil, nil); r.Status != http.StatusOK {
			t.Errorf("replay with a live cookie: %d %q", r.Status, r.Header.Get("Location"))
		}
		if r := a.replay("POST", "/account", live, url.Values{"_csrf": {b2.csrf("/account")}, "name": {"Before Expiry"}, "year_of_study": {"1"}}, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/account" {
			t.Errorf("replayed form with a live cookie: %d %q", r.Status, r.Header.Get("Location"))
		}
	})
}

func TestLogoutExpiresCookieAndTokenAtOnce(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, late := expirySessions(t, a)
		student, tok := a.user("expiry.logout@example.ac.uk", models.RoleStudent, intp(1))

		b := a.browser()
		b.login("expiry.logout@example.ac.uk", expiryPassword)
		other := a.browser()
		other.login("expiry.logout@example.ac.uk", expiryPassword)
		csrf := b.csrf("/account")
		old := map[string]string{"rounds_login": b.cookie("rounds_login"), "rounds_csrf": b.cookie("rounds_csrf")}
		if r := a.replay("GET", "/account", old, nil, nil); r.Status != http.StatusOK {
			t.Fatalf("replay before logout: %d", r.Status)
		}

		// Logging out of the pages ends that cookie on the server, not only
		// in this browser.
		if r := b.post("/account", "/logout", url.Values{}); r.Status != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.Status)
		}
		if r := a.replay("GET", "/account", old, nil, nil); !sentToLogin(r) {
			t.Errorf("GET /account with the logged-out cookie: %d %q", r.Status, r.Header.Get("Location"))
		}
		if r := a.replay("POST", "/account", old, url.Values{"_csrf": {csrf}, "name": {"After Logout"}, "year_of_study": {"1"}}, nil); !sentToLogin(r) {
			t.Errorf("POST /account with the logged-out cookie: %d %q", r.Status, r.Header.Get("Location"))
		}
		if n := nameOf(t, a, student.ID); n != student.Name {
			t.Errorf("a logged-out cookie renamed the account to %q", n)
		}
		// Only that login ended.
		if r := other.get("/account"); r.Status != http.StatusOK {
			t.Errorf("another browser's login ended too: %d", r.Status)
		}

		// An API token logged out cannot change anything either.
		if r := a.api("POST", "/api/v1/auth/logout", nil, tok); r.Status != http.StatusNoContent {
			t.Fatalf("API logout: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", late), map[string]any{"mode": "in_person"}, tok); r.Status != http.StatusUnauthorized {
			t.Errorf("booking with a logged-out token: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", "/api/v1/auth/logout", nil, tok); r.Status != http.StatusUnauthorized {
			t.Errorf("second logout with the same token: %d %s", r.Status, r.Body)
		}
		if bk, ok := bookingOf(t, a, late, student.ID); ok {
			t.Errorf("a logged-out token booked: %+v", bk)
		}
	})
}

func TestPasswordResetLinkExpiresOnUse(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		const email = "expiry.reset@example.ac.uk"
		_, apiTok := a.user(email, models.RoleStudent, intp(3))
		logged := a.browser()
		logged.login(email, expiryPassword)
		oldCookie := map[string]string{"rounds_login": logged.cookie("rounds_login"), "rounds_csrf": logged.cookie("rounds_csrf")}

		request := func() string {
			t.Helper()
			if r := a.api("POST", "/api/v1/auth/password-reset", map[string]string{"email": email}, ""); r.Status != http.StatusAccepted {
				t.Fatalf("reset request: %d %s", r.Status, r.Body)
			}
			u, err := url.Parse(resetLink(t, a.db, email))
			if err != nil {
				t.Fatal(err)
			}
			return u.Query().Get("token")
		}
		issued := a.clock.Now()
		first := request()
		second := request()
		if first == "" || first == second {
			t.Fatalf("reset links %q and %q", first, second)
		}

		// A minute before the link expires, it still works.
		a.clock.Set(issued.Add(a.cfg.PasswordResetTTL - time.Minute))
		b := a.browser()
		page := "/reset-password?token=" + url.QueryEscape(second)
		if r := b.get(page); r.Status != http.StatusOK {
			t.Fatalf("reset page just before expiry: %d", r.Status)
		}
		r := b.post(page, "/reset-password", url.Values{"token": {second}, "password": {"first new secret"}, "password_confirm": {"first new secret"}})
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Fatalf("reset just before expiry: %d %q %s", r.Status, r.Header.Get("Location"), r.Body)
		}

		// The used link is refused by the page, its form and the API.
		if r := b.get(page); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("used link's page: %d", r.Status)
		}
		r = b.post("/login", "/reset-password", url.Values{"token": {second}, "password": {"second new secret"}, "password_confirm": {"second new secret"}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("used link's form: %d %q", r.Status, r.Header.Get("Location"))
		}
		if r := a.api("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": second, "password": "third new secret"}, ""); r.Status != http.StatusUnprocessableEntity || r.errorCode(t) != "invalid_token" {
			t.Errorf("used link through the API: %d %s", r.Status, r.Body)
		}
		// The other link, unused and not yet expired, ended with the reset.
		if r := a.api("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": first, "password": "fourth new secret"}, ""); r.Status != http.StatusUnprocessableEntity || r.errorCode(t) != "invalid_token" {
			t.Errorf("an earlier link after a reset: %d %s", r.Status, r.Body)
		}

		// Only the first reset took effect.
		for pw, want := range map[string]int{"first new secret": 200, "second new secret": 401, "third new secret": 401, "fourth new secret": 401, expiryPassword: 401} {
			if r := a.api("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw}, ""); r.Status != want {
				t.Errorf("login with %q: %d, want %d", pw, r.Status, want)
			}
		}
		// And the reset ended the logins made before it.
		if r := a.replay("GET", "/account", oldCookie, nil, nil); !sentToLogin(r) {
			t.Errorf("browser login from before the reset: %d %q", r.Status, r.Header.Get("Location"))
		}
		if r := a.api("GET", "/api/v1/me", nil, apiTok); r.Status != http.StatusUnauthorized {
			t.Errorf("API token from before the reset: %d", r.Status)
		}
	})
}
