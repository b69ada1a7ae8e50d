package models_test

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"

	"gorm.io/gorm"
)

// The dashboard benchmarks of docs/PERFORMANCE.md. They read a large
// database built by the scale demo (rounds demo --scale 5, or the test
// TestDemoScale in cmd/rounds with ROUNDS_SCALE_DB); point ROUNDS_BENCH_DB
// at it (sqlite:PATH or postgres://…). Without it they are skipped: a
// database worth measuring takes minutes to build.
//
// "One year" is the last complete academic year in the database, "five
// years" the five academic years up to the current one. Besides ns/op, each
// reports cpu-ms/op, the processor time of the whole process per operation
// (on SQLite that is the database's own work), which a busy machine does
// not inflate.

type benchDB struct {
	db        *store.Store
	loc       *time.Location
	now       time.Time
	oneYear   models.StatsFilter
	fiveYears models.StatsFilter
}

var benchOnce struct {
	db  *benchDB
	err error
}

func openBench(b *testing.B) *benchDB {
	b.Helper()
	url := os.Getenv("ROUNDS_BENCH_DB")
	if url == "" {
		b.Skip("set ROUNDS_BENCH_DB to a database filled by the scale demo (docs/PERFORMANCE.md)")
	}
	if benchOnce.db != nil || benchOnce.err != nil {
		if benchOnce.err != nil {
			b.Fatal(benchOnce.err)
		}
		return benchOnce.db
	}
	bd, err := func() (*benchDB, error) {
		db, err := store.Open(url, nil)
		if err != nil {
			return nil, err
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation("Europe/London")
		if err != nil {
			return nil, err
		}
		var last struct{ At time.Time }
		if err := db.Read(context.Background()).Raw("SELECT ends_at AS at FROM session_figures ORDER BY ends_at DESC LIMIT 1").Scan(&last).Error; err != nil {
			return nil, err
		}
		if last.At.IsZero() {
			return nil, fmt.Errorf("%s has no dashboard figures: fill it with the scale demo", url)
		}
		now := last.At.UTC().Add(time.Hour)
		current := models.AcademicYearStart(now, loc)
		return &benchDB{db: db, loc: loc, now: now,
			oneYear:   models.StatsFilter{From: current.AddDate(-1, 0, 0), To: current},
			fiveYears: models.StatsFilter{From: current.AddDate(-4, 0, 0), To: current.AddDate(1, 0, 0)}}, nil
	}()
	benchOnce.db, benchOnce.err = bd, err
	if err != nil {
		b.Fatal(err)
	}
	return bd
}

// cpuTime is the processor time used by this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs fn b.N times and reports its processor time per call.
func measure(b *testing.B, fn func() error) {
	b.Helper()
	if err := fn(); err != nil { // warm the caches, check it works
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for b.Loop() {
		if err := fn(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

func periods(bd *benchDB) []struct {
	name string
	f    models.StatsFilter
} {
	return []struct {
		name string
		f    models.StatsFilter
	}{{"1y", bd.oneYear}, {"5y", bd.fiveYears}}
}

// BenchmarkBreakdown is one breakdown of the attendance API, by each
// grouping, over one and five years.
func BenchmarkBreakdown(b *testing.B) {
	bd := openBench(b)
	for _, p := range periods(bd) {
		for _, g := range models.StatsGroupings {
			b.Run(p.name+"/"+g, func(b *testing.B) {
				measure(b, func() error {
					_, err := models.AttendanceBreakdown(b.Context(), bd.db, p.f, g, bd.now, bd.loc)
					return err
				})
			})
		}
	}
}

// BenchmarkBreakdownFiltered is a breakdown with a year-of-study filter.
func BenchmarkBreakdownFiltered(b *testing.B) {
	bd := openBench(b)
	for _, p := range periods(bd) {
		f := p.f
		f.YearOfStudy = new(2)
		b.Run(p.name+"/week", func(b *testing.B) {
			measure(b, func() error {
				_, err := models.AttendanceBreakdown(b.Context(), bd.db, f, "week", bd.now, bd.loc)
				return err
			})
		})
	}
}

// BenchmarkHeadline is the dashboard's headline figures.
func BenchmarkHeadline(b *testing.B) {
	bd := openBench(b)
	for _, p := range periods(bd) {
		b.Run(p.name, func(b *testing.B) {
			measure(b, func() error {
				_, err := models.DashboardHeadline(b.Context(), bd.db, p.f, bd.now, bd.loc)
				return err
			})
		})
	}
}

// BenchmarkDashboard is everything the dashboard shows, worked out each time
// (the figures kept for the same version forgotten).
func BenchmarkDashboard(b *testing.B) {
	bd := openBench(b)
	for _, p := range periods(bd) {
		b.Run(p.name, func(b *testing.B) {
			measure(b, func() error {
				bd.db.Forget()
				_, err := models.DashboardFigures(b.Context(), bd.db, p.f, 3, bd.now, bd.loc)
				return err
			})
		})
	}
}

// BenchmarkRefreshFigures works out every session's figures again, as after
// the migration that introduced them. It changes nothing in the end (the
// figures come out the same), but it writes; it runs only when
// ROUNDS_BENCH_REFRESH is set.
func BenchmarkRefreshFigures(b *testing.B) {
	bd := openBench(b)
	if os.Getenv("ROUNDS_BENCH_REFRESH") == "" {
		b.Skip("set ROUNDS_BENCH_REFRESH=1 to rebuild every figure of the benchmark database")
	}
	var n int64
	bd.db.Read(context.Background()).Table("session_figures").Count(&n)
	b.ReportMetric(float64(n), "sessions")
	measure(b, func() error {
		if err := bd.db.Write(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING").Error
		}); err != nil {
			return err
		}
		_, err := models.RefreshFigures(b.Context(), bd.db, bd.now, bd.loc)
		return err
	})
}

// BenchmarkDashboardPage is what the dashboard page reads: everything but
// the list of every session, of which it shows the twenty ranked; worked
// out each time ("new") and kept from the request before, nothing having
// changed ("kept").
func BenchmarkDashboardPage(b *testing.B) {
	bd := openBench(b)
	for _, p := range periods(bd) {
		for _, kept := range []bool{false, true} {
			name := p.name + "/new"
			if kept {
				name = p.name + "/kept"
			}
			b.Run(name, func(b *testing.B) {
				measure(b, func() error {
					if !kept {
						bd.db.Forget()
					}
					_, err := models.DashboardPageFigures(b.Context(), bd.db, p.f, 3, bd.now, bd.loc)
					return err
				})
			})
		}
	}
}
