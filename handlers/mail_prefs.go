package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// withMailChoices adds the member's e-mail choices to the account page.
func (h *Handler) withMailChoices(c echo.Context, d map[string]any) map[string]any {
	choices, err := models.MailPreferences(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		h.Log.Warn("mail preferences", "error", err)
	}
	d["Mail"] = choices
	return d
}

// mailChoicesSubmit is POST /account/email: the boxes ticked are the
// optional e-mails the member wants.
func (h *Handler) mailChoicesSubmit(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	var on []models.MailTopic
	for _, t := range form["topic"] {
		on = append(on, models.MailTopic(t))
	}
	err = models.SetMailPreferences(c.Request().Context(), h.Store, *currentUser(c), on, h.Clock.Now())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		h.flash(c, "error", "Choose from the e-mails listed.")
		return redirect(c, "/account#email")
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Your e-mail choices are saved.")
	return redirect(c, "/account#email")
}

type mailChoiceJSON struct {
	Topic models.MailTopic `json:"topic"`
	Label string           `json:"label"`
	On    bool             `json:"on"`
}

func (h *Handler) mailChoicesJSON(c echo.Context) error {
	choices, err := models.MailPreferences(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	out := make([]mailChoiceJSON, 0, len(choices))
	for _, ch := range choices {
		out = append(out, mailChoiceJSON{Topic: ch.Topic, Label: ch.Topic.Label(), On: ch.On})
	}
	return c.JSON(http.StatusOK, map[string]any{"preferences": out})
}

// apiMailPreferences is GET /api/v1/me/mail-preferences.
func (h *Handler) apiMailPreferences(c echo.Context) error { return h.mailChoicesJSON(c) }

// apiSetMailPreferences is PUT /api/v1/me/mail-preferences {on: [topics]}.
func (h *Handler) apiSetMailPreferences(c echo.Context) error {
	var in struct {
		On *[]models.MailTopic `json:"on"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.On == nil {
		return &models.ValidationError{Fields: map[string]string{"on": "List the e-mails wanted, such as [\"session_reminders\"], or [] for none."}}
	}
	if err := models.SetMailPreferences(c.Request().Context(), h.Store, *currentUser(c), *in.On, h.Clock.Now()); err != nil {
		return err
	}
	return h.mailChoicesJSON(c)
}

// unsubscribeToken reads and checks the signed token in the address; a
// link that was not made by the site is answered 400 with a page saying so.
func (h *Handler) unsubscribeToken(c echo.Context) (int64, models.MailTopic, error) {
	id, topic, err := models.ParseUnsubscribeToken(h.unsubscribeKey, c.Param("token"))
	if err != nil {
		return 0, "", h.render(c, http.StatusBadRequest, "unsubscribe", map[string]any{"Title": "Link not valid", "Invalid": true})
	}
	return id, topic, nil
}

// unsubscribePage is GET /unsubscribe/:token: the link in an e-mail's
// footer asks before it turns anything off, as link checkers and mail
// scanners open every link they see.
func (h *Handler) unsubscribePage(c echo.Context) error {
	_, topic, err := h.unsubscribeToken(c)
	if err != nil || topic == "" {
		return err
	}
	if c.QueryParam("done") == "1" {
		// After the button (POST, then 303 here): say what was done.
		return h.render(c, http.StatusOK, "unsubscribe", map[string]any{"Title": "E-mails turned off", "Topic": topic, "Done": true})
	}
	return h.render(c, http.StatusOK, "unsubscribe", map[string]any{"Title": "Stop these e-mails?", "Topic": topic})
}

// unsubscribeSubmit is POST /unsubscribe/:token: the button on that page,
// and the one-click unsubscribe of RFC 8058, which a mail program posts
// (List-Unsubscribe=One-Click) without a cookie or a CSRF token: the
// signature in the address is the proof.
func (h *Handler) unsubscribeSubmit(c echo.Context) error {
	id, topic, err := h.unsubscribeToken(c)
	if err != nil || topic == "" {
		return err
	}
	err = models.TurnOffMail(c.Request().Context(), h.Store, id, topic, h.Clock.Now())
	if errors.Is(err, models.ErrNotFound) {
		return h.render(c, http.StatusNotFound, "unsubscribe", map[string]any{"Title": "Link not valid", "Invalid": true})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/unsubscribe/"+url.PathEscape(c.Param("token"))+"?done=1")
}

// isOneClickUnsubscribe tells the CSRF check to let a mail program's
// one-click unsubscribe through (see unsubscribeSubmit).
func isOneClickUnsubscribe(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && strings.HasPrefix(c.Request().URL.Path, "/unsubscribe/")
}
