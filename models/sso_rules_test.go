package models

import (
	"errors"
	"testing"
)

func TestSSOEmail(t *testing.T) {
	yes, no := true, false
	const tenant = "11111111-2222-3333-4444-555555555555"
	uni := SSORules{Domains: []string{"uni.ac.uk"}}
	entra := SSORules{Domains: []string{"uni.ac.uk"}, EntraTenant: tenant}
	cases := []struct {
		name  string
		c     SSOClaims
		r     SSORules
		email string
		err   *Error
	}{
		{"verified, allowed", SSOClaims{Email: " Ann@Uni.ac.uk ", EmailVerified: &yes}, uni, "ann@uni.ac.uk", nil},
		{"verified, another domain", SSOClaims{Email: "ann@gmail.com", EmailVerified: &yes}, uni, "", &Error{Code: "sso_domain_not_allowed"}},
		{"a subdomain is another domain", SSOClaims{Email: "ann@evil.uni.ac.uk", EmailVerified: &yes}, uni, "", &Error{Code: "sso_domain_not_allowed"}},
		{"any domain with *", SSOClaims{Email: "ann@gmail.com", EmailVerified: &yes}, SSORules{Domains: []string{"*"}}, "ann@gmail.com", nil},
		{"not verified", SSOClaims{Email: "ann@uni.ac.uk", EmailVerified: &no}, uni, "", ErrSSOEmailUnverified},
		{"verification not said", SSOClaims{Email: "ann@uni.ac.uk"}, uni, "", ErrSSOEmailUnverified},
		{"no address", SSOClaims{EmailVerified: &yes}, uni, "", ErrSSONoEmail},
		{"not an address", SSOClaims{Email: "ann", EmailVerified: &yes}, uni, "", ErrSSONoEmail},
		{"Entra, its tenant, domain owned", SSOClaims{Email: "ann@uni.ac.uk", TenantID: tenant, EmailDomainVerified: &yes}, entra, "ann@uni.ac.uk", nil},
		{"Entra, domain ownership not said", SSOClaims{Email: "ann@uni.ac.uk", TenantID: tenant}, entra, "", ErrSSOEmailUnverified},
		{"Entra, domain not owned", SSOClaims{Email: "ann@uni.ac.uk", TenantID: tenant, EmailDomainVerified: &no}, entra, "", ErrSSOEmailUnverified},
		{"Entra, another tenant", SSOClaims{Email: "ann@uni.ac.uk", TenantID: "99999999-2222-3333-4444-555555555555", EmailDomainVerified: &yes}, entra, "", ErrSSOEmailUnverified},
		{"xms_edov from an issuer that is not Entra", SSOClaims{Email: "ann@uni.ac.uk", TenantID: tenant, EmailDomainVerified: &yes}, uni, "", ErrSSOEmailUnverified},
		{"Entra, domain owned, another domain", SSOClaims{Email: "ann@gmail.com", TenantID: tenant, EmailDomainVerified: &yes}, entra, "", &Error{Code: "sso_domain_not_allowed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ssoEmail(tc.c, tc.r)
			if got != tc.email {
				t.Errorf("email %q, want %q", got, tc.email)
			}
			var de *Error
			switch {
			case tc.err == nil && err != nil:
				t.Errorf("refused: %v", err)
			case tc.err != nil && (!errors.As(err, &de) || de.Code != tc.err.Code):
				t.Errorf("error %v, want %s", err, tc.err.Code)
			}
		})
	}
}

func TestEntraTenant(t *testing.T) {
	for issuer, want := range map[string]string{
		"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0":              "11111111-2222-3333-4444-555555555555",
		"https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/":             "11111111-2222-3333-4444-555555555555",
		"https://login.microsoftonline.com/common/v2.0":                                            "",
		"https://login.microsoftonline.com/organizations/v2.0":                                     "",
		"https://login.microsoftonline.com.evil.example/11111111-2222-3333-4444-555555555555/v2.0": "",
		"https://sts.windows.net/11111111-2222-3333-4444-555555555555/":                            "",
		"https://accounts.google.com":                                                              "",
	} {
		if got := EntraTenant(issuer); got != want {
			t.Errorf("%s: %q, want %q", issuer, got, want)
		}
	}
}

func TestSSOName(t *testing.T) {
	for in, want := range map[string]string{"  Ann Lee ": "Ann Lee", "": "", "Ann\u202eLee": "", "Ann\nLee": ""} {
		if got := ssoName(SSOClaims{Name: in}); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
