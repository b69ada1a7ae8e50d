package letters_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rounds/jobs/letters"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestRenderConfirmationLinks: a sign-up that must confirm its address gets
// the link in its welcome e-mail, and again in an email_confirmation when
// it asks; a sign-up confirmed at once is not asked to confirm.
func TestRenderConfirmationLinks(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		r, err := letters.New(db, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		link := func(secret string) string { return "https://rounds.example.org/confirm-email?token=" + secret }
		u, err := models.SignUp(t.Context(), db, models.NewUser{Email: "ada@example.org", Name: "Ada Lovelace", Password: "correct horse battery"},
			models.SignUpRules{ConfirmURL: link}, now)
		if err != nil {
			t.Fatal(err)
		}
		if sent, err := models.ResendConfirmation(t.Context(), db, u.ID, link, now); !sent || err != nil {
			t.Fatalf("resend: %v %v", sent, err)
		}
		register(t, db, "grace@example.org", "Grace Hopper", nil)
		for _, tt := range []struct {
			kind          models.MailKind
			to, subject   string
			body, without []string
		}{
			{models.MailWelcome, "ada@example.org", "Welcome to Rounds, Ada Lovelace", []string{
				"First, confirm that this address is yours", "\n  https://rounds.example.org/confirm-email?token=", "The link works once, for 7 days.\n\nHow it works:",
			}, nil},
			{models.MailEmailConfirmation, "ada@example.org", "Confirm your Rounds e-mail address", []string{
				"Hello Ada Lovelace,", "\n  https://rounds.example.org/confirm-email?token=", "The link works once, for 7 days.",
			}, nil},
			{models.MailWelcome, "grace@example.org", "Welcome to Rounds, Grace Hopper", []string{"/login\n\nHow it works:"}, []string{"confirm"}},
		} {
			row := outboxRow(t, db, tt.kind, tt.to)
			msg, err := r.Render(context.Background(), &row, now.Add(time.Minute))
			if err != nil {
				t.Fatalf("%s to %s: %v", tt.kind, tt.to, err)
			}
			if msg.Subject != tt.subject {
				t.Errorf("subject = %q, want %q", msg.Subject, tt.subject)
			}
			for _, want := range tt.body {
				if !strings.Contains(msg.Text, want) {
					t.Errorf("%s to %s lacks %q:\n%s", tt.kind, tt.to, want, msg.Text)
				}
			}
			for _, not := range tt.without {
				if strings.Contains(msg.Text, not) {
					t.Errorf("%s to %s has %q:\n%s", tt.kind, tt.to, not, msg.Text)
				}
			}
			if strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.Text, "\n\n\n") {
				t.Errorf("untidy body:\n%s", msg.Text)
			}
		}
	})
}
