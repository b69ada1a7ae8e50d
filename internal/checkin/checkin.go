// Package checkin owns the rotating check-in codes that prove a student was in
// the room (or on the call) while a session ran.
//
// A code is six characters. The first tells the mode: "P" for in person (shown
// in the room, usually as a QR code) and "N" for online (read out in the call).
// The other five are derived from an HMAC-SHA256, keyed with the server's
// secret, of the session, the mode and the time window, so a code cannot be
// worked out without the secret and changes every rotation.
//
// Codes use only the 26 characters of Alphabet: the digits 2–9 and the
// capital letters without B, G, I, L, O, S, U and Z. 0, O, 1, I and L are left
// out because they are easily mistaken for one another; B, G, S, Z and U are
// left out because they look like 8, 6, 5, 2 and V, which are kept, so
// Normalise can map them to the character the student most likely saw.
package checkin

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"strings"
	"time"
)

// Modes of attendance a code can prove, as spelt in the attendance record.
const (
	ModeInPerson = "in_person"
	ModeOnline   = "online"
)

// Alphabet is the set of characters check-in codes are made of.
const Alphabet = "23456789ACDEFHJKMNPQRTVWXY"

// Length is the number of characters in a check-in code, the mode prefix included.
const Length = 6

// DefaultRotation is how long a code stays current when no rotation is given.
const DefaultRotation = 30 * time.Second

// prefixes maps each mode to the first character of its codes.
var prefixes = map[string]byte{ModeInPerson: 'P', ModeOnline: 'N'}

// lookalikes maps characters that are not in Alphabet to the one they are
// most likely a misreading of.
var lookalikes = map[rune]byte{'B': '8', 'G': '6', 'S': '5', 'Z': '2', 'U': 'V'}

// Window returns the number of the rotation window t falls in. Windows are
// counted from the Unix epoch, so every server agrees on them; a rotation of
// zero or less means DefaultRotation.
func Window(t time.Time, rotation time.Duration) int64 {
	r := int64(normRotation(rotation))
	ns := t.UnixNano()
	w := ns / r
	if ns%r < 0 {
		w-- // floor, not truncation, for times before 1970
	}
	return w
}

// Code returns the check-in code of a session and mode for a window, or ""
// when mode is neither ModeInPerson nor ModeOnline.
func Code(secret []byte, sessionID int64, mode string, window int64) string {
	prefix, ok := prefixes[mode]
	if !ok {
		return ""
	}
	mac := hmac.New(sha256.New, secret)
	var buf [8]byte
	mac.Write([]byte("rounds check-in v1\x00"))
	binary.BigEndian.PutUint64(buf[:], uint64(sessionID))
	mac.Write(buf[:])
	mac.Write([]byte(mode))
	mac.Write([]byte{0})
	binary.BigEndian.PutUint64(buf[:], uint64(window))
	mac.Write(buf[:])
	sum := mac.Sum(nil)

	// 2^64 is so much larger than 26^5 that the modulo bias is negligible.
	n := binary.BigEndian.Uint64(sum[:8])
	code := make([]byte, Length)
	code[0] = prefix
	for i := Length - 1; i >= 1; i-- {
		code[i] = Alphabet[n%uint64(len(Alphabet))]
		n /= uint64(len(Alphabet))
	}
	return string(code)
}

// Current returns the code to show now for a session and mode, and the time at
// which the next one replaces it. The code is still accepted for one more
// rotation after that, so a student who is typing as it changes is not refused.
func Current(secret []byte, sessionID int64, mode string, now time.Time, rotation time.Duration) (code string, expiresAt time.Time) {
	r := normRotation(rotation)
	w := Window(now, r)
	end := time.Unix(0, (w+1)*int64(r)).In(now.Location())
	return Code(secret, sessionID, mode, w), end
}

// Verify reports whether input is the current or the previous window's code
// of the session in either mode, and which mode it proves. Input is first
// normalised (see Normalise); comparisons take constant time.
func Verify(secret []byte, sessionID int64, input string, now time.Time, rotation time.Duration) (mode string, ok bool) {
	got := []byte(Normalise(input))
	if len(got) != Length {
		// Still compare, so a malformed code costs the same as a wrong one.
		got = make([]byte, Length)
	}
	w := Window(now, rotation)
	match := 0
	for _, m := range []string{ModeInPerson, ModeOnline} {
		for _, win := range []int64{w, w - 1} {
			if subtle.ConstantTimeCompare(got, []byte(Code(secret, sessionID, m, win))) == 1 && match == 0 {
				mode, match = m, 1
			}
		}
	}
	return mode, match == 1
}

// Normalise turns what a student typed into the form codes are made in:
// capitals, without spaces, dashes, dots or underscores, with B, G, S, Z and U
// read as 8, 6, 5, 2 and V. It returns "" when any other character is not in
// Alphabet (0, O, 1, I and L never appear in a code, so they cannot be mapped
// to one with confidence).
func Normalise(input string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(input) {
		switch {
		case r == ' ' || r == '-' || r == '.' || r == '_' || r == '\t' || r == '\u00a0' || r == '\u2013' || r == '\u2014':
			continue
		case r < 128 && strings.IndexByte(Alphabet, byte(r)) >= 0:
			b.WriteByte(byte(r))
		default:
			c, ok := lookalikes[r]
			if !ok {
				return ""
			}
			b.WriteByte(c)
		}
		if b.Len() > Length {
			return ""
		}
	}
	return b.String()
}

func normRotation(r time.Duration) time.Duration {
	if r <= 0 {
		return DefaultRotation
	}
	return r
}
