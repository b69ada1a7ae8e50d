package jobs_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/internal/mail/mailtest"
	"rounds/jobs"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// Sessions in these tests start on Tuesday 3 November 2026 at 18:00 GMT.
var sessionStart = time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)

const base = "https://rounds.example.org"

func reminderConfig(smtpURL string) config.Config {
	cfg := testConfig(smtpURL)
	cfg.SessionReminderBefore = 24 * time.Hour
	cfg.FeedbackReminderAfter = 48 * time.Hour
	return cfg
}

// society is a teacher and some students, without welcome e-mails.
type society struct {
	teacher models.User
	members map[string]models.User
}

// renal is the session of these tests (Mode and Starts say the rest): a
// 90-minute lecture for year 3 with 20 seats in each mode, published a
// month before it starts.
var renal = testkit.Options(testkit.Title("Renal physiology"), testkit.Description(""), testkit.Topic(""), testkit.Years(3),
	testkit.Venue("Room 1"), testkit.Link("https://zoom.example/j/123"), testkit.Seats(20), testkit.Ahead(30*24*time.Hour),
	testkit.Published())

func newSociety(t *testing.T, db *store.Store, students ...string) *society {
	t.Helper()
	s := &society{members: map[string]models.User{}}
	s.teacher = testkit.Member(t, db, testkit.Email("teacher@example.org"), testkit.Name("Dr Jane Teacher"),
		testkit.Role(models.RoleTeacher), testkit.Password("correct horse battery"))
	for _, name := range students {
		s.members[name] = testkit.Member(t, db, testkit.Email(strings.ToLower(name)+"@example.org"), testkit.Name(name),
			testkit.Password("correct horse battery"), testkit.Year(3))
	}
	return s
}

func planReminders(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.PlanReminders(context.Background()); err != nil {
		t.Fatalf("PlanReminders: %v", err)
	}
}

// received returns what the server accepted of kind, by recipient.
func received(srv *mailtest.Server, kind models.MailKind) map[string]mailtest.Received {
	out := map[string]mailtest.Received{}
	for _, m := range srv.Messages() {
		if m.Header.Get("X-Rounds-Kind") == string(kind) {
			out[strings.Join(m.To, ",")] = m
		}
	}
	return out
}

func count(srv *mailtest.Server, kind models.MailKind) int {
	n := 0
	for _, m := range srv.Messages() {
		if m.Header.Get("X-Rounds-Kind") == string(kind) {
			n++
		}
	}
	return n
}

func hasAll(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// invitation parses the .ics attachment of a received message.
func invitation(t *testing.T, m mailtest.Received) (method string, ev *goical.Event) {
	t.Helper()
	for _, a := range m.Attachments {
		if !strings.HasSuffix(a.Name, ".ics") {
			continue
		}
		if !strings.HasPrefix(a.ContentType, "text/calendar") {
			t.Errorf("attachment %s has type %s", a.Name, a.ContentType)
		}
		cal, err := goical.NewDecoder(bytes.NewReader(a.Data)).Decode()
		if err != nil {
			t.Fatalf("attachment %s: %v\n%s", a.Name, err, a.Data)
		}
		if events := cal.Events(); len(events) == 1 {
			ev = &events[0]
		}
		if p := cal.Props.Get(goical.PropMethod); p != nil {
			method = p.Value
		}
		return method, ev
	}
	t.Fatalf("no .ics attachment in %s", m.Header.Get("Subject"))
	return "", nil
}

func value(ev *goical.Event, name string) string {
	if p := ev.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}

func TestDeliverBookingConfirmed(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		c := newSociety(t, db, "Ada", "Bob")
		s := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeHybrid), testkit.Starts(sessionStart))
		testkit.Book(t, db, c.members["Ada"], s, models.ModeOnline, testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Bob"], s, models.ModeInPerson, testkit.At(clk.Now()))
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		deliver(t, r)

		got := received(srv, models.MailBookingConfirmed)
		if len(got) != 2 {
			t.Fatalf("received %d booking confirmations, want 2", len(got))
		}
		page := base + "/sessions/" + strconv.FormatInt(s.ID, 10)
		for _, who := range []string{"ada@example.org", "bob@example.org"} {
			m, ok := got[who]
			if !ok {
				t.Fatalf("no confirmation to %s", who)
			}
			if subject := decode(m.Header.Get("Subject")); subject != "Booked: Renal physiology, Tuesday 3 November 2026" {
				t.Errorf("subject = %q", subject)
			}
			hasAll(t, who, m.Text, "Tuesday 3 November 2026, 18:00–19:30 GMT", "Details:   "+page+"\n", "Cancel your booking")
			method, ev := invitation(t, m)
			if ev == nil || method != "REQUEST" {
				t.Fatalf("%s: method %q, event %v", who, method, ev)
			}
			if uid := value(ev, goical.PropUID); uid != "session-"+strconv.FormatInt(s.ID, 10)+"@rounds.example.org" {
				t.Errorf("UID = %q", uid)
			}
			if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(sessionStart) {
				t.Errorf("DTSTART = %v, %v; want %v", start, err, sessionStart)
			}
			if end, err := ev.DateTimeEnd(time.UTC); err != nil || !end.Equal(sessionStart.Add(90*time.Minute)) {
				t.Errorf("DTEND = %v, %v", end, err)
			}
			if !strings.Contains(value(ev, goical.PropAttendee), who) {
				t.Errorf("ATTENDEE = %q", value(ev, goical.PropAttendee))
			}
		}
		hasAll(t, "online seat", got["ada@example.org"].Text, "  "+page+"/join\n")
		if strings.Contains(got["bob@example.org"].Text, "/join") || strings.Contains(got["ada@example.org"].Text, "zoom.example") {
			t.Error("the join link went to the wrong seat, or the meeting link was given away")
		}
		hasAll(t, "seat in the room", got["bob@example.org"].Text, "check in with the code")
	})
}

