// Package models owns Rounds' data: the GORM models, every query, the
// versioned migrations, and the rules that must hold whatever the caller —
// capacity and waitlists, attendance precedence, feedback eligibility, the
// outbox. Functions take a *gorm.DB so they run inside a caller's transaction.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"
)

// Dialect names the database behind a *gorm.DB.
type Dialect string

// The databases Rounds runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DialectOf tells which database db talks to.
func DialectOf(db *gorm.DB) Dialect {
	if db.Dialector.Name() == "postgres" {
		return Postgres
	}
	return SQLite
}

const sqliteDriver = "sqlite3_rounds"

var registerSQLite sync.Once

// sqlitePragmas run on every new SQLite connection. journal_size_limit keeps
// the WAL file from growing without bound after checkpoints.
var sqlitePragmas = []string{
	"PRAGMA journal_mode = WAL",
	"PRAGMA busy_timeout = 10000",
	"PRAGMA foreign_keys = ON",
	"PRAGMA synchronous = NORMAL",
	"PRAGMA journal_size_limit = 67108864",
	"PRAGMA temp_store = MEMORY",
	"PRAGMA wal_autocheckpoint = " + strconv.Itoa(walBackstopPages), // see checkpoint.go
}

// Open connects to the database named by url ("sqlite:PATH" or
// "postgres://…") and configures it for Rounds. It does not migrate.
func Open(url string, log *slog.Logger) (*gorm.DB, error) {
	cfg := &gorm.Config{
		Logger:                                   newGormLogger(log),
		NowFunc:                                  func() time.Time { return time.Now().UTC() },
		DisableForeignKeyConstraintWhenMigrating: true,
		TranslateError:                           true,
	}
	switch {
	case strings.HasPrefix(url, "sqlite:"):
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
		// Each connection keeps its own page cache (a negative size is in
		// KiB): the writer a larger one, the readers SQLite's usual 2 MB.
		// Pages they do not hold come from the operating system's file
		// cache, which all of them share; five large caches would each hold
		// much the same pages, as memory of the process.
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
			return nil, fmt.Errorf("database: open %s: %w", path, err)
		}
		// Reads outside a transaction go to a small pool of their own, so
		// they do not queue behind writes (WAL lets them run side by side).
		readers, err := sql.Open(sqliteDriver, dsn+"&_cache_size=-2000")
		if err != nil {
			return nil, fmt.Errorf("database: open %s for reading: %w", path, err)
		}
		readers.SetMaxOpenConns(sqliteReaders)
		readers.SetMaxIdleConns(sqliteReaders)
		pool := newReadPool(readers)
		err = db.Use(dbresolver.Register(dbresolver.Config{
			Replicas: []gorm.Dialector{sqlite.New(sqlite.Config{DriverName: sqliteDriver, DSN: dsn + "&_cache_size=-2000", Conn: pool})},
		}))
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("database: %w", err)
		}
		if err := db.Use(&groupWriter{}); err != nil {
			pool.Close()
			return nil, fmt.Errorf("database: %w", err)
		}
		readPools.Store(sqlDB, pool)
		return db, nil
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		db, err := gorm.Open(postgres.Open(url), cfg)
		if err != nil {
			return nil, fmt.Errorf("database: open postgres: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(10)
		sqlDB.SetConnMaxLifetime(30 * time.Minute)
		return db, nil
	}
	return nil, fmt.Errorf("database: %q must start with sqlite: or postgres://", url)
}

// sqliteReaders is the size of SQLite's read pool.
const sqliteReaders = 4

// readPools holds each SQLite database's read pool, by its writer.
var readPools sync.Map

// Close closes the database's connections.
func Close(db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	if w := writerOf(db); w != nil {
		w.close()
	}
	if r, ok := readPools.LoadAndDelete(sqlDB); ok {
		r.(*readPool).Close()
	}
	return sqlDB.Close()
}

// Ping tells whether the database answers.
func Ping(ctx context.Context, db *gorm.DB) error {
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Optimize runs SQLite's PRAGMA optimize; it does nothing on PostgreSQL.
func Optimize(db *gorm.DB) error {
	if DialectOf(db) != SQLite {
		return nil
	}
	return db.Exec("PRAGMA optimize").Error
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
