package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/handlers/oidctest"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// ssoApp is Rounds with single sign-on through a real OpenID Provider run
// in-process. Rounds' clock is the real time, as the provider's is.
type ssoApp struct {
	*app
	p *oidctest.Provider
}

const ssoBase = "http://localhost:8080" // the configured ROUNDS_BASE_URL

func newSSOApp(t *testing.T, db *store.Store, env map[string]string) *ssoApp {
	t.Helper()
	p, err := oidctest.New(ssoBase + "/auth/oidc/callback")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	all := map[string]string{
		"ROUNDS_OIDC_ISSUER": p.URL, "ROUNDS_OIDC_CLIENT_ID": p.ClientID, "ROUNDS_OIDC_CLIENT_SECRET": p.ClientSecret,
		"ROUNDS_OIDC_NAME": "Sign in with St Elsewhere", "ROUNDS_OIDC_DOMAINS": "uni.ac.uk",
	}
	for k, v := range env {
		all[k] = v
	}
	a := newApp(t, db, all)
	a.clock.Set(time.Now())
	p.AddUser(oidctest.User{Username: "alice", Password: "pw", Subject: "sub-alice", Email: "Alice@uni.ac.uk", EmailVerified: oidctest.Bool(true), Name: "Alice Adeyemi"})
	return &ssoApp{app: a, p: p}
}

// eachSSO runs fn against a fresh ssoApp on every test database.
func eachSSO(t *testing.T, env map[string]string, fn func(t *testing.T, s *ssoApp)) {
	testkit.Run(t, func(t *testing.T, db *store.Store) { fn(t, newSSOApp(t, db, env)) })
}

// visit follows one redirect target as a browser would: Rounds' own
// addresses (the configured base URL) to the test server, others as they are.
func (s *ssoApp) visit(b *browser, target string) response {
	s.t.Helper()
	if rest, ok := strings.CutPrefix(target, ssoBase); ok {
		return b.get(rest)
	}
	req, _ := http.NewRequest("GET", target, nil)
	return b.do(req)
}

// toProvider presses the button: Rounds' sign-in, then the provider's
// authorisation endpoint, to the provider's login form; it returns its address.
func (s *ssoApp) toProvider(b *browser, next string) string {
	s.t.Helper()
	res := b.get("/auth/oidc/login?next=" + url.QueryEscape(next))
	if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), s.p.URL+"/authorize?") {
		s.t.Fatalf("sign-in: %d to %q", res.Status, res.Header.Get("Location"))
	}
	auth, _ := url.Parse(res.Header.Get("Location"))
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" {
		s.t.Fatalf("the authorisation request lacks PKCE S256, state or nonce: %s", auth.RawQuery)
	}
	res = s.visit(b, auth.String())
	if res.Status != http.StatusFound && res.Status != http.StatusSeeOther {
		s.t.Fatalf("authorize: %d %s", res.Status, res.Body)
	}
	return s.p.URL + res.Header.Get("Location")
}

// atProvider signs in on the provider's form and returns the address the
// provider sends the browser back to (Rounds' callback, with code and state).
func (s *ssoApp) atProvider(b *browser, loginURL, username string) string {
	s.t.Helper()
	res, err := s.p.SignIn(b.client, loginURL, username, "pw")
	if err != nil {
		s.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		s.t.Fatalf("provider sign-in as %s: %d", username, res.StatusCode)
	}
	res2 := s.visit(b, res.Header.Get("Location"))
	back := res2.Header.Get("Location")
	if !strings.HasPrefix(back, ssoBase+"/auth/oidc/callback?") {
		s.t.Fatalf("provider sent the browser to %q (%d %s)", back, res2.Status, res2.Body)
	}
	return back
}

// signIn is the whole way from the button to Rounds' answer to the callback.
func (s *ssoApp) signIn(b *browser, username, next string) (callback string, res response) {
	s.t.Helper()
	callback = s.atProvider(b, s.toProvider(b, next), username)
	return callback, s.visit(b, callback)
}

