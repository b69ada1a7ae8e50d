package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// PasskeyCeremonyTTL is how long a browser has to finish adding a passkey
// or signing in with one after it asked for the challenge.
const PasskeyCeremonyTTL = 5 * time.Minute

// PasskeyNameMax is the longest name a member may give a passkey.
const PasskeyNameMax = 60

// Passkey ceremony kinds.
const (
	passkeyRegister = "register"
	passkeyLogin    = "login"
)

// passkeyName decides the name a passkey is stored under: the member's own,
// trimmed, or when they gave none one made from the day it was added (on in
// the society's time zone).
func passkeyName(given string, on time.Time) (string, error) {
	name := strings.TrimSpace(given)
	switch {
	case name == "":
		return "Passkey added " + on.Format("2 Jan 2006"), nil
	case utf8.RuneCountInString(name) > PasskeyNameMax:
		return "", &ValidationError{Fields: map[string]string{"name": "Use at most 60 characters."}}
	case strings.ContainsAny(name, "\r\n") || !plainText(name):
		return "", &ValidationError{Fields: map[string]string{"name": "Use letters, spaces and punctuation only, on one line."}}
	}
	return name, nil
}

// ceremonyUsable tells whether a stored ceremony may finish the step the
// browser asks for: the same kind, begun for the same member (none, for
// signing in), and not expired. A ceremony is used once whatever the
// answer: the caller has already removed it.
func ceremonyUsable(kind string, userID *int64, expiresAt time.Time, wantKind string, wantUser int64, now time.Time) error {
	switch {
	case kind != wantKind:
		return ErrPasskeyRequestUsed
	case wantKind == passkeyRegister && (userID == nil || *userID != wantUser):
		return ErrPasskeyRequestUsed
	case !now.Before(expiresAt):
		return ErrPasskeyRequestUsed
	}
	return nil
}

// signCountAcceptable is step 17 of verifying an assertion: a counter that
// does not move forward, when either side has ever counted, says the
// passkey may have been copied. Passkeys that never count (both zero) are
// accepted.
func signCountAcceptable(stored, presented uint32) bool {
	if stored == 0 && presented == 0 {
		return true
	}
	return presented > stored
}
