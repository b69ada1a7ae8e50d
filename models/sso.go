package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// identity is a row of identities: a member as a provider knows them.
type identity struct {
	ID        int64
	UserID    int64
	Issuer    string
	Subject   string
	Email     string
	CreatedAt time.Time
	LastAt    time.Time
}

func (identity) TableName() string { return "identities" }

// SSOSignIn is what a single sign-on came to: a member to log in, or a
// newcomer who must first say their year of study (SignUpWithSSO).
type SSOSignIn struct {
	User User
	New  bool
	// Email and Name are the newcomer's trusted address and the name their
	// provider gave (or "" when Rounds cannot use it).
	Email, Name string
}

// SignInWithSSO finds the member a provider has vouched for. An identity
// seen before (issuer and subject) is that member, whatever their address
// has become. Otherwise the provider must vouch for the address (ssoEmail):
// an account with it is linked to the identity, recorded in the audit log;
// no account means a newcomer, and nothing is written until they have said
// their year.
func SignInWithSSO(ctx context.Context, st *store.Store, c SSOClaims, r SSORules, now time.Time) (SSOSignIn, error) {
	if c.Issuer == "" || c.Subject == "" {
		return SSOSignIn{}, ErrSSOFailed
	}
	var out SSOSignIn
	err := st.Write(ctx, func(tx *gorm.DB) error {
		u, found, err := userOfIdentity(tx, c, now)
		if err != nil || found {
			out.User = u
			return err
		}
		email, err := ssoEmail(c, r)
		if err != nil {
			return err
		}
		u, err = userByEmail(tx, email)
		if errors.Is(err, ErrNotFound) {
			out = SSOSignIn{New: true, Email: email, Name: ssoName(c)}
			return nil
		}
		if err != nil {
			return err
		}
		out.User = u
		return linkIdentity(tx, u, c, email, now)
	})
	return out, err
}

// SignUpWithSSO makes a newcomer's account once they have given their name
// and year of study: a confirmed student, linked to the identity, welcomed
// by e-mail. The claims are checked again. Sent twice, or after the address
// has been signed up meanwhile, it logs in the one account.
func SignUpWithSSO(ctx context.Context, st *store.Store, c SSOClaims, r SSORules, name string, year *int, now time.Time) (User, error) {
	if c.Issuer == "" || c.Subject == "" {
		return User{}, ErrSSOFailed
	}
	email, err := ssoEmail(c, r)
	if err != nil {
		return User{}, err
	}
	u, err := newUser(NewUser{Email: email, Name: name, YearOfStudy: year, Role: RoleStudent, PasswordHash: "-"}, nil)
	if err != nil {
		return User{}, err
	}
	// No password: the member signs in by single sign-on, or chooses one
	// with a password reset where passwords are allowed. Pages that would
	// ask for it ask for something else (hasPassword).
	u.PasswordHash = ""
	err = st.Write(ctx, func(tx *gorm.DB) error {
		known, found, err := userOfIdentity(tx, c, now)
		if err != nil || found {
			u = known
			return err
		}
		if existing, err := userByEmail(tx, email); err == nil {
			u = existing
			return linkIdentity(tx, u, c, email, now)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := insertUser(tx, &u); errors.Is(err, ErrEmailTaken) {
			return ErrSSOTwice // made a moment ago: the form was sent twice
		} else if err != nil {
			return err
		}
		if err := createIdentity(tx, u.ID, c, email, now); err != nil {
			return err
		}
		_, err = enqueue(tx, Email{Kind: MailWelcome, UserID: u.ID, To: u.Email, ToName: u.Name}, now)
		return err
	})
	return u, err
}

// userOfIdentity finds the member of an identity seen before, noting when
// and with which address it was last used.
func userOfIdentity(tx *gorm.DB, c SSOClaims, now time.Time) (User, bool, error) {
	var id identity
	err := tx.Where("issuer = ? AND subject = ?", c.Issuer, c.Subject).Take(&id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return User{}, false, nil
	}
	if err != nil {
		return User{}, false, err
	}
	seen := map[string]any{"last_at": now.UTC()}
	if e := NormalizeEmail(c.Email); e != "" {
		seen["email"] = e
	}
	if err := tx.Model(&identity{}).Where("id = ?", id.ID).Updates(seen).Error; err != nil {
		return User{}, false, err
	}
	u, err := userByID(tx, id.UserID)
	return u, err == nil, err
}

// linkIdentity ties an identity to an existing account whose address the
// provider vouched for. The account is confirmed: its address has been
// shown to be the member's.
func linkIdentity(tx *gorm.DB, u User, c SSOClaims, email string, now time.Time) error {
	var linked []identity
	if err := tx.Where("user_id = ? AND issuer = ?", u.ID, c.Issuer).Find(&linked).Error; err != nil {
		return err
	}
	if len(linked) > 0 {
		if linked[0].Subject == c.Subject {
			return nil // linked a moment ago, by the same sign-in sent twice
		}
		// The account belongs to another person at this provider (the
		// address has moved from one person to another there).
		return &Error{KindConflict, "sso_account_taken",
			"Your e-mail address belongs to a Rounds account that signs in with another university account. Ask the society's committee to sort it out."}
	}
	if err := createIdentity(tx, u.ID, c, email, now); err != nil {
		return err
	}
	if !u.EmailConfirmed {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("email_confirmed", true).Error; err != nil {
			return err
		}
	}
	return audit(tx, u, AuditSSOLinked, u.Email, "single sign-on by "+c.Issuer, now)
}

// createIdentity stores the identity of a member. The unique indexes
// refuse a second one made at the same moment (a sign-in sent twice).
func createIdentity(tx *gorm.DB, userID int64, c SSOClaims, email string, now time.Time) error {
	err := tx.Create(&identity{UserID: userID, Issuer: c.Issuer, Subject: c.Subject, Email: email, CreatedAt: now.UTC(), LastAt: now.UTC()}).Error
	switch {
	case err == nil:
		return nil
	case isDuplicate(err):
		return ErrSSOTwice
	}
	return fmt.Errorf("identity: %w", err)
}

// SSOLink is one way a member signs in by single sign-on: the address the
// provider gave, when it was linked and when it was last used.
type SSOLink struct {
	Email    string
	LinkedAt time.Time
	LastAt   time.Time
}

// SSOLinks lists how the member signs in by single sign-on, oldest first
// (none: by password or passkey only).
func SSOLinks(ctx context.Context, st *store.Store, userID int64) ([]SSOLink, error) {
	var rows []identity
	if err := st.Read(ctx).Where("user_id = ?", userID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	links := make([]SSOLink, len(rows))
	for i, r := range rows {
		links[i] = SSOLink{Email: r.Email, LinkedAt: r.CreatedAt.UTC(), LastAt: r.LastAt.UTC()}
	}
	return links, nil
}

// HasSSOIdentity tells whether the member signs in by single sign-on.
func HasSSOIdentity(ctx context.Context, st *store.Store, userID int64) (bool, error) {
	var n int64
	err := st.Read(ctx).Model(&identity{}).Where("user_id = ?", userID).Count(&n).Error
	return n > 0, err
}
