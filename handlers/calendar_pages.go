package handlers

import (
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"rounds/internal/ical"
)

// subscribeLinks are the ways to subscribe a calendar program to a
// member's private feed.
type subscribeLinks struct {
	Feed, Google, Outlook, OutlookCom string
	// Apple is the feed at a webcal:// address, which the templates pass
	// only as a URL Rounds made: the feed's own, from the base URL.
	Apple template.URL
}

func subscribeLinksFor(feed string) subscribeLinks {
	return subscribeLinks{
		Feed:       feed,
		Apple:      template.URL(ical.WebcalURL(feed)),
		Google:     ical.GoogleSubscribeURL(feed),
		Outlook:    ical.OutlookSubscribeURL("outlook.office.com", feed, "Rounds"),
		OutlookCom: ical.OutlookSubscribeURL("outlook.live.com", feed, "Rounds"),
	}
}

// calendarHelpPage is GET /my/calendar: how to subscribe to the member's
// private feed in Google, Outlook or Apple's calendars, one link each.
func (h *Handler) calendarHelpPage(c echo.Context) error {
	feed, err := h.calendarURL(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "calendar_subscribe", map[string]any{
		"Title": "Subscribe to your sessions", "Links": subscribeLinksFor(feed),
	})
}
