package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
	"unicode"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/models"
	"rounds/models/store"
)

// The demo's defaults: the same society every time, and a password that is
// printed with the log-ins.
const (
	defaultDemoSeed     = 1
	defaultDemoPassword = "rounds-demo-1"
)

// demoOptions are the flags of "rounds demo".
type demoOptions struct {
	IfEmpty  bool
	Seed     uint64
	Password string
	Scale    int
}

// errDatabaseInUse refuses to add a demo society to a database with members.
var errDatabaseInUse = errors.New("the database already has members; the demo only fills an empty database (--if-empty leaves a filled one alone)")

// demo fills an empty database with a believable society.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return runDemo(ctx, args, getenv, stdout, stderr, clock.Real{})
}

// runDemo is demo with its clock injected: the term is laid out around the
// clock's now, so that there are past and upcoming sessions.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, clk clock.Clock) error {
	opts, err := parseDemoFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	cfg, log, db, err := openDatabase(nil, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	members, err := models.CountUsers(ctx, db)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if members > 0 {
		if opts.IfEmpty {
			fmt.Fprintf(stdout, "demo: the database already has %d members; leaving it as it is\n", members)
			return nil
		}
		return fmt.Errorf("demo: %w", errDatabaseInUse)
	}
	if opts.Scale > 0 {
		return demoScale(ctx, db, cfg.Location, opts.Scale, stdout)
	}

	began := time.Now()
	fmt.Fprintf(stdout, "Building the demo society (seed %d, %d members)…\n", opts.Seed, demoMemberCount())
	// Each step is a use case of its own, as a member's would be; a demo
	// that fails half-way leaves a database to delete, not to serve.
	s := newDemoSociety(ctx, db, cfg, opts, clk.Now())
	sum, err := s.build()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	sum.Took = time.Since(began)
	log.Info("demo society created", "members", sum.Members, "sessions", sum.Sessions, "took", sum.Took.Round(time.Millisecond))
	printDemoSummary(stdout, sum, cfg.BaseURL, opts.Password)
	return nil
}

// parseDemoFlags reads the flags of "rounds demo".
func parseDemoFlags(args []string, stderr io.Writer) (demoOptions, error) {
	fs := flag.NewFlagSet("rounds demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o demoOptions
	fs.BoolVar(&o.IfEmpty, "if-empty", false, "do nothing (successfully) when the database already has members")
	fs.Uint64Var(&o.Seed, "seed", defaultDemoSeed, "seed of the demo's randomness: the same seed gives the same society")
	fs.StringVar(&o.Password, "password", defaultDemoPassword, "password of every demo account")
	fs.IntVar(&o.Scale, "scale", 0, "instead, this many academic years of a large society, for performance measurements")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, &usageError{"demo: " + err.Error()}
	}
	if fs.NArg() > 0 {
		return o, &usageError{fmt.Sprintf("demo: unexpected argument %q", fs.Arg(0))}
	}
	if msg := models.CheckPassword(o.Password); msg != "" {
		return o, &usageError{"demo: --password: " + fragment(msg)}
	}
	if o.Scale < 0 {
		return o, &usageError{"demo: --scale must be a number of years"}
	}
	return o, nil
}

// fragment turns a model's message ("Use at least 10 characters.") into the
// tail of an error ("use at least 10 characters").
func fragment(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToLower(r[0])
	}
	return strings.TrimSuffix(string(r), ".")
}

// ---- the society ------------------------------------------------------------

// The shape of the society. Early years are bigger and come more often, as
// near-peer teaching societies report.
var (
	demoYearSizes       = [7]int{0, 66, 60, 52, 46, 40, 36}
	demoSeniorTeachers  = [7]int{0, 0, 0, 0, 0, 4, 5}
	demoDoctorGrades    = []string{"FY1", "FY1", "FY2", "FY2", "FY2", "FY1"}
	demoSessionCount    = 60
	demoTermWeeksBefore = 6
	demoTermWeeks       = 12
)

// demoCommittee are the society's officers, with log-ins easy to type.
var demoCommittee = []struct {
	Email, Name, Post string
	Year              int
}{
	{"chair@example.ac.uk", "Priya Natarajan", "president", 4},
	{"education@example.ac.uk", "Seán O'Malley", "education lead", 5},
	{"secretary@example.ac.uk", "Zoë Adeyemi", "secretary", 3},
}

func demoMemberCount() int {
	n := len(demoCommittee) + len(demoDoctorGrades)
	for y := 1; y <= 6; y++ {
		n += demoYearSizes[y] + demoSeniorTeachers[y]
	}
	return n
}

// demoTeacher is a member who teaches, and how descriptions introduce them.
type demoTeacher struct {
	models.User
	Label  string // "FY2 doctor", "year 6 student-teacher"
	Doctor bool
	Load   int // sessions led so far
}

// demoSession is one session of the term as planned and then created.
type demoSession struct {
	Topic        demoTopic
	Start, End   time.Time
	OpenAt       time.Time // published (bookings open)
	Lead         *demoTeacher
	Co           *demoTeacher
	Draft        bool
	Backfill     bool      // run before Rounds was used; typed in afterwards by committee
	CancelAt     time.Time // cancelled then, if set
	RegisterOnly bool      // the teacher takes a register instead of showing a code
	Quality      float64   // how good it was, 1–5
	Model        models.Session
}

// society builds the demo inside one transaction: everything or nothing.
type demoSociety struct {
	ctx   context.Context
	db    *store.Store
	rng   *rand.Rand
	loc   *time.Location
	now   time.Time
	pass  string
	hash  string // of pass, made once
	rules models.CheckinRules

	committee []models.User
	teachers  []*demoTeacher
	students  []models.User
	byYear    [7][]models.User
	members   map[int64]models.User
	emails    map[string]bool
	names     map[string]bool
	sessions  []*demoSession
	upcoming  map[int64]int // live bookings of upcoming sessions, per student
	tally     demoSummary
}

func newDemoSociety(ctx context.Context, db *store.Store, cfg config.Config, o demoOptions, now time.Time) *demoSociety {
	return &demoSociety{
		ctx: ctx, db: db, loc: cfg.Location, now: now.UTC(), pass: o.Password,
		rng:      rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
		rules:    models.CheckinRules{Rotation: cfg.CheckinRotation, LateAfter: cfg.CheckinLateAfter},
		members:  map[int64]models.User{},
		emails:   map[string]bool{},
		names:    map[string]bool{},
		upcoming: map[int64]int{},
	}
}

// build creates the members, the term's sessions, their bookings,
// attendance and feedback, in the order they would have happened.
func (s *demoSociety) build() (demoSummary, error) {
	secret, err := models.EnsureSecret(s.ctx, s.db, "checkin_key")
	if err != nil {
		return demoSummary{}, fmt.Errorf("check-in key: %w", err)
	}
	s.rules.Secret = []byte(secret)
	if err := s.createMembers(); err != nil {
		return demoSummary{}, fmt.Errorf("members: %w", err)
	}
	s.planTerm()
	steps := []struct {
		name string
		do   func(*demoSession) error
	}{
		{"create", s.createSession},
		{"book", s.takeBookings},
		{"cancel", s.cancelSession},
		{"attendance", s.takeAttendance},
		{"feedback", s.collectFeedback},
	}
	for _, step := range steps {
		for _, ds := range s.sessions {
			if err := s.ctx.Err(); err != nil {
				return demoSummary{}, err
			}
			if err := step.do(ds); err != nil {
				return demoSummary{}, fmt.Errorf("%s %q: %w", step.name, ds.Topic.Title, err)
			}
		}
	}
	if _, err := models.RefreshFigures(s.ctx, s.db, s.now, s.loc); err != nil {
		return demoSummary{}, err
	}
	if err := s.mentoring(); err != nil { // demo_mentoring.go
		return demoSummary{}, fmt.Errorf("mentoring: %w", err)
	}
	if err := s.skipDemoMail(); err != nil {
		return demoSummary{}, fmt.Errorf("outbox: %w", err)
	}
	return s.summarise()
}

// ---- members ------------------------------------------------------------------

