package models_test

import (
	"errors"
	"net/url"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func confirmURL(secret string) string {
	return "https://rounds.example/confirm-email?token=" + url.QueryEscape(secret)
}

// linkSecret reads the secret of the newest link of kind e-mailed to addr.
func linkSecret(t *testing.T, db *store.Store, kind models.MailKind, addr string) string {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: kind, To: addr})
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no %s e-mail to %s (%v)", kind, addr, err)
	}
	u, err := url.Parse(msgs[0].DataMap()["link"])
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("%s e-mail without a link: %v", kind, msgs[0].DataMap())
	}
	return u.Query().Get("token")
}

// TestUnconfirmedSignUp: a sign-up that must confirm its address cannot
// book, check in or give feedback, is sent no reminder, and is confirmed
// once by its link; accounts made otherwise are confirmed from the start.
func TestUnconfirmedSignUp(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		rules := models.SignUpRules{ConfirmURL: confirmURL}
		u, err := models.SignUp(t.Context(), db, models.NewUser{Email: "new@x.ac.uk", Name: "New", Password: "long enough pw", YearOfStudy: new(2)}, rules, now)
		if err != nil || u.EmailConfirmed {
			t.Fatalf("sign-up: %+v %v", u, err)
		}
		if _, err := models.SignUp(t.Context(), db, models.NewUser{Email: "at-once@x.ac.uk", Name: "B", Password: "long enough pw"}, models.SignUpRules{}, now); err != nil {
			t.Fatal(err)
		}
		if got, _ := models.UserByEmail(t.Context(), db, "at-once@x.ac.uk"); !got.EmailConfirmed {
			t.Error("a sign-up without confirmation required is not confirmed")
		}
		committee := testkit.Member(t, db, testkit.Email("chair@x.ac.uk"), testkit.Role(models.RoleCommittee))
		old := testkit.Member(t, db, testkit.Email("old@x.ac.uk"), testkit.Year(2))
		if !committee.EmailConfirmed || !old.EmailConfirmed {
			t.Error("accounts made by committee or the command line are not confirmed")
		}
		s := testkit.Session(t, db, committee, testkit.Title("ECGs"), testkit.Years(2), testkit.Mode(models.ModeInPerson),
			testkit.Starts(now.Add(48*time.Hour)), testkit.Published())

		if _, err := models.BookSeat(t.Context(), db, u, s.ID, models.BookInput{Mode: models.ModeInPerson}, now); !errors.Is(err, models.ErrEmailUnconfirmed) {
			t.Errorf("an unconfirmed member booked: %v", err)
		}
		if _, err := models.JoinOnline(t.Context(), db, u, s.ID, 10*time.Minute, s.StartsAt); !errors.Is(err, models.ErrEmailUnconfirmed) {
			t.Errorf("an unconfirmed member joined: %v", err)
		}
		if _, _, err := models.SubmitFeedback(t.Context(), db, u, s.ID, models.FeedbackInput{}, s.EndsAt); !errors.Is(err, models.ErrEmailUnconfirmed) {
			t.Errorf("an unconfirmed member gave feedback: %v", err)
		}
		// Committee books the member in; no reminder goes to an unconfirmed address.
		testkit.Book(t, db, u, s, models.ModeInPerson, testkit.By(committee), testkit.At(now))
		testkit.Book(t, db, old, s, models.ModeInPerson, testkit.At(now))
		if n, err := models.PlanSessionReminders(t.Context(), db, 24*time.Hour, s.StartsAt.Add(-24*time.Hour)); err != nil || n != 1 {
			t.Errorf("reminders planned: %d %v, want 1 (the confirmed member only)", n, err)
		}

		secret := linkSecret(t, db, models.MailWelcome, "new@x.ac.uk")
		if ok, _ := models.ConfirmationValid(t.Context(), db, secret, now); !ok {
			t.Error("the welcome link is not valid")
		}
		got, err := models.ConfirmEmail(t.Context(), db, secret, now.Add(time.Hour))
		if err != nil || !got.EmailConfirmed {
			t.Fatalf("confirm: %+v %v", got, err)
		}
		if _, err := models.ConfirmEmail(t.Context(), db, secret, now.Add(time.Hour)); !errors.Is(err, models.ErrTokenInvalid) {
			t.Errorf("a link used twice: %v", err)
		}
		if n, _ := models.PlanSessionReminders(t.Context(), db, 24*time.Hour, s.StartsAt.Add(-24*time.Hour)); n != 1 {
			t.Errorf("after confirming, %d reminders planned, want 1", n)
		}
		got, _ = models.UserByID(t.Context(), db, u.ID)
		if _, err := models.CancelMyBooking(t.Context(), db, got, s.ID, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := models.BookSeat(t.Context(), db, got, s.ID, models.BookInput{Mode: models.ModeInPerson}, now.Add(time.Hour)); err != nil {
			t.Errorf("a confirmed member cannot book: %v", err)
		}
	})
}

// TestConfirmationLinks: a link works for 7 days; a new one may be asked
// for three times an hour.
func TestConfirmationLinks(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		u, err := models.SignUp(t.Context(), db, models.NewUser{Email: "slow@x.ac.uk", Name: "Slow", Password: "long enough pw"}, models.SignUpRules{ConfirmURL: confirmURL}, now)
		if err != nil {
			t.Fatal(err)
		}
		secret := linkSecret(t, db, models.MailWelcome, "slow@x.ac.uk")
		if _, err := models.ConfirmEmail(t.Context(), db, secret, now.Add(models.ConfirmEmailTTL)); !errors.Is(err, models.ErrTokenInvalid) {
			t.Errorf("a link after 7 days: %v", err)
		}
		for i := 0; i < models.ConfirmationsPerHour; i++ {
			if sent, err := models.ResendConfirmation(t.Context(), db, u.ID, confirmURL, now.Add(time.Duration(i)*time.Minute)); !sent || err != nil {
				t.Fatalf("resend %d: %v %v", i, sent, err)
			}
		}
		var rl *models.RateLimitedError
		if _, err := models.ResendConfirmation(t.Context(), db, u.ID, confirmURL, now.Add(10*time.Minute)); !errors.As(err, &rl) || rl.RetryAfterSeconds != 50*60 {
			t.Errorf("a fourth link within the hour: %v", err)
		}
		if sent, err := models.ResendConfirmation(t.Context(), db, u.ID, confirmURL, now.Add(61*time.Minute)); !sent || err != nil {
			t.Errorf("a link after the hour: %v %v", sent, err)
		}
		newest := linkSecret(t, db, models.MailEmailConfirmation, "slow@x.ac.uk")
		if _, err := models.ConfirmEmail(t.Context(), db, newest, now.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if sent, err := models.ResendConfirmation(t.Context(), db, u.ID, confirmURL, now.Add(3*time.Hour)); sent || err != nil {
			t.Errorf("a link for a confirmed address: %v %v", sent, err)
		}
	})
}
