// Package ical owns the iCalendar (RFC 5545) form of teaching sessions: the
// one-event .ics download, the private calendar feed and the invitation
// attached to booking e-mails. It knows nothing of the database; callers turn
// sessions into Events and the package writes them out.
//
// Every instant is written in UTC (a trailing "Z"), so a session means the same
// moment in every calendar whatever its time zone, including across the
// clock changes.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

// ContentType is the media type to serve a calendar with.
const ContentType = "text/calendar; charset=utf-8"

// ProdID names the program that wrote the calendar, as RFC 5545 requires.
const ProdID = "-//Rounds//Teaching sessions//EN"

// Method values for Calendar.Method (RFC 5546).
const (
	// MethodPublish is for downloads and subscription feeds.
	MethodPublish = "PUBLISH"
	// MethodRequest is for an invitation sent to an attendee by e-mail.
	MethodRequest = "REQUEST"
	// MethodCancel is for the e-mail that withdraws an earlier invitation.
	MethodCancel = "CANCEL"
)

// Status values for Event.Status.
const (
	// StatusConfirmed marks a session that goes ahead.
	StatusConfirmed = "CONFIRMED"
	// StatusTentative marks a session whose time is not yet settled.
	StatusTentative = "TENTATIVE"
	// StatusCancelled marks a cancelled session; calendars strike or remove it.
	StatusCancelled = "CANCELLED"
)

// maxLineOctets is the longest a content line may be, excluding its CRLF.
const maxLineOctets = 75

// Person is an organizer or attendee. The zero Person means none; otherwise
// Email is required.
type Person struct {
	Name  string
	Email string
}

// Event is one teaching session as a VEVENT.
type Event struct {
	// UID identifies the session for ever, e.g. "session-42@rounds.example";
	// calendars use it to update or cancel the entry they already hold.
	UID string
	// Sequence counts the revisions the organizer has made; raise it whenever
	// the time, place or status changes so clients take the new version.
	Sequence    int
	Summary     string
	Description string
	Location    string
	// URL is the session's page.
	URL string
	// Start and End are instants; they are written in UTC, to the second.
	Start time.Time
	End   time.Time
	// Status is StatusConfirmed, StatusTentative, StatusCancelled or empty.
	Status     string
	Organizer  Person
	Attendees  []Person
	Categories []string
	// LastModified is when the session was last changed; optional.
	LastModified time.Time
	// DTStamp is when this copy was made (RFC 5545 DTSTAMP); when zero,
	// LastModified is used, and one of them must be set.
	DTStamp time.Time
}

// Calendar is a VCALENDAR holding teaching sessions.
type Calendar struct {
	// Name is the feed's display name (NAME and X-WR-CALNAME); optional.
	Name string
	// Method is MethodPublish (the default when empty), MethodRequest or
	// MethodCancel. Request and cancel need an Organizer on every event.
	Method string
	// RefreshInterval, when positive, suggests how often subscribers poll the
	// feed (REFRESH-INTERVAL and X-PUBLISHED-TTL).
	RefreshInterval time.Duration
	Events          []Event
}

// Bytes returns the calendar as iCalendar text.
func (c *Calendar) Bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes the calendar to w as iCalendar text with CRLF line endings and
// lines folded at 75 octets. Nothing is written if the calendar is invalid.
func (c *Calendar) Write(w io.Writer) error {
	cal, err := c.calendar()
	if err != nil {
		return err
	}
	var raw bytes.Buffer
	if err := goical.NewEncoder(&raw).Encode(cal); err != nil {
		return fmt.Errorf("ical: encode: %w", err)
	}
	var b builder
	for _, l := range strings.Split(strings.TrimSuffix(raw.String(), "\r\n"), "\r\n") {
		if l == "BEGIN:"+noEvents || l == "END:"+noEvents {
			continue
		}
		b.line(l)
	}
	if _, err := w.Write(b.buf.Bytes()); err != nil {
		return fmt.Errorf("ical: write: %w", err)
	}
	return nil
}

// noEvents names the stand-in component of a calendar without sessions.
// RFC 5545's grammar asks a VCALENDAR for at least one component and go-ical
// will not encode one without, but a member who has booked nothing yet still
// needs a feed their calendar program can read, and programs read an empty
// VCALENDAR as no events. The stand-in's BEGIN and END lines are left out of
// what Write writes.
const noEvents = "X-ROUNDS-NO-EVENTS"

