package letters_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gorm.io/gorm"

	"rounds/internal/config"
	"rounds/jobs/letters"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var london, _ = time.LoadLocation("Europe/London")

func testConfig() config.Config {
	return config.Config{
		BaseURL:          "https://rounds.example.org",
		MailFrom:         "Rounds <no-reply@rounds.example.org>",
		Location:         london,
		PasswordResetTTL: time.Hour,
	}
}

// A Tuesday in British Summer Time.
var now = time.Date(2025, 10, 14, 16, 0, 0, 0, time.UTC)

func register(t *testing.T, db *store.Store, email, name string, year *int) models.User {
	t.Helper()
	u, err := models.Register(t.Context(), db, models.NewUser{Email: email, Name: name, Password: "correct horse battery", YearOfStudy: year}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func outboxRow(t *testing.T, db *store.Store, kind models.MailKind, to string) models.OutboxMessage {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: kind, To: to})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox %s to %s: %d messages, %v", kind, to, len(msgs), err)
	}
	return msgs[0]
}

func TestRenderWelcomeAndPasswordReset(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		r, err := letters.New(db, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		year := 3
		register(t, db, "ada@example.org", "Ada Lovelace", &year)
		register(t, db, "grace@example.org", "Grace Hopper", nil)
		reset := func(secret string) string { return "https://rounds.example.org/reset-password?token=" + secret }
		if err := models.RequestPasswordReset(t.Context(), db, "grace@example.org", time.Hour, now, reset); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			kind        models.MailKind
			to, subject string
			body        []string
		}{
			{models.MailWelcome, "ada@example.org", "Welcome to Rounds, Ada Lovelace", []string{
				"Hello Ada Lovelace,", "sign in with ada@example.org at https://rounds.example.org/login",
				`set to "Year 3"`, "https://rounds.example.org/account", "\n-- \nRounds · https://rounds.example.org\n",
			}},
			{models.MailWelcome, "grace@example.org", "Welcome to Rounds, Grace Hopper", []string{`set to "Graduate"`}},
			{models.MailPasswordReset, "grace@example.org", "Reset your Rounds password", []string{
				"Hello Grace Hopper,", "(grace@example.org)", "  https://rounds.example.org/reset-password?token=",
				// 16:00 UTC + 1 h is 18:00 in London in October (BST).
				"for 1 hour after you asked: until\n18:00 BST on Tuesday 14 October 2025.",
			}},
		}
		for _, tt := range tests {
			t.Run(string(tt.kind)+" "+tt.to, func(t *testing.T) {
				row := outboxRow(t, db, tt.kind, tt.to)
				msg, err := r.Render(context.Background(), &row, now.Add(time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				if msg.Subject != tt.subject {
					t.Errorf("subject = %q, want %q", msg.Subject, tt.subject)
				}
				for _, want := range tt.body {
					if !strings.Contains(msg.Text, want) {
						t.Errorf("body lacks %q:\n%s", want, msg.Text)
					}
				}
				if strings.Contains(msg.Text, "<no value>") || strings.Contains(msg.Text, "\n\n\n") || !strings.HasSuffix(msg.Text, ".\n") {
					t.Errorf("untidy body:\n%s", msg.Text)
				}
				if msg.To != tt.to || msg.From != "Rounds <no-reply@rounds.example.org>" || msg.ToName == "" {
					t.Errorf("to/from = %q %q %q", msg.ToName, msg.To, msg.From)
				}
				if want := "outbox-" + strconv.FormatInt(row.ID, 10) + "@rounds.example.org"; msg.MessageID != want {
					t.Errorf("message id = %q, want %q", msg.MessageID, want)
				}
				if msg.Kind() != string(tt.kind) || msg.Headers["Auto-Submitted"] != "auto-generated" {
					t.Errorf("headers = %v", msg.Headers)
				}
			})
		}
	})
}