// Reminders at the right moment, to the right people, once: across a
// restart, with two instances planning at once, after down-time.
func TestSessionRemindersDelivered(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		cfg := reminderConfig(srv.URL())
		c := newSociety(t, db, "Ada", "Bob", "Carol", "Dan")
		s := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeHybrid), testkit.Starts(sessionStart))
		earlier := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart.Add(-3*time.Hour)))
		testkit.Book(t, db, c.members["Ada"], s, models.ModeOnline, testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Bob"], s, models.ModeInPerson, testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Carol"], s, models.ModeInPerson, testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Dan"], earlier, models.ModeInPerson, testkit.At(clk.Now()))
		if _, err := models.CancelMyBooking(t.Context(), db, c.members["Carol"], s.ID, clk.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		r1 := newRunner(t, db, cfg, clk, nil, jobs.WithOwner("instance-a"))
		deliver(t, r1) // the booking confirmations

		// A minute before the moment: nothing.
		clk.Set(sessionStart.Add(-3*time.Hour - 24*time.Hour - time.Minute))
		planReminders(t, r1)
		if n := len(outbox(t, db, models.OutboxFilter{Kind: models.MailSessionReminder})); n != 0 {
			t.Fatalf("%d reminders before the moment", n)
		}

		// The instance restarts; the server is down across Dan's moment
		// and his session's start. Two instances come back at once.
		if err := r1.Shutdown(); err != nil {
			t.Fatal(err)
		}
		clk.Set(sessionStart.Add(-time.Minute))
		r2 := newRunner(t, db, cfg, clk, nil, jobs.WithOwner("instance-b"))
		r3 := newRunner(t, db, cfg, clk, nil, jobs.WithOwner("instance-c"))
		var wg sync.WaitGroup
		for _, r := range []*jobs.Runner{r2, r3, r2, r3} {
			wg.Go(func() {
				if err := r.PlanReminders(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		wg.Go(func() { deliver(t, r2) })
		wg.Go(func() { deliver(t, r3) })
		wg.Wait()
		planReminders(t, r2)
		deliver(t, r3)

		got := received(srv, models.MailSessionReminder)
		if len(got) != 2 || count(srv, models.MailSessionReminder) != 2 {
			t.Fatalf("reminders to %v (%d in all), want one each to Ada and Bob", keys(got), count(srv, models.MailSessionReminder))
		}
		page := base + "/sessions/" + strconv.FormatInt(s.ID, 10)
		for who, m := range got {
			if subject := decode(m.Header.Get("Subject")); subject != "Reminder: Renal physiology, Tuesday 3 November 2026 at 18:00 GMT" {
				t.Errorf("%s: subject = %q", who, subject)
			}
			hasAll(t, who, m.Text, "When:      Tuesday 3 November 2026, 18:00–19:30 GMT", page+"\n")
			if strings.Contains(strings.ToLower(m.Text), "tomorrow") {
				t.Errorf("%s: says tomorrow", who)
			}
		}
		hasAll(t, "Ada's reminder", got["ada@example.org"].Text, page+"/join\n")

		// After the start nothing more is planned or sent.
		clk.Set(sessionStart.Add(time.Minute))
		planReminders(t, r2)
		deliver(t, r2)
		if n := count(srv, models.MailSessionReminder); n != 2 {
			t.Fatalf("%d reminders after the start", n)
		}
	})
}

// Queued reminders that became pointless are skipped at delivery: the
// session moved (a new reminder goes for the new time), was cancelled, or
// started while delivery was down.
func TestStaleRemindersSkipped(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		c := newSociety(t, db, "Ada", "Bob", "Carol")
		moved := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart))
		cancelled := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart.Add(2*time.Hour)))
		started := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart.Add(2*time.Hour)))
		testkit.Book(t, db, c.members["Ada"], moved, "", testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Bob"], cancelled, "", testkit.At(clk.Now()))
		testkit.Book(t, db, c.members["Carol"], started, "", testkit.At(clk.Now()))
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		deliver(t, r)

		clk.Set(sessionStart.Add(-22 * time.Hour))
		planReminders(t, r)
		if n := len(outbox(t, db, models.OutboxFilter{Kind: models.MailSessionReminder})); n != 3 {
			t.Fatalf("%d reminders queued, want 3", n)
		}
		// Before they go, one session moves a week on, one is cancelled.
		newStart, newEnd := sessionStart.Add(7*24*time.Hour), sessionStart.Add(7*24*time.Hour+90*time.Minute)
		if _, err := models.UpdateSession(t.Context(), db, c.teacher, moved.ID, models.SessionInput{StartsAt: &newStart, EndsAt: &newEnd}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CancelSession(t.Context(), db, c.teacher, cancelled.ID, "The teacher is unwell.", clk.Now()); err != nil {
			t.Fatal(err)
		}
		// Delivery is down until after the third session has started.
		clk.Set(started.StartsAt.Add(time.Minute))
		deliver(t, r)

		if n := count(srv, models.MailSessionReminder); n != 0 {
			t.Fatalf("%d stale reminders sent", n)
		}
		reasons := map[string]string{}
		for _, m := range outbox(t, db, models.OutboxFilter{Kind: models.MailSessionReminder}) {
			if m.Status != models.OutboxSkipped {
				t.Errorf("reminder to %s: %s", m.ToAddr, m.Status)
			}
			reasons[m.ToAddr] = m.LastError
		}
		for who, why := range map[string]string{"ada@example.org": "moved", "bob@example.org": "cancelled", "carol@example.org": "started"} {
			if !strings.Contains(reasons[who], why) {
				t.Errorf("reminder to %s skipped because %q, want %q", who, reasons[who], why)
			}
		}
		// Ada was told of the move, with the updated invitation, and Bob of
		// the cancellation, with a CANCEL.
		changed := received(srv, models.MailSessionChanged)["ada@example.org"]
		hasAll(t, "change", changed.Text, "now Tuesday 10 November 2026, 18:00–19:30 GMT", "was Tuesday 3 November 2026, 18:00–19:30 GMT")
		if method, ev := invitation(t, changed); method != "REQUEST" || value(ev, goical.PropSequence) != "1" || value(ev, goical.PropDateTimeStart) != "20261110T180000Z" {
			t.Errorf("updated invitation: %s %v", method, ev.Props)
		}
		cancel := received(srv, models.MailSessionCancelled)["bob@example.org"]
		hasAll(t, "cancellation", cancel.Text, "The teacher is unwell.")
		if method, ev := invitation(t, cancel); method != "CANCEL" || value(ev, goical.PropStatus) != "CANCELLED" {
			t.Errorf("cancellation: %s %v", method, ev.Props)
		}

		// Ada's reminder for the new time goes at the new moment.
		clk.Set(newStart.Add(-24 * time.Hour))
		planReminders(t, r)
		deliver(t, r)
		got := received(srv, models.MailSessionReminder)
		if len(got) != 1 {
			t.Fatalf("reminders after the move: %v", keys(got))
		}
		hasAll(t, "new reminder", got["ada@example.org"].Text, "Tuesday 10 November 2026, 18:00–19:30 GMT")
	})
}

