package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// The page an invitation to mentor links to: a member takes it up with
// their account; anyone else makes one for the invited address. The use
// case checks the link.

func joinPath(token string) string { return "/mentoring/join?token=" + url.QueryEscape(token) }

func (h *Handler) joinView(c echo.Context, token string) map[string]any {
	return map[string]any{"Title": "Mentor with us", "Token": token, "Form": map[string]string{"year": "graduate"},
		"Login": "/login?next=" + url.QueryEscape(joinPath(token))}
}

func (h *Handler) joinPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "mentoring_join", h.joinView(c, c.QueryParam("token")))
}

func (h *Handler) joinSubmit(c echo.Context) error {
	v, err := formValues(c)
	if err != nil {
		return err
	}
	token := v.Get("token")
	d := h.joinView(c, token)
	acc := models.InvitationAccount{Member: currentUser(c)}
	if acc.Member == nil {
		acc.Name, acc.Password = strings.TrimSpace(v.Get("name")), v.Get("password")
		if y, err := strconv.Atoi(v.Get("year")); err == nil {
			acc.Year = &y
		}
		d["Form"] = map[string]string{"name": acc.Name, "year": v.Get("year")}
	}
	u, s, err := models.AcceptInvitation(c.Request().Context(), h.Store, token, acc, h.Clock.Now())
	if err != nil {
		return h.formFailed(c, err, joinPath(token), func(problems map[string]string) error {
			d["Errors"] = problems
			return h.render(c, http.StatusUnprocessableEntity, "mentoring_join", d)
		})
	}
	h.flash(c, "success", "Welcome: you may now apply to mentor in "+s.Title+".")
	if acc.Member == nil {
		return h.startLogin(c, u, schemePagePath(s.ID))
	}
	return redirect(c, schemePagePath(s.ID))
}
