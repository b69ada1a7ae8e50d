package handlers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// eachBehindProxy runs fn on every test database with the client address
// taken from X-Forwarded-For, so that a test can speak from several places.
func eachBehindProxy(t *testing.T, fn func(t *testing.T, a *app)) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		fn(t, newApp(t, db, map[string]string{"ROUNDS_TRUST_PROXY": "true"}))
	})
}

// apiLoginFrom logs in through the API from address ip.
func (a *app) apiLoginFrom(ip, email, password string) response {
	a.t.Helper()
	raw, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, _ := http.NewRequest("POST", a.srv.URL+"/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", ip)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, body}
}

// guessFrom makes n wrong guesses at email's password from ip, and returns
// how many were checked (answered 401) and how many refused (429).
func (a *app) guessFrom(ip, email string, n int) (checked, refused int) {
	a.t.Helper()
	for i := 0; i < n; i++ {
		switch res := a.apiLoginFrom(ip, email, fmt.Sprint("guess number ", i)); res.Status {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
		default:
			a.t.Fatalf("guess %d: %d %s", i, res.Status, res.Body)
		}
	}
	return checked, refused
}

// TestLoginAfterSomeoneElsesGuesses: an attacker's wrong passwords slow the
// attacker, never the member — neither in the browser the member has
// logged in with before, nor from another address.
func TestLoginAfterSomeoneElsesGuesses(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, a *app) {
		a.user("victim@example.ac.uk", models.RoleStudent, intp(2))
		// The member's own browser has logged in before.
		b := a.browser()
		b.login("victim@example.ac.uk", "correct horse battery")
		b.postRaw("/logout", url.Values{"_csrf": {b.csrf("/account")}})

		checked, refused := a.guessFrom("203.0.113.9", "victim@example.ac.uk", 30)
		if refused == 0 || checked > models.AccountLoginLimit.Free {
			t.Fatalf("attacker: %d checked, %d refused", checked, refused)
		}
		// The attacker is now asked to wait, even with the right password.
		if res := a.apiLoginFrom("203.0.113.9", "victim@example.ac.uk", "correct horse battery"); res.Status != http.StatusTooManyRequests {
			t.Errorf("attacker's address with the right password: %d", res.Status)
		}

		// The member's browser (same address as ever: the test server) logs in.
		res := b.post("/login", "/login", url.Values{"email": {"victim@example.ac.uk"}, "password": {"correct horse battery"}})
		if res.Status != http.StatusSeeOther {
			t.Errorf("remembered browser after the attack: %d %s", res.Status, res.Body)
		}
		// So does the member from another address, in a browser never used before.
		if res := a.apiLoginFrom("198.51.100.20", "victim@example.ac.uk", "correct horse battery"); res.Status != http.StatusOK {
			t.Errorf("another address after the attack: %d %s", res.Status, res.Body)
		}
	})
}

// TestRememberedBrowserBehindAttackersAddress: the device cookie keeps a
// member's browser going even when the attacker shares its address (a
// university network), and a device cookie for another account counts for
// nothing.
func TestRememberedBrowserBehindAttackersAddress(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, a *app) {
		a.user("victim@example.ac.uk", models.RoleStudent, intp(2))
		a.user("mallory@example.ac.uk", models.RoleStudent, intp(2))
		const shared = "192.0.2.50"
		loginPage := func(b *browser, email string) response {
			form := url.Values{"email": {email}, "password": {"correct horse battery"}, "_csrf": {b.csrf("/login")}}
			req, _ := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", shared)
			return b.do(req)
		}
		victim := a.browser()
		if res := loginPage(victim, "victim@example.ac.uk"); res.Status != http.StatusSeeOther {
			t.Fatalf("first log-in: %d", res.Status)
		}
		// Mallory's browser has a device cookie, but for her own account.
		mallory := a.browser()
		if res := loginPage(mallory, "mallory@example.ac.uk"); res.Status != http.StatusSeeOther {
			t.Fatalf("mallory's log-in: %d", res.Status)
		}
		mallory.postRaw("/logout", url.Values{"_csrf": {mallory.csrf("/account")}})
		a.guessFrom(shared, "victim@example.ac.uk", 20)

		if res := loginPage(mallory, "victim@example.ac.uk"); res.Status != http.StatusTooManyRequests {
			t.Errorf("a device cookie of another account was let through: %d", res.Status)
		}
		victim.postRaw("/logout", url.Values{"_csrf": {victim.csrf("/account")}})
		if res := loginPage(victim, "victim@example.ac.uk"); res.Status != http.StatusSeeOther {
			t.Errorf("remembered browser on the attacker's network: %d %s", res.Status, res.Body)
		}
	})
}