// After the session: the teacher is reminded to take the register; once it
// is taken, attendees are asked for feedback, and those who have not
// answered are reminded once; those who answered get their certificate.
func TestFeedbackAndRegisterReminders(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		c := newSociety(t, db, "Ada", "Bob", "Carol")
		s := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart))
		for _, name := range []string{"Ada", "Bob", "Carol"} {
			testkit.Book(t, db, c.members[name], s, "", testkit.At(clk.Now()))
		}
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		id := strconv.FormatInt(s.ID, 10)

		clk.Set(s.EndsAt.Add(30 * time.Minute))
		planReminders(t, r)
		deliver(t, r)
		reg := received(srv, models.MailRegisterReminder)["teacher@example.org"]
		if decode(reg.Header.Get("Subject")) != "Take the register: Renal physiology, Tuesday 3 November 2026" {
			t.Errorf("register reminder: %q", decode(reg.Header.Get("Subject")))
		}
		hasAll(t, "register reminder", reg.Text, "  "+base+"/sessions/"+id+"/register\n", "3 students had a confirmed seat.")

		for name, status := range map[string]models.AttendanceStatus{"Ada": models.AttendancePresent, "Bob": models.AttendanceLate, "Carol": models.AttendanceAbsent} {
			if _, err := models.MarkRegister(t.Context(), db, c.teacher, s.ID, c.members[name].ID, models.RegisterEntry{Status: status}, clk.Now()); err != nil {
				t.Fatal(err)
			}
		}
		clk.Advance(time.Minute)
		planReminders(t, r)
		deliver(t, r)
		asked := received(srv, models.MailFeedbackRequest)
		if len(asked) != 2 || asked["carol@example.org"].Text != "" {
			t.Fatalf("feedback requests to %v, want Ada and Bob", keys(asked))
		}
		form := "  " + base + "/sessions/" + id + "/feedback\n"
		hasAll(t, "feedback request", asked["ada@example.org"].Text, form)

		// Bob answers; a day later nothing, two days after the request Ada
		// is reminded, once.
		clk.Advance(24 * time.Hour)
		if _, _, err := models.SubmitFeedback(t.Context(), db, c.members["Bob"], s.ID, models.FeedbackInput{Overall: 5, Teaching: 5, ConfidenceBefore: 2, ConfidenceAfter: 4}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		planReminders(t, r)
		deliver(t, r)
		if n := count(srv, models.MailFeedbackReminder); n != 0 {
			t.Fatalf("%d feedback reminders a day after the request", n)
		}
		cert := received(srv, models.MailCertificateIssued)["bob@example.org"]
		code := outbox(t, db, models.OutboxFilter{Kind: models.MailCertificateIssued})[0].DataMap()["code"]
		hasAll(t, "certificate", cert.Text, "  "+base+"/certificates/"+code+".pdf\n", "  "+base+"/certificates/"+code+"\n")

		clk.Advance(24 * time.Hour)
		for range 2 {
			planReminders(t, r)
			deliver(t, r)
		}
		clk.Advance(7 * 24 * time.Hour)
		planReminders(t, r)
		deliver(t, r)
		reminded := received(srv, models.MailFeedbackReminder)
		if len(reminded) != 1 || count(srv, models.MailFeedbackReminder) != 1 || reminded["ada@example.org"].Text == "" {
			t.Fatalf("feedback reminders to %v, want Ada once", keys(reminded))
		}
		hasAll(t, "feedback reminder", reminded["ada@example.org"].Text, form)
		if n := count(srv, models.MailRegisterReminder); n != 1 {
			t.Errorf("%d register reminders, want 1", n)
		}
	})
}

