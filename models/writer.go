package models

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"gorm.io/gorm"
)

// SQLite has one writer, and Rounds gives it one connection. Under a rush —
// two hundred students booking the moment a session opens — most of a
// request's time would be spent waiting for that connection, and handing it
// from one waiting request to the next costs as much again as the short
// transaction itself. So on SQLite the busiest changes (taking and giving
// up a seat, checking in) are not run by the request: they are queued to
// one writer goroutine, which runs whatever is waiting in a single
// transaction, each change in a savepoint of its own. A change that fails
// is undone alone; every caller hears back only once the transaction that
// holds its change has committed, so an answered booking is a stored one.
// PostgreSQL runs them as ordinary transactions side by side.

// ErrClosed is returned for changes asked for after the database was
// closed.
var ErrClosed = errors.New("database closed")

// groupMax is the most changes committed together.
const groupMax = 128

type writeJob struct {
	fn   func(tx *gorm.DB) error
	done chan error
}

// groupWriter runs queued changes together; it is a GORM plugin so that
// every session derived from the database finds it.
type groupWriter struct {
	db       *gorm.DB
	jobs     chan *writeJob
	stop     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}

	commits, changes atomic.Int64 // transactions committed, changes run
}

const groupWriterName = "rounds:group-writer"

func (w *groupWriter) Name() string { return groupWriterName }

func (w *groupWriter) Initialize(db *gorm.DB) error {
	w.db = db.Session(&gorm.Session{NewDB: true})
	w.jobs = make(chan *writeJob)
	w.stop = make(chan struct{})
	w.stopped = make(chan struct{})
	go w.loop()
	return nil
}

func (w *groupWriter) loop() {
	defer close(w.stopped)
	for {
		var first *writeJob
		select {
		case first = <-w.jobs:
		case <-w.stop:
			return
		}
		batch := []*writeJob{first}
	more:
		for len(batch) < groupMax {
			select {
			case j := <-w.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		w.commit(batch)
	}
}

// commit runs a batch in one transaction, each change in a savepoint, and
// tells each caller how its change went once the transaction is over.
func (w *groupWriter) commit(batch []*writeJob) {
	errs := make([]error, len(batch))
	err := w.db.Transaction(func(tx *gorm.DB) error {
		for i, j := range batch {
			errs[i] = runSaved(tx, j.fn)
		}
		return nil
	})
	w.commits.Add(1)
	w.changes.Add(int64(len(batch)))
	for i, j := range batch {
		if err != nil {
			errs[i] = err
		}
		j.done <- errs[i]
	}
}

// runSaved runs fn in a savepoint of tx, undone if fn fails or panics.
func runSaved(tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a queued change: %v", p)
		}
	}()
	return tx.Transaction(fn)
}

// do queues fn and waits until it has been committed or undone.
func (w *groupWriter) do(fn func(tx *gorm.DB) error) error {
	j := &writeJob{fn: fn, done: make(chan error, 1)}
	select {
	case w.jobs <- j:
	case <-w.stop:
		return ErrClosed
	}
	return <-j.done
}

func (w *groupWriter) close() {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.stopped
}

// writerOf is the database's group writer, or nil (PostgreSQL).
func writerOf(db *gorm.DB) *groupWriter {
	if p, ok := db.Config.Plugins[groupWriterName]; ok {
		return p.(*groupWriter)
	}
	return nil
}

// inTransaction tells whether db is already inside a transaction.
func inTransaction(db *gorm.DB) bool {
	c, ok := db.Statement.ConnPool.(gorm.TxCommitter)
	return ok && c != nil
}

// transact runs fn as one transaction: through the group writer on SQLite,
// as its own transaction otherwise, and as a savepoint when db is already a
// transaction (a change made as part of a larger one).
func transact(db *gorm.DB, fn func(tx *gorm.DB) error) error {
	if w := writerOf(db); w != nil && !inTransaction(db) {
		return w.do(fn)
	}
	return db.Transaction(fn)
}
