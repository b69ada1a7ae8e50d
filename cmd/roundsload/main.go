// Command roundsload measures Rounds under load, over loopback only: a
// booking rush, booking throughput against a bare booking transaction on the
// same database, the session list page against an Echo hello-world, the
// committee dashboard, and outbox delivery to a local SMTP sink. It starts
// `rounds serve` as a separate process so that its memory can be read, and
// prints the results as Markdown.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/bcrypt"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"rounds/models"
	"rounds/models/store"
)

type options struct {
	rounds      string
	work        string
	students    int
	seats       int
	rush        int
	conns       int
	duration    time.Duration
	emails      int
	dashboardDB string
	dbConns     int
	database    string
	onlyDash    bool
}

func main() {
	var o options
	flag.StringVar(&o.rounds, "rounds", "", "the rounds binary (default: build ./cmd/rounds)")
	flag.StringVar(&o.work, "work", "", "working folder (default: a temporary one)")
	flag.IntVar(&o.students, "students", 1000, "students in the booking rush")
	flag.IntVar(&o.seats, "seats", 150, "seats of the rushed session")
	flag.IntVar(&o.rush, "rush", 200, "students booking at the same moment")
	flag.IntVar(&o.conns, "conns", 64, "connections for the throughput runs")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of each throughput run")
	flag.IntVar(&o.emails, "emails", 10000, "e-mails to deliver in the outbox run")
	flag.StringVar(&o.dashboardDB, "dashboard-db", "", "a database filled by `rounds demo --scale 5` for the dashboard run, a SQLite file or a postgres:// address (skipped without it)")
	flag.StringVar(&o.database, "database", "", "a postgres:// address of a PostgreSQL server: the runs make a database of their own there, and drop it at the end (default: SQLite)")
	flag.IntVar(&o.dbConns, "db-conns", store.DefaultMaxConns, "PostgreSQL connections in all, for the bare transaction and for Rounds: several instances share them (ROUNDS_DATABASE_MAX_CONNS of each)")
	flag.BoolVar(&o.onlyDash, "dashboard-only", false, "run only the dashboard run of -dashboard-db")
	flag.Parse()
	log.SetFlags(0)
	if err := run(context.Background(), o, os.Stdout); err != nil {
		log.Fatal("roundsload: ", err)
	}
}

