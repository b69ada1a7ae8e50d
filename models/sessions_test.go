package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// sbT0 is "now" in the session and booking tests: when testkit creates
// their members and sessions.
var sbT0 = testkit.T0

func sbPtr[T any](v T) *T { return &v }

// sbInput is a valid in-person lecture two days after sbT0, the session
// testkit.Session makes by default.
func sbInput() models.SessionInput {
	start := sbT0.Add(48 * time.Hour)
	return models.SessionInput{
		Title:            sbPtr("Cardiac murmurs"),
		Description:      sbPtr("Auscultation practice.\nBring a stethoscope."),
		Topic:            sbPtr("Cardiology"),
		Format:           sbPtr(models.FormatLecture),
		YearGroups:       &[]int{1, 2},
		Mode:             sbPtr(models.ModeInPerson),
		Venue:            sbPtr("Lecture Theatre 2"),
		InPersonCapacity: sbPtr(40),
		StartsAt:         &start,
		EndsAt:           sbPtr(start.Add(90 * time.Minute)),
	}
}

// sbMail lists the outbox messages of kind, oldest first.
func sbMail(t testing.TB, db *store.Store, kind models.MailKind) []models.OutboxMessage {
	t.Helper()
	var msgs []models.OutboxMessage
	if err := db.Read(context.Background()).Where("kind = ?", kind).Order("id").Find(&msgs).Error; err != nil {
		t.Fatal(err)
	}
	return msgs
}

func sbWantErr(t testing.TB, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func sbFields(t testing.TB, err error) map[string]string {
	t.Helper()
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a validation error", err)
	}
	return ve.Fields
}

func TestYearGroups(t *testing.T) {
	y := models.YearGroupsOf(2, 1, 6, 9)
	if got := y.Years(); fmt.Sprint(got) != "[1 2 6]" {
		t.Fatalf("Years() = %v", got)
	}
	b, _ := json.Marshal(y)
	if string(b) != "[1,2,6]" {
		t.Fatalf("JSON = %s", b)
	}
	var back models.YearGroups
	if err := json.Unmarshal([]byte("[3,4]"), &back); err != nil || !back.Has(3) || !back.Has(4) || back.Has(1) {
		t.Fatalf("unmarshal = %v, %v", back.Years(), err)
	}
	if b, _ := json.Marshal(models.YearGroups(0)); string(b) != "[]" {
		t.Fatalf("empty JSON = %s", b)
	}
}

func TestSessionInputJSON(t *testing.T) {
	var in models.SessionInput
	if err := json.Unmarshal([]byte(`{"title":"X","online_capacity":null,"year_groups":[1]}`), &in); err != nil {
		t.Fatal(err)
	}
	if in.OnlineCapacity == nil || *in.OnlineCapacity != 0 || *in.Title != "X" || len(*in.YearGroups) != 1 {
		t.Fatalf("decoded %+v", in)
	}
	in = models.SessionInput{}
	if err := json.Unmarshal([]byte(`{"venue":"Room 1"}`), &in); err != nil || in.OnlineCapacity != nil {
		t.Fatalf("absent online_capacity decoded as %v, %v", in.OnlineCapacity, err)
	}
}

