package testkit

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gorm.io/gorm"

	"rounds/models"
	"rounds/models/store"
)

// T0 is "now" for tests that need no particular date: Monday 4 March 2030,
// 09:00 UTC. A session made without Starts or At is created then and starts
// two days later.
var T0 = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

// DefaultPassword is the password of members made without Password.
const DefaultPassword = "long enough pw"

// Option says one thing about what a builder makes. An option that means
// nothing to the builder it is given to fails the test, rather than being
// quietly ignored.
type Option struct {
	name string
	on   target
	set  func(*spec)
}

type target uint8

const (
	forMember target = 1 << iota
	forMembers
	forSession
	forBook
	forMark
)

var targetNames = map[target]string{
	forMember: "Member", forMembers: "Members", forSession: "Session", forBook: "Book", forMark: "Mark",
}

type spec struct {
	at   time.Time // when it happened; each builder says what that means
	by   *models.User
	mode models.Mode

	name, email, password string
	role                  models.Role
	year                  int
	direct                bool

	title, description, topic, venue, link string
	format                                 models.Format
	years                                  []int
	inPerson, online                       int
	starts                                 time.Time
	length, ahead                          time.Duration
	teachers                               []models.User
	publish                                bool
	edits                                  []func(*models.SessionInput)
}

func apply(t testing.TB, on target, sp *spec, opts []Option) {
	t.Helper()
	for _, o := range opts {
		if o.on&on == 0 {
			t.Fatalf("testkit: %s means nothing to %s", o.name, targetNames[on])
		}
		o.set(sp)
	}
}

// Options makes one option of several, for a test file's usual session or
// member.
func Options(opts ...Option) Option {
	on := forMember | forMembers | forSession | forBook | forMark
	for _, o := range opts {
		on &= o.on
	}
	return Option{name: "Options", on: on, set: func(sp *spec) {
		for _, o := range opts {
			o.set(sp)
		}
	}}
}

// At says when it happened: when a member joined (their account's creation
// and the start of their year of study's history), when a session was
// created and published, when a seat was booked, when a register entry
// was made.
func At(at time.Time) Option {
	return Option{"At", forMember | forMembers | forSession | forBook | forMark, func(sp *spec) { sp.at = at }}
}

// By says who books (on the student's behalf) or marks the register.
func By(actor models.User) Option {
	return Option{"By", forBook | forMark, func(sp *spec) { sp.by = &actor }}
}

// Mode is a session's mode (in person by default), or the mode a register
// entry records.
func Mode(mode models.Mode) Option {
	return Option{"Mode", forSession | forMark, func(sp *spec) { sp.mode = mode }}
}

// ---- members ----------------------------------------------------------------

var seq atomic.Int64

// Name is a member's name; without it, it is "Member " and their e-mail.
func Name(name string) Option {
	return Option{"Name", forMember, func(sp *spec) { sp.name = name }}
}

// Email is a member's address; without it, one is made from their name and
// a number, unique in the test binary.
func Email(email string) Option {
	return Option{"Email", forMember, func(sp *spec) { sp.email = email }}
}

// Role is a member's role; students by default.
func Role(role models.Role) Option {
	return Option{"Role", forMember, func(sp *spec) { sp.role = role }}
}

// Year is a member's year of study, 1 to 6; without it (or with 0) they
// have none, like a graduate.
func Year(year int) Option {
	return Option{"Year", forMember | forMembers, func(sp *spec) { sp.year = year }}
}

// Password is a member's password; DefaultPassword otherwise.
func Password(pw string) Option {
	return Option{"Password", forMember, func(sp *spec) { sp.password = pw }}
}

// Direct stores the member's row as it is, without models.CreateUser: no
// password hash to compute and no year-of-study history, created at T0 (or
// At). Tests that make many members, or need none of that, use it.
func Direct() Option {
	return Option{"Direct", forMember, func(sp *spec) { sp.direct = true }}
}