func countRows(t *testing.T, db *store.Store, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Read(context.Background()).Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSSONewStudentSaysTheirYearOnce(t *testing.T) {
	eachSSO(t, nil, func(t *testing.T, s *ssoApp) {
		b := s.browser()
		login := b.get("/login")
		contains(t, login, `href="/auth/oidc/login?next=%2f"`, "Sign in with St Elsewhere", "or log in with your e-mail address and password")

		_, res := s.signIn(b, "alice", "/sessions")
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/auth/oidc/year" {
			t.Fatalf("callback: %d to %q %s", res.Status, res.Header.Get("Location"), res.Body)
		}
		if _, err := models.UserByEmail(context.Background(), s.db, "alice@uni.ac.uk"); err == nil {
			t.Fatal("the account was made before the year was given")
		}
		page := b.get("/auth/oidc/year")
		contains(t, page, "Welcome to Rounds", "alice@uni.ac.uk", `value="Alice Adeyemi"`, "Year of study", "Graduate or doctor")

		bad := b.post("/auth/oidc/year", "/auth/oidc/year", url.Values{"name": {"Alice Adeyemi"}, "year_of_study": {"9"}})
		if bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("year 9: %d", bad.Status)
		}
		contains(t, bad, "Choose a year from 1 to 6, or graduate.", `value="Alice Adeyemi"`)

		done := b.post("/auth/oidc/year", "/auth/oidc/year", url.Values{"name": {"Alice A. Adeyemi"}, "year_of_study": {"2"}})
		if done.Status != http.StatusSeeOther || done.Header.Get("Location") != "/sessions" {
			t.Fatalf("year page: %d to %q %s", done.Status, done.Header.Get("Location"), done.Body)
		}
		u, err := models.UserByEmail(context.Background(), s.db, "alice@uni.ac.uk")
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "Alice A. Adeyemi" || u.YearOfStudy == nil || *u.YearOfStudy != 2 || !u.EmailConfirmed || u.Role != models.RoleStudent {
			t.Errorf("account: %+v", u)
		}
		if linked, _ := models.HasSSOIdentity(context.Background(), s.db, u.ID); !linked {
			t.Error("the account is not linked to the identity")
		}
		me := b.get("/account")
		if me.Status != http.StatusOK {
			t.Fatalf("not logged in after the year page: %d", me.Status)
		}
		contains(t, me, "Alice A. Adeyemi")
		// She has no password to change: the page says how to set one.
		contains(t, me, "Your account has no password: you sign in with single sign-on. To set one", `href="/forgot-password"`)
		lacks(t, me, "Current password")
		// Nor one to give when she asks to delete her account.
		contains(t, b.get("/account/delete"), "Type DELETE to confirm")
		// No password logs in to her account, the empty one included.
		for _, pw := range []string{"", "-", "anything at all"} {
			if res := s.browser().post("/login", "/login", url.Values{"email": {"alice@uni.ac.uk"}, "password": {pw}}); res.Status == http.StatusSeeOther {
				t.Errorf("password %q logged in to an account without one", pw)
			}
		}
		// The year page is asked once: its cookie is gone, and the next
		// sign-in goes straight in.
		if again := b.get("/auth/oidc/year"); again.Status < 400 {
			t.Errorf("year page again: %d", again.Status)
		}
		other := s.browser()
		_, res = s.signIn(other, "alice", "/my/sessions")
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/my/sessions" {
			t.Fatalf("second sign-in: %d to %q", res.Status, res.Header.Get("Location"))
		}
		if got := other.get("/account"); got.Status != http.StatusOK {
			t.Errorf("second sign-in not logged in: %d", got.Status)
		}
		if n := countRows(t, s.db, "users"); n != 1 {
			t.Errorf("%d accounts, want 1", n)
		}
		var welcome int64
		s.db.Read(context.Background()).Table("outbox").Where("kind = ? AND user_id = ?", models.MailWelcome, u.ID).Count(&welcome)
		if welcome != 1 {
			t.Errorf("%d welcome e-mails, want 1", welcome)
		}
	})
}