func TestCreateSessionValidation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		cases := []struct {
			name  string
			field string
			edit  func(*models.SessionInput)
		}{
			{"no title", "title", func(in *models.SessionInput) { in.Title = nil }},
			{"blank title", "title", func(in *models.SessionInput) { in.Title = sbPtr("   ") }},
			{"long title", "title", func(in *models.SessionInput) { in.Title = sbPtr(strings.Repeat("a", 201)) }},
			{"two-line title", "title", func(in *models.SessionInput) { in.Title = sbPtr("a\nb") }},
			{"long description", "description", func(in *models.SessionInput) { in.Description = sbPtr(strings.Repeat("é", 10001)) }},
			{"NUL in description", "description", func(in *models.SessionInput) { in.Description = sbPtr("a\x00b") }},
			{"bad UTF-8 topic", "topic", func(in *models.SessionInput) { in.Topic = sbPtr("a\xffb") }},
			{"long topic", "topic", func(in *models.SessionInput) { in.Topic = sbPtr(strings.Repeat("t", 101)) }},
			{"no format", "format", func(in *models.SessionInput) { in.Format = nil }},
			{"bad format", "format", func(in *models.SessionInput) { in.Format = sbPtr(models.Format("seminar")) }},
			{"no mode", "mode", func(in *models.SessionInput) { in.Mode = nil }},
			{"bad mode", "mode", func(in *models.SessionInput) { in.Mode = sbPtr(models.Mode("zoom")) }},
			{"no years", "year_groups", func(in *models.SessionInput) { in.YearGroups = nil }},
			{"empty years", "year_groups", func(in *models.SessionInput) { in.YearGroups = &[]int{} }},
			{"year 0", "year_groups", func(in *models.SessionInput) { in.YearGroups = &[]int{0, 1} }},
			{"year 7", "year_groups", func(in *models.SessionInput) { in.YearGroups = &[]int{7} }},
			{"no venue in person", "venue", func(in *models.SessionInput) { in.Venue = nil }},
			{"no venue hybrid", "venue", func(in *models.SessionInput) {
				in.Venue, in.Mode, in.OnlineURL = sbPtr(""), sbPtr(models.ModeHybrid), sbPtr("https://teams.example.com/x")
			}},
			{"no link online", "online_url", func(in *models.SessionInput) { in.Mode = sbPtr(models.ModeOnline) }},
			{"ftp link", "online_url", func(in *models.SessionInput) {
				in.Mode, in.OnlineURL = sbPtr(models.ModeOnline), sbPtr("ftp://files.example.com/x")
			}},
			{"javascript link", "online_url", func(in *models.SessionInput) {
				in.Mode, in.OnlineURL = sbPtr(models.ModeOnline), sbPtr("javascript:alert(1)")
			}},
			{"not a link", "online_url", func(in *models.SessionInput) {
				in.Mode, in.OnlineURL = sbPtr(models.ModeHybrid), sbPtr("zoom meeting 123")
			}},
			{"no seats in person", "in_person_capacity", func(in *models.SessionInput) { in.InPersonCapacity = nil }},
			{"zero seats hybrid", "in_person_capacity", func(in *models.SessionInput) {
				in.Mode, in.OnlineURL, in.InPersonCapacity = sbPtr(models.ModeHybrid), sbPtr("https://zoom.example.com/j/1"), sbPtr(0)
			}},
			{"negative seats", "in_person_capacity", func(in *models.SessionInput) { in.InPersonCapacity = sbPtr(-1) }},
			{"too many seats", "in_person_capacity", func(in *models.SessionInput) { in.InPersonCapacity = sbPtr(10001) }},
			{"negative online", "online_capacity", func(in *models.SessionInput) { in.OnlineCapacity = sbPtr(-5) }},
			{"too many online", "online_capacity", func(in *models.SessionInput) { in.OnlineCapacity = sbPtr(10001) }},
			{"no start", "starts_at", func(in *models.SessionInput) { in.StartsAt = nil }},
			{"no end", "ends_at", func(in *models.SessionInput) { in.EndsAt = nil }},
			{"end before start", "ends_at", func(in *models.SessionInput) { in.EndsAt = sbPtr(in.StartsAt.Add(-time.Minute)) }},
			{"end at start", "ends_at", func(in *models.SessionInput) { in.EndsAt = sbPtr(*in.StartsAt) }},
			{"over 12 hours", "ends_at", func(in *models.SessionInput) { in.EndsAt = sbPtr(in.StartsAt.Add(12*time.Hour + time.Minute)) }},
			{"teacher in the past", "starts_at", func(in *models.SessionInput) {
				in.StartsAt, in.EndsAt = sbPtr(sbT0.Add(-2*time.Hour)), sbPtr(sbT0.Add(-time.Hour))
			}},
			{"no teachers", "teacher_ids", func(in *models.SessionInput) { in.TeacherIDs = &[]int64{} }},
			{"student as teacher", "teacher_ids", func(in *models.SessionInput) { in.TeacherIDs = &[]int64{teacher.ID, student.ID} }},
			{"unknown teacher", "teacher_ids", func(in *models.SessionInput) { in.TeacherIDs = &[]int64{987654} }},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := sbInput()
				c.edit(&in)
				_, err := models.CreateSession(t.Context(), db, teacher, in, sbT0)
				fields := sbFields(t, err)
				if fields[c.field] == "" || len(fields) != 1 {
					t.Fatalf("fields = %v, want only %q", fields, c.field)
				}
			})
		}
		var n int64
		db.Read(context.Background()).Model(&models.Session{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d sessions stored by invalid input", n)
		}
		// Twelve hours exactly is allowed.
		in := sbInput()
		in.EndsAt = sbPtr(in.StartsAt.Add(12 * time.Hour))
		if _, err := models.CreateSession(t.Context(), db, teacher, in, sbT0); err != nil {
			t.Fatalf("12-hour session: %v", err)
		}
	})
}

func TestCreateSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		co := testkit.Member(t, db, testkit.Name("Colin Coteacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())

		_, err := models.CreateSession(t.Context(), db, student, sbInput(), sbT0)
		sbWantErr(t, err, models.ErrForbidden)

		// Times are stored in UTC whatever offset they came with.
		in := sbInput()
		bst := time.FixedZone("BST", 3600)
		in.StartsAt = sbPtr(time.Date(2030, 6, 1, 18, 0, 0, 0, bst))
		in.EndsAt = sbPtr(time.Date(2030, 6, 1, 19, 30, 0, 0, bst))
		in.Mode, in.OnlineURL, in.OnlineCapacity = sbPtr(models.ModeHybrid), sbPtr("https://teams.example.com/l/meetup"), sbPtr(0)
		s, err := models.CreateSession(t.Context(), db, teacher, in, sbT0)
		if err != nil {
			t.Fatal(err)
		}
		got, err := models.SessionByID(t.Context(), db, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.SessionDraft || got.StartsAt.Location() != time.UTC || got.StartsAt.Hour() != 17 ||
			got.OnlineCapacity != nil || got.YearGroups.String() != "1, 2" || got.Capacity(models.ModeOnline) != -1 {
			t.Fatalf("stored %+v", got)
		}
		teachers, err := models.SessionTeachers(t.Context(), db, s.ID)
		if err != nil || len(teachers) != 1 || teachers[0].ID != teacher.ID || teachers[0].Name != "Tess Teacher" {
			t.Fatalf("teachers = %v, %v", teachers, err)
		}

		// teacher_ids replaces the creator.
		in = sbInput()
		in.TeacherIDs = &[]int64{co.ID, committee.ID, co.ID}
		s2, err := models.CreateSession(t.Context(), db, teacher, in, sbT0)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := models.IsTeacherOf(t.Context(), db, teacher.ID, s2.ID); ok {
			t.Fatal("creator teaches although teacher_ids left them out")
		}
		if ok, _ := models.IsTeacherOf(t.Context(), db, co.ID, s2.ID); !ok {
			t.Fatal("co-teacher not a teacher")
		}
		if ts, _ := models.SessionTeachers(t.Context(), db, s2.ID); len(ts) != 2 {
			t.Fatalf("teachers = %v", ts)
		}

		// Committee may back-fill a session in the past.
		in = sbInput()
		in.StartsAt, in.EndsAt = sbPtr(sbT0.Add(-72*time.Hour)), sbPtr(sbT0.Add(-71*time.Hour))
		if _, err := models.CreateSession(t.Context(), db, committee, in, sbT0); err != nil {
			t.Fatalf("committee back-fill: %v", err)
		}
	})
}

