package models_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

// The data set of these tests, worked out by hand. The period is
// [1 June 2025, 1 December 2025) in Europe/London; the year rolls over on
// 1 September 2025 (RollOverYear), between the summer and the autumn
// sessions.
//
// Members (history from 1 January 2025 unless said):
//
//	A year 1 → 2, B year 2 → 3, C year 2 → 3, D year 6 → graduate (0),
//	E year 3 → 4, L joins after the rollover in year 1 (history from
//	1 October 2025). Teachers Alice and Bob and the committee have no year.
//
// Sessions:
//
//	S1 Tue 10 Jun 18:00, in person (2 seats), Cardiology, lecture, Alice.
//	   A confirmed, present · B confirmed, absent · C waitlisted, came
//	   anyway (a walk-in) · E no booking, present (a walk-in).
//	   Years then: A 1, B 2, C 2, E 3.
//	S5 Fri 20 Jun 14:00, in person, Renal, practical, Bob — back-filled by
//	   the committee in December: L confirmed, present (before L's first
//	   recorded year: L's earliest year, 1) · E confirmed, late (year 3).
//	S2 Tue 15 Jul 18:00, online, Renal, small group, Bob.
//	   A confirmed, late, feedback 4/5, confidence 2→4 · D confirmed,
//	   excused · B booked and cancelled (not counted). Years: A 1, D 6.
//	S3 Sun 20 Jul, cancelled (A had booked): not counted anywhere.
//	S4 Tue 14 Oct 18:00, hybrid (1 seat in person), Cardiology, workshop,
//	   Alice and Bob. A in person, present, feedback 5/4, 1→4 · B in
//	   person, waitlisted, never came (unserved waitlist) · C online,
//	   present, feedback 3/3, 3→3 · L online, absent · D no booking,
//	   present in person (walk-in), feedback 2/2, 4→3.
//	   Years (after the rollover): A 2, B 3, C 3, L 1, D 0.
//	S6 Tue 18 Nov 18:00, in person, Neurology, lecture, Alice: nobody came.
//	S7 Tue 2 Dec: after the period (A present). S8: a draft, never run.
//
// Per session: S1 booked 2 attended 1 walk-ins 2 · S2 2/1/0 · S4 3/2/1 ·
// S5 2/2/0 · S6 0/0/0. Totals: 5 sessions, booked 9, attended 6, no-shows
// 3, walk-ins 3, rate 6/9 = 0.6667.
type stWorld struct {
	committee, alice, bob      models.User
	a, b, c, d, e, l           models.User
	s1, s2, s3, s4, s5, s6, s7 models.Session
	from, to                   time.Time
	now                        time.Time
	loc                        *time.Location
}

var stLondon = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
}()

// stAt is a wall-clock time in London.
func stAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stLondon)
}

// stShared is what every session of the data set has in common: it is for
// every year, in one lecture theatre or on one meeting link.
var stShared = testkit.Options(testkit.Description(""), testkit.Years(1, 2, 3, 4, 5, 6),
	testkit.Venue("Lecture theatre 2"), testkit.Link("https://teams.example/l/st"))

// stWant checks that a booking of the data set came out as it says.
func stWant(t *testing.T, b models.Booking, status models.BookingStatus) {
	t.Helper()
	if b.Status != status {
		t.Fatalf("booking of user %d on session %d: %s, want %s", b.UserID, b.SessionID, b.Status, status)
	}
}

