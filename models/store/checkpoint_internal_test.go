package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestBackgroundCheckpoints: what the writer commits is copied back into
// the database file without the writer doing it, and the writer's own
// checkpoint waits for a much larger log.
func TestBackgroundCheckpoints(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open("sqlite:"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var backstop int
	if err := db.Read(bg).Raw("PRAGMA wal_autocheckpoint").Scan(&backstop).Error; err != nil {
		t.Fatal(err)
	}
	if backstop != walBackstopPages {
		t.Fatalf("the writer checkpoints at %d pages, want %d", backstop, walBackstopPages)
	}
	if err := db.Write(bg, func(tx *gorm.DB) error {
		return tx.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").Error
	}); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	// Wait for the table itself to reach the file, then write about 400
	// pages: far below the writer's backstop, so only the background
	// checkpoints can bring them into the file.
	time.Sleep(3 * checkpointEvery)
	before := size()
	body := strings.Repeat("x", 2000)
	for i := 0; i < 20; i++ {
		err := db.Write(bg, func(tx *gorm.DB) error {
			for j := 0; j < 40; j++ {
				if err := tx.Exec("INSERT INTO notes (body) VALUES (?)", body).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+800*2000 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file stayed at %d bytes (%d before 1.6 MB were written): nothing was checkpointed", size(), before)
		}
		time.Sleep(checkpointEvery / 5)
	}
}