func TestSessionVisibility(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		other := testkit.Member(t, db, testkit.Name("Otto Other"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		booker := testkit.Member(t, db, testkit.Name("Bea Booker"), testkit.Year(3), testkit.Direct())

		draft := testkit.Session(t, db, teacher, testkit.Title("Draft"))
		pub := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Title = sbPtr("Published")
			in.StartsAt, in.EndsAt = sbPtr(sbT0.Add(24*time.Hour)), sbPtr(sbT0.Add(25*time.Hour))
		}))
		gone := testkit.Session(t, db, teacher, testkit.Published(), testkit.Title("Cancelled"))
		if _, err := models.BookSeat(t.Context(), db, booker, gone.ID, models.BookInput{}, sbT0); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CancelSession(t.Context(), db, teacher, gone.ID, "Teacher unwell", sbT0); err != nil {
			t.Fatal(err)
		}

		titles := func(u models.User, f models.SessionFilter) string {
			t.Helper()
			ss, err := models.ListSessions(t.Context(), db, u, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range ss {
				out = append(out, s.Title)
			}
			return strings.Join(out, ",")
		}
		for _, c := range []struct {
			who  models.User
			f    models.SessionFilter
			want string
		}{
			{student, models.SessionFilter{}, "Published"},
			{booker, models.SessionFilter{}, "Published"},
			{student, models.SessionFilter{Status: models.SessionDraft}, ""},
			{student, models.SessionFilter{Status: models.SessionCancelled}, ""},
			{booker, models.SessionFilter{Status: models.SessionCancelled}, "Cancelled"},
			{other, models.SessionFilter{}, "Published"},
			{teacher, models.SessionFilter{}, "Published,Draft,Cancelled"},
			{teacher, models.SessionFilter{Status: models.SessionDraft}, "Draft"},
			{committee, models.SessionFilter{}, "Published,Draft,Cancelled"},
			{models.User{}, models.SessionFilter{}, ""},
		} {
			if got := titles(c.who, c.f); got != c.want {
				t.Errorf("%s with %+v sees %q, want %q", c.who.Name, c.f, got, c.want)
			}
		}

		for _, c := range []struct {
			who models.User
			s   models.Session
			ok  bool
		}{
			{student, draft, false}, {other, draft, false}, {teacher, draft, true}, {committee, draft, true},
			{student, pub, true}, {student, gone, false}, {booker, gone, true}, {other, gone, false},
			{models.User{}, pub, false},
		} {
			_, err := models.SessionViewByID(t.Context(), db, c.who, c.s.ID)
			if c.ok && err != nil {
				t.Errorf("%s cannot see %s: %v", c.who.Name, c.s.Title, err)
			}
			if !c.ok {
				sbWantErr(t, err, models.ErrNotFound)
			}
		}
		_, err := models.SessionViewByID(t.Context(), db, committee, 987654)
		sbWantErr(t, err, models.ErrNotFound)
	})
}

func TestSessionAuthorisation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		other := testkit.Member(t, db, testkit.Name("Otto Other"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published())
		draft := testkit.Session(t, db, teacher)
		title := models.SessionInput{Title: sbPtr("Renamed")}

		for _, who := range []models.User{other, student} {
			_, err := models.UpdateSession(t.Context(), db, who, s.ID, title, sbT0)
			sbWantErr(t, err, models.ErrForbidden)
			_, err = models.PublishSession(t.Context(), db, who, s.ID, sbT0)
			sbWantErr(t, err, models.ErrForbidden)
			_, err = models.CancelSession(t.Context(), db, who, s.ID, "", sbT0)
			sbWantErr(t, err, models.ErrForbidden)
			_, err = models.BookSeat(t.Context(), db, who, s.ID, models.BookInput{UserID: committee.ID}, sbT0)
			sbWantErr(t, err, models.ErrForbidden)
			_, err = models.BookingsForSession(t.Context(), db, who, s.ID, models.BookingFilter{})
			sbWantErr(t, err, models.ErrForbidden)
			// A draft they may not see is not found at all.
			_, err = models.UpdateSession(t.Context(), db, who, draft.ID, title, sbT0)
			sbWantErr(t, err, models.ErrNotFound)
			_, err = models.PublishSession(t.Context(), db, who, draft.ID, sbT0)
			sbWantErr(t, err, models.ErrNotFound)
			_, err = models.CancelSession(t.Context(), db, who, draft.ID, "", sbT0)
			sbWantErr(t, err, models.ErrNotFound)
			_, err = models.BookSeat(t.Context(), db, who, draft.ID, models.BookInput{UserID: committee.ID}, sbT0)
			sbWantErr(t, err, models.ErrNotFound)
		}
		if ok, _ := models.CanManageSession(t.Context(), db, other, s.ID); ok {
			t.Fatal("teacher of another session may manage it")
		}
		for _, who := range []models.User{teacher, committee} {
			if ok, _ := models.CanManageSession(t.Context(), db, who, s.ID); !ok {
				t.Fatalf("%s may not manage", who.Name)
			}
		}
		// A teacher who lost the role loses the session.
		demoted := teacher
		demoted.Role = models.RoleStudent
		if ok, _ := models.CanManageSession(t.Context(), db, demoted, s.ID); ok {
			t.Fatal("demoted teacher may manage")
		}

		got, err := models.UpdateSession(t.Context(), db, committee, s.ID, title, sbT0)
		if err != nil || got.Title != "Renamed" {
			t.Fatalf("committee update: %v, %v", got.Title, err)
		}
		// Teachers can hand a session to a co-teacher.
		got, err = models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{TeacherIDs: &[]int64{teacher.ID, other.ID}}, sbT0)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := models.CanManageSession(t.Context(), db, other, s.ID); !ok {
			t.Fatal("added co-teacher may not manage")
		}
	})
}

