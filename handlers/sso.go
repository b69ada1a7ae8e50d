package handlers

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/labstack/echo/v4"
	"golang.org/x/oauth2"

	"rounds/models"
)

// Single sign-on by OpenID Connect: the authorisation code flow with PKCE
// (S256), state and nonce. What the browser must bring back (state, nonce,
// the PKCE verifier, the page to return to) rides in a cookie encrypted and
// signed with a key of this Rounds (AES-GCM), bound to the purpose it was
// made for, valid for ssoStateAge and cleared by the callback that reads it.
const (
	ssoStateCookie = "rounds_sso"
	ssoNewCookie   = "rounds_sso_new"
	ssoStateAge    = 10 * time.Minute
	// ssoNewAge is how long a newcomer has to say their year of study.
	ssoNewAge = 30 * time.Minute
	// ssoRetry is how long a failed discovery of the provider is remembered
	// before the next sign-in tries again.
	ssoRetry = 5 * time.Second
)

// ssoProvider is the provider, discovered on the first sign-in rather than
// at start, so that a provider that is down never stops Rounds starting;
// a failed discovery is tried again by a later sign-in.
type ssoProvider struct {
	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	failedAt time.Time
	client   *http.Client
}

// ssoKit returns the provider's OAuth 2.0 settings and ID-token verifier,
// discovering them first if need be.
func (h *Handler) ssoKit() (oauth2.Config, *oidc.IDTokenVerifier, error) {
	p := h.sso
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.verifier != nil {
		return p.oauth, p.verifier, nil
	}
	if !p.failedAt.IsZero() && h.Clock.Now().Sub(p.failedAt) < ssoRetry {
		return oauth2.Config{}, nil, models.ErrSSOUnavailable
	}
	// The provider keeps this context to fetch its keys later: it must
	// outlive the request, and its client sets the time limit.
	ctx := oidc.ClientContext(context.Background(), p.client)
	provider, err := oidc.NewProvider(ctx, h.Config.OIDCIssuer)
	if err != nil {
		p.failedAt = h.Clock.Now()
		h.Log.Warn("single sign-on: provider discovery failed", "issuer", h.Config.OIDCIssuer, "error", err)
		return oauth2.Config{}, nil, models.ErrSSOUnavailable
	}
	p.oauth = oauth2.Config{
		ClientID: h.Config.OIDCClientID, ClientSecret: h.Config.OIDCClientSecret,
		Endpoint: provider.Endpoint(), RedirectURL: h.Config.BaseURL + "/auth/oidc/callback",
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
	p.verifier = provider.Verifier(&oidc.Config{ClientID: h.Config.OIDCClientID, Now: h.Clock.Now})
	return p.oauth, p.verifier, nil
}

// ssoRules is how this Rounds trusts its provider.
func (h *Handler) ssoRules() models.SSORules {
	return models.SSORules{Domains: h.Config.OIDCDomains, EntraTenant: models.EntraTenant(h.Config.OIDCIssuer)}
}

// ssoState is what the browser carries from the sign-in to the callback.
type ssoState struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"r"`
	Expires  time.Time `json:"e"`
}

// ssoNewcomer is what the browser carries from the callback to the year of
// study page: the claims of a provider that vouched for an address no
// account has yet.
type ssoNewcomer struct {
	Claims  models.SSOClaims `json:"c"`
	Name    string           `json:"m"` // the provider's name for them, if Rounds can use it
	Next    string           `json:"r"`
	Expires time.Time        `json:"e"`
}

// ssoLogin is GET /auth/oidc/login: off to the provider.
func (h *Handler) ssoLogin(c echo.Context) error {
	if !h.Config.SSO() {
		return echo.ErrNotFound
	}
	next := safeNext(c.QueryParam("next"))
	if currentUser(c) != nil {
		return redirect(c, next)
	}
	oauth, _, err := h.ssoKit()
	if err != nil {
		return h.ssoRefuse(c, err, next)
	}
	st := ssoState{State: models.NewSecret(), Nonce: models.NewSecret(), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: h.Clock.Now().Add(ssoStateAge)}
	if err := h.setSealed(c, ssoStateCookie, st, ssoStateAge); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)))
}

// ssoCallback is GET /auth/oidc/callback: the provider sends the browser
// back with a code, which is exchanged (with the PKCE verifier) for an ID
// token; its signature, issuer, audience, expiry and nonce are checked
// before anything it says is believed.
func (h *Handler) ssoCallback(c echo.Context) error {
	if !h.Config.SSO() {
		return echo.ErrNotFound
	}
	var st ssoState
	ok := h.openSealed(c, ssoStateCookie, &st)
	h.clearCookie(c, ssoStateCookie) // single use, whatever comes of it
	if !ok || !h.Clock.Now().Before(st.Expires) {
		h.Log.Info("single sign-on refused: no sign-in under way in this browser")
		return h.ssoRefuse(c, models.ErrSSOFailed, "/")
	}
	if subtle.ConstantTimeCompare([]byte(c.QueryParam("state")), []byte(st.State)) != 1 {
		h.Log.Warn("single sign-on refused: state differs")
		return h.ssoRefuse(c, models.ErrSSOFailed, st.Next)
	}
	if c.QueryParam("error") != "" {
		h.Log.Info("single sign-on: the provider answered an error", "error", c.QueryParam("error"))
		return h.ssoRefuse(c, models.ErrSSOCancelled, st.Next)
	}
	oauth, verifier, err := h.ssoKit()
	if err != nil {
		return h.ssoRefuse(c, err, st.Next)
	}
	ctx := oidc.ClientContext(c.Request().Context(), h.sso.client)
	tok, err := oauth.Exchange(ctx, c.QueryParam("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			h.Log.Warn("single sign-on: the provider's token endpoint failed", "error", err)
			return h.ssoRefuse(c, models.ErrSSOUnavailable, st.Next)
		}
		h.Log.Warn("single sign-on refused: code not accepted", "error", err)
		return h.ssoRefuse(c, models.ErrSSOFailed, st.Next)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		h.Log.Warn("single sign-on refused: ID token not accepted", "error", err)
		return h.ssoRefuse(c, models.ErrSSOFailed, st.Next)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		h.Log.Warn("single sign-on refused: nonce differs")
		return h.ssoRefuse(c, models.ErrSSOFailed, st.Next)
	}
	claims, err := ssoClaims(idt)
	if err != nil {
		h.Log.Info("single sign-on refused: claims unreadable", "error", err)
		return h.ssoRefuse(c, models.ErrSSOFailed, st.Next)
	}
	got, err := models.SignInWithSSO(c.Request().Context(), h.Store, claims, h.ssoRules(), h.Clock.Now())
	if err != nil {
		return h.ssoRefuse(c, err, st.Next)
	}
	if got.New {
		nc := ssoNewcomer{Claims: claims, Name: got.Name, Next: st.Next, Expires: h.Clock.Now().Add(ssoNewAge)}
		if err := h.setSealed(c, ssoNewCookie, nc, ssoNewAge); err != nil {
			return err
		}
		return redirect(c, "/auth/oidc/year")
	}
	return h.startLogin(c, got.User, st.Next)
}

// ssoClaims reads the claims Rounds uses. Some providers send booleans as
// strings ("true"); both are read.
func ssoClaims(idt *oidc.IDToken) (models.SSOClaims, error) {
	var raw struct {
		Email         string          `json:"email"`
		EmailVerified json.RawMessage `json:"email_verified"`
		Name          string          `json:"name"`
		GivenName     string          `json:"given_name"`
		FamilyName    string          `json:"family_name"`
		TenantID      string          `json:"tid"`
		EDOV          json.RawMessage `json:"xms_edov"`
	}
	if err := idt.Claims(&raw); err != nil {
		return models.SSOClaims{}, err
	}
	c := models.SSOClaims{Issuer: idt.Issuer, Subject: idt.Subject, Email: raw.Email, Name: raw.Name, TenantID: raw.TenantID,
		EmailVerified: claimBool(raw.EmailVerified), EmailDomainVerified: claimBool(raw.EDOV)}
	if c.Name == "" {
		c.Name = strings.TrimSpace(raw.GivenName + " " + raw.FamilyName)
	}
	return c, nil
}

// claimBool reads a boolean claim sent as true/false, "true"/"false" or
// 1/0; nil when it is missing or anything else.
func claimBool(v json.RawMessage) *bool {
	s := strings.Trim(strings.TrimSpace(string(v)), `"`)
	b, err := strconv.ParseBool(s)
	if len(v) == 0 || err != nil {
		return nil
	}
	return &b
}

