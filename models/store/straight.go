package store

import (
	"context"
	"database/sql"

	"gorm.io/gorm"
)

// Straight statements. GORM builds every statement anew — clauses,
// callbacks, the SQL text copied placeholder by placeholder — and for the
// few statements that every booking and every request make, that costs
// more than the database's own work. Exec and QueryRow run such a
// statement as written, on the connection the handle already stands for:
// a transaction from Write (its statements kept prepared by the writer),
// or the read pool from Read. They choose no connection of their own.
//
// Placeholders are written $1, $2, … in order: PostgreSQL's spelling,
// which SQLite reads as well, so one text serves both databases. Such
// statements bypass GORM's log of slow queries; keep them for the hot
// paths, each in the one file of its use case.

// Exec runs a statement that changes rows.
func Exec(db *gorm.DB, query string, args ...any) (sql.Result, error) {
	return db.Statement.ConnPool.ExecContext(db.Statement.Context, query, args...)
}

// QueryRow runs a statement that returns at most one row.
func QueryRow(db *gorm.DB, query string, args ...any) *sql.Row {
	return db.Statement.ConnPool.QueryRowContext(db.Statement.Context, query, args...)
}

// QueryRow reads at most one row straight from the connections Read uses,
// without a GORM handle made for it: the member behind every request's
// token, the session a page is about.
func (s *Store) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.read.Statement.ConnPool.QueryRowContext(ctx, query, args...)
}