func run(ctx context.Context, o options, out io.Writer) error {
	models.PasswordCost = bcrypt.MinCost // accounts are made directly; logins are not measured
	if o.work == "" {
		dir, err := os.MkdirTemp("", "roundsload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.work = dir
	}
	if o.rounds == "" {
		o.rounds = filepath.Join(o.work, "rounds")
		log.Printf("building rounds")
		cmd := exec.Command("go", "build", "-o", o.rounds, "./cmd/rounds")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	dbURL, engine := "sqlite:"+filepath.Join(o.work, "load.db"), "SQLite"
	instances := []int{1}
	if o.database != "" {
		if !isPostgres(o.database) {
			return errors.New("-database must be a postgres:// address (SQLite is the default)")
		}
		u, drop, err := postgresDatabase(ctx, o.database)
		if err != nil {
			return err
		}
		defer drop()
		dbURL, engine, instances = u, "PostgreSQL", []int{1, 2}
	}
	r := &report{}
	r.linef("# Load run, %s", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	r.linef("")
	r.linef("Machine: %s/%s, %d cores, %s. Every request over loopback; %d connections, %s per throughput run.",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), o.conns, o.duration)
	if isPostgres(dbURL) {
		r.linef("")
		r.linef("Database: %s.", postgresFacts(ctx, dbURL))
	}
	r.linef("")
	r.linef("| run | result | requests/s | p50 | p99 | errors | CPU per request | PostgreSQL's CPU per request |")
	r.linef("|---|---|---:|---:|---:|---:|---:|---:|")

	if o.onlyDash {
		if err := dashboardRun(ctx, o, r); err != nil {
			return err
		}
		_, err := io.WriteString(out, r.String())
		return err
	}
	hello := helloBaseline(o)
	r.row("Echo hello-world (baseline)", "", hello)

	seed, err := seedDatabase(dbURL, o, len(instances))
	if err != nil {
		return err
	}
	if err := settle(ctx, dbURL); err != nil {
		return err
	}
	bare, err := bareBookingBaseline(dbURL, seed, o)
	if err != nil {
		return err
	}
	r.row("bare booking transaction, GORM + "+engine+" (baseline)", "", bare)
	deadlocksBefore := int64(0)
	if isPostgres(dbURL) {
		deadlocksBefore = deadlocks(ctx, dbURL)
	}

	var memory []string
	var oneInstance float64
	for i, n := range instances {
		g, err := startGroup(ctx, o, dbURL, "", n, time.Second)
		if err != nil {
			return err
		}
		on := ""
		if len(instances) > 1 {
			on = fmt.Sprintf(" — %d instance%s", n, map[bool]string{true: "s"}[n > 1])
		}
		lap, dbLap := g.cpuLaps(), postgresLaps(dbURL)
		rush, confirmed, waitlisted := bookingRush(g.url, seed.rushSessions[i], seed, o)
		rush.cpu, rush.dbCPU = lap(), dbLap()
		verdict := fmt.Sprintf("%d confirmed, %d waitlisted", confirmed, waitlisted)
		if confirmed != o.seats || rush.errors > 0 {
			verdict += " — WRONG"
		}
		r.row(fmt.Sprintf("booking rush: %d students, %d seats, %d at once%s", o.students, o.seats, o.rush, on), verdict, rush)
		if err := settle(ctx, dbURL); err != nil {
			return err
		}
		lap()
		dbLap()
		booking := bookingThroughput(g.url, seed.sessions[i], seed, o)
		booking.cpu, booking.dbCPU = lap(), dbLap()
		bookingRSS, bookingPrivate := g.peaks()
		verdict = ""
		if bare.rate() > 0 {
			verdict = fmt.Sprintf("%.0f%% of the bare transaction", booking.rate()/bare.rate()*100)
		}
		if n == 1 {
			oneInstance = booking.rate()
		} else if oneInstance > 0 {
			verdict += fmt.Sprintf(", %.0f%% of one instance", booking.rate()/oneInstance*100)
		}
		r.row("booking endpoint, POST /api/v1/sessions/{id}/bookings"+on, verdict, booking)
		list := measure(o.conns, o.duration, func(c *http.Client) error {
			return get(c, g.url+"/sessions", seed.studentCookie)
		})
		list.cpu, list.dbCPU = lap(), dbLap()
		r.row("session list page, GET /sessions"+on, "", list)
		api := measure(o.conns, o.duration, func(c *http.Client) error {
			return get(c, g.url+"/api/v1/sessions", "Bearer "+seed.studentTokens[0])
		})
		api.cpu, api.dbCPU = lap(), dbLap()
		r.row("session list API, GET /api/v1/sessions"+on, "", api)
		listRSS, listPrivate := g.peaks()
		retries, peak := g.retries(), g.peakMemory()
		g.stop()
		memory = append(memory, fmt.Sprintf("%s: at most %.1f MiB (%.1f MiB private) during the rush and the booking run, "+
			"%.1f MiB (%.1f MiB private) during the list runs; peak over its life %.1f MiB; transactions retried: %d",
			instanceWords(n), mib(bookingRSS), mib(bookingPrivate), mib(listRSS), mib(listPrivate), mib(peak), retries))

		sent, took, err := outboxRun(ctx, o, dbURL, seed, n, i)
		if err != nil {
			return err
		}
		r.row(fmt.Sprintf("outbox: %d e-mails to a local SMTP sink%s", o.emails, on), fmt.Sprintf("%d delivered in %s, each once", sent, took.Round(time.Millisecond)),
			result{count: sent, elapsed: took})
	}

	if o.dashboardDB != "" {
		if err := dashboardRun(ctx, o, r); err != nil {
			return err
		}
	}
	r.linef("")
	r.linef("Answers of 500 or more: %d.", serverErrors.Load())
	if isPostgres(dbURL) {
		r.linef("Deadlocks PostgreSQL counted during the runs against Rounds: %d.", deadlocks(ctx, dbURL)-deadlocksBefore)
	}
	r.linef("")
	r.linef("Resident memory of each `rounds serve` (sampled every 20 ms; private is the heaps, the rest the binary's own pages, mapped from the file):")
	r.linef("")
	for _, m := range memory {
		r.linef("- %s.", m)
	}
	_, err = io.WriteString(out, r.String())
	return err
}

// instanceWords says how many instances: "one instance", "each of two instances".
func instanceWords(n int) string {
	if n == 1 {
		return "one instance"
	}
	return fmt.Sprintf("each of %d instances (the most of any)", n)
}

type report struct{ strings.Builder }

func (r *report) linef(format string, a ...any) { fmt.Fprintf(&r.Builder, format+"\n", a...) }

func (r *report) row(name, verdict string, res result) {
	cpu := "–"
	if res.cpu > 0 && res.count > 0 {
		cpu = fmt.Sprintf("%.0f µs", float64(res.cpu)/float64(res.count)/float64(time.Microsecond))
	}
	db := "–"
	if res.dbCPU > 0 && res.count > 0 {
		db = fmt.Sprintf("%.0f µs", float64(res.dbCPU)/float64(res.count)/float64(time.Microsecond))
	}
	r.linef("| %s | %s | %.0f | %s | %s | %d | %s | %s |", name, verdict, res.rate(), ms(res.quantile(0.5)), ms(res.quantile(0.99)), res.errors, cpu, db)
}

func ms(d time.Duration) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// result is what one run measured.
type result struct {
	count     int
	errors    int
	elapsed   time.Duration
	latencies []time.Duration
	cpu       time.Duration // processor time the server (or, for the bare transaction, this process) spent
	dbCPU     time.Duration // processor time PostgreSQL spent, when it runs on this machine
}

func (r result) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.count) / r.elapsed.Seconds()
}

