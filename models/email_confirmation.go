package models

import (
	"context"
	"fmt"
	"rounds/models/store"
	"time"

	"gorm.io/gorm"
)

// MailEmailConfirmation is a sign-up's confirmation link, sent again at the
// member's request (the first goes in the welcome e-mail).
const MailEmailConfirmation MailKind = "email_confirmation"

// ConfirmEmailTTL is how long a confirmation link works.
const ConfirmEmailTTL = 7 * 24 * time.Hour

// ConfirmationsPerHour is the most confirmation links a member may ask to
// be sent again in an hour.
const ConfirmationsPerHour = 3

// ErrEmailUnconfirmed refuses booking, checking in and feedback to a member
// who has not yet shown that their e-mail address is theirs.
var ErrEmailUnconfirmed = &Error{KindForbidden, "email_unconfirmed",
	"Confirm your e-mail address first: open the link in the e-mail we sent you, or ask for a new one."}

// requireConfirmedEmail is the rule: booking, checking in and feedback need
// a confirmed address.
func requireConfirmedEmail(u User) error {
	if u.ID != 0 && !u.EmailConfirmed {
		return ErrEmailUnconfirmed
	}
	return nil
}

// SignUpRules are the society's rules for a sign-up.
type SignUpRules struct {
	AllowedDomains []string
	// ConfirmURL makes the confirmation link for a secret. When it is nil
	// the new account is confirmed at once (ROUNDS_CONFIRM_EMAIL=false).
	ConfirmURL func(secret string) string
}

// emailConfirmation is a row of email_confirmations: a single-use link.
type emailConfirmation struct {
	ID        int64
	Hash      string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

func (emailConfirmation) TableName() string { return "email_confirmations" }

// SignUp creates a student account and queues its welcome e-mail in the same
// transaction; when the rules ask for it, the account starts unconfirmed and
// the e-mail carries its confirmation link.
func SignUp(ctx context.Context, st *store.Store, nu NewUser, rules SignUpRules, now time.Time) (User, error) {
	nu.Role = RoleStudent
	u, err := newUser(nu, rules.AllowedDomains)
	if err != nil {
		return User{}, err
	}
	confirmed := rules.ConfirmURL == nil
	err = st.Write(ctx, func(tx *gorm.DB) error {
		if err := insertUser(tx, &u); err != nil {
			return err
		}
		u.EmailConfirmed = confirmed
		var data map[string]string
		if !confirmed {
			if err := tx.Model(&User{}).Where("id = ?", u.ID).Update("email_confirmed", false).Error; err != nil {
				return err
			}
			secret, err := issueConfirmation(tx, u.ID, now)
			if err != nil {
				return err
			}
			data = map[string]string{"link": rules.ConfirmURL(secret), "expires_in": ConfirmEmailTTL.String()}
		}
		_, err := enqueue(tx, Email{Kind: MailWelcome, UserID: u.ID, To: u.Email, ToName: u.Name, Data: data}, now)
		return err
	})
	return u, err
}

// issueConfirmation stores a new confirmation link for the member and
// returns its secret and id.
func issueConfirmation(tx *gorm.DB, userID int64, now time.Time) (string, error) {
	secret := NewSecret()
	c := emailConfirmation{Hash: HashSecret(secret), UserID: userID, CreatedAt: now.UTC(), ExpiresAt: now.Add(ConfirmEmailTTL).UTC()}
	if err := tx.Create(&c).Error; err != nil {
		return "", fmt.Errorf("confirmation link: %w", err)
	}
	return secret, nil
}

// ConfirmEmail uses a confirmation link: once, before it expires. The
// member's address is confirmed and every other link of theirs is spent.
// ErrTokenInvalid otherwise.
func ConfirmEmail(ctx context.Context, st *store.Store, secret string, now time.Time) (User, error) {
	if secret == "" || len(secret) > 200 {
		return User{}, ErrTokenInvalid
	}
	now = now.UTC()
	var u User
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var c emailConfirmation
		err := tx.Where("hash = ? AND used_at IS NULL AND expires_at > ?", HashSecret(secret), now).Limit(1).Find(&c).Error
		if err != nil {
			return err
		}
		if c.ID == 0 {
			return ErrTokenInvalid
		}
		res := tx.Model(&emailConfirmation{}).Where("user_id = ? AND used_at IS NULL", c.UserID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if err := tx.Model(&User{}).Where("id = ?", c.UserID).Updates(map[string]any{"email_confirmed": true, "updated_at": now}).Error; err != nil {
			return err
		}
		u, err = userByID(tx, c.UserID)
		return err
	})
	return u, err
}

// ResendConfirmation sends the member a new confirmation link, unless their
// address is confirmed already (sent is then false). More than
// ConfirmationsPerHour in an hour are refused with a RateLimitedError, so
// that nobody can fill an inbox with them.
func ResendConfirmation(ctx context.Context, st *store.Store, userID int64, confirmURL func(secret string) string, now time.Time) (sent bool, err error) {
	now = now.UTC()
	err = st.Write(ctx, func(tx *gorm.DB) error {
		sent = false
		u, err := userByID(tx, userID)
		if err != nil || u.EmailConfirmed {
			return err
		}
		var recent []time.Time
		if err := tx.Model(&OutboxMessage{}).Where("kind = ? AND user_id = ? AND created_at > ?",
			MailEmailConfirmation, u.ID, now.Add(-time.Hour)).Order("created_at").Pluck("created_at", &recent).Error; err != nil {
			return err
		}
		if len(recent) >= ConfirmationsPerHour {
			secs := RetryAfterSeconds(recent[0].Add(time.Hour).Sub(now))
			return &RateLimitedError{RetryAfterSeconds: secs, Message: fmt.Sprintf(
				"We have sent you %d links in the last hour: look for them in your inbox and spam folder, or ask again in %s.",
				len(recent), secondsInWords(secs))}
		}
		secret, err := issueConfirmation(tx, u.ID, now)
		if err != nil {
			return err
		}
		_, err = enqueue(tx, Email{
			Kind: MailEmailConfirmation, Key: fmt.Sprintf("%s:%d:%s", MailEmailConfirmation, u.ID, HashSecret(secret)[:16]),
			UserID: u.ID, To: u.Email, ToName: u.Name,
			Data: map[string]string{"link": confirmURL(secret), "expires_in": ConfirmEmailTTL.String()},
		}, now)
		sent = err == nil
		return err
	})
	return sent, err
}

// deleteOldConfirmations forgets links that can no longer be used.
func deleteOldConfirmations(tx *gorm.DB, now time.Time) (int64, error) {
	res := tx.Where("expires_at < ? OR used_at IS NOT NULL", now.UTC()).Delete(&emailConfirmation{})
	return res.RowsAffected, res.Error
}

// ConfirmationValid tells whether a confirmation link may still be used,
// without using it.
func ConfirmationValid(ctx context.Context, st *store.Store, secret string, now time.Time) (bool, error) {
	if secret == "" || len(secret) > 200 {
		return false, nil
	}
	var n int64
	err := st.Read(ctx).Model(&emailConfirmation{}).
		Where("hash = ? AND used_at IS NULL AND expires_at > ?", HashSecret(secret), now.UTC()).Count(&n).Error
	return n > 0, err
}
