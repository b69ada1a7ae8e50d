package checkin

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var secret = []byte("test secret, not for production use")

const rotation = 30 * time.Second

// t0 is the start of a window, so offsets from it are easy to reason about.
var t0 = time.Date(2025, 11, 14, 18, 0, 0, 0, time.UTC)

func TestWindow(t *testing.T) {
	tests := []struct {
		t    time.Time
		rot  time.Duration
		want int64
	}{
		{time.Unix(0, 0), 30 * time.Second, 0},
		{time.Unix(29, 999_999_999), 30 * time.Second, 0},
		{time.Unix(30, 0), 30 * time.Second, 1},
		{time.Unix(-1, 0), 30 * time.Second, -1},
		{time.Unix(-30, 0), 30 * time.Second, -1},
		{time.Unix(-31, 0), 30 * time.Second, -2},
		{time.Unix(120, 0), time.Minute, 2},
		{time.Unix(90, 0), 0, 3}, // default rotation
	}
	for _, tt := range tests {
		if got := Window(tt.t, tt.rot); got != tt.want {
			t.Errorf("Window(%v, %v) = %d, want %d", tt.t.Unix(), tt.rot, got, tt.want)
		}
	}
	// The same instant in another zone is the same window.
	london, err := time.LoadLocation("Europe/London")
	if err == nil && Window(t0.In(london), rotation) != Window(t0, rotation) {
		t.Error("window depends on the time zone")
	}
}

func TestCodeShape(t *testing.T) {
	for _, mode := range []string{ModeInPerson, ModeOnline} {
		for w := int64(0); w < 200; w++ {
			c := Code(secret, 42, mode, w)
			if len(c) != Length {
				t.Fatalf("Code = %q, want %d characters", c, Length)
			}
			for _, r := range c {
				if !strings.ContainsRune(Alphabet, r) {
					t.Fatalf("Code = %q has %q, not in the alphabet", c, r)
				}
			}
			if strings.ContainsAny(c, "0O1IL") {
				t.Fatalf("Code = %q has an ambiguous character", c)
			}
		}
	}
	if c := Code(secret, 42, ModeInPerson, 7); c[0] != 'P' {
		t.Errorf("in-person code %q does not start with P", c)
	}
	if c := Code(secret, 42, ModeOnline, 7); c[0] != 'N' {
		t.Errorf("online code %q does not start with N", c)
	}
	if c := Code(secret, 42, "hybrid", 7); c != "" {
		t.Errorf("Code for an unknown mode = %q, want empty", c)
	}
	if Code(secret, 42, ModeInPerson, 7) != Code(secret, 42, ModeInPerson, 7) {
		t.Error("Code is not deterministic")
	}
	if Code(secret, 42, ModeInPerson, 7) == Code([]byte("another secret"), 42, ModeInPerson, 7) {
		t.Error("Code does not depend on the secret")
	}
}

func TestCurrent(t *testing.T) {
	now := t0.Add(12 * time.Second)
	code, exp := Current(secret, 9, ModeOnline, now, rotation)
	if want := Code(secret, 9, ModeOnline, Window(now, rotation)); code != want {
		t.Errorf("Current code = %q, want %q", code, want)
	}
	if want := t0.Add(rotation); !exp.Equal(want) {
		t.Errorf("Current expires at %v, want %v", exp, want)
	}
	// Just before expiry the code is unchanged; at expiry it changes.
	if c, _ := Current(secret, 9, ModeOnline, exp.Add(-time.Nanosecond), rotation); c != code {
		t.Error("code changed before its expiry")
	}
	if c, _ := Current(secret, 9, ModeOnline, exp, rotation); c == code {
		t.Error("code did not change at its expiry")
	}
}

func TestVerify(t *testing.T) {
	shown := t0.Add(5 * time.Second) // shown in the room at 18:00:05
	inPerson, _ := Current(secret, 42, ModeInPerson, shown, rotation)
	online, _ := Current(secret, 42, ModeOnline, shown, rotation)

	tests := []struct {
		name     string
		input    string
		session  int64
		at       time.Time
		wantMode string
		wantOK   bool
	}{
		{"current window, in person", inPerson, 42, shown.Add(10 * time.Second), ModeInPerson, true},
		{"current window, online", online, 42, shown, ModeOnline, true},
		{"previous window", inPerson, 42, t0.Add(rotation + 29*time.Second), ModeInPerson, true},
		{"previous window, online", online, 42, t0.Add(rotation), ModeOnline, true},
		{"two windows old", inPerson, 42, t0.Add(2 * rotation), "", false},
		{"two windows old, online", online, 42, t0.Add(2*rotation + time.Second), "", false},
		{"next window's code used early", Code(secret, 42, ModeInPerson, Window(shown, rotation)+1), 42, shown, "", false},
		{"wrong session", inPerson, 43, shown, "", false},
		{"lower case with spaces", strings.ToLower(inPerson[:3] + " " + inPerson[3:]), 42, shown, ModeInPerson, true},
		{"dashes", online[:3] + "-" + online[3:], 42, shown, ModeOnline, true},
		{"surrounding space", "  " + online + "\t", 42, shown, ModeOnline, true},
		{"prefix swapped", "N" + inPerson[1:], 42, shown, "", false},
		{"too short", inPerson[:5], 42, shown, "", false},
		{"too long", inPerson + "2", 42, shown, "", false},
		{"empty", "", 42, shown, "", false},
		{"ambiguous character", inPerson[:5] + "0", 42, shown, "", false},
		{"non-ASCII", inPerson[:5] + "é", 42, shown, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mode, ok := Verify(secret, tt.session, tt.input, tt.at, rotation)
			if ok != tt.wantOK || mode != tt.wantMode {
				t.Errorf("Verify(%q) = %q, %v; want %q, %v", tt.input, mode, ok, tt.wantMode, tt.wantOK)
			}
		})
	}
}

