package main

import (
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// A small scale society: the roll-ups built after the bulk inserts agree
// with the raw records.
func TestScaleSociety(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		loc, _ := time.LoadLocation("Europe/London")
		now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
		var out strings.Builder
		opts := scaleOptions{Years: 3, Cohort: 40, Teachers: 5, SessionsPerYear: 60, Now: now, Seed: 7}
		if err := scaleSociety(context.Background(), db, loc, opts, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "attendance records") {
			t.Errorf("progress: %s", out.String())
		}
		var dirty int64
		db.Read(context.Background()).Raw("SELECT COUNT(*) FROM stats_dirty d JOIN sessions s ON s.id = d.session_id WHERE s.ends_at <= ?", now).Scan(&dirty)
		if dirty != 0 {
			t.Errorf("%d ended sessions left to work out", dirty)
		}
		if db.Dialect() == store.SQLite {
			// Times are stored in UTC (SQLite keeps the text, offset and all).
			var local int64
			db.Read(context.Background()).Raw(`SELECT (SELECT COUNT(*) FROM year_history WHERE valid_from NOT LIKE '%+00:00')
+ (SELECT COUNT(*) FROM users WHERE created_at NOT LIKE '%+00:00')
+ (SELECT COUNT(*) FROM sessions WHERE starts_at NOT LIKE '%+00:00')`).Scan(&local)
			if local != 0 {
				t.Errorf("%d times stored with an offset other than UTC", local)
			}
		}
		if wrong, err := miscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
			t.Errorf("sessions whose seat counts differ from their bookings: %v %v", wrong, err)
		}

		// Every figure worked out from the raw tables.
		var raw struct{ Sessions, Booked, Attended, WalkIns, Students, Attendance int }
		ended := "s.status = 'published' AND s.ends_at <= ?"
		db.Read(context.Background()).Raw("SELECT COUNT(*) FROM sessions s WHERE "+ended, now).Scan(&raw.Sessions)
		db.Read(context.Background()).Raw("SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id WHERE b.status = 'confirmed' AND "+ended, now).Scan(&raw.Booked)
		db.Read(context.Background()).Raw(`SELECT COUNT(*) FROM bookings b JOIN sessions s ON s.id = b.session_id
JOIN attendance a ON a.session_id = b.session_id AND a.user_id = b.user_id
WHERE b.status = 'confirmed' AND a.status IN ('present', 'late') AND `+ended, now).Scan(&raw.Attended)
		db.Read(context.Background()).Raw(`SELECT COUNT(*) FROM attendance a JOIN sessions s ON s.id = a.session_id WHERE a.status IN ('present', 'late') AND `+ended+`
AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = a.session_id AND b.user_id = a.user_id AND b.status = 'confirmed')`, now).Scan(&raw.WalkIns)
		db.Read(context.Background()).Raw("SELECT COUNT(*) FROM attendance").Scan(&raw.Attendance)
		if raw.Sessions < 100 || raw.Booked == 0 || raw.WalkIns == 0 || raw.Attendance < 2000 {
			t.Fatalf("a thin society: %+v", raw)
		}
		f := models.StatsFilter{From: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), To: now}
		for _, g := range models.StatsGroupings {
			rep, err := models.AttendanceBreakdown(t.Context(), db, f, g, now, loc)
			if err != nil {
				t.Fatal(err)
			}
			tot := rep.Totals
			if tot.Sessions != raw.Sessions || tot.Booked != raw.Booked || tot.Attended != raw.Attended || tot.WalkIns != raw.WalkIns {
				t.Errorf("totals by %s: %+v, raw %+v", g, tot, raw)
			}
			if g == "teacher" {
				continue // a session with two teachers counts for both
			}
			sum := models.StatsRow{}
			for _, r := range rep.Rows {
				sum.Booked += r.Booked
				sum.Attended += r.Attended
				sum.WalkIns += r.WalkIns
			}
			if sum.Booked != raw.Booked || sum.Attended != raw.Attended || sum.WalkIns != raw.WalkIns {
				t.Errorf("rows by %s add up to %+v, raw %+v", g, sum, raw)
			}
		}

		// Years of study at the session, from the history (with yearly
		// rollovers), agree with the raw export.
		byYear := map[int]int{}
		err := models.EachAttendanceRecord(t.Context(), db, f, now, func(r models.AttendanceRecord) error {
			if r.BookingStatus == models.BookingConfirmed {
				byYear[r.YearOfStudy]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := models.AttendanceBreakdown(t.Context(), db, f, "year_of_study", now, loc)
		for _, r := range rep.Rows {
			y, _ := strconv.Atoi(r.Key)
			if byYear[y] != r.Booked {
				t.Errorf("year %d: %d booked in the figures, %d in the records", y, r.Booked, byYear[y])
			}
		}
		p, err := models.PreviewRollover(t.Context(), db, now, loc)
		if err != nil || !p.AlreadyDone {
			t.Errorf("this year's rollover is not recorded: %+v %v", p, err)
		}

		// Only into an empty database.
		if err := scaleSociety(context.Background(), db, loc, opts, io.Discard); err == nil {
			t.Error("a second scale demo into the same database")
		}
	})
}

func TestDemoScaleArguments(t *testing.T) {
	db := testkit.SQLite(t)
	loc, _ := time.LoadLocation("Europe/London")
	for _, n := range []int{0, -1, 21} {
		if err := demoScale(context.Background(), db, loc, n, io.Discard); err == nil {
			t.Errorf("scale %d accepted", n)
		}
	}
}

// TestDemoScale builds the full-size society of one academic year; set
// ROUNDS_SCALE_DB (sqlite:PATH or postgres://…, an empty migrated or new
// database) and ROUNDS_SCALE_YEARS to build the benchmark database of
// docs/PERFORMANCE.md instead of a temporary one. It takes a while, so it
// does not run with -short.
func TestDemoScale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large database")
	}
	years := 1
	if s := os.Getenv("ROUNDS_SCALE_YEARS"); s != "" {
		years, _ = strconv.Atoi(s)
	}
	var db *store.Store
	if url := os.Getenv("ROUNDS_SCALE_DB"); url != "" {
		var err error
		if db, err = store.Open(url, nil); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	} else {
		db = testkit.SQLite(t)
	}
	loc, _ := time.LoadLocation("Europe/London")
	var out strings.Builder
	if err := demoScale(context.Background(), db, loc, years, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	var n int64
	db.Read(context.Background()).Table("attendance").Count(&n)
	if n < int64(years)*50_000 {
		t.Errorf("only %d attendance records for %d years", n, years)
	}
}
