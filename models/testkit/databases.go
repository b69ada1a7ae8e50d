package testkit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"rounds/models/store"
	"strings"
	"sync"
	"testing"
)

// PostgresURL is the server tests may create databases on, or "".
func PostgresURL() string { return os.Getenv("ROUNDS_TEST_POSTGRES_URL") }

// Run calls fn once per available database, as subtests named "sqlite" and
// "postgres", each with a fresh migrated database.
func Run(t *testing.T, fn func(t *testing.T, db *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// URLs returns a fresh, migrated database URL per available dialect, for
// tests that start whole servers.
func URLs(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "rounds.db")}
	if PostgresURL() != "" {
		out["postgres"] = NewPostgresDatabase(t)
	}
	return out
}

// SQLite opens a new migrated SQLite database in a temporary folder.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	db, err := store.Open("sqlite:"+filepath.Join(t.TempDir(), "rounds.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// Postgres opens a new migrated PostgreSQL database that is dropped when the
// test ends. It skips the test when no server is configured.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	db, err := store.Open(NewPostgresDatabase(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// NewPostgresDatabase creates a migrated database (cloned from a template
// migrated once per test binary) and returns its URL; it is dropped when the
// test ends.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	base := PostgresURL()
	if base == "" {
		t.Skip("PostgreSQL not configured: set ROUNDS_TEST_POSTGRES_URL")
	}
	admin, err := store.Open(base, nil)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	templateOnce.Do(func() {
		templateName = "rounds_tmpl_" + randomSuffix()
		if templateErr = admin.Read(context.Background()).Exec("CREATE DATABASE " + templateName).Error; templateErr != nil {
			return
		}
		var tdb *store.Store
		if tdb, templateErr = store.Open(withDatabase(base, templateName), nil); templateErr != nil {
			return
		}
		_, templateErr = tdb.Migrate(context.Background())
		_ = tdb.Close()
	})
	if templateErr != nil {
		t.Fatalf("postgres template: %v", templateErr)
	}
	name := "rounds_test_" + randomSuffix()
	if err := admin.Read(context.Background()).Exec(fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, templateName)).Error; err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	t.Cleanup(func() {
		a, err := store.Open(base, nil)
		if err != nil {
			return
		}
		defer a.Close()
		a.Read(context.Background()).Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return withDatabase(base, name)
}

// dropTemplate removes the template database, once the tests ran.
func dropTemplate() {
	if templateName == "" || PostgresURL() == "" {
		return
	}
	if a, err := store.Open(PostgresURL(), nil); err == nil {
		a.Read(context.Background()).Exec("DROP DATABASE IF EXISTS " + templateName + " WITH (FORCE)")
		_ = a.Close()
	}
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return strings.ToLower(hex.EncodeToString(b))
}
