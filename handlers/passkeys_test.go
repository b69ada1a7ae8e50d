package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// passkeyCall sends a JSON request from the browser, with the CSRF token of
// its pages as the site's own script does, and extra cookies if given.
func (b *browser) passkeyCall(method, path string, body any, cookies ...*http.Cookie) response {
	b.t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		b.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, b.a.srv.URL+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if m := csrfField.FindSubmatch(b.get("/login").Body); m != nil {
		req.Header.Set("X-CSRF-Token", string(m[1]))
	} else if m := csrfField.FindSubmatch(b.get("/account").Body); m != nil {
		req.Header.Set("X-CSRF-Token", string(m[1]))
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	var out bytes.Buffer
	_, _ = out.ReadFrom(res.Body)
	return response{res.StatusCode, res.Header, out.Bytes()}
}

// passkeyCookie is the ceremony cookie a begin route set.
func passkeyCookie(t *testing.T, r response) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == "rounds_passkey" && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no passkey cookie set: %v", r.Header["Set-Cookie"])
	return nil
}

// addPasskey adds a software passkey to the logged-in browser's account.
func addPasskey(t *testing.T, a *app, b *browser, name string) *testkit.Authenticator {
	t.Helper()
	begin := b.passkeyCall("POST", "/api/v1/me/passkeys/register/begin", map[string]any{})
	if begin.Status != http.StatusOK {
		t.Fatalf("beginning to add a passkey: %d %s", begin.Status, begin.Body)
	}
	auth := testkit.NewAuthenticator(t, a.cfg.BaseURL)
	res := b.passkeyCall("POST", "/api/v1/me/passkeys/register/finish", map[string]any{"credential": auth.Create(t, begin.Body), "name": name})
	if res.Status != http.StatusCreated {
		t.Fatalf("adding a passkey: %d %s", res.Status, res.Body)
	}
	return auth
}

// passkeyLogIn signs a browser in with the passkey: begin, then finish.
func passkeyLogIn(t *testing.T, b *browser, auth *testkit.Authenticator, next string) (response, json.RawMessage, *http.Cookie) {
	t.Helper()
	begin := b.passkeyCall("POST", "/api/v1/auth/passkeys/login/begin", map[string]any{})
	if begin.Status != http.StatusOK {
		t.Fatalf("beginning a passkey log-in: %d %s", begin.Status, begin.Body)
	}
	assertion := auth.Get(t, begin.Body)
	return b.passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": assertion, "next": next}), assertion, passkeyCookie(t, begin)
}

// loggedIn tells whether the browser's account page opens.
func loggedIn(t *testing.T, b *browser) bool {
	t.Helper()
	return b.get("/account").Status == http.StatusOK
}

func TestPasskeyAddedOnTheAccountAndUsedToLogIn(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("ada@example.ac.uk", models.RoleStudent, intp(3))
		b := a.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		auth := addPasskey(t, a, b, "Phone")
		contains(t, b.get("/account"), "<strong>Phone</strong>", "Added Mon 2 Nov 2026", "not used yet", "Your passkey “Phone” is added.")

		// Another browser, logged out, signs in with it and goes where it
		// was going.
		phone := a.browser()
		if loggedIn(t, phone) {
			t.Fatal("a new browser is logged in")
		}
		a.clock.Advance(time.Hour)
		res, _, _ := passkeyLogIn(t, phone, auth, "/my/sessions")
		if res.Status != http.StatusOK || res.json(t)["redirect"] != "/my/sessions" {
			t.Fatalf("signing in with the passkey: %d %s", res.Status, res.Body)
		}
		set := strings.Join(res.Header["Set-Cookie"], "\n")
		for _, want := range []string{"rounds_login=", "rounds_csrf=", "rounds_passkey=;"} {
			if !strings.Contains(set, want) {
				t.Errorf("the log-in's cookies lack %s: %s", want, set)
			}
		}
		if !loggedIn(t, phone) {
			t.Fatal("after signing in with a passkey the account page does not open")
		}
		contains(t, phone.get("/account"), "last used Mon 2 Nov 2026, 10:00")

		// An address off the site is not followed.
		other := a.browser()
		if res, _, _ := passkeyLogIn(t, other, auth, "https://evil.example/"); res.json(t)["redirect"] != "/" {
			t.Errorf("next off the site: %s", res.Body)
		}
	})
}

