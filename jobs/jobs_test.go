package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/internal/mail"
	"rounds/internal/mail/mailtest"
	"rounds/jobs"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var start = time.Date(2025, 10, 14, 16, 0, 0, 0, time.UTC)

func testConfig(smtpURL string) config.Config {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return config.Config{
		BaseURL:          "https://rounds.example.org",
		MailFrom:         "Rounds <no-reply@rounds.example.org>",
		SMTPURL:          smtpURL,
		Location:         london,
		JobInterval:      time.Minute,
		PasswordResetTTL: time.Hour,
	}
}

func newRunner(t *testing.T, db *store.Store, cfg config.Config, clk clock.Clock, log *slog.Logger, opts ...jobs.Option) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(db, cfg, clk, log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Shutdown() })
	return r
}

func register(t *testing.T, db *store.Store, email, name string, now time.Time) models.User {
	t.Helper()
	u, err := models.Register(t.Context(), db, models.NewUser{Email: email, Name: name, Password: "correct horse battery"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func outbox(t *testing.T, db *store.Store, f models.OutboxFilter) []models.OutboxMessage {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, f)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func deliver(t *testing.T, r *jobs.Runner) {
	t.Helper()
	if err := r.DeliverOutbox(context.Background()); err != nil {
		t.Fatalf("DeliverOutbox: %v", err)
	}
}

func decode(s string) string {
	out, err := new(mime.WordDecoder).DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// (a) A queued welcome goes out once, over a real SMTP conversation.
func TestDeliverWelcome(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(start)
		u := register(t, db, "ada@example.org", "Ada Lovelace", clk.Now())
		r := newRunner(t, db, testConfig(srv.URL()), clk, nil)
		if !r.SMTP() {
			t.Fatal("runner with an SMTP URL does not send")
		}

		clk.Advance(time.Second)
		deliver(t, r)
		got := srv.Messages()
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		row := outbox(t, db, models.OutboxFilter{Kind: models.MailWelcome})[0]
		m := got[0]
		checks := []struct{ what, got, want string }{
			{"envelope to", strings.Join(m.To, ","), u.Email},
			{"envelope from", m.From, "no-reply@rounds.example.org"},
			{"X-Rounds-Kind", m.Header.Get("X-Rounds-Kind"), "welcome"},
			{"Subject", decode(m.Header.Get("Subject")), "Welcome to Rounds, Ada Lovelace"},
			{"Message-ID", m.Header.Get("Message-Id"), fmt.Sprintf("<outbox-%d@rounds.example.org>", row.ID)},
			{"status", string(row.Status), string(models.OutboxSent)},
			{"stored subject", row.Subject, "Welcome to Rounds, Ada Lovelace"},
			{"stored body", row.BodyText, m.Text},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
			}
		}
		if !strings.Contains(m.Header.Get("To"), "ada@example.org") || !strings.Contains(m.Text, "Hello Ada Lovelace,") {
			t.Errorf("To %q, text %q", m.Header.Get("To"), m.Text)
		}
		if row.Attempts != 1 || row.SentAt == nil || !row.SentAt.Equal(clk.Now()) || row.LastError != "" {
			t.Errorf("row after sending: attempts %d, sent_at %v, last_error %q", row.Attempts, row.SentAt, row.LastError)
		}

		// Nothing more goes, now or later.
		deliver(t, r)
		clk.Advance(time.Hour)
		deliver(t, r)
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("server received %d messages after more runs, want 1", n)
		}
	})
}

// (b) A refused attempt is recorded and retried after the back-off; after
// MaxDeliveryAttempts the message is given up.
func TestDeliverRetries(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(start)
		register(t, db, "ada@example.org", "Ada Lovelace", clk.Now())
		r := newRunner(t, db, testConfig(srv.URL()), clk, nil)

		srv.FailData(1)
		deliver(t, r)
		row := outbox(t, db, models.OutboxFilter{To: "ada@example.org"})[0]
		if row.Status != models.OutboxPending || row.Attempts != 1 || !strings.Contains(row.LastError, "451") ||
			!row.NextAttemptAt.Equal(start.Add(models.RetryDelay(1))) {
			t.Fatalf("after a refusal: status %s, attempts %d, next %v, error %q", row.Status, row.Attempts, row.NextAttemptAt, row.LastError)
		}

		// Not yet due: nothing is tried.
		clk.Advance(30 * time.Second)
		deliver(t, r)
		if srv.Refused() != 1 || len(srv.Messages()) != 0 {
			t.Fatalf("tried before the back-off: refused %d, accepted %d", srv.Refused(), len(srv.Messages()))
		}

		clk.Advance(31 * time.Second)
		deliver(t, r)
		row = outbox(t, db, models.OutboxFilter{To: "ada@example.org"})[0]
		if len(srv.Messages()) != 1 || row.Status != models.OutboxSent || row.Attempts != 2 || row.LastError != "" {
			t.Fatalf("after the back-off: accepted %d, status %s, attempts %d, error %q", len(srv.Messages()), row.Status, row.Attempts, row.LastError)
		}

		// A server that never accepts: the message is given up, once.
		register(t, db, "grace@example.org", "Grace Hopper", clk.Now())
		srv.FailData(1000)
		for i := 1; i <= models.MaxDeliveryAttempts; i++ {
			deliver(t, r)
			row = outbox(t, db, models.OutboxFilter{To: "grace@example.org"})[0]
			if row.Attempts != i {
				t.Fatalf("attempt %d: attempts = %d", i, row.Attempts)
			}
			clk.Advance(models.RetryDelay(i) + time.Second)
		}
		if row.Status != models.OutboxFailed || !strings.Contains(row.LastError, "451") {
			t.Fatalf("after %d attempts: status %s, error %q", models.MaxDeliveryAttempts, row.Status, row.LastError)
		}
		refused := srv.Refused()
		clk.Advance(24 * time.Hour)
		deliver(t, r)
		if srv.Refused() != refused {
			t.Fatal("a failed message was tried again")
		}
	})
}

