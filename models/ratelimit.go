package models

import (
	"context"
	"errors"
	"math"
	"rounds/models/store"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// LoginWindow is how long a failed check-in code (and any older failed
// log-in window) is remembered.
const LoginWindow = 15 * time.Minute

type loginFailure struct {
	Key         string `gorm:"primaryKey"`
	Failures    int
	WindowStart time.Time
}

func (loginFailure) TableName() string { return "login_failures" }

// RetryAfterSeconds rounds a wait up to whole seconds, at least one.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// DeleteOldLoginFailures forgets windows that have passed, and log-in
// counters that have been quiet for longer than their limits remember.
func DeleteOldLoginFailures(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
	var n int64
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Where("window_start < ?", now.Add(-LoginWindow).UTC()).Delete(&loginFailure{})
		if res.Error != nil {
			return res.Error
		}
		attempts, err := deleteOldLoginAttempts(tx, now)
		n = res.RowsAffected + attempts
		return err
	})
	return n, err
}

// Wrong check-in codes are limited per member, so that a code cannot be
// guessed from home.
const (
	CheckinWindow        = 10 * time.Minute
	CheckinFailuresLimit = 10
)

func checkinFailureKey(userID int64) string { return "checkin:" + strconv.FormatInt(userID, 10) }

// checkinBlocked tells how long the member must wait before trying another
// code; 0 means now.
func checkinBlocked(db *gorm.DB, userID int64, now time.Time) (time.Duration, error) {
	var r loginFailure
	err := db.Where("key = ?", checkinFailureKey(userID)).Limit(1).Find(&r).Error
	if err != nil || r.Key == "" {
		return 0, err
	}
	end := r.WindowStart.Add(CheckinWindow)
	if r.Failures >= CheckinFailuresLimit && now.Before(end) {
		return end.Sub(now), nil
	}
	return 0, nil
}

// recordCheckinFailure counts one wrong code against the member, in the
// transaction tx.
func recordCheckinFailure(tx *gorm.DB, userID int64, now time.Time) error {
	now = now.UTC()
	expired := now.Add(-CheckinWindow)
	return tx.Exec(`INSERT INTO login_failures (key, failures, window_start) VALUES (?, 1, ?)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN login_failures.window_start < ? THEN 1 ELSE login_failures.failures + 1 END,
  window_start = CASE WHEN login_failures.window_start < ? THEN excluded.window_start ELSE login_failures.window_start END`,
		checkinFailureKey(userID), now, expired, expired).Error
}

// guardCheckin refuses a member who has tried too many wrong codes, and
// counts a wrong code when check fails with ErrCheckinCode.
func guardCheckin[T any](ctx context.Context, st *store.Store, userID int64, now time.Time, check func() (T, bool, error)) (T, bool, error) {
	var zero T
	wait, err := checkinBlocked(st.Read(ctx), userID, now)
	if err != nil {
		return zero, false, err
	}
	if wait > 0 {
		return zero, false, &RateLimitedError{RetryAfterSeconds: RetryAfterSeconds(wait)}
	}
	out, created, err := check()
	if errors.Is(err, ErrCheckinCode) {
		rerr := st.Write(ctx, func(tx *gorm.DB) error { return recordCheckinFailure(tx, userID, now) })
		if rerr != nil {
			return zero, false, rerr
		}
	}
	return out, created, err
}