// Member stores a member as models.CreateUser does, and returns it. With At
// the member has been one since then: their account's creation and their
// year of study's history start at that time.
func Member(t testing.TB, db *store.Store, opts ...Option) models.User {
	t.Helper()
	sp := spec{role: models.RoleStudent, password: DefaultPassword}
	apply(t, forMember, &sp, opts)
	if sp.email == "" {
		slug := "member"
		if sp.name != "" {
			slug = strings.ToLower(strings.ReplaceAll(sp.name, " ", "."))
		}
		sp.email = fmt.Sprintf("%s%d@example.ac.uk", slug, seq.Add(1))
	}
	if sp.name == "" {
		sp.name = "Member " + sp.email
	}
	var year *int
	if sp.year != 0 {
		year = &sp.year
	}
	if sp.direct {
		at := sp.at
		if at.IsZero() {
			at = T0
		}
		u := models.User{Email: sp.email, Name: sp.name, PasswordHash: "-", Role: sp.role, YearOfStudy: year, CreatedAt: at, UpdatedAt: at, EmailConfirmed: true}
		if err := db.Write(t.Context(), func(tx *gorm.DB) error { return tx.Create(&u).Error }); err != nil {
			t.Fatalf("testkit: member %s: %v", sp.email, err)
		}
		return u
	}
	u, err := models.CreateUser(t.Context(), db, models.NewUser{Email: sp.email, Name: sp.name, Password: sp.password, Role: sp.role, YearOfStudy: year}, nil)
	if err != nil {
		t.Fatalf("testkit: member %s: %v", sp.email, err)
	}
	if !sp.at.IsZero() {
		// CreateUser records the real time of creation.
		since := sp.at.UTC()
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			if err := tx.Exec("UPDATE year_history SET valid_from = ? WHERE user_id = ?", since, u.ID).Error; err != nil {
				return err
			}
			return tx.Exec("UPDATE users SET created_at = ? WHERE id = ?", since, u.ID).Error
		}); err != nil {
			t.Fatalf("testkit: member %s since %s: %v", sp.email, since, err)
		}
	}
	return u
}

// Members stores n students in one statement, as Direct does: "Student
// 000", "Student 001" and so on, created at T0 (or At), in no year of study
// unless Year says.
func Members(t testing.TB, db *store.Store, n int, opts ...Option) []models.User {
	t.Helper()
	var sp spec
	apply(t, forMembers, &sp, opts)
	at := sp.at
	if at.IsZero() {
		at = T0
	}
	var year *int
	if sp.year != 0 {
		year = &sp.year
	}
	us := make([]models.User, n)
	for i := range us {
		us[i] = models.User{
			Email: fmt.Sprintf("student%d.%d@example.ac.uk", i, seq.Add(1)), Name: fmt.Sprintf("Student %03d", i),
			PasswordHash: "-", Role: models.RoleStudent, YearOfStudy: year, CreatedAt: at, UpdatedAt: at, EmailConfirmed: true,
		}
	}
	if err := db.Write(t.Context(), func(tx *gorm.DB) error { return tx.CreateInBatches(&us, 100).Error }); err != nil {
		t.Fatalf("testkit: %d members: %v", n, err)
	}
	return us
}

// ---- sessions ---------------------------------------------------------------

// Title is a session's title; "Cardiac murmurs" by default.
func Title(title string) Option {
	return Option{"Title", forSession, func(sp *spec) { sp.title = title }}
}

// Description is a session's description, "" for none; by default a line
// about auscultation.
func Description(d string) Option {
	return Option{"Description", forSession, func(sp *spec) { sp.description = d }}
}

// Topic is a session's topic, "" for none; "Cardiology" by default.
func Topic(topic string) Option {
	return Option{"Topic", forSession, func(sp *spec) { sp.topic = topic }}
}

// Format is a session's format; a lecture by default.
func Format(format models.Format) Option {
	return Option{"Format", forSession, func(sp *spec) { sp.format = format }}
}

// Years are the years of study a session is for; 1 and 2 by default.
func Years(years ...int) Option {
	return Option{"Years", forSession, func(sp *spec) { sp.years = years }}
}

// Venue is where a session offered in person takes place; "Lecture Theatre
// 2" by default.
func Venue(venue string) Option {
	return Option{"Venue", forSession, func(sp *spec) { sp.venue = venue }}
}

// Link is how to join a session offered online.
func Link(url string) Option {
	return Option{"Link", forSession, func(sp *spec) { sp.link = url }}
}

// Seats is a session's capacity in each mode it offers; 40 by default.
func Seats(n int) Option {
	return Option{"Seats", forSession, func(sp *spec) { sp.inPerson, sp.online = n, n }}
}

// Capacity is a session's capacity in person and online (0 online: no
// limit), for a hybrid session whose two differ.
func Capacity(inPerson, online int) Option {
	return Option{"Capacity", forSession, func(sp *spec) { sp.inPerson, sp.online = inPerson, online }}
}

// Starts is when a session starts.
func Starts(at time.Time) Option {
	return Option{"Starts", forSession, func(sp *spec) { sp.starts = at }}
}

// Lasting is how long a session lasts; 90 minutes by default.
func Lasting(d time.Duration) Option {
	return Option{"Lasting", forSession, func(sp *spec) { sp.length = d }}
}

// Ahead is how long before it starts a session is created (and published),
// when At does not say; two days by default.
func Ahead(d time.Duration) Option {
	return Option{"Ahead", forSession, func(sp *spec) { sp.ahead = d }}
}

// Teachers are a session's teachers; by default the member who creates it.
func Teachers(us ...models.User) Option {
	return Option{"Teachers", forSession, func(sp *spec) { sp.teachers = us }}
}

