package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"rounds/internal/checkin"
	"rounds/internal/meetingreport"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// A session on Tuesday 3 November 2026, 18:00–19:30 UTC.
var atStart = time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)

var atRules = models.CheckinRules{Secret: []byte("test secret"), Rotation: 30 * time.Second, LateAfter: 10 * time.Minute}

// atRenal is the session of these tests (Mode and Seats say the rest): a
// renal physiology lecture at atStart, published a week before. Their
// students are in year 2.
var atRenal = testkit.Options(testkit.Title("Renal physiology"), testkit.Description(""), testkit.Topic("Renal"),
	testkit.Years(1, 2, 3), testkit.Venue("Room 1"), testkit.Link("https://zoom.example/j/123"),
	testkit.Starts(atStart), testkit.Ahead(7*24*time.Hour), testkit.Published())

func isErr(err error, want *models.Error) bool {
	var e *models.Error
	return errors.As(err, &e) && e.Code == want.Code
}

func TestCheckinCodes(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		student := testkit.Member(t, db, testkit.Email("student@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		testkit.Book(t, db, student, s, "")

		// Students cannot read codes.
		if _, _, err := models.CheckinCode(t.Context(), db, student, s.ID, models.ModeInPerson, atRules, atStart); err == nil {
			t.Error("a student read the check-in code")
		}
		// An online code for an in-person session does not exist.
		if _, _, err := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeOnline, atRules, atStart); err == nil {
			t.Error("online code for an in-person session")
		}

		at := atStart.Add(-20 * time.Minute)
		code, _, err := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at)
		if err != nil {
			t.Fatal(err)
		}
		// Before the window opens (15 minutes before the start): refused.
		if _, _, err := models.CheckIn(t.Context(), db, student, s.ID, code, atRules, at); !isErr(err, models.ErrCheckinClosed) {
			t.Errorf("check-in 20 minutes early: %v", err)
		}

		// Within the window: the current code and the previous one work.
		at = atStart.Add(-15 * time.Minute)
		prev, _, _ := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at)
		at = at.Add(atRules.Rotation)
		cur, _, _ := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at)
		if prev == cur {
			t.Fatal("the code did not rotate")
		}
		older, _, _ := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at.Add(-2*atRules.Rotation))
		if _, _, err := models.CheckIn(t.Context(), db, student, s.ID, older, atRules, at); !isErr(err, models.ErrCheckinCode) {
			t.Errorf("a code two rotations old: %v", err)
		}
		if _, _, err := models.CheckIn(t.Context(), db, student, s.ID, "ZZZZZZ", atRules, at); !isErr(err, models.ErrCheckinCode) {
			t.Errorf("a made-up code: %v", err)
		}
		a, created, err := models.CheckIn(t.Context(), db, student, s.ID, prev, atRules, at)
		if err != nil || !created || a.Status != models.AttendancePresent || a.Source != models.SourceCode || a.Mode != models.ModeInPerson {
			t.Fatalf("check-in with the previous code: %+v %v %v", a, created, err)
		}
		// A repeat changes nothing.
		again, created, err := models.CheckIn(t.Context(), db, student, s.ID, cur, atRules, at.Add(10*time.Second))
		if err != nil || created || again.Status != a.Status || !again.CheckedInAt.Equal(*a.CheckedInAt) {
			t.Errorf("repeat check-in: %+v %v %v", again, created, err)
		}

		// After the grace period a walk-in counts as late; at the end it closes.
		walkIn := testkit.Member(t, db, testkit.Email("walkin@x.ac.uk"), testkit.Year(2))
		at = atStart.Add(atRules.LateAfter + time.Second)
		code, _, _ = models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at)
		a, _, err = models.CheckIn(t.Context(), db, walkIn, s.ID, code, atRules, at)
		if err != nil || a.Status != models.AttendanceLate {
			t.Errorf("late walk-in: %+v %v", a, err)
		}
		// By code alone, from the "Check in" page.
		third := testkit.Member(t, db, testkit.Email("third@x.ac.uk"), testkit.Year(2))
		if a, _, err := models.CheckInByCode(t.Context(), db, third, code, atRules, at); err != nil || a.SessionID != s.ID {
			t.Errorf("check-in by code alone: %+v %v", a, err)
		}
		at = atStart.Add(90 * time.Minute)
		code, _, _ = models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, at)
		if _, _, err := models.CheckIn(t.Context(), db, testkit.Member(t, db, testkit.Email("tardy@x.ac.uk"), testkit.Year(2)), s.ID, code, atRules, at); !isErr(err, models.ErrCheckinClosed) {
			t.Errorf("check-in at the end: %v", err)
		}
		counts, _ := models.CountArrivals(t.Context(), db, s.ID)
		if counts[string(models.ModeInPerson)] != 3 {
			t.Errorf("arrivals = %v, want 3 in person", counts)
		}
	})
}

