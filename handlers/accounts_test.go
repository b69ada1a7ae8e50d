package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestAccountsAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		res := a.api("POST", "/api/v1/auth/register", map[string]any{
			"email": "Alice.Smith@Example.ac.uk", "name": "Alice Smith", "password": "long enough pw", "year_of_study": 2}, "")
		if res.Status != http.StatusCreated {
			t.Fatalf("register: %d %s", res.Status, res.Body)
		}
		u := res.json(t)["user"].(map[string]any)
		if u["email"] != "alice.smith@example.ac.uk" || u["role"] != "student" || u["year_of_study"] != float64(2) || u["name"] != "Alice Smith" {
			t.Errorf("registered user = %v", u)
		}
		if _, leaked := u["password_hash"]; leaked {
			t.Error("password hash in the response")
		}

		// The same address in another case is taken.
		res = a.api("POST", "/api/v1/auth/register", map[string]any{"email": "ALICE.smith@example.ac.uk", "name": "A", "password": "long enough pw"}, "")
		if res.Status != http.StatusConflict || res.errorCode(t) != "email_taken" {
			t.Errorf("duplicate register: %d %s", res.Status, res.Body)
		}

		// A graduate: year_of_study null.
		res = a.api("POST", "/api/v1/auth/register", map[string]any{"email": "dr@example.ac.uk", "name": "Dr B", "password": "long enough pw", "year_of_study": nil}, "")
		if res.Status != http.StatusCreated || res.json(t)["user"].(map[string]any)["year_of_study"] != nil {
			t.Errorf("graduate register: %d %s", res.Status, res.Body)
		}

		res = a.api("POST", "/api/v1/auth/login", map[string]string{"email": "alice.SMITH@example.ac.uk", "password": "long enough pw"}, "")
		if res.Status != http.StatusOK {
			t.Fatalf("login: %d %s", res.Status, res.Body)
		}
		token := res.json(t)["token"].(string)

		res = a.api("GET", "/api/v1/me", nil, token)
		if res.Status != 200 || res.json(t)["user"].(map[string]any)["email"] != "alice.smith@example.ac.uk" {
			t.Errorf("me: %d %s", res.Status, res.Body)
		}
		res = a.api("PATCH", "/api/v1/me", map[string]any{"name": "Alice S", "year_of_study": 3}, token)
		if res.Status != 200 || res.json(t)["user"].(map[string]any)["year_of_study"] != float64(3) {
			t.Errorf("update me: %d %s", res.Status, res.Body)
		}
		res = a.api("PATCH", "/api/v1/me", map[string]any{"role": "committee"}, token)
		if res.Status != http.StatusUnprocessableEntity {
			t.Errorf("student promoting self: %d %s", res.Status, res.Body)
		}

		res = a.api("POST", "/api/v1/auth/logout", nil, token)
		if res.Status != http.StatusNoContent {
			t.Errorf("logout: %d %s", res.Status, res.Body)
		}
		res = a.api("GET", "/api/v1/me", nil, token)
		if res.Status != http.StatusUnauthorized || res.errorCode(t) != "unauthorized" {
			t.Errorf("me after logout: %d %s", res.Status, res.Body)
		}

		// A welcome e-mail was queued for each account.
		msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailWelcome})
		if len(msgs) != 2 {
			t.Errorf("welcome e-mails = %d, want 2", len(msgs))
		}
	})
}

func TestRegisterValidation(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		cases := []struct {
			name   string
			body   string
			status int
			field  string
		}{
			{"short password", `{"email":"a@x.ac.uk","name":"A","password":"short"}`, 422, "password"},
			{"bad email", `{"email":"not an email","name":"A","password":"long enough pw"}`, 422, "email"},
			{"no name", `{"email":"a@x.ac.uk","name":"  ","password":"long enough pw"}`, 422, "name"},
			{"year 7", `{"email":"a@x.ac.uk","name":"A","password":"long enough pw","year_of_study":7}`, 422, "year_of_study"},
			{"year 0", `{"email":"a@x.ac.uk","name":"A","password":"long enough pw","year_of_study":0}`, 422, "year_of_study"},
			{"huge name", `{"email":"a@x.ac.uk","name":"` + strings.Repeat("x", 5000) + `","password":"long enough pw"}`, 422, "name"},
			{"year as text", `{"email":"a@x.ac.uk","name":"A","password":"long enough pw","year_of_study":"two"}`, 400, ""},
			{"not JSON", `{"email":`, 400, ""},
			{"empty body", ``, 400, ""},
			{"array", `[1,2]`, 400, ""},
		}
		for _, c := range cases {
			res := a.api("POST", "/api/v1/auth/register", c.body, "")
			if res.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, res.Status, c.status, res.Body)
				continue
			}
			code := res.errorCode(t)
			if c.status == 400 && code != "malformed_body" {
				t.Errorf("%s: code %q", c.name, code)
			}
			if c.field != "" {
				fields, _ := res.json(t)["error"].(map[string]any)["fields"].(map[string]any)
				if fields[c.field] == nil || code != "validation_failed" {
					t.Errorf("%s: no message for %s in %s", c.name, c.field, res.Body)
				}
			}
		}
		if n, _ := models.CountUsers(t.Context(), a.db); n != 0 {
			t.Errorf("bad input created %d accounts", n)
		}
	})
}

