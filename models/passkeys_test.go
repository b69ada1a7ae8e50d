package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

const passkeySite = "https://rounds.example.ac.uk"

func passkeyParty(t *testing.T) *models.PasskeyParty {
	t.Helper()
	rp, err := models.NewPasskeyParty(passkeySite, "Rounds")
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

func asJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// addPasskey adds the authenticator to the member's account.
func addPasskey(t *testing.T, db *store.Store, rp *models.PasskeyParty, u models.User, a *testkit.Authenticator, name string, now time.Time) models.Passkey {
	t.Helper()
	ctx := context.Background()
	secret := models.NewSecret()
	opts, err := models.BeginPasskeyRegistration(ctx, db, rp, u.ID, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	key, err := models.FinishPasskeyRegistration(ctx, db, rp, u.ID, secret, name, a.Create(t, asJSON(t, opts)), now)
	if err != nil {
		t.Fatalf("adding a passkey: %v", err)
	}
	return key
}

// signIn runs a whole passkey log-in.
func signIn(t *testing.T, db *store.Store, rp *models.PasskeyParty, a *testkit.Authenticator, now time.Time) (models.User, error) {
	t.Helper()
	ctx := context.Background()
	secret := models.NewSecret()
	opts, err := models.BeginPasskeyLogin(ctx, db, rp, secret, now)
	if err != nil {
		t.Fatal(err)
	}
	u, _, err := models.FinishPasskeyLogin(ctx, db, rp, secret, a.Get(t, asJSON(t, opts)), "192.0.2.1", now)
	return u, err
}

func TestPasskeyAddedAndUsedToSignIn(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		rp := passkeyParty(t)
		now := testkit.T0
		u := testkit.Member(t, db, testkit.Email("ada@example.ac.uk"))
		phone := testkit.NewAuthenticator(t, passkeySite)
		key := addPasskey(t, db, rp, u, phone, "", now)
		if key.Name != "Passkey added 4 Mar 2030" {
			t.Errorf("a passkey added without a name is called %q", key.Name)
		}
		laptop := testkit.NewAuthenticator(t, passkeySite)
		addPasskey(t, db, rp, u, laptop, " Laptop ", now)

		keys, err := models.Passkeys(ctx, db, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 || keys[1].Name != "Laptop" || keys[0].LastUsedAt != nil {
			t.Fatalf("the member's passkeys: %+v", keys)
		}
		if string(keys[0].UserHandle) != string(keys[1].UserHandle) {
			t.Error("a member's two passkeys carry different user handles")
		}

		later := now.Add(time.Hour)
		got, err := signIn(t, db, rp, laptop, later)
		if err != nil || got.ID != u.ID {
			t.Fatalf("signing in with the laptop's passkey: %v %+v", err, got)
		}
		keys, _ = models.Passkeys(ctx, db, u.ID)
		if keys[1].LastUsedAt == nil || !keys[1].LastUsedAt.Equal(later) || keys[1].SignCount != laptop.Counter || keys[0].LastUsedAt != nil {
			t.Errorf("after signing in with the laptop: %+v", keys)
		}
		// A synced passkey that never counts signs in every time.
		phone.Counting = false
		for i := range 2 {
			if _, err := signIn(t, db, rp, phone, later); err != nil {
				t.Errorf("signing in with a passkey that does not count, time %d: %v", i+1, err)
			}
		}
	})
}

func TestPasskeyCeremonyIsUsedOnceAndExpires(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		rp := passkeyParty(t)
		now := testkit.T0
		u := testkit.Member(t, db)
		a := testkit.NewAuthenticator(t, passkeySite)

		// Registration: the answer can be given once.
		secret := models.NewSecret()
		opts, err := models.BeginPasskeyRegistration(ctx, db, rp, u.ID, secret, now)
		if err != nil {
			t.Fatal(err)
		}
		answer := a.Create(t, asJSON(t, opts))
		if _, err := models.FinishPasskeyRegistration(ctx, db, rp, u.ID, secret, "Phone", answer, now); err != nil {
			t.Fatal(err)
		}
		if _, err := models.FinishPasskeyRegistration(ctx, db, rp, u.ID, secret, "Phone", answer, now); !errors.Is(err, models.ErrPasskeyRequestUsed) {
			t.Errorf("finishing a registration twice: %v", err)
		}
		// Another member cannot finish a member's registration.
		other := testkit.Member(t, db)
		secret = models.NewSecret()
		opts, _ = models.BeginPasskeyRegistration(ctx, db, rp, u.ID, secret, now)
		if _, err := models.FinishPasskeyRegistration(ctx, db, rp, other.ID, secret, "", testkit.NewAuthenticator(t, passkeySite).Create(t, asJSON(t, opts)), now); !errors.Is(err, models.ErrPasskeyRequestUsed) {
			t.Errorf("another member finishing a registration: %v", err)
		}

		// Log-in: an assertion is accepted once; given again to its own
		// ceremony, or to a new one, it is refused.
		secret = models.NewSecret()
		lopts, _ := models.BeginPasskeyLogin(ctx, db, rp, secret, now)
		assertion := a.Get(t, asJSON(t, lopts))
		if _, _, err := models.FinishPasskeyLogin(ctx, db, rp, secret, assertion, "192.0.2.1", now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.FinishPasskeyLogin(ctx, db, rp, secret, assertion, "192.0.2.1", now); !errors.Is(err, models.ErrPasskeyRequestUsed) {
			t.Errorf("the same assertion to the same ceremony: %v", err)
		}
		fresh := models.NewSecret()
		if _, err := models.BeginPasskeyLogin(ctx, db, rp, fresh, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := models.FinishPasskeyLogin(ctx, db, rp, fresh, assertion, "192.0.2.1", now); !errors.Is(err, models.ErrPasskeyRefused) {
			t.Errorf("an old assertion to a new ceremony: %v", err)
		}

		// A ceremony lasts five minutes.
		secret = models.NewSecret()
		lopts, _ = models.BeginPasskeyLogin(ctx, db, rp, secret, now)
		late := now.Add(models.PasskeyCeremonyTTL)
		if _, _, err := models.FinishPasskeyLogin(ctx, db, rp, secret, a.Get(t, asJSON(t, lopts)), "192.0.2.1", late); !errors.Is(err, models.ErrPasskeyRequestUsed) {
			t.Errorf("an assertion five minutes after the challenge: %v", err)
		}
		// A registration's ceremony does not sign anyone in.
		secret = models.NewSecret()
		opts, _ = models.BeginPasskeyRegistration(ctx, db, rp, u.ID, secret, now)
		if _, _, err := models.FinishPasskeyLogin(ctx, db, rp, secret, a.Get(t, asJSON(t, opts)), "192.0.2.1", now); !errors.Is(err, models.ErrPasskeyRequestUsed) {
			t.Errorf("a registration's challenge used to sign in: %v", err)
		}
	})
}

func TestPasskeyRefusals(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		rp := passkeyParty(t)
		now := testkit.T0
		u := testkit.Member(t, db)
		a := testkit.NewAuthenticator(t, passkeySite)
		addPasskey(t, db, rp, u, a, "Phone", now)

		if _, err := signIn(t, db, rp, a, now); err != nil {
			t.Fatal(err)
		}
		// A copy of the passkey whose counter is behind.
		a.Counter -= 2
		if _, err := signIn(t, db, rp, a, now); !errors.Is(err, models.ErrPasskeyCopied) {
			t.Errorf("a counter that went backwards: %v", err)
		}
		a.Counter += 5
		// Signed for another site.
		a.Origin = "https://rounds.example.com"
		if _, err := signIn(t, db, rp, a, now); !errors.Is(err, models.ErrPasskeyRefused) {
			t.Errorf("an assertion from another origin: %v", err)
		}
		a.Origin = passkeySite
		// A passkey Rounds never saw.
		if _, err := signIn(t, db, rp, testkit.NewAuthenticator(t, passkeySite), now); !errors.Is(err, models.ErrPasskeyUnknown) {
			t.Errorf("an unknown passkey: %v", err)
		}
		// The same passkey cannot be added twice.
		secret := models.NewSecret()
		opts, _ := models.BeginPasskeyRegistration(ctx, db, rp, u.ID, secret, now)
		if _, err := models.FinishPasskeyRegistration(ctx, db, rp, u.ID, secret, "", a.Create(t, asJSON(t, opts)), now); !errors.Is(err, models.ErrPasskeyTaken) {
			t.Errorf("adding the same passkey again: %v", err)
		}

		// The three refusals above count on the network's log-in limit; the
		// two sign-ins that worked forgave themselves.
		var failures int
		if err := db.Read(ctx).Raw("SELECT failures FROM login_attempts WHERE key = ?", "login-address:192.0.2.1").Scan(&failures).Error; err != nil {
			t.Fatal(err)
		}
		if failures != 3 {
			t.Errorf("the network's log-in counter is %d, want 3", failures)
		}
		if _, err := signIn(t, db, rp, a, now); err != nil {
			t.Errorf("the real passkey after the refusals: %v", err)
		}
	})
}

