package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// isPostgres tells whether a database address is PostgreSQL's.
func isPostgres(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// postgresDatabase makes a database of its own on the server of admin (an
// address of any database there, such as postgres), and returns its address
// and a function that drops it.
func postgresDatabase(ctx context.Context, admin string) (string, func(), error) {
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, fmt.Errorf("-database: %w", err)
	}
	name := fmt.Sprintf("roundsload_%d_%d", os.Getpid(), time.Now().Unix())
	db, err := sql.Open("pgx", admin)
	if err != nil {
		return "", nil, err
	}
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		db.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	log.Printf("made database %s", name)
	u.Path = "/" + name
	drop := func() {
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			log.Printf("drop database %s: %v", name, err)
		}
	}
	return u.String(), drop, nil
}

// postgresFacts are the server's version and the settings that matter to the
// runs, for the report.
func postgresFacts(ctx context.Context, dsn string) string {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return ""
	}
	defer db.Close()
	var version string
	if err := db.QueryRowContext(ctx, "SHOW server_version").Scan(&version); err != nil {
		return ""
	}
	facts := []string{"PostgreSQL " + version}
	for _, name := range []string{"shared_buffers", "work_mem", "max_connections", "synchronous_commit", "wal_buffers",
		"effective_cache_size", "random_page_cost", "jit"} {
		var v string
		if err := db.QueryRowContext(ctx, "SHOW "+name).Scan(&v); err == nil {
			facts = append(facts, name+" "+v)
		}
	}
	return strings.Join(facts, ", ")
}

// deadlocks is how many deadlocks PostgreSQL has counted in the database.
func deadlocks(ctx context.Context, dsn string) int64 {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return -1
	}
	defer db.Close()
	var n int64
	if err := db.QueryRowContext(ctx, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()").Scan(&n); err != nil {
		return -1
	}
	return n
}

// barePostgres opens the database with GORM alone, as an application
// without Rounds' store would, with the store's pool of connections.
func barePostgres(dsn string, conns int) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(conns)
	sqlDB.SetMaxIdleConns(conns)
	return db, nil
}

// barePostgresBooking is the least a booking must do on PostgreSQL: lock
// the session's row, read its capacity and seat counts, insert the
// booking and update the counts, in one transaction.
func barePostgresBooking(tx *gorm.DB, sessionID, userID int64) error {
	var s struct {
		InPersonCapacity  int
		ConfirmedInPerson int
	}
	if err := tx.Raw("SELECT in_person_capacity, confirmed_in_person FROM sessions WHERE id = ? FOR UPDATE", sessionID).Scan(&s).Error; err != nil {
		return err
	}
	status, counter := "confirmed", "confirmed_in_person"
	if s.ConfirmedInPerson >= s.InPersonCapacity {
		status, counter = "waitlisted", "waitlisted_in_person"
	}
	now := time.Now().UTC()
	if err := tx.Exec(`INSERT INTO bookings (session_id, user_id, mode, status, queued_at, created_at, updated_at) VALUES (?, ?, 'in_person', ?, ?, ?, ?)`,
		sessionID, userID, status, now, now, now).Error; err != nil {
		return err
	}
	return tx.Exec("UPDATE sessions SET "+counter+" = "+counter+" + 1, queue_tail = ? WHERE id = ?", now, sessionID).Error
}

// balancer hands out the addresses of several instances in turn, one for
// each new client connection: a simple round-robin in front of them.
type balancer struct {
	addrs []string
	next  atomic.Uint64
}

// balanced are the balancers by the host:port the clients ask for.
var balanced sync.Map

// balance puts a round-robin in front of servers and returns the address
// that reaches them.
func balance(servers []*server) string {
	b := &balancer{}
	for _, s := range servers {
		b.addrs = append(b.addrs, strings.TrimPrefix(s.url, "http://"))
	}
	host := fmt.Sprintf("instances-%p:80", b)
	balanced.Store(host, b)
	return "http://" + strings.TrimSuffix(host, ":80")
}