func TestRegisterAllowedDomains(t *testing.T) {
	db := testkit.SQLite(t)
	a := newApp(t, db, map[string]string{"ROUNDS_ALLOWED_EMAIL_DOMAINS": "student.example.ac.uk, example.nhs.uk"})
	res := a.api("POST", "/api/v1/auth/register", map[string]any{"email": "a@gmail.com", "name": "A", "password": "long enough pw"}, "")
	if res.Status != 422 || !strings.Contains(string(res.Body), "student.example.ac.uk") {
		t.Errorf("outside domain: %d %s", res.Status, res.Body)
	}
	res = a.api("POST", "/api/v1/auth/register", map[string]any{"email": "a@Example.NHS.uk", "name": "A", "password": "long enough pw"}, "")
	if res.Status != 201 {
		t.Errorf("allowed domain: %d %s", res.Status, res.Body)
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("known@example.ac.uk", models.RoleStudent, intp(1))
		wrong := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "known@example.ac.uk", "password": "not the password"}, "")
		unknown := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "nobody@example.ac.uk", "password": "not the password"}, "")
		if wrong.Status != 401 || unknown.Status != 401 || string(wrong.Body) != string(unknown.Body) {
			t.Errorf("wrong password %d %s; unknown e-mail %d %s", wrong.Status, wrong.Body, unknown.Status, unknown.Body)
		}
	})
}

// A lecture theatre of students behind one address signs up and logs in at
// once: successful logins are never limited.
func TestLectureTheatreLogsIn(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	var wg sync.WaitGroup
	errs := make(chan string, 300)
	sem := make(chan struct{}, 30)
	for i := 0; i < 300; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			email := fmt.Sprintf("student%03d@example.ac.uk", i)
			res := a.api("POST", "/api/v1/auth/register", map[string]any{"email": email, "name": "S", "password": "long enough pw", "year_of_study": 1}, "")
			if res.Status != 201 {
				errs <- fmt.Sprintf("register %d: %d", i, res.Status)
				return
			}
			res = a.api("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "long enough pw"}, "")
			if res.Status != 200 {
				errs <- fmt.Sprintf("login %d: %d", i, res.Status)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// resetLink finds the link of the newest password_reset e-mail to addr.
func resetLink(t *testing.T, db *store.Store, addr string) string {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailPasswordReset, To: addr})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no password_reset e-mail to %s (%v)", addr, err)
	}
	return msgs[0].DataMap()["link"]
}