func (r result) quantile(q float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), r.latencies...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func newClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute,
		DialContext: dial,
	}}
}

// measure runs fn from conns goroutines for d and collects latencies.
func measure(conns int, d time.Duration, fn func(*http.Client) error) result {
	client := newClient(conns)
	defer client.CloseIdleConnections()
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			errs := 0
			for time.Now().Before(deadline) {
				t := time.Now()
				if err := fn(client); err != nil {
					if errors.Is(err, errDone) {
						break
					}
					errs++
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.count = len(res.latencies)
	return res
}

// measureAfter is measure on one connection with first run, untimed,
// before each request.
func measureAfter(d time.Duration, first func() error, fn func(*http.Client) error) result {
	client := newClient(1)
	defer client.CloseIdleConnections()
	var res result
	var busy time.Duration
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if err := first(); err != nil {
			res.errors++
			continue
		}
		t := time.Now()
		if err := fn(client); err != nil {
			res.errors++
		}
		took := time.Since(t)
		busy += took
		res.latencies = append(res.latencies, took)
	}
	res.elapsed = busy
	res.count = len(res.latencies)
	return res
}

var errDone = errors.New("no more work")

func get(c *http.Client, url, auth string) error {
	req, _ := http.NewRequest("GET", url, nil)
	if strings.HasPrefix(auth, "Bearer ") {
		req.Header.Set("Authorization", auth)
	} else if auth != "" {
		req.Header.Set("Cookie", auth)
	}
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	checkStatus(res)
	_, _ = io.Copy(io.Discard, res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", url, res.StatusCode)
	}
	return nil
}

func helloBaseline(o options) result {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.String(200, "Hello, World!") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: e}
	go srv.Serve(ln)
	defer srv.Close()
	return measure(o.conns, o.duration, func(c *http.Client) error { return get(c, "http://"+ln.Addr().String()+"/", "") })
}

// seed holds the accounts and sessions made before the server starts.
type seed struct {
	rushSessions  []int64   // one rushed session for each group of instances
	sessions      [][]int64 // roomy sessions for the throughput run of each group
	studentIDs    []int64
	studentTokens []string
	studentCookie string
	committeeTok  string
	bareSessions  []int64 // sessions the bare transaction books into
}

