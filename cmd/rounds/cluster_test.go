package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"rounds/internal/mail/mailtest"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// instance is a `rounds serve` process: this test binary, run as rounds.
type instance struct {
	t   *testing.T
	url string
	cmd *exec.Cmd
	log bytes.Buffer
}

func startInstance(t *testing.T, env map[string]string) *instance {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	in := &instance{t: t, url: "http://" + addr}
	in.cmd = exec.Command(os.Args[0], "serve")
	in.cmd.Env = append(os.Environ(), "ROUNDS_TEST_AS_ROUNDS=1", "ROUNDS_ADDR="+addr, "ROUNDS_LOG_LEVEL=warn", "ROUNDS_JOB_INTERVAL=1s")
	for k, v := range env {
		in.cmd.Env = append(in.cmd.Env, k+"="+v)
	}
	in.cmd.Stdout, in.cmd.Stderr = &in.log, &in.log
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.stop() })
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(in.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return in
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance did not start:\n%s", in.log.String())
		}
	}
}

func (in *instance) stop() {
	if in.cmd.ProcessState != nil {
		return
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = in.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = in.cmd.Process.Kill()
		<-done
	}
}

// kill ends the process at once, as a crash or power cut would.
func (in *instance) kill() {
	_ = in.cmd.Process.Kill()
	_ = in.cmd.Wait()
}

func (in *instance) call(method, path, token string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, in.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// society seeds students with API tokens and one published session.
type society struct {
	session  int64
	students []models.User
	tokens   []string
}

func seedSociety(t *testing.T, db *store.Store, students, seats int) society {
	t.Helper()
	now := time.Now().UTC()
	chair := testkit.Member(t, db, testkit.Email("chair@example.ac.uk"), testkit.Name("Chair"), testkit.Role(models.RoleCommittee),
		testkit.Password("correct horse battery"))
	var s society
	for i := 0; i < students; i++ {
		u := testkit.Member(t, db, testkit.Email(fmt.Sprintf("s%03d@example.ac.uk", i)), testkit.Name(fmt.Sprintf("Student %d", i)),
			testkit.Password("correct horse battery"), testkit.Year(i%6+1))
		tok, _, err := models.IssueToken(t.Context(), db, models.TokenAPI, u.ID, time.Hour, now)
		if err != nil {
			t.Fatal(err)
		}
		s.students, s.tokens = append(s.students, u), append(s.tokens, tok)
	}
	s.session = testkit.Session(t, db, chair, lecture, testkit.Title("Rush hour"), testkit.Seats(seats),
		testkit.Starts(now.Add(72*time.Hour).Truncate(time.Minute)), testkit.At(now)).ID
	return s
}

// lecture is the session of these tests (Title, Seats, Starts and At say
// the rest): an hour's in-person lecture for every year, published as soon
// as it is created.
var lecture = testkit.Options(testkit.Description(""), testkit.Topic(""), testkit.Years(1, 2, 3, 4, 5, 6),
	testkit.Venue("Lecture Theatre"), testkit.Lasting(time.Hour), testkit.Published())

// seedSoonSession publishes a session that starts in 20 hours, within the
// reminder's lead time, on which the students booked 10 hours ago (a
// booking made within the lead time needs no reminder).
func seedSoonSession(t *testing.T, db *store.Store, students []models.User) int64 {
	t.Helper()
	now := time.Now().UTC().Add(-10 * time.Hour)
	var chair models.User
	if err := db.Read(context.Background()).Where("role = ?", models.RoleCommittee).Take(&chair).Error; err != nil {
		t.Fatal(err)
	}
	soon := testkit.Session(t, db, chair, lecture, testkit.Title("Tomorrow's teaching"), testkit.Seats(100),
		testkit.Starts(now.Add(30*time.Hour).Truncate(time.Minute)), testkit.At(now))
	for _, u := range students {
		testkit.Book(t, db, u, soon, "", testkit.At(now))
	}
	return soon.ID
}

// rush books every student, spread over the instances, all at once. It
// returns the booking ids acknowledged with 201 by status; each
// acknowledgement is also sent on acks, if given.
func rush(t *testing.T, s society, instances []*instance, acks chan<- int64) map[string][]int64 {
	var mu sync.Mutex
	acked := map[string][]int64{}
	var wg sync.WaitGroup
	for i, tok := range s.tokens {
		wg.Add(1)
		go func(i int, tok string) {
			defer wg.Done()
			in := instances[i%len(instances)]
			status, body := in.call("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", s.session), tok, map[string]string{})
			if status != http.StatusCreated {
				return
			}
			var r struct {
				Booking struct {
					ID     int64
					Status string
				}
			}
			if json.Unmarshal(body, &r) == nil {
				mu.Lock()
				acked[r.Booking.Status] = append(acked[r.Booking.Status], r.Booking.ID)
				mu.Unlock()
				if acks != nil {
					acks <- r.Booking.ID
				}
			}
		}(i, tok)
	}
	wg.Wait()
	return acked
}

