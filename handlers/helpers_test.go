package handlers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/handlers"
	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// app is Rounds served over real HTTP on a fresh database.
type app struct {
	t     *testing.T
	db    *store.Store
	cfg   config.Config
	clock *clock.Fake
	srv   *httptest.Server
	h     *handlers.Handler
	e     *echo.Echo
}

func testConfig(t *testing.T, env map[string]string) config.Config {
	t.Helper()
	cfg, err := config.Load(nil, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newApp(t *testing.T, db *store.Store, env map[string]string) *app {
	t.Helper()
	a := &app{t: t, db: db, clock: clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))}
	a.cfg = testConfig(t, env)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	e, h, err := handlers.New(db, a.cfg, a.clock, log)
	if err != nil {
		t.Fatal(err)
	}
	a.h, a.e = h, e
	a.srv = httptest.NewServer(e)
	t.Cleanup(a.srv.Close)
	return a
}

// each runs fn against a fresh app on every test database.
func each(t *testing.T, fn func(t *testing.T, a *app)) {
	testkit.Run(t, func(t *testing.T, db *store.Store) { fn(t, newApp(t, db, nil)) })
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not JSON (%d): %s", r.Status, r.Body)
	}
	return m
}

// errorCode returns error.code of a JSON error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	e, ok := r.json(t)["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.Body)
	}
	if _, ok := e["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.Body)
	}
	return e["code"].(string)
}

// api sends a JSON request with an optional bearer token. body may be a
// string (sent as is) or any value (marshalled).
func (a *app) api(method, path string, body any, token string) response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, a.srv.URL+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, raw}
}

// user creates an account directly and returns it with an API token.
func (a *app) user(email string, role models.Role, year *int) (models.User, string) {
	a.t.Helper()
	opts := []testkit.Option{testkit.Email(email), testkit.Name(strings.Split(email, "@")[0]), testkit.Role(role), testkit.Password("correct horse battery")}
	if year != nil {
		opts = append(opts, testkit.Year(*year))
	}
	u := testkit.Member(a.t, a.db, opts...)
	res := a.api("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "correct horse battery"}, "")
	if res.Status != 200 {
		a.t.Fatalf("login %s: %d %s", email, res.Status, res.Body)
	}
	return u, res.json(a.t)["token"].(string)
}

func intp(n int) *int { return &n }

// browser is a cookie-keeping HTTP client that does not follow redirects,
// like a person's browser without JavaScript.
type browser struct {
	t      *testing.T
	a      *app
	client *http.Client
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: a.t, a: a, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	req.Header.Set("Accept", "text/html")
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, raw}
}

func (b *browser) get(path string) response {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.a.srv.URL+path, nil)
	return b.do(req)
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf reads the form token from a page.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	page := b.get(path)
	m := csrfField.FindSubmatch(page.Body)
	if m == nil {
		b.t.Fatalf("no CSRF field on %s (%d)", path, page.Status)
	}
	return string(m[1])
}

// post submits a form as the page at from would, with its CSRF token.
func (b *browser) post(from, path string, form url.Values) response {
	b.t.Helper()
	form.Set("_csrf", b.csrf(from))
	return b.postRaw(path, form)
}

// postRaw submits a form exactly as given.
func (b *browser) postRaw(path string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.a.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) login(email, password string) {
	b.t.Helper()
	res := b.post("/login", "/login", url.Values{"email": {email}, "password": {password}})
	if res.Status != http.StatusSeeOther {
		b.t.Fatalf("login as %s: %d %s", email, res.Status, res.Body)
	}
}

func contains(t *testing.T, r response, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(string(r.Body), w) {
			t.Errorf("page (%d) lacks %q", r.Status, w)
		}
	}
}