// createMembers creates the committee, the teachers and the students, each
// through models.CreateUser so that every account is validated.
func (s *demoSociety) createMembers() error {
	for _, c := range demoCommittee {
		u, err := s.addMember(c.Email, c.Name, models.RoleCommittee, intp(c.Year))
		if err != nil {
			return err
		}
		s.committee = append(s.committee, u)
	}
	for y := 5; y <= 6; y++ {
		for range demoSeniorTeachers[y] {
			first, last := s.personName()
			u, err := s.addMember(s.email(first, last, "student.example.ac.uk"), first+" "+last, models.RoleTeacher, intp(y))
			if err != nil {
				return err
			}
			s.teachers = append(s.teachers, &demoTeacher{User: u, Label: fmt.Sprintf("year %d student-teacher", y)})
		}
	}
	for _, grade := range demoDoctorGrades {
		first, last := s.personName()
		u, err := s.addMember(s.email(first, last, "example.nhs.uk"), "Dr "+first+" "+last, models.RoleTeacher, nil)
		if err != nil {
			return err
		}
		s.teachers = append(s.teachers, &demoTeacher{User: u, Label: grade + " doctor", Doctor: true})
	}
	for y := 1; y <= 6; y++ {
		for range demoYearSizes[y] {
			first, last := s.personName()
			u, err := s.addMember(s.email(first, last, "student.example.ac.uk"), first+" "+last, models.RoleStudent, intp(y))
			if err != nil {
				return err
			}
			s.students = append(s.students, u)
			s.byYear[y] = append(s.byYear[y], u)
		}
	}
	return nil
}

func (s *demoSociety) addMember(email, name string, role models.Role, year *int) (models.User, error) {
	if s.hash == "" {
		// Every demo account shares one password: hash it once.
		if msg := models.CheckPassword(s.pass); msg != "" {
			return models.User{}, fmt.Errorf("demo: --password: %s", msg)
		}
		h, err := models.HashPassword(s.pass)
		if err != nil {
			return models.User{}, err
		}
		s.hash = h
	}
	u, err := models.CreateUser(s.ctx, s.db, models.NewUser{Email: email, Name: name, PasswordHash: s.hash, Role: role, YearOfStudy: year}, nil)
	if err != nil {
		return models.User{}, fmt.Errorf("%s: %w", email, err)
	}
	s.members[u.ID] = u
	return u, nil
}

func intp(n int) *int { return &n }

// personName draws a name from one of the backgrounds of a UK medical
// school, never the same full name twice.
func (s *demoSociety) personName() (first, last string) {
	total := 0
	for _, g := range demoNameGroups {
		total += g.Weight
	}
	for {
		pick := s.rng.IntN(total)
		g := demoNameGroups[0]
		for _, g = range demoNameGroups {
			if pick < g.Weight {
				break
			}
			pick -= g.Weight
		}
		first, last = g.First[s.rng.IntN(len(g.First))], g.Last[s.rng.IntN(len(g.Last))]
		if !s.names[first+" "+last] {
			s.names[first+" "+last] = true
			return first, last
		}
	}
}

// email makes firstname.lastname@domain in plain ASCII, numbered if taken.
func (s *demoSociety) email(first, last, domain string) string {
	base := asciiSlug(first, "") + "." + asciiSlug(last, "")
	addr := base + "@" + domain
	for n := 2; s.emails[addr]; n++ {
		addr = fmt.Sprintf("%s%d@%s", base, n, domain)
	}
	s.emails[addr] = true
	return addr
}

// demoFold spells the letters of European names in ASCII, as e-mail
// addresses and web addresses do.
var demoFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'ı': "i", 'đ': "d"}
	for base, variants := range map[string]string{
		"a": "àáâãäåāăą", "c": "çćč", "e": "èéêëēėęě", "g": "ğ", "i": "ìíîïī", "n": "ñńň",
		"o": "òóôõöōő", "s": "śşš", "u": "ùúûüūůű", "y": "ýÿ", "z": "źżž", "r": "ř", "t": "ţť",
	} {
		for _, r := range variants {
			m[r] = base
		}
	}
	return m
}()

// asciiSlug lower-cases s, spells accented letters in ASCII, drops
// apostrophes and joins the remaining words with sep.
func asciiSlug(s, sep string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		letters := string(r)
		if f, ok := demoFold[r]; ok {
			letters = f
		}
		for _, r := range letters {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				if gap && b.Len() > 0 {
					b.WriteString(sep)
				}
				gap = false
				b.WriteRune(r)
			case r == '\'' || r == '’':
			default:
				gap = true
			}
		}
	}
	return b.String()
}

// ---- the term ----------------------------------------------------------------

// planTerm lays out the term's sessions: a welcome evening in the first
// week, then the catalogue shuffled over twelve weeks of evenings (and some
// Saturday mornings), with teachers, modes and capacities to match.
func (s *demoSociety) planTerm() {
	today := s.now.In(s.loc)
	monday := time.Date(today.Year(), today.Month(), today.Day()-(int(today.Weekday())+6)%7, 0, 0, 0, 0, s.loc)
	termStart := monday.AddDate(0, 0, -7*demoTermWeeksBefore)
	release := termStart.AddDate(0, 0, -4).Add(12 * time.Hour) // the term's programme goes out

	topics := append([]demoTopic(nil), demoCatalogue...)
	s.rng.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	topics = append([]demoTopic{demoWelcome}, topics[:demoSessionCount-1]...)

	perWeek := (demoSessionCount + demoTermWeeks - 1) / demoTermWeeks
	for i, t := range topics {
		week := termStart.AddDate(0, 0, 7*(i/perWeek))
		ds := &demoSession{Topic: t, Quality: 3.6 + 1.2*s.rng.Float64()}
		ds.Start, ds.End = s.slot(week, i%perWeek, t)
		if i == 0 {
			ds.Backfill = true
		}
		ds.OpenAt = release
		if s.rng.Float64() < 0.25 { // added to the programme later in term
			ds.OpenAt = maxTime(release, ds.Start.AddDate(0, 0, -10-s.rng.IntN(9)))
		}
		ds.RegisterOnly = s.rng.Float64() < 0.2
		s.sessions = append(s.sessions, ds)
	}
	sort.SliceStable(s.sessions, func(i, j int) bool { return s.sessions[i].Start.Before(s.sessions[j].Start) })
	s.pickSpecialSessions()
	for _, ds := range s.sessions {
		if ds.OpenAt.After(s.now.Add(-time.Hour)) {
			ds.OpenAt = s.now.Add(-s.duration(time.Hour, 36*time.Hour))
		}
		s.assignTeachers(ds)
		s.chooseRoom(ds)
	}
}

// slot is the n-th session of a week: Monday to Thursday evenings at 18:00
// or 18:30 local time, or a Saturday morning for some hands-on sessions.
func (s *demoSociety) slot(week time.Time, n int, t demoTopic) (time.Time, time.Time) {
	length := 90 * time.Minute
	if t.Format == models.FormatPractical || t.Format == models.FormatWorkshop {
		length = 2 * time.Hour
	}
	day, hour, minute := n%4, 18, 0
	if t.Format != models.FormatLecture && s.rng.Float64() < 0.15 {
		day, hour, length = 5, 10, 3*time.Hour
	} else if s.rng.Float64() < 0.3 {
		minute = 30
	}
	start := time.Date(week.Year(), week.Month(), week.Day()+day, hour, minute, 0, 0, s.loc)
	return start.UTC(), start.Add(length).UTC()
}

// pickSpecialSessions marks two late-term drafts and one upcoming session
// that will be cancelled.
func (s *demoSociety) pickSpecialSessions() {
	drafts := 0
	for i := len(s.sessions) - 1; i >= 0 && drafts < 2; i -= 3 {
		if ds := s.sessions[i]; ds.Start.After(s.now.Add(14 * 24 * time.Hour)) {
			ds.Draft = true
			drafts++
		}
	}
	for _, ds := range s.sessions {
		if !ds.Draft && ds.Start.After(s.now.Add(36*time.Hour)) && ds.Topic.Format == models.FormatLecture {
			ds.OpenAt = minTime(ds.OpenAt, s.now.AddDate(0, 0, -7))
			ds.CancelAt = s.now.Add(-s.duration(3*time.Hour, 30*time.Hour))
			return
		}
	}
}

// assignTeachers gives the session a lead teacher (doctors mostly for
// clinical years, senior students mostly for the early years), sometimes a
// co-teacher, and spreads the load.
func (s *demoSociety) assignTeachers(ds *demoSession) {
	years := ds.Topic.Years
	wantDoctor := s.rng.Float64() < 0.25
	if years[len(years)-1] >= 4 {
		wantDoctor = s.rng.Float64() < 0.7
	}
	ds.Lead = s.leastLoaded(wantDoctor, nil)
	ds.Lead.Load++
	if s.rng.Float64() < 0.3 {
		ds.Co = s.leastLoaded(s.rng.Float64() < 0.5, ds.Lead)
		ds.Co.Load++
	}
}

