package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"rounds/models/store"
	"time"

	"gorm.io/gorm"
)

// Kinds of token. Only a hash of each secret is stored.
const (
	TokenLogin         = "login"          // a browser's cookie login
	TokenAPI           = "api"            // an API client's bearer token
	TokenPasswordReset = "password_reset" // a single-use e-mailed link
	TokenCalendar      = "calendar"       // a private calendar feed
)

// Token is a stored secret that stands for a user.
type Token struct {
	ID         int64
	Kind       string
	Hash       string
	UserID     int64
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	UsedAt     *time.Time
	LastSeenAt *time.Time
}

// NewSecret returns 32 random bytes as URL-safe text.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Errorf("crypto/rand: %w", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret is how a secret is stored and looked up.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// IssueToken stores a new token of kind for the user and returns its secret.
// A ttl of 0 means it does not expire.
func IssueToken(ctx context.Context, st *store.Store, kind string, userID int64, ttl time.Duration, now time.Time) (secret string, t Token, err error) {
	err = st.Write(ctx, func(tx *gorm.DB) error {
		secret, t, err = issueToken(tx, kind, userID, ttl, now)
		return err
	})
	return secret, t, err
}

// issueToken is IssueToken in the caller's transaction tx.
func issueToken(db *gorm.DB, kind string, userID int64, ttl time.Duration, now time.Time) (string, Token, error) {
	secret := NewSecret()
	t := Token{Kind: kind, Hash: HashSecret(secret), UserID: userID, CreatedAt: now.UTC()}
	if ttl > 0 {
		exp := now.Add(ttl).UTC()
		t.ExpiresAt = &exp
	}
	if err := db.Create(&t).Error; err != nil {
		return "", Token{}, fmt.Errorf("token: %w", err)
	}
	return secret, t, nil
}

// UserByToken returns the user a live token of kind stands for, and the token.
func UserByToken(ctx context.Context, st *store.Store, kind, secret string, now time.Time) (User, Token, error) {
	// One straight query for both: this runs before every request.
	return userByToken(func(q string, args ...any) *sql.Row { return st.QueryRow(ctx, q, args...) }, kind, secret, now)
}

// userByToken is UserByToken on the rows of query, a read or a transaction.
func userByToken(query func(q string, args ...any) *sql.Row, kind, secret string, now time.Time) (User, Token, error) {
	if secret == "" || len(secret) > 200 {
		return User{}, Token{}, ErrTokenInvalid
	}
	var u User
	hash := HashSecret(secret)
	t := Token{Kind: kind, Hash: hash}
	err := scanRow(query(userByTokenQuery, hash, kind),
		append(u.fields(), &t.ID, &t.CreatedAt, &t.ExpiresAt, &t.UsedAt, &t.LastSeenAt)...)
	if errors.Is(err, ErrNotFound) {
		return User{}, Token{}, ErrTokenInvalid
	}
	if err != nil {
		return User{}, Token{}, err
	}
	u.inUTC()
	t.UserID, t.CreatedAt = u.ID, t.CreatedAt.UTC()
	t.ExpiresAt, t.UsedAt, t.LastSeenAt = utcPtr(t.ExpiresAt), utcPtr(t.UsedAt), utcPtr(t.LastSeenAt)
	if t.UsedAt != nil || (t.ExpiresAt != nil && !now.Before(*t.ExpiresAt)) {
		return User{}, Token{}, ErrTokenInvalid
	}
	return u, t, nil
}

var userByTokenQuery = "SELECT " + qualified("users", userColumns) +
	", tokens.id, tokens.created_at, tokens.expires_at, tokens.used_at, tokens.last_seen_at" +
	" FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.hash = $1 AND tokens.kind = $2 LIMIT 1"

// RevokeToken deletes a token; revoking an unknown one is not an error.
func RevokeToken(ctx context.Context, st *store.Store, id int64) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Delete(&Token{}, id).Error
	})
}

// RevokeTokens deletes every token of kind the user holds.
func RevokeTokens(ctx context.Context, st *store.Store, userID int64, kind string) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Where("user_id = ? AND kind = ?", userID, kind).Delete(&Token{}).Error
	})
}

// PasswordResetsPerHour is the most password-reset e-mails one member is
// sent in an hour.
const PasswordResetsPerHour = 3

// RequestPasswordReset issues a reset link for the account with that e-mail
// and queues the password_reset e-mail, in one transaction. It does nothing,
// and says nothing different, when no account matches.
func RequestPasswordReset(ctx context.Context, st *store.Store, email string, ttl time.Duration, now time.Time, resetURL func(secret string) string) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		u, err := userByEmail(tx, email)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		// A few a member can use; more would let anyone fill their inbox.
		// The answer is the same either way, as for an unknown address.
		var recent int64
		if err := tx.Model(&OutboxMessage{}).Where("kind = ? AND user_id = ? AND created_at > ?",
			MailPasswordReset, u.ID, now.Add(-time.Hour).UTC()).Count(&recent).Error; err != nil {
			return err
		}
		if recent >= PasswordResetsPerHour {
			return nil
		}
		secret, t, err := issueToken(tx, TokenPasswordReset, u.ID, ttl, now)
		if err != nil {
			return err
		}
		_, err = enqueue(tx, Email{
			Kind:   MailPasswordReset,
			Key:    fmt.Sprintf("%s:%d:%d", MailPasswordReset, u.ID, t.ID),
			UserID: u.ID,
			To:     u.Email,
			ToName: u.Name,
			Data:   map[string]string{"link": resetURL(secret), "expires_in": ttl.String()},
		}, now)
		return err
	})
}

// ResetPassword uses a reset link once: it sets the new password and ends
// every login and token of the account.
func ResetPassword(ctx context.Context, st *store.Store, secret, password string, now time.Time) (User, error) {
	if msg := CheckPassword(password); msg != "" {
		return User{}, &ValidationError{Fields: map[string]string{"password": msg}}
	}
	var u User
	err := st.Write(ctx, func(tx *gorm.DB) error {
		query := func(q string, args ...any) *sql.Row { return store.QueryRow(tx, q, args...) }
		found, t, err := userByToken(query, TokenPasswordReset, secret, now)
		if err != nil {
			return err
		}
		u = found
		res := tx.Model(&Token{}).Where("id = ? AND used_at IS NULL", t.ID).Update("used_at", now.UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrTokenInvalid
		}
		return setPassword(tx, t.UserID, password, t.ID)
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// DeleteExpiredTokens removes tokens past their expiry, used reset links and
// spent e-mail confirmation links; it returns how many went.
func DeleteExpiredTokens(ctx context.Context, st *store.Store, now time.Time) (int64, error) {
	var n int64
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Where("(expires_at IS NOT NULL AND expires_at < ?) OR used_at IS NOT NULL", now.UTC()).Delete(&Token{})
		if res.Error != nil {
			return res.Error
		}
		links, err := deleteOldConfirmations(tx, now)
		n = res.RowsAffected + links
		return err
	})
	return n, err
}
