package handlers

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// FuzzDecodeJSON feeds arbitrary bodies to the JSON decoder every API
// handler uses: it never panics, and it either accepts a body that is valid
// JSON or refuses it as malformed (a 400, never a 500).
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{}`, `{"email":"a@b.c","year_of_study":2}`, `{"year_of_study":"two"}`, `[1,2]`, `{`, ``,
		`{"benefits":["knowledge"],"overall":5}`, `{"a":1}{"b":2}`, "\xff\xfe{", `{"title":"` + strings.Repeat("x", 300) + `"}`} {
		f.Add(seed)
	}
	e := echo.New()
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []any{&registerInput{}, &models.SessionInput{}, &models.FeedbackInput{}, &models.BookInput{}, &map[string]json.RawMessage{}} {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/x", strings.NewReader(body))
			c := e.NewContext(req, httptest.NewRecorder())
			err := decodeJSON(c, target)
			if err == nil {
				if !json.Valid([]byte(strings.TrimSpace(body))) {
					t.Fatalf("accepted invalid JSON %q", body)
				}
				continue
			}
			if status, _ := classify(err); status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge {
				t.Fatalf("body %q: status %d for %v", body, status, err)
			}
		}
	})
}

// FuzzUserFields fuzzes the PATCH body reader that tells an absent year of
// study from a null one.
func FuzzUserFields(f *testing.F) {
	for _, seed := range []string{`{"year_of_study":null}`, `{"year_of_study":3,"role":"teacher"}`, `{"name":5}`, `{"role":[]}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var raw map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &raw) != nil {
			return
		}
		var ch models.UserChange
		if err := decodeUserFields(raw, &ch); err != nil {
			if status, _ := classify(err); status != http.StatusBadRequest {
				t.Fatalf("status %d for %q", status, body)
			}
		}
	})
}

// FuzzFormValues fuzzes what page forms parse by hand: years of study,
// datetime bounds and post-login redirects.
func FuzzFormValues(f *testing.F) {
	for _, seed := range []string{"3", "graduate", "0", "-1", "2026-11-02", "2026-11-02T18:00:00Z", "//evil.example", "/account", "/\\x", "javascript:alert(1)"} {
		f.Add(seed)
	}
	h := &Handler{}
	h.Config.Location = time.UTC
	f.Fuzz(func(t *testing.T, v string) {
		if y, ok := formYear(v); ok && y != nil && (*y < -1<<31 || *y > 1<<31) {
			t.Fatalf("year %d from %q", *y, v)
		}
		h.parseWhen(v)
		next := safeNext(v)
		if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
			t.Fatalf("safeNext(%q) = %q leaves the site", v, next)
		}
	})
}