// calendar returns c as a go-ical calendar, or the first reason it cannot be
// written.
func (c *Calendar) calendar() (*goical.Calendar, error) {
	method := c.Method
	if method == "" {
		method = MethodPublish
	}
	switch method {
	case MethodPublish, MethodRequest, MethodCancel:
	default:
		return nil, fmt.Errorf("ical: unknown method %q", c.Method)
	}

	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropVersion, "2.0")
	cal.Props.SetText(goical.PropProductID, ProdID)
	cal.Props.SetText(goical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(goical.PropMethod, method)
	if c.Name != "" {
		cal.Props.Set(textProp(goical.PropName, c.Name))
		cal.Props.Set(textProp("X-WR-CALNAME", c.Name))
	}
	if c.RefreshInterval > 0 {
		d := duration(c.RefreshInterval)
		refresh := goical.NewProp(goical.PropRefreshInterval)
		// RFC 7986 requires VALUE=DURATION here, although go-ical leaves
		// out a VALUE that is the property's default.
		refresh.Params.Set(goical.ParamValue, string(goical.ValueDuration))
		refresh.Value = d
		cal.Props.Set(refresh)
		ttl := goical.NewProp("X-PUBLISHED-TTL")
		ttl.Value = d
		cal.Props.Set(ttl)
	}
	for i := range c.Events {
		ev, err := c.Events[i].event(method)
		if err != nil {
			return nil, err
		}
		cal.Children = append(cal.Children, ev.Component)
	}
	if len(cal.Children) == 0 {
		cal.Children = append(cal.Children, goical.NewComponent(noEvents))
	}
	return cal, nil
}

// event returns e as a go-ical VEVENT, or why it cannot be written.
func (e *Event) event(method string) (*goical.Event, error) {
	if err := e.validate(method); err != nil {
		return nil, err
	}
	stamp := e.DTStamp
	if stamp.IsZero() {
		stamp = e.LastModified
	}

	ev := goical.NewEvent()
	ev.Props.Set(textProp(goical.PropUID, e.UID))
	ev.Props.SetDateTime(goical.PropDateTimeStamp, stamp.UTC())
	seq := goical.NewProp(goical.PropSequence)
	seq.Value = strconv.Itoa(e.Sequence)
	ev.Props.Set(seq)
	ev.Props.SetDateTime(goical.PropDateTimeStart, e.Start.UTC())
	ev.Props.SetDateTime(goical.PropDateTimeEnd, e.End.UTC())
	if e.Summary != "" {
		ev.Props.Set(textProp(goical.PropSummary, e.Summary))
	}
	if e.Description != "" {
		ev.Props.Set(textProp(goical.PropDescription, e.Description))
	}
	if e.Location != "" {
		ev.Props.Set(textProp(goical.PropLocation, e.Location))
	}
	if e.URL != "" {
		// Not SetURI: going through net/url can respell the address.
		u := goical.NewProp(goical.PropURL)
		u.Value = e.URL
		ev.Props.Set(u)
	}
	if e.Status != "" {
		ev.SetStatus(goical.EventStatus(e.Status))
	}
	if e.Status == StatusCancelled {
		// Cancelled sessions no longer block the attendee's time.
		ev.Props.SetText(goical.PropTransparency, "TRANSPARENT")
	}
	if len(e.Categories) > 0 {
		ev.Props.Set(textProp(goical.PropCategories, e.Categories...))
	}
	if e.Organizer != (Person{}) {
		ev.Props.Set(personProp(goical.PropOrganizer, e.Organizer))
	}
	for _, a := range e.Attendees {
		p := personProp(goical.PropAttendee, a)
		// Seats are booked on the site, so the attendee has already accepted
		// and the calendar should not offer to reply to the organizer.
		p.Params.Set(goical.ParamRole, "REQ-PARTICIPANT")
		p.Params.Set(goical.ParamParticipationStatus, "ACCEPTED")
		p.Params.Set(goical.ParamRSVP, "FALSE")
		ev.Props.Add(p)
	}
	if !e.LastModified.IsZero() {
		ev.Props.SetDateTime(goical.PropLastModified, e.LastModified.UTC())
	}
	return ev, nil
}

func (e *Event) validate(method string) error {
	if strings.TrimSpace(e.UID) == "" {
		return errors.New("ical: event without a uid")
	}
	if err := e.check(method); err != nil {
		return fmt.Errorf("ical: event %q: %w", e.UID, err)
	}
	return nil
}

