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
// Adapted from example/server/storage of github.com/zitadel/oidc/v3 v3.52.0.

package oidctest

import (
	"context"
	"errors"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

var _ op.Storage = (*Provider)(nil)

// authRequest is one sign-in under way (the example's AuthRequest).
type authRequest struct {
	id, clientID, redirectURI, state, nonce string
	scopes                                  []string
	responseType                            oidc.ResponseType
	responseMode                            oidc.ResponseMode
	challenge                               *oidc.CodeChallenge
	userID                                  string
	done                                    bool
	authTime                                time.Time
	p                                       *Provider
}

func (a *authRequest) GetID() string                         { return a.id }
func (a *authRequest) GetACR() string                        { return "" }
func (a *authRequest) GetAMR() []string                      { return []string{"pwd"} }
func (a *authRequest) GetClientID() string                   { return a.clientID }
func (a *authRequest) GetAudience() []string                 { return []string{a.clientID} }
func (a *authRequest) GetAuthTime() time.Time                { return a.authTime }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge { return a.challenge }
func (a *authRequest) GetNonce() string {
	if a.p.Nonce != nil {
		return *a.p.Nonce
	}
	return a.nonce
}
func (a *authRequest) GetRedirectURI() string             { return a.redirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.responseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.responseMode }
func (a *authRequest) GetScopes() []string                { return a.scopes }
func (a *authRequest) GetState() string                   { return a.state }
func (a *authRequest) GetSubject() string                 { return a.userID }
func (a *authRequest) Done() bool                         { return a.done }

// client is the provider's one web client (the example's WebClient).
type client struct {
	id           string
	redirectURIs []string
	p            *Provider
}

func (c *client) GetID() string                       { return c.id }
func (c *client) RedirectURIs() []string              { return c.redirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) DevMode() bool                        { return true } // http:// redirect URIs
func (c *client) IsScopeAllowed(string) bool           { return false }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true } // e-mail and name in the ID token
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IDTokenLifetime() time.Duration {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	if c.p.Lifetime != 0 {
		return c.p.Lifetime
	}
	return time.Hour
}

var errNotFound = errors.New("not found")

func (p *Provider) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, userID string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	a := &authRequest{id: p.newID(), clientID: r.ClientID, redirectURI: r.RedirectURI, state: r.State, nonce: r.Nonce,
		scopes: r.Scopes, responseType: r.ResponseType, responseMode: r.ResponseMode, userID: userID, p: p}
	if r.CodeChallenge != "" {
		a.challenge = &oidc.CodeChallenge{Challenge: r.CodeChallenge, Method: r.CodeChallengeMethod}
	}
	p.requests[a.id] = a
	return a, nil
}

func (p *Provider) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.requests[id]; ok {
		return a, nil
	}
	return nil, errNotFound
}

func (p *Provider) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	p.mu.Lock()
	id, ok := p.codes[code]
	p.mu.Unlock()
	if !ok {
		return nil, errors.New("code invalid or used")
	}
	return p.AuthRequestByID(ctx, id)
}

func (p *Provider) SaveAuthCode(_ context.Context, id, code string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.codes[code] = id
	return nil
}

// DeleteAuthRequest is called once a code has been exchanged: the code is
// then used up.
func (p *Provider) DeleteAuthRequest(_ context.Context, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.requests, id)
	for code, rid := range p.codes {
		if rid == id {
			delete(p.codes, code)
		}
	}
	return nil
}

func (p *Provider) CreateAccessToken(context.Context, op.TokenRequest) (string, time.Time, error) {
	return p.newID(), time.Now().Add(5 * time.Minute), nil
}

func (p *Provider) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("no refresh tokens")
}

func (p *Provider) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

func (p *Provider) TerminateSession(context.Context, string, string) error { return nil }

func (p *Provider) RevokeToken(context.Context, string, string, string) *oidc.Error { return nil }

func (p *Provider) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct {
	id  string
	key any
}

func (s *signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s *signingKey) Key() any                                    { return s.key }
func (s *signingKey) ID() string                                  { return s.id }

type publicKey struct{ signingKey }

func (s *publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (s *publicKey) Use() string                        { return "sig" }

func (p *Provider) SigningKey(context.Context) (op.SigningKey, error) {
	return &signingKey{id: p.keyID, key: p.key}, nil
}

func (p *Provider) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (p *Provider) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{&publicKey{signingKey{id: p.keyID, key: &p.key.PublicKey}}}, nil
}

func (p *Provider) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != p.client.id {
		return nil, errNotFound
	}
	return p.client, nil
}

func (p *Provider) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != p.ClientID || secret != p.ClientSecret {
		return errors.New("invalid client")
	}
	return nil
}

func (p *Provider) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims (op.CanSetUserinfoFromRequest).
func (p *Provider) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return p.setUserinfo(info, r.GetSubject(), scopes)
}

func (p *Provider) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return errors.New("no userinfo endpoint here")
}

func (p *Provider) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, ok := p.userByID(subject)
	if !ok {
		return errNotFound
	}
	for _, s := range scopes {
		switch s {
		case oidc.ScopeOpenID:
			info.Subject = u.Subject
		case oidc.ScopeEmail:
			info.Email = u.Email
			if u.EmailVerified != nil {
				info.EmailVerified = oidc.Bool(*u.EmailVerified)
			}
		case oidc.ScopeProfile:
			info.Name = u.Name
			info.PreferredUsername = u.Username
		}
	}
	for k, v := range u.Claims {
		info.AppendClaims(k, v)
	}
	return nil
}

func (p *Provider) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("no introspection here")
}

func (p *Provider) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (p *Provider) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errNotFound
}

func (p *Provider) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("no JWT profile here")
}

func (p *Provider) Health(context.Context) error { return nil }