func TestVerifyLookalikes(t *testing.T) {
	// Find a code containing a character that has a look-alike, then type the
	// look-alike instead.
	swap := map[byte]byte{'8': 'B', '6': 'G', '5': 'S', '2': 'Z', 'V': 'U'}
	for w := int64(0); w < 10_000; w++ {
		code := Code(secret, 7, ModeOnline, w)
		for i := 1; i < len(code); i++ {
			if alt, ok := swap[code[i]]; ok {
				typed := code[:i] + string(alt) + code[i+1:]
				at := time.Unix(0, w*int64(rotation))
				mode, ok := Verify(secret, 7, strings.ToLower(typed), at, rotation)
				if !ok || mode != ModeOnline {
					t.Fatalf("Verify(%q) for code %q = %q, %v; want online, true", typed, code, mode, ok)
				}
				return
			}
		}
	}
	t.Fatal("no code with a look-alike character found")
}

func TestNormalise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"p7k3qx", "P7K3QX"},
		{"P7K-3QX", "P7K3QX"},
		{"p 7 k 3 q x", "P7K3QX"},
		{"P7K.3QX", "P7K3QX"},
		{"nbgszu", "N8652V"},
		{"P7K3Q0", ""}, // 0 is never in a code
		{"POK3QX", ""},
		{"P1K3QX", ""},
		{"PIK3QX", ""},
		{"PLK3QX", ""},
		{"P7K3QX!", ""},
		{"P7K3QX22", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Normalise(tt.in); got != tt.want {
			t.Errorf("Normalise(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Every character the alphabet keeps normalises to itself.
	for _, r := range Alphabet {
		if got := Normalise(string(r)); got != string(r) {
			t.Errorf("Normalise(%q) = %q", r, got)
		}
	}
}

// TestCollisions checks that codes behave like random draws from the code
// space: among n codes of different sessions and windows, the number of equal
// pairs should be close to n(n-1)/2 / 26^5, about 4.2 for n = 10,000.
func TestCollisions(t *testing.T) {
	const n = 10_000
	space := 1
	for i := 1; i < Length; i++ {
		space *= len(Alphabet)
	}
	expected := float64(n) * float64(n-1) / 2 / float64(space)

	seen := make(map[string]int, n)
	counts := make(map[byte]int)
	collisions := 0
	for i := 0; i < n; i++ {
		session, window := int64(i%100), int64(29_000_000+i/100)
		c := Code(secret, session, ModeInPerson, window)
		collisions += seen[c]
		seen[c]++
		for j := 1; j < len(c); j++ {
			counts[c[j]]++
		}
	}
	// Poisson with mean ~4.2: more than 20 has a probability below 1e-7.
	if collisions > 20 {
		t.Errorf("%d colliding pairs among %d codes, expected about %.1f", collisions, n, expected)
	}
	t.Logf("%d colliding pairs among %d codes (expected %.1f)", collisions, n, expected)

	// Every character should be used roughly equally: 50,000 draws over 26
	// characters is about 1,923 each, with a standard deviation near 43.
	per := float64(n*(Length-1)) / float64(len(Alphabet))
	for _, r := range []byte(Alphabet) {
		if d := float64(counts[r]) - per; d > 300 || d < -300 {
			t.Errorf("character %q drawn %d times, expected about %.0f", r, counts[r], per)
		}
	}

	// Sessions next to each other and modes of the same window do not share codes.
	for w := int64(0); w < 1000; w++ {
		a, b := Code(secret, 1, ModeInPerson, w), Code(secret, 2, ModeInPerson, w)
		if a == b {
			t.Errorf("sessions 1 and 2 share code %s in window %d", a, w)
		}
		if Code(secret, 1, ModeInPerson, w)[1:] == Code(secret, 1, ModeOnline, w)[1:] {
			t.Errorf("modes share a code body in window %d", w)
		}
	}
}

func ExampleCurrent() {
	secret := []byte("server secret")
	now := time.Date(2025, 11, 14, 18, 0, 10, 0, time.UTC)
	code, expires := Current(secret, 42, ModeInPerson, now, 30*time.Second)
	mode, ok := Verify(secret, 42, strings.ToLower(code[:3]+"-"+code[3:]), now.Add(40*time.Second), 30*time.Second)
	fmt.Println(len(code), code[:1], expires.Format(time.TimeOnly), mode, ok)
	// Output: 6 P 18:00:30 in_person true
}

// FuzzVerify checks that Verify never panics and accepts only what
// normalises to one of the four codes valid at that moment.
func FuzzVerify(f *testing.F) {
	f.Add("P7K-3QX", int64(42), int64(1_763_143_200))
	f.Add(Code(secret, 1, ModeOnline, 0), int64(1), int64(0))
	f.Add("nbgszu", int64(-1), int64(-31))
	f.Add("ÖÖÖÖÖÖ", int64(0), int64(0))
	f.Fuzz(func(t *testing.T, input string, session, unix int64) {
		now := time.Unix(unix%(1<<40), 0)
		mode, ok := Verify(secret, session, input, now, rotation)
		if !ok {
			if mode != "" {
				t.Fatalf("mode %q without ok", mode)
			}
			return
		}
		w := Window(now, rotation)
		n := Normalise(input)
		if n != Code(secret, session, mode, w) && n != Code(secret, session, mode, w-1) {
			t.Fatalf("Verify(%q) accepted it as %s, but it is not a current code", input, mode)
		}
	})
}