func (s *demoSociety) leastLoaded(doctor bool, not *demoTeacher) *demoTeacher {
	var best *demoTeacher
	for _, i := range s.rng.Perm(len(s.teachers)) {
		t := s.teachers[i]
		if t.Doctor != doctor || t == not {
			continue
		}
		if best == nil || t.Load < best.Load {
			best = t
		}
	}
	return best
}

// chooseRoom decides the mode, venue, link and capacities, as such a
// session is usually run.
func (s *demoSociety) chooseRoom(ds *demoSession) {
	t := ds.Topic
	mode := models.ModeInPerson
	if !t.InPersonOnly {
		odds := map[models.Format][3]float64{ // in person, online, hybrid
			models.FormatLecture:    {0.25, 0.30, 0.45},
			models.FormatSmallGroup: {0.75, 0.25, 0},
			models.FormatPractical:  {1, 0, 0},
			models.FormatWorkshop:   {0.35, 0.35, 0.30},
		}[t.Format]
		if t.OnlineFavoured {
			odds = [3]float64{0.1, 0.6, 0.3}
		}
		switch r := s.rng.Float64(); {
		case r < odds[0]:
		case r < odds[0]+odds[1]:
			mode = models.ModeOnline
		default:
			mode = models.ModeHybrid
		}
	}
	m := &ds.Model
	m.Mode = mode
	if mode != models.ModeOnline {
		venues := demoVenues[t.Format]
		if t.Topic == "Anatomy" && t.Format == models.FormatPractical {
			venues = []string{"Anatomy Resource Centre, Dissection Room"}
		}
		m.Venue = venues[s.rng.IntN(len(venues))]
		m.InPersonCapacity = s.pick(demoRoomSizes[t.Format])
	}
	if mode != models.ModeInPerson {
		if s.rng.Float64() < 0.5 {
			m.OnlineURL = fmt.Sprintf("https://teams.example.ac.uk/l/meetup-join/rounds-%08x", s.rng.Uint32())
		} else {
			m.OnlineURL = fmt.Sprintf("https://zoom.example.ac.uk/j/%d", 80000000000+s.rng.Int64N(9999999999))
		}
		online := 0 // unlimited
		switch {
		case t.Format == models.FormatSmallGroup:
			online = s.pick([]int{8, 10, 12})
		case s.rng.Float64() < 0.35:
			online = s.pick([]int{40, 60, 100})
		}
		m.OnlineCapacity = &online
	}
}

func (s *demoSociety) pick(options []int) int { return options[s.rng.IntN(len(options))] }

// duration is a random duration in [lo, hi).
func (s *demoSociety) duration(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)))
}