// ssoRefuse shows the log-in page with why single sign-on did not work,
// with a 4xx status; nothing has been created.
func (h *Handler) ssoRefuse(c echo.Context, err error, next string) error {
	status, body := classify(err)
	if status >= 500 {
		return err
	}
	return h.render(c, status, "login", h.withSSO(map[string]any{
		"Title": "Log in", "Form": map[string]string{"next": safeNext(next)}, "Error": body.Message,
	}))
}

// ssoView is what the log-in page shows of single sign-on.
type ssoView struct {
	Name string
	// Fold: accounts linked to single sign-on may not use a password, so
	// the password form is folded away for the few accounts without it.
	Fold bool
}

// withSSO adds the single sign-on button to the log-in page's data.
func (h *Handler) withSSO(d map[string]any) map[string]any {
	if h.Config.SSO() {
		d["SSO"] = ssoView{Name: h.Config.OIDCName, Fold: !h.Config.PasswordLogin}
	}
	return d
}

// passwordAllowed refuses a password log-in to an account linked to single
// sign-on when ROUNDS_PASSWORD_LOGIN is false; accounts without it (the
// committee's own, made by 'rounds user create') keep their password.
func (h *Handler) passwordAllowed(ctx context.Context, u models.User) error {
	if !h.passwordsOff(true) { // even linked accounts keep their password: no need to look
		return nil
	}
	linked, err := models.HasSSOIdentity(ctx, h.Store, u.ID)
	if err != nil {
		return err
	}
	if h.passwordsOff(linked) {
		return models.ErrPasswordLoginOff
	}
	return nil
}

