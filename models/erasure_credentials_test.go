package models_test

import (
	"testing"
	"time"

	"gorm.io/gorm"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// An erased member's single sign-on identity is forgotten, their passkeys sign nobody in afterwards, and a copy of
// their data prepared before the day is gone with its file, its request
// no longer waiting to be sent.
func TestErasureRemovesPasskeysAndExports(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		now := testkit.T0
		u := testkit.Member(t, db, testkit.Name("Kim Leaving"), testkit.Year(3))
		rp := passkeyParty(t)
		a := testkit.NewAuthenticator(t, passkeySite)
		addPasskey(t, db, rp, u, a, "Phone", now)
		if err := db.Write(t.Context(), func(tx *gorm.DB) error {
			return tx.Exec("INSERT INTO identities (user_id, issuer, subject, email, created_at, last_at) VALUES (?, 'https://login.example.ac.uk', 'sub-1', ?, ?, ?)", u.ID, u.Email, now, now).Error
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := signIn(t, db, rp, a, now); err != nil || got.ID != u.ID {
			t.Fatalf("before: signed in as %d, %v", got.ID, err)
		}

		if _, err := models.RequestDataExport(t.Context(), db, u, now); err != nil {
			t.Fatal(err)
		}
		set := models.ExportSettings{BaseURL: passkeySite, LinkURL: func(s string) string { return passkeySite + "/me/export/" + s }}
		if n, err := models.PrepareDataExports(t.Context(), db, set, now); err != nil || n != 1 {
			t.Fatalf("prepared %d exports, %v", n, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM data_export_files"); n != 1 {
			t.Fatalf("%d export files before erasure, want 1", n)
		}

		askErasure(t, db, u, now)
		carryOut(t, db, 2, now.Add(models.ErasureDelay+time.Hour))

		for q, want := range map[string]int64{
			"SELECT COUNT(*) FROM identities WHERE user_id = ?":                                             0,
			"SELECT COUNT(*) FROM passkeys WHERE user_id = ?":                                               0,
			"SELECT COUNT(*) FROM data_exports WHERE user_id = ?":                                           0,
			"SELECT COUNT(*) FROM data_requests WHERE user_id = ? AND kind = 'export' AND status = 'ready'": 0,
			"SELECT COUNT(*) FROM data_requests WHERE user_id = ? AND kind = 'erasure' AND status = 'done'": 1,
		} {
			if n := countRows(t, db, q, u.ID); n != want {
				t.Errorf("%s: %d, want %d", q, n, want)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM data_export_files"); n != 0 {
			t.Errorf("%d export files after erasure, want 0", n)
		}
		if got, err := signIn(t, db, rp, a, now.Add(models.ErasureDelay+2*time.Hour)); err == nil {
			t.Fatalf("the erased member's passkey still signs in (as %d)", got.ID)
		}
	})
}