func TestHybridCodesTellTheMode(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		student := testkit.Member(t, db, testkit.Email("student@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeHybrid), testkit.Seats(30))
		testkit.Book(t, db, student, s, models.ModeInPerson)
		online, _, err := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeOnline, atRules, atStart)
		if err != nil {
			t.Fatal(err)
		}
		a, _, err := models.CheckIn(t.Context(), db, student, s.ID, online, atRules, atStart)
		if err != nil || a.Mode != models.ModeOnline {
			t.Errorf("online code: %+v %v", a, err)
		}
		// A code of another session is refused here.
		other := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeHybrid), testkit.Seats(30))
		code, _, _ := models.CheckinCode(t.Context(), db, teacher, other.ID, models.ModeInPerson, atRules, atStart)
		if _, _, err := models.CheckIn(t.Context(), db, testkit.Member(t, db, testkit.Email("x@x.ac.uk"), testkit.Year(2)), s.ID, code, atRules, atStart); !isErr(err, models.ErrCheckinCode) {
			t.Errorf("another session's code: %v", err)
		}
	})
}

func TestAttendancePrecedenceAndAudit(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		committee := testkit.Member(t, db, testkit.Email("chair@x.ac.uk"), testkit.Role(models.RoleCommittee))
		student := testkit.Member(t, db, testkit.Email("student@x.ac.uk"), testkit.Year(2))
		other := testkit.Member(t, db, testkit.Email("other@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeHybrid), testkit.Seats(30))
		testkit.Book(t, db, student, s, models.ModeOnline)

		// The register says absent; a later code check-in does not overrule it.
		if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, student.ID, models.RegisterEntry{Status: models.AttendanceAbsent}, atStart); err != nil {
			t.Fatal(err)
		}
		code, _, _ := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeOnline, atRules, atStart.Add(time.Minute))
		a, _, err := models.CheckIn(t.Context(), db, student, s.ID, code, atRules, atStart.Add(time.Minute))
		if err != nil || a.Status != models.AttendanceAbsent || a.Source != models.SourceRegister {
			t.Errorf("code after register: %+v %v", a, err)
		}
		// An import does not overrule the register either.
		report := meetingreport.Report{Participants: []meetingreport.Participant{{Name: "Member student@x.ac.uk", Email: "STUDENT@x.ac.uk", Minutes: 80}}}
		plan, err := models.PlanImport(t.Context(), db, teacher, s.ID, report, -1)
		if err != nil || len(plan.Lines) != 1 || plan.Lines[0].Action != models.ImportKeptRegister {
			t.Fatalf("plan: %+v %v", plan, err)
		}
		// The teacher corrects the register: present.
		a, err = models.MarkRegister(t.Context(), db, teacher, s.ID, student.ID, models.RegisterEntry{Status: models.AttendancePresent}, atStart.Add(2*time.Hour))
		if err != nil || a.Status != models.AttendancePresent || a.Mode != models.ModeOnline {
			t.Errorf("register correction: %+v %v", a, err)
		}
		// A walk-in on a hybrid session needs a mode.
		if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, other.ID, models.RegisterEntry{Status: models.AttendancePresent}, atStart); err == nil {
			t.Error("hybrid walk-in without a mode")
		}
		if _, err := models.MarkRegister(t.Context(), db, teacher, s.ID, other.ID, models.RegisterEntry{Status: "asleep", Mode: models.ModeInPerson}, atStart); err == nil {
			t.Error("unknown status accepted")
		}

		// Students and other teachers cannot read or write the register.
		stranger := testkit.Member(t, db, testkit.Email("stranger@x.ac.uk"), testkit.Role(models.RoleTeacher))
		for _, who := range []models.User{student, stranger} {
			if _, err := models.SessionRegister(t.Context(), db, who, s.ID); err == nil {
				t.Errorf("%s read the register", who.Email)
			}
			if _, err := models.SessionAttendance(t.Context(), db, who, s.ID); err == nil {
				t.Errorf("%s read the attendance", who.Email)
			}
			if _, err := models.MarkRegister(t.Context(), db, who, s.ID, other.ID, models.RegisterEntry{Status: models.AttendancePresent, Mode: models.ModeInPerson}, atStart); err == nil {
				t.Errorf("%s wrote the register", who.Email)
			}
		}

		// Every change is in the audit trail, for committee only.
		if _, err := models.AttendanceAudit(t.Context(), db, teacher, s.ID); err == nil {
			t.Error("a teacher read the audit trail")
		}
		audit, err := models.AttendanceAudit(t.Context(), db, committee, s.ID)
		if err != nil || len(audit) != 2 {
			t.Fatalf("audit = %+v, %v", audit, err)
		}
		if audit[1].FromStatus != models.AttendanceAbsent || audit[1].ToStatus != models.AttendancePresent || *audit[1].ActorID != teacher.ID {
			t.Errorf("audit entry = %+v", audit[1])
		}
	})
}

