// Copyright 2020 CAOS AG; the zitadel/oidc authors. Licensed under the
// Apache License, Version 2.0 (the "License"); you may not use this file
// except in compliance with the License. You may obtain a copy of the
// License at http://www.apache.org/licenses/LICENSE-2.0. Unless required
// by applicable law or agreed to in writing, software distributed under the
// License is distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR
// CONDITIONS OF ANY KIND, either express or implied. See the License for
// the specific language governing permissions and limitations under the
// License.
//
// Adapted for Rounds' tests from example/server/storage and
// example/server/exampleop of github.com/zitadel/oidc/v3 v3.52.0: the
// in-memory storage trimmed to the authorisation code flow of one web
// client, a plain login form, and knobs that make the provider misbehave.

// Package oidctest runs a real OpenID Provider (zitadel/oidc's op package)
// in-process on an httptest server, for Rounds' single sign-on tests and
// browser journeys. Only tests import it.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/text/language"

	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is a person the provider knows.
type User struct {
	Username, Password string
	Subject            string
	Email              string
	EmailVerified      *bool // nil: the claim is left out (as Entra ID does)
	Name               string
	Claims             map[string]any // more claims for the ID token (tid, xms_edov)
}

// Provider is the running provider. ClientID and ClientSecret name the one
// client it knows, whose redirect URI is given to New.
type Provider struct {
	URL          string // the issuer
	ClientID     string
	ClientSecret string
	Server       *httptest.Server

	mu       sync.Mutex
	users    map[string]User
	requests map[string]*authRequest
	codes    map[string]string
	down     bool
	key      *rsa.PrivateKey
	keyID    string
	client   *client

	// Knobs that make the next ID tokens wrong, for refusal tests.
	Audience []string      // the tokens' audience (and azp) instead of the client id, signed by the provider
	Nonce    *string       // the tokens' nonce instead of the one asked for
	Lifetime time.Duration // the tokens' lifetime (default an hour; negative: expired)
}

// New starts a provider on a new httptest server whose one client sends
// people back to redirectURI.
func New(redirectURI string) (*Provider, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	p := &Provider{
		ClientID: "rounds", ClientSecret: "rounds-test-secret",
		users: map[string]User{}, requests: map[string]*authRequest{}, codes: map[string]string{},
		key: key, keyID: "key1",
	}
	p.client = &client{id: p.ClientID, redirectURIs: []string{redirectURI}, p: p}
	mux := http.NewServeMux()
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/oauth/token" && p.Audience != nil {
			p.readdressed(mux, w, r)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	p.URL = p.Server.URL
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:          sha256.Sum256([]byte("rounds oidctest")),
		CodeMethodS256:     true,
		AuthMethodPost:     true,
		SupportedUILocales: []language.Tag{language.English},
	}, p, op.StaticIssuer(p.URL), op.WithAllowInsecure())
	if err != nil {
		p.Server.Close()
		return nil, err
	}
	mux.HandleFunc("/login", p.login)
	mux.Handle("/", provider)
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() { p.Server.Close() }

// AddUser lets a person sign in at the provider.
func (p *Provider) AddUser(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.users[u.Username] = u
}

// SetDown makes the provider answer every request 503 (true), or serve again.
func (p *Provider) SetDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
}

// Bool is a pointer to b, for User.EmailVerified.
func Bool(b bool) *bool { return &b }

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>University sign-in</title></head>
<body><main><h1>University sign-in</h1>
{{with .Error}}<p role="alert">{{.}}</p>{{end}}
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>`))

// login is the provider's own sign-in page, where the authorisation
// endpoint sends the browser.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id := r.FormValue("authRequestID")
	if r.Method == http.MethodPost {
		id = r.FormValue("id")
		p.mu.Lock()
		u, known := p.users[r.FormValue("username")]
		req, pending := p.requests[id]
		ok := known && pending && u.Password == r.FormValue("password")
		if ok {
			req.userID, req.done, req.authTime = u.Subject, true, time.Now()
		}
		p.mu.Unlock()
		if ok {
			http.Redirect(w, r, p.URL+"/authorize/callback?id="+url.QueryEscape(id), http.StatusFound)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		_ = loginForm.Execute(w, map[string]string{"ID": id, "Error": "Wrong username or password."})
		return
	}
	_ = loginForm.Execute(w, map[string]string{"ID": id})
}

// LoginURL is where the provider's authorisation endpoint sent the browser
// to sign in; SignIn posts its form.
func (p *Provider) SignIn(c *http.Client, loginURL, username, password string) (*http.Response, error) {
	u, err := url.Parse(loginURL)
	if err != nil {
		return nil, err
	}
	return c.PostForm(p.URL+"/login", url.Values{"id": {u.Query().Get("authRequestID")}, "username": {username}, "password": {password}})
}

// userByID finds a user by subject; the caller holds p.mu.
func (p *Provider) userByID(subject string) (User, bool) {
	for _, u := range p.users {
		if u.Subject == subject {
			return u, true
		}
	}
	return User{}, false
}

func (p *Provider) newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}

// readdressed serves the token endpoint, then signs the ID token again
// with the provider's key for the audience of p.Audience: a token the
// provider really issued, but for another application.
func (p *Provider) readdressed(next http.Handler, w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var body map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	raw, _ := body["id_token"].(string)
	sig, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	var claims map[string]any
	if err == nil {
		err = json.Unmarshal(sig.UnsafePayloadWithoutVerification(), &claims)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	claims["aud"], claims["azp"] = p.Audience, p.Audience[0]
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: p.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", p.keyID))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	payload, _ := json.Marshal(claims)
	signed, err := signer.Sign(payload)
	if err == nil {
		body["id_token"], err = signed.CompactSerialize()
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}
