package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"rounds/models"
	"rounds/models/store"
)

// demoScale fills an empty database with a large society over the given
// number of academic years, ending with the current one: about 3,000
// students at any time (a cohort of 500 a year, moving up at each rollover),
// 60 teachers, 1,700 sessions a year with about 140 attendance records each
// — so five years hold about a million — with
// bookings, waitlists, walk-ins and feedback. Rows go in with multi-row
// INSERTs in transactions, and the dashboard's roll-ups are then built with
// models.RefreshFigures. It is for trying the dashboard at scale and for the
// benchmarks of docs/PERFORMANCE.md.
func demoScale(ctx context.Context, db *store.Store, loc *time.Location, years int, w io.Writer) error {
	if years < 1 || years > 20 {
		return fmt.Errorf("demo: --scale is a number of academic years from 1 to 20")
	}
	return scaleSociety(ctx, db, loc, scaleOptions{Years: years, Cohort: 500, Teachers: 60, SessionsPerYear: 1700,
		Now: time.Now(), Seed: 2026}, w)
}

// scaleOptions sizes the generated society.
type scaleOptions struct {
	Years           int // academic years, ending with the current one
	Cohort          int // students who join each year
	Teachers        int
	SessionsPerYear int
	Now             time.Time
	Seed            uint64
}

// scale topics, formats and their typical demand (students who want a
// place), chosen so that the average session has about 150 attendances.
var (
	scaleTopics = []string{"Cardiology", "Respiratory", "Renal", "Neurology", "Gastroenterology", "Endocrinology",
		"Haematology", "Infectious diseases", "Paediatrics", "Obstetrics and gynaecology", "Psychiatry", "Surgery",
		"Emergency medicine", "Anatomy", "Pharmacology", "Clinical skills"}
	scaleFormats = []struct {
		name   models.Format
		weight int
		demand int
	}{{models.FormatLecture, 45, 262}, {models.FormatWorkshop, 15, 120}, {models.FormatSmallGroup, 25, 45}, {models.FormatPractical, 15, 35}}
	scaleFirst = []string{"Amara", "Ben", "Chloe", "Daniel", "Ella", "Farah", "George", "Hannah", "Isaac", "Jasmine", "Kofi",
		"Leah", "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sofia", "Tom", "Yusuf", "Zara", "Aisha", "Callum", "Freya"}
	scaleLast = []string{"Ahmed", "Brown", "Chen", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones", "Khan",
		"Lewis", "Murphy", "Nguyen", "Okafor", "Patel", "Roberts", "Singh", "Taylor", "Walsh", "Williams", "Wilson"}
	scaleYearWeights = []int{25, 22, 18, 14, 11, 10} // how often a session is aimed at years 1–6
)

// scaleWriter inserts generated rows, in batches, in one transaction of
// the store.
type scaleWriter struct {
	tx   *gorm.DB
	rows int
}

func (sw *scaleWriter) insert(table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	records := make([]map[string]any, len(rows))
	for i, r := range rows {
		rec := make(map[string]any, len(cols))
		for j, v := range r {
			// Times are stored in UTC, as the models store them; the plan
			// is made in the society's time zone.
			switch t := v.(type) {
			case time.Time:
				v = t.UTC()
			case *time.Time:
				if t != nil {
					v = t.UTC()
				}
			}
			rec[cols[j]] = v
		}
		records[i] = rec
	}
	if err := sw.tx.Table(table).CreateInBatches(records, max(1, 4000/len(cols))).Error; err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	sw.rows += len(rows)
	return nil
}

// scaleTx runs fn in one transaction of the store.
func scaleTx(ctx context.Context, db *store.Store, fn func(sw *scaleWriter) error) (int, error) {
	var rows int
	err := db.Write(ctx, func(tx *gorm.DB) error {
		sw := &scaleWriter{tx: tx}
		if err := fn(sw); err != nil {
			return err
		}
		rows = sw.rows
		return nil
	})
	return rows, err
}

// scaleStudent is a generated student: they join in academic year cohort
// (negative for those already in years 2–6 when the first year starts) and
// are in year k − cohort + 1 during academic year k.
type scaleStudent struct {
	id     int64
	cohort int
}

