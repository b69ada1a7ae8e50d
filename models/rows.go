package models

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Reading a row through gorm costs more than SQLite's own work for the
// queries made most often: the member behind a token (every request), the
// session a booking locks and the session lists. gorm finds each column's
// field by reflection; these scan the columns straight into the fields.
// TestRowColumns checks that each list names every column of its model, in
// the order of its fields.

const userColumns = "id, email, name, password_hash, role, year_of_study, created_at, updated_at, email_confirmed"

func (u *User) fields() []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Role, &u.YearOfStudy, &u.CreatedAt, &u.UpdatedAt, &u.EmailConfirmed}
}

// inUTC puts the member's times in UTC whatever the driver returns.
func (u *User) inUTC() {
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
}

const sessionColumns = "id, title, description, topic, format, year_groups, mode, venue, online_url, " +
	"in_person_capacity, online_capacity, starts_at, ends_at, status, cancel_reason, sequence, created_by, " +
	"created_at, updated_at, confirmed_in_person, confirmed_online, waitlisted_in_person, waitlisted_online, queue_tail, series_id, members_only"

func (s *Session) fields() []any {
	return []any{&s.ID, &s.Title, &s.Description, &s.Topic, &s.Format, &s.YearGroups, &s.Mode, &s.Venue, &s.OnlineURL,
		&s.InPersonCapacity, &s.OnlineCapacity, &s.StartsAt, &s.EndsAt, &s.Status, &s.CancelReason, &s.Sequence, &s.CreatedBy,
		&s.CreatedAt, &s.UpdatedAt, &s.ConfirmedInPerson, &s.ConfirmedOnline, &s.WaitlistedInPerson, &s.WaitlistedOnline, &s.QueueTail, &s.SeriesID, &s.MembersOnly}
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

// scanRow scans the row of a straight query (store.QueryRow, or
// Store.QueryRow for a read) into dest, column by column; ErrNotFound when
// there is none.
func scanRow(row *sql.Row, dest ...any) error {
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// utcPtr is t in UTC, or nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
