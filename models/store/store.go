// Package store is the one way to Rounds' database. It opens SQLite or
// PostgreSQL, applies the migrations, and hands the domain two things:
//
//   - Read(ctx), a *gorm.DB to read with, outside any transaction;
//   - Write(ctx, fn), which runs fn as one transaction and commits it.
//
// Everything about connections lives here and nowhere else: SQLite's single
// writer and its grouped commits (writer.go), its read pool with statements
// kept prepared (readpool.go), checkpoints of its write-ahead log
// (checkpoint.go), PostgreSQL's retries of a transaction that deadlocked or
// failed to serialise, and the deadline every statement runs under. The
// domain above never chooses a connection and never sees a statement cache:
// it reads with Read and changes with Write, and GORM is its one query layer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the database behind a Store.
type Dialect string

// The databases Rounds runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// StatementTimeout bounds the statements on PostgreSQL: it cancels a
// statement that runs longer, and a change (with its retries) that takes
// longer is given up. It matches the HTTP server's write timeout: past it,
// no answer could reach the client anyway. On SQLite a change waits for its
// turn only as long as its caller does, and runs in a batch that no
// caller's deadline may interrupt (see writer.go).
const StatementTimeout = 60 * time.Second

// Store is an open database.
type Store struct {
	dialect Dialect
	db      *gorm.DB     // the writer: SQLite's one connection, or PostgreSQL's pool
	read    *gorm.DB     // reads: SQLite's read pool, or PostgreSQL's pool
	writer  *groupWriter // SQLite only
	readers *readPool    // SQLite only
	sqlDB   *sql.DB

	retries atomic.Int64 // transactions run again at PostgreSQL's request

	memo memo // results of long reads (memo.go)

	closeOnce sync.Once
	closeErr  error
}

const sqliteDriver = "sqlite3_rounds"

var registerSQLite sync.Once

// sqlitePragmas run on every new SQLite connection. journal_size_limit keeps
// the WAL file from growing without bound after checkpoints. mmap_size lets
// reads use the operating system's file cache in place instead of copying
// each page into the connection's own cache: the dashboard's long reads
// spend a third less processor time. The mapped pages are the file's, shared
// by every connection (they count in VmRSS, not in the process's private
// memory).
var sqlitePragmas = []string{
	"PRAGMA journal_mode = WAL",
	"PRAGMA busy_timeout = 10000",
	"PRAGMA foreign_keys = ON",
	"PRAGMA synchronous = NORMAL",
	"PRAGMA journal_size_limit = 67108864",
	"PRAGMA temp_store = MEMORY",
	"PRAGMA mmap_size = 1073741824",
	"PRAGMA wal_autocheckpoint = " + strconv.Itoa(walBackstopPages), // see checkpoint.go
}

// sqliteReaders is the size of SQLite's read pool.
const sqliteReaders = 4

// Open connects to the database named by url ("sqlite:PATH" or
// "postgres://…") and configures it for Rounds. It does not migrate.
func Open(url string, log *slog.Logger) (*Store, error) {
	cfg := &gorm.Config{
		Logger:                                   newGormLogger(log),
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
		return openSQLite(url, cfg)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		return openPostgres(url, cfg)
	}
	return nil, fmt.Errorf("database: %q must start with sqlite: or postgres://", url)
}

func openSQLite(url string, cfg *gorm.Config) (*Store, error) {
	path := strings.TrimPrefix(url, "sqlite:")
	path = strings.TrimPrefix(path, "//")
	registerSQLite.Do(func() {
		sql.Register(sqliteDriver, &sqlite3.SQLiteDriver{
			ConnectHook: func(c *sqlite3.SQLiteConn) error {
				for _, p := range sqlitePragmas {
					if _, err := c.Exec(p, nil); err != nil {
						return fmt.Errorf("%s: %w", p, err)
					}
				}
				return nil
			},
		})
	})
	// _txlock=immediate makes every transaction take the write lock at
	// BEGIN, so a read-then-write rule cannot be overtaken by another writer.
	dsn := "file:" + path + "?_txlock=immediate"
	if strings.Contains(path, "?") {
		dsn = "file:" + path + "&_txlock=immediate"
	}
	// Each connection keeps its own page cache (a negative size is in KiB):
	// the writer a larger one, the readers SQLite's usual 2 MB. Pages they
	// do not hold come from the operating system's file cache, which all of
	// them share; five large caches would each hold much the same pages, as
	// memory of the process.
	db, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: dsn + "&_cache_size=-8000"}), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	// One writer connection: SQLite has one writer anyway, and a single
	// connection makes every transaction strictly serial.
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0)
	sqlDB.SetConnMaxIdleTime(0)
	if err := sqlDB.Ping(); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database: open %s: %w", path, err)
	}
	// Reads go to a small pool of their own, so they do not queue behind
	// writes (WAL lets them run side by side).
	conns, err := sql.Open(sqliteDriver, dsn+"&_cache_size=-2000")
	if err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database: open %s for reading: %w", path, err)
	}
	conns.SetMaxOpenConns(sqliteReaders)
	conns.SetMaxIdleConns(sqliteReaders)
	readers := newReadPool(conns)
	read, err := gorm.Open(sqlite.New(sqlite.Config{DriverName: sqliteDriver, Conn: readers}), cfg)
	if err != nil {
		readers.Close()
		_ = sqlDB.Close()
		return nil, fmt.Errorf("database: open %s for reading: %w", path, err)
	}
	s := &Store{dialect: SQLite, db: db, read: read, readers: readers, sqlDB: sqlDB}
	s.writer = startGroupWriter(db, sqlDB)
	return s, nil
}

