package store

import (
	"context"
	"database/sql"
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
	ctx  context.Context
	fn   func(tx *gorm.DB) error
	done chan error
}

// groupWriter runs queued changes together on SQLite's one writer
// connection.
type groupWriter struct {
	db       *gorm.DB
	stmts    stmtCache
	jobs     chan *writeJob
	stop     chan struct{}
	stopOnce sync.Once
	stopped  chan struct{}

	commits, changes atomic.Int64 // transactions committed, changes run
}

func startGroupWriter(db *gorm.DB, sqlDB *sql.DB) *groupWriter {
	w := &groupWriter{
		db:      db.Session(&gorm.Session{NewDB: true}),
		stmts:   stmtCache{db: sqlDB},
		jobs:    make(chan *writeJob),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	go w.loop()
	return w
}

func (w *groupWriter) loop() {
	defer close(w.stopped)
	defer w.stmts.close()
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
	err := w.transaction(func(tx *gorm.DB) error {
		for i, j := range batch {
			if err := j.ctx.Err(); err != nil {
				errs[i] = err // its caller has gone: nothing of it is run
				continue
			}
			if errs[i] = runSaved(tx, j.fn); errors.Is(errs[i], errNotUndone) {
				return errs[i] // its writes may still be there: nothing of the batch may stay
			}
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
	// The connection is free again: prepare what the batch ran unprepared.
	w.stmts.prepareMissed()
}

// transaction runs fn in a transaction on the writer's connection, with
// its prepared statements, and commits unless fn fails. The statements of a
// batch run whatever happens to one caller's request: interrupting one
// would undo the whole batch.
func (w *groupWriter) transaction(fn func(tx *gorm.DB) error) error {
	sqlTx, err := w.stmts.db.BeginTx(context.Background(), nil)
	if err != nil {
		return err
	}
	// A Context makes the session a statement of its own, as gorm's Begin
	// does, so that setting its connection leaves the database's alone.
	tx := w.db.Session(&gorm.Session{NewDB: true, Context: context.Background()})
	tx.Statement.ConnPool = &cachedTx{Tx: sqlTx, stmts: &w.stmts}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	return nil
}

// stmtCache keeps the writer's statements prepared on its one connection.
// Preparing a statement costs SQLite about as much as running a short one,
// and database/sql cannot keep a statement prepared inside a transaction
// for the next. So a statement first seen in a transaction runs
// unprepared, is prepared on the database once the transaction is over
// and the connection free, and is bound to each later transaction as it
// stands. Only the writer goroutine touches the cache.
type stmtCache struct {
	db     *sql.DB
	stmts  map[string]*sql.Stmt
	missed map[string]bool
}

// stmtCacheMax bounds the cache; statements past it run unprepared.
const stmtCacheMax = 200

func (c *stmtCache) get(query string) *sql.Stmt { return c.stmts[query] }

func (c *stmtCache) miss(query string) {
	if !worthPreparing(query) || len(c.stmts)+len(c.missed) >= stmtCacheMax {
		return
	}
	if c.missed == nil {
		c.missed = map[string]bool{}
	}
	c.missed[query] = true
}

func (c *stmtCache) prepareMissed() {
	if len(c.missed) == 0 {
		return
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	for q := range c.missed {
		if st, err := c.db.Prepare(q); err == nil {
			c.stmts[q] = st
		}
	}
	clear(c.missed)
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		_ = st.Close()
	}
	clear(c.stmts)
}

// cachedTx is a transaction that runs the cache's prepared statements.
type cachedTx struct {
	*sql.Tx
	stmts *stmtCache
}

func (t *cachedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	t.stmts.miss(query)
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t *cachedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	t.stmts.miss(query)
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t *cachedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts.get(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	t.stmts.miss(query)
	return t.Tx.QueryRowContext(ctx, query, args...)
}

// runSaved runs fn in a savepoint of tx, undone if fn fails or panics. The
// savepoint has the same name for every change, so that its statements stay
// prepared: each is released before the next change begins (savepoints that
// a change makes inside get names of their own from gorm). A change that
// cannot be undone fails with errNotUndone.
func runSaved(tx *gorm.DB, fn func(tx *gorm.DB) error) (err error) {
	// Straight on the transaction's connection, kept prepared.
	exec := func(stmt string) error {
		_, err := tx.Statement.ConnPool.ExecContext(context.Background(), stmt)
		return err
	}
	if err := exec("SAVEPOINT queued_change"); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in a queued change: %v", p)
		}
		if err == nil {
			if err = exec("RELEASE queued_change"); err == nil {
				return
			}
		}
		// The change failed, or its savepoint could not be released: undo it.
		if uerr := exec("ROLLBACK TO queued_change"); uerr != nil {
			err = fmt.Errorf("%w: %w (%w)", errNotUndone, uerr, err)
			return
		}
		if rerr := exec("RELEASE queued_change"); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	return fn(tx)
}

// errNotUndone is a queued change whose writes could not be undone.
var errNotUndone = errors.New("a failed change could not be undone")

// do queues fn and waits until it has been committed or undone. A caller
// whose ctx ends while it waits for its turn gets ctx's error, and its
// change is not run; once its batch has begun, it hears how it went.
func (w *groupWriter) do(ctx context.Context, fn func(tx *gorm.DB) error) error {
	j := &writeJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case w.jobs <- j:
	case <-w.stop:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-j.done
}

func (w *groupWriter) close() {
	w.stopOnce.Do(func() { close(w.stop) })
	<-w.stopped
}
