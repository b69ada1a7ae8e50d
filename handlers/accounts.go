package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

type registerInput struct {
	Email       string `json:"email"`
	Name        string `json:"name"`
	Password    string `json:"password"`
	YearOfStudy *int   `json:"year_of_study"`
}

func (h *Handler) apiRegister(c echo.Context) error {
	var in registerInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	u, err := models.SignUp(c.Request().Context(), h.Store, models.NewUser{Email: in.Email, Name: in.Name, Password: in.Password, YearOfStudy: in.YearOfStudy},
		h.signUpRules(), h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"user": u})
}

func (h *Handler) apiLogin(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	p := models.Problems{}
	if strings.TrimSpace(in.Email) == "" {
		p.Add("email", "Enter your e-mail address.")
	}
	if in.Password == "" {
		p.Add("password", "Enter your password.")
	}
	if err := p.Err(); err != nil {
		return err
	}
	u, err := h.logIn(c, in.Email, in.Password)
	if err != nil {
		return err
	}
	secret, t, err := models.IssueToken(c.Request().Context(), h.Store, models.TokenAPI, u.ID, h.Config.LoginTTL, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"token": secret, "expires_at": t.ExpiresAt, "user": u})
}

func (h *Handler) apiLogout(c echo.Context) error {
	if t := currentToken(c); t != nil {
		if err := models.RevokeToken(c.Request().Context(), h.Store, t.ID); err != nil {
			return err
		}
	}
	h.clearLoginCookie(c)
	h.rotateCSRF(c)
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) resetURL(secret string) string {
	return h.Config.BaseURL + "/reset-password?token=" + url.QueryEscape(secret)
}

func (h *Handler) apiPasswordReset(c echo.Context) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if strings.TrimSpace(in.Email) == "" {
		return &models.ValidationError{Fields: map[string]string{"email": "Enter your e-mail address."}}
	}
	if err := models.RequestPasswordReset(c.Request().Context(), h.Store, in.Email, h.Config.PasswordResetTTL, h.Clock.Now(), h.resetURL); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"message": "If an account has that address, a reset link is on its way."})
}

func (h *Handler) apiPasswordResetConfirm(c echo.Context) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if _, err := models.ResetPassword(c.Request().Context(), h.Store, in.Token, in.Password, h.Clock.Now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiMe(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"user": currentUser(c)})
}