// dial connects to addr, or for a balanced address to the next instance.
func dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if b, ok := balanced.Load(addr); ok {
		b := b.(*balancer)
		addr = b.addrs[int(b.next.Add(1)-1)%len(b.addrs)]
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// serverErrors counts answers of 500 and above over every run.
var serverErrors atomic.Int64

// checkStatus counts a server error.
func checkStatus(res *http.Response) {
	if res.StatusCode >= 500 {
		serverErrors.Add(1)
	}
}

// group is one or more instances of `rounds serve` on the same database,
// reached through one address.
type group struct {
	url     string
	servers []*server
}

// startGroup starts n instances on the database; with more than one, the
// clients reach them in turn, a connection at a time.
func startGroup(ctx context.Context, o options, dbURL, smtpURL string, n int, jobs time.Duration) (*group, error) {
	g := &group{}
	for range n {
		// The instances share the connections the database gives Rounds,
		// as a deployment must under PostgreSQL's max_connections.
		s, err := startServer(ctx, o, dbURL, smtpURL, jobs, max(2, o.dbConns/n), max(1, runtime.NumCPU()/n))
		if err != nil {
			g.stop()
			return nil, err
		}
		g.servers = append(g.servers, s)
	}
	g.url = g.servers[0].url
	if n > 1 {
		g.url = balance(g.servers)
	}
	return g, nil
}

// cpuLaps tells the processor time of every instance together since it was
// last called.
func (g *group) cpuLaps() func() time.Duration {
	var laps []func() time.Duration
	for _, s := range g.servers {
		laps = append(laps, s.cpuLaps())
	}
	return func() time.Duration {
		var d time.Duration
		for _, lap := range laps {
			d += lap()
		}
		return d
	}
}

// peaks is the most memory any instance held since the last call.
func (g *group) peaks() (rss, private int64) {
	for _, s := range g.servers {
		r, p := s.peaks()
		rss, private = max(rss, r), max(private, p)
	}
	return rss, private
}

func (g *group) peakMemory() int64 {
	var m int64
	for _, s := range g.servers {
		m = max(m, s.peakMemory())
	}
	return m
}

// retries adds up the transactions the instances ran again because
// PostgreSQL asked (rounds_db_retries_total on /metrics).
func (g *group) retries() int64 {
	var n int64
	for _, s := range g.servers {
		res, err := http.Get(s.url + "/metrics")
		if err != nil {
			return -1
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		for _, line := range strings.Split(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "rounds_db_retries_total "); ok {
				k, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				n += k
			}
		}
	}
	return n
}

func (g *group) stop() {
	var wg sync.WaitGroup
	for _, s := range g.servers {
		wg.Add(1)
		go func() { defer wg.Done(); s.stop() }()
	}
	wg.Wait()
}

// postgresLaps tells the processor time of PostgreSQL since it was last
// called, when dbURL is a PostgreSQL server on this machine (0 otherwise):
// every postgres process's own time, with what the postmaster has gathered
// of its children that have ended.
func postgresLaps(dbURL string) func() time.Duration {
	u, err := url.Parse(dbURL)
	if !isPostgres(dbURL) || err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
		return func() time.Duration { return 0 }
	}
	last := postgresCPU()
	return func() time.Duration {
		now := postgresCPU()
		d := now - last
		last = now
		return max(d, 0)
	}
}

// postgresCPU is the processor time of every postgres process, from /proc.
func postgresCPU() time.Duration {
	dirs, _ := os.ReadDir("/proc")
	var ticks int64
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		raw, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil || !bytes.Contains(raw, []byte("(postgres)")) {
			continue
		}
		// After the bracketed name: 14 utime, 15 stime, 16 cutime, 17
		// cstime (fields 12 to 15 here), in clock ticks of 10 ms.
		f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
		if len(f) < 15 {
			continue
		}
		for _, x := range f[11:15] {
			n, _ := strconv.ParseInt(x, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// settle has PostgreSQL clean up after the runs before, as pgbench does
// before each of its runs: VACUUM ANALYZE the tables bookings write, then
// a CHECKPOINT, so that no throughput run pays for the dead rows and dirty
// pages of the one before it. It does nothing on SQLite.
func settle(ctx context.Context, dbURL string) error {
	if !isPostgres(dbURL) {
		return nil
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{"VACUUM ANALYZE bookings, sessions, outbox, tokens, users", "CHECKPOINT"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
