package jobs_test

import (
	"context"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/mail/mailtest"
	"rounds/jobs"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"

	"gorm.io/gorm"
)

func loginFailureCount(t *testing.T, db *store.Store) int64 {
	t.Helper()
	var n int64
	for _, table := range []string{"login_failures", "login_attempts"} {
		var c int64
		if err := db.Read(t.Context()).Table(table).Count(&c).Error; err != nil {
			t.Fatal(err)
		}
		n += c
	}
	return n
}

func TestRetentionClearsOldMailAndAttempts(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start)
		register(t, db, "ada@example.org", "Ada Lovelace", clk.Now())
		rec := &mailtest.Recorder{}
		cfg := testConfig("")
		cfg.RetentionMailDays, cfg.RetentionAttemptsDays = 60, 20
		r := newRunner(t, db, cfg, clk, nil, jobs.WithSender(rec))
		deliver(t, r)
		// A wrong check-in code's record and a log-in counter, as the
		// check-in and log-in use cases leave them.
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			if err := tx.Exec("INSERT INTO login_failures (key, failures, window_start) VALUES ('checkin:1', 1, ?)", clk.Now().UTC()).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO login_attempts (key, failures, wait_until, updated_at) VALUES ('account:ada@example.org', 1, ?, ?)", clk.Now().UTC(), clk.Now().UTC()).Error
		}); err != nil {
			t.Fatal(err)
		}

		// A day short of either limit: nothing goes.
		clk.Advance(19 * 24 * time.Hour)
		if err := r.Retention(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := loginFailureCount(t, db); n == 0 {
			t.Error("attempts deleted before 20 days")
		}
		clk.Advance(2 * 24 * time.Hour)
		if err := r.Retention(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := loginFailureCount(t, db); n != 0 {
			t.Errorf("%d attempt records kept after 21 days, want 0", n)
		}
		msgs := outbox(t, db, models.OutboxFilter{})
		if len(msgs) != 1 || msgs[0].BodyText == "" || msgs[0].Subject == "" {
			t.Fatalf("e-mail changed before 60 days: %+v", msgs)
		}

		clk.Advance(40 * 24 * time.Hour)
		for range 2 { // a second run, here or on another instance, changes nothing
			if err := r.Retention(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		msgs = outbox(t, db, models.OutboxFilter{})
		if len(msgs) != 1 {
			t.Fatalf("%d e-mails after retention, want the row kept", len(msgs))
		}
		m := msgs[0]
		if m.BodyText != "" || m.Subject != "" || len(m.DataMap()) != 0 {
			t.Errorf("contents kept after 61 days: subject %q, body %q, data %v", m.Subject, m.BodyText, m.DataMap())
		}
		if m.Kind != models.MailWelcome || m.ToAddr != "ada@example.org" || m.Status != models.OutboxSent || m.CreatedAt.IsZero() {
			t.Errorf("row lost what it was: %+v", m)
		}
	})
}

func TestRetentionDefaults(t *testing.T) {
	db := testkit.SQLite(t)
	r := newRunner(t, db, testConfig(""), clock.NewFake(start), nil)
	if p := r.RetentionPolicy(); p.MailDays != 90 || p.AttemptsDays != 30 {
		t.Errorf("policy without settings = %+v, want 90 and 30 days", p)
	}
}
