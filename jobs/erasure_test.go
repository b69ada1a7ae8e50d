package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/mail/mailtest"
	"rounds/jobs"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// The erasure_scheduled e-mail says on which day, in the society's time,
// and carries the link that keeps the account; the retention job erases the
// account on that day, once, however often it runs.
func TestErasureMailAndRetentionJob(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start) // Tuesday 14 October 2025, 17:00 in London
		u := register(t, db, "grace@example.org", "Grace Hopper", clk.Now())
		rec := &mailtest.Recorder{}
		cfg := testConfig("")
		cfg.RetentionGraduatesYears = 2
		r := newRunner(t, db, cfg, clk, nil, jobs.WithSender(rec))
		links := models.ErasureLinks{Key: []byte("k"), CancelURL: func(tok string) string { return cfg.BaseURL + "/erasure/cancel/" + tok }}
		if _, _, err := models.RequestErasure(t.Context(), db, u, nil, links, clk.Now()); err != nil {
			t.Fatal(err)
		}
		deliver(t, r)
		var got []string
		for _, m := range rec.Messages() {
			if m.Headers["X-Rounds-Kind"] == string(models.MailErasureScheduled) || strings.Contains(m.Subject, "deleted") {
				got = append(got, m.Subject+"\n"+m.Text)
			}
		}
		if len(got) != 1 {
			t.Fatalf("erasure e-mails: %d of %d", len(got), len(rec.Messages()))
		}
		for _, want := range []string{"Your Rounds account will be deleted on Tuesday 21 October 2025", "after 17:00 BST",
			"https://rounds.example.org/erasure/cancel/", "withdrawn", "a former member"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("the e-mail lacks %q:\n%s", want, got[0])
			}
		}

		clk.Advance(7*24*time.Hour - time.Minute)
		if err := r.Retention(context.Background()); err != nil {
			t.Fatal(err)
		}
		if erased, _ := models.Erased(t.Context(), db, u.ID); erased {
			t.Fatal("erased before the day")
		}
		clk.Advance(time.Minute)
		for range 2 {
			if err := r.Retention(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if erased, _ := models.Erased(t.Context(), db, u.ID); !erased {
			t.Fatal("not erased on the day")
		}
		// Nothing is sent to the erased account any more (a reminder planned
		// from an old record, say).
		erased, err := models.UserByID(t.Context(), db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := models.Enqueue(t.Context(), db, models.Email{Kind: models.MailWelcome, Key: "late", UserID: u.ID, To: erased.Email, ToName: erased.Name}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		before := len(rec.Messages())
		deliver(t, r)
		if len(rec.Messages()) != before {
			t.Errorf("sent to the erased account: %q", rec.Messages()[before].To)
		}
		var n int64
		if err := db.Read(t.Context()).Table("audit_log").Where("action = ?", models.AuditAccountErased).Count(&n).Error; err != nil || n != 1 {
			t.Errorf("%d audit lines, %v", n, err)
		}
	})
}

// An erasure called off before its e-mail could go: the e-mail is skipped.
func TestErasureMailSkippedOnceCancelled(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		clk := clock.NewFake(start)
		u := testkit.Member(t, db, testkit.Email("ada@example.org"))
		rec := &mailtest.Recorder{}
		r := newRunner(t, db, testConfig(""), clk, nil, jobs.WithSender(rec))
		if _, _, err := models.RequestErasure(t.Context(), db, u, nil, models.ErasureLinks{Key: []byte("k")}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := models.CancelErasure(t.Context(), db, u.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		deliver(t, r)
		if len(rec.Messages()) != 0 {
			t.Fatalf("sent %q", rec.Messages()[0].Subject)
		}
		msgs := outbox(t, db, models.OutboxFilter{})
		if len(msgs) != 1 || msgs[0].Status != models.OutboxSkipped {
			t.Fatalf("outbox: %+v", msgs)
		}
	})
}