func seedDatabase(dbURL string, o options, groups int) (*seed, error) {
	log.Printf("seeding the database")
	db, err := store.Open(dbURL, nil)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	committee, err := models.CreateUser(context.Background(), db, models.NewUser{Email: "chair@load.example", Name: "Chair", Password: "load test password", Role: models.RoleCommittee}, nil)
	if err != nil {
		return nil, err
	}
	s := &seed{}
	if s.committeeTok, _, err = models.IssueToken(context.Background(), db, models.TokenAPI, committee.ID, 24*time.Hour, now); err != nil {
		return nil, err
	}
	for i := 0; i < o.students; i++ {
		y := i%6 + 1
		u, err := models.CreateUser(context.Background(), db, models.NewUser{Email: fmt.Sprintf("student%04d@load.example", i), Name: fmt.Sprintf("Student %04d", i),
			Password: "load test password", YearOfStudy: &y}, nil)
		if err != nil {
			return nil, err
		}
		tok, _, err := models.IssueToken(context.Background(), db, models.TokenAPI, u.ID, 24*time.Hour, now)
		if err != nil {
			return nil, err
		}
		s.studentIDs = append(s.studentIDs, u.ID)
		s.studentTokens = append(s.studentTokens, tok)
	}
	login, _, err := models.IssueToken(context.Background(), db, models.TokenLogin, s.studentIDs[0], 24*time.Hour, now)
	if err != nil {
		return nil, err
	}
	s.studentCookie = "rounds_login=" + login
	mk := func(title string, capacity int, day int) (int64, error) {
		start := now.Add(time.Duration(day)*24*time.Hour + 18*time.Hour).Truncate(time.Hour)
		end := start.Add(90 * time.Minute)
		format, mode, venue, topic := models.FormatLecture, models.ModeInPerson, "Lecture Theatre 1", "Cardiology"
		years := []int{1, 2, 3, 4, 5, 6}
		in := models.SessionInput{Title: &title, Format: &format, Mode: &mode, Venue: &venue, Topic: &topic, YearGroups: &years,
			InPersonCapacity: &capacity, StartsAt: &start, EndsAt: &end}
		sess, err := models.CreateSession(context.Background(), db, committee, in, now)
		if err != nil {
			return 0, err
		}
		_, err = models.PublishSession(context.Background(), db, committee, sess.ID, now)
		return sess.ID, err
	}
	for g := 0; g < groups; g++ {
		rush, err := mk("The booking rush", o.seats, 3)
		if err != nil {
			return nil, err
		}
		s.rushSessions = append(s.rushSessions, rush)
		var roomy []int64
		for i := 0; i < 40; i++ {
			id, err := mk(fmt.Sprintf("Roomy session %d", i), 10000, 4+i%30)
			if err != nil {
				return nil, err
			}
			roomy = append(roomy, id)
		}
		s.sessions = append(s.sessions, roomy)
	}
	for i := 0; i < 40; i++ {
		id, err := mk(fmt.Sprintf("Bare session %d", i), 10000, 4+i%30)
		if err != nil {
			return nil, err
		}
		s.bareSessions = append(s.bareSessions, id)
	}
	return s, nil
}

