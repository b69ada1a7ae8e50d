package models

import (
	"context"
	"rounds/models/store"
	"time"

	"gorm.io/gorm"
)

// TryLockJob takes the named job lock for owner until now+ttl, if nobody
// else holds it. It tells whether the lock was taken.
func TryLockJob(ctx context.Context, st *store.Store, name, owner string, now time.Time, ttl time.Duration) (bool, error) {
	now = now.UTC()
	var done bool
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`INSERT INTO job_locks (name, owner, locked_until) VALUES (?, ?, ?)
	ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, locked_until = excluded.locked_until
	WHERE job_locks.locked_until < ? OR job_locks.owner = excluded.owner`, name, owner, now.Add(ttl), now)
		done = res.RowsAffected == 1
		return res.Error
	})
	return done, err
}

// HoldJobLock keeps a job lock held by owner until the given time, then
// lets it lapse: a job that finished early still blocks another instance
// whose tick comes a moment later. It tells whether owner still held it.
func HoldJobLock(ctx context.Context, st *store.Store, name, owner string, until time.Time) (bool, error) {
	var done bool
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE job_locks SET locked_until = ? WHERE name = ? AND owner = ?`, until.UTC(), name, owner)
		done = res.RowsAffected == 1
		return res.Error
	})
	return done, err
}

// UnlockJob releases a job lock held by owner.
func UnlockJob(ctx context.Context, st *store.Store, name, owner string) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Exec(`DELETE FROM job_locks WHERE name = ? AND owner = ?`, name, owner).Error
	})
}

// Setting returns a stored setting, or "" if there is none.
func Setting(ctx context.Context, st *store.Store, key string) (string, error) {
	return setting(st.Read(ctx), key)
}

// setting is Setting on a handle given by the caller (a transaction, or a read).
func setting(db *gorm.DB, key string) (string, error) {
	var v []string
	err := db.Raw("SELECT value FROM settings WHERE key = ?", key).Scan(&v).Error
	if err != nil || len(v) == 0 {
		return "", err
	}
	return v[0], nil
}

// EnsureSecret returns the named server secret, creating it once: every
// instance sharing the database gets the same one.
func EnsureSecret(ctx context.Context, st *store.Store, key string) (string, error) {
	var value string
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING", key, NewSecret()).Error; err != nil {
			return err
		}
		var err error
		value, err = setting(tx, key)
		return err
	})
	return value, err
}
