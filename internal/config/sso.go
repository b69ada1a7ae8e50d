package config

import (
	"net/url"
	"strconv"
	"strings"
)

// parseSSO reads the single sign-on settings. With an issuer, the client id
// and secret and at least one e-mail domain are needed: an empty list of
// domains would leave open who may sign in, so it is refused rather than
// read as "anyone" or "nobody".
func parseSSO(c *Config, get func(string) string, bad func(env, format string, a ...any)) {
	c.OIDCIssuer = get("ROUNDS_OIDC_ISSUER") // exactly as the provider says it: some end in "/"
	c.OIDCClientID = get("ROUNDS_OIDC_CLIENT_ID")
	c.OIDCClientSecret = get("ROUNDS_OIDC_CLIENT_SECRET")
	c.OIDCName = get("ROUNDS_OIDC_NAME")
	for _, d := range strings.Split(get("ROUNDS_OIDC_DOMAINS"), ",") {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" {
			c.OIDCDomains = append(c.OIDCDomains, d)
		}
	}
	var err error
	c.PasswordLogin, err = strconv.ParseBool(get("ROUNDS_PASSWORD_LOGIN"))
	if err != nil {
		bad("ROUNDS_PASSWORD_LOGIN", "%q must be true or false", get("ROUNDS_PASSWORD_LOGIN"))
	}
	if c.OIDCIssuer == "" {
		c.PasswordLogin = true // without single sign-on, a password is the only way in
		return
	}
	if u, err := url.Parse(c.OIDCIssuer); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopback(u.Hostname()))) {
		bad("ROUNDS_OIDC_ISSUER", "%q must be an https:// URL (http:// only on this machine, for testing)", c.OIDCIssuer)
	}
	if c.OIDCClientID == "" {
		bad("ROUNDS_OIDC_CLIENT_ID", "must be set with ROUNDS_OIDC_ISSUER")
	}
	if c.OIDCClientSecret == "" {
		bad("ROUNDS_OIDC_CLIENT_SECRET", "must be set with ROUNDS_OIDC_ISSUER")
	}
	if c.OIDCName == "" {
		bad("ROUNDS_OIDC_NAME", "must not be empty")
	}
	if len(c.OIDCDomains) == 0 {
		bad("ROUNDS_OIDC_DOMAINS", "name the e-mail domains whose people may sign in by single sign-on, e.g. kcl.ac.uk (or * for any address the provider vouches for)")
	}
}

// SSO tells whether single sign-on is on.
func (c Config) SSO() bool { return c.OIDCIssuer != "" }

func loopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}