// expDuration is a random wait with the given mean.
func (s *demoSociety) expDuration(mean time.Duration) time.Duration {
	return time.Duration(s.rng.ExpFloat64() * float64(mean))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ---- sessions ------------------------------------------------------------------

// createSession stores the session through models.CreateSession, as its
// lead teacher drafting it before publishing it. The back-filled welcome
// evening is typed in now by committee, which alone may add past sessions.
func (s *demoSociety) createSession(ds *demoSession) error {
	in := s.sessionInput(ds)
	actor, createdAt := ds.Lead.User, ds.OpenAt.Add(-s.duration(time.Hour, 72*time.Hour))
	if ds.Backfill {
		actor, createdAt, ds.OpenAt = s.committee[2], s.now.Add(-5*time.Minute), s.now.Add(-4*time.Minute)
	}
	if ds.Draft {
		createdAt = s.now.Add(-s.duration(time.Hour, 48*time.Hour))
	}
	m, err := models.CreateSession(s.ctx, s.db, actor, in, createdAt)
	if err != nil {
		return err
	}
	if !ds.Draft {
		if m, err = models.PublishSession(s.ctx, s.db, actor, m.ID, ds.OpenAt); err != nil {
			return err
		}
	}
	ds.Model = m
	return nil
}

// sessionInput is what the teacher typed into the session form.
func (s *demoSociety) sessionInput(ds *demoSession) models.SessionInput {
	t, m := ds.Topic, ds.Model
	teachers := []int64{ds.Lead.ID}
	if ds.Co != nil {
		teachers = append(teachers, ds.Co.ID)
	}
	if ds.Backfill {
		teachers = []int64{s.committee[0].ID, s.committee[1].ID, s.committee[2].ID}
	}
	years := append([]int(nil), t.Years...)
	desc := s.describe(ds)
	in := models.SessionInput{
		Title: &t.Title, Description: &desc, Topic: &t.Topic, Format: &t.Format, YearGroups: &years,
		Mode: &m.Mode, StartsAt: &ds.Start, EndsAt: &ds.End, TeacherIDs: &teachers,
	}
	if m.Mode != models.ModeOnline {
		in.Venue, in.InPersonCapacity = &m.Venue, &m.InPersonCapacity
	}
	if m.Mode != models.ModeInPerson {
		in.OnlineURL, in.OnlineCapacity = &m.OnlineURL, m.OnlineCapacity
	}
	return in
}

// describe writes the session's description: what it covers, who teaches,
// whom it is for, what to bring, and a link to the slides.
func (s *demoSociety) describe(ds *demoSession) string {
	t := ds.Topic
	var b strings.Builder
	b.WriteString(t.Blurb)
	b.WriteString("\n\n")
	if ds.Backfill {
		b.WriteString("Run by the committee.")
	} else {
		fmt.Fprintf(&b, "Taught by %s (%s)", ds.Lead.Name, ds.Lead.Label)
		if ds.Co != nil {
			fmt.Fprintf(&b, " with %s (%s)", ds.Co.Name, ds.Co.Label)
		}
		b.WriteString(".")
	}
	fmt.Fprintf(&b, " Aimed at %s.", yearsWords(t.Years))
	if t.Bring != "" {
		b.WriteString(" " + t.Bring)
	}
	fmt.Fprintf(&b, "\n\nSlides and pre-reading: https://vle.example.ac.uk/rounds/%s", asciiSlug(t.Title, "-"))
	return b.String()
}

// yearsWords is "year 1", "years 1 and 2" or "years 3–5".
func yearsWords(ys []int) string {
	switch n := len(ys); {
	case n == 1:
		return fmt.Sprintf("year %d", ys[0])
	case n == 2:
		return fmt.Sprintf("years %d and %d", ys[0], ys[1])
	default:
		return fmt.Sprintf("years %d–%d", ys[0], ys[n-1])
	}
}

// cancelSession cancels the session picked for it, after its bookings.
func (s *demoSociety) cancelSession(ds *demoSession) error {
	if ds.CancelAt.IsZero() {
		return nil
	}
	live, err := models.BookingsForSession(s.ctx, s.db, ds.Lead.User, ds.Model.ID, models.BookingFilter{})
	if err != nil {
		return err
	}
	m, err := models.CancelSession(s.ctx, s.db, ds.Lead.User, ds.Model.ID,
		"Sorry — our teacher has been put on the on-call rota that evening. We will run this session again later in the term.", ds.CancelAt)
	if err != nil {
		return err
	}
	ds.Model = m
	for _, b := range live {
		if b.Status != models.BookingCancelled {
			s.upcoming[b.UserID]--
		}
	}
	return nil
}

// ---- bookings -------------------------------------------------------------------

// Booking behaviour by year of study: how likely a student in a session's
// years is to book it, and to prefer an online seat of a hybrid session.
var (
	demoInterest     = [7]float64{0, 0.45, 0.42, 0.36, 0.32, 0.30, 0.28}
	demoPreferOnline = [7]float64{0, 0.50, 0.55, 0.60, 0.65, 0.70, 0.70}
)

// bookingEvent is one thing a student did about a session.
type bookingEvent struct {
	At      time.Time
	Student models.User
	Mode    models.Mode
	Kind    string // book, cancel, apologise
}

// takeBookings plays the students' bookings, cancellations and apologies
// of one session in the order they happened, each before the session
// started (and before now).
func (s *demoSociety) takeBookings(ds *demoSession) error {
	if ds.Draft || ds.Backfill {
		return nil
	}
	cutoff := minTime(ds.Start, s.now)
	if !ds.CancelAt.IsZero() {
		cutoff = minTime(cutoff, ds.CancelAt)
	}
	var events []bookingEvent
	for _, u := range s.eligible(ds) {
		y := *u.YearOfStudy
		if s.rng.Float64() >= s.interest(ds, y) {
			continue
		}
		at := s.bookingTime(ds)
		if !at.Before(cutoff) {
			continue
		}
		events = append(events, bookingEvent{At: at, Student: u, Mode: s.bookingMode(ds, y), Kind: "book"})
		switch r := s.rng.Float64(); {
		case r < 0.10:
			events = append(events, bookingEvent{At: at.Add(s.duration(time.Minute, maxDur(ds.Start.Sub(at)-2*time.Hour, 2*time.Minute))), Student: u, Kind: "cancel"})
		case r < 0.14:
			events = append(events, bookingEvent{At: ds.Start.Add(-s.duration(2*time.Hour, 30*time.Hour)), Student: u, Kind: "apologise"})
		}
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	booked := map[int64]bool{}
	for _, e := range events {
		if !e.At.Before(cutoff) || (e.Kind != "book" && !booked[e.Student.ID]) {
			continue
		}
		if err := s.playBooking(ds, e, booked); err != nil {
			return fmt.Errorf("%s %s: %w", e.Kind, e.Student.Email, err)
		}
	}
	return nil
}

func maxDur(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}

// playBooking does one booking event through the booking rules.
func (s *demoSociety) playBooking(ds *demoSession, e bookingEvent, booked map[int64]bool) error {
	upcoming := ds.Start.After(s.now)
	switch e.Kind {
	case "book":
		if join, err := s.joinsQueue(ds, e.Mode); err != nil || !join {
			return err
		}
		if _, err := models.BookSeat(s.ctx, s.db, e.Student, ds.Model.ID, models.BookInput{Mode: e.Mode}, e.At); err != nil {
			return err
		}
		booked[e.Student.ID] = true
		if upcoming {
			s.upcoming[e.Student.ID]++
		}
		return nil
	case "cancel":
		if _, err := models.CancelMyBooking(s.ctx, s.db, e.Student, ds.Model.ID, e.At); err != nil {
			return err
		}
	case "apologise":
		if _, err := models.SendApologies(s.ctx, s.db, e.Student, ds.Model.ID, e.At); err != nil {
			return err
		}
	}
	booked[e.Student.ID] = false
	s.tally.BookingsCancelled++
	if upcoming {
		s.upcoming[e.Student.ID]--
	}
	return nil
}

// joinsQueue tells whether a student still books when the seats of that
// mode are gone: about half join a short waitlist, nobody a long one.
func (s *demoSociety) joinsQueue(ds *demoSession, mode models.Mode) (bool, error) {
	capacity := ds.Model.Capacity(mode)
	if capacity < 0 {
		return true, nil
	}
	c, err := models.CountBookings(s.ctx, s.db, ds.Model.ID)
	if err != nil {
		return false, err
	}
	if c.Confirmed(mode) < capacity {
		return true, nil
	}
	queue := c.WaitlistedInPerson
	if mode == models.ModeOnline {
		queue = c.WaitlistedOnline
	}
	return queue < max(4, capacity/2) && s.rng.Float64() < 0.5, nil
}

// eligible lists the students of the session's years, shuffled.
func (s *demoSociety) eligible(ds *demoSession) []models.User {
	var out []models.User
	for _, y := range ds.Topic.Years {
		out = append(out, s.byYear[y]...)
	}
	s.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// interest is how likely a student of year y is to book ds: higher in the
// early years, for exam practice and hands-on sessions, and for online seats.
func (s *demoSociety) interest(ds *demoSession, y int) float64 {
	p := demoInterest[y]
	p *= map[models.Format]float64{models.FormatLecture: 0.9, models.FormatSmallGroup: 1, models.FormatPractical: 1.15, models.FormatWorkshop: 1}[ds.Topic.Format]
	switch ds.Topic.Topic {
	case "OSCE practice", "Exam preparation":
		p *= 1.35
	case "Clinical skills":
		p *= 1.2
	}
	switch ds.Model.Mode {
	case models.ModeOnline:
		p *= 1.2
	case models.ModeHybrid:
		p *= 1.1
	}
	return math.Min(p, 0.95)
}

// bookingTime is when a student books: a burst when the programme comes
// out, then more and more as the session comes near.
func (s *demoSociety) bookingTime(ds *demoSession) time.Time {
	var at time.Time
	if s.rng.Float64() < 0.4 {
		at = ds.OpenAt.Add(time.Minute + s.expDuration(36*time.Hour))
	} else {
		at = ds.Start.Add(-15*time.Minute - s.expDuration(4*24*time.Hour))
	}
	return minTime(maxTime(at, ds.OpenAt.Add(time.Minute)), ds.Start.Add(-15*time.Minute))
}

// bookingMode is the seat a student of year y asks for.
func (s *demoSociety) bookingMode(ds *demoSession, y int) models.Mode {
	if ds.Model.Mode != models.ModeHybrid {
		return ds.Model.Mode
	}
	if s.rng.Float64() < demoPreferOnline[y] {
		return models.ModeOnline
	}
	return models.ModeInPerson
}

// ---- attendance -----------------------------------------------------------------

// Attendance by year of study: early years come (about 80%), finalists on
// placement much less (35–40%).
var demoAttendance = [7]float64{0, 0.85, 0.80, 0.66, 0.55, 0.40, 0.36}

// takeAttendance records who came to a session that has started: check-in
// codes in the room, the join link online, the teacher's register for the
// rest (excused, forgot to check in, walk-ins) and, once the register is
// closed the next day, absent for every other confirmed booking.
func (s *demoSociety) takeAttendance(ds *demoSession) error {
	if ds.Draft || !ds.CancelAt.IsZero() || !ds.Start.Before(s.now) {
		return nil
	}
	if ds.Backfill {
		return s.backfillRegister(ds)
	}
	registerAt := ds.End.Add(s.duration(20*time.Minute, 3*time.Hour))
	closed := !s.now.Before(ds.End.Add(20 * time.Hour))
	booked, err := models.BookingsForSession(s.ctx, s.db, ds.Lead.User, ds.Model.ID, models.BookingFilter{Status: models.BookingConfirmed})
	if err != nil {
		return err
	}
	confirmed := map[int64]bool{}
	inPerson := 0
	for _, b := range booked {
		confirmed[b.UserID] = true
		u := s.members[b.UserID]
		p := demoAttendance[*u.YearOfStudy]
		if b.Mode == models.ModeOnline {
			p *= 0.9
		}
		if s.rng.Float64() < p {
			if b.Mode == models.ModeInPerson {
				inPerson++
			}
			if _, err := s.arrive(ds, u, b.Mode, s.arrivalTime(ds), closed, registerAt); err != nil {
				return err
			}
		} else if closed && s.rng.Float64() < 0.2 {
			entry := models.RegisterEntry{Status: models.AttendanceExcused, Mode: b.Mode}
			if _, err := models.MarkRegister(s.ctx, s.db, ds.Lead.User, ds.Model.ID, u.ID, entry, registerAt); err != nil {
				return err
			}
		}
	}
	if err := s.walkIns(ds, confirmed, len(booked), inPerson, closed, registerAt); err != nil {
		return err
	}
	if closed {
		_, err := models.MarkUnmarkedAbsent(s.ctx, s.db, ds.Lead.User, ds.Model.ID, registerAt.Add(time.Minute))
		return err
	}
	return nil
}

// walkIns brings a few students without a confirmed seat into the room,
// while there is space.
func (s *demoSociety) walkIns(ds *demoSession, confirmed map[int64]bool, booked, came int, closed bool, registerAt time.Time) error {
	if !ds.Model.Offers(models.ModeInPerson) {
		return nil
	}
	want := int(math.Round(float64(booked) * 0.07 * (0.5 + s.rng.Float64())))
	n := min(want, max(ds.Model.InPersonCapacity-came, 0))
	for _, u := range s.eligible(ds) {
		if n == 0 {
			break
		}
		if confirmed[u.ID] {
			continue
		}
		n--
		recorded, err := s.arrive(ds, u, models.ModeInPerson, s.arrivalTime(ds), closed, registerAt)
		if err != nil {
			return err
		}
		if recorded {
			s.tally.WalkIns++
		}
	}
	return nil
}

// arrivalTime is when someone who comes arrives: mostly around the start,
// some late.
func (s *demoSociety) arrivalTime(ds *demoSession) time.Time {
	late := s.rules.LateAfter
	at := ds.Start.Add(-12*time.Minute + s.duration(0, 11*time.Minute+late))
	if s.rng.Float64() < 0.15 {
		at = ds.Start.Add(late + s.duration(time.Minute, 30*time.Minute))
	}
	return minTime(at, ds.End.Add(-time.Minute))
}

// arrive records one arrival: by the check-in code or the join link, or,
// for teachers who take a register and students who forgot to check in,
// by the register once the session is over. It tells whether anything was
// recorded.
func (s *demoSociety) arrive(ds *demoSession, u models.User, mode models.Mode, at time.Time, closed bool, registerAt time.Time) (bool, error) {
	if at.After(s.now) {
		return false, nil // the session is running and they are not here yet
	}
	if !ds.RegisterOnly && s.rng.Float64() < 0.93 {
		if mode == models.ModeOnline {
			_, err := models.JoinOnline(s.ctx, s.db, u, ds.Model.ID, s.rules.LateAfter, at)
			return err == nil, err
		}
		code, _, err := models.CheckinCode(s.ctx, s.db, ds.Lead.User, ds.Model.ID, models.ModeInPerson, s.rules, at)
		if err != nil {
			return false, err
		}
		_, _, err = models.CheckIn(s.ctx, s.db, u, ds.Model.ID, code, s.rules, at)
		return err == nil, err
	}
	if !closed {
		return false, nil
	}
	status := models.AttendancePresent
	if at.After(ds.Start.Add(s.rules.LateAfter)) {
		status = models.AttendanceLate
	}
	_, err := models.MarkRegister(s.ctx, s.db, ds.Lead.User, ds.Model.ID, u.ID, models.RegisterEntry{Status: status, Mode: mode}, registerAt)
	return err == nil, err
}

// backfillRegister types in the paper sign-in sheet of the welcome
// evening, which ran before the society used Rounds.
func (s *demoSociety) backfillRegister(ds *demoSession) error {
	secretary := s.committee[2]
	for _, u := range s.byYear[1] {
		if s.rng.Float64() >= 0.7 {
			continue
		}
		status := models.AttendancePresent
		if s.rng.Float64() < 0.1 {
			status = models.AttendanceLate
		}
		entry := models.RegisterEntry{Status: status, Mode: models.ModeInPerson}
		if _, err := models.MarkRegister(s.ctx, s.db, secretary, ds.Model.ID, u.ID, entry, s.now.Add(-time.Minute)); err != nil {
			return err
		}
		s.tally.WalkIns++
	}
	return nil
}

// ---- feedback -------------------------------------------------------------------

// demoFeedbackRate is how many attendees of each year answer the feedback form.
var demoFeedbackRate = [7]float64{0, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35}

// collectFeedback has some attendees of an ended session give feedback over
// the following days.
func (s *demoSociety) collectFeedback(ds *demoSession) error {
	if ds.Draft || ds.Backfill || !ds.CancelAt.IsZero() || ds.End.After(s.now) {
		return nil
	}
	records, err := models.SessionAttendance(s.ctx, s.db, ds.Lead.User, ds.Model.ID)
	if err != nil {
		return err
	}
	for _, a := range records {
		u := s.members[a.UserID]
		if !a.Attended() || s.rng.Float64() >= demoFeedbackRate[*u.YearOfStudy] {
			continue
		}
		at := ds.End.Add(5*time.Minute + s.expDuration(8*time.Hour))
		in := s.feedback(ds, *u.YearOfStudy)
		if at.After(s.now) {
			continue
		}
		if _, _, err := models.SubmitFeedback(s.ctx, s.db, u, ds.Model.ID, in, at); err != nil {
			return err
		}
		s.tally.Feedback++
	}
	return nil
}

// feedback is one student's answers, around the session's quality.
func (s *demoSociety) feedback(ds *demoSession, year int) models.FeedbackInput {
	rating := func() int {
		return int(math.Max(1, math.Min(5, math.Round(ds.Quality+s.rng.NormFloat64()*0.7))))
	}
	before := 1 + s.rng.IntN(3)
	if year >= 4 {
		before = 2 + s.rng.IntN(3)
	}
	in := models.FeedbackInput{
		Overall: rating(), Teaching: rating(),
		ConfidenceBefore: before, ConfidenceAfter: min(5, before+1+s.rng.IntN(2)),
	}
	benefits := demoBenefits[ds.Topic.Format]
	for _, b := range benefits {
		if s.rng.Float64() < 0.55 {
			in.Benefits = append(in.Benefits, b)
		}
	}
	if s.rng.Float64() < 0.3 {
		in.Benefits = append(in.Benefits, "community")
	}
	if s.rng.Float64() < 0.6 {
		in.WentWell = demoWentWell[s.rng.IntN(len(demoWentWell))]
	}
	if s.rng.Float64() < 0.4 {
		in.Improve = demoImprove[s.rng.IntN(len(demoImprove))]
	}
	return in
}

// ---- finishing --------------------------------------------------------------------

// skipDemoMail marks the e-mails the demo's history queued (booking
// confirmations, cancellations, certificates) as skipped, so that the first
// "rounds serve" neither logs nor sends thousands of them to invented
// addresses.
func (s *demoSociety) skipDemoMail() error {
	for {
		msgs, err := models.ClaimOutbox(s.ctx, s.db, "rounds-demo", s.now, time.Hour, 500)
		if err != nil || len(msgs) == 0 {
			return err
		}
		for i := range msgs {
			if err := models.MarkSkipped(s.ctx, s.db, &msgs[i], "demo society: not sent"); err != nil {
				return err
			}
			s.tally.MailSkipped++
		}
	}
}

// demoSummary is what the demo made, for the person who ran it.
type demoSummary struct {
	Members, Students, Teachers, Doctors, Committee     int
	ByYear                                              [7]int
	Sessions, Held, Upcoming, Drafts, SessionsCancelled int
	Confirmed, Waitlisted, BookingsCancelled            int
	Came, Late, WalkIns, Absent, Excused                int
	Feedback, MailSkipped                               int
	TermFrom, TermTo                                    time.Time
	Logins                                              []demoLogin
	Took                                                time.Duration
}

// demoLogin is an account worth trying.
type demoLogin struct {
	Role       models.Role
	Email, Who string
}

// summarise counts what is in the database now, through the models.
func (s *demoSociety) summarise() (demoSummary, error) {
	sum := s.tally
	sum.Committee, sum.Students = len(s.committee), len(s.students)
	sum.Teachers, sum.Members = len(s.teachers), len(s.members)
	for _, t := range s.teachers {
		if t.Doctor {
			sum.Doctors++
		}
	}
	for y := 1; y <= 6; y++ {
		sum.ByYear[y] = len(s.byYear[y])
	}
	sessions, err := models.ListSessions(s.ctx, s.db, s.committee[0], models.SessionFilter{})
	if err != nil {
		return sum, err
	}
	sum.Sessions = len(sessions)
	for _, m := range sessions {
		switch {
		case m.Status == models.SessionDraft:
			sum.Drafts++
		case m.Status == models.SessionCancelled:
			sum.SessionsCancelled++
		case m.HasStarted(s.now):
			sum.Held++
		default:
			sum.Upcoming++
		}
		if sum.TermFrom.IsZero() || m.StartsAt.Before(sum.TermFrom) {
			sum.TermFrom = m.StartsAt
		}
		sum.TermTo = maxTime(sum.TermTo, m.StartsAt)
		if err := s.countSession(&sum, m); err != nil {
			return sum, err
		}
	}
	sum.Logins = s.logins()
	return sum, nil
}

// countSession adds a session's bookings and attendance to the summary.
func (s *demoSociety) countSession(sum *demoSummary, m models.Session) error {
	c, err := models.CountBookings(s.ctx, s.db, m.ID)
	if err != nil {
		return err
	}
	sum.Confirmed += c.ConfirmedInPerson + c.ConfirmedOnline
	sum.Waitlisted += c.Waitlisted
	records, err := models.SessionAttendance(s.ctx, s.db, s.committee[0], m.ID)
	if err != nil {
		return err
	}
	for _, a := range records {
		switch a.Status {
		case models.AttendancePresent:
			sum.Came++
		case models.AttendanceLate:
			sum.Came++
			sum.Late++
		case models.AttendanceAbsent:
			sum.Absent++
		case models.AttendanceExcused:
			sum.Excused++
		}
	}
	return nil
}

// logins picks the accounts to print: the committee, the busiest
// student-teacher and junior doctor, and the first- and fourth-year
// students with the most upcoming bookings, so that their pages are full.
func (s *demoSociety) logins() []demoLogin {
	var out []demoLogin
	for i, c := range demoCommittee {
		out = append(out, demoLogin{models.RoleCommittee, s.committee[i].Email, c.Name + ", " + c.Post})
	}
	for _, doctor := range []bool{false, true} {
		var busiest *demoTeacher
		for _, t := range s.teachers {
			if t.Doctor == doctor && (busiest == nil || t.Load > busiest.Load) {
				busiest = t
			}
		}
		out = append(out, demoLogin{models.RoleTeacher, busiest.Email, busiest.Name + ", " + busiest.Label})
	}
	for _, y := range []int{1, 4} {
		best := s.byYear[y][0]
		for _, u := range s.byYear[y] {
			if s.upcoming[u.ID] > s.upcoming[best.ID] {
				best = u
			}
		}
		out = append(out, demoLogin{models.RoleStudent, best.Email, fmt.Sprintf("%s, year %d", best.Name, y)})
	}
	return out
}

// printDemoSummary tells what was made and how to log in.
func printDemoSummary(w io.Writer, sum demoSummary, baseURL, password string) {
	fmt.Fprintf(w, "Demo society ready in %.1fs: a term from %s to %s.\n", sum.Took.Seconds(),
		sum.TermFrom.Format("2 Jan"), sum.TermTo.Format("2 Jan 2006"))
	fmt.Fprintf(w, "  %d members: %d students (years 1–6: %d, %d, %d, %d, %d, %d), %d teachers (%d senior students, %d junior doctors), %d committee\n",
		sum.Members, sum.Students, sum.ByYear[1], sum.ByYear[2], sum.ByYear[3], sum.ByYear[4], sum.ByYear[5], sum.ByYear[6],
		sum.Teachers, sum.Teachers-sum.Doctors, sum.Doctors, sum.Committee)
	fmt.Fprintf(w, "  %d sessions: %d held or running, %d upcoming, %d drafts, %d cancelled\n",
		sum.Sessions, sum.Held, sum.Upcoming, sum.Drafts, sum.SessionsCancelled)
	fmt.Fprintf(w, "  %d bookings: %d confirmed, %d waitlisted, %d cancelled\n",
		sum.Confirmed+sum.Waitlisted+sum.BookingsCancelled, sum.Confirmed, sum.Waitlisted, sum.BookingsCancelled)
	fmt.Fprintf(w, "  attendance: %d came (%d late, %d walk-ins), %d absent, %d excused; %d feedback responses\n",
		sum.Came, sum.Late, sum.WalkIns, sum.Absent, sum.Excused, sum.Feedback)
	fmt.Fprintf(w, "  %d e-mails of the demo's history were marked skipped, not sent\n", sum.MailSkipped)
	fmt.Fprintf(w, "\nLog in at %s/login, every account with the password %s\n", strings.TrimSuffix(baseURL, "/"), password)
	for _, l := range sum.Logins {
		fmt.Fprintf(w, "  %-10s  %s / %s  (%s)\n", l.Role+":", l.Email, password, l.Who)
	}
}

// ---- what the society is made of ---------------------------------------------------

// demoNameGroup is a background names are drawn from, with its share of
// the school.
type demoNameGroup struct {
	Weight      int
	First, Last []string
}

var demoNameGroups = []demoNameGroup{
	{36, []string{"Oliver", "Harry", "George", "Jack", "Charlie", "Thomas", "James", "William", "Alfie", "Joshua", "Emily",
		"Olivia", "Amelia", "Isla", "Sophie", "Grace", "Ella", "Lucy", "Hannah", "Charlotte", "Megan", "Eleanor", "Freya",
		"Zoë", "Chloë", "Rosie", "Rhys", "Cerys", "Siân", "Dafydd", "Callum", "Eilidh", "Fraser", "Imogen", "Ben", "Sam"},
		[]string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
			"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke", "Hughes",
			"Edwards", "Turner", "Harris", "Lewis", "Cooper", "Ward", "Morgan", "Bennett", "Fletcher", "Llewellyn",
			"MacDonald", "Campbell", "Stewart", "Reid", "Murray", "Francis", "Grant", "Henry"}},
	{4, []string{"Seán", "Siobhán", "Aoife", "Niamh", "Ciarán", "Oisín", "Róisín", "Cormac", "Saoirse", "Eoin", "Clodagh", "Pádraig"},
		[]string{"O'Brien", "O'Connor", "Murphy", "Kelly", "Byrne", "Ryan", "Gallagher", "Doherty", "McCarthy", "Ní Bhriain", "Ó Súilleabháin"}},
	{10, []string{"Aisha", "Fatima", "Hamza", "Imran", "Bilal", "Yusuf", "Maryam", "Zainab", "Ayesha", "Omar", "Sana",
		"Nadia", "Tahmina", "Rahim", "Sadia", "Zara", "Ibrahim", "Hafsa"},
		[]string{"Khan", "Ahmed", "Hussain", "Ali", "Begum", "Chowdhury", "Rahman", "Islam", "Iqbal", "Malik", "Akhtar",
			"Siddiqui", "Mahmood", "Uddin", "Bhatti", "Qureshi"}},
	{9, []string{"Aarav", "Arjun", "Rohan", "Priya", "Ananya", "Ravi", "Nikhil", "Anjali", "Kavya", "Ishaan", "Deepa",
		"Aditya", "Sahil", "Meera", "Neha", "Vikram", "Shreya", "Kiran"},
		[]string{"Patel", "Shah", "Sharma", "Gupta", "Mistry", "Desai", "Joshi", "Kumar", "Nair", "Reddy", "Iyer",
			"Mehta", "Pillai", "Chauhan", "Rao"}},
	{4, []string{"Harpreet", "Gurpreet", "Jaspreet", "Simran", "Manpreet", "Amrit", "Navdeep", "Harjit", "Jasleen"},
		[]string{"Sandhu", "Gill", "Dhillon", "Grewal", "Bains", "Sidhu", "Johal", "Virdee"}},
	{8, []string{"Wei", "Jia Hui", "Xinyi", "Yuxuan", "Haoran", "Mei", "Jonathan", "Michelle", "Kelvin", "Vivian",
		"Hui Min", "Linh", "Minh", "Anh", "Ji-woo", "Min-jun"},
		[]string{"Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Lim", "Tan", "Ng", "Lee", "Cheung", "Lau",
			"Nguyen", "Tran", "Pham", "Kim", "Park"}},
	{10, []string{"Chidi", "Chiamaka", "Adaeze", "Tobi", "Oluwaseun", "Kemi", "Femi", "Ngozi", "Kwame", "Ama", "Kofi",
		"Abena", "Efua", "Tolu", "Ife", "Emeka", "Ifeoma", "Abdi", "Hodan", "Ayaan", "Nia", "Malik", "Tendai"},
		[]string{"Okafor", "Adeyemi", "Okonkwo", "Mensah", "Osei", "Boateng", "Asante", "Adebayo", "Eze", "Nwosu",
			"Obi", "Owusu", "Afolabi", "Mohamed", "Abdullahi", "Warsame", "Moyo", "Banda"}},
	{5, []string{"Łukasz", "Kacper", "Jakub", "Zofia", "Małgorzata", "Agnieszka", "Wiktoria", "Michał", "Paweł",
		"Katarzyna", "Tomasz", "Zoltán", "Réka", "Ioana", "Andrei"},
		[]string{"Nowak", "Mazur", "Wójcik", "Krawczyk", "Kaczmarek", "Zając", "Król", "Wróbel", "Pawlak", "Nagy",
			"Horváth", "Popescu", "Ionescu"}},
	{5, []string{"José", "Inês", "João", "Lucía", "Sofía", "Mateo", "Chiara", "Giulia", "Luca", "Matteo", "Léa",
		"Chloé", "Anaïs", "Renée", "Nikos", "Eleni", "Andreas", "Christos"},
		[]string{"García", "Fernández", "Rodríguez", "Silva", "Santos", "Ferreira", "Rossi", "Russo", "Bianchi", "Moreau",
			"Dubois", "Lefèvre", "Georgiou", "Christodoulou", "Papadopoulos", "Constantinou"}},
	{6, []string{"Layla", "Yasmin", "Karim", "Leila", "Dara", "Shirin", "Reza", "Ayşe", "Emre", "Elif", "Mehmet", "Cem",
		"Nour", "Tariq", "Rania"},
		[]string{"Haddad", "Hassan", "Karimi", "Hosseini", "Rahimi", "Yılmaz", "Demir", "Kaya", "Öztürk", "Şahin",
			"Aziz", "Nasser", "Farah"}},
	{3, []string{"Lena", "Jonas", "Felix", "Anna", "Moritz", "Søren", "Astrid", "Björn", "Ingrid", "Lars"},
		[]string{"Müller", "Schmidt", "Weber", "Fischer", "Becker", "Larsen", "Johansson", "Lindqvist", "Jørgensen"}},
}

// demoTopic is a session in the society's repertoire.
type demoTopic struct {
	Title, Topic   string
	Format         models.Format
	Years          []int
	InPersonOnly   bool // hands-on: only in the room
	OnlineFavoured bool // question sessions that work best online
	Blurb, Bring   string
}

// demoWelcome opens the term; it ran before the society used Rounds.
var demoWelcome = demoTopic{
	Title: "Welcome evening: how near-peer teaching works", Topic: "Study skills", Format: models.FormatLecture,
	Years: []int{1}, InPersonOnly: true,
	Blurb: "Meet the committee and this term's teachers, find out how sessions, bookings and check-in work, and get our tips for surviving first year.",
}

const (
	bringStethoscope = "Bring your stethoscope."
	bringBareArms    = "Bare below the elbows, please; all kit is provided."
	bringClothes     = "Wear clothes you can kneel in."
	bringPaper       = "Bring pen and paper, or a tablet."
)

var demoCatalogue = []demoTopic{
	{"Anatomy spotter practice: thorax and abdomen", "Anatomy", models.FormatPractical, []int{1, 2}, true, false,
		"Timed spotter stations on prosected specimens, run like the end-of-year exam, with answers and tips at each station.", "Lab coats are provided."},
	{"Upper limb anatomy: the brachial plexus made simple", "Anatomy", models.FormatLecture, []int{1, 2}, false, false,
		"Draw the brachial plexus step by step, then work through the nerve injuries examiners love and how to remember them.", bringPaper},
	{"Lower limb anatomy for spotters and OSCEs", "Anatomy", models.FormatSmallGroup, []int{1, 2}, false, false,
		"Surface anatomy, the femoral triangle and the nerves of the leg, with quick-fire questions.", ""},
	{"Cranial nerves in one evening", "Neurology", models.FormatLecture, []int{1, 2, 3}, false, false,
		"The twelve cranial nerves: where they run, what they do, and how to examine each of them.", ""},
	{"The cardiac cycle and heart sounds", "Cardiology", models.FormatLecture, []int{1, 2}, false, false,
		"Pressure–volume loops, the Wiggers diagram and what you actually hear through a stethoscope.", ""},
	{"Respiratory physiology: V/Q made simple", "Respiratory", models.FormatLecture, []int{1, 2}, false, false,
		"Ventilation, perfusion and the oxygen–haemoglobin dissociation curve, with worked examples.", ""},
	{"Renal physiology: the nephron step by step", "Renal", models.FormatLecture, []int{1, 2}, false, false,
		"What each part of the nephron does, where diuretics act, and the classic exam questions.", ""},
	{"Acid–base balance without tears", "Renal", models.FormatWorkshop, []int{2, 3}, false, false,
		"A five-step method for acid–base problems, practised on real cases in small teams.", bringPaper},
	{"Pharmacology basics: receptors and drug classes", "Pharmacology", models.FormatLecture, []int{1, 2}, false, false,
		"Agonists, antagonists, and the drug classes you will meet on every ward.", ""},
	{"Histology: the slides you need to know", "Pathology", models.FormatSmallGroup, []int{1, 2}, false, false,
		"Recognising the common tissues and their pathology under the microscope, slide by slide.", ""},
	{"History taking: your first clerking", "Clinical skills", models.FormatSmallGroup, []int{1, 2}, true, false,
		"Structure, open questions and the systems review, practised in pairs with feedback from a finalist.", ""},
	{"Basic life support refresher", "Clinical skills", models.FormatPractical, []int{1, 2, 3}, true, false,
		"Hands-on CPR and AED practice on manikins, following the current Resuscitation Council (UK) guidelines.", bringClothes},
	{"Venepuncture and cannulation practice", "Clinical skills", models.FormatPractical, []int{3, 4}, true, false,
		"Practise on arm models with a senior student at each station; bring your skills passport for sign-off.", bringBareArms},
	{"Suturing workshop: simple interrupted sutures", "Surgery", models.FormatPractical, []int{3, 4, 5}, true, false,
		"Instrument ties and simple interrupted sutures on skin pads.", bringBareArms},
	{"Catheterisation and ABG sampling", "Clinical skills", models.FormatPractical, []int{4, 5}, true, false,
		"Male and female catheterisation on models and arterial blood gas sampling, step by step.", bringBareArms},
	{"OSCE: cardiovascular examination", "OSCE practice", models.FormatSmallGroup, []int{2, 3}, true, false,
		"Examine each other under exam conditions with a real mark scheme, then get feedback from a finalist.", bringStethoscope},
	{"OSCE: respiratory examination", "OSCE practice", models.FormatSmallGroup, []int{2, 3}, true, false,
		"The full respiratory examination against the clock, with the signs examiners ask about.", bringStethoscope},
	{"OSCE: abdominal examination", "OSCE practice", models.FormatSmallGroup, []int{2, 3, 4}, true, false,
		"A slick abdominal examination, presenting your findings, and the questions that follow.", ""},
	{"OSCE: neurological examination of the limbs", "OSCE practice", models.FormatSmallGroup, []int{3, 4}, true, false,
		"Tone, power, reflexes, sensation and coordination, and how to present a neurological finding.", "Tendon hammers are provided."},
	{"OSCE: breaking bad news and other communication stations", "OSCE practice", models.FormatWorkshop, []int{4, 5, 6}, true, false,
		"Communication stations with simulated patients: breaking bad news, explaining a diagnosis, the angry relative.", ""},
	{"Mock OSCE circuit: finals stations", "OSCE practice", models.FormatPractical, []int{5, 6}, true, false,
		"A full eight-station circuit under exam conditions, with examiners from FY1 and FY2 and written feedback.", bringStethoscope},
	{"ECG interpretation for beginners", "Cardiology", models.FormatLecture, []int{2, 3}, false, false,
		"Rate, rhythm, axis and intervals: a systematic approach, with twenty ECGs to practise on.", ""},
	{"ECGs: arrhythmias and heart block", "Cardiology", models.FormatWorkshop, []int{3, 4, 5}, false, false,
		"Atrial fibrillation, flutter, SVT and the degrees of heart block, on real ECGs.", ""},
	{"Chest X-ray ABCDE", "Respiratory", models.FormatLecture, []int{2, 3, 4}, false, false,
		"A systematic ABCDE review of the chest X-ray, and the ten films you must not miss.", ""},
	{"ABG interpretation in five steps", "Data interpretation", models.FormatWorkshop, []int{3, 4, 5}, false, false,
		"Arterial blood gases made systematic, then applied to cases from the emergency department.", ""},
	{"Blood results: FBC, U&Es and LFTs", "Data interpretation", models.FormatLecture, []int{3, 4}, false, false,
		"Reading the common blood tests in context, with the patterns that point to a diagnosis.", ""},
	{"Spirometry and peak flow", "Respiratory", models.FormatSmallGroup, []int{3, 4}, false, false,
		"Obstructive or restrictive? Reading spirometry traces and teaching inhaler and peak-flow technique.", ""},
	{"Heart failure: diagnosis and management", "Cardiology", models.FormatLecture, []int{4, 5}, false, false,
		"From breathlessness to BNP, echo and the four pillars of treatment.", ""},
	{"Acute coronary syndromes", "Cardiology", models.FormatLecture, []int{4, 5, 6}, false, false,
		"STEMI, NSTEMI and unstable angina: recognition, ECG changes and first-hour management.", ""},
	{"Asthma and COPD: the guidelines that matter", "Respiratory", models.FormatLecture, []int{3, 4, 5}, false, false,
		"Stepwise treatment, acute exacerbations, and the questions finals papers keep asking.", ""},
	{"Acute kidney injury: causes and management", "Renal", models.FormatLecture, []int{4, 5, 6}, false, false,
		"Pre-renal, renal or post-renal? Staging, fluids, stopping the right drugs and when to call the renal team.", ""},
	{"Stroke and TIA: from FAST to thrombectomy", "Neurology", models.FormatLecture, []int{4, 5}, false, false,
		"Recognising stroke, the first hours of management, and secondary prevention after a TIA.", ""},
	{"Headache: red flags and what to do", "Neurology", models.FormatSmallGroup, []int{4, 5, 6}, false, false,
		"Case-based: subarachnoid haemorrhage, meningitis, giant cell arteritis and the benign headaches.", ""},
	{"Seizures and epilepsy for finals", "Neurology", models.FormatLecture, []int{5, 6}, false, false,
		"First fit, status epilepticus and the antiepileptics you need to know.", ""},
	{"The acute abdomen", "Surgery", models.FormatLecture, []int{4, 5, 6}, false, false,
		"A structured approach to abdominal pain, from appendicitis to the ruptured aneurysm.", ""},
	{"Surgical sieve and post-operative complications", "Surgery", models.FormatWorkshop, []int{5, 6}, false, false,
		"Working through the post-operative patient on the ward: fever, low urine output, the drop in blood pressure.", ""},
	{"Pre-operative assessment", "Surgery", models.FormatSmallGroup, []int{5, 6}, false, false,
		"Clerking a patient for theatre: risk, anticoagulation, diabetes and consent.", ""},
	{"Paediatric history and developmental milestones", "Paediatrics", models.FormatLecture, []int{4, 5}, false, false,
		"Taking a history from parents and children, and the milestones worth learning by heart.", ""},
	{"The unwell child: recognising sepsis", "Paediatrics", models.FormatWorkshop, []int{5, 6}, false, false,
		"Traffic-light assessment of the febrile child, with simulated cases.", ""},
	{"Neonatal jaundice and common newborn problems", "Paediatrics", models.FormatLecture, []int{5, 6}, false, false,
		"Jaundice charts, feeding problems and the baby check, for the paediatrics placement.", ""},
	{"The mental state examination", "Psychiatry", models.FormatSmallGroup, []int{3, 4}, false, false,
		"Appearance to insight: describing a mental state clearly, with video cases.", ""},
	{"Risk assessment and the Mental Health Act", "Psychiatry", models.FormatLecture, []int{5, 6}, false, false,
		"Assessing risk after self-harm and the sections of the Mental Health Act a foundation doctor meets.", ""},
	{"Depression, anxiety and the psychiatric history", "Psychiatry", models.FormatLecture, []int{3, 4, 5}, false, false,
		"Taking a psychiatric history and recognising the common disorders in primary care.", ""},
	{"Antenatal care and obstetric emergencies", "Obstetrics and gynaecology", models.FormatLecture, []int{5, 6}, false, false,
		"The booking visit, screening, pre-eclampsia and postpartum haemorrhage.", ""},
	{"Gynaecology: pelvic pain and bleeding", "Obstetrics and gynaecology", models.FormatSmallGroup, []int{5, 6}, false, false,
		"Ectopic pregnancy, ovarian torsion and abnormal bleeding, case by case.", ""},
	{"The ABCDE approach to the sick patient", "Acute medicine", models.FormatWorkshop, []int{4, 5, 6}, false, false,
		"Simulated ward calls assessed the ABCDE way, with escalation and handover using SBAR.", ""},
	{"Sepsis and the deteriorating patient", "Acute medicine", models.FormatLecture, []int{5, 6}, false, false,
		"NEWS2, the sepsis six, and when and how to escalate.", ""},
	{"DKA and HHS: diabetic emergencies", "Endocrinology", models.FormatLecture, []int{4, 5, 6}, false, false,
		"Diagnosis, fluids and insulin in diabetic ketoacidosis and the hyperosmolar state.", ""},
	{"Thyroid and adrenal disease made simple", "Endocrinology", models.FormatLecture, []int{3, 4}, false, false,
		"Hyper- and hypothyroidism, Addison's and Cushing's, with the tests that tell them apart.", ""},
	{"Anaemia: a practical approach", "Haematology", models.FormatLecture, []int{3, 4}, false, false,
		"Microcytic, normocytic, macrocytic: working out the cause from the blood film and the history.", ""},
	{"Dermatology: describing a rash", "Dermatology", models.FormatSmallGroup, []int{3, 4, 5}, false, false,
		"The words dermatologists use, practised on forty photographs.", ""},
	{"Antibiotics: which bug, which drug", "Pharmacology", models.FormatLecture, []int{3, 4, 5}, false, false,
		"Empirical antibiotics for the common infections, allergies, and stewardship.", ""},
	{"Fluid prescribing and electrolytes", "Pharmacology", models.FormatWorkshop, []int{4, 5, 6}, false, false,
		"Maintenance, replacement and resuscitation fluids, hyperkalaemia and hyponatraemia, on real drug charts.", bringPaper},
	{"Prescribing Safety Assessment: practice paper", "Pharmacology", models.FormatWorkshop, []int{5, 6}, false, true,
		"A timed PSA-style paper with the BNF open, then the answers and the traps, question by question.", "Have the BNF website open."},
	{"UKMLA AKT: high-yield question session", "Exam preparation", models.FormatWorkshop, []int{5, 6}, false, true,
		"Sixty single-best-answer questions across the specialties, answered live and explained.", ""},
	{"Preparing for FY1: your first on-call", "Acute medicine", models.FormatLecture, []int{6}, false, false,
		"What the bleep means, prioritising jobs, common calls and when to ask for help — from this year's FY1s.", ""},
	{"Study skills: how to revise for medical exams", "Study skills", models.FormatWorkshop, []int{1}, false, false,
		"Spaced repetition, question banks and making a revision plan that survives placement.", ""},
	{"Cell biology and genetics: exam question session", "Genetics", models.FormatWorkshop, []int{1}, false, true,
		"Past-paper style questions on the cell cycle, inheritance and genetic disease, answered live.", ""},
	{"Biochemistry: metabolism made simple", "Biochemistry", models.FormatLecture, []int{1, 2}, false, false,
		"Glycolysis, the Krebs cycle and the metabolic diseases examiners like, without the memorising.", ""},
	{"Microbiology basics: bacteria, viruses and fungi", "Microbiology", models.FormatLecture, []int{1, 2}, false, false,
		"Gram stains, the organisms behind the common infections, and how they are identified.", ""},
	{"Ophthalmology: the red eye", "Ophthalmology", models.FormatSmallGroup, []int{4, 5}, false, false,
		"Conjunctivitis, uveitis, acute angle-closure glaucoma: telling them apart and what to do.", ""},
	{"ENT emergencies", "ENT", models.FormatLecture, []int{4, 5, 6}, false, false,
		"Epistaxis, quinsy, stridor and foreign bodies: the ENT calls a foundation doctor gets.", ""},
}

// Rooms the society books, by format, and their sizes.
var (
	demoVenues = map[models.Format][]string{
		models.FormatLecture:    {"Medical School, Lecture Theatre 1", "Medical School, Lecture Theatre 2", "Education Centre, Main Auditorium", "Wolfson Lecture Theatre"},
		models.FormatSmallGroup: {"Education Centre, Seminar Room 3", "Education Centre, Seminar Room 4", "Library, Group Study Room 2", "Postgraduate Centre, Room 1.14"},
		models.FormatPractical:  {"Clinical Skills Centre, Skills Lab A", "Clinical Skills Centre, Skills Lab B", "Simulation Suite, Ward 2"},
		models.FormatWorkshop:   {"Education Centre, Seminar Room 1", "Postgraduate Centre, Room 2.03", "Clinical Skills Centre, Teaching Room"},
	}
	demoRoomSizes = map[models.Format][]int{
		models.FormatLecture:    {60, 80, 100, 120, 150},
		models.FormatSmallGroup: {8, 10, 12},
		models.FormatPractical:  {12, 16, 20, 24},
		models.FormatWorkshop:   {20, 24, 30, 40},
	}
	demoBenefits = map[models.Format][]models.Benefit{
		models.FormatLecture:    {"knowledge", "exam_preparation"},
		models.FormatSmallGroup: {"knowledge", "exam_preparation", "confidence"},
		models.FormatPractical:  {"clinical_skills", "confidence"},
		models.FormatWorkshop:   {"knowledge", "exam_preparation", "motivation"},
	}
	demoWentWell = []string{
		"Clear, well paced, and lots of practice questions.",
		"Really friendly — I felt comfortable asking questions.",
		"Great examples from the wards.",
		"The systematic approach finally made it click.",
		"Good mix of theory and practice.",
		"Loved the hands-on stations.",
		"Useful tips for the exam.",
		"Small group, so everyone got a go.",
		"Excellent slides; I will revise from them.",
		"Felt like a real exam — exactly what I needed.",
	}
	demoImprove = []string{
		"A bit rushed towards the end.",
		"More time for practice, please.",
		"Could you share the slides beforehand?",
		"Hard to hear at the back of the room.",
		"The online audio dropped out a few times.",
		"More cases at my level would help.",
		"Would love a follow-up session.",
		"Started ten minutes late.",
	}
)