func (h *Handler) apiUpdateMe(c echo.Context) error {
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	var ch models.UserChange
	if err := decodeUserFields(raw, &ch); err != nil {
		return err
	}
	if ch.Role != nil {
		return &models.ValidationError{Fields: map[string]string{"role": "Only committee can change roles."}}
	}
	ch.At = h.Clock.Now()
	u, err := models.UpdateUser(c.Request().Context(), h.Store, currentUser(c).ID, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": u})
}

// decodeUserFields reads the optional name, role and year_of_study of a
// PATCH body, telling an absent year from a null one (a graduate).
func decodeUserFields(raw map[string]json.RawMessage, ch *models.UserChange) error {
	p := models.Problems{}
	for k, v := range raw {
		switch k {
		case "name":
			var s string
			if json.Unmarshal(v, &s) != nil {
				p.Add("name", "Must be a string.")
			}
			ch.Name = &s
		case "role":
			var s models.Role
			if json.Unmarshal(v, &s) != nil {
				p.Add("role", "Must be a string.")
			}
			ch.Role = &s
		case "year_of_study":
			var y *int
			if json.Unmarshal(v, &y) != nil {
				p.Add("year_of_study", "Must be a number from 1 to 6, or null.")
			}
			ch.YearOfStudy = &y
		}
	}
	if len(p) > 0 {
		return &errMalformedFields{p}
	}
	return nil
}

// errMalformedFields is a body whose fields have the wrong JSON types.
type errMalformedFields struct{ fields models.Problems }

func (e *errMalformedFields) Error() string { return "malformed fields" }

func (h *Handler) apiChangePassword(c echo.Context) error {
	var in struct {
		CurrentPassword string `json:"current_password"`
		Password        string `json:"password"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	var keep int64
	if t := currentToken(c); t != nil {
		keep = t.ID
	}
	if err := models.ChangePassword(c.Request().Context(), h.Store, currentUser(c).ID, in.CurrentPassword, in.Password, keep); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// Pages.

func (h *Handler) loginPage(c echo.Context) error {
	if currentUser(c) != nil {
		return redirect(c, safeNext(c.QueryParam("next")))
	}
	return h.render(c, http.StatusOK, "login", h.withSSO(map[string]any{
		"Title": "Log in", "Form": map[string]string{"next": safeNext(c.QueryParam("next"))},
	}))
}

func (h *Handler) loginSubmit(c echo.Context) error {
	form := map[string]string{"email": c.FormValue("email"), "next": safeNext(c.FormValue("next"))}
	u, err := h.logIn(c, form["email"], c.FormValue("password"))
	if err != nil {
		status, body := classify(err)
		if status >= 500 {
			return err
		}
		if status == http.StatusTooManyRequests {
			var rl *models.RateLimitedError
			if errors.As(err, &rl) {
				c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
			}
		}
		return h.render(c, status, "login", h.withSSO(map[string]any{"Title": "Log in", "Form": form, "Error": body.Message}))
	}
	return h.startLogin(c, u, form["next"])
}

func (h *Handler) startLogin(c echo.Context, u models.User, next string) error {
	if err := h.logBrowserIn(c, u); err != nil {
		return err
	}
	return redirect(c, safeNext(next))
}

// logBrowserIn gives the browser a new login of u: a login token in its
// cookie and a new CSRF token, so that nothing from before the log-in
// carries over.
func (h *Handler) logBrowserIn(c echo.Context, u models.User) error {
	secret, _, err := models.IssueToken(c.Request().Context(), h.Store, models.TokenLogin, u.ID, h.Config.LoginTTL, h.Clock.Now())
	if err != nil {
		return err
	}
	h.setLoginCookie(c, secret)
	h.rotateCSRF(c)
	return nil
}

func (h *Handler) logoutSubmit(c echo.Context) error {
	if t := currentToken(c); t != nil {
		if err := models.RevokeToken(c.Request().Context(), h.Store, t.ID); err != nil {
			return err
		}
	}
	h.clearLoginCookie(c)
	h.rotateCSRF(c)
	h.flash(c, "success", "You have logged out.")
	return redirect(c, "/login")
}

func (h *Handler) registerPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "register", map[string]any{"Title": "Sign up", "Form": map[string]string{}})
}

// formYear reads a year of study from a form: "1"–"6", or "" / "0" for a
// graduate.
func formYear(v string) (*int, bool) {
	if v == "" || v == "0" || v == "graduate" {
		return nil, true
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, false
	}
	return &n, true
}

func (h *Handler) registerSubmit(c echo.Context) error {
	form := map[string]string{"email": c.FormValue("email"), "name": c.FormValue("name"), "year_of_study": c.FormValue("year_of_study")}
	rerender := func(err error) error {
		d := map[string]any{"Title": "Sign up", "Form": form}
		status, body := classify(err)
		if status >= 500 {
			return err
		}
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			d["Errors"] = ve.Fields
		} else if status == http.StatusConflict {
			d["Errors"] = map[string]string{"email": body.Message}
		} else {
			d["Error"] = body.Message
		}
		return h.render(c, status, "register", d)
	}
	// Every problem is said at once: those of the form, then the account's.
	p := models.Problems{}
	year, ok := formYear(form["year_of_study"])
	if !ok {
		p.Add("year_of_study", "Choose a year from 1 to 6, or graduate.")
	}
	if c.FormValue("password") != c.FormValue("password_confirm") {
		p.Add("password_confirm", "The two passwords differ.")
	}
	nu := models.NewUser{Email: form["email"], Name: form["name"], Password: c.FormValue("password"), YearOfStudy: year}
	if len(p) > 0 {
		var ve *models.ValidationError
		if errors.As(models.CheckNewUser(nu, h.Config.AllowedEmailDomains), &ve) {
			for k, v := range ve.Fields {
				p.Add(k, v)
			}
		}
		return rerender(p.Err())
	}
	u, err := models.SignUp(c.Request().Context(), h.Store, nu, h.signUpRules(), h.Clock.Now())
	if err != nil {
		return rerender(err)
	}
	msg := "Welcome to Rounds, " + u.Name + "."
	if !u.EmailConfirmed {
		msg += " We have sent a link to " + u.Email + ": open it to confirm your address, and you can book sessions."
	}
	h.flash(c, "success", msg)
	return h.startLogin(c, u, "/")
}

func (h *Handler) forgotPage(c echo.Context) error {
	return h.render(c, http.StatusOK, "forgot", map[string]any{"Title": "Forgotten password", "Form": map[string]string{}})
}

func (h *Handler) forgotSubmit(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	if email == "" {
		return h.render(c, http.StatusUnprocessableEntity, "forgot", map[string]any{
			"Title": "Forgotten password", "Form": map[string]string{}, "Errors": map[string]string{"email": "Enter your e-mail address."}})
	}
	if err := models.RequestPasswordReset(c.Request().Context(), h.Store, email, h.Config.PasswordResetTTL, h.Clock.Now(), h.resetURL); err != nil {
		return err
	}
	h.flash(c, "success", "If an account has that address, a reset link is on its way. It works for "+h.Config.PasswordResetTTL.String()+".")
	return redirect(c, "/login")
}

func (h *Handler) resetPage(c echo.Context) error {
	token := c.QueryParam("token")
	d := map[string]any{"Title": "Choose a new password", "Token": token}
	if _, _, err := models.UserByToken(c.Request().Context(), h.Store, models.TokenPasswordReset, token, h.Clock.Now()); err != nil {
		if !errors.Is(err, models.ErrTokenInvalid) {
			return err
		}
		d["Invalid"] = true
		return h.render(c, http.StatusUnprocessableEntity, "reset", d)
	}
	return h.render(c, http.StatusOK, "reset", d)
}

func (h *Handler) resetSubmit(c echo.Context) error {
	token := c.FormValue("token")
	d := map[string]any{"Title": "Choose a new password", "Token": token}
	if c.FormValue("password") != c.FormValue("password_confirm") {
		d["Errors"] = map[string]string{"password_confirm": "The two passwords differ."}
		return h.render(c, http.StatusUnprocessableEntity, "reset", d)
	}
	_, err := models.ResetPassword(c.Request().Context(), h.Store, token, c.FormValue("password"), h.Clock.Now())
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		d["Errors"] = ve.Fields
		return h.render(c, http.StatusUnprocessableEntity, "reset", d)
	case errors.Is(err, models.ErrTokenInvalid):
		d["Invalid"] = true
		return h.render(c, http.StatusUnprocessableEntity, "reset", d)
	case err != nil:
		return err
	}
	h.flash(c, "success", "Your password has been changed. Please log in with it.")
	return redirect(c, "/login")
}

func (h *Handler) accountPage(c echo.Context) error {
	return h.renderAccount(c, http.StatusOK, map[string]any{})
}

// renderAccount renders the account page with every block's state: the
// profile form (the member's own values unless d holds the form sent),
// e-mail choices, passkeys, the data export and a waiting erasure. d holds
// what the request adds: a form sent back with its errors.
func (h *Handler) renderAccount(c echo.Context, status int, d map[string]any) error {
	d["Title"] = "Your account"
	d["HasPassword"] = models.HasPassword(*currentUser(c))
	if _, sent := d["Form"]; !sent {
		u := currentUser(c)
		year := ""
		if u.YearOfStudy != nil {
			year = strconv.Itoa(*u.YearOfStudy)
		}
		d["Form"] = map[string]string{"name": u.Name, "year_of_study": year}
	}
	return h.render(c, status, "account", h.withErasure(c, h.withExport(c, h.withPasskeys(c, h.withSSOLinks(c, h.withMailChoices(c, d))))))
}

func (h *Handler) accountSubmit(c echo.Context) error {
	u := currentUser(c)
	form := map[string]string{"name": c.FormValue("name"), "year_of_study": c.FormValue("year_of_study")}
	year, ok := formYear(form["year_of_study"])
	var err error
	if !ok {
		err = &models.ValidationError{Fields: map[string]string{"year_of_study": "Choose a year from 1 to 6, or graduate."}}
	} else {
		_, err = models.UpdateProfile(c.Request().Context(), h.Store, u.ID, form["name"], year, h.Clock.Now())
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderAccount(c, http.StatusUnprocessableEntity, map[string]any{"Form": form, "Errors": ve.Fields})
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your profile has been saved.")
	return redirect(c, "/account")
}

func (h *Handler) passwordSubmit(c echo.Context) error {
	u := currentUser(c)
	var err error
	if c.FormValue("password") != c.FormValue("password_confirm") {
		err = &models.ValidationError{Fields: map[string]string{"password_confirm": "The two passwords differ."}}
	} else {
		err = models.ChangePassword(c.Request().Context(), h.Store, u.ID, c.FormValue("current_password"), c.FormValue("password"), currentToken(c).ID)
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderAccount(c, http.StatusUnprocessableEntity, map[string]any{"PasswordErrors": ve.Fields})
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your password has been changed; your other logins have ended.")
	return redirect(c, "/account")
}

// withSSOLinks adds how the member signs in by single sign-on, and whether their
// password is still accepted, to the account page.
func (h *Handler) withSSOLinks(c echo.Context, d map[string]any) map[string]any {
	links, err := models.SSOLinks(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		h.Log.Warn("single sign-on links", "error", err)
	}
	d["SSOLinks"] = links
	d["SSOName"] = h.Config.OIDCName
	d["PasswordLoginOff"] = h.passwordsOff(len(links) > 0)
	return d
}