func TestSessionView(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		confirmed := testkit.Member(t, db, testkit.Name("Cora Confirmed"), testkit.Year(3), testkit.Direct())
		waiting := testkit.Member(t, db, testkit.Name("Walt Waiting"), testkit.Year(3), testkit.Direct())
		nobody := testkit.Member(t, db, testkit.Name("Nora Nobody"), testkit.Year(3), testkit.Direct())
		const link = "https://teams.example.com/l/meetup-join/abc"
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode, in.OnlineURL, in.OnlineCapacity = sbPtr(models.ModeOnline), sbPtr(link), sbPtr(1)
		}))
		if _, err := models.BookSeat(t.Context(), db, confirmed, s.ID, models.BookInput{}, sbT0); err != nil {
			t.Fatal(err)
		}
		if b, err := models.BookSeat(t.Context(), db, waiting, s.ID, models.BookInput{Mode: models.ModeOnline}, sbT0); err != nil || b.Status != models.BookingWaitlisted {
			t.Fatalf("second booking: %+v, %v", b, err)
		}
		for _, c := range []struct {
			who     models.User
			seesURL bool
			mine    models.BookingStatus
		}{
			{teacher, true, ""}, {committee, true, ""}, {confirmed, true, models.BookingConfirmed},
			{waiting, false, models.BookingWaitlisted}, {nobody, false, ""},
		} {
			v, err := models.SessionViewByID(t.Context(), db, c.who, s.ID)
			if err != nil {
				t.Fatal(err)
			}
			if (v.OnlineURL != nil) != c.seesURL {
				t.Errorf("%s sees online_url %v", c.who.Name, v.OnlineURL)
			}
			if (c.mine == "") != (v.MyBooking == nil) || (v.MyBooking != nil && v.MyBooking.Status != c.mine) {
				t.Errorf("%s my_booking = %+v", c.who.Name, v.MyBooking)
			}
			b, _ := json.Marshal(v)
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			for _, k := range []string{"id", "title", "description", "topic", "format", "year_groups", "mode", "venue",
				"online_url", "in_person_capacity", "online_capacity", "starts_at", "ends_at", "status", "teachers", "counts", "my_booking"} {
				if _, ok := m[k]; !ok {
					t.Errorf("view JSON lacks %q: %s", k, b)
				}
			}
			if !c.seesURL && strings.Contains(string(b), link) {
				t.Errorf("%s gets the link in %s", c.who.Name, b)
			}
			if c.who.ID == waiting.ID && !strings.Contains(string(b), `"waitlist_position":1`) {
				t.Errorf("waitlisted view: %s", b)
			}
			if v.Counts.ConfirmedOnline != 1 || v.Counts.Waitlisted != 1 || v.Counts.ConfirmedInPerson != 0 {
				t.Errorf("counts = %+v", v.Counts)
			}
			if v.CanManage != (c.who.ID == teacher.ID || c.who.ID == committee.ID) {
				t.Errorf("%s CanManage = %v", c.who.Name, v.CanManage)
			}
		}
		// The bare model never carries the link.
		if b, _ := json.Marshal(s); strings.Contains(string(b), link) {
			t.Fatalf("Session JSON leaks the link: %s", b)
		}
	})
}

