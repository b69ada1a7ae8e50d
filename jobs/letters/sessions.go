package letters

import (
	"context"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"rounds/internal/ical"
	"rounds/models"
	"rounds/models/store"
)

// What the letters about a teaching session put in l.Vars, for the shared
// blocks of templates/mail/session.tmpl:
//
//	Session   models.Session
//	When      "Tuesday 3 November 2026, 18:00–19:30 GMT" (see TimeRange)
//	Where     the room, "Online", or both, for the recipient's seat
//	Teachers  "Ada Lovelace and Grace Hopper", or ""
//	Page      the session's page
//	Mode      the recipient's booking mode (in_person, online), or ""
//	Join      the join link for an online seat, or ""
const (
	varSession  = "Session"
	varWhen     = "When"
	varWhere    = "Where"
	varTeachers = "Teachers"
	varPage     = "Page"
	varMode     = "Mode"
	varJoin     = "Join"
)

// icsName is the file name of the calendar attachments.
const icsName = "session.ics"

// TimeRange says when something happens in the society's time zone, as
// people in Britain write it: "Tuesday 3 November 2026, 18:00–19:30 GMT".
// Each end carries its own zone name when they differ (the night the clocks
// change), and its own date when it ends on another day.
func TimeRange(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	s, e := start.In(loc), end.In(loc)
	const day, clock = "Monday 2 January 2006", "15:04"
	sameDay := s.Year() == e.Year() && s.YearDay() == e.YearDay()
	sz, ez := s.Format("MST"), e.Format("MST")
	switch {
	case sameDay && sz == ez:
		return s.Format(day) + ", " + s.Format(clock) + "–" + e.Format(clock) + " " + ez
	case sameDay:
		return s.Format(day) + ", " + s.Format(clock) + " " + sz + "–" + e.Format(clock) + " " + ez
	default:
		return s.Format(day) + ", " + s.Format(clock) + " " + sz + " – " + e.Format(day) + ", " + e.Format(clock) + " " + ez
	}
}

// loadSession reads the session the outbox row is about and fills the
// Vars every session letter shows. A session that no longer exists skips
// the letter.
func loadSession(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) (models.Session, error) {
	if m.SessionID == nil {
		return models.Session{}, Skip("the e-mail names no session")
	}
	s, err := models.SessionByID(ctx, db, *m.SessionID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Session{}, Skip("the session no longer exists")
	}
	if err != nil {
		return models.Session{}, err
	}
	teachers, err := models.SessionTeachers(ctx, db, s.ID)
	if err != nil {
		return models.Session{}, err
	}
	names := make([]string, len(teachers))
	for i, t := range teachers {
		names[i] = t.Name
	}
	l.Vars[varSession] = s
	l.Vars[varWhen] = TimeRange(s.StartsAt, s.EndsAt, l.Location)
	l.Vars[varTeachers] = andList(names)
	l.Vars[varPage] = sessionURL(l, s.ID, "")
	setSeat(l, s, "")
	return s, nil
}

// setSeat fills Mode, Where and Join for a seat of booking mode mode, or
// for the whole session when mode is empty.
func setSeat(l *Letter, s models.Session, mode models.Mode) {
	l.Vars[varMode] = mode
	l.Vars[varJoin] = ""
	switch {
	case mode == models.ModeOnline:
		l.Vars[varWhere] = "Online"
		l.Vars[varJoin] = sessionURL(l, s.ID, "/join")
	case mode == models.ModeInPerson || s.Mode == models.ModeInPerson:
		l.Vars[varWhere] = s.Venue
	case s.Mode == models.ModeOnline:
		l.Vars[varWhere] = "Online"
	default:
		l.Vars[varWhere] = s.Venue + ", and online"
	}
}

// sessionURL is the address of a session's page, or of one under it.
func sessionURL(l *Letter, id int64, sub string) string {
	return l.URL("/sessions/" + strconv.FormatInt(id, 10) + sub)
}

// andList joins names as "A", "A and B", "A, B and C".
func andList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// memberBooking returns the recipient's booking of the session, or a Skip
// when they have none (or it is cancelled).
func memberBooking(ctx context.Context, db *store.Store, l *Letter, s models.Session) (models.Booking, error) {
	b, err := models.UserBooking(ctx, db, s.ID, l.User.ID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Booking{}, Skip("the recipient has no booking of the session")
	}
	if err != nil {
		return models.Booking{}, err
	}
	if b.Status == models.BookingCancelled {
		return models.Booking{}, Skip("the booking has been cancelled")
	}
	return b, nil
}