func TestRenderSkips(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		r, err := letters.New(db, testConfig())
		if err != nil {
			t.Fatal(err)
		}
		reset := func(secret string) string { return "https://rounds.example.org/reset-password?token=" + secret }
		u := register(t, db, "ada@example.org", "Ada Lovelace", nil)
		if err := models.RequestPasswordReset(t.Context(), db, u.Email, time.Hour, now, reset); err != nil {
			t.Fatal(err)
		}

		// The reset link has expired by the time the message goes out.
		row := outboxRow(t, db, models.MailPasswordReset, u.Email)
		_, err = r.Render(context.Background(), &row, now.Add(time.Hour))
		if why, ok := letters.SkipReason(err); !ok || !strings.Contains(why, "expired") {
			t.Errorf("expired reset: err = %v, want a skip", err)
		}

		// The account was deleted after the welcome was queued.
		if err := db.Write(context.Background(), func(tx *gorm.DB) error { return tx.Delete(&models.User{}, u.ID).Error }); err != nil {
			t.Fatal(err)
		}
		row = outboxRow(t, db, models.MailWelcome, u.Email)
		if row.UserID != nil {
			t.Fatalf("user_id = %d after the account was deleted", *row.UserID)
		}
		_, err = r.Render(context.Background(), &row, now)
		if why, ok := letters.SkipReason(err); !ok || !strings.Contains(why, "account") {
			t.Errorf("deleted account: err = %v, want a skip", err)
		}
	})
}