// (c) Two runners delivering at once send each message exactly once.
func TestDeliverConcurrently(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		const n = 50
		srv := mailtest.NewServer(t, mailtest.WithDelay(2*time.Millisecond))
		clk := clock.NewFake(start)
		for i := range n {
			register(t, db, fmt.Sprintf("student%02d@example.org", i), fmt.Sprintf("Student %d", i), clk.Now())
		}
		cfg := testConfig(srv.URL())
		runners := []*jobs.Runner{
			newRunner(t, db, cfg, clk, nil, jobs.WithOwner("instance-a"), jobs.WithBatchSize(4)),
			newRunner(t, db, cfg, clk, nil, jobs.WithOwner("instance-b"), jobs.WithBatchSize(4)),
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*len(runners))
		for _, r := range runners {
			for range 2 {
				wg.Go(func() { errs <- r.DeliverOutbox(context.Background()) })
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		for _, m := range srv.Messages() {
			seen[strings.Join(m.To, ",")]++
		}
		if len(seen) != n || len(srv.Messages()) != n {
			t.Fatalf("%d messages to %d recipients, want %d each", len(srv.Messages()), len(seen), n)
		}
		for to, c := range seen {
			if c != 1 {
				t.Errorf("%s received %d copies", to, c)
			}
		}
		byOwner := map[string]int{}
		for _, m := range outbox(t, db, models.OutboxFilter{Limit: 500}) {
			if m.Status != models.OutboxSent || m.Attempts != 1 {
				t.Errorf("message %d: status %s, attempts %d", m.ID, m.Status, m.Attempts)
			}
			byOwner[m.ClaimedBy]++
		}
		t.Logf("sent by owner: %v", byOwner)
	})
}

