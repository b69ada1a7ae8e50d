package handlers

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

const (
	deviceCookie = "rounds_device"
	// deviceCookieAge is how long a browser is remembered after it last
	// logged in.
	deviceCookieAge = 180 * 24 * time.Hour
	csrfCookieAge   = 24 * time.Hour // as the CSRF middleware sets it
)

// cookieName gives a cookie the __Host- prefix when the site is served over
// https: a browser then keeps it only if it is Secure, for Path=/ and with
// no Domain, so no other host (a neighbouring subdomain, a network in the
// middle) can set or replace it.
func (h *Handler) cookieName(name string) string {
	if h.secure {
		return "__Host-" + name
	}
	return name
}

// logIn checks credentials under the log-in limits and returns the user. A
// browser holding a device cookie signed for this account is counted on its
// own, so that guesses made elsewhere never stop it; a successful log-in
// gives the browser such a cookie.
func (h *Handler) logIn(c echo.Context, email, password string) (models.User, error) {
	from := models.LoginFrom{Address: clientNetwork(c.RealIP()), Device: h.knownDevice(c, email)}
	u, err := models.LogIn(c.Request().Context(), h.Store, email, password, from, h.Clock.Now())
	if err != nil {
		return models.User{}, err
	}
	if err := h.passwordAllowed(c.Request().Context(), u); err != nil {
		return models.User{}, err
	}
	id := from.Device
	if id == "" {
		id = models.NewSecret()[:22]
	}
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(deviceCookie), Value: id + "." + h.deviceSignature(u.Email, id), Path: "/",
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: int(deviceCookieAge / time.Second),
	})
	return u, nil
}

// clientNetwork is the address a log-in is counted against: an IPv4
// address, or the /64 network of an IPv6 one (one household or phone is
// given a whole /64, and could otherwise try from each of its addresses).
func clientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Unmap().Is4() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// knownDevice is the id of the caller's device cookie when it was signed for
// the account with this e-mail, or "".
func (h *Handler) knownDevice(c echo.Context, email string) string {
	ck, err := c.Cookie(h.cookieName(deviceCookie))
	if err != nil {
		return ""
	}
	id, sig, ok := strings.Cut(ck.Value, ".")
	if !ok || id == "" || len(id) > 64 {
		return ""
	}
	want := h.deviceSignature(models.NormalizeEmail(email), id)
	if subtle.ConstantTimeCompare([]byte(sig), []byte(want)) != 1 {
		return ""
	}
	return id
}

// deviceSignature binds a device id to one account's e-mail address.
func (h *Handler) deviceSignature(email, id string) string {
	m := hmac.New(sha256.New, h.deviceKey)
	m.Write([]byte("device|" + email + "|" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rotateCSRF gives the browser a new CSRF token when it logs in or out, so
// that a token planted or read before (a fixated cookie, a page served to
// someone else) is of no use afterwards.
func (h *Handler) rotateCSRF(c echo.Context) {
	name := h.cookieName(csrfCookie)
	header := c.Response().Header()
	kept := header.Values("Set-Cookie")[:0:0]
	for _, v := range header.Values("Set-Cookie") {
		if !strings.HasPrefix(v, name+"=") {
			kept = append(kept, v)
		}
	}
	header.Del("Set-Cookie")
	for _, v := range kept {
		header.Add("Set-Cookie", v)
	}
	token := models.NewSecret()
	c.SetCookie(&http.Cookie{
		Name: name, Value: token, Path: "/", HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode,
		Expires: time.Now().Add(csrfCookieAge),
	})
	c.Set("csrf", token)
}
