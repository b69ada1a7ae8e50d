package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// TestLongSearches: a search far longer than any name or title is refused
// with a message beside the search box (422), on every list that searches,
// instead of the database giving up with a 500; a role that does not exist
// is refused the same way.
func TestLongSearches(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		chair, tok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		long := url.QueryEscape(strings.Repeat("ab%_", 12500)) // 50,000 characters
		for _, path := range []string{"/api/v1/sessions?q=" + long, "/api/v1/users?q=" + long} {
			res := a.api("GET", path, nil, tok)
			if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "Search with at most 200 characters.") {
				t.Errorf("GET %s…: %d %.200s", path[:20], res.Status, res.Body)
			}
		}
		if res := a.api("GET", "/api/v1/users?role=god", nil, tok); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("role=god: %d %s", res.Status, res.Body)
		}
		// A search of 200 characters still runs.
		if res := a.api("GET", "/api/v1/sessions?q="+strings.Repeat("a", 200), nil, tok); res.Status != http.StatusOK {
			t.Errorf("a search of 200 characters: %d %s", res.Status, res.Body)
		}

		b := a.browser()
		b.login(chair.Email, "correct horse battery")
		for _, path := range []string{"/sessions?q=" + long, "/committee/members?q=" + long, "/committee/members?role=god"} {
			res := b.get(path)
			if res.Status != http.StatusUnprocessableEntity {
				t.Errorf("GET %.40s: %d", path, res.Status)
			}
		}
		contains(t, b.get("/committee/members?q="+long), "Search with at most 200 characters.")
		contains(t, b.get("/committee/members?role=god"), "Choose student, teacher or committee.")
		contains(t, b.get("/sessions?q="+long), "Search with at most 200 characters.")
	})
}

// TestWrongMethod: a known API address asked with a method it does not
// take answers 405 with the methods it does take; an unknown one 404.
func TestWrongMethod(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, tok := a.user("member@example.ac.uk", models.RoleStudent, nil)
		res := a.api("DELETE", "/api/v1/sessions", nil, tok)
		if res.Status != http.StatusMethodNotAllowed || res.errorCode(t) != "method_not_allowed" {
			t.Errorf("DELETE /api/v1/sessions: %d %s", res.Status, res.Body)
		}
		if allow := res.Header.Get("Allow"); allow != "GET, HEAD, POST" {
			t.Errorf("Allow: %q, want GET, HEAD, POST", allow)
		}
		if res := a.api("PUT", "/api/v1/sessions/1/bookings", nil, tok); res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, HEAD, POST" {
			t.Errorf("PUT …/bookings: %d, Allow %q", res.Status, res.Header.Get("Allow"))
		}
		if res := a.api("GET", "/api/v1/no-such-thing", nil, tok); res.Status != http.StatusNotFound {
			t.Errorf("unknown address: %d", res.Status)
		}
	})
}

// TestAPINotCached: answers about a person are never kept by a cache.
func TestAPINotCached(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, tok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		for _, path := range []string{"/api/v1/me", "/api/v1/users", "/api/v1/admin/outbox", "/api/v1/me/bookings"} {
			res := a.api("GET", path, nil, tok)
			if res.Status != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("GET %s: %d, Cache-Control %q", path, res.Status, res.Header.Get("Cache-Control"))
			}
		}
	})
}

// TestBadDates: a date that does not exist, one without its offset and one
// past the year 9999 are answered with the field and how to write it.
func TestBadDates(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, tok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		start := a.clock.Now().Add(72 * time.Hour)
		for _, c := range []struct{ field, value string }{
			{"starts_at", "2027-02-30T18:00:00Z"},
			{"starts_at", "2027-02-03T18:00:00"},
			{"ends_at", "10000-01-01T00:00:00Z"},
		} {
			res := a.api("POST", "/api/v1/sessions", sessionBody(start, map[string]any{c.field: c.value}), tok)
			msg := string(res.Body)
			if res.Status != http.StatusBadRequest || res.errorCode(t) != "malformed_body" ||
				!strings.Contains(msg, `\"`+c.field+`\"`) || !strings.Contains(msg, "2026-11-02T18:00:00Z") {
				t.Errorf("%s = %s: %d %s", c.field, c.value, res.Status, msg)
			}
		}
	})
}

// TestCertificateLookups: the public verification page is kept out of
// search engines, and one address trying code after code is slowed down.
func TestCertificateLookups(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		b := a.browser()
		res := b.get("/certificates/RND-AAAA-AAAA")
		if res.Status != http.StatusNotFound || res.Header.Get("X-Robots-Tag") != "noindex, nofollow" {
			t.Errorf("an unknown code: %d, X-Robots-Tag %q", res.Status, res.Header.Get("X-Robots-Tag"))
		}
		for range 40 {
			res = b.get("/certificates/RND-AAAA-AAAB.pdf")
		}
		if res.Status != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("the 41st look-up in a minute: %d, Retry-After %q", res.Status, res.Header.Get("Retry-After"))
		}
		a.clock.Advance(time.Minute)
		if res := b.get("/certificates/RND-AAAA-AAAC"); res.Status != http.StatusNotFound {
			t.Errorf("a minute later: %d", res.Status)
		}
	})
}
