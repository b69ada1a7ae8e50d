package models

import (
	"context"
	"fmt"
	"rounds/models/store"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// LoginFrom says where a log-in attempt comes from: the caller's address,
// and the id of a device cookie signed for the account being logged in to
// (a browser that has logged in to it before), or "".
type LoginFrom struct {
	Address string
	Device  string
}

// loginAttempt is a row of login_attempts, one counter.
type loginAttempt struct {
	Key       string `gorm:"primaryKey"`
	Failures  int
	WaitUntil time.Time
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

func (loginAttempt) TableName() string { return "login_attempts" }

// loginCounter is one counter an attempt is charged to.
type loginCounter struct {
	key     string
	limit   loginLimit
	message string // says why the caller must wait; %s is the wait in words
}

// loginCounters names the counters an attempt is charged to. A remembered
// browser answers only to its own counter for the account, so failures made
// anywhere else never hold it back; any other client is counted per account
// and address, and per address. The e-mail is kept as a hash.
func loginCounters(email string, from LoginFrom) []loginCounter {
	account := "login:" + HashSecret(NormalizeEmail(email))[:32]
	if from.Device != "" {
		return []loginCounter{{account + "|device:" + from.Device, AccountLoginLimit,
			"Too many wrong passwords for this account from this browser. Try again in %s, or reset your password."}}
	}
	return []loginCounter{
		{account + "|address:" + from.Address, AccountLoginLimit,
			"Too many wrong passwords for this account from your network. Try again in %s, or reset your password."},
		{"login-address:" + from.Address, AddressLoginLimit,
			"Too many failed log-ins from your network. Try again in %s."},
	}
}

// LogIn checks an e-mail and password under the log-in limits. Each
// attempt is reserved on its counters — read, decided and counted in one
// transaction, the rows locked on PostgreSQL — before the password is
// checked, so that parallel guesses from several instances are counted as
// surely as one after another. A success forgives the attempt.
func LogIn(ctx context.Context, st *store.Store, email, password string, from LoginFrom, now time.Time) (User, error) {
	if strings.TrimSpace(email) == "" || password == "" {
		return User{}, ErrBadCredentials // nothing to check, nothing to count
	}
	counters := loginCounters(email, from)
	if err := reserveLogin(ctx, st, counters, now.UTC()); err != nil {
		return User{}, err
	}
	u, err := Authenticate(ctx, st, email, password)
	if err != nil {
		return User{}, err
	}
	return u, st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("key = ?", counters[0].key).Delete(&loginAttempt{}).Error; err != nil {
			return err
		}
		for _, c := range counters[1:] {
			if err := tx.Model(&loginAttempt{}).Where("key = ? AND failures > 0", c.key).
				Update("failures", gorm.Expr("failures - 1")).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// reserveLogin counts one attempt on every counter, or on none and answers
// a RateLimitedError when one of them asks for a pause.
func reserveLogin(ctx context.Context, st *store.Store, counters []loginCounter, now time.Time) error {
	never := time.Unix(0, 0).UTC()
	return st.Write(ctx, func(tx *gorm.DB) error {
		rows := make([]loginAttempt, len(counters))
		var wait time.Duration
		var why string
		for i, c := range counters {
			if err := tx.Exec("INSERT INTO login_attempts (key, failures, wait_until, updated_at) VALUES (?, 0, ?, ?) ON CONFLICT (key) DO NOTHING",
				c.key, never, never).Error; err != nil {
				return err
			}
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("key = ?", c.key).Take(&rows[i]).Error; err != nil {
				return err
			}
			r := &rows[i]
			next, w := c.limit.reserve(attemptCounter{Failures: r.Failures, WaitUntil: r.WaitUntil, UpdatedAt: r.UpdatedAt}, now)
			if w > wait {
				wait, why = w, c.message
			}
			r.Failures, r.WaitUntil, r.UpdatedAt = next.Failures, next.WaitUntil, next.UpdatedAt
		}
		if wait > 0 {
			secs := RetryAfterSeconds(wait)
			return &RateLimitedError{RetryAfterSeconds: secs, Message: fmt.Sprintf(why, secondsInWords(secs))}
		}
		for _, r := range rows {
			if err := tx.Model(&loginAttempt{}).Where("key = ?", r.Key).
				Updates(map[string]any{"failures": r.Failures, "wait_until": r.WaitUntil, "updated_at": r.UpdatedAt}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// secondsInWords says a wait as a person would: "1 second", "4 minutes".
func secondsInWords(s int) string {
	switch {
	case s == 1:
		return "1 second"
	case s < 60:
		return fmt.Sprintf("%d seconds", s)
	case s <= 60:
		return "1 minute"
	default:
		return fmt.Sprintf("%d minutes", (s+59)/60)
	}
}

// deleteOldLoginAttempts forgets counters that have been quiet for longer
// than any limit remembers them.
func deleteOldLoginAttempts(tx *gorm.DB, now time.Time) (int64, error) {
	forget := max(AccountLoginLimit.Forget, AddressLoginLimit.Forget, AccountLoginLimit.Cap, AddressLoginLimit.Cap)
	res := tx.Where("updated_at < ? AND wait_until < ?", now.Add(-forget).UTC(), now.UTC()).Delete(&loginAttempt{})
	return res.RowsAffected, res.Error
}