func openPostgres(dsn string, cfg *gorm.Config) (*Store, error) {
	db, err := gorm.Open(postgres.Open(withStatementTimeout(dsn)), cfg)
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(DefaultMaxConns)
	sqlDB.SetMaxIdleConns(DefaultMaxConns / 2)
	sqlDB.SetConnMaxLifetime(30 * time.Minute)
	return &Store{dialect: Postgres, db: db, read: db, sqlDB: sqlDB}, nil
}

// LimitConnections sets how many connections to PostgreSQL the store may
// hold at once (DefaultMaxConns unless told); half of them stay open while
// idle. SQLite's connections are fixed: one writer and a few readers.
func (s *Store) LimitConnections(n int) {
	if s.dialect != Postgres || n < 1 {
		return
	}
	s.sqlDB.SetMaxOpenConns(n)
	s.sqlDB.SetMaxIdleConns(max(1, n/2))
}

// DefaultMaxConns is how many connections to PostgreSQL a store holds at
// most, unless LimitConnections says otherwise.
const DefaultMaxConns = 20

// withStatementTimeout asks PostgreSQL to cancel any statement that runs
// longer than StatementTimeout, unless the address already says otherwise.
func withStatementTimeout(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	if q.Get("statement_timeout") == "" {
		q.Set("statement_timeout", strconv.FormatInt(StatementTimeout.Milliseconds(), 10))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Dialect tells which database the store talks to.
func (s *Store) Dialect() Dialect { return s.dialect }

// Read is a handle for reading outside a transaction, bound to ctx: when the
// request behind ctx is gone, its query stops. On SQLite it reads from the
// read pool, beside the writer. Use Write for anything that changes rows or
// must read what it is about to change.
func (s *Store) Read(ctx context.Context) *gorm.DB {
	return s.read.WithContext(ctx)
}

// Write runs fn as one transaction and commits it, unless fn fails, in
// which case nothing of it stays. fn may run more than once — PostgreSQL
// may tell a transaction to start again (a deadlock, a failure to
// serialise), and Write then does so, a few times with a random pause —
// so fn must set its results afresh each time it runs. On SQLite fn joins
// the single writer's queue and is committed with whatever else is waiting
// (see writer.go); a change whose caller has gone before its turn is not
// run at all.
func (s *Store) Write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	if s.writer != nil {
		return s.writer.do(ctx, fn)
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := s.db.WithContext(ctx).Transaction(fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		s.retries.Add(1)
		select {
		case <-time.After(retryPause(attempt)):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
}

// maxAttempts is how often Write runs a transaction that PostgreSQL told to
// start again.
const maxAttempts = 6

// retryable tells whether PostgreSQL asked for the transaction to be run
// again: a deadlock (40P01) or a failure to serialise (40001).
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// retryPause is a random pause before the next attempt, growing with each:
// two transactions that deadlocked should not meet again at once.
func retryPause(attempt int) time.Duration {
	base := time.Duration(5<<min(attempt, 6)) * time.Millisecond
	return base/2 + rand.N(base)
}

// Ping tells whether the database answers, on the writer's connection and
// on a reading one.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return s.Read(ctx).Raw("SELECT 1").Scan(&one).Error
}

// Optimize runs SQLite's PRAGMA optimize; it does nothing on PostgreSQL.
func (s *Store) Optimize(ctx context.Context) error {
	if s.dialect != SQLite {
		return nil
	}
	return s.db.WithContext(ctx).Exec("PRAGMA optimize").Error
}

// Analyze has the database gather the statistics its planner uses, after
// a bulk load (VACUUM ANALYZE on PostgreSQL, which runs outside any
// transaction).
func (s *Store) Analyze(ctx context.Context) error {
	stmt := "ANALYZE"
	if s.dialect == Postgres {
		stmt = "VACUUM ANALYZE"
	}
	return s.db.WithContext(ctx).Exec(stmt).Error
}

// Retries counts the transactions run again because PostgreSQL said so (a
// deadlock or a failure to serialise) since the store was opened. Locks
// taken in one order keep it at zero; the retries are the safety net.
func (s *Store) Retries() int64 { return s.retries.Load() }

// Stats are the writer connections' statistics, for the metrics page.
func (s *Store) Stats() sql.DBStats { return s.sqlDB.Stats() }

// Close stops the writer and closes every connection; later calls do
// nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.writer != nil {
			s.writer.close()
		}
		if s.readers != nil {
			_ = s.readers.Close()
		}
		s.closeErr = s.sqlDB.Close()
	})
	return s.closeErr
}

type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func newGormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		return logger.Discard
	}
	return &gormLogger{log: log, slow: 500 * time.Millisecond}
}

func (l *gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l *gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (l *gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (l *gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// Trace logs slow queries only; expected errors (not found, duplicates) are
// the caller's to judge.
func (l *gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if elapsed := time.Since(begin); elapsed > l.slow {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow query", "elapsed", elapsed, "rows", rows, "sql", sql)
	}
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && l.log.Enabled(ctx, slog.LevelDebug) {
		sql, _ := fc()
		l.log.DebugContext(ctx, "query failed", "sql", sql, slog.Any("error", err))
	}
}

// DialectOf tells which database a handle from Read or Write talks to, for
// the few statements spelt differently on each.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}
