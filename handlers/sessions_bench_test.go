package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// BenchmarkSessionsPage serves a student the session list with 81 sessions
// over the coming weeks, as roundsload does, and the session page and the
// home page beside it, reporting the processor time and size of each.
func BenchmarkSessionsPage(b *testing.B) {
	db, e, now := benchServer(b)
	chair := testkit.Member(b, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	var first models.Session
	for i := range 81 {
		s := testkit.Session(b, db, chair, testkit.At(now), testkit.Years(1, 2, 3, 4, 5, 6), testkit.Capacity(40, 0),
			testkit.Starts(now.Add(time.Duration(6+i*10)*time.Hour)), testkit.Published())
		if i == 0 {
			first = s
		}
	}
	student := testkit.Member(b, db, testkit.Year(2), testkit.Direct())
	secret, _, err := models.IssueToken(b.Context(), db, models.TokenLogin, student.ID, 0, now)
	if err != nil {
		b.Fatal(err)
	}
	benchPages(b, e, secret, "/sessions", "/sessions/"+strconv.FormatInt(first.ID, 10), "/")
}

// benchServer is Rounds on a fresh SQLite database, its clock stopped at
// Mon 2 Nov 2026, 09:00 UTC.
func benchServer(b *testing.B) (*store.Store, *echo.Echo, time.Time) {
	db := testkit.SQLite(b)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cfg, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		b.Fatal(err)
	}
	e, _, err := handlers.New(db, cfg, clock.NewFake(now), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	return db, e, now
}

// benchPages serves each page to the member logged in with secret, and
// reports its size and the processor time a page.
func benchPages(b *testing.B, e *echo.Echo, secret string, paths ...string) {
	for _, path := range paths {
		b.Run(path, func(b *testing.B) {
			bytes := 0
			before := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.AddCookie(&http.Cookie{Name: "rounds_login", Value: secret})
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
				bytes = rec.Body.Len()
			}
			b.ReportMetric(float64(bytes), "page-bytes")
			b.ReportMetric(float64(cpuTime()-before)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		})
	}
}