func TestImportMatching(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeOnline), testkit.Seats(0))
		byEmail := testkit.Member(t, db, testkit.Email("amy@x.ac.uk"), testkit.Year(2))
		testkit.Book(t, db, byEmail, s, "")
		byName, _ := models.CreateUser(t.Context(), db, models.NewUser{Email: "zoe@x.ac.uk", Name: "Zoë  Brown", Password: "long enough pw", Role: models.RoleStudent}, nil)
		testkit.Book(t, db, byName, s, "")
		// Two members share a name: not matched by name.
		for _, e := range []string{"sam1@x.ac.uk", "sam2@x.ac.uk"} {
			models.CreateUser(t.Context(), db, models.NewUser{Email: e, Name: "Sam Lee", Password: "long enough pw", Role: models.RoleStudent}, nil)
		}
		short := testkit.Member(t, db, testkit.Email("brief@x.ac.uk"), testkit.Year(2))
		report := meetingreport.Report{Participants: []meetingreport.Participant{
			{Name: "Amy (guest name)", Email: "Amy@X.ac.uk", Minutes: 70},
			{Name: "zoë brown", Minutes: 50},
			{Name: "Sam Lee", Minutes: 90},
			{Name: "Nobody Known", Email: "nobody@elsewhere.org", Minutes: 90},
			{Name: "Brief", Email: "brief@x.ac.uk", Minutes: 10},
			{Name: "The Teacher", Email: "teacher@x.ac.uk", Minutes: 90},
		}}
		plan, err := models.PlanImport(t.Context(), db, teacher, s.ID, report, -1)
		if err != nil {
			t.Fatal(err)
		}
		if plan.MinMinutes != 45 {
			t.Errorf("default minimum = %d, want half of 90", plan.MinMinutes)
		}
		got := map[string]string{}
		for _, l := range plan.Lines {
			got[l.Name] = fmt.Sprintf("%s:%d", l.Action, l.UserID)
		}
		want := map[string]string{
			"Amy (guest name)": fmt.Sprintf("present:%d", byEmail.ID),
			"zoë brown":        fmt.Sprintf("present:%d", byName.ID),
			"Sam Lee":          "unmatched:0",
			"Nobody Known":     "unmatched:0",
			"Brief":            fmt.Sprintf("below_minimum:%d", short.ID),
			"The Teacher":      fmt.Sprintf("teacher:%d", teacher.ID),
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s, want %s", k, got[k], v)
			}
		}
		// A tampered plan cannot mark the short stayer or the teacher.
		for i := range plan.Lines {
			plan.Lines[i].Action = models.ImportMarkPresent
		}
		res, err := models.ApplyImport(t.Context(), db, teacher, s.ID, plan, atStart.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if res.MarkedPresent != 2 || len(res.Unmatched) != 2 || res.Skipped != 2 {
			t.Errorf("result = %+v", res)
		}
		a, found, _ := models.AttendanceOf(t.Context(), db, byName.ID, s.ID)
		if !found || a.Source != models.SourceImport || a.Minutes == nil || *a.Minutes != 50 || a.Mode != models.ModeOnline {
			t.Errorf("imported record = %+v", a)
		}
		// Applying again changes nothing.
		res, _ = models.ApplyImport(t.Context(), db, teacher, s.ID, plan, atStart.Add(3*time.Hour))
		if res.MarkedPresent != 0 {
			t.Errorf("second import marked %d", res.MarkedPresent)
		}
	})
}