// bareBookingBaseline books seats with the least a booking must do: in one
// immediate transaction, read the session, count its confirmed seats and
// insert the booking.
func bareBookingBaseline(dbURL string, s *seed, o options) (result, error) {
	if isPostgres(dbURL) {
		return bareBookingPostgres(dbURL, s, o)
	}
	path := strings.TrimPrefix(dbURL, "sqlite:")
	// The store, idle, copies the write-ahead log back in the background,
	// as it does beside Rounds' own writer.
	st, err := store.Open(dbURL, nil)
	if err != nil {
		return result{}, err
	}
	defer st.Close()
	db, err := bareSQLite(path)
	if err != nil {
		return result{}, err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	return bareBookings(db, s, o, bareSQLiteBooking), nil
}

// bareSQLiteBooking is the least a booking must do on SQLite: read the
// session, count its confirmed seats and insert the booking.
func bareSQLiteBooking(tx *gorm.DB, sessionID, userID int64) error {
	var capacity int
	if err := tx.Raw("SELECT in_person_capacity FROM sessions WHERE id = ?", sessionID).Scan(&capacity).Error; err != nil {
		return err
	}
	var confirmed int64
	if err := tx.Raw("SELECT COUNT(*) FROM bookings WHERE session_id = ? AND mode = 'in_person' AND status = 'confirmed'", sessionID).Scan(&confirmed).Error; err != nil {
		return err
	}
	status := "confirmed"
	if int(confirmed) >= capacity {
		status = "waitlisted"
	}
	now := time.Now().UTC()
	return tx.Exec(`INSERT INTO bookings (session_id, user_id, mode, status, queued_at, created_at, updated_at) VALUES (?, ?, 'in_person', ?, ?, ?, ?)`,
		sessionID, userID, status, now, now, now).Error
}

// bareBookingPostgres books seats with barePostgresBooking from o.conns
// goroutines over the store's pool of connections.
func bareBookingPostgres(dbURL string, s *seed, o options) (result, error) {
	db, err := barePostgres(dbURL, o.dbConns)
	if err != nil {
		return result{}, err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	dbLap := postgresLaps(dbURL)
	res := bareBookings(db, s, o, barePostgresBooking)
	res.dbCPU = dbLap()
	return res, nil
}

// bareBookings books distinct (student, session) pairs with book, each in a
// transaction of its own, from o.conns goroutines, and reports this
// process's processor time.
func bareBookings(db *gorm.DB, s *seed, o options, book func(tx *gorm.DB, sessionID, userID int64) error) result {
	var next atomic.Int64
	pairs := len(s.bareSessions) * len(s.studentIDs)
	cpu := processCPU(os.Getpid())
	res := measure(o.conns, o.duration, func(*http.Client) error {
		n := int(next.Add(1) - 1)
		if n >= pairs {
			return errDone
		}
		sessionID, userID := s.bareSessions[n%len(s.bareSessions)], s.studentIDs[n/len(s.bareSessions)]
		return db.Transaction(func(tx *gorm.DB) error { return book(tx, sessionID, userID) })
	})
	res.cpu = processCPU(os.Getpid()) - cpu
	return res
}

// bareSQLite opens the database with GORM alone, as an application without
// Rounds' store would, with the settings of the store's writer: one
// connection, write-ahead log checkpointed by someone else, immediate
// transactions, the same page cache.
func bareSQLite(path string) (*gorm.DB, error) {
	dsn := "file:" + path + "?_txlock=immediate&_journal_mode=WAL&_busy_timeout=10000&_synchronous=NORMAL&_foreign_keys=1&_cache_size=-8000"
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(1)
	sqlDB.SetMaxIdleConns(1)
	sqlDB.SetConnMaxLifetime(0)
	for _, p := range []string{"PRAGMA wal_autocheckpoint = 10000", "PRAGMA temp_store = MEMORY"} {
		if err := db.Exec(p).Error; err != nil {
			return nil, err
		}
	}
	return db, nil
}

// server is a running `rounds serve`.
type server struct {
	url     string
	cmd     *exec.Cmd
	rss     atomic.Int64 // the most resident memory seen since peaks was last called, in bytes
	private atomic.Int64 // the most private (anonymous) memory seen since then
	done    chan struct{}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts `rounds serve` on the database; its scheduled jobs run
// every jobs.
func startServer(ctx context.Context, o options, dbURL, smtpURL string, jobs time.Duration, conns, procs int) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, o.rounds, "serve")
	cmd.Env = append(os.Environ(), "ROUNDS_ADDR="+addr, "ROUNDS_DATABASE_URL="+dbURL, "ROUNDS_BASE_URL=http://"+addr,
		"ROUNDS_LOG_LEVEL=warn", "ROUNDS_SMTP_URL="+smtpURL, "ROUNDS_JOB_INTERVAL="+jobs.String(),
		"ROUNDS_DATABASE_MAX_CONNS="+strconv.Itoa(conns))
	if procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	go s.sampleMemory()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, errors.New("rounds serve did not become ready")
}

// cpuLaps returns a function that tells the processor time the server has
// used since it was last called (at first, since cpuLaps).
func (s *server) cpuLaps() func() time.Duration {
	last := processCPU(s.cmd.Process.Pid)
	return func() time.Duration {
		now := processCPU(s.cmd.Process.Pid)
		d := now - last
		last = now
		return d
	}
}

// processCPU is a process's user and system time so far, from /proc.
func processCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in brackets, may hold spaces; the fields after it
	// are 3: state … 14: utime, 15: stime, in clock ticks (100 a second).
	f := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	user, _ := strconv.ParseInt(f[11], 10, 64)
	sys, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

// peaks returns the most resident and private memory seen since the last
// call, and starts again.
func (s *server) peaks() (rss, private int64) { return s.rss.Swap(0), s.private.Swap(0) }

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// peakMemory is the server's peak resident set size, from /proc.
func (s *server) peakMemory() int64 { return s.status("VmHWM:") }

// status reads one size from the server's /proc status, in bytes.
func (s *server) status(field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// sampleMemory keeps the most resident (VmRSS) and private memory (RssAnon:
// the heaps, not the binary's own pages, which the kernel shares and can
// drop) seen every 20 ms; /proc keeps no peak of a part of the run.
func (s *server) sampleMemory() {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			if n := s.status("RssAnon:"); n > s.private.Load() {
				s.private.Store(n)
			}
			if n := s.status("VmRSS:"); n > s.rss.Load() {
				s.rss.Store(n) // a second read of /proc: at most 20 ms later, no matter
			}
		}
	}
}