func TestListSessionsFilters(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		other := testkit.Member(t, db, testkit.Name("Otto Other"), testkit.Role(models.RoleTeacher), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		day := func(n int) (*time.Time, *time.Time) {
			s := sbT0.Add(time.Duration(n) * 24 * time.Hour)
			return &s, sbPtr(s.Add(time.Hour))
		}
		// Created out of order to check the ordering by start.
		testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Title, in.Topic, in.YearGroups = sbPtr("C ECG basics"), sbPtr("Cardiology"), &[]int{3, 4}
			in.StartsAt, in.EndsAt = day(3)
		}))
		testkit.Session(t, db, other, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Title, in.Topic, in.Format = sbPtr("A Suturing"), sbPtr("Surgery"), sbPtr(models.FormatPractical)
			in.Mode, in.OnlineURL = sbPtr(models.ModeHybrid), sbPtr("https://zoom.example.com/j/1")
			in.StartsAt, in.EndsAt = day(1)
		}))
		testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Title, in.Topic, in.Description = sbPtr("B Renal 100%"), sbPtr("Renal"), sbPtr("Acid-base and the kidney")
			in.Mode, in.OnlineURL, in.Venue, in.InPersonCapacity = sbPtr(models.ModeOnline), sbPtr("https://zoom.example.com/j/2"), sbPtr(""), sbPtr(0)
			in.YearGroups = &[]int{5}
			in.StartsAt, in.EndsAt = day(2)
		}))
		list := func(f models.SessionFilter) string {
			t.Helper()
			ss, err := models.ListSessions(t.Context(), db, student, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, s := range ss {
				out = append(out, s.Title[:1])
			}
			return strings.Join(out, "")
		}
		from, _ := day(2)
		to, _ := day(3)
		for _, c := range []struct {
			f    models.SessionFilter
			want string
		}{
			{models.SessionFilter{}, "ABC"},
			{models.SessionFilter{Year: 1}, "A"},
			{models.SessionFilter{Year: 4}, "C"},
			{models.SessionFilter{Mode: models.ModeOnline}, "AB"},
			{models.SessionFilter{Mode: models.ModeInPerson}, "AC"},
			{models.SessionFilter{Mode: models.ModeHybrid}, "A"},
			{models.SessionFilter{Topic: "cardiology"}, "C"},
			{models.SessionFilter{Format: models.FormatPractical}, "A"},
			{models.SessionFilter{Q: "KIDNEY"}, "B"},
			{models.SessionFilter{Q: "100%"}, "B"},
			{models.SessionFilter{Q: "basics ecg"}, "C"},
			{models.SessionFilter{Q: "_"}, ""},
			{models.SessionFilter{From: *from}, "BC"},
			{models.SessionFilter{To: *to}, "AB"},
			{models.SessionFilter{From: *from, To: *to}, "B"},
			{models.SessionFilter{TeacherID: teacher.ID}, "BC"},
			{models.SessionFilter{Status: models.SessionPublished}, "ABC"},
			{models.SessionFilter{Limit: 2}, "AB"},
			{models.SessionFilter{Limit: 2, Offset: 2}, "C"},
		} {
			if got := list(c.f); got != c.want {
				t.Errorf("%+v: got %q, want %q", c.f, got, c.want)
			}
		}
		for field, f := range map[string]models.SessionFilter{
			"year": {Year: 7}, "mode": {Mode: "zoom"}, "format": {Format: "talk"}, "status": {Status: "open"},
			"to": {From: *to, To: *from},
		} {
			_, err := models.ListSessions(t.Context(), db, student, f)
			if sbFields(t, err)[field] == "" {
				t.Errorf("filter %+v: %v", f, err)
			}
		}
		ss, _ := models.ListSessions(t.Context(), db, student, models.SessionFilter{})
		views, err := models.ViewSessions(t.Context(), db, student, ss)
		if err != nil || len(views) != 3 || views[0].Teachers[0].Name != "Otto Other" {
			t.Fatalf("views = %+v, %v", views, err)
		}
	})
}

// TestSessionTopics: each topic of the sessions a member may see, once
// whatever its case, sorted; a draft's topic only for those who see it.
func TestSessionTopics(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		for i, topic := range []string{"Renal", "cardiology", "Cardiology", "", "Anatomy"} {
			testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
				in.Topic = sbPtr(topic)
				start := sbT0.Add(time.Duration(i+1) * 24 * time.Hour)
				in.StartsAt, in.EndsAt = &start, sbPtr(start.Add(time.Hour))
			}))
		}
		testkit.Session(t, db, teacher, testkit.Topic("Secret draft"))
		topics := func(u models.User, f models.SessionFilter) string {
			t.Helper()
			ts, err := models.SessionTopics(t.Context(), db, u, f)
			if err != nil {
				t.Fatal(err)
			}
			return strings.Join(ts, ", ")
		}
		if got, want := topics(student, models.SessionFilter{}), "Anatomy, Cardiology, Renal"; got != want {
			t.Errorf("student's topics = %q, want %q", got, want)
		}
		if got, want := topics(teacher, models.SessionFilter{}), "Anatomy, Cardiology, Renal, Secret draft"; got != want {
			t.Errorf("teacher's topics = %q, want %q", got, want)
		}
		// Only sessions that end after From: the first (Renal) is over.
		from := sbT0.Add(36 * time.Hour)
		if got, want := topics(student, models.SessionFilter{From: from}), "Anatomy, Cardiology"; got != want {
			t.Errorf("topics from %s = %q, want %q", from, got, want)
		}
		if _, err := models.SessionTopics(t.Context(), db, student, models.SessionFilter{Year: 9}); sbFields(t, err)["year"] == "" {
			t.Errorf("a bad filter: %v", err)
		}
	})
}