func TestSSOLinksAnExistingAccountAndFollowsItsIdentity(t *testing.T) {
	eachSSO(t, nil, func(t *testing.T, s *ssoApp) {
		u := testkit.Member(t, s.db, testkit.Email("bob@uni.ac.uk"), testkit.Name("Bob Brown"), testkit.Year(4), testkit.Password("correct horse battery"))
		s.p.AddUser(oidctest.User{Username: "bob", Password: "pw", Subject: "sub-bob", Email: "bob@uni.ac.uk", EmailVerified: oidctest.Bool(true), Name: "Robert Brown"})
		b := s.browser()
		_, res := s.signIn(b, "bob", "/my/sessions")
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/my/sessions" {
			t.Fatalf("callback: %d to %q %s", res.Status, res.Header.Get("Location"), res.Body)
		}
		me := b.get("/account")
		if me.Status != http.StatusOK {
			t.Fatalf("not logged in: %d", me.Status)
		}
		contains(t, me, "Bob Brown") // the account's own name is kept
		// The account page says how Bob signs in, and that his password still works.
		contains(t, me, `<h2 id="sso">Single sign-on</h2>`, "The “Sign in with St Elsewhere” button on the log-in page signs you in to this account.",
			"As bob@uni.ac.uk: linked on ")
		lacks(t, me, "your password is not accepted")
		if linked, _ := models.HasSSOIdentity(context.Background(), s.db, u.ID); !linked {
			t.Error("not linked")
		}
		var audits int64
		s.db.Read(context.Background()).Table("audit_log").Where("action = ? AND actor_id = ?", models.AuditSSOLinked, u.ID).Count(&audits)
		if audits != 1 {
			t.Errorf("%d audit lines for the link, want 1", audits)
		}
		// The university changes Bob's address: the identity still finds him.
		s.p.AddUser(oidctest.User{Username: "bob", Password: "pw", Subject: "sub-bob", Email: "robert.brown@uni.ac.uk", EmailVerified: oidctest.Bool(true)})
		b2 := s.browser()
		_, res = s.signIn(b2, "bob", "/")
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			t.Fatalf("after the change: %d to %q %s", res.Status, res.Header.Get("Location"), res.Body)
		}
		contains(t, b2.get("/account"), "Bob Brown")
		if n := countRows(t, s.db, "users"); n != 1 {
			t.Errorf("%d accounts, want 1", n)
		}
	})
}

