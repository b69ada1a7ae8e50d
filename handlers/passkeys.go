package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// passkeyCookie holds the secret of the passkey ceremony a browser began:
// the ceremony is stored in the database under its hash, so that it
// finishes only in this browser, on whichever instance.
const passkeyCookie = "rounds_passkey"

// passkeyParty is Rounds as a WebAuthn relying party, from its base URL.
func (h *Handler) passkeyParty() (*models.PasskeyParty, error) {
	return models.NewPasskeyParty(h.Config.BaseURL, "Rounds")
}

func (h *Handler) setPasskeyCookie(c echo.Context, secret string) {
	c.SetCookie(&http.Cookie{
		Name: h.cookieName(passkeyCookie), Value: secret, Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(models.PasskeyCeremonyTTL.Seconds()),
	})
}

// takePasskeyCookie reads the ceremony's secret and tells the browser to
// forget it: a ceremony is finished once, well or not.
func (h *Handler) takePasskeyCookie(c echo.Context) string {
	ck, err := c.Cookie(h.cookieName(passkeyCookie))
	c.SetCookie(&http.Cookie{Name: h.cookieName(passkeyCookie), Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	if err != nil {
		return ""
	}
	return ck.Value
}

// passkeyAnswer is the body of a ceremony's finish: the browser's
// PublicKeyCredential as JSON, and the passkey's name or where to go next.
type passkeyAnswer struct {
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
	Next       string          `json:"next"`
}

func decodePasskeyAnswer(c echo.Context) (passkeyAnswer, error) {
	var in passkeyAnswer
	if err := decodeJSON(c, &in); err != nil {
		return in, err
	}
	if len(in.Credential) == 0 || string(in.Credential) == "null" {
		return in, &models.ValidationError{Fields: map[string]string{"credential": "Send the passkey's answer as credential."}}
	}
	return in, nil
}

// apiPasskeyRegisterBegin is POST /api/v1/me/passkeys/register/begin: the
// options for navigator.credentials.create.
func (h *Handler) apiPasskeyRegisterBegin(c echo.Context) error {
	rp, err := h.passkeyParty()
	if err != nil {
		return err
	}
	secret := models.NewSecret()
	opts, err := models.BeginPasskeyRegistration(c.Request().Context(), h.Store, rp, currentUser(c).ID, secret, h.Clock.Now())
	if err != nil {
		return err
	}
	h.setPasskeyCookie(c, secret)
	return c.JSON(http.StatusOK, opts)
}

// apiPasskeyRegisterFinish is POST /api/v1/me/passkeys/register/finish.
func (h *Handler) apiPasskeyRegisterFinish(c echo.Context) error {
	in, err := decodePasskeyAnswer(c)
	if err != nil {
		return err
	}
	rp, err := h.passkeyParty()
	if err != nil {
		return err
	}
	now := h.Clock.Now().In(h.Config.Location)
	key, err := models.FinishPasskeyRegistration(c.Request().Context(), h.Store, rp, currentUser(c).ID, h.takePasskeyCookie(c), in.Name, in.Credential, now)
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your passkey “"+key.Name+"” is added. Next time, choose Sign in with a passkey on the log-in page.")
	return c.JSON(http.StatusCreated, map[string]any{"passkey": key})
}

// apiPasskeyLoginBegin is POST /api/v1/auth/passkeys/login/begin: the
// options for navigator.credentials.get, for any passkey of Rounds the
// browser holds.
func (h *Handler) apiPasskeyLoginBegin(c echo.Context) error {
	rp, err := h.passkeyParty()
	if err != nil {
		return err
	}
	secret := models.NewSecret()
	opts, err := models.BeginPasskeyLogin(c.Request().Context(), h.Store, rp, secret, h.Clock.Now())
	if err != nil {
		return err
	}
	h.setPasskeyCookie(c, secret)
	return c.JSON(http.StatusOK, opts)
}

// apiPasskeyLoginFinish is POST /api/v1/auth/passkeys/login/finish: the
// browser is logged in as startLogin does it (the login cookie, a new CSRF
// token) and told where to go next.
func (h *Handler) apiPasskeyLoginFinish(c echo.Context) error {
	secret := h.takePasskeyCookie(c)
	in, err := decodePasskeyAnswer(c)
	if err != nil {
		return err
	}
	rp, err := h.passkeyParty()
	if err != nil {
		return err
	}
	u, key, err := models.FinishPasskeyLogin(c.Request().Context(), h.Store, rp, secret, in.Credential, clientNetwork(c.RealIP()), h.Clock.Now())
	if err != nil {
		var rl *models.RateLimitedError
		if errors.As(err, &rl) {
			c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		}
		return err
	}
	if err := h.logBrowserIn(c, u); err != nil {
		return err
	}
	h.flash(c, "success", "You are logged in with your passkey “"+key.Name+"”.")
	return c.JSON(http.StatusOK, map[string]any{"user": u, "redirect": safeNext(in.Next)})
}

// apiPasskeys is GET /api/v1/me/passkeys.
func (h *Handler) apiPasskeys(c echo.Context) error {
	keys, err := models.Passkeys(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		return err
	}
	if keys == nil {
		keys = []models.Passkey{}
	}
	return c.JSON(http.StatusOK, map[string]any{"passkeys": keys})
}

// apiRenamePasskey is PATCH /api/v1/me/passkeys/:id.
func (h *Handler) apiRenamePasskey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	key, err := models.RenamePasskey(c.Request().Context(), h.Store, currentUser(c).ID, id, in.Name)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"passkey": key})
}

// apiRemovePasskey is DELETE /api/v1/me/passkeys/:id.
func (h *Handler) apiRemovePasskey(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RemovePasskey(c.Request().Context(), h.Store, currentUser(c).ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// withPasskeys adds the member's passkeys to the account page.
func (h *Handler) withPasskeys(c echo.Context, d map[string]any) map[string]any {
	keys, err := models.Passkeys(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		h.Log.Warn("passkeys", "error", err)
	}
	d["Passkeys"] = keys
	return d
}

// renamePasskeySubmit is POST /account/passkeys/:id/rename.
func (h *Handler) renamePasskeySubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key, err := models.RenamePasskey(c.Request().Context(), h.Store, currentUser(c).ID, id, c.FormValue("name"))
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderAccount(c, http.StatusUnprocessableEntity, map[string]any{
			"PasskeyRename": map[string]any{"ID": id, "Name": c.FormValue("name"), "Error": ve.Fields["name"]},
		})
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your passkey is now called “"+key.Name+"”.")
	return redirect(c, "/account#passkeys")
}

// removePasskeySubmit is POST /account/passkeys/:id/delete.
func (h *Handler) removePasskeySubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := models.RemovePasskey(c.Request().Context(), h.Store, currentUser(c).ID, id); err != nil {
		return err
	}
	h.flash(c, "success", "The passkey is removed: it no longer logs you in. Your password still does.")
	return redirect(c, "/account#passkeys")
}
