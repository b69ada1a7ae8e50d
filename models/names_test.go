package models_test

import (
	"errors"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// TestNamesArePlainText: a name or e-mail address with a control
// character, a mark that turns text around, or bytes that are not UTF-8 is
// refused with a message, on registering and on changing a profile; names
// in any script still are welcome.
func TestNamesArePlainText(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		bad := []string{"Ama\x00 Warsame", "Ama\x07 Warsame", "Ama \u202egnirts", "Ama \u2066Warsame\u2069", "Ama \xff\xfe"}
		for i, name := range bad {
			_, err := models.CreateUser(t.Context(), db, models.NewUser{Email: "a" + string(rune('a'+i)) + "@example.ac.uk", Name: name, Password: "correct horse battery"}, nil)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields["name"] == "" {
				t.Errorf("name %q: %v", name, err)
			}
		}
		if _, err := models.CreateUser(t.Context(), db, models.NewUser{Email: "x\u202e@example.ac.uk", Name: "X", Password: "correct horse battery"}, nil); err == nil {
			t.Error("an e-mail address with a direction mark was accepted")
		}
		u, err := models.CreateUser(t.Context(), db, models.NewUser{Email: "aoife@example.ac.uk", Name: "Aoife Ó Súilleabháin", Password: "correct horse battery"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"Сергей Иванов", "محمد علي", "李小龙"} {
			if _, err := models.UpdateProfile(t.Context(), db, u.ID, name, nil, testkit.T0); err != nil {
				t.Errorf("name %q refused: %v", name, err)
			}
		}
		if _, err := models.UpdateProfile(t.Context(), db, u.ID, "Aoife\u202e", nil, testkit.T0); err == nil {
			t.Error("a profile name with a direction mark was accepted")
		}
	})
}

// TestPasswordResetsAreFew: asking again and again for a reset link sends
// a few, not one for every request; an hour later they may ask again.
func TestPasswordResetsAreFew(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		u := testkit.Member(t, db, testkit.Email("ama@example.ac.uk"))
		link := func(s string) string { return "https://rounds.example/reset?token=" + s }
		count := func() int {
			msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailPasswordReset, To: u.Email})
			if err != nil {
				t.Fatal(err)
			}
			return len(msgs)
		}
		for range 10 {
			if err := models.RequestPasswordReset(t.Context(), db, u.Email, time.Hour, testkit.T0, link); err != nil {
				t.Fatal(err)
			}
		}
		if n := count(); n != models.PasswordResetsPerHour {
			t.Errorf("10 requests queued %d e-mails, want %d", n, models.PasswordResetsPerHour)
		}
		if err := models.RequestPasswordReset(t.Context(), db, u.Email, time.Hour, testkit.T0.Add(61*time.Minute), link); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != models.PasswordResetsPerHour+1 {
			t.Errorf("an hour later: %d e-mails, want %d", n, models.PasswordResetsPerHour+1)
		}
	})
}
