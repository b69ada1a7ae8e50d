package models

import "time"

// loginLimit is how many attempts a counter allows before it asks for a
// pause, and how the pause grows: Base after the Free-th attempt, doubled
// after each further one, never more than Cap. A counter that has been
// quiet for Forget starts again from nothing.
type loginLimit struct {
	Free      int
	Base, Cap time.Duration
	Forget    time.Duration
}

// Log-in limits. An account is asked for growing pauses per address and per
// remembered browser, never as a whole: someone guessing from one place
// slows only their own attempts. An address is limited across accounts
// (guessing one password for many members), generously enough for a
// lecture theatre behind one university address.
var (
	// AccountLoginLimit applies to one account from one address, or from
	// one browser that has logged in to it before.
	AccountLoginLimit = loginLimit{Free: 5, Base: time.Second, Cap: 5 * time.Minute, Forget: time.Hour}
	// AddressLoginLimit applies to one address across all accounts, for
	// browsers not remembered by the account they log in to.
	AddressLoginLimit = loginLimit{Free: 100, Base: time.Second, Cap: 5 * time.Minute, Forget: 15 * time.Minute}
)

// attemptCounter is a counter's state: attempts reserved and not forgiven
// by a success, and when the next one may be made.
type attemptCounter struct {
	Failures  int
	WaitUntil time.Time
	UpdatedAt time.Time
}

// pause is how long a counter asks to wait after its n-th attempt.
func (l loginLimit) pause(n int) time.Duration {
	if n < l.Free {
		return 0
	}
	d := l.Base
	for i := l.Free; i < n && d < l.Cap; i++ {
		d *= 2
	}
	return min(d, l.Cap)
}

// reserve decides one more attempt against a counter at now: the wait when
// the counter asks for a pause (and the counter unchanged), or the counter
// with the attempt counted and the pause it now asks for.
func (l loginLimit) reserve(c attemptCounter, now time.Time) (attemptCounter, time.Duration) {
	if now.Before(c.WaitUntil) {
		return c, c.WaitUntil.Sub(now)
	}
	if now.Sub(c.UpdatedAt) >= l.Forget {
		c.Failures = 0
	}
	c.Failures++
	if p := l.pause(c.Failures); p > 0 {
		c.WaitUntil = now.Add(p)
	}
	c.UpdatedAt = now
	return c, 0
}