func stFeedback(t *testing.T, db *store.Store, u models.User, s models.Session, overall, teaching, before, after int) {
	t.Helper()
	in := models.FeedbackInput{Overall: overall, Teaching: teaching, ConfidenceBefore: before, ConfidenceAfter: after}
	if _, _, err := models.SubmitFeedback(t.Context(), db, u, s.ID, in, s.EndsAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// stBuild makes the data set above. Between the summer sessions and the
// rollover it calls beforeRollover, so a test can look at the figures then.
func stBuild(t *testing.T, db *store.Store, beforeRollover func(w *stWorld)) *stWorld {
	t.Helper()
	w := &stWorld{loc: stLondon, from: stAt(2025, 6, 1, 0, 0), to: stAt(2025, 12, 1, 0, 0), now: stAt(2026, 1, 5, 9, 0)}
	jan := stAt(2025, 1, 1, 0, 0)
	w.committee = testkit.Member(t, db, testkit.Name("Chair Person"), testkit.Email("chair.person@st.example.ac.uk"), testkit.Role(models.RoleCommittee), testkit.At(jan))
	w.alice = testkit.Member(t, db, testkit.Name("Alice Teacher"), testkit.Email("alice.teacher@st.example.ac.uk"), testkit.Role(models.RoleTeacher), testkit.At(jan))
	w.bob = testkit.Member(t, db, testkit.Name("Bob Teacher"), testkit.Email("bob.teacher@st.example.ac.uk"), testkit.Role(models.RoleTeacher), testkit.At(jan))
	w.a = testkit.Member(t, db, testkit.Name("Student A"), testkit.Email("student.a@st.example.ac.uk"), testkit.Year(1), testkit.At(jan))
	w.b = testkit.Member(t, db, testkit.Name("Student B"), testkit.Email("student.b@st.example.ac.uk"), testkit.Year(2), testkit.At(jan))
	w.c = testkit.Member(t, db, testkit.Name("Student C"), testkit.Email("student.c@st.example.ac.uk"), testkit.Year(2), testkit.At(jan))
	w.d = testkit.Member(t, db, testkit.Name("Student D"), testkit.Email("student.d@st.example.ac.uk"), testkit.Year(6), testkit.At(jan))
	w.e = testkit.Member(t, db, testkit.Name("Student E"), testkit.Email("student.e@st.example.ac.uk"), testkit.Year(3), testkit.At(jan))
	cm := w.committee
	may := stAt(2025, 5, 1, 9, 0)

	w.s1 = testkit.Session(t, db, cm, stShared, testkit.Title("Chest pain"), testkit.Topic("Cardiology"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 6, 10, 18, 0)),
		testkit.Lasting(90*time.Minute), testkit.Teachers(w.alice), testkit.Capacity(2, 0), testkit.At(may), testkit.Published())
	stWant(t, testkit.Book(t, db, w.a, w.s1, "", testkit.At(may)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.b, w.s1, "", testkit.At(may)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.c, w.s1, "", testkit.At(may)), models.BookingWaitlisted)
	testkit.Mark(t, db, w.a, w.s1, models.AttendancePresent)
	testkit.Mark(t, db, w.b, w.s1, models.AttendanceAbsent)
	testkit.Mark(t, db, w.c, w.s1, models.AttendancePresent)
	testkit.Mark(t, db, w.e, w.s1, models.AttendancePresent)

	w.s2 = testkit.Session(t, db, cm, stShared, testkit.Title("Acid–base"), testkit.Topic("Renal"),
		testkit.Format(models.FormatSmallGroup), testkit.Mode(models.ModeOnline), testkit.Starts(stAt(2025, 7, 15, 18, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.bob), testkit.Capacity(0, 10), testkit.At(may), testkit.Published())
	stWant(t, testkit.Book(t, db, w.a, w.s2, "", testkit.At(may)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.d, w.s2, "", testkit.At(may)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.b, w.s2, "", testkit.At(may)), models.BookingConfirmed)
	if _, err := models.CancelMyBooking(t.Context(), db, w.b, w.s2.ID, may.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	testkit.Mark(t, db, w.a, w.s2, models.AttendanceLate)
	testkit.Mark(t, db, w.d, w.s2, models.AttendanceExcused)
	stFeedback(t, db, w.a, w.s2, 4, 5, 2, 4)

	w.s3 = testkit.Session(t, db, cm, stShared, testkit.Title("ECG"), testkit.Topic("Cardiology"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 7, 20, 10, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.alice), testkit.Capacity(20, 0), testkit.At(may), testkit.Published())
	stWant(t, testkit.Book(t, db, w.a, w.s3, "", testkit.At(may)), models.BookingConfirmed)
	if _, err := models.CancelSession(t.Context(), db, cm, w.s3.ID, "Teacher ill", may.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	if beforeRollover != nil {
		beforeRollover(w)
	}
	if _, err := models.RollOverYear(t.Context(), db, cm, stAt(2025, 9, 1, 9, 0), w.loc); err != nil {
		t.Fatal(err)
	}
	w.l = testkit.Member(t, db, testkit.Name("Student L"), testkit.Email("student.l@st.example.ac.uk"), testkit.Year(1), testkit.At(stAt(2025, 10, 1, 0, 0)))

	sep := stAt(2025, 9, 20, 9, 0)
	w.s4 = testkit.Session(t, db, cm, stShared, testkit.Title("Heart failure"), testkit.Topic("Cardiology"),
		testkit.Format(models.FormatWorkshop), testkit.Mode(models.ModeHybrid), testkit.Starts(stAt(2025, 10, 14, 18, 0)),
		testkit.Lasting(120*time.Minute), testkit.Teachers(w.alice, w.bob), testkit.Capacity(1, 5), testkit.At(sep), testkit.Published())
	oct := stAt(2025, 10, 2, 9, 0)
	stWant(t, testkit.Book(t, db, w.a, w.s4, models.ModeInPerson, testkit.At(oct)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.b, w.s4, models.ModeInPerson, testkit.At(oct)), models.BookingWaitlisted)
	stWant(t, testkit.Book(t, db, w.c, w.s4, models.ModeOnline, testkit.At(oct)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.l, w.s4, models.ModeOnline, testkit.At(oct)), models.BookingConfirmed)
	testkit.Mark(t, db, w.a, w.s4, models.AttendancePresent)
	testkit.Mark(t, db, w.c, w.s4, models.AttendancePresent)
	testkit.Mark(t, db, w.l, w.s4, models.AttendanceAbsent)
	testkit.Mark(t, db, w.d, w.s4, models.AttendancePresent, testkit.Mode(models.ModeInPerson))
	stFeedback(t, db, w.a, w.s4, 5, 4, 1, 4)
	stFeedback(t, db, w.c, w.s4, 3, 3, 3, 3)
	stFeedback(t, db, w.d, w.s4, 2, 2, 4, 3)

	w.s6 = testkit.Session(t, db, cm, stShared, testkit.Title("Stroke"), testkit.Topic("Neurology"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 11, 18, 18, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.alice), testkit.Capacity(30, 0), testkit.At(sep), testkit.Published())
	w.s7 = testkit.Session(t, db, cm, stShared, testkit.Title("Valves"), testkit.Topic("Cardiology"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 12, 2, 18, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.alice), testkit.Capacity(30, 0), testkit.At(sep), testkit.Published())
	stWant(t, testkit.Book(t, db, w.a, w.s7, "", testkit.At(sep)), models.BookingConfirmed)
	testkit.Mark(t, db, w.a, w.s7, models.AttendancePresent)
	testkit.Session(t, db, cm, stShared, testkit.Title("Draft"), testkit.Topic("Cardiology"),
		testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 10, 20, 18, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.alice), testkit.Capacity(30, 0), testkit.At(sep))

	// Back-filled in December: the committee records a June session.
	dec := stAt(2025, 12, 10, 9, 0)
	w.s5 = testkit.Session(t, db, cm, stShared, testkit.Title("Fluids"), testkit.Topic("Renal"),
		testkit.Format(models.FormatPractical), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 6, 20, 14, 0)),
		testkit.Lasting(60*time.Minute), testkit.Teachers(w.bob), testkit.Capacity(10, 0), testkit.At(dec), testkit.Published())
	stWant(t, testkit.Book(t, db, w.l, w.s5, "", testkit.By(cm), testkit.At(dec)), models.BookingConfirmed)
	stWant(t, testkit.Book(t, db, w.e, w.s5, "", testkit.By(cm), testkit.At(dec)), models.BookingConfirmed)
	testkit.Mark(t, db, w.l, w.s5, models.AttendancePresent)
	testkit.Mark(t, db, w.e, w.s5, models.AttendanceLate)
	return w
}

// stRow writes a breakdown row compactly: key sessions booked attended
// no-shows walk-ins rate.
func stRow(r models.StatsRow) string {
	rate := "null"
	if r.Rate != nil {
		rate = fmt.Sprint(*r.Rate)
	}
	return fmt.Sprintf("%s %d %d %d %d %d %s", r.Key, r.Sessions, r.Booked, r.Attended, r.NoShows, r.WalkIns, rate)
}

func stRows(rep models.AttendanceReport) []string {
	out := make([]string, len(rep.Rows))
	for i, r := range rep.Rows {
		out[i] = stRow(r)
	}
	return out
}

func stSame(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestAttendanceBreakdown(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		var summer []string
		w := stBuild(t, db, func(w *stWorld) {
			// Before the rollover: the summer by year of study.
			rep, err := models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: w.from, To: stAt(2025, 8, 1, 0, 0)}, "year_of_study", stAt(2025, 8, 15, 9, 0), w.loc)
			if err != nil {
				t.Fatal(err)
			}
			summer = stRows(rep)
		})
		// S1 and S2 (S5 is not recorded yet): year 1 A twice; year 2 B
		// absent and C a walk-in; year 3 E a walk-in; year 6 D excused.
		stSame(t, "summer before the rollover", summer, []string{
			"1 2 2 2 0 0 1", "2 1 1 0 1 1 0", "3 1 0 0 0 1 null", "6 1 1 0 1 0 0"})

		f := models.StatsFilter{From: w.from, To: w.to}
		n3 := 3
		cases := []struct {
			groupBy string
			filter  models.StatsFilter
			want    []string
		}{
			// Year 1: A at S1 and S2, L at S4 (absent) and S5 (back-filled:
			// L's earliest year). Year 2: B and C at S1, A at S4. Year 3:
			// E at S1 (walk-in) and S5 (late), C online at S4 (B's unserved
			// waitlist place at S4 is no booking). Year 6: D at S2. Graduate:
			// D's walk-in at S4.
			{"year_of_study", f, []string{"1 4 4 3 1 0 0.75", "2 2 2 1 1 1 0.5", "3 3 2 2 0 1 1", "6 1 1 0 1 0 0", "0 1 0 0 0 1 null"}},
			// In person: S1 (A, B, walk-ins C and E), S4 (A, walk-in D), S5
			// (L, E). Online: S2 (A, D), S4 (C, L).
			{"mode", f, []string{"in_person 3 5 4 1 3 0.8", "online 2 4 2 2 0 0.5"}},
			// Cardiology S1 + S4, Neurology S6 (nobody), Renal S2 + S5.
			{"topic", f, []string{"Cardiology 2 5 3 2 3 0.6", "Neurology 1 0 0 0 0 null", "Renal 2 4 3 1 0 0.75"}},
			{"format", f, []string{"lecture 2 2 1 1 2 0.5", "practical 1 2 2 0 0 1", "small_group 1 2 1 1 0 0.5", "workshop 1 3 2 1 1 0.6667"}},
			// Alice: S1, S4, S6. Bob: S2, S4, S5 (5 of 7 = 0.7143).
			{"teacher", f, []string{fmt.Sprintf("%d 3 5 3 2 3 0.6", w.alice.ID), fmt.Sprintf("%d 3 7 5 2 1 0.7143", w.bob.ID)}},
			// Weeks start on Monday, London time.
			{"week", f, []string{"2025-06-09 1 2 1 1 2 0.5", "2025-06-16 1 2 2 0 0 1", "2025-07-14 1 2 1 1 0 0.5",
				"2025-10-13 1 3 2 1 1 0.6667", "2025-11-17 1 0 0 0 0 null"}},
			{"month", f, []string{"2025-06 2 4 3 1 2 0.75", "2025-07 1 2 1 1 0 0.5", "2025-10 1 3 2 1 1 0.6667", "2025-11 1 0 0 0 0 null"}},
			// Year 3 only (as it was at the session): E's walk-in at S1 and
			// late at S5 in person; C online at S4.
			{"mode", models.StatsFilter{From: w.from, To: w.to, YearOfStudy: &n3}, []string{"in_person 2 1 1 0 1 1", "online 1 1 1 0 0 1"}},
			// Online only, by year: A at S2 (year 1), L at S4 (year 1), D at
			// S2 (year 6), C at S4 (year 3).
			{"year_of_study", models.StatsFilter{From: w.from, To: w.to, Mode: models.ModeOnline}, []string{"1 2 2 1 1 0 0.5", "3 1 1 1 0 0 1", "6 1 1 0 1 0 0"}},
			// The topic filter ignores case.
			{"format", models.StatsFilter{From: w.from, To: w.to, Topic: "renal"}, []string{"practical 1 2 2 0 0 1", "small_group 1 2 1 1 0 0.5"}},
		}
		for _, c := range cases {
			rep, err := models.AttendanceBreakdown(t.Context(), db, c.filter, c.groupBy, w.now, w.loc)
			if err != nil {
				t.Fatalf("%s: %v", c.groupBy, err)
			}
			stSame(t, "by "+c.groupBy, stRows(rep), c.want)
		}

		// Totals, whatever the grouping.
		for _, g := range models.StatsGroupings {
			rep, err := models.AttendanceBreakdown(t.Context(), db, f, g, w.now, w.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := stRow(rep.Totals); got != "total 5 9 6 3 3 0.6667" {
				t.Errorf("totals by %s: %s", g, got)
			}
		}
		rep, _ := models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: w.from, To: w.to, YearOfStudy: &n3}, "week", w.now, w.loc)
		if got := stRow(rep.Totals); got != "total 3 2 2 0 1 1" {
			t.Errorf("year 3 totals: %s", got)
		}
		// Labels for people.
		rep, _ = models.AttendanceBreakdown(t.Context(), db, f, "teacher", w.now, w.loc)
		if rep.Rows[0].Label != "Alice Teacher" || rep.Rows[1].Label != "Bob Teacher" {
			t.Errorf("teacher labels: %+v", rep.Rows)
		}
		rep, _ = models.AttendanceBreakdown(t.Context(), db, f, "year_of_study", w.now, w.loc)
		if rep.Rows[0].Label != "Year 1" || rep.Rows[4].Label != "Graduate or unknown" {
			t.Errorf("year labels: %+v", rep.Rows)
		}

		// By series: S1 and S4 made a series of the Cardiology evenings.
		var seriesID int64
		if err := db.Write(context.Background(), func(tx *gorm.DB) error {
			series := models.Series{Title: "Cardiology evenings", CreatedAt: w.now}
			if err := tx.Create(&series).Error; err != nil {
				return err
			}
			seriesID = series.ID
			return tx.Exec("UPDATE sessions SET series_id = ? WHERE id IN ?", series.ID, []int64{w.s1.ID, w.s4.ID}).Error
		}); err != nil {
			t.Fatal(err)
		}
		rep, err := models.AttendanceBreakdown(t.Context(), db, f, "series", w.now, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		// The series as Cardiology; S2, S5 and S6 in none.
		stSame(t, "by series", stRows(rep), []string{fmt.Sprintf("%d 2 5 3 2 3 0.6", seriesID), "0 3 4 3 1 0 0.75"})
		if rep.Rows[0].Label != "Cardiology evenings" || rep.Rows[1].Label != "Not in a series" || stRow(rep.Totals) != "total 5 9 6 3 3 0.6667" {
			t.Errorf("series labels and totals: %+v %+v", rep.Rows, rep.Totals)
		}
		rep, err = models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: w.from, To: w.to, Mode: models.ModeOnline}, "series", w.now, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		// Online only: C and L at S4; A and D at S2.
		stSame(t, "by series, online", stRows(rep), []string{fmt.Sprintf("%d 1 2 1 1 0 0.5", seriesID), "0 1 2 1 1 0 0.5"})

		// Nothing booked: rate null, in rows and totals.
		rep, err = models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: stAt(2024, 1, 1, 0, 0), To: stAt(2024, 6, 1, 0, 0)}, "topic", w.now, w.loc)
		if err != nil || len(rep.Rows) != 0 || rep.Totals.Rate != nil || rep.Totals.Sessions != 0 {
			t.Errorf("an empty period: %+v %v", rep, err)
		}

		// Past figures are worked out from the history, not today's years:
		// worked out again from scratch, they are the same.
		if err := db.Write(context.Background(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO stats_dirty (session_id) SELECT id FROM sessions WHERE true ON CONFLICT (session_id) DO NOTHING").Error
		}); err != nil {
			t.Fatal(err)
		}
		rep, err = models.AttendanceBreakdown(t.Context(), db, f, "year_of_study", w.now, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		stSame(t, "worked out again", stRows(rep), cases[0].want)

		// Bad input.
		for _, bad := range []struct {
			groupBy string
			f       models.StatsFilter
			field   string
		}{
			{"colour", f, "group_by"},
			{"week", models.StatsFilter{From: w.to, To: w.from}, "to"},
			{"week", models.StatsFilter{From: w.from, To: w.to, Mode: models.ModeHybrid}, "mode"},
			{"week", models.StatsFilter{From: w.from, To: w.to, YearOfStudy: new(int(7))}, "year_of_study"},
		} {
			_, err := models.AttendanceBreakdown(t.Context(), db, bad.f, bad.groupBy, w.now, w.loc)
			ve, ok := err.(*models.ValidationError)
			if !ok || ve.Fields[bad.field] == "" {
				t.Errorf("%s %+v: %v", bad.groupBy, bad.f, err)
			}
		}
	})
}