func TestRenderUnknownKind(t *testing.T) {
	db := testkit.SQLite(t)
	r, err := letters.New(db, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(context.Background(), &models.OutboxMessage{ID: 1, Kind: "no_such_kind", ToAddr: "a@example.org"}, now)
	if !errors.Is(err, letters.ErrUnknownKind) {
		t.Fatalf("err = %v, want ErrUnknownKind", err)
	}
	if _, ok := letters.SkipReason(err); ok {
		t.Fatal("an unknown kind is not a skip")
	}
}

// TestKindHook shows how a later kind plugs in: a template, and a hook that
// loads more, attaches a file, or skips.
func TestKindHook(t *testing.T) {
	db := testkit.SQLite(t)
	register(t, db, "ada@example.org", "Ada Lovelace", nil)
	fsys := fstest.MapFS{
		"session_reminder.txt": {Data: []byte("Subject: Tomorrow: {{.Vars.Title}}\n\n" +
			"Hello {{.User.Name}},\n\n{{.Vars.Title}} starts at {{clock .Vars.StartsAt}} on {{date .Vars.StartsAt}}.\n" +
			"Details: {{url \"/sessions/\" .Vars.ID}}\n\n{{template \"footer\" .}}\n")},
		"footer.tmpl": {Data: []byte(`{{define "footer"}}-- {{.Society}}{{end}}`)},
	}
	hook := func(_ context.Context, _ *store.Store, m *models.OutboxMessage, l *letters.Letter) error {
		starts := time.Date(2025, 10, 15, 17, 30, 0, 0, time.UTC)
		if !l.Now.Before(starts) {
			return letters.Skip("the session has started")
		}
		l.Vars["ID"], l.Vars["Title"], l.Vars["StartsAt"] = *m.SessionID, "Cardiology: ECGs", starts
		l.Attach("session.ics", "text/calendar; method=REQUEST; charset=utf-8", []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
		l.Headers["X-Rounds-Session"] = "42"
		return nil
	}
	r, err := letters.New(db, testConfig(), letters.WithTemplates(fsys), letters.WithSociety("MedSoc Teaching"),
		letters.WithKind(models.MailSessionReminder, letters.Kind{Prepare: hook}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Kinds(), ","); got != "session_reminder" {
		t.Fatalf("kinds = %s", got)
	}
	u, _ := models.UserByEmail(t.Context(), db, "ada@example.org")
	if _, err := models.Enqueue(t.Context(), db, models.Email{Kind: models.MailSessionReminder, UserID: u.ID, SessionID: 42, To: u.Email, ToName: u.Name}, now); err != nil {
		t.Fatal(err)
	}
	row := outboxRow(t, db, models.MailSessionReminder, u.Email)
	msg, err := r.Render(context.Background(), &row, now)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "Hello Ada Lovelace,\n\nCardiology: ECGs starts at 18:30 on Wednesday 15 October 2025.\n" +
		"Details: https://rounds.example.org/sessions/42\n\n-- MedSoc Teaching\n"
	if msg.Subject != "Tomorrow: Cardiology: ECGs" || msg.Text != wantText {
		t.Errorf("got %q\n%q", msg.Subject, msg.Text)
	}
	if len(msg.Attachments) != 1 || msg.Attachments[0].Name != "session.ics" || msg.Headers["X-Rounds-Session"] != "42" ||
		msg.Kind() != string(models.MailSessionReminder) {
		t.Errorf("attachments %+v, headers %v", msg.Attachments, msg.Headers)
	}
	_, err = r.Render(context.Background(), &row, now.Add(48*time.Hour))
	if why, ok := letters.SkipReason(err); !ok || why != "the session has started" {
		t.Errorf("late render: %v, want a skip", err)
	}
}

func TestNewRejectsBrokenTemplates(t *testing.T) {
	tests := []struct {
		name string
		fsys fstest.MapFS
		opts []letters.Option
	}{
		{"no subject line", fstest.MapFS{"welcome.txt": {Data: []byte("Hello\n")}}, nil},
		{"no blank line", fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\nHello\n")}}, nil},
		{"bad body", fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\n\n{{.User.Name\n")}}, nil},
		{"bad subject", fstest.MapFS{"welcome.txt": {Data: []byte("Subject: {{if}}\n\nHello\n")}}, nil},
		{"unknown function", fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\n\n{{shout .User.Name}}\n")}}, nil},
		{"hook without template", fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\n\nHello\n")}},
			[]letters.Option{letters.WithKind("booking_confirmed", letters.Kind{})}},
	}
	db := testkit.SQLite(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := append([]letters.Option{letters.WithTemplates(tt.fsys)}, tt.opts...)
			if _, err := letters.New(db, testConfig(), opts...); err == nil {
				t.Fatal("New accepted a broken template")
			}
		})
	}
}

func TestMissingDataIsAnError(t *testing.T) {
	db := testkit.SQLite(t)
	u := register(t, db, "ada@example.org", "Ada Lovelace", nil)
	fsys := fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\n\nYour code: {{.Data.code}}\n")}}
	r, err := letters.New(db, testConfig(), letters.WithTemplates(fsys))
	if err != nil {
		t.Fatal(err)
	}
	row := outboxRow(t, db, models.MailWelcome, u.Email)
	if _, err := r.Render(context.Background(), &row, now); err == nil || strings.Contains(err.Error(), "no value") {
		t.Fatalf("err = %v, want a missing-key error", err)
	}
}

func TestDurationFunc(t *testing.T) {
	fsys := fstest.MapFS{"welcome.txt": {Data: []byte("Subject: Hi\n\n{{duration .Data.d}}\n")}}
	db := testkit.SQLite(t)
	u := register(t, db, "ada@example.org", "Ada Lovelace", nil)
	r, err := letters.New(db, testConfig(), letters.WithTemplates(fsys))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]string{
		"1h0m0s": "1 hour", "30m": "30 minutes", "1h30m": "1 hour 30 minutes", "48h": "2 days",
		"25h1m": "1 day 1 hour 1 minute", "45s": "45 seconds", "soon": "soon",
	}
	for in, want := range tests {
		row := models.OutboxMessage{ID: 1, Kind: models.MailWelcome, UserID: &u.ID, ToAddr: u.Email, Data: `{"d":"` + in + `"}`}
		msg, err := r.Render(context.Background(), &row, now)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(msg.Text); got != want {
			t.Errorf("duration %q = %q, want %q", in, got, want)
		}
	}
}
