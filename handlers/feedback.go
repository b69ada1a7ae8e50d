package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

func (h *Handler) apiGiveFeedback(c echo.Context) error {
	var in models.FeedbackInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	fb, cert, err := models.SubmitFeedback(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{
		"feedback":    map[string]any{"session_id": fb.SessionID, "created_at": fb.CreatedAt},
		"certificate": h.certificateJSON(cert),
	})
}

func (h *Handler) apiFeedbackSummary(c echo.Context) error {
	sum, err := models.SessionFeedbackSummary(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Config.FeedbackMinResponses)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, sum)
}