func TestSessionChangedMail(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(2))
		students := testkit.Members(t, db, 4, testkit.Year(2))
		for _, u := range students {
			if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{}, sbT0); err != nil {
				t.Fatal(err)
			}
		}
		// Two confirmed, one waitlisted, one cancelled (the waitlisted one).
		if _, err := models.CancelMyBooking(t.Context(), db, students[3], s.ID, sbT0); err != nil {
			t.Fatal(err)
		}
		update := func(in models.SessionInput) models.Session {
			t.Helper()
			got, err := models.UpdateSession(t.Context(), db, teacher, s.ID, in, sbT0)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		count := func() int { t.Helper(); return len(sbMail(t, db, models.MailSessionChanged)) }

		update(models.SessionInput{Title: sbPtr("New title"), Description: sbPtr("New words"), Topic: sbPtr("Other")})
		update(models.SessionInput{InPersonCapacity: sbPtr(2), YearGroups: &[]int{4}})
		if n := count(); n != 0 {
			t.Fatalf("%d session_changed e-mails for a change of title, description and capacity", n)
		}
		// The same venue again is no change.
		update(models.SessionInput{Venue: sbPtr("Lecture Theatre 2")})
		if n := count(); n != 0 {
			t.Fatalf("%d e-mails for an unchanged venue", n)
		}
		seq := update(models.SessionInput{Venue: sbPtr("Seminar Room 4")}).Sequence
		if n := count(); n != 3 {
			t.Fatalf("venue change: %d e-mails, want 3 (two confirmed and one waitlisted)", n)
		}
		later := s.StartsAt.Add(time.Hour)
		got := update(models.SessionInput{StartsAt: &later, EndsAt: sbPtr(later.Add(time.Hour))})
		if got.Sequence <= seq {
			t.Fatalf("sequence %d did not grow from %d", got.Sequence, seq)
		}
		update(models.SessionInput{Venue: sbPtr("Lecture Theatre 2")})
		msgs := sbMail(t, db, models.MailSessionChanged)
		if len(msgs) != 9 {
			t.Fatalf("after three changes: %d e-mails, want 9", len(msgs))
		}
		keys := map[string]bool{}
		for _, m := range msgs {
			if keys[m.DedupeKey] {
				t.Fatalf("key %s twice", m.DedupeKey)
			}
			keys[m.DedupeKey] = true
			if *m.UserID == students[3].ID {
				t.Fatal("the cancelled booking was told")
			}
		}
		if d := msgs[3].DataMap(); d["changed"] != "time" || d["old_starts_at"] != s.StartsAt.Format(time.RFC3339) {
			t.Fatalf("time change data = %v", d)
		}

		// Changes to a draft tell nobody (nobody can have booked one).
		d := testkit.Session(t, db, teacher)
		if _, err := models.UpdateSession(t.Context(), db, teacher, d.ID, models.SessionInput{Venue: sbPtr("Elsewhere")}, sbT0); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 9 {
			t.Fatalf("draft change queued e-mails: %d", n)
		}
	})
}

