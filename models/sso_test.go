package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

func TestSignInWithSSO(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		yes := true
		rules := models.SSORules{Domains: []string{"uni.ac.uk"}}
		claims := func(sub, email string) models.SSOClaims {
			return models.SSOClaims{Issuer: "https://id.uni.ac.uk", Subject: sub, Email: email, EmailVerified: &yes, Name: "Dee Dee"}
		}
		dee := testkit.Member(t, db, testkit.Email("dee@uni.ac.uk"), testkit.Name("Dee"))

		// An account with the address is linked, once.
		got, err := models.SignInWithSSO(ctx, db, claims("s-dee", "DEE@uni.ac.uk"), rules, now)
		if err != nil || got.New || got.User.ID != dee.ID {
			t.Fatalf("link: %+v %v", got, err)
		}
		// Later, under another address, the identity finds the same account.
		got, err = models.SignInWithSSO(ctx, db, claims("s-dee", "dee.d@uni.ac.uk"), rules, now.Add(time.Hour))
		if err != nil || got.User.ID != dee.ID {
			t.Fatalf("after a change of address: %+v %v", got, err)
		}
		// Another person at the provider with Dee's old address does not
		// take her account.
		_, err = models.SignInWithSSO(ctx, db, claims("s-someone-else", "dee@uni.ac.uk"), rules, now)
		var de *models.Error
		if !errors.As(err, &de) || de.Code != "sso_account_taken" {
			t.Fatalf("another identity for a linked account: %v", err)
		}

		// A newcomer: nothing is written until SignUpWithSSO, and sent
		// twice it makes one account.
		got, err = models.SignInWithSSO(ctx, db, claims("s-eve", "eve@uni.ac.uk"), rules, now)
		if err != nil || !got.New || got.Email != "eve@uni.ac.uk" || got.Name != "Dee Dee" {
			t.Fatalf("newcomer: %+v %v", got, err)
		}
		if _, err := models.UserByEmail(ctx, db, "eve@uni.ac.uk"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("account made before the year: %v", err)
		}
		year := 3
		eve, err := models.SignUpWithSSO(ctx, db, claims("s-eve", "eve@uni.ac.uk"), rules, "Eve", &year, now)
		if err != nil || !eve.EmailConfirmed || eve.YearOfStudy == nil || *eve.YearOfStudy != 3 {
			t.Fatalf("sign-up: %+v %v", eve, err)
		}
		again, err := models.SignUpWithSSO(ctx, db, claims("s-eve", "eve@uni.ac.uk"), rules, "Eve", &year, now)
		if err != nil || again.ID != eve.ID {
			t.Fatalf("sign-up twice: %+v %v", again, err)
		}
		// The claims are checked again at sign-up.
		if _, err := models.SignUpWithSSO(ctx, db, claims("s-mal", "mal@gmail.com"), rules, "Mal", &year, now); err == nil {
			t.Fatal("signed up an address of another domain")
		}
		if _, err := models.SignUpWithSSO(ctx, db, claims("s-fay", "fay@uni.ac.uk"), rules, "", &year, now); err == nil {
			t.Fatal("signed up without a name")
		}
	})
}

// TestSignInWithSSOTwiceAtOnce: a first sign-in sent several times at once
// links the account once; each answer is the member or a request to sign in
// again, never an internal error.
func TestSignInWithSSOTwiceAtOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		yes := true
		gil := testkit.Member(t, db, testkit.Email("gil@uni.ac.uk"))
		c := models.SSOClaims{Issuer: "https://id.uni.ac.uk", Subject: "s-gil", Email: "gil@uni.ac.uk", EmailVerified: &yes}
		rules := models.SSORules{Domains: []string{"uni.ac.uk"}}
		errs := make(chan error, 8)
		for range 8 {
			go func() {
				got, err := models.SignInWithSSO(context.Background(), db, c, rules, time.Now())
				if err == nil && got.User.ID != gil.ID {
					err = errors.New("another account")
				}
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil && !errors.Is(err, models.ErrSSOTwice) {
				t.Errorf("sign-in: %v", err)
			}
		}
		if linked, err := models.HasSSOIdentity(context.Background(), db, gil.ID); err != nil || !linked {
			t.Errorf("linked %v, %v", linked, err)
		}
	})
}
