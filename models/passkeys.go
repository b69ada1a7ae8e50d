package models

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"gorm.io/gorm"

	"rounds/models/store"
)

// Errors of passkeys. Every refusal of a sign-in leaves the browser logged
// out and says what to do next.
var (
	ErrPasskeyRequestUsed = &Error{KindUnprocessable, "passkey_request_expired",
		"This passkey request has expired or has already been used. Please try again."}
	ErrPasskeyUnknown = &Error{KindUnauthorized, "passkey_unknown",
		"Rounds does not know this passkey: it may have been removed from your account. Log in with your e-mail address and password instead."}
	ErrPasskeyRefused = &Error{KindUnauthorized, "passkey_refused",
		"Your passkey could not be checked, so you are not logged in. Please try again, or log in with your e-mail address and password."}
	ErrPasskeyCopied = &Error{KindUnauthorized, "passkey_counter_went_back",
		"This passkey's use counter went backwards, which happens when a passkey has been copied, so it was not accepted. Log in with your password, and remove the passkey from your account if you do not recognise this."}
	ErrPasskeyTaken = &Error{KindConflict, "passkey_exists",
		"This passkey has already been added to an account."}
	ErrPasskeysUnavailable = &Error{KindUnprocessable, "passkeys_unavailable",
		"Passkeys work only when Rounds is reached by its domain name. Please log in with your password."}
)

// Passkey is one of a member's passkeys (a WebAuthn credential): what the
// member sees — its name, when it was added and last used — and what
// checking a sign-in needs, which never leaves the server.
type Passkey struct {
	ID                int64      `json:"id"`
	UserID            int64      `json:"-"`
	CredentialID      []byte     `json:"-"`
	UserHandle        []byte     `json:"-"`
	PublicKey         []byte     `json:"-"`
	SignCount         uint32     `json:"-"`
	Transports        string     `json:"-"`
	AAGUID            []byte     `json:"-" gorm:"column:aaguid"`
	AttestationType   string     `json:"-"`
	AttestationFormat string     `json:"-"`
	UserVerified      bool       `json:"-"`
	BackupEligible    bool       `json:"-"`
	BackupState       bool       `json:"backed_up"`
	Name              string     `json:"name"`
	CreatedAt         time.Time  `json:"created_at" gorm:"autoCreateTime:false"`
	LastUsedAt        *time.Time `json:"last_used_at"`
}

// credential is the passkey as go-webauthn checks it.
func (p Passkey) credential() webauthn.Credential {
	var transports []protocol.AuthenticatorTransport
	for _, t := range strings.Split(p.Transports, ",") {
		if t != "" {
			transports = append(transports, protocol.AuthenticatorTransport(t))
		}
	}
	return webauthn.Credential{
		ID: p.CredentialID, PublicKey: p.PublicKey, AttestationType: p.AttestationType, AttestationFormat: p.AttestationFormat,
		Transport: transports,
		Flags: webauthn.CredentialFlags{UserPresent: true, UserVerified: p.UserVerified,
			BackupEligible: p.BackupEligible, BackupState: p.BackupState},
		Authenticator: webauthn.Authenticator{AAGUID: p.AAGUID, SignCount: p.SignCount},
	}
}

// passkeyCeremony is a row of passkey_ceremonies: one challenge given to one
// browser, found by the hash of the secret in that browser's cookie.
type passkeyCeremony struct {
	SecretHash  string `gorm:"primaryKey"`
	Kind        string
	UserID      *int64
	SessionData string
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	ExpiresAt   time.Time
}

func (passkeyCeremony) TableName() string { return "passkey_ceremonies" }

// PasskeyParty is Rounds as a WebAuthn relying party: its ID is the host of
// the base URL, and the only origin it accepts is the base URL's.
type PasskeyParty struct {
	wa *webauthn.WebAuthn
}