func (s *server) stop() {
	close(s.done)
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
	}
}

func book(c *http.Client, url, token, body string) (string, error) {
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	checkStatus(res)
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("booking: %d %s", res.StatusCode, raw)
	}
	switch {
	case strings.Contains(string(raw), `"status":"confirmed"`):
		return "confirmed", nil
	case strings.Contains(string(raw), `"status":"waitlisted"`):
		return "waitlisted", nil
	}
	return "", fmt.Errorf("booking: unexpected answer %s", raw)
}

// bookingRush has every student book the rushed session, rush at a time.
func bookingRush(base string, session int64, s *seed, o options) (result, int, int) {
	client := newClient(o.rush)
	defer client.CloseIdleConnections() // the rush is over: its students leave
	url := fmt.Sprintf("%s/api/v1/sessions/%d/bookings", base, session)
	var confirmed, waitlisted atomic.Int64
	var mu sync.Mutex
	var res result
	work := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < o.rush; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tok := range work {
				t := time.Now()
				status, err := book(client, url, tok, `{"mode":"in_person"}`)
				lat := time.Since(t)
				mu.Lock()
				res.latencies = append(res.latencies, lat)
				if err != nil {
					res.errors++
					log.Print(err)
				}
				mu.Unlock()
				switch status {
				case "confirmed":
					confirmed.Add(1)
				case "waitlisted":
					waitlisted.Add(1)
				}
			}
		}()
	}
	for _, tok := range s.studentTokens {
		work <- tok
	}
	close(work)
	wg.Wait()
	res.elapsed = time.Since(start)
	res.count = len(res.latencies)
	return res, int(confirmed.Load()), int(waitlisted.Load())
}

// bookingThroughput books distinct (student, session) pairs as fast as the
// server takes them.
func bookingThroughput(base string, sessions []int64, s *seed, o options) result {
	var next atomic.Int64
	pairs := len(sessions) * len(s.studentTokens)
	return measure(o.conns, o.duration, func(c *http.Client) error {
		n := int(next.Add(1) - 1)
		if n >= pairs {
			return errDone
		}
		sessionID, tok := sessions[n%len(sessions)], s.studentTokens[n/len(sessions)]
		_, err := book(c, fmt.Sprintf("%s/api/v1/sessions/%d/bookings", base, sessionID), tok, `{}`)
		return err
	})
}

// sink is an SMTP server that counts what it accepts.
type sink struct {
	mu  sync.Mutex
	ids map[string]int
}

type sinkSession struct{ s *sink }

func (x *sinkSession) AuthMechanisms() []string             { return nil }
func (x *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *sinkSession) Reset()                               {}
func (x *sinkSession) Logout() error                        { return nil }
func (x *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	for _, line := range strings.Split(string(raw), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "message-id:") {
			id = strings.TrimSpace(line[len("message-id:"):])
			break
		}
	}
	x.s.mu.Lock()
	x.s.ids[id]++
	x.s.mu.Unlock()
	return nil
}

// outboxRun queues o.emails e-mails and times their delivery by n fresh
// instances to a local SMTP sink; run tells the runs apart.
func outboxRun(ctx context.Context, o options, dbURL string, s *seed, n, run int) (int, time.Duration, error) {
	db, err := store.Open(dbURL, nil)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	// The booking runs queued e-mails of their own; count only ours.
	err = db.Write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Update("status", models.OutboxSkipped).Error
	})
	if err != nil {
		return 0, 0, err
	}
	now := time.Now().UTC()
	for i := 0; i < o.emails; i++ {
		uid := s.studentIDs[i%len(s.studentIDs)]
		if _, err := models.Enqueue(ctx, db, models.Email{Kind: models.MailWelcome, Key: fmt.Sprintf("load:%d:%d", run, i), UserID: uid,
			To: fmt.Sprintf("student%04d@load.example", i%len(s.studentIDs)), ToName: "Student"}, now); err != nil {
			return 0, 0, err
		}
	}
	sk := &sink{ids: map[string]int{}}
	smtpSrv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sk}, nil }))
	smtpSrv.Domain = "localhost"
	smtpSrv.AllowInsecureAuth = true
	smtpSrv.ErrorLog = log.New(io.Discard, "", 0)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, 0, err
	}
	go smtpSrv.Serve(ln)
	defer smtpSrv.Close()

	start := time.Now()
	g, err := startGroup(ctx, o, dbURL, "smtp://"+ln.Addr().String()+"?tls=none", n, time.Second)
	if err != nil {
		return 0, 0, err
	}
	defer g.stop()
	for deadline := time.Now().Add(15 * time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		counts, err := models.OutboxCounts(ctx, db)
		if err != nil {
			return 0, 0, err
		}
		if counts[string(models.OutboxPending)] == 0 {
			break
		}
	}
	took := time.Since(start)
	sk.mu.Lock()
	defer sk.mu.Unlock()
	for id, n := range sk.ids {
		if n > 1 {
			return 0, 0, fmt.Errorf("outbox: %s delivered %d times", id, n)
		}
	}
	return len(sk.ids), took, nil
}

