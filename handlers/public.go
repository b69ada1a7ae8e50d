package handlers

// What a visitor who is not logged in sees of the teaching: a published
// session's public page (unless it is kept to members) and the landing
// page's list of what is coming up, each with the Open Graph and Twitter
// tags that make a pasted link preview well; and, for everyone, the links
// that add a session to Google Calendar or Outlook. The public page shows
// the session's own facts only: no one who booked, no join link, no
// materials.

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/internal/ical"
	"rounds/models"
	"rounds/models/store"
)

// seesOrPublic: a member, as canSee; a visitor, a session with a public
// page (models.PublicSession). A draft is not found; a members-only or
// cancelled session asks the visitor to log in, and back.
func seesOrPublic(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	if currentUser(c) != nil {
		return canSee(c, st, id)
	}
	s, err := models.PublicSession(c.Request().Context(), st, id)
	if errors.Is(err, models.ErrMembersOnly) {
		return models.Session{}, errLoginRequired
	}
	return s, err
}

// sessionOrPublicPage is GET /sessions/{id}: the session page for a member,
// the public page for a visitor.
func (h *Handler) sessionOrPublicPage(c echo.Context) error {
	if currentUser(c) != nil {
		return h.sessionPage(c)
	}
	s := sessionFrom(c)
	v, err := models.ViewSession(c.Request().Context(), h.Store, models.User{}, s)
	if err != nil {
		return err
	}
	p := h.publicCard(v)
	return h.render(c, http.StatusOK, "session_public", map[string]any{
		"Title": p.Title, "S": p, "Calendar": h.calendarLinks(s),
		"Meta": h.pageMeta(p.Title, p.When+" · "+p.Where+" · "+p.For, p.URL),
	})
}

// publicCard is a session as a visitor reads it, every word worked out.
type publicCard struct {
	ID                                     int64
	Title, Description, Topic, Format      string
	When, Where, Teachers, For, Seats, URL string
	StartISO, LoginURL, Closes             string
	Started                                bool
}

func (h *Handler) publicCard(v models.SessionView) publicCard {
	it := h.sessionItem(v)
	path := sessionPath(v.ID, "")
	p := publicCard{
		ID: v.ID, Title: v.Title, Description: v.Description, Topic: v.Topic, Format: v.Format.Label(),
		When: it.When, Where: whereWords(v.Session), Teachers: teacherWords(v.Teachers), For: yearsWords(v.YearGroups),
		Seats: seatsLeftWords(it.Seats), URL: h.Config.BaseURL + path,
		StartISO: v.StartsAt.UTC().Format("2006-01-02T15:04:05Z"), Started: it.Started,
		LoginURL: "/login?" + url.Values{"next": {path}}.Encode(),
		Closes:   v.StartsAt.In(h.Config.Location).Format("15:04 on Mon 2 Jan"),
	}
	return p
}

// whereWords is the place of a session as the cards say it.
func whereWords(s models.Session) string {
	switch s.Mode {
	case models.ModeOnline:
		return "Online"
	case models.ModeHybrid:
		return s.Venue + ", and online"
	}
	return s.Venue
}

// teacherWords names the teachers, or says they are still to come.
func teacherWords(ts []models.SessionTeacher) string {
	if len(ts) == 0 {
		return "To be announced"
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// yearsWords is who a session is for: "All years", "Year 2", "Years 1–3".
func yearsWords(y models.YearGroups) string {
	ys := y.Years()
	switch {
	case len(ys) == 6 || len(ys) == 0:
		return "All years"
	case len(ys) == 1:
		return "Year " + y.String()
	}
	return "Years " + y.String()
}

// calendarLinks are the ways to put one session in a calendar. The long
// addresses of Google's and Outlook's forms are written as their href
// attributes here, once, rather than checked and escaped character by
// character by the template on every view of a session.
type calendarLinks struct {
	ICS                         string
	Google, Outlook, OutlookCom template.HTMLAttr // href="…"
}

// hrefAttr is the attribute href="u" of an http(s) address, written as
// html/template writes an address into an href: percent-encoding what an
// address may not hold, then escaping for the attribute.
func hrefAttr(u string) template.HTMLAttr {
	var b strings.Builder
	b.Grow(len(u) + len(u)/8 + 8)
	b.WriteString(`href="`)
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c == '&':
			b.WriteString("&amp;")
		case c == '+':
			b.WriteString("&#43;")
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("!#$*,/:;=?@[]-._~", c) >= 0:
			b.WriteByte(c)
		case c == '%' && i+2 < len(u) && isHex(u[i+1]) && isHex(u[i+2]):
			b.WriteByte(c)
		default:
			b.WriteString(fmt.Sprintf("%%%02x", c))
		}
	}
	b.WriteByte('"')
	return template.HTMLAttr(b.String())
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// calendarLinks adds a session to a calendar: the .ics file, and Google's
// and Outlook's new-event forms with the session's times, its place and
// the address of its page.
func (h *Handler) calendarLinks(s models.Session) calendarLinks {
	e := ical.AddLink{Title: s.Title, Details: h.Config.BaseURL + sessionPath(s.ID, ""), Location: whereWords(s),
		Start: s.StartsAt, End: s.EndsAt}
	return calendarLinks{
		ICS:        sessionPath(s.ID, ".ics"),
		Google:     hrefAttr(ical.GoogleAddURL(e)),
		Outlook:    hrefAttr(ical.OutlookAddURL("outlook.office.com", e, h.Config.Location)),
		OutlookCom: hrefAttr(ical.OutlookAddURL("outlook.live.com", e, h.Config.Location)),
	}
}

// pageMeta is what a page tells link previews (Open Graph, Twitter), every
// address absolute.
type pageMeta struct {
	Title, Description, URL, Image, SiteName string
}

func (h *Handler) pageMeta(title, description, url string) *pageMeta {
	return &pageMeta{Title: title, Description: description, URL: url, SiteName: "Rounds"}
}

// landingSessions is the landing page's list for visitors: the public
// sessions coming up, soonest first.
func (h *Handler) landingSessions(c echo.Context, d map[string]any) error {
	views, err := models.PublicSessions(c.Request().Context(), h.Store, h.Clock.Now(), 12)
	if err != nil {
		return err
	}
	cards := make([]publicCard, len(views))
	for i, v := range views {
		cards[i] = h.publicCard(v)
	}
	d["Public"] = cards
	d["Meta"] = h.pageMeta("Rounds: near-peer teaching", "Sessions taught by senior students and junior doctors: book a seat in the room or online.", h.Config.BaseURL+"/")
	return nil
}