// (d) A job lock is held by one owner until it is released or lapses.
func TestLocker(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		clk := clock.NewFake(start)
		a := jobs.NewLocker(db, clk, "instance-a", time.Minute, 0)
		b := jobs.NewLocker(db, clk, "instance-b", time.Minute, 0)

		la, err := a.Lock(ctx, "deliver_outbox")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Lock(ctx, "deliver_outbox"); !errors.Is(err, jobs.ErrJobLocked) {
			t.Fatalf("second owner: err = %v, want ErrJobLocked", err)
		}
		if _, err := b.Lock(ctx, "housekeeping"); err != nil {
			t.Fatalf("another job's lock: %v", err)
		}
		if err := la.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		lb, err := b.Lock(ctx, "deliver_outbox")
		if err != nil {
			t.Fatalf("after unlock: %v", err)
		}

		// b dies holding the lock: it lapses after its TTL.
		clk.Advance(59 * time.Second)
		if _, err := a.Lock(ctx, "deliver_outbox"); !errors.Is(err, jobs.ErrJobLocked) {
			t.Fatalf("before the TTL: err = %v, want ErrJobLocked", err)
		}
		clk.Advance(2 * time.Second)
		la, err = a.Lock(ctx, "deliver_outbox")
		if err != nil {
			t.Fatalf("after the TTL: %v", err)
		}
		// b's late unlock does not free a's lock.
		if err := lb.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Lock(ctx, "deliver_outbox"); !errors.Is(err, jobs.ErrJobLocked) {
			t.Fatalf("after a stale unlock: err = %v, want ErrJobLocked", err)
		}
		_ = la.Unlock(ctx)

		// A lock with a hold stays taken after an early unlock.
		h := jobs.NewLocker(db, clk, "instance-h", time.Minute, 30*time.Second)
		lh, err := h.Lock(ctx, "housekeeping_2")
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
		if err := lh.Unlock(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Lock(ctx, "housekeeping_2"); !errors.Is(err, jobs.ErrJobLocked) {
			t.Fatalf("within the hold: err = %v, want ErrJobLocked", err)
		}
		clk.Advance(30 * time.Second)
		if _, err := b.Lock(ctx, "housekeeping_2"); err != nil {
			t.Fatalf("after the hold: %v", err)
		}

		// Many owners at once: exactly one gets the lock.
		var got atomic.Int32
		var wg sync.WaitGroup
		for i := range 10 {
			l := jobs.NewLocker(db, clk, fmt.Sprintf("racer-%d", i), time.Minute, 0)
			wg.Go(func() {
				_, err := l.Lock(ctx, "race")
				switch {
				case err == nil:
					got.Add(1)
				case !errors.Is(err, jobs.ErrJobLocked):
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got.Load() != 1 {
			t.Fatalf("%d owners got the lock, want 1", got.Load())
		}
	})
}

// (d, scheduled) Two runners on one database, both started: each tick of a
// job runs on one of them.
func TestSchedulerRunsEachTickOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for real ticks")
	}
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		cfg := testConfig("")
		cfg.JobInterval = time.Hour
		var runs atomic.Int32
		var runners []*jobs.Runner
		for _, owner := range []string{"instance-a", "instance-b"} {
			r := newRunner(t, db, cfg, clock.Real{}, nil, jobs.WithOwner(owner))
			err := r.AddJob(jobs.Job{Name: "tick", Every: 2 * time.Second, Run: func(context.Context) error {
				runs.Add(1)
				return nil
			}})
			if err != nil {
				t.Fatal(err)
			}
			runners = append(runners, r)
		}
		if err := runners[0].AddJob(jobs.Job{Name: "tick", Every: time.Second, Run: func(context.Context) error { return nil }}); err == nil {
			t.Fatal("a second job named tick was accepted")
		}
		began := time.Now()
		for _, r := range runners {
			r.Start()
		}
		time.Sleep(5 * time.Second)
		for _, r := range runners {
			if err := r.Shutdown(); err != nil {
				t.Fatal(err)
			}
		}
		ticks := int32(time.Since(began)/(2*time.Second)) + 1
		if n := runs.Load(); n < 1 || n > ticks {
			t.Fatalf("the job ran %d times in %d ticks", n, ticks)
		}
		t.Logf("ran %d times in at most %d ticks", runs.Load(), ticks)
	})
}

// (e) Without SMTP, messages stay pending and are logged once each.
func TestDeliverWithoutSMTP(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start)
		var logs syncBuffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
		register(t, db, "ada@example.org", "Ada Lovelace", clk.Now())
		register(t, db, "grace@example.org", "Grace Hopper", clk.Now())
		reset := func(s string) string { return "https://rounds.example.org/reset-password?token=" + s }
		if err := models.RequestPasswordReset(t.Context(), db, "grace@example.org", time.Hour, clk.Now(), reset); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, db, testConfig(""), clk, log)
		if r.SMTP() {
			t.Fatal("runner without an SMTP URL sends")
		}
		deliver(t, r)
		clk.Advance(time.Minute)
		deliver(t, r)

		type entry struct {
			Msg, Kind, To, Subject string
			OutboxID               int64 `json:"outbox_id"`
		}
		var kept []entry
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var e entry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if strings.Contains(e.Msg, "no SMTP server configured") {
				kept = append(kept, e)
			}
		}
		if len(kept) != 3 {
			t.Fatalf("logged %d messages, want 3 (once each):\n%s", len(kept), logs.String())
		}
		want := map[string]string{
			"welcome ada@example.org":          "Welcome to Rounds, Ada Lovelace",
			"welcome grace@example.org":        "Welcome to Rounds, Grace Hopper",
			"password_reset grace@example.org": "Reset your Rounds password",
		}
		for _, e := range kept {
			if s, ok := want[e.Kind+" "+e.To]; !ok || s != e.Subject {
				t.Errorf("logged %+v", e)
			}
		}
		for _, m := range outbox(t, db, models.OutboxFilter{}) {
			if m.Status != models.OutboxPending || m.Attempts != 0 || m.Subject == "" || m.BodyText == "" {
				t.Errorf("message %d: status %s, attempts %d, subject %q", m.ID, m.Status, m.Attempts, m.Subject)
			}
		}

		// An SMTP server configured later sends them.
		srv := mailtest.NewServer(t)
		r2 := newRunner(t, db, testConfig(srv.URL()), clk, log)
		deliver(t, r2)
		if n := len(srv.Messages()); n != 3 {
			t.Fatalf("server received %d messages, want 3", n)
		}
		if c, _ := models.OutboxCounts(t.Context(), db); c[string(models.OutboxSent)] != 3 {
			t.Fatalf("counts %v", c)
		}
	})
}