// dashboardRun times the committee's dashboard on a large database: the
// whole page for one academic year (the last complete one) and for five,
// one request at a time, so that the time of each is the server's; then
// one breakdown of the API from four connections.
func dashboardRun(ctx context.Context, o options, r *report) error {
	dbURL := o.dashboardDB
	if !isPostgres(dbURL) {
		dbURL = "sqlite:" + strings.TrimPrefix(dbURL, "sqlite:")
	}
	db, err := store.Open(dbURL, nil)
	if err != nil {
		return err
	}
	committee, err := models.FindUsers(ctx, db, models.UserFilter{Role: models.RoleCommittee, Limit: 1})
	if err != nil || len(committee) == 0 {
		db.Close()
		return fmt.Errorf("dashboard database has no committee member (%v)", err)
	}
	chair := committee[0]
	tok, _, err := models.IssueToken(ctx, db, models.TokenAPI, chair.ID, time.Hour, time.Now())
	if err != nil {
		db.Close()
		return err
	}
	login, _, err := models.IssueToken(ctx, db, models.TokenLogin, chair.ID, time.Hour, time.Now())
	db.Close()
	if err != nil {
		return err
	}
	// The scale demo's society has e-mails waiting and reminders to plan:
	// its jobs are left for later, so that the run measures the dashboard.
	srv, err := startServer(ctx, o, dbURL, "", time.Hour, o.dbConns, 0)
	if err != nil {
		return err
	}
	defer srv.stop()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		return err
	}
	start := models.AcademicYearStart(time.Now(), loc)
	period := func(from, to time.Time) string {
		return "from=" + from.Format("2006-01-02") + "&to=" + to.Format("2006-01-02")
	}
	on := "SQLite"
	if isPostgres(dbURL) {
		on = "PostgreSQL"
	}
	// A change to anything the page shows moves the figures' version (a
	// register marked, feedback given, a session's title): the "worked out
	// afresh" runs move it before each request, as such a change would, so
	// that every page is the first after a change. The move itself is not
	// timed.
	bumper, err := store.Open(dbURL, nil)
	if err != nil {
		return err
	}
	defer bumper.Close()
	bump := func() error {
		return bumper.Write(ctx, func(tx *gorm.DB) error {
			return tx.Exec("UPDATE figures_version SET version = version + 1 WHERE id = 1").Error
		})
	}
	lap := srv.cpuLaps()
	for _, p := range []struct{ name, query string }{
		{"one year, " + models.AcademicYearLabel(start.AddDate(-1, 0, 0)), period(start.AddDate(-1, 0, 0), start)},
		{"five years", period(start.AddDate(-4, 0, 0), start.AddDate(1, 0, 0))},
	} {
		page := func(c *http.Client) error {
			return get(c, srv.url+"/committee/dashboard?"+p.query, "rounds_login="+login)
		}
		_ = page(newClient(1)) // warm
		lap()
		res := measure(1, o.duration, page)
		res.cpu = lap()
		r.row(fmt.Sprintf("whole dashboard page, GET /committee/dashboard (%s; %s; one at a time; figures kept)", p.name, on), "", res)
		res = measureAfter(o.duration, bump, page)
		res.cpu = lap()
		r.row(fmt.Sprintf("whole dashboard page, GET /committee/dashboard (%s; %s; one at a time; worked out afresh)", p.name, on), "", res)
	}
	res := measure(4, o.duration, func(c *http.Client) error {
		return get(c, srv.url+"/api/v1/stats/attendance?group_by=year_of_study", "Bearer "+tok)
	})
	res.cpu = lap()
	r.row("dashboard, GET /api/v1/stats/attendance (this year, by year of study; "+on+"; 4 connections)", "", res)
	return nil
}