func TestApologiesAndMarkingAbsent(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(1))
		sorry := testkit.Member(t, db, testkit.Email("sorry@x.ac.uk"), testkit.Year(2))
		waiting := testkit.Member(t, db, testkit.Email("waiting@x.ac.uk"), testkit.Year(2))
		testkit.Book(t, db, sorry, s, "")
		if b := testkit.Book(t, db, waiting, s, ""); b.Status != models.BookingWaitlisted {
			t.Fatalf("second booking = %s", b.Status)
		}
		a, err := models.SendApologies(t.Context(), db, sorry, s.ID, atStart.Add(-time.Hour))
		if err != nil || a.Status != models.AttendanceExcused || a.Source != models.SourceApology {
			t.Fatalf("apologies: %+v %v", a, err)
		}
		b, _ := models.UserBooking(t.Context(), db, s.ID, waiting.ID)
		if b.Status != models.BookingConfirmed {
			t.Errorf("the waitlisted student was not promoted: %s", b.Status)
		}
		// Apologies close at the start.
		if _, err := models.SendApologies(t.Context(), db, waiting, s.ID, atStart); err == nil {
			t.Error("apologies after the start")
		}
		// Marking unmarked absent waits for the end, then marks the confirmed only.
		if _, err := models.MarkUnmarkedAbsent(t.Context(), db, teacher, s.ID, atStart.Add(time.Hour)); !isErr(err, models.ErrNotEnded) {
			t.Errorf("before the end: %v", err)
		}
		n, err := models.MarkUnmarkedAbsent(t.Context(), db, teacher, s.ID, atStart.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Errorf("marked %d, %v", n, err)
		}
		if a, _, _ := models.AttendanceOf(t.Context(), db, waiting.ID, s.ID); a.Status != models.AttendanceAbsent {
			t.Errorf("waiting = %+v", a)
		}
		if a, _, _ := models.AttendanceOf(t.Context(), db, sorry.ID, s.ID); a.Status != models.AttendanceExcused {
			t.Errorf("sorry = %+v", a)
		}
		rows, err := models.SessionRegister(t.Context(), db, teacher, s.ID)
		if err != nil || len(rows) != 2 {
			t.Errorf("register = %+v %v", rows, err)
		}
	})
}

