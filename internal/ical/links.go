package ical

import (
	"net/url"
	"strings"
	"time"
)

// Links that add one event to a web calendar, and that subscribe a web
// calendar to a feed. Google reads its times as UTC ("Z"), Outlook as ISO
// 8601 with the offset of the zone the event is shown in; either way the
// instant is the event's own, whatever clock change falls near it.

// AddLink is an event as the add-to-calendar links carry it.
type AddLink struct {
	Title, Details, Location string
	Start, End               time.Time
}

// GoogleAddURL opens Google Calendar's new-event form filled in with e.
func GoogleAddURL(e AddLink) string {
	const layout = "20060102T150405Z"
	v := url.Values{}
	v.Set("action", "TEMPLATE")
	v.Set("text", e.Title)
	if e.Details != "" {
		v.Set("details", e.Details)
	}
	if e.Location != "" {
		v.Set("location", e.Location)
	}
	// The dates as Google writes them, the slash unescaped.
	return "https://calendar.google.com/calendar/render?" + v.Encode() +
		"&dates=" + e.Start.UTC().Format(layout) + "/" + e.End.UTC().Format(layout)
}

// OutlookAddURL opens Outlook on the web's new-event form filled in with
// e, its times written in loc with their offset. host is outlook.office.com
// (work and school accounts) or outlook.live.com (Outlook.com).
func OutlookAddURL(host string, e AddLink, loc *time.Location) string {
	const layout = "2006-01-02T15:04:05-07:00"
	v := url.Values{}
	v.Set("path", "/calendar/action/compose")
	v.Set("rru", "addevent")
	v.Set("subject", e.Title)
	v.Set("startdt", e.Start.In(loc).Format(layout))
	v.Set("enddt", e.End.In(loc).Format(layout))
	if e.Details != "" {
		v.Set("body", e.Details)
	}
	if e.Location != "" {
		v.Set("location", e.Location)
	}
	return "https://" + host + "/calendar/0/action/compose?" + v.Encode()
}

// WebcalURL is feed (an http or https address) as Apple's calendars
// subscribe to it.
func WebcalURL(feed string) string {
	if rest, ok := strings.CutPrefix(feed, "https://"); ok {
		return "webcal://" + rest
	}
	if rest, ok := strings.CutPrefix(feed, "http://"); ok {
		return "webcal://" + rest
	}
	return feed
}

// GoogleSubscribeURL asks Google Calendar to add the feed by its address.
func GoogleSubscribeURL(feed string) string {
	return "https://calendar.google.com/calendar/render?cid=" + url.QueryEscape(WebcalURL(feed))
}

// OutlookSubscribeURL asks Outlook on the web (host as in OutlookAddURL)
// to subscribe to the feed, under name.
func OutlookSubscribeURL(host, feed, name string) string {
	v := url.Values{}
	v.Set("url", feed)
	v.Set("name", name)
	return "https://" + host + "/calendar/0/addfromweb?" + v.Encode()
}