func waitOutboxEmpty(t *testing.T, db *store.Store, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		var pending int64
		if err := db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxPending).Count(&pending).Error; err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			var stuck []models.OutboxMessage
			db.Read(context.Background()).Where("status = ?", models.OutboxPending).Limit(3).Find(&stuck)
			for _, m := range stuck {
				t.Logf("pending %s to %s: attempts %d, next %s, claimed by %q until %v, error %q", m.Kind, m.ToAddr, m.Attempts, m.NextAttemptAt, m.ClaimedBy, m.ClaimedUntil, m.LastError)
			}
			t.Fatalf("%d e-mails still pending", pending)
		}
	}
}

// deliveries counts received messages by Message-ID.
func deliveries(srv *mailtest.Server) map[string]int {
	out := map[string]int{}
	for _, m := range srv.Messages() {
		out[m.Header.Get("Message-Id")]++
	}
	return out
}

// Two instances on one PostgreSQL database: a rush split across them never
// overbooks, every e-mail goes out exactly once, and a login made on one
// works on the other.
func TestTwoInstancesOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dbURL := testkit.NewPostgresDatabase(t) // skips without PostgreSQL
	db, err := store.Open(dbURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const seats = 40
	s := seedSociety(t, db, 200, seats)
	// A session tomorrow with 30 booked: both instances' schedulers plan its
	// reminders, every second, and deliver them.
	soon := seedSoonSession(t, db, s.students[:30])
	smtpSrv := mailtest.NewServer(t)
	env := map[string]string{"ROUNDS_DATABASE_URL": dbURL, "ROUNDS_SMTP_URL": smtpSrv.URL()}
	a, b := startInstance(t, env), startInstance(t, env)

	acked := rush(t, s, []*instance{a, b}, nil)
	if len(acked["confirmed"]) != seats || len(acked["waitlisted"]) != len(s.tokens)-seats {
		t.Fatalf("rush over two instances: %d confirmed, %d waitlisted", len(acked["confirmed"]), len(acked["waitlisted"]))
	}
	var confirmed int64
	db.Read(context.Background()).Model(&models.Booking{}).Where("session_id = ? AND status = ?", s.session, models.BookingConfirmed).Count(&confirmed)
	if confirmed != seats {
		t.Fatalf("%d confirmed in the database", confirmed)
	}
	if wrong, err := miscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
		t.Fatalf("seat counts differ from the bookings after the rush: %v %v", wrong, err)
	}

	// Both instances deliver the outbox; each booking_confirmed goes once,
	// and so does each scheduled reminder, planned by both every second.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var planned int64
		db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("kind = ? AND session_id = ?", models.MailSessionReminder, soon).Count(&planned)
		if planned >= 30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 30 session reminders planned after 30 s", planned)
		}
	}
	time.Sleep(2 * time.Second) // more planning rounds on both instances: none may add a reminder
	waitOutboxEmpty(t, db, time.Minute)
	var reminders int64
	db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("kind = ? AND session_id = ? AND status = ?", models.MailSessionReminder, soon, models.OutboxSent).
		Count(&reminders)
	if reminders != 30 {
		t.Errorf("%d session reminders sent for 30 booked students", reminders)
	}
	got := deliveries(smtpSrv)
	var sent int64
	db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSent).Count(&sent)
	if int64(len(got)) != sent || sent < seats {
		t.Errorf("%d distinct messages received, %d sent", len(got), sent)
	}
	for id, n := range got {
		if n != 1 {
			t.Errorf("%s delivered %d times", id, n)
		}
	}

	// A login on one instance works on the other, and so does a logout.
	status, body := a.call("POST", "/api/v1/auth/login", "", map[string]string{"email": "s007@example.ac.uk", "password": "correct horse battery"})
	if status != 200 {
		t.Fatalf("login on a: %d %s", status, body)
	}
	var login struct{ Token string }
	json.Unmarshal(body, &login)
	if status, _ := b.call("GET", "/api/v1/me", login.Token, nil); status != 200 {
		t.Errorf("token from a on b: %d", status)
	}
	if status, _ := b.call("POST", "/api/v1/auth/logout", login.Token, nil); status != 204 {
		t.Errorf("logout on b: %d", status)
	}
	if status, _ := a.call("GET", "/api/v1/me", login.Token, nil); status != 401 {
		t.Errorf("token after logout on b, used on a: %d", status)
	}
	// A browser's cookie login too.
	jar := &cookieJar{}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	csrf := formToken(t, client, a.url+"/login")
	res, err := client.PostForm(a.url+"/login", url.Values{"_csrf": {csrf}, "email": {"s008@example.ac.uk"}, "password": {"correct horse battery"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("cookie login on a: %v %v", err, res)
	}
	res.Body.Close()
	res, err = client.Get(b.url + "/account")
	if err != nil || res.StatusCode != 200 {
		t.Errorf("cookie from a on b: %v %v", err, res)
	} else {
		res.Body.Close()
	}
}

// cookieJar keeps cookies for one host and can hand them to another, as a
// load balancer in front of both instances would.
type cookieJar struct {
	mu      sync.Mutex
	cookies map[string]*http.Cookie
}

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.cookies == nil {
		j.cookies = map[string]*http.Cookie{}
	}
	for _, c := range cs {
		j.cookies[c.Name] = c
	}
}

