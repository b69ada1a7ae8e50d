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
	method := c.Method
	if method == "" {
		method = MethodPublish
	}
	switch method {
	case MethodPublish, MethodRequest, MethodCancel:
	default:
		return fmt.Errorf("ical: unknown method %q", c.Method)
	}

	var b builder
	b.line("BEGIN", "VCALENDAR")
	b.line("VERSION", "2.0")
	b.line("PRODID", ProdID)
	b.line("CALSCALE", "GREGORIAN")
	b.line("METHOD", method)
	if c.Name != "" {
		b.text("NAME", c.Name)
		b.text("X-WR-CALNAME", c.Name)
	}
	if c.RefreshInterval > 0 {
		d := duration(c.RefreshInterval)
		b.line("REFRESH-INTERVAL;VALUE=DURATION", d)
		b.line("X-PUBLISHED-TTL", d)
	}
	for i := range c.Events {
		if err := b.event(&c.Events[i], method); err != nil {
			return err
		}
	}
	b.line("END", "VCALENDAR")

	if _, err := w.Write(b.buf.Bytes()); err != nil {
		return fmt.Errorf("ical: write: %w", err)
	}
	return nil
}

// builder accumulates folded content lines.
type builder struct {
	buf bytes.Buffer
	col int // octets on the current physical line
}

func (b *builder) event(e *Event, method string) error {
	if err := e.validate(method); err != nil {
		return err
	}
	stamp := e.DTStamp
	if stamp.IsZero() {
		stamp = e.LastModified
	}

	b.line("BEGIN", "VEVENT")
	b.text("UID", e.UID)
	b.line("DTSTAMP", utc(stamp))
	b.line("SEQUENCE", strconv.Itoa(e.Sequence))
	b.line("DTSTART", utc(e.Start))
	b.line("DTEND", utc(e.End))
	if e.Summary != "" {
		b.text("SUMMARY", e.Summary)
	}
	if e.Description != "" {
		b.text("DESCRIPTION", e.Description)
	}
	if e.Location != "" {
		b.text("LOCATION", e.Location)
	}
	if e.URL != "" {
		b.line("URL", e.URL)
	}
	if e.Status != "" {
		b.line("STATUS", e.Status)
	}
	if e.Status == StatusCancelled {
		// Cancelled sessions no longer block the attendee's time.
		b.line("TRANSP", "TRANSPARENT")
	}
	if len(e.Categories) > 0 {
		b.textList("CATEGORIES", e.Categories)
	}
	if e.Organizer != (Person{}) {
		b.person("ORGANIZER", e.Organizer, "")
	}
	for _, a := range e.Attendees {
		// Seats are booked on the site, so the attendee has already accepted
		// and the calendar should not offer to reply to the organizer.
		b.person("ATTENDEE", a, ";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE")
	}
	if !e.LastModified.IsZero() {
		b.line("LAST-MODIFIED", utc(e.LastModified))
	}
	b.line("END", "VEVENT")
	return nil
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

// line writes "NAME:value" where value is already in its final form.
func (b *builder) line(name, value string) {
	b.begin()
	b.token(name)
	b.token(":")
	for _, r := range value {
		b.token(string(r))
	}
	b.end()
}

// text writes a TEXT property.
func (b *builder) text(name, value string) {
	b.textList(name, []string{value})
}

// textList writes a multi-valued TEXT property, values separated by commas.
func (b *builder) textList(name string, values []string) {
	b.begin()
	b.token(name)
	b.token(":")
	for i, v := range values {
		if i > 0 {
			b.token(",")
		}
		escapeText(v, b.token)
	}
	b.end()
}

// person writes an ORGANIZER or ATTENDEE with its common name.
func (b *builder) person(name string, p Person, params string) {
	b.begin()
	b.token(name)
	if p.Name != "" {
		b.token(";CN=\"")
		for _, r := range paramText(p.Name) {
			b.token(string(r))
		}
		b.token("\"")
	}
	for _, r := range params {
		b.token(string(r))
	}
	b.token(":mailto:")
	for _, r := range p.Email {
		b.token(string(r))
	}
	b.end()
}

func (b *builder) begin() { b.col = 0 }

func (b *builder) end() {
	b.buf.WriteString("\r\n")
	b.col = 0
}

// token appends an indivisible piece of a content line (one character or one
// escape sequence), folding first if it would overrun the line. Folding only
// between tokens keeps UTF-8 characters and escapes whole on one line.
func (b *builder) token(t string) {
	if b.col+len(t) > maxLineOctets {
		b.buf.WriteString("\r\n ")
		b.col = 1
	}
	b.buf.WriteString(t)
	b.col += len(t)
}

// escapeText passes the TEXT escaping of s to emit one token at a time. Text
// is first made representable: invalid UTF-8 becomes U+FFFD, CRLF and CR
// become a newline, and other control characters except tab are dropped, as
// RFC 5545 TEXT cannot carry them.
func escapeText(s string, emit func(string)) {
	s = cleanText(s)
	for _, r := range s {
		switch r {
		case '\\':
			emit(`\\`)
		case ';':
			emit(`\;`)
		case ',':
			emit(`\,`)
		case '\n':
			emit(`\n`)
		default:
			emit(string(r))
		}
	}
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

// utc formats t as a UTC DATE-TIME, truncated to the second.
func utc(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
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