func scaleSociety(ctx context.Context, db *store.Store, loc *time.Location, o scaleOptions, w io.Writer) error {
	started := time.Now()
	var n int64
	if err := db.Read(ctx).Table("users").Count(&n).Error; err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("demo: the database already has members; the scale demo fills an empty one")
	}
	rnd := mrand.New(mrand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	now := o.Now.UTC()
	current := models.AcademicYearStart(now, loc)
	yearStart := func(k int) time.Time { return current.AddDate(k-(o.Years-1), 0, 0) }
	rollAt := func(k int) time.Time { return yearStart(k).AddDate(0, 0, 19).Add(9 * time.Hour) } // 20 August
	secret := make([]byte, 9)
	_, _ = rand.Read(secret)
	password := hex.EncodeToString(secret)
	hash, err := models.HashPassword(password)
	if err != nil {
		return err
	}
	// Members never log in but the committee; one hash for all.
	fmt.Fprintf(w, "Scale demo: %d academic years from %s, %d sessions a year.\n", o.Years, models.AcademicYearLabel(yearStart(0)), o.SessionsPerYear)

	// Members and their year-of-study history.
	var users, history, settings [][]any
	var id int64
	name := func() string {
		return scaleFirst[rnd.IntN(len(scaleFirst))] + " " + scaleLast[rnd.IntN(len(scaleLast))]
	}
	staffSince := yearStart(0).AddDate(0, -2, 0)
	addStaff := func(email, nm string, role models.Role) int64 {
		id++
		users = append(users, []any{id, email, nm, hash, role, nil, staffSince, staffSince})
		history = append(history, []any{id, nil, staffSince})
		return id
	}
	committee := addStaff("committee@scale.example.ac.uk", "Scale Committee", models.RoleCommittee)
	addStaff("secretary@scale.example.ac.uk", "Scale Secretary", models.RoleCommittee)
	teachers := make([]int64, o.Teachers)
	for i := range teachers {
		teachers[i] = addStaff(fmt.Sprintf("teacher%03d@scale.example.ac.uk", i+1), "Dr "+name(), models.RoleTeacher)
	}
	cohorts := map[int][]int64{}
	var students []scaleStudent
	for c := -5; c < o.Years; c++ {
		joined := yearStart(0).AddDate(0, 0, -30)
		if c > 0 {
			joined = yearStart(c).AddDate(0, 0, 25) // after that year's rollover
		}
		if !joined.Before(now) {
			continue
		}
		for range o.Cohort {
			id++
			s := scaleStudent{id: id, cohort: c}
			students = append(students, s)
			cohorts[c] = append(cohorts[c], id)
			k := max(c, 0)
			year := k - c + 1
			var last any = year
			history = append(history, []any{id, year, joined})
			for k := max(c, 0) + 1; k < o.Years; k++ {
				at := rollAt(k)
				if !at.Before(now) {
					break
				}
				if y := k - c + 1; y <= 6 {
					history = append(history, []any{id, y, at})
					last = y
				} else {
					history = append(history, []any{id, nil, at})
					last = nil
					break
				}
			}
			users = append(users, []any{id, fmt.Sprintf("student%05d@scale.example.ac.uk", id), name(), hash, models.RoleStudent,
				last, joined, joined})
		}
	}
	for k := 0; k < o.Years; k++ {
		if rollAt(k).Before(now) {
			settings = append(settings, []any{"rollover:" + strconv.Itoa(yearStart(k).Year()), rollAt(k).UTC().Format(time.RFC3339)})
		}
	}
	_, err = scaleTx(ctx, db, func(sw *scaleWriter) error {
		if err := sw.insert("users", []string{"id", "email", "name", "password_hash", "role", "year_of_study", "created_at", "updated_at"}, users); err != nil {
			return err
		}
		if err := sw.insert("year_history", []string{"user_id", "year_of_study", "valid_from"}, history); err != nil {
			return err
		}
		return sw.insert("settings", []string{"key", "value"}, settings)
	})
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "  %d members (%d students), %d rows of year history\n", len(users), len(students), len(history))

	// Sessions, year by year, in order of start.
	type plan struct {
		start  time.Time
		minute int
		format int
		mode   models.Mode
		years  []int
	}
	var totals struct{ sessions, bookings, attendance, feedback int }
	var sessionID, bookingID int64
	for k := 0; k < o.Years; k++ {
		var plans []plan
		first := yearStart(k).AddDate(0, 0, 35) // early September
		for range o.SessionsPerYear {
			var day time.Time
			for {
				day = first.AddDate(0, 0, rnd.IntN(285))
				wd := day.Weekday()
				_, wk := day.ISOWeek()
				if wd != time.Saturday && wd != time.Sunday && wk != 52 && wk != 1 && wk != 15 && wk != 16 {
					break
				}
			}
			hour := []int{13, 17, 18, 18, 19}[rnd.IntN(5)]
			start := time.Date(day.Year(), day.Month(), day.Day(), hour, 0, 0, 0, loc)
			if start.After(now.AddDate(0, 0, 28)) {
				continue
			}
			f := 0
			for r, acc := rnd.IntN(100), 0; f < len(scaleFormats); f++ {
				if acc += scaleFormats[f].weight; r < acc {
					break
				}
			}
			mode := []models.Mode{models.ModeInPerson, models.ModeInPerson, models.ModeInPerson, models.ModeOnline, models.ModeOnline, models.ModeHybrid, models.ModeHybrid}[rnd.IntN(7)]
			y := 1
			for r, acc := rnd.IntN(100), 0; y <= 6; y++ {
				if acc += scaleYearWeights[y-1]; r < acc {
					break
				}
			}
			ys := []int{y}
			if rnd.IntN(10) < 4 && y < 6 {
				ys = append(ys, y+1)
			}
			plans = append(plans, plan{start: start.UTC(), minute: []int{60, 90, 90, 120}[rnd.IntN(4)], format: f, mode: mode, years: ys})
		}
		sort.Slice(plans, func(i, j int) bool { return plans[i].start.Before(plans[j].start) })

		for len(plans) > 0 {
			chunk := plans[:min(len(plans), 100)]
			plans = plans[len(chunk):]
			var sessions, teaching, bookings, attendance, feedback, dirty [][]any
			for _, p := range chunk {
				sessionID++
				sid := sessionID
				end := p.start.Add(time.Duration(p.minute) * time.Minute)
				created := p.start.AddDate(0, 0, -21)
				fm := scaleFormats[p.format]
				topic := scaleTopics[rnd.IntN(len(scaleTopics))]
				demand := int(float64(fm.demand) * (0.7 + 0.55*rnd.Float64()))
				var inCap int
				var onCap any
				venue, link := "", ""
				switch p.mode {
				case models.ModeInPerson:
					inCap, venue = fm.demand, "Lecture theatre "+strconv.Itoa(1+rnd.IntN(6))
				case models.ModeOnline:
					onCap, link = 0, "https://teams.example/l/"+strconv.FormatInt(sid, 10)
				default:
					inCap, venue = fm.demand*3/5, "Seminar room "+strconv.Itoa(1+rnd.IntN(9))
					onCap, link = fm.demand/2, "https://zoom.example/j/"+strconv.FormatInt(sid, 10)
				}
				title := topic + ": " + []string{"core concepts", "exam questions", "cases", "OSCE stations", "revision", "the essentials"}[rnd.IntN(6)]
				sessions = append(sessions, []any{sid, title, "Near-peer teaching session.", topic, fm.name, p.mode,
					int(models.YearGroupsOf(p.years...)), venue, link, inCap, onCap, p.start, end, models.SessionPublished,
					"", 0, committee, created, created})
				dirty = append(dirty, []any{sid})
				t := teachers[rnd.IntN(len(teachers))]
				teaching = append(teaching, []any{sid, t})
				if rnd.IntN(5) == 0 {
					if t2 := teachers[rnd.IntN(len(teachers))]; t2 != t {
						teaching = append(teaching, []any{sid, t2})
					}
				}

				// Who wants to come: students of the years aimed at.
				var pool []int64
				for _, y := range p.years {
					pool = append(pool, cohorts[k-y+1]...)
				}
				if len(pool) == 0 {
					continue
				}
				rnd.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
				demand = min(demand, len(pool)*4/5)
				walkIns := pool[demand:min(len(pool), demand+demand/25)]
				ended := !end.After(now)
				seats := map[models.Mode]int{}
				capOf := func(mode models.Mode) int {
					if mode == models.ModeInPerson {
						return inCap
					}
					if c, _ := onCap.(int); c > 0 {
						return c
					}
					return 1 << 30
				}
				came := func(uid int64, mode models.Mode, late bool) {
					status, in := models.AttendancePresent, time.Duration(rnd.IntN(20))*time.Minute-15*time.Minute
					if late {
						status, in = models.AttendanceLate, time.Duration(11+rnd.IntN(25))*time.Minute
					}
					source := models.SourceCode
					if mode == models.ModeOnline {
						source = []models.AttendanceSource{models.SourceJoinLink, models.SourceImport}[rnd.IntN(2)]
					}
					checked := p.start.Add(in)
					attendance = append(attendance, []any{sid, uid, status, mode, source, checked, nil, nil, checked, checked})
					if rnd.IntN(100) < 30 {
						overall := min(5, 3+rnd.IntN(3)+rnd.IntN(2)-rnd.IntN(2))
						before := 1 + rnd.IntN(4)
						after := min(5, before+[]int{0, 1, 1, 1, 2}[rnd.IntN(5)])
						at := end.Add(time.Duration(1+rnd.IntN(48)) * time.Hour)
						feedback = append(feedback, []any{sid, uid, max(1, overall), max(1, min(5, overall+rnd.IntN(2))), before, after,
							"knowledge,exam_preparation", "", "", at})
					}
				}
				for i, uid := range pool[:demand] {
					bookingID++
					queued := created.Add(time.Duration(i) * time.Minute)
					mode := p.mode
					if mode == models.ModeHybrid {
						mode = models.ModeInPerson
						if rnd.IntN(5) < 2 {
							mode = models.ModeOnline
						}
					}
					status := models.BookingConfirmed
					var cancelled any
					switch {
					case rnd.IntN(100) < 7:
						status, cancelled = models.BookingCancelled, queued.Add(48*time.Hour)
					case seats[mode] >= capOf(mode):
						status = models.BookingWaitlisted
					default:
						seats[mode]++
					}
					bookings = append(bookings, []any{bookingID, sid, uid, mode, status, queued, nil, cancelled, queued, queued})
					if !ended {
						continue
					}
					switch status {
					case models.BookingConfirmed:
						switch r := rnd.IntN(100); {
						case r < 80:
							came(uid, mode, false)
						case r < 87:
							came(uid, mode, true)
						case r < 96:
							attendance = append(attendance, []any{sid, uid, models.AttendanceAbsent, mode, models.SourceRegister, nil, nil, committee, end, end})
						default:
							attendance = append(attendance, []any{sid, uid, models.AttendanceExcused, mode, models.SourceApology, nil, nil, uid, created, created})
						}
					case models.BookingWaitlisted:
						if rnd.IntN(4) == 0 {
							came(uid, mode, false) // came anyway
						}
					}
				}
				if ended {
					for _, uid := range walkIns {
						mode := p.mode
						if mode == models.ModeHybrid {
							mode = models.ModeInPerson
						}
						came(uid, mode, rnd.IntN(3) == 0)
					}
				}
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			_, err := scaleTx(ctx, db, func(sw *scaleWriter) error {
				for _, t := range []struct {
					table string
					cols  []string
					rows  [][]any
				}{
					{"sessions", []string{"id", "title", "description", "topic", "format", "mode", "year_groups", "venue", "online_url",
						"in_person_capacity", "online_capacity", "starts_at", "ends_at", "status", "cancel_reason", "sequence", "created_by",
						"created_at", "updated_at"}, sessions},
					{"session_teachers", []string{"session_id", "user_id"}, teaching},
					{"bookings", []string{"id", "session_id", "user_id", "mode", "status", "queued_at", "booked_by", "cancelled_at",
						"created_at", "updated_at"}, bookings},
					{"attendance", []string{"session_id", "user_id", "status", "mode", "source", "checked_in_at", "minutes",
						"recorded_by", "created_at", "updated_at"}, attendance},
					{"feedback", []string{"session_id", "user_id", "overall", "teaching", "confidence_before", "confidence_after",
						"benefits", "went_well", "improve", "created_at"}, feedback},
					{"stats_dirty", []string{"session_id"}, dirty},
				} {
					if err := sw.insert(t.table, t.cols, t.rows); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			totals.sessions += len(sessions)
			totals.bookings += len(bookings)
			totals.attendance += len(attendance)
			totals.feedback += len(feedback)
		}
		fmt.Fprintf(w, "  %s: %d sessions so far, %d attendance records\n", models.AcademicYearLabel(yearStart(k)), totals.sessions, totals.attendance)
	}
	if db.Dialect() == store.Postgres {
		// Rows were given their ids; the sequences must move past them.
		for _, t := range []string{"users", "year_history", "sessions", "bookings", "attendance", "feedback"} {
			if err := db.Write(ctx, func(tx *gorm.DB) error {
				return tx.Exec("SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), COALESCE((SELECT MAX(id) FROM " + t + "), 0) + 1, false)").Error
			}); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	}

	// The bookings went in as rows, not through the booking rules, so their
	// sessions' seat counts are worked out from them once.
	if err := models.RecountSeats(ctx, db); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "  %d sessions, %d bookings, %d attendance records, %d feedback answers in %s\n",
		totals.sessions, totals.bookings, totals.attendance, totals.feedback, time.Since(started).Round(time.Second))

	figured := time.Now()
	done, err := models.RefreshFigures(ctx, db, now, loc)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	// Fresh statistics for the query planner (and, on PostgreSQL, a
	// visibility map, so that index-only scans stay index-only).
	if err := db.Analyze(ctx); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(w, "  dashboard figures of %d sessions worked out in %s\n", done, time.Since(figured).Round(time.Millisecond))
	fmt.Fprintf(w, "Log in as committee@scale.example.ac.uk with the password %s\n", password)
	return nil
}