func TestPasskeyLogInRefusals(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("ada@example.ac.uk", models.RoleStudent, intp(3))
		b := a.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		auth := addPasskey(t, a, b, "")

		refused := func(what string, res response, status int, code string) {
			t.Helper()
			if res.Status != status || res.errorCode(t) != code {
				t.Errorf("%s: %d %s, want %d %s", what, res.Status, res.Body, status, code)
			}
			if msg := res.json(t)["error"].(map[string]any)["message"].(string); len(msg) < 20 {
				t.Errorf("%s: the message %q says too little", what, msg)
			}
		}

		// A replayed assertion: to the ceremony it answered (its cookie
		// kept), and to a new one.
		first := a.browser()
		res, assertion, cookie := passkeyLogIn(t, first, auth, "/")
		if res.Status != http.StatusOK {
			t.Fatalf("signing in: %d %s", res.Status, res.Body)
		}
		thief := a.browser()
		cookie.MaxAge = 0
		refused("the same assertion again, with the ceremony's cookie",
			thief.passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": assertion}, cookie), 422, "passkey_request_expired")
		if loggedIn(t, thief) {
			t.Error("a replayed assertion logged a browser in")
		}
		if res := thief.passkeyCall("POST", "/api/v1/auth/passkeys/login/begin", map[string]any{}); res.Status != http.StatusOK {
			t.Fatal(res.Status)
		}
		refused("an old assertion to a new challenge",
			thief.passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": assertion}), 401, "passkey_refused")
		if loggedIn(t, thief) {
			t.Error("an old assertion to a new challenge logged a browser in")
		}

		// A page of another site that asked the member's passkey.
		auth.Origin = "https://rounds.evil.example"
		wrong := a.browser()
		res, _, _ = passkeyLogIn(t, wrong, auth, "/")
		refused("an assertion made for another origin", res, 401, "passkey_refused")
		if loggedIn(t, wrong) {
			t.Error("an assertion for another origin logged a browser in")
		}
		auth.Origin = strings.TrimSuffix(a.cfg.BaseURL, "/")

		// A copy of the passkey, whose counter is behind the original's.
		copied := a.browser()
		auth.Counter -= 2
		res, _, _ = passkeyLogIn(t, copied, auth, "/")
		refused("a counter that went backwards", res, 401, "passkey_counter_went_back")
		if loggedIn(t, copied) {
			t.Error("a copied passkey logged a browser in")
		}
		auth.Counter += 3

		// Too late: five minutes after the challenge.
		late := a.browser()
		begin := late.passkeyCall("POST", "/api/v1/auth/passkeys/login/begin", map[string]any{})
		a.clock.Advance(models.PasskeyCeremonyTTL)
		refused("an assertion five minutes after its challenge",
			late.passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": auth.Get(t, begin.Body)}), 422, "passkey_request_expired")
		if loggedIn(t, late) {
			t.Error("an expired challenge logged a browser in")
		}

		// A passkey Rounds does not know.
		stranger := a.browser()
		res, _, _ = passkeyLogIn(t, stranger, testkit.NewAuthenticator(t, a.cfg.BaseURL), "/")
		refused("an unknown passkey", res, 401, "passkey_unknown")

		// No ceremony begun in this browser at all.
		refused("a finish without a begin",
			a.browser().passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": auth.Get(t, begin.Body)}), 422, "passkey_request_expired")

		// The real passkey still works.
		if res, _, _ := passkeyLogIn(t, a.browser(), auth, "/"); res.Status != http.StatusOK {
			t.Errorf("the real passkey after the refusals: %d %s", res.Status, res.Body)
		}
	})
}

// A ceremony begun on one instance finishes on another: both read the
// same database.
func TestPasskeyCeremonyAcrossInstances(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		one, two := newApp(t, db, nil), newApp(t, db, nil)
		one.user("ada@example.ac.uk", models.RoleStudent, intp(3))
		b := one.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		auth := addPasskey(t, one, b, "Phone")

		onOne := one.browser()
		onTwo := &browser{t: t, a: two, client: onOne.client} // the same browser, its next request sent to the other instance
		begin := onOne.passkeyCall("POST", "/api/v1/auth/passkeys/login/begin", map[string]any{})
		res := onTwo.passkeyCall("POST", "/api/v1/auth/passkeys/login/finish", map[string]any{"credential": auth.Get(t, begin.Body)})
		if res.Status != http.StatusOK {
			t.Fatalf("finishing on the other instance: %d %s", res.Status, res.Body)
		}
		if !loggedIn(t, onOne) {
			t.Error("not logged in after a passkey log-in finished on the other instance")
		}
	})
}