// NewPasskeyParty makes the relying party of the site at baseURL. A site
// reached by an IP address cannot have passkeys: ErrPasskeysUnavailable.
func NewPasskeyParty(baseURL, name string) (*PasskeyParty, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, ErrPasskeysUnavailable
	}
	timeouts := webauthn.TimeoutConfig{Timeout: PasskeyCeremonyTTL, TimeoutUVD: PasskeyCeremonyTTL}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: u.Hostname(), RPDisplayName: name, RPOrigins: []string{u.Scheme + "://" + u.Host},
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementRequired, RequireResidentKey: protocol.ResidentKeyRequired(),
			UserVerification: protocol.VerificationPreferred,
		},
		// Expiry is checked against the database's ceremony, on Rounds' clock.
		Timeouts: webauthn.TimeoutsConfig{Login: timeouts, Registration: timeouts},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPasskeysUnavailable, err)
	}
	return &PasskeyParty{wa: wa}, nil
}

// passkeyUser is a member as go-webauthn sees them: the user handle their
// passkeys carry, and the passkeys a ceremony may use.
type passkeyUser struct {
	u      User
	handle []byte
	keys   []Passkey
}

func (p passkeyUser) WebAuthnID() []byte          { return p.handle }
func (p passkeyUser) WebAuthnName() string        { return p.u.Email }
func (p passkeyUser) WebAuthnDisplayName() string { return p.u.Name }
func (p passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	out := make([]webauthn.Credential, len(p.keys))
	for i, k := range p.keys {
		out[i] = k.credential()
	}
	return out
}

// userHandle is the random handle a member's passkeys carry (never their id
// or address): that of the passkeys they have, or a new one for their
// first.
func userHandle(keys []Passkey) []byte {
	if len(keys) > 0 {
		return keys[0].UserHandle
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Errorf("crypto/rand: %w", err))
	}
	return b
}

func passkeysOf(db *gorm.DB, userID int64) ([]Passkey, error) {
	var keys []Passkey
	err := db.Where("user_id = ?", userID).Order("id").Find(&keys).Error
	return keys, err
}

// Passkeys lists a member's passkeys, oldest first.
func Passkeys(ctx context.Context, st *store.Store, userID int64) ([]Passkey, error) {
	return passkeysOf(st.Read(ctx), userID)
}

// saveCeremony stores a ceremony's session data for the browser holding
// secret, and forgets ceremonies that have expired.
func saveCeremony(tx *gorm.DB, secret, kind string, userID *int64, session *webauthn.SessionData, now time.Time) error {
	if err := tx.Where("expires_at < ?", now).Delete(&passkeyCeremony{}).Error; err != nil {
		return err
	}
	data, err := json.Marshal(session)
	if err != nil {
		return err
	}
	return tx.Create(&passkeyCeremony{SecretHash: HashSecret(secret), Kind: kind, UserID: userID, SessionData: string(data),
		CreatedAt: now, ExpiresAt: now.Add(PasskeyCeremonyTTL)}).Error
}

// takeCeremony removes the ceremony of the browser holding secret and
// returns it if it may finish kind for the member (0 for signing in). It is
// removed whatever the answer, in its own transaction, so that a challenge
// is used once: a second answer to it, on any instance, finds nothing.
func takeCeremony(ctx context.Context, st *store.Store, secret, kind string, userID int64, now time.Time) (webauthn.SessionData, error) {
	var c passkeyCeremony
	var found bool
	if secret == "" {
		return webauthn.SessionData{}, ErrPasskeyRequestUsed
	}
	err := st.Write(ctx, func(tx *gorm.DB) error {
		c, found = passkeyCeremony{}, false // a retried transaction starts afresh
		if err := tx.Where("secret_hash = ?", HashSecret(secret)).Limit(1).Find(&c).Error; err != nil || c.SecretHash == "" {
			return err
		}
		res := tx.Where("secret_hash = ?", c.SecretHash).Delete(&passkeyCeremony{})
		found = res.RowsAffected == 1
		return res.Error
	})
	if err != nil {
		return webauthn.SessionData{}, err
	}
	if !found {
		return webauthn.SessionData{}, ErrPasskeyRequestUsed
	}
	if err := ceremonyUsable(c.Kind, c.UserID, c.ExpiresAt, kind, userID, now); err != nil {
		return webauthn.SessionData{}, err
	}
	var s webauthn.SessionData
	if err := json.Unmarshal([]byte(c.SessionData), &s); err != nil {
		return webauthn.SessionData{}, fmt.Errorf("passkey: ceremony: %w", err)
	}
	return s, nil
}

