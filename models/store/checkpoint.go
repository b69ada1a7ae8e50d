package store

import (
	"database/sql"
	"time"
)

// SQLite copies its write-ahead log back into the database file (a
// checkpoint) once the log passes a size, and by default the connection whose
// commit crossed it does so there and then: on SQLite that is the one writer,
// with every waiting change queued behind it while the copy reads, writes and
// syncs the file. Rounds checkpoints from a reading connection instead, a few
// times a second, side by side with the writer (a passive checkpoint takes no
// lock a writer needs); the writer's own checkpoint, at a much larger log
// (walBackstopPages), is only a backstop.

// checkpointEvery is how often the log is copied back.
const checkpointEvery = 250 * time.Millisecond

// walBackstopPages is the log size at which the writer checkpoints itself:
// 40 MB of 4 KB pages, far more than a quarter of a second of changes.
const walBackstopPages = 10000

type checkpointer struct {
	stop, done chan struct{}
}

func startCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		t := time.NewTicker(checkpointEvery)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				// An error (the database busy or closing) leaves the log
				// for the next tick or the writer's backstop.
				_, _ = db.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			}
		}
	}()
	return c
}

func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}