// TestParallelGuessesAreCounted: 100 wrong passwords sent 50 at a time are
// each counted before their password is checked: no more are checked than
// the free attempts.
func TestParallelGuessesAreCounted(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, a *app) {
		a.user("target@example.ac.uk", models.RoleStudent, intp(1))
		var wg sync.WaitGroup
		var mu sync.Mutex
		counts := map[int]int{}
		sem := make(chan struct{}, 50)
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				raw, _ := json.Marshal(map[string]string{"email": "target@example.ac.uk", "password": fmt.Sprint("parallel guess ", i)})
				req, _ := http.NewRequest("POST", a.srv.URL+"/api/v1/auth/login", bytes.NewReader(raw))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Forwarded-For", "203.0.113.77")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				mu.Lock()
				counts[res.StatusCode]++
				mu.Unlock()
			}(i)
		}
		wg.Wait()
		if counts[http.StatusUnauthorized] > models.AccountLoginLimit.Free || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 100 {
			t.Errorf("answers %v: at most %d guesses may be checked", counts, models.AccountLoginLimit.Free)
		}
	})
}

// TestLoginPausesGrow: past the free attempts an address is asked to wait
// 1 s, then 2 s, 4 s…, told so in words, and may try again once it has.
func TestLoginPausesGrow(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, a *app) {
		a.user("slow@example.ac.uk", models.RoleStudent, intp(1))
		const ip = "203.0.113.5"
		if checked, refused := a.guessFrom(ip, "slow@example.ac.uk", models.AccountLoginLimit.Free); checked != models.AccountLoginLimit.Free || refused != 0 {
			t.Fatalf("free attempts: %d checked, %d refused", checked, refused)
		}
		for _, want := range []int{1, 2, 4, 8, 16} {
			res := a.apiLoginFrom(ip, "slow@example.ac.uk", "correct horse battery")
			if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") != strconv.Itoa(want) || res.errorCode(t) != "rate_limited" {
				t.Fatalf("want a wait of %d s: %d %q %s", want, res.Status, res.Header.Get("Retry-After"), res.Body)
			}
			msg := res.json(t)["error"].(map[string]any)["message"].(string)
			if !strings.Contains(msg, "Try again in ") || !strings.Contains(msg, "second") {
				t.Errorf("message %q does not say how long to wait", msg)
			}
			a.clock.Advance(time.Duration(want) * time.Second)
			if res := a.apiLoginFrom(ip, "slow@example.ac.uk", "another wrong one"); res.Status != http.StatusUnauthorized {
				t.Fatalf("after waiting %d s: %d %s", want, res.Status, res.Body)
			}
		}
		// The log-in page says the same in words, with Retry-After.
		b := a.browser()
		form := url.Values{"email": {"slow@example.ac.uk"}, "password": {"correct horse battery"}, "_csrf": {b.csrf("/login")}}
		req, _ := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", ip)
		page := b.do(req)
		if page.Status != http.StatusTooManyRequests || page.Header.Get("Retry-After") != "32" {
			t.Errorf("log-in page: %d %q", page.Status, page.Header.Get("Retry-After"))
		}
		contains(t, page, "Try again in 32 seconds")
		// Once it has waited, the right password works and the count starts again.
		a.clock.Advance(32 * time.Second)
		if res := a.apiLoginFrom(ip, "slow@example.ac.uk", "correct horse battery"); res.Status != http.StatusOK {
			t.Fatalf("right password after the wait: %d %s", res.Status, res.Body)
		}
		if checked, _ := a.guessFrom(ip, "slow@example.ac.uk", models.AccountLoginLimit.Free); checked != models.AccountLoginLimit.Free {
			t.Errorf("after a success, %d free attempts, want %d", checked, models.AccountLoginLimit.Free)
		}
	})
}

