package handlers_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"rounds/handlers"
	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/models"
	"rounds/models/testkit"
)

// BenchmarkMembersPage serves committee's members list of a society of 318
// members (the size of the one that asked for paging), first page and a
// search, and reports the size of the page.
func BenchmarkMembersPage(b *testing.B) {
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
	testkit.Members(b, db, 317, testkit.Year(2))
	chair := testkit.Member(b, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	secret, _, err := models.IssueToken(b.Context(), db, models.TokenLogin, chair.ID, 0, now)
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/committee/members", "/committee/members?q=student+1&sort=joined"} {
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

// cpuTime is the processor time the process has used, which a busy machine
// does not inflate as it does the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