func (j *cookieJar) Cookies(*url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.cookies {
		if c.MaxAge >= 0 && c.Value != "" {
			out = append(out, &http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	return out
}

func formToken(t *testing.T, c *http.Client, page string) string {
	t.Helper()
	res, err := c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	const marker = `name="_csrf" value="`
	i := strings.Index(string(raw), marker)
	if i < 0 {
		t.Fatalf("no CSRF field on %s", page)
	}
	rest := string(raw)[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

// A server killed in the middle of a booking rush loses no acknowledged
// booking and never overbooks; killed in the middle of outbox delivery, it
// sends every e-mail after the restart, none more than twice (only those
// whose SMTP conversation was cut), and none twice otherwise.
func TestKilledServerLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for name, dbURL := range testkit.URLs(t) {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(dbURL, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			const seats, students = 30, 300
			s := seedSociety(t, db, students, seats)
			smtpSrv := mailtest.NewServer(t, mailtest.WithDelay(20*time.Millisecond))
			env := map[string]string{"ROUNDS_DATABASE_URL": dbURL, "ROUNDS_SMTP_URL": smtpSrv.URL()}

			// The rush: kill the server once a fifth of it is acknowledged,
			// with the rest in flight.
			srv := startInstance(t, env)
			var acked map[string][]int64
			acks := make(chan int64, students)
			done := make(chan struct{})
			go func() { acked = rush(t, s, []*instance{srv}, acks); close(done) }()
			for i := 0; i < students/5; i++ {
				<-acks
			}
			srv.kill()
			<-done
			var all []int64
			for _, ids := range acked {
				all = append(all, ids...)
			}
			var found int64
			if len(all) > 0 {
				db.Read(context.Background()).Model(&models.Booking{}).Where("id IN ?", all).Count(&found)
			}
			if int(found) != len(all) {
				t.Fatalf("%d bookings were acknowledged, %d are in the database", len(all), found)
			}
			t.Logf("%d bookings acknowledged before the kill", len(all))

			// Restart; the rest book; capacity holds.
			if len(all) == students {
				t.Fatal("the whole rush was acknowledged before the kill")
			}
			srv = startInstance(t, env)
			rush(t, s, []*instance{srv}, nil)
			var confirmed int64
			db.Read(context.Background()).Model(&models.Booking{}).Where("session_id = ? AND status = ?", s.session, models.BookingConfirmed).Count(&confirmed)
			if confirmed != seats {
				t.Fatalf("%d confirmed after the restart, want %d", confirmed, seats)
			}
			if wrong, err := miscountedSeats(t.Context(), db); err != nil || len(wrong) > 0 {
				t.Fatalf("seat counts differ from the bookings after the kill: %v %v", wrong, err)
			}

			// Delivery: kill the server while it is sending.
			deadline := time.Now().Add(30 * time.Second)
			for len(smtpSrv.Messages()) < 5 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			srv.kill()
			before := len(smtpSrv.Messages())
			// What the dead instance had claimed waits for its lease
			// (ROUNDS_OUTBOX_LEASE); let that time pass.
			db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("status = ? AND claimed_until IS NOT NULL", models.OutboxPending).
				Update("claimed_until", time.Now().Add(-time.Second).UTC())
			srv = startInstance(t, env)
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("server log:\n%s", srv.log.String())
				}
			})
			waitOutboxEmpty(t, db, 2*time.Minute)
			srv.stop()

			var sent int64
			db.Read(context.Background()).Model(&models.OutboxMessage{}).Where("status = ?", models.OutboxSent).Count(&sent)
			got := deliveries(smtpSrv)
			twice := 0
			for id, n := range got {
				switch {
				case n == 2:
					twice++
				case n > 2:
					t.Errorf("%s delivered %d times", id, n)
				}
			}
			if int64(len(got)) != sent {
				t.Errorf("%d distinct messages received, %d marked sent", len(got), sent)
			}
			// Each of the two kills can cut one SMTP conversation short.
			if twice > 2 {
				t.Errorf("%d messages went twice; only one in flight at each of the two kills may", twice)
			}
			t.Logf("%d e-mails before the kill, %d in all, %d twice", before, len(got), twice)
		})
	}
}