// Published publishes the session once it is created, at the same time.
func Published() Option {
	return Option{"Published", forSession, func(sp *spec) { sp.publish = true }}
}

// Edit changes the session's input, once the other options made it, for
// what they do not say.
func Edit(edit func(*models.SessionInput)) Option {
	return Option{"Edit", forSession, func(sp *spec) { sp.edits = append(sp.edits, edit) }}
}

// Session creates a session as by would, a draft unless Published, and
// returns it. Without options it is an in-person lecture created at T0 that
// starts two days later and lasts 90 minutes. Only the fields of the modes
// it offers are filled: the venue and in-person seats unless it is online,
// the link and online seats unless it is in person.
func Session(t testing.TB, db *store.Store, by models.User, opts ...Option) models.Session {
	t.Helper()
	sp := spec{
		title: "Cardiac murmurs", description: "Auscultation practice.\nBring a stethoscope.", topic: "Cardiology",
		format: models.FormatLecture, years: []int{1, 2}, mode: models.ModeInPerson, venue: "Lecture Theatre 2",
		inPerson: 40, online: 40, length: 90 * time.Minute, ahead: 48 * time.Hour,
	}
	apply(t, forSession, &sp, opts)
	start, created := sp.starts, sp.at
	switch {
	case start.IsZero() && created.IsZero():
		created = T0
		start = created.Add(sp.ahead)
	case start.IsZero():
		start = created.Add(sp.ahead)
	case created.IsZero():
		created = start.Add(-sp.ahead)
	}
	end := start.Add(sp.length)
	years := sp.years
	in := models.SessionInput{Title: &sp.title, Format: &sp.format, Mode: &sp.mode, YearGroups: &years, StartsAt: &start, EndsAt: &end}
	if sp.description != "" {
		in.Description = &sp.description
	}
	if sp.topic != "" {
		in.Topic = &sp.topic
	}
	if sp.mode != models.ModeOnline {
		in.Venue, in.InPersonCapacity = &sp.venue, &sp.inPerson
	}
	if sp.mode != models.ModeInPerson {
		in.OnlineURL, in.OnlineCapacity = &sp.link, &sp.online
	}
	if sp.teachers != nil {
		ids := make([]int64, len(sp.teachers))
		for i, u := range sp.teachers {
			ids[i] = u.ID
		}
		in.TeacherIDs = &ids
	}
	for _, edit := range sp.edits {
		edit(&in)
	}
	s, err := models.CreateSession(t.Context(), db, by, in, created)
	if err != nil {
		t.Fatalf("testkit: create session %q: %v", sp.title, err)
	}
	if sp.publish {
		if s, err = models.PublishSession(t.Context(), db, by, s.ID, created); err != nil {
			t.Fatalf("testkit: publish session %q: %v", s.Title, err)
		}
	}
	return s
}

// ---- bookings and the register ----------------------------------------------

// Book books student a seat on s in mode ("" for the session's only mode),
// a day before it starts unless At says, by the student unless By says.
func Book(t testing.TB, db *store.Store, student models.User, s models.Session, mode models.Mode, opts ...Option) models.Booking {
	t.Helper()
	var sp spec
	apply(t, forBook, &sp, opts)
	at := sp.at
	if at.IsZero() {
		at = s.StartsAt.Add(-24 * time.Hour)
	}
	actor, in := student, models.BookInput{Mode: mode}
	if sp.by != nil {
		actor = *sp.by
		if actor.ID != student.ID {
			in.UserID = student.ID
		}
	}
	b, err := models.BookSeat(t.Context(), db, actor, s.ID, in, at)
	if err != nil {
		t.Fatalf("testkit: book %s on %q: %v", student.Email, s.Title, err)
	}
	return b
}

// Mark enters student on s's register with status, when s ends unless At
// says, by the member who created s unless By says. Mode is the mode
// recorded, for a walk-in to a session with two.
func Mark(t testing.TB, db *store.Store, student models.User, s models.Session, status models.AttendanceStatus, opts ...Option) models.Attendance {
	t.Helper()
	var sp spec
	apply(t, forMark, &sp, opts)
	at := sp.at
	if at.IsZero() {
		at = s.EndsAt
	}
	var actor models.User
	switch {
	case sp.by != nil:
		actor = *sp.by
	case s.CreatedBy != nil:
		var err error
		if actor, err = models.UserByID(t.Context(), db, *s.CreatedBy); err != nil {
			t.Fatalf("testkit: the creator of %q: %v", s.Title, err)
		}
	default:
		t.Fatalf("testkit: %q has no creator to mark its register; say By", s.Title)
	}
	a, err := models.MarkRegister(t.Context(), db, actor, s.ID, student.ID, models.RegisterEntry{Status: status, Mode: sp.mode}, at)
	if err != nil {
		t.Fatalf("testkit: mark %s %s on %q: %v", student.Email, status, s.Title, err)
	}
	return a
}