// TestSSORefusals: each way a sign-in can be wrong ends on the log-in page
// with words a student understands, a 4xx status, nobody logged in and
// nothing created.
func TestSSORefusals(t *testing.T) {
	const failed = "Signing in with your university account did not work"
	cases := []struct {
		name   string
		before func(s *ssoApp)
		user   string
		tamper func(t *testing.T, s *ssoApp, b *browser, callback string) response
		status int
		words  string
	}{
		{name: "wrong state", user: "alice", status: http.StatusForbidden, words: failed,
			tamper: func(t *testing.T, s *ssoApp, b *browser, callback string) response {
				u, _ := url.Parse(callback)
				q := u.Query()
				q.Set("state", "forged-"+q.Get("state"))
				u.RawQuery = q.Encode()
				return s.visit(b, u.String())
			}},
		{name: "replayed code", user: "alice", status: http.StatusForbidden, words: failed,
			tamper: func(t *testing.T, s *ssoApp, b *browser, callback string) response {
				if first := s.visit(b, callback); first.Status != http.StatusSeeOther {
					t.Fatalf("first use: %d", first.Status)
				}
				// The same address again in the same browser, and the code
				// in another browser's own sign-in: both refused.
				if again := s.visit(b, callback); again.Status != http.StatusForbidden {
					t.Errorf("replayed in the same browser: %d", again.Status)
				}
				other := s.browser()
				u, _ := url.Parse(callback)
				return s.visit(other, ssoBase+"/auth/oidc/callback?code="+url.QueryEscape(u.Query().Get("code"))+"&state="+url.QueryEscape(stateOf(t, other)))
			}},
		{name: "wrong nonce", user: "alice", status: http.StatusForbidden, words: failed,
			before: func(s *ssoApp) { n := "not-the-nonce"; s.p.Nonce = &n }},
		{name: "expired ID token", user: "alice", status: http.StatusForbidden, words: failed,
			before: func(s *ssoApp) { s.p.Lifetime = -10 * time.Minute }},
		{name: "other audience", user: "alice", status: http.StatusForbidden, words: failed,
			before: func(s *ssoApp) { s.p.Audience = []string{"another-application"} }},
		{name: "unverified e-mail", user: "una", status: http.StatusForbidden, words: "has not confirmed its e-mail address",
			before: func(s *ssoApp) {
				s.p.AddUser(oidctest.User{Username: "una", Password: "pw", Subject: "sub-una", Email: "una@uni.ac.uk", EmailVerified: oidctest.Bool(false), Name: "Una"})
			}},
		{name: "e-mail not said to be verified", user: "nia", status: http.StatusForbidden, words: "has not confirmed its e-mail address",
			before: func(s *ssoApp) {
				s.p.AddUser(oidctest.User{Username: "nia", Password: "pw", Subject: "sub-nia", Email: "nia@uni.ac.uk", Name: "Nia"})
			}},
		{name: "disallowed domain", user: "gus", status: http.StatusForbidden, words: "Rounds takes sign-ins from addresses of uni.ac.uk only, and the account you used is gus@gmail.com",
			before: func(s *ssoApp) {
				s.p.AddUser(oidctest.User{Username: "gus", Password: "pw", Subject: "sub-gus", Email: "gus@gmail.com", EmailVerified: oidctest.Bool(true), Name: "Gus"})
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSSO(t, nil, func(t *testing.T, s *ssoApp) {
				if tc.before != nil {
					tc.before(s)
				}
				b := s.browser()
				callback := s.atProvider(b, s.toProvider(b, "/"), tc.user)
				var res response
				if tc.tamper != nil {
					res = tc.tamper(t, s, b, callback)
				} else {
					res = s.visit(b, callback)
				}
				if res.Status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
				}
				contains(t, res, tc.words, "<h1>Log in</h1>", "Sign in with St Elsewhere")
				if strings.Contains(string(res.Body), "oidc:") || strings.Contains(string(res.Body), "invalid_grant") {
					t.Errorf("the page shows an internal error: %s", res.Body)
				}
				if tc.name != "replayed code" {
					if got := b.get("/auth/oidc/year"); got.Status < 400 {
						t.Errorf("the year page opens after a refusal: %d", got.Status)
					}
				}
				if got := b.get("/account"); got.Status == http.StatusOK {
					t.Error("logged in after a refusal")
				}
				if n := countRows(t, s.db, "users"); n != 0 {
					t.Errorf("%d accounts made", n)
				}
				if n := countRows(t, s.db, "identities"); n != 0 {
					t.Errorf("%d identities stored", n)
				}
			})
		})
	}
}

// stateOf is the state of the browser's last sign-in, read from the
// authorisation request it was sent to.
func stateOf(t *testing.T, b *browser) string {
	t.Helper()
	res := b.get("/auth/oidc/login?next=%2F")
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil || u.Query().Get("state") == "" {
		t.Fatalf("no state in %q", res.Header.Get("Location"))
	}
	return u.Query().Get("state")
}

