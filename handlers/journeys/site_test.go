// Package journeys holds Rounds' browser journeys and the harness they run
// on: a real Rounds server on a loopback port over a fresh SQLite database,
// driven by headless Chromium through chromedp, with helpers that act as a
// person does (fill a field by its label, press a button by its text, read
// what is on the screen), screenshots at each step, and checks for console
// errors, failed requests and accessibility (axe-core) problems. It is all
// test code, so that nothing built into Rounds can import the harness.
//
// A journey test starts a site and a browser, opens one page (one person,
// with their own cookies) per actor, and checks what they see:
//
//	site, br := Start(t)
//	site.CreateUser(t, Member{Name: "Cat Chair", Email: "cat@example.ac.uk", Role: models.RoleCommittee})
//	p := br.NewPage("committee", Desktop)
//	p.LogIn("cat@example.ac.uk", DefaultPassword)
//	p.Click("Members")
//	p.ExpectHeading("Members")
//	p.Checkpoint("members")
//
// Settings, all optional:
//
//   - ROUNDS_CHROMIUM: the browser to drive (default /usr/bin/chromium, else
//     chromium, chromium-browser or google-chrome on the PATH).
//   - ROUNDS_REQUIRE_BROWSER=1: fail, rather than skip, when Chromium or
//     axe-core (node_modules/axe-core, from 'npm ci') is missing. CI sets it.
//   - ROUNDS_E2E_ARTIFACTS: where screenshots go (default test-artifacts/e2e
//     at the repository root), one folder per test. They are kept when the
//     test fails, or always with ROUNDS_E2E_KEEP_ARTIFACTS=1.
package journeys

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"rounds/handlers"
	"rounds/internal/config"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// DefaultPassword is the password of members made by CreateUser when none
// is given.
const DefaultPassword = "correct horse battery staple"

// Site is a running Rounds: a real HTTP server on 127.0.0.1 over its own
// fresh, migrated SQLite database.
type Site struct {
	URL     string // e.g. http://127.0.0.1:41234, also the configured BaseURL
	DB      *store.Store
	Config  config.Config
	Clock   *Clock
	Handler *handlers.Handler
	log     *syncBuffer
}

func TestMain(m *testing.M) { testkit.Main(m) }

// StartSite starts Rounds for one test and stops it when the test ends. The
// options may change the configuration (BaseURL is then set to the server's
// address). The server's log is printed if the test fails.
func StartSite(t testing.TB, options ...func(*config.Config)) *Site {
	t.Helper()
	return startSite(t, "", options...)
}

// startSite is StartSite with the server reached by host (its IP address
// when empty) at the listener's port.
func startSite(t testing.TB, host string, options ...func(*config.Config)) *Site {
	t.Helper()
	db := testkit.SQLite(t)
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		t.Fatalf("e2e: default config: %v", err)
	}
	s := &Site{DB: db, Clock: &Clock{}, log: &syncBuffer{}}
	logger := slog.New(slog.NewTextHandler(s.log, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// The listener must exist before the handler, whose config carries the
	// server's own URL.
	srv := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + srv.Listener.Addr().String()
	if host != "" {
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		s.URL = "http://" + net.JoinHostPort(host, port)
	}
	cfg.BaseURL = s.URL
	for _, o := range options {
		o(&cfg)
	}
	cfg.BaseURL = s.URL
	s.Config = cfg

	e, h, err := handlers.New(db, cfg, s.Clock, logger)
	if err != nil {
		t.Fatalf("e2e: start Rounds: %v", err)
	}
	s.Handler = h
	srv.Config.Handler = e
	srv.Start()
	t.Cleanup(func() {
		srv.CloseClientConnections()
		srv.Close()
		if out := s.log.String(); t.Failed() && out != "" {
			t.Logf("Rounds server log:\n%s", out)
		}
	})
	return s
}

// Start is what most journeys begin with: it checks for Chromium (skipping
// the test, before any work, when there is none), then starts the site and
// a browser for it.
func Start(t testing.TB, options ...func(*config.Config)) (*Site, *Browser) {
	t.Helper()
	skipWithoutChromium(t)
	site := StartSite(t, options...)
	return site, NewBrowser(t, site)
}

// Member describes an account to create directly in the database.
type Member struct {
	Name     string
	Email    string
	Role     models.Role // models.RoleStudent (the default), RoleTeacher or RoleCommittee
	Year     int         // year of study 1–6; 0 for a graduate or doctor
	Password string      // DefaultPassword when empty
}

// CreateUser stores a member with the given role and year, as the command
// line's 'rounds user create' would, and returns it.
func (s *Site) CreateUser(t testing.TB, m Member) models.User {
	t.Helper()
	if m.Password == "" {
		m.Password = DefaultPassword
	}
	return testkit.Member(t, s.DB, testkit.Name(m.Name), testkit.Email(m.Email), testkit.Role(m.Role), testkit.Year(m.Year),
		testkit.Password(m.Password))
}

// User reads a member back from the database by e-mail, to check what a
// journey stored.
func (s *Site) User(t testing.TB, email string) models.User {
	t.Helper()
	u, err := models.UserByEmail(t.Context(), s.DB, email)
	if err != nil {
		t.Fatalf("e2e: user %s: %v", email, err)
	}
	return u
}

// Clock is the site's clock: it follows the wall clock, and a journey can
// move it (to the start of a session, past a deadline) without waiting.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall-clock time plus whatever the journey moved it by.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set moves the clock to t, from where it keeps running.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = time.Until(t)
	c.mu.Unlock()
}

// syncBuffer is a bytes.Buffer that the server's goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// RepoRoot is the folder holding go.mod, found by walking up from the
// working directory (a package's folder under go test).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("e2e: no go.mod above the working directory")
		}
		dir = parent
	}
}

// requireBrowser tells whether a missing browser or axe-core must fail the
// test rather than skip it (CI sets ROUNDS_REQUIRE_BROWSER=1).
func requireBrowser() bool { return os.Getenv("ROUNDS_REQUIRE_BROWSER") == "1" }