func TestDashboardFigures(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		w := stBuild(t, db, nil)
		f := models.StatsFilter{From: w.from, To: w.to}
		d, err := models.DashboardFigures(t.Context(), db, f, 1, w.now, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		h := d.Headline
		// Came: 6 attended + 3 walk-ins = 9; online: A at S2, C at S4.
		// Different people who came: A, C, E (S1), D (S4), L (S5).
		// Waitlist never served: B at S4 (C at S1 came anyway).
		// Feedback: A at S2 (4, 5, +2), A, C, D at S4 (5/4/+3, 3/3/0,
		// 2/2/−1): overall 14/4, teaching 14/4, gain 4/4.
		got := fmt.Sprintf("%d %d %d %d %d %d %d %d %d %d", h.Sessions, h.UniqueAttendees, h.Booked, h.Attended, h.NoShows,
			h.WalkIns, h.Came, h.Online, h.WaitlistUnserved, h.Responses)
		if got != "5 5 9 6 3 3 9 2 1 4" {
			t.Errorf("headline counts: %s", got)
		}
		rates := fmt.Sprintf("%v %v %v %v %v %v %v", *h.AttendanceRate, *h.NoShowRate, *h.OnlineShare, *h.ResponseRate,
			*h.AverageOverall, *h.AverageTeaching, *h.AverageConfidenceGain)
		if rates != "0.6667 0.3333 0.2222 0.4444 3.5 3.5 1" {
			t.Errorf("headline rates: %s", rates)
		}

		// Different students over periods that do not start or end on the
		// first of a month: whole months and the days around them.
		n2 := 2
		for _, c := range []struct {
			f    models.StatsFilter
			want int
		}{
			// S5 (L, E) before July, S2 (A) in July.
			{models.StatsFilter{From: stAt(2025, 6, 15, 0, 0), To: stAt(2025, 10, 1, 0, 0)}, 3},
			// S1 only (A, C, E): no whole month.
			{models.StatsFilter{From: w.from, To: stAt(2025, 6, 15, 0, 0)}, 3},
			// S2 (A) in July, S4 (A, C, D) in the days after September.
			{models.StatsFilter{From: stAt(2025, 7, 1, 0, 0), To: stAt(2025, 10, 15, 0, 0)}, 3},
			// Renal: S2 (A), S5 (L, E); online: A (S2), C (S4); year 2 at
			// the session: C (S1), A (S4).
			{models.StatsFilter{From: w.from, To: w.to, Topic: "Renal"}, 3},
			{models.StatsFilter{From: w.from, To: w.to, Mode: models.ModeOnline}, 2},
			{models.StatsFilter{From: w.from, To: w.to, YearOfStudy: &n2}, 2},
			{models.StatsFilter{From: w.from, To: stAt(2025, 11, 20, 12, 30)}, 5},
			// Whole months over three calendar years: everyone, and A again
			// at S7 in December.
			{models.StatsFilter{From: stAt(2024, 12, 1, 0, 0), To: stAt(2026, 3, 1, 0, 0)}, 5},
			// November (S6: nobody) to January: A at S7.
			{models.StatsFilter{From: stAt(2025, 11, 1, 0, 0), To: stAt(2026, 2, 1, 0, 0)}, 1},
			// The middle of June to the middle of December: the whole
			// months July to November (A at S2, A, C, D at S4) and the days
			// around them (S5: L, E; S7: A).
			{models.StatsFilter{From: stAt(2025, 6, 15, 0, 0), To: stAt(2025, 12, 15, 0, 0)}, 5},
		} {
			h, err := models.DashboardHeadline(t.Context(), db, c.f, w.now, w.loc)
			if err != nil || h.UniqueAttendees != c.want {
				t.Errorf("unique attendees %v – %v (%+v): %d, want %d (%v)", c.f.From, c.f.To, c.f, h.UniqueAttendees, c.want, err)
			}
		}
		stMonthsAgree(t, db, w.loc)

		// Members on 30 November: L year 1; A year 2; B and C year 3; E
		// year 4; D has graduated. Reached: L (S5), A, C, E.
		var reach []string
		for _, r := range d.Reach {
			share := "null"
			if r.Share != nil {
				share = fmt.Sprint(*r.Share)
			}
			reach = append(reach, fmt.Sprintf("%d %d %d %s", r.Year, r.Members, r.Reached, share))
		}
		stSame(t, "reach", reach, []string{"1 1 1 1", "2 1 1 1", "3 2 1 0.5", "4 1 1 1", "5 0 0 null", "6 0 0 null"})

		// Attendances by week and mode: S1 3 in person; S5 2 in person; S2
		// 1 online; S4 A and D in person, C online.
		var weeks []string
		for _, wm := range d.WeekModes {
			weeks = append(weeks, fmt.Sprintf("%s %d %d", wm.Week, wm.InPerson, wm.Online))
		}
		stSame(t, "weeks by mode", weeks, []string{"2025-06-09 3 0", "2025-06-16 2 0", "2025-07-14 0 1", "2025-10-13 2 1"})

		// Sessions in order of start, and the rankings: by attendances S4 (3,
		// rate 0.67) before S1 (3, rate 0.5); by rating S2 (4.0) before S4
		// (10/3).
		var titles []string
		for _, s := range d.Sessions {
			titles = append(titles, fmt.Sprintf("%s %d", s.Title, s.Came))
		}
		stSame(t, "sessions", titles, []string{"Chest pain 3", "Fluids 2", "Acid–base 1", "Heart failure 3", "Stroke 0"})
		var top []string
		for _, s := range d.TopByAttendance {
			top = append(top, s.Title)
		}
		stSame(t, "top by attendance", top, []string{"Heart failure", "Chest pain", "Fluids", "Acid–base", "Stroke"})
		if len(d.BottomByAttendance) != 0 {
			t.Errorf("five sessions are all in the top five: %+v", d.BottomByAttendance)
		}
		if len(d.TopByRating) != 2 || d.TopByRating[0].Title != "Acid–base" || *d.TopByRating[1].AverageOverall != 3.33 {
			t.Errorf("top by rating: %+v", d.TopByRating)
		}
		// Below the anonymity threshold a session's rating is not shown.
		d3, _ := models.DashboardFigures(t.Context(), db, f, 3, w.now, w.loc)
		if len(d3.TopByRating) != 1 || d3.TopByRating[0].Title != "Heart failure" {
			t.Errorf("top by rating with 3 responses needed: %+v", d3.TopByRating)
		}

		// A year filter: year 3 at the session.
		n3 := 3
		d, err = models.DashboardFigures(t.Context(), db, models.StatsFilter{From: w.from, To: w.to, YearOfStudy: &n3}, 1, w.now, w.loc)
		if err != nil {
			t.Fatal(err)
		}
		h = d.Headline
		// E at S1 (walk-in) and S5 (late), C at S4 (online, feedback 3),
		// B's unserved waitlist place at S4.
		got = fmt.Sprintf("%d %d %d %d %d %d %d %d", h.Sessions, h.UniqueAttendees, h.Booked, h.Attended, h.WalkIns, h.Online, h.WaitlistUnserved, h.Responses)
		if got != "3 2 2 2 1 1 1 1" || len(d.Reach) != 1 || d.Reach[0].Year != 3 {
			t.Errorf("year 3 headline: %s, reach %+v", got, d.Reach)
		}

		// The raw export: one line per booking or attendance record.
		var lines []string
		err = models.EachAttendanceRecord(t.Context(), db, f, w.now, func(r models.AttendanceRecord) error {
			lines = append(lines, fmt.Sprintf("%s|%s|%d|%s|%s/%s|%s/%s/%s", r.Title, r.Name, r.YearOfStudy, r.Mode,
				r.BookingMode, r.BookingStatus, r.AttendanceStatus, r.AttendanceMode, r.AttendanceSource))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		stSame(t, "records", lines, []string{
			"Chest pain|Student A|1|in_person|in_person/confirmed|present/in_person/register",
			"Chest pain|Student B|2|in_person|in_person/confirmed|absent/in_person/register",
			"Chest pain|Student C|2|in_person|in_person/waitlisted|present/in_person/register",
			"Chest pain|Student E|3|in_person|/|present/in_person/register",
			"Fluids|Student E|3|in_person|in_person/confirmed|late/in_person/register",
			"Fluids|Student L|1|in_person|in_person/confirmed|present/in_person/register",
			"Acid–base|Student A|1|online|online/confirmed|late/online/register",
			"Acid–base|Student B|2|online|online/cancelled|//",
			"Acid–base|Student D|6|online|online/confirmed|excused/online/register",
			"Heart failure|Student A|2|in_person|in_person/confirmed|present/in_person/register",
			"Heart failure|Student B|3|in_person|in_person/waitlisted|//",
			"Heart failure|Student C|3|online|online/confirmed|present/online/register",
			"Heart failure|Student D|0|in_person|/|present/in_person/register",
			"Heart failure|Student L|1|online|online/confirmed|absent/online/register",
		})
		lines = nil
		_ = models.EachAttendanceRecord(t.Context(), db, models.StatsFilter{From: w.from, To: w.to, YearOfStudy: &n3, Mode: models.ModeInPerson}, w.now, func(r models.AttendanceRecord) error {
			lines = append(lines, r.Title+"|"+r.Name)
			return nil
		})
		stSame(t, "year 3 in person records", lines, []string{"Chest pain|Student E", "Fluids|Student E", "Heart failure|Student B"})

		topics, err := models.StatsTopics(t.Context(), db)
		if err != nil || strings.Join(topics, ",") != "Cardiology,Neurology,Renal" {
			t.Errorf("topics: %v %v", topics, err)
		}

		// A session moved to a time that has not come yet loses its
		// figures until it has run.
		later := w.now.Add(30 * 24 * time.Hour)
		end := later.Add(time.Hour)
		if _, err := models.UpdateSession(t.Context(), db, w.committee, w.s6.ID, models.SessionInput{StartsAt: &later, EndsAt: &end}, w.now); err != nil {
			t.Fatal(err)
		}
		rep, err := models.AttendanceBreakdown(t.Context(), db, f, "topic", w.now, w.loc)
		if err != nil || rep.Totals.Sessions != 4 || len(rep.Rows) != 2 {
			t.Errorf("after moving S6: %+v %v", rep, err)
		}
		// And one whose attendance changes: its month is counted again.
		testkit.Mark(t, db, w.c, w.s2, models.AttendancePresent)
		testkit.Mark(t, db, w.a, w.s2, models.AttendanceAbsent)
		if h, err := models.DashboardHeadline(t.Context(), db, models.StatsFilter{From: stAt(2025, 7, 1, 0, 0), To: stAt(2025, 8, 1, 0, 0)}, w.now, w.loc); err != nil || h.UniqueAttendees != 1 {
			t.Errorf("July after the change: %+v %v", h, err)
		}
		stMonthsAgree(t, db, w.loc)
	})
}

func TestRollOverYear(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		jan := stAt(2025, 1, 1, 0, 0)
		cm := testkit.Member(t, db, testkit.Name("Chair Person"), testkit.Email("chair.person@st.example.ac.uk"), testkit.Role(models.RoleCommittee), testkit.At(jan))
		student := testkit.Member(t, db, testkit.Name("Student Y1"), testkit.Email("student.y1@st.example.ac.uk"), testkit.Year(1), testkit.At(jan))
		testkit.Member(t, db, testkit.Name("Student Y6"), testkit.Email("student.y6@st.example.ac.uk"), testkit.Year(6), testkit.At(jan))
		testkit.Member(t, db, testkit.Name("Student Y6b"), testkit.Email("student.y6b@st.example.ac.uk"), testkit.Year(6), testkit.At(jan))
		at := stAt(2025, 9, 1, 9, 0)

		p, err := models.PreviewRollover(t.Context(), db, at, stLondon)
		if err != nil {
			t.Fatal(err)
		}
		var moves []string
		for _, c := range p.Changes {
			to := "graduate"
			if c.To != nil {
				to = fmt.Sprint(*c.To)
			}
			moves = append(moves, fmt.Sprintf("%d→%s ×%d", *c.From, to, c.Members))
		}
		stSame(t, "preview", moves, []string{"1→2 ×1", "6→graduate ×2"})
		if p.AcademicYear != "2025/26" || p.AlreadyDone || p.Total != 3 {
			t.Errorf("preview: %+v", p)
		}
		if _, err := models.RollOverYear(t.Context(), db, student, at, stLondon); err != models.ErrForbidden {
			t.Errorf("a student rolled the year over: %v", err)
		}
		if _, err := models.RollOverYear(t.Context(), db, cm, at, stLondon); err != nil {
			t.Fatal(err)
		}
		u, _ := models.UserByID(t.Context(), db, student.ID)
		if u.YearOfStudy == nil || *u.YearOfStudy != 2 {
			t.Errorf("year after the rollover: %v", u.YearOfStudy)
		}
		// Once per academic year: refused again in May 2026, allowed in
		// August 2026.
		if _, err := models.RollOverYear(t.Context(), db, cm, stAt(2026, 5, 1, 9, 0), stLondon); !isErr(err, models.ErrRolloverDone) {
			t.Errorf("second rollover: %v", err)
		}
		if p, _ := models.PreviewRollover(t.Context(), db, at, stLondon); !p.AlreadyDone {
			t.Error("the preview does not say it is done")
		}
		if _, err := models.RollOverYear(t.Context(), db, cm, stAt(2026, 8, 3, 9, 0), stLondon); err != nil {
			t.Errorf("next year's rollover: %v", err)
		}
	})
}

