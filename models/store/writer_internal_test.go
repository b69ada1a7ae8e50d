package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestGroupWriter: changes queued while the writer is busy are committed
// together, yet each stands alone — one that fails or panics is undone
// without touching the others, and every caller hears its own answer.
func TestGroupWriter(t *testing.T) {
	db := notesDB(t)
	w := db.writer
	if w == nil {
		t.Fatal("no group writer on SQLite")
	}

	// The first change holds the writer until the others are queued.
	release, firstDone := holdWriter(db)
	const n = 30
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := 100 + i
			errs[i] = db.Write(bg, func(tx *gorm.DB) error {
				if err := tx.Exec("INSERT INTO notes (id, body) VALUES (?, ?)", id, "note").Error; err != nil {
					return err
				}
				switch i % 3 {
				case 1:
					return fmt.Errorf("refused %d", id)
				case 2:
					if i%2 == 0 {
						panic("a bug")
					}
					// A failing statement, then an error: undone as well.
					_ = tx.Exec("INSERT INTO notes (id, body) VALUES (1, 'clash')")
					return errors.New("clash")
				}
				return nil
			})
		}()
	}
	time.Sleep(100 * time.Millisecond) // let the changes queue up behind the first
	close(release)
	wg.Wait()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}

	var kept []int
	if err := db.Read(bg).Raw("SELECT id FROM notes WHERE id >= 100 ORDER BY id").Scan(&kept).Error; err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := range n {
		switch {
		case i%3 == 0:
			want = append(want, 100+i)
			if errs[i] != nil {
				t.Errorf("change %d: %v", i, errs[i])
			}
		case errs[i] == nil:
			t.Errorf("change %d: no error", i)
		}
	}
	if fmt.Sprint(kept) != fmt.Sprint(want) {
		t.Errorf("kept %v, want %v", kept, want)
	}
	if c, ch := w.commits.Load(), w.changes.Load(); ch != n+2 || c >= ch { // with the table and the first note
		t.Errorf("%d changes in %d transactions: nothing was grouped", ch, c)
	}

	// What a batch ran is prepared once the connection is free, and the
	// next batches run it prepared; the writer's own savepoint is kept too,
	// gorm's (a new name each time) never.
	// (The cache belongs to the writer goroutine: look at it from a change.)
	insert := "INSERT INTO notes (id, body) VALUES (?, ?)"
	var prepared []string
	if err := db.Write(bg, func(*gorm.DB) error {
		for q := range w.stmts.stmts {
			prepared = append(prepared, q)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(prepared, insert) {
		t.Errorf("the insert was not kept prepared: %q", prepared)
	}
	if !slices.Contains(prepared, "SAVEPOINT queued_change") || !slices.Contains(prepared, "RELEASE queued_change") {
		t.Errorf("the writer's savepoint was not kept prepared: %q", prepared)
	}
	if err := db.Write(bg, func(tx *gorm.DB) error {
		return tx.Transaction(func(tx *gorm.DB) error { return tx.Exec(insert, 4, "nested").Error })
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(bg, func(*gorm.DB) error {
		for q := range w.stmts.stmts {
			if strings.HasPrefix(q, "SAVEPOINT sp") {
				t.Errorf("one of gorm's savepoints was kept: %s", q)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(bg, func(tx *gorm.DB) error { return tx.Exec(insert, 3, "prepared").Error }); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := db.Read(bg).Raw("SELECT body FROM notes WHERE id = 3").Scan(&body).Error; err != nil || body != "prepared" {
		t.Errorf("a prepared insert stored %q (%v)", body, err)
	}

	db.Close()
	if err := db.Write(bg, func(*gorm.DB) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: %v", err)
	}
}

// TestSQLitePageCaches: the writer keeps a larger page cache than each of
// the readers, so that five connections do not hold five copies of the
// database in the process's memory.
func TestSQLitePageCaches(t *testing.T) {
	db, err := Open("sqlite:"+filepath.Join(t.TempDir(), "c.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var writer, reader int
	err = db.Write(bg, func(tx *gorm.DB) error { return tx.Raw("PRAGMA cache_size").Scan(&writer).Error })
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Read(bg).Raw("PRAGMA cache_size").Scan(&reader).Error; err != nil {
		t.Fatal(err)
	}
	if writer != -8000 || reader != -2000 {
		t.Errorf("page caches: writer %d KiB, reader %d KiB; want 8000 and 2000", -writer, -reader)
	}
}

// TestGroupWriterUndoFails: a change whose writes cannot be undone takes
// its whole batch with it, so that no caller is told of a failure whose
// writes were stored, nor of a success that was not; the writer goes on.
func TestGroupWriterUndoFails(t *testing.T) {
	db := notesDB(t)
	release, firstDone := holdWriter(db)
	var fine, broken error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		fine = db.Write(bg, func(tx *gorm.DB) error { return tx.Exec("INSERT INTO notes (id, body) VALUES (2, 'fine')").Error })
	}()
	go func() {
		defer wg.Done()
		broken = db.Write(bg, func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO notes (id, body) VALUES (3, 'broken')").Error; err != nil {
				return err
			}
			// Its own savepoint gone, nothing can undo the insert.
			if err := tx.Exec("RELEASE queued_change").Error; err != nil {
				return err
			}
			return errors.New("refused")
		})
	}()
	time.Sleep(100 * time.Millisecond) // both queue up behind the first
	close(release)
	wg.Wait()
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	if !errors.Is(broken, errNotUndone) {
		t.Errorf("the change that could not be undone: %v", broken)
	}
	if fine == nil {
		t.Error("a change of the rolled-back batch was answered as stored")
	}
	var ids []int
	if err := db.Read(bg).Raw("SELECT id FROM notes ORDER BY id").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids) != "[1]" {
		t.Errorf("stored %v, want only the first batch's [1]", ids)
	}
	if err := db.Write(bg, func(tx *gorm.DB) error { return tx.Exec("INSERT INTO notes (id, body) VALUES (4, 'after')").Error }); err != nil {
		t.Errorf("the writer after a rolled-back batch: %v", err)
	}
}

var bg = context.Background()

// notesDB is a new SQLite database with one table, notes.
func notesDB(t *testing.T) *Store {
	t.Helper()
	db, err := Open("sqlite:"+filepath.Join(t.TempDir(), "w.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Write(bg, func(tx *gorm.DB) error {
		return tx.Exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").Error
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

// holdWriter starts a change (note 1) that holds the group writer until
// release is closed, so that the changes asked for meanwhile queue up and
// are committed together; its answer comes on done.
func holdWriter(db *Store) (release chan struct{}, done chan error) {
	release, done = make(chan struct{}), make(chan error, 1)
	started := make(chan struct{})
	go func() {
		done <- db.Write(bg, func(tx *gorm.DB) error {
			close(started)
			<-release
			return tx.Exec("INSERT INTO notes (id, body) VALUES (1, 'first')").Error
		})
	}()
	<-started
	return release, done
}
