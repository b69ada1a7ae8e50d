package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"rounds/models"
)

const (
	loginCookie = "rounds_login"
	csrfCookie  = "rounds_csrf"
	ctxUser     = "user"
	ctxToken    = "token"
)

// contentSecurityPolicy allows nothing but Rounds' own files: no inline
// script, no third parties, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (h *Handler) securityHeaders() echo.MiddlewareFunc {
	cfg := middleware.SecureConfig{
		XSSProtection:         "0",
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}
	if h.secure {
		cfg.HSTSMaxAge = 31536000
	}
	return middleware.SecureWithConfig(cfg)
}

// noStoreAPI keeps every API answer out of caches: each is about its
// caller (their profile, members, the outbox with its reset links).
func noStoreAPI(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if isAPI(c) {
			c.Response().Header().Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

func (h *Handler) csrf() echo.MiddlewareFunc {
	return middleware.CSRFWithConfig(middleware.CSRFConfig{
		// An API client with a bearer token, or with no cookie login at all,
		// cannot be the victim of a forged cross-site request.
		Skipper: func(c echo.Context) bool {
			if isOneClickUnsubscribe(c) {
				return true
			}
			if !isAPI(c) {
				return false
			}
			if bearer(c) != "" {
				return true
			}
			_, err := c.Cookie(h.cookieName(loginCookie))
			return err != nil
		},
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		CookieName:     h.cookieName(csrfCookie),
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSecure:   h.secure,
		CookieSameSite: http.SameSiteLaxMode,
		ContextKey:     "csrf",
	})
}

func (h *Handler) requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError: true, LogMethod: true, LogURIPath: true, LogStatus: true, LogLatency: true, LogRemoteIP: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			level := slog.LevelInfo
			if v.Status >= 500 {
				level = slog.LevelError
			} else if strings.HasPrefix(v.URIPath, "/static/") || v.URIPath == "/healthz" || v.URIPath == "/metrics" {
				level = slog.LevelDebug
			}
			h.Log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}

func bearer(c echo.Context) string {
	a := c.Request().Header.Get(echo.HeaderAuthorization)
	if len(a) > 7 && strings.EqualFold(a[:7], "bearer ") {
		return strings.TrimSpace(a[7:])
	}
	return ""
}

// authenticate finds who is calling: a bearer token for API clients, the
// login cookie for browsers. It never refuses; requireLogin does.
func (h *Handler) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if strings.HasPrefix(c.Request().URL.Path, "/static/") || c.Request().URL.Path == "/healthz" {
			return next(c)
		}
		now := h.Clock.Now()
		if secret := bearer(c); secret != "" {
			u, t, err := models.UserByToken(c.Request().Context(), h.Store, models.TokenAPI, secret, now)
			if err == nil {
				c.Set(ctxUser, &u)
				c.Set(ctxToken, &t)
			} else if !errors.Is(err, models.ErrTokenInvalid) {
				return err
			}
			return next(c)
		}
		if ck, err := c.Cookie(h.cookieName(loginCookie)); err == nil && ck.Value != "" {
			u, t, err := models.UserByToken(c.Request().Context(), h.Store, models.TokenLogin, ck.Value, now)
			switch {
			case err == nil:
				c.Set(ctxUser, &u)
				c.Set(ctxToken, &t)
			case errors.Is(err, models.ErrTokenInvalid):
				h.clearLoginCookie(c)
			default:
				return err
			}
		}
		return next(c)
	}
}

// currentUser is the logged-in user, or nil.
func currentUser(c echo.Context) *models.User {
	u, _ := c.Get(ctxUser).(*models.User)
	return u
}

func currentToken(c echo.Context) *models.Token {
	t, _ := c.Get(ctxToken).(*models.Token)
	return t
}

var errLoginRequired = echo.NewHTTPError(http.StatusUnauthorized, "Please log in.")

// requireLogin refuses anonymous callers: 401 for the API, a redirect to the
// log-in page (and back) for pages.
func requireLogin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if currentUser(c) == nil {
			return errLoginRequired
		}
		return next(c)
	}
}

// requireRole admits logged-in users with one of the roles.
func requireRole(roles ...models.Role) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return errLoginRequired
			}
			for _, r := range roles {
				if u.Role == r {
					return next(c)
				}
			}
			return models.ErrForbidden
		}
	}
}

func loginURL(c echo.Context) string {
	next := c.Request().URL.RequestURI()
	if c.Request().Method != http.MethodGet {
		next = c.Request().Referer()
		if u, err := url.Parse(next); err == nil {
			next = u.RequestURI()
		}
	}
	return "/login?next=" + url.QueryEscape(safeNext(next))
}

// safeNext keeps a post-login redirect on this site: a path here, or "/".
// Browsers forgive a great deal — "/<tab>/evil.example" and "/\\evil.example"
// are read as another host — so a path is refused for any control
// character, white space or backslash, a scheme or a host, in the address
// as sent and once its path is decoded (%2f%2f is //).
func safeNext(next string) string {
	path, _, _ := strings.Cut(next, "?")
	decoded, err := url.PathUnescape(path)
	if err != nil || offSite(next) || offSite(decoded) {
		return "/"
	}
	if u, err := url.Parse(next); err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	return next
}

// offSite tells whether a redirect target could take a browser elsewhere.
func offSite(s string) bool {
	return !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") ||
		strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) })
}

func (h *Handler) setLoginCookie(c echo.Context, secret string) {
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(loginCookie), Value: secret, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(h.Config.LoginTTL / time.Second),
	})
}

func (h *Handler) clearLoginCookie(c echo.Context) {
	c.SetCookie(&http.Cookie{Name: h.cookieName(loginCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// onlyLoopbackOrCommittee guards /metrics.
func (h *Handler) onlyLoopbackOrCommittee(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := currentUser(c); u.IsCommittee() {
			return next(c)
		}
		ip := echo.ExtractIPDirect()(c.Request())
		if ip == "127.0.0.1" || ip == "::1" || strings.HasPrefix(ip, "127.") {
			if c.Request().Header.Get("X-Forwarded-For") == "" {
				return next(c)
			}
		}
		if currentUser(c) == nil {
			return errLoginRequired
		}
		return models.ErrForbidden
	}
}

// readsAtOnce is how many GET requests are worked on at once: enough to keep
// every processor busy while some wait for the database, few enough that a
// crowd asking for long pages together does not hold as many pages in
// memory (each session list is a few hundred kilobytes while it is made).
func readsAtOnce() int { return 4 * runtime.GOMAXPROCS(0) }

// limitReads makes GET requests beyond readsAtOnce wait for a turn. Changes
// are not held back: on SQLite the group writer commits together the ones
// that arrive together.
func (h *Handler) limitReads(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		switch p := c.Request().URL.Path; {
		case c.Request().Method != http.MethodGet, strings.HasPrefix(p, "/static/"), p == "/healthz", p == "/readyz", p == "/metrics":
			return next(c) // health checks answer however busy the pages are
		}
		select {
		case h.readSlots <- struct{}{}:
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		}
		defer func() { <-h.readSlots }()
		return next(c)
	}
}
