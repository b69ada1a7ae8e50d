package store

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// readPool runs reads on SQLite's read connections with their statements
// kept prepared. Every write starts the readers' next transactions with an
// empty page cache, so most reads are a few index look-ups that cost SQLite
// less than parsing and planning the query again; a prepared statement skips
// that. database/sql prepares each statement on a connection the first time
// it runs there.
type readPool struct {
	*sql.DB
	mu          sync.RWMutex
	stmts       map[string]*sql.Stmt
	checkpoints *checkpointer // the write-ahead log is copied back from here
}

func newReadPool(db *sql.DB) *readPool {
	return &readPool{DB: db, stmts: map[string]*sql.Stmt{}, checkpoints: startCheckpointer(db)}
}

// worthPreparing tells whether a statement should be kept prepared: not
// gorm's savepoints (their names are new each time) and not long statements
// (lists of ids, seldom run twice).
func worthPreparing(query string) bool {
	return len(query) <= 2000 && !strings.HasPrefix(query, "SAVEPOINT sp") && !strings.HasPrefix(query, "ROLLBACK TO SAVEPOINT sp")
}

// stmt is query's prepared statement, or nil when it is not kept.
func (p *readPool) stmt(ctx context.Context, query string) *sql.Stmt {
	p.mu.RLock()
	st, full := p.stmts[query], len(p.stmts) >= stmtCacheMax
	p.mu.RUnlock()
	if st != nil || full || !worthPreparing(query) {
		return st
	}
	st, err := p.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil // the query runs unprepared and reports the error itself
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if old := p.stmts[query]; old != nil {
		_ = st.Close()
		return old
	}
	if len(p.stmts) >= stmtCacheMax {
		_ = st.Close()
		return nil
	}
	p.stmts[query] = st
	return st
}

// A read's context decides whether it starts, not whether it is cut off
// half-way: given a context that can end, go-sqlite3 fetches every row on a
// goroutine of its own to watch it, which costs a session list a fifth of
// its processor time. SQLite's reads take milliseconds; a request whose
// client has gone starts no further query. (PostgreSQL, whose reads do not
// come through here, cancels a running statement.)

func (p *readPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

func (p *readPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if ctx.Err() != nil {
		return p.DB.QueryRowContext(ctx, query, args...) // answers with ctx's error at once
	}
	ctx = context.WithoutCancel(ctx)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close stops the checkpoints and closes the statements and the connections.
func (p *readPool) Close() error {
	p.checkpoints.close()
	p.mu.Lock()
	for _, st := range p.stmts {
		_ = st.Close()
	}
	clear(p.stmts)
	p.mu.Unlock()
	return p.DB.Close()
}
