package handlers

import (
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// perMinute lets each address make at most limit requests in a clock
// minute, and answers the rest 429 with the seconds until the next one.
// It counts in this instance's memory: with several instances each keeps
// its own count, which is enough to make guessing a certificate's code by
// trying them slow.
type perMinute struct {
	limit int
	now   func() time.Time

	mu     sync.Mutex
	minute time.Time
	counts map[string]int
}

func newPerMinute(limit int, now func() time.Time) *perMinute {
	return &perMinute{limit: limit, now: now, counts: map[string]int{}}
}

func (l *perMinute) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		now := l.now()
		minute := now.Truncate(time.Minute)
		l.mu.Lock()
		if !minute.Equal(l.minute) {
			l.minute, l.counts = minute, map[string]int{}
		}
		l.counts[c.RealIP()]++
		over := l.counts[c.RealIP()] > l.limit
		l.mu.Unlock()
		if over {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(minute.Add(time.Minute).Sub(now).Seconds())+1))
			return echo.ErrTooManyRequests
		}
		return next(c)
	}
}
