// Package testkit is what every package's tests share: a fresh database
// built by the real migrations (SQLite always, and PostgreSQL too when
// ROUNDS_TEST_POSTGRES_URL is set), one TestMain, and one way to build the
// members, sessions, bookings and register entries a test starts from.
package testkit

import (
	"os"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"rounds/models"
)

// Main is a package's TestMain: it lowers bcrypt's cost (tests make and log
// in many members, and the default cost would dominate their time), runs
// the tests and removes the PostgreSQL template database they cloned from.
func Main(m *testing.M) {
	models.PasswordCost = bcrypt.MinCost
	code := m.Run()
	dropTemplate()
	os.Exit(code)
}