// A change being made while the figures are worked out is not lost: its
// session stays marked until the change has committed (PostgreSQL, where
// several instances refresh figures at once).
func TestRefreshFiguresDoesNotLoseAChange(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		if db.Dialect() != store.Postgres {
			t.Skip("SQLite has one writer: a refresh cannot run beside a change")
		}
		jan := stAt(2025, 1, 1, 0, 0)
		cm := testkit.Member(t, db, testkit.Name("Chair Person"), testkit.Email("chair.person@st.example.ac.uk"), testkit.Role(models.RoleCommittee), testkit.At(jan))
		a := testkit.Member(t, db, testkit.Name("Student A"), testkit.Email("student.a@st.example.ac.uk"), testkit.Year(1), testkit.At(jan))
		b := testkit.Member(t, db, testkit.Name("Student B"), testkit.Email("student.b@st.example.ac.uk"), testkit.Year(1), testkit.At(jan))
		s := testkit.Session(t, db, cm, stShared, testkit.Title("Chest pain"), testkit.Topic("Cardiology"),
			testkit.Format(models.FormatLecture), testkit.Mode(models.ModeInPerson), testkit.Starts(stAt(2025, 6, 10, 18, 0)),
			testkit.Lasting(60*time.Minute), testkit.Teachers(cm), testkit.Capacity(10, 0), testkit.At(stAt(2025, 5, 1, 9, 0)), testkit.Published())
		stWant(t, testkit.Book(t, db, a, s, "", testkit.At(stAt(2025, 5, 2, 9, 0))), models.BookingConfirmed)
		stWant(t, testkit.Book(t, db, b, s, "", testkit.At(stAt(2025, 5, 2, 9, 0))), models.BookingConfirmed)
		now := stAt(2025, 7, 1, 9, 0)
		f := models.StatsFilter{From: stAt(2025, 6, 1, 0, 0), To: stAt(2025, 7, 1, 0, 0)}
		if _, err := models.RefreshFigures(t.Context(), db, now, stLondon); err != nil {
			t.Fatal(err)
		}
		testkit.Mark(t, db, a, s, models.AttendancePresent) // marked again, committed

		// B's register mark is in a transaction that has not committed yet
		// when a refresh runs: its attendance is written and its session
		// marked stale, as a mark does, and the transaction waits.
		marked, release, committed := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			committed <- db.Write(t.Context(), func(tx *gorm.DB) error {
				rec := models.Attendance{SessionID: s.ID, UserID: b.ID, Status: models.AttendancePresent, Mode: models.ModeInPerson,
					Source: models.SourceRegister, RecordedBy: &cm.ID, CreatedAt: now, UpdatedAt: now}
				if err := tx.Create(&rec).Error; err != nil {
					return err
				}
				if err := tx.Exec("INSERT INTO stats_dirty (session_id) VALUES (?) ON CONFLICT (session_id) DO UPDATE SET session_id = excluded.session_id", s.ID).Error; err != nil {
					return err
				}
				close(marked)
				<-release
				return nil
			})
		}()
		select {
		case <-marked:
		case err := <-committed:
			t.Fatalf("the change did not get as far as its mark: %v", err)
		}
		done, err := models.RefreshFigures(t.Context(), db, now, stLondon)
		close(release)
		if err != nil {
			t.Fatal(err)
		}
		if done != 0 {
			t.Errorf("the refresh took a session whose change had not committed")
		}
		if err := <-committed; err != nil {
			t.Fatal(err)
		}
		rep, err := models.AttendanceBreakdown(t.Context(), db, f, "mode", now, stLondon)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Totals.Attended != 2 {
			t.Errorf("attended after both marks: %d, want 2", rep.Totals.Attended)
		}
	})
}