func TestRefreshFiguresJob(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(sessionStart.Add(-7 * 24 * time.Hour))
		c := newSociety(t, db, "Ada")
		s := testkit.Session(t, db, c.teacher, renal, testkit.Mode(models.ModeInPerson), testkit.Starts(sessionStart))
		testkit.Book(t, db, c.members["Ada"], s, "", testkit.At(clk.Now()))
		r := newRunner(t, db, reminderConfig(""), clk, nil)
		var marked int64
		db.Read(context.Background()).Table("stats_dirty").Count(&marked)
		if marked == 0 {
			t.Fatal("no session marked for its figures")
		}
		clk.Set(s.EndsAt.Add(time.Minute))
		for range 2 {
			if err := r.RefreshFigures(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		db.Read(context.Background()).Table("stats_dirty").Count(&marked)
		if marked != 0 {
			t.Errorf("%d sessions still marked after the job", marked)
		}
	})
}

// The new jobs are scheduled under their names.
func TestReminderJobsScheduled(t *testing.T) {
	db := testkit.SQLite(t)
	r := newRunner(t, db, reminderConfig(""), clock.Real{}, nil)
	for _, name := range []string{jobs.JobPlanReminders, jobs.JobRefreshFigures} {
		err := r.AddJob(jobs.Job{Name: name, Every: time.Minute, Run: func(context.Context) error { return nil }})
		if err == nil || !strings.Contains(err.Error(), "exists") {
			t.Errorf("adding %s again: %v", name, err)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