func TestUpdateSessionRules(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		committee := testkit.Member(t, db, testkit.Name("Cara Committee"), testkit.Role(models.RoleCommittee), testkit.Direct())
		student := testkit.Member(t, db, testkit.Name("Sam Student"), testkit.Year(3), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Edit(func(in *models.SessionInput) {
			in.Mode, in.OnlineURL = sbPtr(models.ModeHybrid), sbPtr("https://zoom.example.com/j/9")
		}))
		if _, err := models.BookSeat(t.Context(), db, student, s.ID, models.BookInput{Mode: models.ModeOnline}, sbT0); err != nil {
			t.Fatal(err)
		}
		// Dropping the online mode would strand the online booking.
		_, err := models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{Mode: sbPtr(models.ModeInPerson)}, sbT0)
		if sbFields(t, err)["mode"] == "" {
			t.Fatalf("mode change: %v", err)
		}
		// A partial update is validated as a whole.
		_, err = models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{EndsAt: sbPtr(s.StartsAt)}, sbT0)
		if sbFields(t, err)["ends_at"] == "" {
			t.Fatalf("end at start: %v", err)
		}
		_, err = models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{Venue: sbPtr("")}, sbT0)
		if sbFields(t, err)["venue"] == "" {
			t.Fatalf("empty venue: %v", err)
		}
		// Only committee may move a session into the past.
		past := models.SessionInput{StartsAt: sbPtr(sbT0.Add(-3 * time.Hour)), EndsAt: sbPtr(sbT0.Add(-2 * time.Hour))}
		_, err = models.UpdateSession(t.Context(), db, teacher, s.ID, past, sbT0)
		if sbFields(t, err)["starts_at"] == "" {
			t.Fatalf("teacher moved into the past: %v", err)
		}
		if _, err := models.UpdateSession(t.Context(), db, committee, s.ID, past, sbT0); err != nil {
			t.Fatalf("committee moved into the past: %v", err)
		}
		// Online capacity 0 means unlimited.
		got, err := models.UpdateSession(t.Context(), db, committee, s.ID, models.SessionInput{OnlineCapacity: sbPtr(0)}, sbT0)
		if err != nil || got.OnlineCapacity != nil {
			t.Fatalf("online capacity 0: %v, %v", got.OnlineCapacity, err)
		}
		// A cancelled session is final.
		if _, err := models.CancelSession(t.Context(), db, teacher, s.ID, "", sbT0); err != nil {
			t.Fatal(err)
		}
		_, err = models.UpdateSession(t.Context(), db, teacher, s.ID, models.SessionInput{Title: sbPtr("Back")}, sbT0)
		sbWantErr(t, err, models.ErrSessionCancelled)
		_, err = models.PublishSession(t.Context(), db, teacher, s.ID, sbT0)
		sbWantErr(t, err, models.ErrSessionCancelled)
		_, err = models.UpdateSession(t.Context(), db, teacher, 987654, models.SessionInput{}, sbT0)
		sbWantErr(t, err, models.ErrNotFound)
	})
}

func TestCancelSession(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
		s := testkit.Session(t, db, teacher, testkit.Published(), testkit.Seats(1))
		students := testkit.Members(t, db, 3, testkit.Year(2))
		for _, u := range students {
			if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{}, sbT0); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := models.CancelMyBooking(t.Context(), db, students[2], s.ID, sbT0); err != nil {
			t.Fatal(err)
		}
		_, err := models.CancelSession(t.Context(), db, teacher, s.ID, strings.Repeat("x", 1001), sbT0)
		if sbFields(t, err)["reason"] == "" {
			t.Fatalf("long reason: %v", err)
		}
		got, err := models.CancelSession(t.Context(), db, teacher, s.ID, "  Teacher unwell  ", sbT0)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != models.SessionCancelled || got.CancelReason != "Teacher unwell" || got.Sequence != s.Sequence+1 {
			t.Fatalf("cancelled session = %+v", got)
		}
		msgs := sbMail(t, db, models.MailSessionCancelled)
		if len(msgs) != 2 {
			t.Fatalf("%d session_cancelled e-mails, want 2 (confirmed and waitlisted)", len(msgs))
		}
		if msgs[0].DataMap()["reason"] != "Teacher unwell" || *msgs[0].SessionID != s.ID {
			t.Fatalf("message = %+v", msgs[0])
		}
		// Again: nothing more happens.
		if _, err := models.CancelSession(t.Context(), db, teacher, s.ID, "again", sbT0); err != nil {
			t.Fatal(err)
		}
		if n := len(sbMail(t, db, models.MailSessionCancelled)); n != 2 {
			t.Fatalf("second cancel queued more: %d", n)
		}
		other := testkit.Member(t, db, testkit.Name("Late Comer"), testkit.Year(3), testkit.Direct())
		_, err = models.BookSeat(t.Context(), db, other, s.ID, models.BookInput{}, sbT0)
		sbWantErr(t, err, models.ErrSessionCancelled)
		// Booked students still see it, cancelled.
		v, err := models.SessionViewByID(t.Context(), db, students[0], s.ID)
		if err != nil || v.Status != models.SessionCancelled {
			t.Fatalf("booked student's view: %+v, %v", v.Status, err)
		}
	})
}