func TestJoinLink(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeHybrid), testkit.Seats(10))
		online := testkit.Member(t, db, testkit.Email("online@x.ac.uk"), testkit.Year(2))
		room := testkit.Member(t, db, testkit.Email("room@x.ac.uk"), testkit.Year(2))
		testkit.Book(t, db, online, s, models.ModeOnline)
		testkit.Book(t, db, room, s, models.ModeInPerson)
		if _, err := models.JoinOnline(t.Context(), db, room, s.ID, atRules.LateAfter, atStart); !isErr(err, models.ErrNotBookedOnline) {
			t.Errorf("in-person student joins online: %v", err)
		}
		// Before the window: the link, but no attendance.
		link, err := models.JoinOnline(t.Context(), db, online, s.ID, atRules.LateAfter, atStart.Add(-time.Hour))
		if err != nil || link != "https://zoom.example/j/123" {
			t.Fatalf("join early: %q %v", link, err)
		}
		if _, found, _ := models.AttendanceOf(t.Context(), db, online.ID, s.ID); found {
			t.Error("attendance recorded an hour early")
		}
		if _, err := models.JoinOnline(t.Context(), db, online, s.ID, atRules.LateAfter, atStart.Add(20*time.Minute)); err != nil {
			t.Fatal(err)
		}
		a, found, _ := models.AttendanceOf(t.Context(), db, online.ID, s.ID)
		if !found || a.Source != models.SourceJoinLink || a.Status != models.AttendanceLate || a.Mode != models.ModeOnline {
			t.Errorf("join record = %+v", a)
		}
	})
}

// The codes come from internal/checkin with the same rotation.
func TestCheckinCodeIsTheLibrarys(t *testing.T) {
	db := testkit.SQLite(t)
	teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
	s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(10))
	code, exp, err := models.CheckinCode(t.Context(), db, teacher, s.ID, "", atRules, atStart)
	want, wantExp := checkin.Current(atRules.Secret, s.ID, string(models.ModeInPerson), atStart, atRules.Rotation)
	if err != nil || code != want || !exp.Equal(wantExp) {
		t.Errorf("code %q (%v) %v, want %q (%v)", code, exp, err, want, wantExp)
	}
}

func TestWrongCheckinCodesAreLimited(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		student := testkit.Member(t, db, testkit.Email("guesser@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		for i := 0; i < models.CheckinFailuresLimit; i++ {
			if _, _, err := models.CheckIn(t.Context(), db, student, s.ID, fmt.Sprintf("P%05d", 22222+i), atRules, atStart); !isErr(err, models.ErrCheckinCode) {
				t.Fatalf("guess %d: %v", i, err)
			}
		}
		code, _, _ := models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, atStart)
		_, _, err := models.CheckIn(t.Context(), db, student, s.ID, code, atRules, atStart)
		var rl *models.RateLimitedError
		if !errors.As(err, &rl) || rl.RetryAfterSeconds <= 0 {
			t.Fatalf("after %d wrong codes even the right one: %v", models.CheckinFailuresLimit, err)
		}
		if _, _, err := models.CheckInByCode(t.Context(), db, student, code, atRules, atStart); !errors.As(err, &rl) {
			t.Errorf("by code alone while blocked: %v", err)
		}
		// Others are not affected, and the block passes.
		if _, _, err := models.CheckIn(t.Context(), db, testkit.Member(t, db, testkit.Email("honest@x.ac.uk"), testkit.Year(2)), s.ID, code, atRules, atStart); err != nil {
			t.Errorf("another student: %v", err)
		}
		later := atStart.Add(models.CheckinWindow + time.Second)
		code, _, _ = models.CheckinCode(t.Context(), db, teacher, s.ID, models.ModeInPerson, atRules, later)
		if _, _, err := models.CheckIn(t.Context(), db, student, s.ID, code, atRules, later); err != nil {
			t.Errorf("after the window: %v", err)
		}
	})
}

// TestImportLargeReport: a report with tens of thousands of different
// addresses is planned, not refused by the database's limit on variables,
// and the members among them are found.
func TestImportLargeReport(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		student := testkit.Member(t, db, testkit.Email("student@x.ac.uk"), testkit.Year(2))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeOnline))
		report := meetingreport.Report{}
		for i := range 33000 {
			report.Participants = append(report.Participants, meetingreport.Participant{Email: fmt.Sprintf("guest%05d@elsewhere.example", i), Minutes: 60})
		}
		report.Participants = append(report.Participants, meetingreport.Participant{Name: "A student", Email: "student@x.ac.uk", Minutes: 60})
		plan, err := models.PlanImport(t.Context(), db, teacher, s.ID, report, -1)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, l := range plan.Lines {
			found = found || l.UserID == student.ID
		}
		if !found {
			t.Error("the member at the end of a long report was not found")
		}
	})
}
