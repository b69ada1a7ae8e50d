package models_test

import (
	"context"
	"fmt"
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

// stMember creates a member whose year-of-study history starts at since.
func stMember(t *testing.T, db *store.Store, name, role string, year int, since time.Time) models.User {
	t.Helper()
	var y *int
	if year > 0 {
		y = &year
	}
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@st.example.ac.uk"
	u, err := models.CreateUser(t.Context(), db, models.NewUser{Email: email, Name: name, Password: "long enough pw", Role: role, YearOfStudy: y}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// CreateUser records the year from the real time of creation; the data
	// set lives in 2025.
	if err := db.Write(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("UPDATE year_history SET valid_from = ? WHERE user_id = ?", since.UTC(), u.ID).Error
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(context.Background(), func(tx *gorm.DB) error {
		return tx.Exec("UPDATE users SET created_at = ? WHERE id = ?", since.UTC(), u.ID).Error
	}); err != nil {
		t.Fatal(err)
	}
	return u
}

type stSpec struct {
	title, topic, format, mode string
	start                      time.Time
	minutes                    int
	teachers                   []models.User
	inPerson, online           int
}

// stSession creates and publishes a session as the committee at created.
func stSession(t *testing.T, db *store.Store, committee models.User, sp stSpec, created time.Time, publish bool) models.Session {
	t.Helper()
	end := sp.start.Add(time.Duration(sp.minutes) * time.Minute)
	years := []int{1, 2, 3, 4, 5, 6}
	var ids []int64
	for _, u := range sp.teachers {
		ids = append(ids, u.ID)
	}
	in := models.SessionInput{Title: &sp.title, Topic: &sp.topic, Format: &sp.format, Mode: &sp.mode, YearGroups: &years,
		StartsAt: &sp.start, EndsAt: &end, TeacherIDs: &ids}
	venue, link := "Lecture theatre 2", "https://teams.example/l/st"
	if sp.mode != models.ModeOnline {
		in.Venue, in.InPersonCapacity = &venue, &sp.inPerson
	}
	if sp.mode != models.ModeInPerson {
		in.OnlineURL, in.OnlineCapacity = &link, &sp.online
	}
	s, err := models.CreateSession(t.Context(), db, committee, in, created)
	if err != nil {
		t.Fatal(err)
	}
	if publish {
		if s, err = models.PublishSession(t.Context(), db, committee, s.ID, created); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func stBook(t *testing.T, db *store.Store, actor, u models.User, s models.Session, mode, want string, at time.Time) {
	t.Helper()
	in := models.BookInput{Mode: mode}
	if actor.ID != u.ID {
		in.UserID = u.ID
	}
	b, err := models.BookSeat(t.Context(), db, actor, s.ID, in, at)
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != want {
		t.Fatalf("%s booking %s: %s, want %s", u.Name, s.Title, b.Status, want)
	}
}

func stMark(t *testing.T, db *store.Store, committee, u models.User, s models.Session, status, mode string) {
	t.Helper()
	if _, err := models.MarkRegister(t.Context(), db, committee, s.ID, u.ID, models.RegisterEntry{Status: status, Mode: mode}, s.EndsAt); err != nil {
		t.Fatal(err)
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
	w.committee = stMember(t, db, "Chair Person", models.RoleCommittee, 0, jan)
	w.alice = stMember(t, db, "Alice Teacher", models.RoleTeacher, 0, jan)
	w.bob = stMember(t, db, "Bob Teacher", models.RoleTeacher, 0, jan)
	w.a = stMember(t, db, "Student A", models.RoleStudent, 1, jan)
	w.b = stMember(t, db, "Student B", models.RoleStudent, 2, jan)
	w.c = stMember(t, db, "Student C", models.RoleStudent, 2, jan)
	w.d = stMember(t, db, "Student D", models.RoleStudent, 6, jan)
	w.e = stMember(t, db, "Student E", models.RoleStudent, 3, jan)
	cm := w.committee
	may := stAt(2025, 5, 1, 9, 0)

	w.s1 = stSession(t, db, cm, stSpec{"Chest pain", "Cardiology", models.FormatLecture, models.ModeInPerson,
		stAt(2025, 6, 10, 18, 0), 90, []models.User{w.alice}, 2, 0}, may, true)
	stBook(t, db, w.a, w.a, w.s1, "", models.BookingConfirmed, may)
	stBook(t, db, w.b, w.b, w.s1, "", models.BookingConfirmed, may)
	stBook(t, db, w.c, w.c, w.s1, "", models.BookingWaitlisted, may)
	stMark(t, db, cm, w.a, w.s1, models.AttendancePresent, "")
	stMark(t, db, cm, w.b, w.s1, models.AttendanceAbsent, "")
	stMark(t, db, cm, w.c, w.s1, models.AttendancePresent, "")
	stMark(t, db, cm, w.e, w.s1, models.AttendancePresent, "")

	w.s2 = stSession(t, db, cm, stSpec{"Acid–base", "Renal", models.FormatSmallGroup, models.ModeOnline,
		stAt(2025, 7, 15, 18, 0), 60, []models.User{w.bob}, 0, 10}, may, true)
	stBook(t, db, w.a, w.a, w.s2, "", models.BookingConfirmed, may)
	stBook(t, db, w.d, w.d, w.s2, "", models.BookingConfirmed, may)
	stBook(t, db, w.b, w.b, w.s2, "", models.BookingConfirmed, may)
	if _, err := models.CancelMyBooking(t.Context(), db, w.b, w.s2.ID, may.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stMark(t, db, cm, w.a, w.s2, models.AttendanceLate, "")
	stMark(t, db, cm, w.d, w.s2, models.AttendanceExcused, "")
	stFeedback(t, db, w.a, w.s2, 4, 5, 2, 4)

	w.s3 = stSession(t, db, cm, stSpec{"ECG", "Cardiology", models.FormatLecture, models.ModeInPerson,
		stAt(2025, 7, 20, 10, 0), 60, []models.User{w.alice}, 20, 0}, may, true)
	stBook(t, db, w.a, w.a, w.s3, "", models.BookingConfirmed, may)
	if _, err := models.CancelSession(t.Context(), db, cm, w.s3.ID, "Teacher ill", may.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	if beforeRollover != nil {
		beforeRollover(w)
	}
	if _, err := models.RollOverYear(t.Context(), db, cm, stAt(2025, 9, 1, 9, 0), w.loc); err != nil {
		t.Fatal(err)
	}
	w.l = stMember(t, db, "Student L", models.RoleStudent, 1, stAt(2025, 10, 1, 0, 0))

	sep := stAt(2025, 9, 20, 9, 0)
	w.s4 = stSession(t, db, cm, stSpec{"Heart failure", "Cardiology", models.FormatWorkshop, models.ModeHybrid,
		stAt(2025, 10, 14, 18, 0), 120, []models.User{w.alice, w.bob}, 1, 5}, sep, true)
	oct := stAt(2025, 10, 2, 9, 0)
	stBook(t, db, w.a, w.a, w.s4, models.ModeInPerson, models.BookingConfirmed, oct)
	stBook(t, db, w.b, w.b, w.s4, models.ModeInPerson, models.BookingWaitlisted, oct)
	stBook(t, db, w.c, w.c, w.s4, models.ModeOnline, models.BookingConfirmed, oct)
	stBook(t, db, w.l, w.l, w.s4, models.ModeOnline, models.BookingConfirmed, oct)
	stMark(t, db, cm, w.a, w.s4, models.AttendancePresent, "")
	stMark(t, db, cm, w.c, w.s4, models.AttendancePresent, "")
	stMark(t, db, cm, w.l, w.s4, models.AttendanceAbsent, "")
	stMark(t, db, cm, w.d, w.s4, models.AttendancePresent, models.ModeInPerson)
	stFeedback(t, db, w.a, w.s4, 5, 4, 1, 4)
	stFeedback(t, db, w.c, w.s4, 3, 3, 3, 3)
	stFeedback(t, db, w.d, w.s4, 2, 2, 4, 3)

	w.s6 = stSession(t, db, cm, stSpec{"Stroke", "Neurology", models.FormatLecture, models.ModeInPerson,
		stAt(2025, 11, 18, 18, 0), 60, []models.User{w.alice}, 30, 0}, sep, true)
	w.s7 = stSession(t, db, cm, stSpec{"Valves", "Cardiology", models.FormatLecture, models.ModeInPerson,
		stAt(2025, 12, 2, 18, 0), 60, []models.User{w.alice}, 30, 0}, sep, true)
	stBook(t, db, w.a, w.a, w.s7, "", models.BookingConfirmed, sep)
	stMark(t, db, cm, w.a, w.s7, models.AttendancePresent, "")
	stSession(t, db, cm, stSpec{"Draft", "Cardiology", models.FormatLecture, models.ModeInPerson,
		stAt(2025, 10, 20, 18, 0), 60, []models.User{w.alice}, 30, 0}, sep, false)

	// Back-filled in December: the committee records a June session.
	dec := stAt(2025, 12, 10, 9, 0)
	w.s5 = stSession(t, db, cm, stSpec{"Fluids", "Renal", models.FormatPractical, models.ModeInPerson,
		stAt(2025, 6, 20, 14, 0), 60, []models.User{w.bob}, 10, 0}, dec, true)
	stBook(t, db, cm, w.l, w.s5, "", models.BookingConfirmed, dec)
	stBook(t, db, cm, w.e, w.s5, "", models.BookingConfirmed, dec)
	stMark(t, db, cm, w.l, w.s5, models.AttendancePresent, "")
	stMark(t, db, cm, w.e, w.s5, models.AttendanceLate, "")
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

		// Nothing booked: rate null, in rows and totals.
		rep, err := models.AttendanceBreakdown(t.Context(), db, models.StatsFilter{From: stAt(2024, 1, 1, 0, 0), To: stAt(2024, 6, 1, 0, 0)}, "topic", w.now, w.loc)
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
		stMark(t, db, w.committee, w.c, w.s2, models.AttendancePresent, "")
		stMark(t, db, w.committee, w.a, w.s2, models.AttendanceAbsent, "")
		if h, err := models.DashboardHeadline(t.Context(), db, models.StatsFilter{From: stAt(2025, 7, 1, 0, 0), To: stAt(2025, 8, 1, 0, 0)}, w.now, w.loc); err != nil || h.UniqueAttendees != 1 {
			t.Errorf("July after the change: %+v %v", h, err)
		}
		stMonthsAgree(t, db, w.loc)
	})
}

func TestRollOverYear(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		jan := stAt(2025, 1, 1, 0, 0)
		cm := stMember(t, db, "Chair Person", models.RoleCommittee, 0, jan)
		student := stMember(t, db, "Student Y1", models.RoleStudent, 1, jan)
		stMember(t, db, "Student Y6", models.RoleStudent, 6, jan)
		stMember(t, db, "Student Y6b", models.RoleStudent, 6, jan)
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
		cm := stMember(t, db, "Chair Person", models.RoleCommittee, 0, jan)
		a := stMember(t, db, "Student A", models.RoleStudent, 1, jan)
		b := stMember(t, db, "Student B", models.RoleStudent, 1, jan)
		s := stSession(t, db, cm, stSpec{"Chest pain", "Cardiology", models.FormatLecture, models.ModeInPerson,
			stAt(2025, 6, 10, 18, 0), 60, []models.User{cm}, 10, 0}, stAt(2025, 5, 1, 9, 0), true)
		stBook(t, db, a, a, s, "", models.BookingConfirmed, stAt(2025, 5, 2, 9, 0))
		stBook(t, db, b, b, s, "", models.BookingConfirmed, stAt(2025, 5, 2, 9, 0))
		now := stAt(2025, 7, 1, 9, 0)
		f := models.StatsFilter{From: stAt(2025, 6, 1, 0, 0), To: stAt(2025, 7, 1, 0, 0)}
		if _, err := models.RefreshFigures(t.Context(), db, now, stLondon); err != nil {
			t.Fatal(err)
		}
		stMark(t, db, cm, a, s, models.AttendancePresent, "") // marked again, committed

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
}
