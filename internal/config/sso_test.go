package config

import (
	"strings"
	"testing"
)

func TestSSOSettings(t *testing.T) {
	off, err := Load(nil, env(map[string]string{"ROUNDS_PASSWORD_LOGIN": "false"}))
	if err != nil {
		t.Fatal(err)
	}
	if off.SSO() || !off.PasswordLogin {
		t.Errorf("without an issuer single sign-on is off and passwords stay: %+v", off)
	}
	ok := map[string]string{
		"ROUNDS_OIDC_ISSUER": "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/", "ROUNDS_OIDC_CLIENT_ID": "id",
		"ROUNDS_OIDC_CLIENT_SECRET": "secret", "ROUNDS_OIDC_DOMAINS": " @KCL.ac.uk, student.kcl.ac.uk ,", "ROUNDS_PASSWORD_LOGIN": "false",
	}
	c, err := Load(nil, env(ok))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SSO() || c.PasswordLogin || c.OIDCIssuer != "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/" ||
		strings.Join(c.OIDCDomains, ",") != "kcl.ac.uk,student.kcl.ac.uk" || c.OIDCName != "Sign in with your university account" {
		t.Errorf("parsed: %+v", c)
	}
	for k, v := range map[string]string{
		"ROUNDS_OIDC_DOMAINS":       "",
		"ROUNDS_OIDC_CLIENT_ID":     "",
		"ROUNDS_OIDC_CLIENT_SECRET": "",
		"ROUNDS_OIDC_ISSUER":        "http://id.example.ac.uk",
		"ROUNDS_PASSWORD_LOGIN":     "perhaps",
	} {
		bad := map[string]string{}
		for kk, vv := range ok {
			bad[kk] = vv
		}
		bad[k] = v
		if _, err := Load(nil, env(bad)); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%q: %v", k, v, err)
		}
	}
	local := map[string]string{}
	for k, v := range ok {
		local[k] = v
	}
	local["ROUNDS_OIDC_ISSUER"] = "http://127.0.0.1:9000"
	if _, err := Load(nil, env(local)); err != nil {
		t.Errorf("a provider on this machine over http: %v", err)
	}
}