func TestPasswordResetEndToEnd(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, oldToken := a.user("forgetful@example.ac.uk", models.RoleStudent, intp(4))

		res := a.api("POST", "/api/v1/auth/password-reset", map[string]string{"email": "Forgetful@example.ac.uk"}, "")
		if res.Status != http.StatusAccepted {
			t.Fatalf("reset request: %d %s", res.Status, res.Body)
		}
		unknown := a.api("POST", "/api/v1/auth/password-reset", map[string]string{"email": "nobody@example.ac.uk"}, "")
		if unknown.Status != http.StatusAccepted || string(unknown.Body) != string(res.Body) {
			t.Errorf("unknown address answered differently: %d %s", unknown.Status, unknown.Body)
		}
		if msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{To: "nobody@example.ac.uk"}); len(msgs) != 0 {
			t.Error("an e-mail was queued for an unknown address")
		}

		link := resetLink(t, a.db, "forgetful@example.ac.uk")
		u, err := url.Parse(link)
		if err != nil || u.Path != "/reset-password" || !strings.HasPrefix(link, a.cfg.BaseURL) {
			t.Fatalf("reset link %q", link)
		}
		secret := u.Query().Get("token")

		// The page flow: open the link, choose a password.
		b := a.browser()
		page := b.get("/reset-password?token=" + url.QueryEscape(secret))
		if page.Status != 200 {
			t.Fatalf("reset page: %d", page.Status)
		}
		res = b.post("/reset-password?token="+url.QueryEscape(secret), "/reset-password", url.Values{
			"token": {secret}, "password": {"a brand new secret"}, "password_confirm": {"a brand new secret"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("reset submit: %d %s", res.Status, res.Body)
		}

		// The old password and old tokens are gone; the new password works.
		if r := a.api("GET", "/api/v1/me", nil, oldToken); r.Status != 401 {
			t.Errorf("old token still works: %d", r.Status)
		}
		if r := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "forgetful@example.ac.uk", "password": "correct horse battery"}, ""); r.Status != 401 {
			t.Errorf("old password still works: %d", r.Status)
		}
		if r := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "forgetful@example.ac.uk", "password": "a brand new secret"}, ""); r.Status != 200 {
			t.Errorf("new password refused: %d", r.Status)
		}

		// The link works once.
		res = a.api("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": secret, "password": "yet another secret"}, "")
		if res.Status != 422 || res.errorCode(t) != "invalid_token" {
			t.Errorf("reused link: %d %s", res.Status, res.Body)
		}

		// A link expires.
		a.api("POST", "/api/v1/auth/password-reset", map[string]string{"email": "forgetful@example.ac.uk"}, "")
		expired := resetLink(t, a.db, "forgetful@example.ac.uk")
		a.clock.Advance(a.cfg.PasswordResetTTL + time.Minute)
		eu, _ := url.Parse(expired)
		res = a.api("POST", "/api/v1/auth/password-reset/confirm", map[string]string{"token": eu.Query().Get("token"), "password": "yet another secret"}, "")
		if res.Status != 422 {
			t.Errorf("expired link: %d %s", res.Status, res.Body)
		}
		if p := b.get("/reset-password?token=" + url.QueryEscape(eu.Query().Get("token"))); p.Status != 422 || !strings.Contains(string(p.Body), "expired") {
			t.Errorf("expired link page: %d", p.Status)
		}
	})
}

func TestPagesLoginLogoutAndCSRF(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("page@example.ac.uk", models.RoleStudent, intp(2))
		b := a.browser()

		// A form post without the CSRF token is refused and logs nobody in.
		res := b.postRaw("/login", url.Values{"email": {"page@example.ac.uk"}, "password": {"correct horse battery"}})
		if res.Status != http.StatusForbidden {
			t.Errorf("login without CSRF token: %d", res.Status)
		}
		res = b.postRaw("/register", url.Values{"email": {"x@example.ac.uk"}, "name": {"X"}, "password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
		if res.Status != http.StatusForbidden {
			t.Errorf("register without CSRF token: %d", res.Status)
		}
		if _, err := models.UserByEmail(t.Context(), a.db, "x@example.ac.uk"); err == nil {
			t.Error("a forged sign-up created an account")
		}

		// A wrong password re-renders the form with the address kept.
		res = b.post("/login", "/login", url.Values{"email": {"page@example.ac.uk"}, "password": {"wrong password"}})
		if res.Status != 401 {
			t.Errorf("wrong password page: %d", res.Status)
		}
		contains(t, res, `value="page@example.ac.uk"`, "do not match")

		// Logging in sends the browser back where it was going, never elsewhere.
		res = b.post("/login?next=/account", "/login", url.Values{"email": {"page@example.ac.uk"}, "password": {"correct horse battery"}, "next": {"/account"}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
			t.Fatalf("login: %d to %q", res.Status, res.Header.Get("Location"))
		}
		contains(t, b.get("/account"), "page@example.ac.uk")

		res = b.post("/account", "/logout", url.Values{})
		if res.Status != http.StatusSeeOther {
			t.Errorf("logout: %d", res.Status)
		}
		if r := b.get("/account"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
			t.Errorf("account after logout: %d %q", r.Status, r.Header.Get("Location"))
		}
	})
}

func TestNoOpenRedirectAfterLogin(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	a.user("redirect@example.ac.uk", models.RoleStudent, intp(2))
	for _, next := range []string{"https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "evil.example"} {
		b := a.browser()
		res := b.post("/login", "/login", url.Values{"email": {"redirect@example.ac.uk"}, "password": {"correct horse battery"}, "next": {next}})
		if loc := res.Header.Get("Location"); res.Status != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%q: %d to %q", next, res.Status, loc)
		}
	}
}