// placeSuperseded tells whether the outbox row's key names another place
// in the queue than the booking holds now: the member cancelled and booked
// again, and the new place has its e-mail of its own. Keys are
// "kind:user:session:queued_at in µs" (see models.BookSeat).
func placeSuperseded(m *models.OutboxMessage, b models.Booking) bool {
	parts := strings.Split(m.DedupeKey, ":")
	if len(parts) != 4 {
		return false
	}
	queued, err := strconv.ParseInt(parts[3], 10, 64)
	return err == nil && queued != b.QueuedAt.UnixMicro()
}

// attachInvitation attaches the session as an iCalendar object.
//
// Invitations go as METHOD:REQUEST (an iTIP request, RFC 5546), the
// recipient as an attendee who has already accepted (PARTSTAT=ACCEPTED,
// RSVP=FALSE: the seat was booked on the site, there is nothing to answer).
// Gmail, Outlook and Apple Calendar all show such a request as an event to
// add, and, unlike a METHOD:PUBLISH file, they apply a later request with
// the same UID and a higher SEQUENCE (a session_changed e-mail) to the entry
// they hold instead of adding a second one, and remove it on a
// METHOD:CANCEL (session_cancelled). The organizer is the society, at the
// no-reply address of the site's host.
func attachInvitation(ctx context.Context, db *store.Store, l *Letter, s models.Session, method string) error {
	ev, err := models.SessionEvent(ctx, db, l.BaseURL, s)
	if err != nil {
		return err
	}
	ev.DTStamp = l.Now
	ev.Organizer = ical.Person{Name: l.Society, Email: organizerAddress(l.BaseURL)}
	ev.Attendees = []ical.Person{{Name: l.ToName, Email: l.To}}
	cal := ical.Calendar{Method: method, Events: []ical.Event{ev}}
	data, err := cal.Bytes()
	if err != nil {
		return err
	}
	l.Attach(icsName, "text/calendar; method="+method+"; charset=utf-8", data)
	return nil
}

// organizerAddress is the address invitations name as their organizer.
func organizerAddress(baseURL string) string {
	host := "localhost"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "no-reply@" + host
}

// Change is one line of a session_changed letter: what changed, how it is
// now, and how it was ("" when the letter does not know).
type Change struct {
	What, Now, Was string
}

// sessionChanges lists what changed for a seat of booking mode mode, from
// the row's data (the old values) and the session as it is now. A value
// changed and changed back is left out; so is the room for an online seat,
// and the online link for a seat in the room.
func sessionChanges(l *Letter, s models.Session, mode models.Mode) []Change {
	var out []Change
	changed := map[string]bool{}
	for _, c := range strings.Split(l.Data["changed"], ",") {
		changed[strings.TrimSpace(c)] = true
	}
	now := TimeRange(s.StartsAt, s.EndsAt, l.Location)
	oldStart, errS := time.Parse(time.RFC3339, l.Data["old_starts_at"])
	oldEnd, errE := time.Parse(time.RFC3339, l.Data["old_ends_at"])
	switch {
	case errS == nil && errE == nil:
		if !oldStart.Equal(s.StartsAt) || !oldEnd.Equal(s.EndsAt) {
			out = append(out, Change{What: "When", Now: now, Was: TimeRange(oldStart, oldEnd, l.Location)})
		}
	case changed["time"]:
		out = append(out, Change{What: "When", Now: now})
	}
	if mode != models.ModeOnline {
		old, known := l.Data["old_venue"]
		switch {
		case known && old != s.Venue:
			out = append(out, Change{What: "Where", Now: orNone(s.Venue), Was: orNone(old)})
		case !known && changed["venue"]:
			out = append(out, Change{What: "Where", Now: orNone(s.Venue)})
		}
	}
	if mode != models.ModeInPerson && changed["online_url"] {
		out = append(out, Change{What: "Online", Now: "there is a new link to the meeting; the join link below takes you to it"})
	}
	return out
}

func orNone(venue string) string {
	if venue == "" {
		return "no room (online only)"
	}
	return venue
}

// parseTime reads a time the planner stored in Data; zero if absent.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// requireUser is for hooks of kinds that always have an account.
func requireUser(l *Letter) error {
	if l.User == nil {
		return Skip("the account no longer exists")
	}
	return nil
}

// certificateURL is the address of a certificate's page, with suffix
// (".pdf") for another form of it.
func certificateURL(l *Letter, code, suffix string) string {
	return l.URL("/certificates/" + url.PathEscape(code) + suffix)
}
