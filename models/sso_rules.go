package models

import (
	"regexp"
	"strings"
)

// SSOClaims is what a provider's ID token, its signature, issuer, audience,
// expiry and nonce already checked, says of a person.
type SSOClaims struct {
	Issuer        string `json:"iss"`
	Subject       string `json:"sub"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
	Name          string `json:"name"`
	// TenantID and EmailDomainVerified are Microsoft Entra ID's "tid" and
	// "xms_edov" claims (see SSORules.EntraTenant).
	TenantID            string `json:"tid,omitempty"`
	EmailDomainVerified *bool  `json:"xms_edov,omitempty"`
}

// SSORules is how Rounds trusts its provider.
type SSORules struct {
	// Domains are the e-mail domains whose people may sign in by single
	// sign-on (lower case, without "@"); "*" allows any. Never empty when
	// single sign-on is on: configuration refuses that.
	Domains []string
	// EntraTenant is the tenant id of a Microsoft Entra ID issuer for one
	// tenant (EntraTenant(issuer)), or "".
	EntraTenant string
}

// The refusals of a single sign-on, in words a student understands.
var (
	ErrSSOEmailUnverified = &Error{KindForbidden, "sso_email_unverified",
		"Your university account has not confirmed its e-mail address, so Rounds cannot tell whose account it is. Ask your university's IT service desk to confirm it, then try again."}
	ErrSSONoEmail = &Error{KindForbidden, "sso_no_email",
		"Your university account did not tell Rounds your e-mail address, so you cannot sign in with it. Ask your university's IT service desk, or sign up with your e-mail address."}
	ErrSSOFailed = &Error{KindForbidden, "sso_failed",
		"Signing in with your university account did not work: it may have taken too long, or been started in another tab. Please try again."}
	ErrSSOUnavailable = &Error{KindConflict, "sso_unavailable",
		"Your university's sign-in service is not answering at the moment. Please try again in a few minutes."}
	ErrSSOCancelled = &Error{KindForbidden, "sso_cancelled",
		"You did not finish signing in with your university account, so you are not logged in. You can try again."}
	ErrSSOTwice = &Error{KindConflict, "sso_sent_twice",
		"Your sign-in arrived twice at the same moment, and Rounds kept one. Please sign in again."}
	ErrPasswordLoginOff = &Error{KindForbidden, "password_login_off",
		"This account signs in with the university's single sign-on: use the button above instead of a password."}
)

// entraIssuer matches the issuer of Microsoft Entra ID (v2.0 endpoint) for
// one tenant.
var entraIssuer = regexp.MustCompile(`^https://login\.microsoftonline\.com/([0-9a-fA-F-]{36})/v2\.0/?$`)

// EntraTenant is the tenant id of a Microsoft Entra ID issuer for one
// tenant, or "" for any other issuer (including Entra's common,
// organizations and consumers ones, whose tokens come from any tenant).
func EntraTenant(issuer string) string {
	if m := entraIssuer.FindStringSubmatch(issuer); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

// ssoEmail decides which e-mail address of the claims Rounds may trust as
// the person's own, or says why none. The provider must vouch for it:
// email_verified true. Entra ID leaves email_verified out, and its "email"
// may be any address a tenant's administrator (or, for some accounts, the
// user) typed in; it is trusted only from the configured tenant ("tid")
// with "xms_edov" true, Entra's word that the tenant owns the address's
// domain. The domain must then be one of the society's.
func ssoEmail(c SSOClaims, r SSORules) (string, error) {
	email := NormalizeEmail(c.Email)
	if email == "" {
		return "", ErrSSONoEmail
	}
	switch {
	case c.EmailVerified != nil && !*c.EmailVerified:
		return "", ErrSSOEmailUnverified
	case c.EmailVerified == nil:
		entra := r.EntraTenant != "" && strings.EqualFold(c.TenantID, r.EntraTenant) && c.EmailDomainVerified != nil && *c.EmailDomainVerified
		if !entra {
			return "", ErrSSOEmailUnverified
		}
	}
	if !validEmail(email) {
		return "", ErrSSONoEmail
	}
	if !ssoDomainAllowed(email, r.Domains) {
		return "", &Error{KindForbidden, "sso_domain_not_allowed",
			"Rounds takes sign-ins from addresses of " + strings.Join(r.Domains, " or ") + " only, and the account you used is " +
				email + ". Sign in with your university account, or ask the society's committee."}
	}
	return email, nil
}

// ssoDomainAllowed tells whether the address's domain is one of domains
// ("*": any).
func ssoDomainAllowed(email string, domains []string) bool {
	_, domain, _ := strings.Cut(email, "@")
	for _, d := range domains {
		if d == "*" || domain == d {
			return true
		}
	}
	return false
}

// ssoName is the name a new member is offered: the provider's, if it is a
// name Rounds accepts, else nothing (the member types it).
func ssoName(c SSOClaims) string {
	name := strings.TrimSpace(c.Name)
	p := Problems{}
	checkName(p, name)
	if len(p) > 0 {
		return ""
	}
	return name
}