func TestSignUpPageKeepsInput(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		b := a.browser()
		res := b.post("/register", "/register", url.Values{"name": {"Bea <b>Bold</b>"}, "email": {"bea@example.ac.uk"}, "year_of_study": {"3"},
			"password": {"short"}, "password_confirm": {"short"}})
		if res.Status != 422 {
			t.Fatalf("short password: %d", res.Status)
		}
		contains(t, res, `value="Bea &lt;b&gt;Bold&lt;/b&gt;"`, `value="bea@example.ac.uk"`, "at least 10 characters", `<option value="3" selected>`)
		res = b.post("/register", "/register", url.Values{"name": {"Bea"}, "email": {"bea@example.ac.uk"}, "year_of_study": {"3"},
			"password": {"long enough pw"}, "password_confirm": {"long enough pw"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("sign up: %d %s", res.Status, res.Body)
		}
		contains(t, b.get("/"), "Hello, Bea", "Year 3")
	})
}

func TestAccountPagePassword(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	_, apiToken := a.user("pw@example.ac.uk", models.RoleStudent, intp(5))
	b := a.browser()
	b.login("pw@example.ac.uk", "correct horse battery")
	res := b.post("/account", "/account/password", url.Values{"current_password": {"wrong"}, "password": {"new password 1"}, "password_confirm": {"new password 1"}})
	if res.Status != 422 {
		t.Errorf("wrong current password: %d", res.Status)
	}
	contains(t, res, "not your current password")
	res = b.post("/account", "/account/password", url.Values{"current_password": {"correct horse battery"}, "password": {"new password 1"}, "password_confirm": {"new password 1"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("change password: %d %s", res.Status, res.Body)
	}
	// This browser stays logged in; other logins end.
	if r := b.get("/account"); r.Status != 200 {
		t.Errorf("own login ended: %d", r.Status)
	}
	if r := a.api("GET", "/api/v1/me", nil, apiToken); r.Status != 401 {
		t.Errorf("other token survived a password change: %d", r.Status)
	}
}

func TestCommitteeRoutesNeedCommittee(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		student, studentTok := a.user("s@example.ac.uk", models.RoleStudent, intp(1))
		_, teacherTok := a.user("t@example.ac.uk", models.RoleTeacher, nil)
		_, committeeTok := a.user("c@example.ac.uk", models.RoleCommittee, nil)
		routes := []struct{ method, path, body string }{
			{"GET", "/api/v1/users", ""},
			{"GET", "/api/v1/users?role=student&year_of_study=1&q=s", ""},
			{"PATCH", fmt.Sprintf("/api/v1/users/%d", student.ID), `{"year_of_study":2}`},
			{"GET", "/api/v1/admin/outbox", ""},
		}
		for _, r := range routes {
			var body any
			if r.body != "" {
				body = r.body
			}
			for _, who := range []struct {
				name, token string
				want        int
			}{{"anonymous", "", 401}, {"student", studentTok, 403}, {"teacher", teacherTok, 403}, {"committee", committeeTok, 200}} {
				res := a.api(r.method, r.path, body, who.token)
				if res.Status != who.want {
					t.Errorf("%s %s as %s: %d, want %d", r.method, r.path, who.name, res.Status, who.want)
				}
			}
		}
		for _, path := range []string{"/committee/members", "/committee/outbox"} {
			for _, who := range []struct {
				email string
				want  int
			}{{"s@example.ac.uk", 403}, {"t@example.ac.uk", 403}, {"c@example.ac.uk", 200}} {
				b := a.browser()
				b.login(who.email, "correct horse battery")
				if res := b.get(path); res.Status != who.want {
					t.Errorf("%s as %s: %d, want %d", path, who.email, res.Status, who.want)
				}
			}
			if res := a.browser().get(path); res.Status != http.StatusSeeOther {
				t.Errorf("%s anonymous: %d, want a redirect to log in", path, res.Status)
			}
		}
	})
}

