package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// privacyPage is the public privacy page: committee's text (or the
// default), then the retention this server applies.
func (h *Handler) privacyPage(c echo.Context) error {
	text, _, err := models.PrivacyText(c.Request().Context(), h.Store)
	if err != nil {
		return err
	}
	pol := models.Retention{MailDays: h.Config.RetentionMailDays, AttemptsDays: h.Config.RetentionAttemptsDays,
		GraduatesYears: h.Config.RetentionGraduatesYears}.WithDefaults()
	return h.render(c, http.StatusOK, "privacy", map[string]any{"Title": "Privacy", "Text": text, "Retention": pol, "ExportHours": models.ExportFileHours})
}

// privacyEditPage lets committee edit the privacy page's text.
func (h *Handler) privacyEditPage(c echo.Context) error {
	text, edited, err := models.PrivacyText(c.Request().Context(), h.Store)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "privacy_edit", map[string]any{"Title": "Edit the privacy page", "Text": text, "Edited": edited})
}

func (h *Handler) privacyEditSubmit(c echo.Context) error {
	text := c.FormValue("text")
	if c.FormValue("reset") != "" {
		text = ""
	}
	err := models.SetPrivacyText(c.Request().Context(), h.Store, *currentUser(c), text, h.Clock.Now())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.render(c, http.StatusUnprocessableEntity, "privacy_edit", map[string]any{
			"Title": "Edit the privacy page", "Text": text, "Edited": true, "Error": ve.Fields["text"],
		})
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "The privacy page is saved.")
	return redirect(c, "/privacy")
}

// auditPage shows the audit log to committee, newest first, a page at a time.
func (h *Handler) auditPage(c echo.Context) error {
	page := pageParam(c)
	if page < 1 {
		return redirect(c, "/committee/audit")
	}
	entries, more, err := models.AuditLog(c.Request().Context(), h.Store, *currentUser(c), page)
	if err != nil {
		return err
	}
	d := map[string]any{"Title": "Audit log", "Entries": entries, "Page": page}
	if more {
		d["Next"] = page + 1
	}
	if page > 1 {
		d["Prev"] = page - 1
	}
	return h.render(c, http.StatusOK, "audit", d)
}

func (h *Handler) apiAudit(c echo.Context) error {
	page := pageParam(c) // a bad one is told by models.AuditLog
	entries, more, err := models.AuditLog(c.Request().Context(), h.Store, *currentUser(c), page)
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(entries))
	for _, e := range entries {
		out = append(out, map[string]any{
			"id": e.ID, "at": e.CreatedAt, "actor": map[string]any{"id": e.ActorID, "name": e.ActorName},
			"action": e.Action, "action_label": e.Action.Label(), "target": e.Target, "detail": e.Detail,
		})
	}
	var next any
	if more {
		next = page + 1
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": out, "page": page, "next_page": next})
}

// pageParam is the query's page number: 1 when not given, 0 when not a number.
func pageParam(c echo.Context) int {
	p := c.QueryParam("page")
	if p == "" {
		return 1
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return 0
	}
	return n
}