func (e *Event) check(method string) error {
	switch {
	case e.Sequence < 0:
		return fmt.Errorf("negative sequence %d", e.Sequence)
	case e.Start.IsZero() || e.End.IsZero():
		return errors.New("start and end are required")
	case e.End.Before(e.Start):
		return errors.New("ends before it starts")
	case e.DTStamp.IsZero() && e.LastModified.IsZero():
		return errors.New("dtstamp or last-modified is required")
	}
	for _, t := range []time.Time{e.Start, e.End, e.DTStamp, e.LastModified} {
		if y := t.UTC().Year(); !t.IsZero() && (y < 1 || y > 9999) {
			return fmt.Errorf("year %d out of range", y)
		}
	}
	switch e.Status {
	case "", StatusConfirmed, StatusTentative, StatusCancelled:
	default:
		return fmt.Errorf("unknown status %q", e.Status)
	}
	if method == MethodCancel && e.Status != StatusCancelled {
		return errors.New("method CANCEL needs status CANCELLED")
	}
	if (method == MethodRequest || method == MethodCancel) && e.Organizer.Email == "" {
		return fmt.Errorf("method %s needs an organizer", method)
	}
	if e.URL != "" {
		if err := checkURI(e.URL); err != nil {
			return fmt.Errorf("url: %w", err)
		}
	}
	if e.Organizer != (Person{}) {
		if err := checkEmail(e.Organizer.Email); err != nil {
			return fmt.Errorf("organizer: %w", err)
		}
	}
	for _, a := range e.Attendees {
		if err := checkEmail(a.Email); err != nil {
			return fmt.Errorf("attendee: %w", err)
		}
	}
	return nil
}

// checkURI rejects what cannot stand unescaped in a URI property value.
func checkURI(s string) error {
	for _, r := range s {
		if r <= ' ' || r == 0x7f || r == '"' {
			return fmt.Errorf("invalid character %q", r)
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() {
		return fmt.Errorf("%q is not absolute", s)
	}
	return nil
}

// checkEmail rejects addresses that would break the mailto: URI.
func checkEmail(s string) error {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return fmt.Errorf("invalid e-mail address %q", s)
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`"<>\`, r) {
			return fmt.Errorf("invalid e-mail address %q", s)
		}
	}
	return nil
}

// textProp returns a TEXT property holding values, each first made
// representable (see cleanText).
func textProp(name string, values ...string) *goical.Prop {
	clean := make([]string, len(values))
	for i, v := range values {
		clean[i] = cleanText(v)
	}
	p := goical.NewProp(name)
	p.SetTextList(clean)
	// go-ical marks a property it does not know, such as X-WR-CALNAME, with
	// VALUE=TEXT; TEXT is already the default (RFC 5545 section 3.8.8.2).
	p.Params.Del(goical.ParamValue)
	return p
}

// personProp returns an ORGANIZER or ATTENDEE property with its common name.
func personProp(name string, p Person) *goical.Prop {
	prop := goical.NewProp(name)
	if p.Name != "" {
		prop.Params.Set(goical.ParamCommonName, paramText(p.Name))
	}
	prop.Value = "mailto:" + p.Email
	return prop
}

// builder holds iCalendar text folded into lines of at most 75 octets, which
// go-ical's encoder does not do.
type builder struct {
	buf bytes.Buffer
}

// line writes one content line, folding it only between whole UTF-8
// characters and never inside a TEXT escape such as \; or \n.
func (b *builder) line(l string) {
	col := 0 // octets on the current physical line
	for l != "" {
		n := tokenLen(l)
		if col+n > maxLineOctets {
			b.buf.WriteString("\r\n ")
			col = 1
		}
		b.buf.WriteString(l[:n])
		col += n
		l = l[n:]
	}
	b.buf.WriteString("\r\n")
}

// tokenLen is the length of the piece at the start of the non-empty s that a
// fold must not split: one character, or a backslash and the character it
// escapes.
func tokenLen(s string) int {
	_, n := utf8.DecodeRuneInString(s)
	if s[0] == '\\' && len(s) > 1 {
		_, m := utf8.DecodeRuneInString(s[1:])
		n += m
	}
	return n
}

// cleanText returns s as it will read back from the calendar: invalid UTF-8
// replaced by U+FFFD, CRLF and lone CR turned into LF, and control characters
// other than tab and newline removed.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// paramText makes s safe inside a quoted parameter value, which can hold
// neither a double quote nor a control character.
func paramText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < 0x20 || r == 0x7f:
			return ' '
		}
		return r
	}, s)
}

// duration formats d as an RFC 5545 DURATION, to the second.
func duration(d time.Duration) string {
	secs := int64(d / time.Second)
	if secs < 1 {
		secs = 1
	}
	var s strings.Builder
	s.WriteString("P")
	if days := secs / 86400; days > 0 {
		s.WriteString(strconv.FormatInt(days, 10) + "D")
		secs %= 86400
	}
	if secs > 0 {
		s.WriteString("T")
		if h := secs / 3600; h > 0 {
			s.WriteString(strconv.FormatInt(h, 10) + "H")
		}
		if m := secs % 3600 / 60; m > 0 {
			s.WriteString(strconv.FormatInt(m, 10) + "M")
		}
		if sec := secs % 60; sec > 0 {
			s.WriteString(strconv.FormatInt(sec, 10) + "S")
		}
	}
	return s.String()
}