// stMonthsAgree checks attendee_months against session_attendees, folded
// by month here.
func stMonthsAgree(t *testing.T, db *store.Store, loc *time.Location) {
	t.Helper()
	var attendees []struct {
		UserID      int64
		EndsAt      time.Time
		YearOfStudy int
		Mode        string
	}
	if err := db.Read(context.Background()).Table("session_attendees").Select("user_id, ends_at, year_of_study, mode").Scan(&attendees).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, a := range attendees {
		want[fmt.Sprintf("%s %d %d %s", a.EndsAt.In(loc).Format("2006-01"), a.UserID, a.YearOfStudy, a.Mode)]++
	}
	var months []struct {
		Month       string
		UserID      int64
		YearOfStudy int
		Mode        string
		Sessions    int
	}
	if err := db.Read(context.Background()).Table("attendee_months").Scan(&months).Error; err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range months {
		got[fmt.Sprintf("%s %d %d %s", m.Month, m.UserID, m.YearOfStudy, m.Mode)] = m.Sessions
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attendee_months %v, session_attendees by month %v", got, want)
	}
	// attendee_years: each student's months of each calendar year, as bits.
	wantYears := map[string]int{}
	for _, a := range attendees {
		end := a.EndsAt.In(loc)
		wantYears[fmt.Sprintf("%d %d", end.Year(), a.UserID)] |= 1 << (int(end.Month()) - 1)
	}
	var years []struct {
		Year   int
		UserID int64
		Months int
	}
	if err := db.Read(context.Background()).Table("attendee_years").Scan(&years).Error; err != nil {
		t.Fatal(err)
	}
	gotYears := map[string]int{}
	for _, y := range years {
		gotYears[fmt.Sprintf("%d %d", y.Year, y.UserID)] = y.Months
	}
	if fmt.Sprint(gotYears) != fmt.Sprint(wantYears) {
		t.Errorf("attendee_years %v, session_attendees by year %v", gotYears, wantYears)
	}
}