// passwordsOff tells whether a password is refused for an account that is,
// or is not, linked to single sign-on: only linked ones, and only with
// single sign-on on and ROUNDS_PASSWORD_LOGIN false.
func (h *Handler) passwordsOff(linked bool) bool {
	return linked && h.Config.SSO() && !h.Config.PasswordLogin
}

// ssoYearPage is GET /auth/oidc/year: a newcomer says their name and year
// of study once, before their account is made.
func (h *Handler) ssoYearPage(c echo.Context) error {
	if !h.Config.SSO() {
		return echo.ErrNotFound
	}
	nc, ok := h.newcomer(c)
	if !ok {
		return h.ssoRefuse(c, models.ErrSSOFailed, "/")
	}
	return h.render(c, http.StatusOK, "sso_year", map[string]any{
		"Title": "Welcome to Rounds", "Email": models.NormalizeEmail(nc.Claims.Email),
		"Form": map[string]string{"name": nc.Name, "year_of_study": "1"},
	})
}

// ssoYearSubmit is POST /auth/oidc/year: the account is made, confirmed and
// linked, and the newcomer logged in.
func (h *Handler) ssoYearSubmit(c echo.Context) error {
	if !h.Config.SSO() {
		return echo.ErrNotFound
	}
	nc, ok := h.newcomer(c)
	if !ok {
		return h.ssoRefuse(c, models.ErrSSOFailed, "/")
	}
	form := map[string]string{"name": c.FormValue("name"), "year_of_study": c.FormValue("year_of_study")}
	year, ok := formYear(form["year_of_study"])
	var err error
	var u models.User
	if !ok {
		err = &models.ValidationError{Fields: map[string]string{"year_of_study": "Choose a year from 1 to 6, or graduate."}}
	} else {
		u, err = models.SignUpWithSSO(c.Request().Context(), h.Store, nc.Claims, h.ssoRules(), form["name"], year, h.Clock.Now())
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.render(c, http.StatusUnprocessableEntity, "sso_year", map[string]any{
			"Title": "Welcome to Rounds", "Email": models.NormalizeEmail(nc.Claims.Email), "Form": form, "Errors": ve.Fields,
		})
	}
	if err != nil {
		status, _ := classify(err)
		if status >= 500 {
			return err
		}
		h.clearCookie(c, ssoNewCookie)
		return h.ssoRefuse(c, err, nc.Next)
	}
	h.clearCookie(c, ssoNewCookie)
	h.flash(c, "success", "Welcome to Rounds, "+u.Name+".")
	return h.startLogin(c, u, nc.Next)
}

// newcomer reads the newcomer's cookie, if it is there and still valid.
func (h *Handler) newcomer(c echo.Context) (ssoNewcomer, bool) {
	var nc ssoNewcomer
	if !h.openSealed(c, ssoNewCookie, &nc) || !h.Clock.Now().Before(nc.Expires) {
		return ssoNewcomer{}, false
	}
	return nc, true
}

// setSealed sets a cookie holding v, encrypted and authenticated for the
// cookie's name.
func (h *Handler) setSealed(c echo.Context, name string, v any, age time.Duration) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return err
	}
	aead, err := h.ssoAEAD()
	if err != nil {
		return err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := aead.Seal(nonce, nonce, plain, []byte(name))
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(name), Value: base64.RawURLEncoding.EncodeToString(sealed), Path: "/",
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(age / time.Second),
	})
	return nil
}

// openSealed reads a cookie set by setSealed into v.
func (h *Handler) openSealed(c echo.Context, name string, v any) bool {
	ck, err := c.Cookie(h.cookieName(name))
	if err != nil || ck.Value == "" {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return false
	}
	aead, err := h.ssoAEAD()
	if err != nil || len(sealed) < aead.NonceSize() {
		return false
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte(name))
	if err != nil {
		return false
	}
	return json.Unmarshal(plain, v) == nil
}

func (h *Handler) ssoAEAD() (cipher.AEAD, error) {
	key := sha256.Sum256(append([]byte("rounds-sso|"), h.ssoKey...))
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

func (h *Handler) clearCookie(c echo.Context, name string) {
	c.SetCookie(&http.Cookie{Name: h.cookieName(name), Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
