package models

import (
	"testing"
	"time"
)

func TestLoginLimitPause(t *testing.T) {
	l := loginLimit{Free: 3, Base: time.Second, Cap: 10 * time.Second, Forget: time.Hour}
	for n, want := range map[int]time.Duration{1: 0, 2: 0, 3: time.Second, 4: 2 * time.Second, 5: 4 * time.Second,
		6: 8 * time.Second, 7: 10 * time.Second, 60: 10 * time.Second} {
		if got := l.pause(n); got != want {
			t.Errorf("pause after attempt %d = %v, want %v", n, got, want)
		}
	}
}

func TestLoginLimitReserve(t *testing.T) {
	l := loginLimit{Free: 2, Base: time.Second, Cap: time.Minute, Forget: time.Hour}
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		c        attemptCounter
		at       time.Time
		failures int
		wait     time.Duration
		until    time.Time
	}{
		{"first attempt", attemptCounter{}, t0, 1, 0, time.Time{}},
		{"free attempts end with a pause", attemptCounter{Failures: 1, UpdatedAt: t0}, t0, 2, 0, t0.Add(time.Second)},
		{"asked to wait: refused, unchanged", attemptCounter{Failures: 2, WaitUntil: t0.Add(time.Second), UpdatedAt: t0}, t0.Add(500 * time.Millisecond), 2, 500 * time.Millisecond, t0.Add(time.Second)},
		{"after the wait: counted, the pause doubles", attemptCounter{Failures: 2, WaitUntil: t0.Add(time.Second), UpdatedAt: t0}, t0.Add(time.Second), 3, 0, t0.Add(3 * time.Second)},
		{"quiet for long: starts again", attemptCounter{Failures: 9, WaitUntil: t0.Add(time.Minute), UpdatedAt: t0}, t0.Add(2 * time.Hour), 1, 0, t0.Add(time.Minute)},
	}
	for _, c := range cases {
		got, wait := l.reserve(c.c, c.at)
		if got.Failures != c.failures || wait != c.wait || !got.WaitUntil.Equal(c.until) {
			t.Errorf("%s: failures %d wait %v until %v; want %d %v %v", c.name, got.Failures, wait, got.WaitUntil, c.failures, c.wait, c.until)
		}
	}
}
