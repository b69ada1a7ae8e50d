package models

import (
	"errors"
	"testing"
	"time"
)

func TestErasureProofError(t *testing.T) {
	for _, c := range []struct {
		name         string
		withPassword bool
		passwordOK   bool
		proof        ErasureProof
		field        string // "" when accepted
	}{
		{"right password", true, true, ErasureProof{Password: "long enough pw"}, ""},
		{"no password given", true, false, ErasureProof{}, "password"},
		{"wrong password", true, false, ErasureProof{Password: "guess"}, "password"},
		{"DELETE typed does not stand for a password", true, false, ErasureProof{Typed: "DELETE"}, "password"},
		{"no password: DELETE typed", false, false, ErasureProof{Typed: "DELETE"}, ""},
		{"no password: delete in small letters, spaces around", false, false, ErasureProof{Typed: "  delete "}, ""},
		{"no password: nothing typed", false, false, ErasureProof{}, "confirm"},
		{"no password: another word", false, false, ErasureProof{Typed: "DELETED"}, "confirm"},
	} {
		err := erasureProofError(c.withPassword, c.passwordOK, c.proof)
		var ve *ValidationError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &ve) || ve.Fields[c.field] == ""):
			t.Errorf("%s: %v, want a message under %q", c.name, err, c.field)
		}
	}
}

func TestErasureDays(t *testing.T) {
	asked := time.Date(2026, 12, 3, 11, 0, 0, 0, time.UTC)
	due := eraseAt(asked)
	if want := time.Date(2026, 12, 10, 11, 0, 0, 0, time.UTC); !due.Equal(want) {
		t.Fatalf("erase at %s, want %s", due, want)
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{{due.Add(-time.Second), false}, {due, true}, {due.Add(time.Hour), true}} {
		if got := erasureDue(due, c.at); got != c.want {
			t.Errorf("due at %s: %v, want %v", c.at, got, c.want)
		}
	}
}

func TestGraduateErasable(t *testing.T) {
	grad := time.Date(2025, 9, 1, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		years int
		now   time.Time
		want  bool
	}{
		{2, grad.AddDate(2, 0, 0).Add(-time.Minute), false},
		{2, grad.AddDate(2, 0, 0), true},
		{2, grad.AddDate(5, 0, 0), true},
		{1, grad.AddDate(1, 0, 0), true},
		{0, grad.AddDate(40, 0, 0), false}, // 0: never
	} {
		if got := graduateErasable(grad, c.years, c.now); got != c.want {
			t.Errorf("%d years, at %s: %v, want %v", c.years, c.now, got, c.want)
		}
	}
}

func TestErasedAddressAndText(t *testing.T) {
	if a, b := erasedAddress(7), erasedAddress(8); a == b || a != "erased-7@erased.invalid" {
		t.Errorf("placeholders %q, %q", a, b)
	}
	got := withoutText(map[string]any{"q1": 4.0, "q2": "my own words", "q3": ""})
	if len(got) != 1 || got["q1"] != 4.0 {
		t.Errorf("withoutText kept %v", got)
	}
	if !ErasedAddress(erasedAddress(7)) || ErasedAddress("ada@example.org") {
		t.Error("ErasedAddress")
	}
	if hasPassword("") || hasPassword("-") || !hasPassword("$2a$10$abc") {
		t.Error("hasPassword")
	}
}

func TestErasureCancelToken(t *testing.T) {
	key := []byte("site secret")
	tok := ErasureCancelToken(key, 12, 34)
	id, sig, ok := erasureTokenRequest(tok)
	if !ok || id != 12 || !erasureTokenValid(key, 12, 34, sig) {
		t.Fatalf("token %q does not read back", tok)
	}
	for name, bad := range map[string]bool{
		"another member":  erasureTokenValid(key, 12, 35, sig),
		"another request": erasureTokenValid(key, 13, 34, sig),
		"another key":     erasureTokenValid([]byte("other"), 12, 34, sig),
	} {
		if bad {
			t.Errorf("%s: the token is accepted", name)
		}
	}
	for _, s := range []string{"", "12", "x.sig", "-1.sig", "12."} {
		if _, _, ok := erasureTokenRequest(s); ok {
			t.Errorf("%q reads as a token", s)
		}
	}
}
