package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// signUpRules are the society's rules for a new account: its allowed
// domains, and whether it must confirm its address by a link.
func (h *Handler) signUpRules() models.SignUpRules {
	r := models.SignUpRules{AllowedDomains: h.Config.AllowedEmailDomains}
	if h.Config.ConfirmEmail {
		r.ConfirmURL = h.confirmURL
	}
	return r
}

func (h *Handler) confirmURL(secret string) string {
	return h.Config.BaseURL + "/confirm-email?token=" + url.QueryEscape(secret)
}

// confirmEmailPage shows the link's button. Opening the link does not
// confirm by itself: mail scanners open links too, and an address must be
// confirmed by the person who reads the mail.
func (h *Handler) confirmEmailPage(c echo.Context) error {
	token := c.QueryParam("token")
	d := map[string]any{"Title": "Confirm your e-mail address", "Token": token}
	valid, err := models.ConfirmationValid(c.Request().Context(), h.Store, token, h.Clock.Now())
	if err != nil {
		return err
	}
	if !valid {
		d["Invalid"] = true
		return h.render(c, http.StatusUnprocessableEntity, "confirm_email", d)
	}
	return h.render(c, http.StatusOK, "confirm_email", d)
}

func (h *Handler) confirmEmailSubmit(c echo.Context) error {
	token := c.FormValue("token")
	_, err := models.ConfirmEmail(c.Request().Context(), h.Store, token, h.Clock.Now())
	if errors.Is(err, models.ErrTokenInvalid) {
		return h.render(c, http.StatusUnprocessableEntity, "confirm_email", map[string]any{
			"Title": "Confirm your e-mail address", "Invalid": true})
	}
	if err != nil {
		return err
	}
	if currentUser(c) == nil {
		h.flash(c, "success", "Your e-mail address is confirmed. Log in to book sessions.")
		return redirect(c, "/login?next=%2Fsessions")
	}
	h.flash(c, "success", "Your e-mail address is confirmed: you can book sessions now.")
	return redirect(c, "/sessions")
}

func (h *Handler) apiConfirmEmail(c echo.Context) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := models.ConfirmEmail(c.Request().Context(), h.Store, in.Token, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": u})
}

func (h *Handler) resendConfirmationSubmit(c echo.Context) error {
	next := safeNext(c.FormValue("next"))
	if strings.HasPrefix(next, "/confirm-email") {
		next = "/"
	}
	sent, err := models.ResendConfirmation(c.Request().Context(), h.Store, currentUser(c).ID, h.confirmURL, h.Clock.Now())
	var rl *models.RateLimitedError
	switch {
	case errors.As(err, &rl):
		c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
		h.flash(c, "error", rl.Error())
	case err != nil:
		return err
	case sent:
		h.flash(c, "success", "A new link is on its way to "+currentUser(c).Email+". It works once, for 7 days.")
	default:
		h.flash(c, "success", "Your e-mail address is confirmed already.")
	}
	return redirect(c, next)
}

func (h *Handler) apiResendConfirmation(c echo.Context) error {
	sent, err := models.ResendConfirmation(c.Request().Context(), h.Store, currentUser(c).ID, h.confirmURL, h.Clock.Now())
	if err != nil {
		return err
	}
	if !sent {
		return c.JSON(http.StatusOK, map[string]any{"sent": false, "message": "Your e-mail address is confirmed already."})
	}
	return c.JSON(http.StatusAccepted, map[string]any{"sent": true, "message": "A new link is on its way."})
}