// TestLoginRateLimitPerAddress: one address trying many accounts is slowed
// down across them, past more failures than a lecture theatre makes.
func TestLoginRateLimitPerAddress(t *testing.T) {
	eachBehindProxy(t, func(t *testing.T, a *app) {
		a.user("real@example.ac.uk", models.RoleStudent, intp(1))
		const ip = "203.0.113.200"
		// One wrong password tried on many accounts, each within its own
		// free attempts.
		per := models.AccountLoginLimit.Free
		for i := 0; i < models.AddressLoginLimit.Free; i++ {
			email := fmt.Sprintf("spray%d@example.ac.uk", i/per)
			if i%per == 0 {
				testkit.Member(t, a.db, testkit.Email(email))
			}
			if res := a.apiLoginFrom(ip, email, "guess guess"); res.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i, res.Status)
			}
		}
		res := a.apiLoginFrom(ip, "spray-next@example.ac.uk", "guess guess")
		if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("address over its limit: %d", res.Status)
		}
		// Another address is not concerned.
		if res := a.apiLoginFrom("198.51.100.1", "real@example.ac.uk", "correct horse battery"); res.Status != http.StatusOK {
			t.Errorf("another address: %d", res.Status)
		}
	})
}

// TestCSRFTokenRotatesAtLogin: a form token from before logging in (one an
// attacker could have planted or read) is refused once the member has
// logged in, and the logged-in token is refused once they log out.
func TestCSRFTokenRotatesAtLogin(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	a.user("ada@example.ac.uk", models.RoleStudent, intp(3))
	b := a.browser()
	before := b.csrf("/login")
	res := b.postRaw("/login", url.Values{"_csrf": {before}, "email": {"ada@example.ac.uk"}, "password": {"correct horse battery"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("log-in: %d", res.Status)
	}
	profile := url.Values{"name": {"Ada L"}, "year_of_study": {"3"}}
	profile.Set("_csrf", before)
	if res := b.postRaw("/account", profile); res.Status != http.StatusForbidden {
		t.Errorf("the token from before logging in: %d, want 403", res.Status)
	}
	during := b.csrf("/account")
	if during == before {
		t.Fatal("the page's token did not change at log-in")
	}
	profile.Set("_csrf", during)
	if res := b.postRaw("/account", profile); res.Status != http.StatusSeeOther {
		t.Errorf("the new token: %d, want 303", res.Status)
	}
	if res := b.postRaw("/logout", url.Values{"_csrf": {during}}); res.Status != http.StatusSeeOther {
		t.Fatalf("log-out: %d", res.Status)
	}
	again := url.Values{"_csrf": {during}, "email": {"ada@example.ac.uk"}, "password": {"correct horse battery"}}
	if res := b.postRaw("/login", again); res.Status != http.StatusForbidden {
		t.Errorf("the logged-in token after logging out: %d, want 403", res.Status)
	}
}

// TestHostCookiesOverHTTPS: with an https base URL the login, CSRF and
// device cookies carry the __Host- prefix, are Secure, for Path=/ and with
// no Domain — and the site reads them back.
func TestHostCookiesOverHTTPS(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), map[string]string{"ROUNDS_BASE_URL": "https://rounds.example.ac.uk"})
	testkit.Member(t, a.db, testkit.Email("ada@example.ac.uk"), testkit.Password("correct horse battery"))
	get := func(path string, cookies map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", a.srv.URL+path, nil)
		for k, v := range cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	jar := map[string]string{}
	check := func(res *http.Response, want ...string) {
		t.Helper()
		got := map[string]bool{}
		for _, line := range res.Header.Values("Set-Cookie") {
			ck, err := http.ParseSetCookie(line)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ck.Name, "__Host-") && ck.Name != "rounds_flash" {
				t.Errorf("cookie without the __Host- prefix: %s", line)
			}
			if strings.HasPrefix(ck.Name, "__Host-") && (!ck.Secure || ck.Path != "/" || ck.Domain != "") {
				t.Errorf("__Host- cookie must be Secure, Path=/, no Domain: %s", line)
			}
			got[ck.Name] = true
			jar[ck.Name] = ck.Value
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("no %s cookie in %v", w, res.Header.Values("Set-Cookie"))
			}
		}
	}
	check(get("/login", nil), "__Host-rounds_csrf")
	form := url.Values{"_csrf": {jar["__Host-rounds_csrf"]}, "email": {"ada@example.ac.uk"}, "password": {"correct horse battery"}}
	req, _ := http.NewRequest("POST", a.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range jar {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("log-in over https: %d", res.StatusCode)
	}
	check(res, "__Host-rounds_login", "__Host-rounds_csrf", "__Host-rounds_device")
	if res := get("/account", jar); res.StatusCode != http.StatusOK {
		t.Errorf("the __Host- login cookie is not read back: %d", res.StatusCode)
	}
}