// TestSSOPasswordLoginOff: with ROUNDS_PASSWORD_LOGIN=false an account
// linked to single sign-on no longer signs in by password (page and API),
// while the committee's own account, not linked, still does; the page says
// so and folds the password form away.
func TestSSOPasswordLoginOff(t *testing.T) {
	eachSSO(t, map[string]string{"ROUNDS_PASSWORD_LOGIN": "false"}, func(t *testing.T, s *ssoApp) {
		testkit.Member(t, s.db, testkit.Email("bob@uni.ac.uk"), testkit.Name("Bob Brown"), testkit.Password("correct horse battery"))
		testkit.Member(t, s.db, testkit.Email("chair@uni.ac.uk"), testkit.Name("Chair"), testkit.Role(models.RoleCommittee), testkit.Password("correct horse battery"))
		s.p.AddUser(oidctest.User{Username: "bob", Password: "pw", Subject: "sub-bob", Email: "bob@uni.ac.uk", EmailVerified: oidctest.Bool(true)})

		page := s.browser().get("/login")
		contains(t, page, "Sign in with St Elsewhere", `<details class="password-login">`, "<summary>Log in with a password</summary>",
			"A password works only for an account not linked to it")

		// Before Bob has used single sign-on, his password works.
		s.browser().login("bob@uni.ac.uk", "correct horse battery")
		if _, res := s.signIn(s.browser(), "bob", "/"); res.Status != http.StatusSeeOther {
			t.Fatalf("single sign-on: %d", res.Status)
		}
		b := s.browser()
		res := b.post("/login", "/login", url.Values{"email": {"bob@uni.ac.uk"}, "password": {"correct horse battery"}})
		if res.Status != http.StatusForbidden {
			t.Fatalf("password of a linked account: %d", res.Status)
		}
		contains(t, res, "This account signs in with the university&#39;s single sign-on", `<details class="password-login" open>`)
		if got := b.get("/account"); got.Status == http.StatusOK {
			t.Error("logged in by password")
		}
		api := s.api("POST", "/api/v1/auth/login", map[string]string{"email": "bob@uni.ac.uk", "password": "correct horse battery"}, "")
		if api.Status != http.StatusForbidden || api.errorCode(t) != "password_login_off" {
			t.Errorf("API password log-in of a linked account: %d %s", api.Status, api.Body)
		}
		// A wrong password still says only that it is wrong.
		wrong := s.browser().post("/login", "/login", url.Values{"email": {"bob@uni.ac.uk"}, "password": {"not the password"}})
		if wrong.Status != http.StatusUnauthorized {
			t.Errorf("wrong password: %d", wrong.Status)
		}
		chair := s.browser()
		chair.login("chair@uni.ac.uk", "correct horse battery")
		lacks(t, chair.get("/account"), `id="sso"`) // not linked: nothing to say
		// Bob's account page tells him his password is no longer accepted.
		bob := s.browser()
		if _, res := s.signIn(bob, "bob", "/account"); res.Status != http.StatusSeeOther {
			t.Fatalf("single sign-on: %d", res.Status)
		}
		contains(t, bob.get("/account"), "signs you in to this account; your password is not accepted for it.")
	})
}

// TestSSOOffWithoutIssuer: without ROUNDS_OIDC_ISSUER the routes are not
// there and the log-in page has no button.
func TestSSOOffWithoutIssuer(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		b := a.browser()
		for _, path := range []string{"/auth/oidc/login", "/auth/oidc/callback?code=x&state=y", "/auth/oidc/year"} {
			if res := b.get(path); res.Status != http.StatusNotFound {
				t.Errorf("%s: %d", path, res.Status)
			}
		}
		page := b.get("/login")
		if strings.Contains(string(page.Body), "/auth/oidc/login") || strings.Contains(string(page.Body), "<details") {
			t.Error("the log-in page offers single sign-on while it is off")
		}
	})
}

// TestSSOProviderDownAtStart: Rounds starts with its provider down; the
// button then says so, and works once the provider is back.
func TestSSOProviderDownAtStart(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		p, err := oidctest.New(ssoBase + "/auth/oidc/callback")
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		p.SetDown(true)
		a := newApp(t, db, map[string]string{
			"ROUNDS_OIDC_ISSUER": p.URL, "ROUNDS_OIDC_CLIENT_ID": p.ClientID, "ROUNDS_OIDC_CLIENT_SECRET": p.ClientSecret,
			"ROUNDS_OIDC_DOMAINS": "uni.ac.uk",
		})
		b := a.browser()
		res := b.get("/auth/oidc/login")
		if res.Status != http.StatusConflict {
			t.Fatalf("provider down: %d", res.Status)
		}
		contains(t, res, "Your university&#39;s sign-in service is not answering at the moment", "<h1>Log in</h1>", `name="password"`)
		p.SetDown(false)
		a.clock.Advance(10 * time.Second)
		res = b.get("/auth/oidc/login")
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), p.URL+"/authorize?") {
			t.Fatalf("provider back: %d to %q", res.Status, res.Header.Get("Location"))
		}
	})
}

// TestSSOCancelledAtTheProvider: a member who declines at the provider
// comes back to the log-in page told so.
func TestSSOCancelledAtTheProvider(t *testing.T) {
	eachSSO(t, nil, func(t *testing.T, s *ssoApp) {
		b := s.browser()
		state := stateOf(t, b)
		res := b.get("/auth/oidc/callback?error=access_denied&state=" + url.QueryEscape(state))
		if res.Status != http.StatusForbidden {
			t.Fatalf("declined: %d", res.Status)
		}
		contains(t, res, "You did not finish signing in with your university account", "Sign in with St Elsewhere")
	})
}