func TestCommitteeManagesMembers(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		s, _ := a.user("member@example.ac.uk", models.RoleStudent, intp(6))
		_, tok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)

		res := a.api("GET", "/api/v1/users?year_of_study=6", nil, tok)
		users := res.json(t)["users"].([]any)
		if len(users) != 1 || users[0].(map[string]any)["email"] != "member@example.ac.uk" {
			t.Errorf("year 6 members: %s", res.Body)
		}
		res = a.api("PATCH", fmt.Sprintf("/api/v1/users/%d", s.ID), map[string]any{"role": "teacher", "year_of_study": nil}, tok)
		if res.Status != 200 {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		u := res.json(t)["user"].(map[string]any)
		if u["role"] != "teacher" || u["year_of_study"] != nil {
			t.Errorf("after patch: %v", u)
		}
		if res := a.api("PATCH", fmt.Sprintf("/api/v1/users/%d", s.ID), map[string]any{"role": "admin"}, tok); res.Status != 422 {
			t.Errorf("bad role: %d %s", res.Status, res.Body)
		}
		if res := a.api("PATCH", "/api/v1/users/99999", map[string]any{"role": "teacher"}, tok); res.Status != 404 || res.errorCode(t) != "not_found" {
			t.Errorf("unknown user: %d %s", res.Status, res.Body)
		}
		if res := a.api("PATCH", "/api/v1/users/abc", map[string]any{"role": "teacher"}, tok); res.Status != 404 {
			t.Errorf("non-numeric id: %d", res.Status)
		}

		// The members page changes a role with a form.
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		res = b.post("/committee/members", fmt.Sprintf("/committee/members/%d", s.ID), url.Values{"role": {"committee"}, "year_of_study": {"graduate"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("members form: %d %s", res.Status, res.Body)
		}
		if got, _ := models.UserByID(t.Context(), a.db, s.ID); got.Role != models.RoleCommittee {
			t.Errorf("role after form = %s", got.Role)
		}
		contains(t, b.get("/committee/members?q=member"), "member@example.ac.uk", "Saved member")
	})
}

func TestErrorShapes(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	if res := a.api("GET", "/api/v1/no/such/thing", nil, ""); res.Status != 404 || res.errorCode(t) != "not_found" {
		t.Errorf("unknown API path: %d %s", res.Status, res.Body)
	}
	big := `{"email":"a@example.ac.uk","name":"` + strings.Repeat("x", 2<<20) + `","password":"long enough pw"}`
	if res := a.api("POST", "/api/v1/auth/register", big, ""); res.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MB body: %d", res.Status)
	}
	if res := a.api("GET", "/healthz", nil, ""); res.Status != 200 || res.json(t)["status"] != "ok" {
		t.Errorf("healthz: %d %s", res.Status, res.Body)
	}
	if res := a.api("GET", "/readyz", nil, ""); res.Status != 200 {
		t.Errorf("readyz: %d %s", res.Status, res.Body)
	}
	page := a.browser().get("/no-such-page")
	if page.Status != 404 || !strings.Contains(string(page.Body), "Not found") {
		t.Errorf("unknown page: %d", page.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	res := a.browser().get("/login")
	for header, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "DENY",
		"Referrer-Policy":        "same-origin",
	} {
		if got := res.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	for _, c := range res.Header.Values("Set-Cookie") {
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("cookie without HttpOnly/SameSite: %s", c)
		}
	}
}

func TestSecureCookiesBehindHTTPS(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), map[string]string{"ROUNDS_BASE_URL": "https://rounds.example.ac.uk"})
	a.user("https@example.ac.uk", models.RoleStudent, intp(1))
	b := a.browser()
	form := url.Values{"email": {"https@example.ac.uk"}, "password": {"correct horse battery"}, "_csrf": {b.csrf("/login")}}
	req, _ := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-Proto", "https") // as a TLS-terminating proxy sends it
	res := b.do(req)
	found := false
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-rounds_login=") {
			found = true
			if !strings.Contains(c, "Secure") {
				t.Errorf("login cookie without Secure: %s", c)
			}
		}
	}
	if !found {
		t.Error("no login cookie set")
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS behind https")
	}
}

func TestMetrics(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	a.api("GET", "/healthz", nil, "")
	res := a.api("GET", "/metrics", nil, "")
	if res.Status != 200 {
		t.Fatalf("metrics from loopback: %d", res.Status)
	}
	for _, want := range []string{
		`rounds_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`rounds_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="2.5"} 1`,
		`rounds_http_request_duration_seconds_count{method="GET",route="/healthz"} 1`,
		"# TYPE rounds_http_request_duration_seconds histogram",
		`rounds_outbox_messages{status="pending"}`,
		"rounds_db_retries_total 0",
		"go_goroutines ", "process_resident_memory_bytes ",
	} {
		if !strings.Contains(string(res.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A method made up by the client is counted, but not by its name.
	req, _ := http.NewRequest("BREW", a.srv.URL+"/healthz", nil)
	a.browser().do(req)
	body := string(a.api("GET", "/metrics", nil, "").Body)
	if !strings.Contains(body, `rounds_http_requests_total{method="other",`) || strings.Contains(body, "BREW") {
		t.Errorf("a made-up method is not counted as other:\n%s", body)
	}
	// Through a proxy, only committee may read them.
	req, _ = http.NewRequest("GET", a.srv.URL+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	r := a.browser().do(req)
	if r.Status == 200 || strings.Contains(string(r.Body), "rounds_http_requests_total") {
		t.Errorf("metrics through a proxy, anonymous: %d", r.Status)
	}
}