func TestPasskeysListedRenamedAndRemoved(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, token := a.user("ada@example.ac.uk", models.RoleStudent, intp(3))
		_, otherToken := a.user("ben@example.ac.uk", models.RoleStudent, intp(3))
		b := a.browser()
		b.login("ada@example.ac.uk", "correct horse battery")
		auth := addPasskey(t, a, b, "Phone")
		addPasskey(t, a, b, "")

		list := a.api("GET", "/api/v1/me/passkeys", nil, token).json(t)["passkeys"].([]any)
		if len(list) != 2 {
			t.Fatalf("the member's passkeys: %v", list)
		}
		first := list[0].(map[string]any)
		if first["name"] != "Phone" || first["last_used_at"] != nil || first["created_at"] == nil {
			t.Errorf("the first passkey: %v", first)
		}
		if second := list[1].(map[string]any); second["name"] != "Passkey added 2 Nov 2026" {
			t.Errorf("a passkey added without a name: %v", second)
		}
		for _, k := range []string{"credential_id", "public_key", "user_handle", "sign_count"} {
			if _, ok := first[k]; ok {
				t.Errorf("the API shows the passkey's %s", k)
			}
		}
		if got := a.api("GET", "/api/v1/me/passkeys", nil, otherToken).json(t)["passkeys"].([]any); len(got) != 0 {
			t.Errorf("another member sees passkeys: %v", got)
		}
		id := int64(first["id"].(float64))
		path := fmt.Sprintf("/api/v1/me/passkeys/%d", id)

		// The API: another member can neither rename nor remove it.
		if res := a.api("PATCH", path, map[string]string{"name": "Mine"}, otherToken); res.Status != 404 {
			t.Errorf("another member renaming: %d %s", res.Status, res.Body)
		}
		if res := a.api("DELETE", path, nil, otherToken); res.Status != 404 {
			t.Errorf("another member removing: %d %s", res.Status, res.Body)
		}
		if res := a.api("PATCH", path, map[string]string{"name": "Work phone"}, token); res.Status != 200 || res.json(t)["passkey"].(map[string]any)["name"] != "Work phone" {
			t.Errorf("renaming: %d %s", res.Status, res.Body)
		}

		// The page: a bad name is shown again with a message; a good one
		// is saved.
		form := fmt.Sprintf("/account/passkeys/%d/rename", id)
		res := b.post("/account", form, url.Values{"name": {strings.Repeat("x", 61)}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Errorf("a name too long: %d", res.Status)
		}
		contains(t, res, "Use at most 60 characters.", `value="`+strings.Repeat("x", 61)+`"`, "Your account")
		redirectsTo(t, b.post("/account", form, url.Values{"name": {"Old phone"}}), "/account#passkeys")
		contains(t, b.get("/account"), "Your passkey is now called “Old phone”.", "<strong>Old phone</strong>")

		// Removed, it no longer logs anyone in; the other passkey and the
		// password still work.
		redirectsTo(t, b.post("/account", fmt.Sprintf("/account/passkeys/%d/delete", id), url.Values{}), "/account#passkeys")
		page := b.get("/account")
		contains(t, page, "The passkey is removed")
		if strings.Contains(string(page.Body), "Old phone") {
			t.Error("the removed passkey is still listed")
		}
		if res := b.post("/account", fmt.Sprintf("/account/passkeys/%d/delete", id), url.Values{}); res.Status != 404 {
			t.Errorf("removing it again: %d", res.Status)
		}
		res, _, _ = passkeyLogIn(t, a.browser(), auth, "/")
		if res.Status != 401 || res.errorCode(t) != "passkey_unknown" {
			t.Errorf("a removed passkey: %d %s", res.Status, res.Body)
		}
		a.browser().login("ada@example.ac.uk", "correct horse battery")
	})
}

// The account page says what a browser without JavaScript cannot do.
func TestPasskeyBlocksWithoutJavaScript(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("ada@example.ac.uk", models.RoleStudent, intp(3))
		b := a.browser()
		contains(t, b.get("/login"), "Sign in with a passkey", "Signing in with a passkey needs JavaScript", "/static/passkeys.js?v=")
		b.login("ada@example.ac.uk", "correct horse battery")
		contains(t, b.get("/account"), "You have no passkeys yet.", "Adding a passkey needs JavaScript", "/static/passkeys.js?v=")
	})
}