// Skipped messages are marked, not sent; unknown kinds count as failures.
func TestDeliverSkipsAndFailures(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(start)
		u := register(t, db, "grace@example.org", "Grace Hopper", clk.Now())
		reset := func(s string) string { return "https://rounds.example.org/reset-password?token=" + s }
		if err := models.RequestPasswordReset(t.Context(), db, u.Email, time.Hour, clk.Now(), reset); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Enqueue(t.Context(), db, models.Email{Kind: "no_such_kind", UserID: u.ID, To: u.Email}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		r := newRunner(t, db, testConfig(srv.URL()), clk, nil)
		// Delivery resumes two hours later: the reset link has expired.
		clk.Advance(2 * time.Hour)
		deliver(t, r)
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("server received %d messages, want only the welcome", n)
		}
		reset1 := outbox(t, db, models.OutboxFilter{Kind: models.MailPasswordReset})[0]
		if reset1.Status != models.OutboxSkipped || !strings.Contains(reset1.LastError, "expired") {
			t.Errorf("expired reset: status %s, reason %q", reset1.Status, reset1.LastError)
		}
		unknown := outbox(t, db, models.OutboxFilter{Kind: "no_such_kind"})[0]
		if unknown.Status != models.OutboxPending || unknown.Attempts != 1 || !strings.Contains(unknown.LastError, "unknown e-mail kind") {
			t.Errorf("unknown kind: status %s, attempts %d, error %q", unknown.Status, unknown.Attempts, unknown.LastError)
		}
	})
}

// A stopping runner finishes the message under way and gives back the rest.
func TestDeliverStopsWhenCancelled(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start)
		for i := range 5 {
			register(t, db, fmt.Sprintf("student%d@example.org", i), "Student", clk.Now())
		}
		ctx, cancel := context.WithCancel(context.Background())
		rec := &mailtest.Recorder{}
		var sends atomic.Int32
		stopper := mail.SenderFunc(func(c context.Context, m mail.Message) error {
			if sends.Add(1) == 2 {
				cancel()
			}
			return rec.Send(c, m)
		})
		r := newRunner(t, db, testConfig(""), clk, nil, jobs.WithSender(stopper))
		if err := r.DeliverOutbox(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(rec.Messages()); n != 2 {
			t.Fatalf("sent %d messages, want 2 (the second finishes after the cancel)", n)
		}
		c, _ := models.OutboxCounts(t.Context(), db)
		if c[string(models.OutboxSent)] != 2 || c[string(models.OutboxPending)] != 3 {
			t.Fatalf("counts %v", c)
		}
		// The rest were released, not left claimed: another run takes them now.
		deliver(t, r)
		if n := len(rec.Messages()); n != 5 {
			t.Fatalf("sent %d messages after a second run, want 5", n)
		}
	})
}

func TestHousekeeping(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start)
		u := register(t, db, "ada@example.org", "Ada Lovelace", clk.Now())
		rec := &mailtest.Recorder{}
		r := newRunner(t, db, testConfig(""), clk, nil, jobs.WithSender(rec))
		deliver(t, r)
		if _, _, err := models.IssueToken(t.Context(), db, models.TokenPasswordReset, u.ID, time.Hour, clk.Now()); err != nil {
			t.Fatal(err)
		}
		_, live, err := models.IssueToken(t.Context(), db, models.TokenLogin, u.ID, 0, clk.Now())
		if err != nil {
			t.Fatal(err)
		}

		clk.Advance(91 * 24 * time.Hour)
		if err := r.Housekeeping(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(outbox(t, db, models.OutboxFilter{})); n == 0 {
			t.Errorf("old sent messages deleted: their dedupe keys stop them being sent again")
		}
		var tokens []models.Token
		db.Read(context.Background()).Find(&tokens)
		if len(tokens) != 1 || tokens[0].ID != live.ID {
			t.Errorf("tokens left: %+v", tokens)
		}
		// Running it again changes nothing.
		if err := r.Housekeeping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNewRejectsBadSMTP(t *testing.T) {
	db := testkit.SQLite(t)
	if _, err := jobs.New(db, testConfig("smtp://localhost:25?tls=maybe"), clock.Real{}, nil); err == nil {
		t.Fatal("New accepted tls=maybe")
	}
}

func TestStartAndShutdown(t *testing.T) {
	db := testkit.SQLite(t)
	r, err := jobs.New(db, testConfig(""), clock.Real{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Start()
	r.Start()
	if err := r.Shutdown(); err != nil {
		t.Fatal(err)
	}
	if err := r.Shutdown(); err != nil {
		t.Fatal(err)
	}
	// Never started.
	r2, err := jobs.New(db, testConfig(""), clock.Real{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r2.Shutdown(); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writes, for logs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