// The page's figures are the whole dashboard's, the list of every session
// aside: the same headline, breakdowns and rankings, the ranked sessions
// with their titles, topics and starts.
func TestDashboardPageFigures(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		w := stBuild(t, db, nil)
		// S1 and S4 make a series, so that sessions fall in two groups by series.
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			series := models.Series{Title: "Cardiology evenings", CreatedAt: w.now}
			if err := tx.Create(&series).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE sessions SET series_id = ? WHERE id IN ?", series.ID, []int64{w.s1.ID, w.s4.ID}).Error
		}); err != nil {
			t.Fatal(err)
		}
		n3 := 3
		for _, f := range []models.StatsFilter{
			{From: w.from, To: w.to},
			{From: w.from, To: w.to, YearOfStudy: &n3},
			{From: w.from, To: w.to, Mode: models.ModeOnline},
			{From: w.from, To: w.to, Topic: "Renal"},
			{From: stAt(2025, 6, 15, 0, 0), To: stAt(2025, 12, 15, 0, 0)},
		} {
			for _, minResponses := range []int{1, 3} {
				full, err := models.DashboardFigures(t.Context(), db, f, minResponses, w.now, w.loc)
				if err != nil {
					t.Fatal(err)
				}
				page, err := models.DashboardPageFigures(t.Context(), db, f, minResponses, w.now, w.loc)
				if err != nil {
					t.Fatal(err)
				}
				if len(full.Sessions) == 0 && f.Topic == "" {
					t.Fatalf("%+v: no sessions to rank", f)
				}
				if page.Sessions != nil {
					t.Errorf("%+v: the page reads every session (%d)", f, len(page.Sessions))
				}
				full.Sessions = nil
				if !reflect.DeepEqual(full, page) {
					t.Errorf("%+v, %d answers: the page's figures differ\n full %+v\n page %+v", f, minResponses, full, page)
				}
				// Each breakdown of the page is the API's breakdown, whether
				// the page worked it out in a query or from its sessions.
				for g, rep := range map[string]models.AttendanceReport{"year_of_study": page.ByYear, "mode": page.ByMode,
					"week": page.ByWeek, "topic": page.ByTopic, "format": page.ByFormat, "teacher": page.ByTeacher, "series": page.BySeries} {
					api, err := models.AttendanceBreakdown(t.Context(), db, f, g, w.now, w.loc)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(api, rep) {
						t.Errorf("%+v: by %s the page says\n %+v\nthe API\n %+v", f, g, rep, api)
					}
				}
			}
		}
		page, _ := models.DashboardPageFigures(t.Context(), db, models.StatsFilter{From: w.from, To: w.to}, 1, w.now, w.loc)
		if len(page.BySeries.Rows) != 2 || page.BySeries.Rows[0].Label != "Cardiology evenings" || page.BySeries.Rows[0].Sessions != 2 {
			t.Errorf("by series: %+v", page.BySeries.Rows)
		}
		if len(page.TopByAttendance) == 0 || page.TopByAttendance[0].Title != "Heart failure" || page.TopByAttendance[0].StartsAt.IsZero() {
			t.Errorf("the most attended session, named: %+v", page.TopByAttendance)
		}
	})
}

