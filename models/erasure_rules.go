package models

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// ErasureDelay is how long an erasure waits after the member asks, so that
// they can change their mind (or notice that someone else asked).
const ErasureDelay = 7 * 24 * time.Hour

// ErasedName is what an erased member is called wherever their name
// appeared: the teacher of the sessions they taught, a register, a list.
const ErasedName = "A former member"

// ErasureConfirmWord is what a member without a password types to confirm
// that their account should be erased.
const ErasureConfirmWord = "DELETE"

// eraseAt is when an erasure asked for at now is carried out.
func eraseAt(now time.Time) time.Time { return now.UTC().Add(ErasureDelay) }

// erasureDue tells whether an erasure waiting until dueAt is carried out at now.
func erasureDue(dueAt, now time.Time) bool { return !now.Before(dueAt) }

// HasPassword tells whether u can log in with a password: the page that
// erases an account asks for it, or, without one, for DELETE typed.
func HasPassword(u User) bool { return hasPassword(u.PasswordHash) }

// hasPassword tells whether an account has a password to check (a bcrypt
// hash); an account made by single sign-on, or erased, has none.
func hasPassword(hash string) bool { return strings.HasPrefix(hash, "$2") }

// ErasureProof is what the confirmation page asks of a member before their
// account is erased: their password, or, without one, the word DELETE.
type ErasureProof struct {
	Password string
	Typed    string
}

// erasureProofError says what is wrong with the proof a member gave, or
// nil: with a password, the right one (passwordOK); without, DELETE typed
// (in any case, spaces around forgiven).
func erasureProofError(withPassword, passwordOK bool, p ErasureProof) error {
	if withPassword {
		switch {
		case p.Password == "":
			return &ValidationError{Fields: map[string]string{"password": "Enter your password to confirm."}}
		case !passwordOK:
			return &ValidationError{Fields: map[string]string{"password": "That is not your password."}}
		}
		return nil
	}
	if !strings.EqualFold(strings.TrimSpace(p.Typed), ErasureConfirmWord) {
		return &ValidationError{Fields: map[string]string{"confirm": "Type DELETE, in capitals, to confirm."}}
	}
	return nil
}

// graduateErasable tells whether a former student who graduated at
// graduatedAt is erased at now when accounts are kept years after
// graduating (0: forever).
func graduateErasable(graduatedAt time.Time, years int, now time.Time) bool {
	return years > 0 && !now.Before(graduatedAt.AddDate(years, 0, 0))
}

// erasedAddress is the address an erased account is left with: unique, and
// in the .invalid domain, which no mail is ever delivered to (RFC 2606).
func erasedAddress(userID int64) string {
	return "erased-" + strconv.FormatInt(userID, 10) + "@" + erasedDomain
}

// ErasedAddress tells whether addr is an erased account's placeholder, to
// which nothing is ever sent.
func ErasedAddress(addr string) bool {
	return strings.HasSuffix(strings.ToLower(addr), "@"+erasedDomain)
}

const erasedDomain = "erased.invalid"

// withoutText keeps the answers that are not words (ratings), so that a
// scheme's figures stay as they were and nothing the member wrote remains.
func withoutText(answers map[string]any) map[string]any {
	out := make(map[string]any, len(answers))
	for k, v := range answers {
		if _, ok := v.(string); !ok {
			out[k] = v
		}
	}
	return out
}

// ErasureCancelToken is the signed part of the link in the
// erasure_scheduled e-mail that calls off erasure request requestID of
// userID: "<request id>.<signature>". It stops working once the request is
// no longer waiting, so it serves once.
func ErasureCancelToken(key []byte, requestID, userID int64) string {
	id := strconv.FormatInt(requestID, 10)
	return id + "." + erasureSignature(key, id, userID)
}

// erasureTokenRequest reads the request id from a token; the signature is
// checked against the request's member with erasureTokenValid.
func erasureTokenRequest(token string) (int64, string, bool) {
	idText, sig, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if !ok || err != nil || id <= 0 || sig == "" {
		return 0, "", false
	}
	return id, sig, true
}

// erasureTokenValid tells whether sig signs request requestID of userID.
func erasureTokenValid(key []byte, requestID, userID int64, sig string) bool {
	return hmac.Equal([]byte(sig), []byte(erasureSignature(key, strconv.FormatInt(requestID, 10), userID)))
}

func erasureSignature(key []byte, id string, userID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("erasure-cancel:" + id + "." + strconv.FormatInt(userID, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
