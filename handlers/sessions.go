package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/ical"
	"rounds/models"
)

// parseWhen reads a filter bound: a date (YYYY-MM-DD, midnight in the
// society's time zone) or an RFC 3339 instant.
func (h *Handler) parseWhen(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, h.Config.Location); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// sessionFilter reads the list filters of API.md from the query string.
func (h *Handler) sessionFilter(c echo.Context) (models.SessionFilter, error) {
	p := models.Problems{}
	f := models.SessionFilter{Mode: models.Mode(c.QueryParam("mode")), Topic: c.QueryParam("topic"), Format: models.Format(c.QueryParam("format")),
		Q: c.QueryParam("q"), Status: models.SessionStatus(c.QueryParam("status"))}
	var ok bool
	if f.From, ok = h.parseWhen(c.QueryParam("from")); !ok {
		p.Add("from", "Use a date like 2026-11-02 or a time like 2026-11-02T18:00:00Z.")
	}
	if f.To, ok = h.parseWhen(c.QueryParam("to")); !ok {
		p.Add("to", "Use a date like 2026-11-30 or a time like 2026-11-30T18:00:00Z.")
	}
	if y := c.QueryParam("year"); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			p.Add("year", "Choose a year from 1 to 6.")
		}
		f.Year = n
	}
	if t := c.QueryParam("teacher"); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n <= 0 {
			p.Add("teacher", "Give a member id.")
		}
		f.TeacherID = n
	}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			p.Add("limit", "Give a whole number of at least 1.")
		}
		f.Limit = n
	}
	if o := c.QueryParam("offset"); o != "" {
		n, err := strconv.Atoi(o)
		if err != nil || n < 0 {
			p.Add("offset", "Give a whole number of at least 0.")
		}
		f.Offset = n
	}
	return f, p.Err()
}

func (h *Handler) apiListSessions(c echo.Context) error {
	f, err := h.sessionFilter(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	ss, err := models.ListSessions(c.Request().Context(), h.Store, *u, f)
	if err != nil {
		return err
	}
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *u, ss)
	if err != nil {
		return err
	}
	if views == nil {
		views = []models.SessionView{}
	}
	return c.JSON(http.StatusOK, map[string]any{"sessions": views})
}

func (h *Handler) apiGetSession(c echo.Context) error {
	return h.respondSession(c, http.StatusOK, sessionFrom(c))
}

// respondSession answers with the session as its viewer sees it.
func (h *Handler) respondSession(c echo.Context, status int, s models.Session) error {
	v, err := models.ViewSession(c.Request().Context(), h.Store, *currentUser(c), s)
	if err != nil {
		return err
	}
	return c.JSON(status, map[string]any{"session": v})
}

func (h *Handler) apiCreateSession(c echo.Context) error {
	var in models.SessionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	s, err := models.CreateSession(c.Request().Context(), h.Store, *currentUser(c), in, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondSession(c, http.StatusCreated, s)
}

func (h *Handler) apiUpdateSession(c echo.Context) error {
	var in models.SessionInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	rest, err := seriesScope(c)
	if err != nil {
		return err
	}
	if rest {
		return h.apiUpdateSeriesFrom(c, in)
	}
	s, err := models.UpdateSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondSession(c, http.StatusOK, s)
}

func (h *Handler) apiPublishSession(c echo.Context) error {
	s, err := models.PublishSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondSession(c, http.StatusOK, s)
}

func (h *Handler) apiCancelSession(c echo.Context) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	rest, err := seriesScope(c)
	if err != nil {
		return err
	}
	if rest {
		return h.apiCancelSeriesFrom(c, in.Reason)
	}
	s, err := models.CancelSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, in.Reason, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondSession(c, http.StatusOK, s)
}

// sessionICS serves GET /sessions/{id}.ics: one event, for anyone with the
// link.
func (h *Handler) sessionICS(c echo.Context) error {
	ev, err := h.sessionEvent(c.Request().Context(), sessionFrom(c))
	if err != nil {
		return err
	}
	// The name as the address has it, ending aside.
	return h.writeCalendar(c, &ical.Calendar{Method: ical.MethodPublish, Events: []ical.Event{ev}}, "session-"+c.Param("id")+".ics")
}

// sessionEvent describes a session as an iCalendar event.
func (h *Handler) sessionEvent(ctx context.Context, s models.Session) (ical.Event, error) {
	return models.SessionEvent(ctx, h.Store, h.Config.BaseURL, s)
}

func (h *Handler) writeCalendar(c echo.Context, cal *ical.Calendar, filename string) error {
	body, err := cal.Bytes()
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="`+filename+`"`)
	c.Response().Header().Set("Cache-Control", "private, max-age=300")
	return c.Blob(http.StatusOK, ical.ContentType, body)
}

// calendarFeed serves GET /calendar/{token}.ics: the member's confirmed
// sessions, past month onwards, for their calendar program.
func (h *Handler) calendarFeed(c echo.Context) error {
	u, _, err := models.UserByToken(c.Request().Context(), h.Store, models.TokenCalendar, c.Param("token"), h.Clock.Now())
	if errors.Is(err, models.ErrTokenInvalid) {
		return models.ErrNotFound
	}
	if err != nil {
		return err
	}
	bookings, err := models.BookingsForUser(c.Request().Context(), h.Store, u, models.BookingFilter{Status: models.BookingConfirmed, From: h.Clock.Now().AddDate(0, -1, 0)})
	if err != nil {
		return err
	}
	cal := &ical.Calendar{Name: "Rounds — " + u.Name, Method: ical.MethodPublish, RefreshInterval: time.Hour}
	for _, b := range bookings {
		if b.Session == nil {
			continue
		}
		ev, err := h.sessionEvent(c.Request().Context(), b.Session.Session)
		if err != nil {
			return err
		}
		cal.Events = append(cal.Events, ev)
	}
	return h.writeCalendar(c, cal, "rounds.ics")
}

func (h *Handler) calendarURL(c echo.Context) (string, error) {
	secret, err := models.CalendarFeedSecret(c.Request().Context(), h.Store, currentUser(c).ID, h.calendarKey, h.Clock.Now())
	if err != nil {
		return "", err
	}
	return h.Config.BaseURL + "/calendar/" + secret + ".ics", nil
}

func (h *Handler) apiMyCalendar(c echo.Context) error {
	url, err := h.calendarURL(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"url": url})
}

// apiResetCalendar revokes the feed's address and returns a new one.
func (h *Handler) apiResetCalendar(c echo.Context) error {
	if err := models.RevokeCalendarFeed(c.Request().Context(), h.Store, currentUser(c).ID); err != nil {
		return err
	}
	return h.apiMyCalendar(c)
}