func TestPasskeyRenameAndRemove(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		rp := passkeyParty(t)
		u, other := testkit.Member(t, db), testkit.Member(t, db)
		a := testkit.NewAuthenticator(t, passkeySite)
		key := addPasskey(t, db, rp, u, a, "Phone", testkit.T0)

		if _, err := models.RenamePasskey(ctx, db, other.ID, key.ID, "Mine"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another member renaming it: %v", err)
		}
		var ve *models.ValidationError
		if _, err := models.RenamePasskey(ctx, db, u.ID, key.ID, "  "); !errors.As(err, &ve) {
			t.Errorf("renaming to nothing: %v", err)
		}
		if got, err := models.RenamePasskey(ctx, db, u.ID, key.ID, "Work phone"); err != nil || got.Name != "Work phone" {
			t.Errorf("renaming: %v %+v", err, got)
		}
		if err := models.RemovePasskey(ctx, db, other.ID, key.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("another member removing it: %v", err)
		}
		if err := models.RemovePasskey(ctx, db, u.ID, key.ID); err != nil {
			t.Fatal(err)
		}
		if keys, _ := models.Passkeys(ctx, db, u.ID); len(keys) != 0 {
			t.Errorf("after removing: %+v", keys)
		}
		if _, err := signIn(t, db, rp, a, testkit.T0); !errors.Is(err, models.ErrPasskeyUnknown) {
			t.Errorf("signing in with a removed passkey: %v", err)
		}
	})
}
