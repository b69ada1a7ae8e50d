package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Migrations are plain SQL files, one folder per dialect, named
// NNNN_what.sql. They are append-only: a released file is never edited.
//
//go:embed migrations
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", e.Name())
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := range out {
		if i > 0 && out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migration %d appears twice", out[i].version)
		}
	}
	return out, nil
}

// Migrate applies every migration the database has not seen yet, each in its
// own transaction. Several instances may call it at once: on PostgreSQL an
// advisory lock, on SQLite the single writer, makes them take turns.
// Migrations run on the writer's connection directly, not through Write:
// they are not retried and may take longer than a statement's timeout.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	d := s.dialect
	db := s.db.WithContext(ctx)
	all, err := loadMigrations(d)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`
	if d == Postgres {
		create = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`
	}
	if d == Postgres {
		// Two instances starting at once would both try to create it.
		err = db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7472001)").Error; err != nil {
				return err
			}
			return tx.Exec(create).Error
		})
	} else {
		err = db.Exec(create).Error
	}
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	for _, m := range all {
		err := db.Transaction(func(tx *gorm.DB) error {
			if d == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7472001)").Error; err != nil {
					return err
				}
			}
			var n int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", m.version).Scan(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(m.sql) {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			applied++
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", m.version, m.name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migrate %04d_%s: %w", m.version, m.name, err)
		}
	}
	return applied, nil
}

// SchemaVersion is the newest migration applied, or 0.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := s.Read(ctx).Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}

// splitStatements cuts a migration into statements at semicolons that end a
// line. Migrations hold no procedural code, so that is enough.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "--") || trimmed == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