// BeginPasskeyRegistration starts adding a passkey to a member's account:
// the options for the browser's navigator.credentials.create, with the
// member's passkeys excluded so that one authenticator is not added twice.
// The ceremony is kept for PasskeyCeremonyTTL for the browser holding
// secret.
func BeginPasskeyRegistration(ctx context.Context, st *store.Store, rp *PasskeyParty, userID int64, secret string, now time.Time) (*protocol.CredentialCreation, error) {
	var creation *protocol.CredentialCreation
	err := st.Write(ctx, func(tx *gorm.DB) error {
		u, err := userByID(tx, userID)
		if err != nil {
			return err
		}
		keys, err := passkeysOf(tx, userID)
		if err != nil {
			return err
		}
		pu := passkeyUser{u: u, handle: userHandle(keys), keys: keys}
		var session *webauthn.SessionData
		creation, session, err = rp.wa.BeginRegistration(pu,
			webauthn.WithExclusions(webauthn.Credentials(pu.WebAuthnCredentials()).CredentialDescriptors()))
		if err != nil {
			return fmt.Errorf("passkey: begin registration: %w", err)
		}
		return saveCeremony(tx, secret, passkeyRegister, &userID, session, now.UTC())
	})
	return creation, err
}

// FinishPasskeyRegistration checks the browser's answer to the ceremony it
// began and stores the new passkey under the member's name for it (or one
// made from today's date, on, in the society's time zone).
func FinishPasskeyRegistration(ctx context.Context, st *store.Store, rp *PasskeyParty, userID int64, secret, name string, response []byte, on time.Time) (Passkey, error) {
	name, err := passkeyName(name, on)
	if err != nil {
		return Passkey{}, err
	}
	now := on.UTC()
	session, err := takeCeremony(ctx, st, secret, passkeyRegister, userID, now)
	if err != nil {
		return Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return Passkey{}, fmt.Errorf("%w (%w)", ErrPasskeyRefused, err)
	}
	u, err := UserByID(ctx, st, userID)
	if err != nil {
		return Passkey{}, err
	}
	cred, err := rp.wa.CreateCredential(passkeyUser{u: u, handle: session.UserID}, session, parsed)
	if err != nil {
		return Passkey{}, fmt.Errorf("%w (%w)", ErrPasskeyRefused, err)
	}
	var transports []string
	for _, t := range cred.Transport {
		transports = append(transports, string(t))
	}
	key := Passkey{
		UserID: userID, CredentialID: cred.ID, UserHandle: session.UserID, PublicKey: cred.PublicKey,
		SignCount: cred.Authenticator.SignCount, Transports: strings.Join(transports, ","), AAGUID: cred.Authenticator.AAGUID,
		AttestationType: cred.AttestationType, AttestationFormat: cred.AttestationFormat,
		UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible, BackupState: cred.Flags.BackupState,
		Name: name, CreatedAt: now,
	}
	if key.AAGUID == nil {
		key.AAGUID = []byte{}
	}
	err = st.Write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Passkey{}).Where("credential_id = ?", key.CredentialID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrPasskeyTaken
		}
		return tx.Create(&key).Error
	})
	if err != nil && isDuplicate(err) {
		return Passkey{}, ErrPasskeyTaken
	}
	return key, err
}

