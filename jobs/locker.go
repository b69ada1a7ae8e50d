package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"

	"rounds/internal/clock"
	"rounds/models"
	"rounds/models/store"
)

// ErrJobLocked is returned by Locker.Lock when another runner holds the lock.
var ErrJobLocked = errors.New("job lock held by another runner")

// Locker is a gocron.Locker over the job_locks table: with several instances
// sharing a database, only one of them holds a job's lock at a time.
type Locker struct {
	db    *store.Store
	clk   clock.Clock
	owner string
	ttl   time.Duration
	hold  time.Duration
}

var _ gocron.Locker = (*Locker)(nil)

// NewLocker returns a locker that takes locks for owner. A lock lapses ttl
// after it was taken if it is not released (its holder died); a released
// lock stays taken until hold has passed since it was taken, so that an
// instance whose tick comes a moment later does not run the job again.
func NewLocker(db *store.Store, clk clock.Clock, owner string, ttl, hold time.Duration) *Locker {
	return &Locker{db: db, clk: clk, owner: owner, ttl: max(ttl, hold), hold: hold}
}

// Lock takes the lock named key, or returns an error wrapping ErrJobLocked
// if another owner holds it.
func (l *Locker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	now := l.clk.Now()
	// The lock is taken and released whole even if the scheduler is
	// stopping: a half-written lock would block other instances.
	ok, err := models.TryLockJob(context.WithoutCancel(ctx), l.db, key, l.owner, now, l.ttl)
	if err != nil {
		return nil, fmt.Errorf("job lock %s: %w", key, err)
	}
	if !ok {
		return nil, fmt.Errorf("job lock %s: %w", key, ErrJobLocked)
	}
	return &jobLock{l: l, key: key, taken: now}, nil
}

type jobLock struct {
	l     *Locker
	key   string
	taken time.Time
}

// Unlock releases the lock, or keeps it until its hold has passed.
func (k *jobLock) Unlock(ctx context.Context) error {
	ctx, db := context.WithoutCancel(ctx), k.l.db
	until := k.taken.Add(k.l.hold)
	var err error
	if k.l.clk.Now().Before(until) {
		_, err = models.HoldJobLock(ctx, db, k.key, k.l.owner, until)
	} else {
		err = models.UnlockJob(ctx, db, k.key, k.l.owner)
	}
	if err != nil {
		return fmt.Errorf("job unlock %s: %w", k.key, err)
	}
	return nil
}
