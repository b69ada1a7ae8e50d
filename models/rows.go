package models

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
)

// Reading a row through gorm costs more than SQLite's own work for the
// queries made most often: the member behind a token (every request), the
// session a booking locks and the session lists. gorm finds each column's
// field by reflection; these scan the columns straight into the fields.
// TestRowColumns checks that each list names every column of its model, in
// the order of its fields.

const userColumns = "id, email, name, password_hash, role, year_of_study, created_at, updated_at"

func (u *User) fields() []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.YearOfStudy, &u.CreatedAt, &u.UpdatedAt}
}

// inUTC puts the member's times in UTC whatever the driver returns.
func (u *User) inUTC() {
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
}

const sessionColumns = "id, title, description, topic, format, year_groups, mode, venue, online_url, " +
	"in_person_capacity, online_capacity, starts_at, ends_at, status, cancel_reason, sequence, created_by, " +
	"created_at, updated_at, confirmed_in_person, confirmed_online, waitlisted_in_person, waitlisted_online, queue_tail"

func (s *Session) fields() []any {
	return []any{&s.ID, &s.Title, &s.Description, &s.Topic, &s.Format, &s.YearGroups, &s.Mode, &s.Venue, &s.OnlineURL,
		&s.InPersonCapacity, &s.OnlineCapacity, &s.StartsAt, &s.EndsAt, &s.Status, &s.CancelReason, &s.Sequence, &s.CreatedBy,
		&s.CreatedAt, &s.UpdatedAt, &s.ConfirmedInPerson, &s.ConfirmedOnline, &s.WaitlistedInPerson, &s.WaitlistedOnline, &s.QueueTail}
}

// scanSessions runs q, which selects sessionColumns, and scans its rows.
func scanSessions(q *gorm.DB) ([]Session, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Session{}
	for rows.Next() {
		var s Session
		if err := rows.Scan(s.fields()...); err != nil {
			return nil, err
		}
		s.inUTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// qualified prefixes each column of a list with its table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = table + "." + c
	}
	return strings.Join(cols, ", ")
}

// scanRow runs a query for one row straight on the connection (see
// directRow) and scans it into dest; ErrNotFound when there is none.
func scanRow(db *gorm.DB, query string, args []any, dest ...any) error {
	err := directRow(db, query, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Straight to the connection. gorm builds each statement anew (clauses,
// callbacks, hooks), and for the few statements that every booking and every
// request make that costs more than the database's own work. They run here
// as written, on what db stands for: its transaction, or, outside one, the
// database — SQLite's read pool for a SELECT, as gorm's resolver would send
// it. Placeholders are written ? and numbered for PostgreSQL. Such statements
// bypass gorm's log of slow queries.

// directRow runs a statement that returns at most one row.
func directRow(db *gorm.DB, query string, args ...any) *sql.Row {
	return directConn(db, query).QueryRowContext(db.Statement.Context, placeholders(db, query), args...)
}

// directExec runs a statement that changes rows.
func directExec(db *gorm.DB, query string, args ...any) (sql.Result, error) {
	return directConn(db, query).ExecContext(db.Statement.Context, placeholders(db, query), args...)
}

// directConn is where query runs: only a SELECT outside a transaction goes
// to SQLite's read pool; anything that writes goes to the one writer.
func directConn(db *gorm.DB, query string) gorm.ConnPool {
	if strings.HasPrefix(query, "SELECT ") && !inTransaction(db) {
		if sqlDB, err := db.DB(); err == nil {
			if p, ok := readPools.Load(sqlDB); ok {
				return p.(*readPool)
			}
		}
	}
	return db.Statement.ConnPool
}

// numbered caches PostgreSQL's spelling of each statement.
var numbered sync.Map

// placeholders numbers the ? of query ($1, $2, …) on PostgreSQL. The
// statements given to it hold no ? of their own.
func placeholders(db *gorm.DB, query string) string {
	if DialectOf(db) != Postgres {
		return query
	}
	if q, ok := numbered.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	numbered.Store(query, b.String())
	return b.String()
}

// utcPtr is t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