// BeginPasskeyLogin starts signing in with a passkey the browser finds
// itself (a discoverable credential): no e-mail address is asked for, and
// none is given away.
func BeginPasskeyLogin(ctx context.Context, st *store.Store, rp *PasskeyParty, secret string, now time.Time) (*protocol.CredentialAssertion, error) {
	assertion, session, err := rp.wa.BeginDiscoverableLogin()
	if err != nil {
		return nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	return assertion, st.Write(ctx, func(tx *gorm.DB) error {
		return saveCeremony(tx, secret, passkeyLogin, nil, session, now.UTC())
	})
}

// passkeyLoginCounter is the log-in limit a passkey sign-in is counted on:
// that of the caller's network, across accounts, as for passwords.
func passkeyLoginCounter(address string) []loginCounter {
	return []loginCounter{{"login-address:" + address, AddressLoginLimit,
		"Too many failed log-ins from your network. Try again in %s."}}
}

// FinishPasskeyLogin checks a passkey sign-in: the ceremony the browser
// began (once, in time), the passkey (known, its signature over the
// challenge, from Rounds' own origin) and its use counter (forward, or a
// passkey that never counts). The attempt counts on the caller's network's
// log-in limit, and a success forgives it. It returns the member and the
// passkey used.
func FinishPasskeyLogin(ctx context.Context, st *store.Store, rp *PasskeyParty, secret string, response []byte, address string, now time.Time) (User, Passkey, error) {
	now = now.UTC()
	counters := passkeyLoginCounter(address)
	if err := reserveLogin(ctx, st, counters, now); err != nil {
		return User{}, Passkey{}, err
	}
	session, err := takeCeremony(ctx, st, secret, passkeyLogin, 0, now)
	if err != nil {
		return User{}, Passkey{}, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return User{}, Passkey{}, fmt.Errorf("%w (%w)", ErrPasskeyRefused, err)
	}
	db := st.Read(ctx)
	var key Passkey
	if err := db.Where("credential_id = ?", []byte(parsed.RawID)).Limit(1).Find(&key).Error; err != nil {
		return User{}, Passkey{}, err
	}
	if key.ID == 0 {
		return User{}, Passkey{}, ErrPasskeyUnknown
	}
	u, err := userByID(db, key.UserID)
	if err != nil {
		return User{}, Passkey{}, err
	}
	owner := passkeyUser{u: u, handle: key.UserHandle, keys: []Passkey{key}}
	_, cred, err := rp.wa.ValidatePasskeyLogin(func(rawID, handle []byte) (webauthn.User, error) {
		if !bytes.Equal(handle, key.UserHandle) {
			return nil, errors.New("the user handle is not the passkey's")
		}
		return owner, nil
	}, session, parsed)
	if err != nil {
		return User{}, Passkey{}, fmt.Errorf("%w (%w)", ErrPasskeyRefused, err)
	}
	presented := parsed.Response.AuthenticatorData.Counter
	if !signCountAcceptable(key.SignCount, presented) {
		return User{}, Passkey{}, ErrPasskeyCopied
	}
	err = st.Write(ctx, func(tx *gorm.DB) error {
		// Only from the count read: two sign-ins with one count, on two
		// instances at once, cannot both pass.
		res := tx.Model(&Passkey{}).Where("id = ? AND sign_count = ?", key.ID, key.SignCount).Updates(map[string]any{
			"sign_count": presented, "backup_state": cred.Flags.BackupState, "last_used_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrPasskeyCopied
		}
		return tx.Model(&loginAttempt{}).Where("key = ? AND failures > 0", counters[0].key).
			Update("failures", gorm.Expr("failures - 1")).Error
	})
	if err != nil {
		return User{}, Passkey{}, err
	}
	key.SignCount, key.BackupState, key.LastUsedAt = presented, cred.Flags.BackupState, &now
	return u, key, nil
}

// RenamePasskey gives one of the member's passkeys a new name.
func RenamePasskey(ctx context.Context, st *store.Store, userID, id int64, name string) (Passkey, error) {
	if strings.TrimSpace(name) == "" {
		return Passkey{}, &ValidationError{Fields: map[string]string{"name": "Give the passkey a name."}}
	}
	name, err := passkeyName(name, time.Time{})
	if err != nil {
		return Passkey{}, err
	}
	var key Passkey
	err = st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND user_id = ?", id, userID).Take(&key).Error; err != nil {
			return notFound(err)
		}
		key.Name = name
		return tx.Model(&Passkey{}).Where("id = ?", id).Update("name", name).Error
	})
	return key, err
}

// RemovePasskey removes one of the member's passkeys: it no longer signs
// them in. Their password, and their other passkeys, still do.
func RemovePasskey(ctx context.Context, st *store.Store, userID, id int64) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Where("id = ? AND user_id = ?", id, userID).Delete(&Passkey{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		return nil
	})
}
