package store

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestReadAndWriteConnections: on SQLite a read goes to the read pool, with
// its statements kept prepared, and a change to the one writer.
func TestReadAndWriteConnections(t *testing.T) {
	db := notesDB(t)
	if _, ok := db.Read(bg).Statement.ConnPool.(*readPool); !ok {
		t.Errorf("a read runs on %T, not the read pool", db.Read(bg).Statement.ConnPool)
	}
	err := db.Write(bg, func(tx *gorm.DB) error {
		if _, ok := tx.Statement.ConnPool.(*cachedTx); !ok {
			t.Errorf("a change runs on %T, not the writer's transaction", tx.Statement.ConnPool)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWriteGoneCaller: a change whose caller has gone before its turn is
// not run, and the caller hears why; the writer goes on with the rest.
func TestWriteGoneCaller(t *testing.T) {
	db := notesDB(t)
	release, firstDone := holdWriter(db)
	ctx, cancel := context.WithCancel(bg)
	gone := make(chan error, 1)
	go func() {
		gone <- db.Write(ctx, func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO notes (id, body) VALUES (2, 'gone')").Error
		})
	}()
	time.Sleep(50 * time.Millisecond) // queued behind the first
	cancel()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Errorf("a change whose caller left: %v", err)
	}
	close(release)
	if err := <-firstDone; err != nil {
		t.Fatal(err)
	}
	var ids []int
	if err := db.Read(bg).Raw("SELECT id FROM notes ORDER BY id").Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || ids[0] != 1 {
		t.Errorf("stored %v, want only [1]", ids)
	}
}

// TestPostgresRetriesDeadlock: two changes that lock the same rows in
// opposite orders deadlock on their first attempt; PostgreSQL aborts one,
// and Write runs it again, so that both callers see success.
func TestPostgresRetriesDeadlock(t *testing.T) {
	db := openTestPostgres(t)
	table := "deadlock_probe_" + time.Now().Format("150405000000")
	if err := db.Write(bg, func(tx *gorm.DB) error {
		if err := tx.Exec("CREATE TABLE " + table + " (id INT PRIMARY KEY, n INT NOT NULL)").Error; err != nil {
			return err
		}
		return tx.Exec("INSERT INTO " + table + " VALUES (1, 0), (2, 0)").Error
	}); err != nil {
		t.Fatal(err)
	}
	defer db.Write(bg, func(tx *gorm.DB) error { return tx.Exec("DROP TABLE " + table).Error })

	var meet sync.WaitGroup // both hold their first row before either asks for the second
	meet.Add(2)
	var mu sync.Mutex
	attempts := map[int]int{}
	change := func(first, second int) error {
		return db.Write(bg, func(tx *gorm.DB) error {
			mu.Lock()
			attempts[first]++
			n := attempts[first]
			mu.Unlock()
			if err := tx.Exec("UPDATE "+table+" SET n = n + 1 WHERE id = ?", first).Error; err != nil {
				return err
			}
			if n == 1 {
				meet.Done()
				meet.Wait()
			}
			return tx.Exec("UPDATE "+table+" SET n = n + 1 WHERE id = ?", second).Error
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- change(1, 2) }()
	go func() { errs <- change(2, 1) }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Errorf("a change reached its caller with %v", err)
		}
	}
	if attempts[1]+attempts[2] < 3 {
		t.Errorf("attempts %v: the deadlock did not happen, so nothing was retried", attempts)
	}
	var total int
	if err := db.Read(bg).Raw("SELECT SUM(n) FROM " + table).Scan(&total).Error; err != nil {
		t.Fatal(err)
	}
	if total != 4 {
		t.Errorf("the rows were changed %d times, want 4 (each change once)", total)
	}
}

// TestRetryable: only PostgreSQL's deadlock and serialisation failures are
// run again.
func TestRetryable(t *testing.T) {
	if retryable(errors.New("deadlock detected")) {
		t.Error("a plain error is retried")
	}
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if d := retryPause(attempt); d <= 0 || d > time.Second {
			t.Errorf("pause before attempt %d: %v", attempt+1, d)
		}
	}
}

// TestStraightStatements: one text with $1, $2 … runs on SQLite as on
// PostgreSQL, on the connection of the handle it is given.
func TestStraightStatements(t *testing.T) {
	db := notesDB(t)
	err := db.Write(bg, func(tx *gorm.DB) error {
		if _, err := Exec(tx, "INSERT INTO notes (id, body) VALUES ($1, $2)", 7, "seven"); err != nil {
			return err
		}
		// Seen inside its transaction, before the commit.
		var body string
		if err := QueryRow(tx, "SELECT body FROM notes WHERE id = $1 AND body = $2 AND id = $1", 7, "seven").Scan(&body); err != nil {
			return err
		}
		if body != "seven" {
			t.Errorf("read back %q", body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := QueryRow(db.Read(bg), "SELECT COUNT(*) FROM notes WHERE id = $1", 7).Scan(&n); err != nil || n != 1 {
		t.Errorf("after the commit a read finds %d (%v)", n, err)
	}
}

// TestReadAfterCallerLeft: on SQLite a read asked for by a caller who has
// gone is not started.
func TestReadAfterCallerLeft(t *testing.T) {
	db := notesDB(t)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	var n int
	if err := db.Read(ctx).Raw("SELECT COUNT(*) FROM notes").Scan(&n).Error; !errors.Is(err, context.Canceled) {
		t.Errorf("a read for a caller who left: %v", err)
	}
	if err := QueryRow(db.Read(ctx), "SELECT COUNT(*) FROM notes").Scan(&n); !errors.Is(err, context.Canceled) {
		t.Errorf("a straight read for a caller who left: %v", err)
	}
}

// TestPostgresConnectionsLimited: an instance told to hold three
// connections never has more open at once on the server, however many
// reads it is asked for together, and they all still answer.
func TestPostgresConnectionsLimited(t *testing.T) {
	db := openTestPostgres(t)
	db.LimitConnections(3)
	var mu sync.Mutex
	most := 0
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var n int
			// The pause keeps each connection busy while the others ask.
			errs <- db.Read(bg).Raw("SELECT 1 FROM pg_sleep(0.05)").Scan(&n).Error
			mu.Lock()
			most = max(most, db.Stats().OpenConnections)
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if most > 3 || most < 1 {
		t.Errorf("%d connections open at once, want at most 3", most)
	}
	if s := db.Stats(); s.MaxOpenConnections != 3 || s.WaitCount == 0 {
		t.Errorf("limit %d, %d waits: the twelve reads should have queued for three connections", s.MaxOpenConnections, s.WaitCount)
	}
}

// openTestPostgres opens a store on the test server's database, or skips
// without one; it is closed when the test ends.
func openTestPostgres(t *testing.T) *Store {
	t.Helper()
	base := os.Getenv("ROUNDS_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("PostgreSQL not configured: set ROUNDS_TEST_POSTGRES_URL")
	}
	db, err := Open(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
