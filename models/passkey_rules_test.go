package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPasskeyName(t *testing.T) {
	on := time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		given, want string
		bad         bool
	}{
		{"", "Passkey added 3 Dec 2026", false},
		{"   ", "Passkey added 3 Dec 2026", false},
		{"  Phone ", "Phone", false},
		{strings.Repeat("é", 60), strings.Repeat("é", 60), false},
		{strings.Repeat("a", 61), "", true},
		{"Phone\nLaptop", "", true},
		{"Phone\u202e", "", true},
	} {
		got, err := passkeyName(tc.given, on)
		var ve *ValidationError
		if tc.bad != errors.As(err, &ve) {
			t.Errorf("passkeyName(%q): error %v, want bad=%v", tc.given, err, tc.bad)
		}
		if got != tc.want {
			t.Errorf("passkeyName(%q) = %q, want %q", tc.given, got, tc.want)
		}
	}
}

func TestCeremonyUsable(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	member, other := int64(7), int64(8)
	for _, tc := range []struct {
		name     string
		kind     string
		user     *int64
		expires  time.Time
		wantKind string
		wantUser int64
		ok       bool
	}{
		{"a log-in within its time", passkeyLogin, nil, now.Add(time.Second), passkeyLogin, 0, true},
		{"a log-in at its expiry", passkeyLogin, nil, now, passkeyLogin, 0, false},
		{"a registration used to log in", passkeyRegister, &member, now.Add(time.Minute), passkeyLogin, 0, false},
		{"a log-in used to register", passkeyLogin, nil, now.Add(time.Minute), passkeyRegister, member, false},
		{"a registration of its member", passkeyRegister, &member, now.Add(time.Minute), passkeyRegister, member, true},
		{"a registration of another member", passkeyRegister, &other, now.Add(time.Minute), passkeyRegister, member, false},
		{"an expired registration", passkeyRegister, &member, now.Add(-time.Second), passkeyRegister, member, false},
	} {
		err := ceremonyUsable(tc.kind, tc.user, tc.expires, tc.wantKind, tc.wantUser, now)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestSignCountAcceptable(t *testing.T) {
	for _, tc := range []struct {
		stored, presented uint32
		ok                bool
	}{
		{0, 0, true},  // a passkey that never counts
		{0, 1, true},  // first count
		{5, 6, true},  // forward
		{5, 5, false}, // the same count again
		{5, 4, false}, // backwards: a copy
		{5, 0, false}, // a counting passkey that stopped
	} {
		if got := signCountAcceptable(tc.stored, tc.presented); got != tc.ok {
			t.Errorf("signCountAcceptable(%d, %d) = %v, want %v", tc.stored, tc.presented, got, tc.ok)
		}
	}
}