// The dashboard keeps a page's figures while the version of the figures in
// the database stands, and works them out again after any change they are
// worked out from: a register, a session's title, a teacher's name, a
// member's year of study.
func TestDashboardFollowsEveryChange(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		w := stBuild(t, db, nil)
		f := models.StatsFilter{From: w.from, To: w.to}
		page := func() models.Dashboard {
			t.Helper()
			d, err := models.DashboardPageFigures(t.Context(), db, f, 1, w.now, w.loc)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if err := db.Write(t.Context(), func(tx *gorm.DB) error { return tx.Exec(q, args...).Error }); err != nil {
				t.Fatal(err)
			}
		}
		before := page()
		// Nothing the figures follow has changed: a roll-up written behind
		// the dashboard's back (nothing does that) is not seen.
		exec("UPDATE session_figures SET booked = booked + 100 WHERE session_id = ?", w.s4.ID)
		if again := page(); !reflect.DeepEqual(before, again) {
			t.Fatalf("the same figures twice differ:\n%+v\n%+v", before, again)
		}
		exec("UPDATE session_figures SET booked = booked - 100 WHERE session_id = ?", w.s4.ID)

		exec("UPDATE sessions SET title = ? WHERE id = ?", "Heart failure, again", w.s4.ID)
		if got := page().TopByAttendance[0].Title; got != "Heart failure, again" {
			t.Errorf("after a new title, the most attended session is %q", got)
		}

		teacher := func(d models.Dashboard) []string {
			var names []string
			for _, r := range d.ByTeacher.Rows {
				names = append(names, r.Label)
			}
			return names
		}
		exec("UPDATE users SET name = ? WHERE id = ?", "Alice Renamed", w.alice.ID)
		if names := strings.Join(teacher(page()), ", "); !strings.Contains(names, "Alice Renamed") {
			t.Errorf("after a new name, the teachers are %s", names)
		}

		// D's walk-in at S4 is struck off the register.
		exec("DELETE FROM attendance WHERE session_id = ? AND user_id = ?", w.s4.ID, w.d.ID)
		exec("INSERT INTO stats_dirty (session_id) VALUES (?) ON CONFLICT (session_id) DO NOTHING", w.s4.ID)
		if h := page().Headline; h.Came != before.Headline.Came-1 || h.WalkIns != before.Headline.WalkIns-1 {
			t.Errorf("after a register change: came %d, walk-ins %d; before %d, %d", h.Came, h.WalkIns, before.Headline.Came, before.Headline.WalkIns)
		}

		// L (year 1 at the end) is in year 2 from the period's last hour.
		exec("INSERT INTO year_history (user_id, year_of_study, valid_from) VALUES (?, 2, ?)", w.l.ID, w.to.Add(-time.Hour).UTC())
		reach := page().Reach
		if reach[0].Members != before.Reach[0].Members-1 || reach[1].Members != before.Reach[1].Members+1 {
			t.Errorf("after a new year of study: %+v, before %+v", reach, before.Reach)
		}
	})
}
