package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

func outboxFilter(c echo.Context) models.OutboxFilter {
	f := models.OutboxFilter{Kind: models.MailKind(c.QueryParam("kind")), Status: models.OutboxStatus(c.QueryParam("status")), To: c.QueryParam("to")}
	f.Limit, _ = strconv.Atoi(c.QueryParam("limit"))
	return f
}

func (h *Handler) apiOutbox(c echo.Context) error {
	msgs, err := models.ReadOutbox(c.Request().Context(), h.Store, *currentUser(c), outboxFilter(c), h.Config.Location, h.Clock.Now())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, outboxJSON(m))
	}
	return c.JSON(http.StatusOK, map[string]any{"messages": out})
}

// outboxJSON shows a message with the data it will be rendered from, so that
// links (a password reset, say) can be read before it is delivered. An
// e-mail that follows feedback tells only its kind, recipient, status and
// day (models.CommitteeOutbox).
func outboxJSON(e models.OutboxEntry) map[string]any {
	m := e.OutboxMessage
	if e.Hidden {
		return map[string]any{
			"id": nil, "kind": m.Kind, "to": m.ToAddr, "to_name": m.ToName, "user_id": m.UserID, "session_id": nil,
			"data": map[string]string{}, "subject": "", "body_text": "", "status": m.Status, "attempts": nil,
			"last_error": "", "next_attempt_at": nil, "sent_at": nil, "created_at": nil,
			"follows_feedback": true, "day": e.Day,
		}
	}
	return map[string]any{
		"id": m.ID, "kind": m.Kind, "to": m.ToAddr, "to_name": m.ToName, "user_id": m.UserID, "session_id": m.SessionID,
		"data": m.DataMap(), "subject": m.Subject, "body_text": m.BodyText, "status": m.Status, "attempts": m.Attempts,
		"last_error": m.LastError, "next_attempt_at": m.NextAttemptAt, "sent_at": m.SentAt, "created_at": m.CreatedAt,
		"follows_feedback": false, "day": e.Day,
	}
}

func (h *Handler) outboxPage(c echo.Context) error {
	f := outboxFilter(c)
	msgs, err := models.ReadOutbox(c.Request().Context(), h.Store, *currentUser(c), f, h.Config.Location, h.Clock.Now())
	if err != nil {
		return err
	}
	counts, err := models.OutboxCounts(c.Request().Context(), h.Store)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "outbox", map[string]any{
		"Title": "Outbox", "Messages": msgs, "Counts": counts, "Filter": f, "SMTP": h.Config.SMTPURL != "",
	})
}

func (h *Handler) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) readyz(c echo.Context) error {
	if err := h.Store.Ping(c.Request().Context()); err != nil {
		h.Log.Warn("database does not answer", "error", err)
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
