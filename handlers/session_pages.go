package handlers

// The server-rendered pages of teaching sessions and bookings: browsing and
// booking for students, "My sessions" with the calendar feed, and for
// teachers "My teaching", the session form and the manage page. Who may call
// each is declared in routes.go, and every rule is in models; these handlers
// read the form, call models, and show the result (post / redirect / get).

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// ---- presentation ----------------------------------------------------------

// seats describes the places of one booking mode of a session.
type seats struct {
	Mode      models.Mode // in_person or online
	Capacity  int         // -1: unlimited
	Left      int         // -1: unlimited
	Confirmed int
	Waiting   int
}

// Unlimited tells whether the mode has no cap on places.
func (s seats) Unlimited() bool { return s.Left < 0 }

// Full tells whether a new booking of the mode would join the waitlist.
func (s seats) Full() bool { return s.Left == 0 }

// sessionItem is a session as the pages show it to one viewer, with what
// the templates need worked out in advance.
type sessionItem struct {
	models.SessionView
	Seats      []seats
	When       string // "Tue 3 Nov 2026, 18:00–19:30 GMT", in the society's time zone
	OnlineLink string // the meeting link, for those who may see it
	Started    bool
	Ended      bool
	Muted      bool // shown greyed: a cancelled booking or session
}

// sessionCard is what a session card shows, all in top-level fields. The
// template engine finds a field promoted through embedded structs (Title,
// through SessionView and Session) only by a search that allocates on
// every look-up, and a list of sessions shows dozens of cards: flat cards
// serve the sessions page half as fast again. The session_* templates take
// either.
type sessionCard struct {
	ID                             int64
	Title, Topic, Venue            string
	Status                         models.SessionStatus
	Format                         models.Format
	Mode                           models.Mode
	When                           string
	StartsAt                       time.Time
	YearGroups                     models.YearGroups
	Teachers                       []models.SessionTeacher
	MyBooking                      *models.Booking
	Seats                          []seats
	Muted, Started, Ended, CanJoin bool
}

// Card is the item as a session card.
func (s *sessionItem) Card() *sessionCard {
	return &sessionCard{
		ID: s.ID, Title: s.Title, Status: s.Status, Format: s.Format, Topic: s.Topic, Mode: s.Mode, Venue: s.Venue,
		When: s.When, StartsAt: s.StartsAt, YearGroups: s.YearGroups, Teachers: s.Teachers, MyBooking: s.MyBooking,
		Seats: s.Seats, Muted: s.Muted, Started: s.Started, Ended: s.Ended, CanJoin: s.CanJoin(),
	}
}

// Open tells whether a student may book it now.
func (s *sessionItem) Open() bool { return s.Status == models.SessionPublished && !s.Started }

// CanJoin tells whether the viewer has a confirmed online place and the
// session has not ended: the "Join online" link.
func (s *sessionItem) CanJoin() bool {
	b := s.MyBooking
	return b != nil && b.Status == models.BookingConfirmed && b.Mode == models.ModeOnline &&
		s.Status == models.SessionPublished && !s.Ended && s.OnlineLink != ""
}

// when is a session's time as the pages show it, in the society's time
// zone: the end's date only when it is another day, and the zone after
// each end when a clock change falls in between.
func (h *Handler) when(start, end time.Time) string {
	s, e := start.In(h.Config.Location), end.In(h.Config.Location)
	// Written into one buffer: every card of the list says it.
	var buf [64]byte
	var zs, ze [16]byte
	w := s.AppendFormat(buf[:0], "Mon 2 Jan 2006, 15:04")
	sz, ez := s.AppendFormat(zs[:0], "MST"), e.AppendFormat(ze[:0], "MST")
	both := string(sz) != string(ez)
	if both {
		w = append(append(w, ' '), sz...)
	}
	w = append(w, "–"...)
	if y1, m1, d1 := s.Date(); y1 == e.Year() && m1 == e.Month() && d1 == e.Day() {
		w = e.AppendFormat(w, "15:04")
	} else {
		w = e.AppendFormat(w, "Mon 2 Jan 2006, 15:04")
	}
	if both {
		return string(append(append(w, ' '), ez...))
	}
	return string(append(append(w, ' '), sz...))
}

func (h *Handler) sessionItem(v models.SessionView) *sessionItem {
	now := h.Clock.Now()
	it := &sessionItem{SessionView: v, Started: v.HasStarted(now), Ended: v.HasEnded(now), When: h.when(v.StartsAt, v.EndsAt)}
	if v.OnlineURL != nil {
		it.OnlineLink = *v.OnlineURL
	}
	for _, m := range v.Modes() {
		st := seats{Mode: m, Capacity: v.Capacity(m), Left: v.SeatsLeft(m), Confirmed: v.Counts.Confirmed(m)}
		if m == models.ModeOnline {
			st.Waiting = v.Counts.WaitlistedOnline
		} else {
			st.Waiting = v.Counts.WaitlistedInPerson
		}
		it.Seats = append(it.Seats, st)
	}
	it.Muted = v.Status == models.SessionCancelled
	return it
}

func (h *Handler) sessionItems(views []models.SessionView) []*sessionItem {
	out := make([]*sessionItem, 0, len(views))
	for _, v := range views {
		out = append(out, h.sessionItem(v))
	}
	return out
}

// sessionGroup is a headed list of sessions on a page.
type sessionGroup struct {
	ID      string
	Heading string
	Empty   string // shown when Items is empty
	Items   []*sessionItem
}

func sessionPath(id int64, rest string) string {
	return "/sessions/" + strconv.FormatInt(id, 10) + rest
}

// refusal is what the rules said no with, as one sentence for a flash; ok
// is false for errors that deserve their own page (not found, not allowed,
// or unexpected).
func refusal(err error) (string, bool) {
	status, body := classify(err)
	if status >= 500 || status == http.StatusNotFound || status == http.StatusForbidden || status == http.StatusUnauthorized {
		return "", false
	}
	msg := body.Message
	var ve *models.ValidationError
	if errors.As(err, &ve) && len(ve.Fields) > 0 {
		keys := make([]string, 0, len(ve.Fields))
		for k := range ve.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, ve.Fields[k])
		}
		msg = strings.Join(parts, " ")
	}
	// A flash holds at most 300 bytes.
	if len(msg) > 290 {
		cut := 280
		for cut > 0 && !utf8.RuneStart(msg[cut]) {
			cut--
		}
		msg = msg[:cut] + "…"
	}
	return msg, true
}

// refuse shows a refusal from the rules as a flash on the page back, and
// lets the error handler show anything else.
func (h *Handler) refuse(c echo.Context, err error, back string) error {
	msg, ok := refusal(h.localise(err))
	if !ok {
		return err
	}
	h.flash(c, "error", msg)
	return redirect(c, back)
}

// checkedSession is the session the route checked, as its caller sees it.
func (h *Handler) checkedSession(c echo.Context) (*sessionItem, error) {
	v, err := models.ViewSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c))
	if err != nil {
		return nil, err
	}
	return h.sessionItem(v), nil
}

// ---- home --------------------------------------------------------------------

// homePage greets a visitor, and shows a member their next sessions and a
// few coming up for their year.
func (h *Handler) homePage(c echo.Context) error {
	u := currentUser(c)
	d := map[string]any{"Title": "Near-peer teaching"}
	if u == nil {
		if err := h.landingSessions(c, d); err != nil {
			return err
		}
		return h.render(c, http.StatusOK, "home", d)
	}
	d["Title"] = "Home"
	now := h.Clock.Now()
	bookings, err := models.BookingsForUser(c.Request().Context(), h.Store, *u, models.BookingFilter{From: now})
	if err != nil {
		return err
	}
	var next []*sessionItem
	booked := map[int64]bool{}
	for _, b := range bookings {
		if b.Session == nil || b.Status == models.BookingCancelled {
			continue
		}
		booked[b.SessionID] = true
		if b.Session.Status == models.SessionPublished && len(next) < 3 {
			next = append(next, h.sessionItem(*b.Session))
		}
	}
	f := models.SessionFilter{From: now, Status: models.SessionPublished, Limit: 20}
	if u.YearOfStudy != nil {
		f.Year = *u.YearOfStudy
	}
	ss, err := models.ListSessions(c.Request().Context(), h.Store, *u, f)
	if err != nil {
		return err
	}
	var fresh []models.Session
	for _, s := range ss {
		if !booked[s.ID] && !s.HasStarted(now) && len(fresh) < 3 {
			fresh = append(fresh, s)
		}
	}
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *u, fresh)
	if err != nil {
		return err
	}
	d["Next"], d["Upcoming"] = next, h.sessionItems(views)
	if u.CanTeach() {
		ss, err := models.ListSessions(c.Request().Context(), h.Store, *u, models.SessionFilter{From: now, TeacherID: u.ID, Limit: 20})
		if err != nil {
			return err
		}
		var teaching []models.Session
		for _, s := range ss {
			if s.Status != models.SessionCancelled && len(teaching) < 3 {
				teaching = append(teaching, s)
			}
		}
		views, err := models.ViewSessions(c.Request().Context(), h.Store, *u, teaching)
		if err != nil {
			return err
		}
		d["Teaching"] = h.sessionItems(views)
	}
	return h.render(c, http.StatusOK, "home", d)
}

// ---- browsing ----------------------------------------------------------------

// sessionsPage lists upcoming published sessions with filters. A student
// sees their own year's sessions unless they choose another year or all
// years (?year=all), one click away.
func (h *Handler) sessionsPage(c echo.Context) error {
	u := currentUser(c)
	now := h.Clock.Now()
	query := map[string]string{}
	for _, k := range []string{"q", "year", "mode", "topic", "format", "from", "to"} {
		query[k] = strings.TrimSpace(c.QueryParam(k))
	}
	filtered := false
	for _, v := range query {
		filtered = filtered || v != ""
	}
	// A student's own year, unless a year (or all years) is chosen.
	ownYear := 0
	if u.YearOfStudy != nil && query["year"] == "" {
		ownYear = *u.YearOfStudy
		query["year"] = strconv.Itoa(ownYear)
	}
	d := map[string]any{"Title": "Sessions", "Query": query, "Filtered": filtered, "Errors": map[string]string{}, "OwnYear": ownYear}

	// The topics of every upcoming session, for the topic list.
	upcoming := models.SessionFilter{From: now, Status: models.SessionPublished}
	topics, err := models.SessionTopics(c.Request().Context(), h.Store, *u, upcoming)
	if err != nil {
		return err
	}
	d["Topics"] = topics

	f, err := h.sessionFilter(c)
	if err == nil {
		f.Status = models.SessionPublished
		if f.From.IsZero() {
			f.From = now
		}
		// A date given as "to" includes that day.
		if t, perr := time.ParseInLocation("2006-01-02", query["to"], h.Config.Location); perr == nil {
			f.To = t.AddDate(0, 0, 1).UTC()
		}
		f.Year = max(f.Year, ownYear)
	}
	var views []models.SessionView
	if err == nil {
		views, err = models.ListSessionViews(c.Request().Context(), h.Store, *u, f)
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		d["Errors"] = ve.Fields
		return h.render(c, http.StatusUnprocessableEntity, "sessions", d)
	}
	if err != nil {
		return err
	}
	if ownYear > 0 && len(views) == 0 && !filtered {
		// Nothing for their year: say how much there is for the others.
		others, err := models.ListSessions(c.Request().Context(), h.Store, *u, upcoming)
		if err != nil {
			return err
		}
		d["OtherYearsCount"] = len(others)
	}
	items := h.sessionItems(views)
	var groups []sessionGroup
	if len(items) > 0 {
		heading := "Upcoming sessions"
		if f.Year > 0 {
			heading = fmt.Sprintf("For year %d", f.Year)
		}
		groups = append(groups, sessionGroup{ID: "sessions", Heading: heading, Items: items})
	}
	d["Groups"], d["Count"] = groups, len(items)
	csrf, _ := c.Get("csrf").(string)
	d["Days"] = h.byDay(items, csrf)
	return h.render(c, http.StatusOK, "sessions", d)
}

// ---- the session page and booking ------------------------------------------

// bookingChoice is the booking form of the session page.
type bookingChoice struct {
	Default models.Mode // the mode checked at first: the first with a free place
	Label   string      // the button
	Note    string      // when a mode is full
}

func choose(it *sessionItem) bookingChoice {
	var ch bookingChoice
	var full []models.Mode
	for _, s := range it.Seats {
		if s.Full() {
			full = append(full, s.Mode)
		} else if ch.Default == "" {
			ch.Default = s.Mode
		}
	}
	switch {
	case len(it.Seats) == 0:
	case ch.Default == "":
		ch.Default = it.Seats[0].Mode
		ch.Label = "Join the waitlist"
		if len(it.Seats) > 1 {
			ch.Note = "Every place is taken, in the room and online. Join the waitlist: if someone cancels, the first in the queue gets their place and an e-mail."
		} else {
			ch.Note = "Every place is taken. Join the waitlist: if someone cancels, the first in the queue gets their place and an e-mail."
		}
	case len(full) > 0:
		ch.Label = "Book my place"
		if full[0] == models.ModeInPerson {
			ch.Note = "The room is full, but you can still book an online place, or join the waitlist for the room."
		} else {
			ch.Note = "Online places are full, but there are seats in the room, or you can join the online waitlist."
		}
	case ch.Default == models.ModeOnline:
		ch.Label = "Book an online place"
	case len(it.Seats) == 1:
		ch.Label = "Book a seat"
	default:
		ch.Label = "Book my place"
	}
	return ch
}

// sessionPage shows one session.
func (h *Handler) sessionPage(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	d := h.sessionPageData(c, it)
	if err := h.sessionPageExtra(c, it, d); err != nil {
		return err
	}
	if it.Status == models.SessionPublished && it.Started {
		// Who came: their record, and when feedback opens.
		a, found, err := models.AttendanceOf(c.Request().Context(), h.Store, currentUser(c).ID, it.ID)
		if err != nil {
			return err
		}
		if found {
			d["Came"] = a
		}
		if found && a.Attended() {
			given, err := models.HasGivenFeedback(c.Request().Context(), h.Store, a.UserID, it.ID)
			if err != nil {
				return err
			}
			opens := models.FeedbackOpensAt(it.Session)
			d["FeedbackGiven"], d["FeedbackOpensAt"], d["FeedbackOpen"] = given, opens, !h.Clock.Now().Before(opens)
		}
	}
	return h.render(c, http.StatusOK, "session", d)
}

// sessionPageData is what the session page shows: the session, the booking
// form, and whether it is aimed at other years than the viewer's.
func (h *Handler) sessionPageData(c echo.Context, it *sessionItem) map[string]any {
	d := map[string]any{"Title": it.Title, "S": it, "Choice": choose(it),
		"OtherYears": it.ForOtherYears(currentUser(c).YearOfStudy)}
	if it.Status == models.SessionPublished && !it.Ended { // the calendar links are shown
		d["Calendar"] = h.calendarLinks(it.Session)
	}
	return d
}

// bookSubmit books the member's own place.
func (h *Handler) bookSubmit(c echo.Context) error {
	id := sessionIDFrom(c)
	back := sessionPath(id, "")
	if asked, err := h.askOtherYears(c, id); asked || err != nil {
		return err
	}
	b, err := models.BookSeat(c.Request().Context(), h.Store, *currentUser(c), id, models.BookInput{Mode: models.Mode(c.FormValue("mode"))}, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, back)
	}
	if b.Status == models.BookingWaitlisted && b.WaitlistPosition != nil {
		// A place in the queue is not a seat: not styled as a success.
		h.flash(c, "notice", fmt.Sprintf("You are %s on the waitlist (%s): you have no seat yet. We will e-mail you if a place becomes free.", ordinal(*b.WaitlistPosition), strings.ToLower(b.Mode.Label())))
	} else {
		h.flash(c, "success", "You are booked ("+strings.ToLower(b.Mode.Label())+"). A confirmation is on its way by e-mail.")
	}
	return redirect(c, back)
}

// cancelMyBookingSubmit is "Can't make it": the member gives up their place.
func (h *Handler) cancelMyBookingSubmit(c echo.Context) error {
	id := sessionFrom(c).ID
	back := sessionPath(id, "")
	// What it held, for the words afterwards.
	before, err := models.UserBooking(c.Request().Context(), h.Store, id, currentUser(c).ID)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	b, err := models.CancelMyBooking(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, back)
	}
	switch {
	case b.Status != models.BookingCancelled:
	case before.Status == models.BookingWaitlisted:
		h.flash(c, "success", "You have left the waitlist.")
	default:
		h.flash(c, "success", "Your booking has been cancelled. Thank you for letting us know: your place goes to the next person waiting.")
	}
	return redirect(c, back)
}

// ---- my sessions ------------------------------------------------------------

// mySessionsPage lists the member's bookings, coming up and past, with
// what happened at each past session and what follows (feedback, the
// certificate), and their private calendar feed.
func (h *Handler) mySessionsPage(c echo.Context) error {
	u := currentUser(c)
	bookings, err := models.BookingsForUser(c.Request().Context(), h.Store, *u, models.BookingFilter{})
	if err != nil {
		return err
	}
	records, walkIns, err := models.SessionRecordsOf(c.Request().Context(), h.Store, *u)
	if err != nil {
		return err
	}
	var upcoming []*sessionItem
	var past []pastSession
	for i := range bookings {
		b := bookings[i]
		if b.Session == nil {
			continue
		}
		it := h.sessionItem(*b.Session)
		it.MyBooking = &b
		it.Muted = it.Muted || b.Status == models.BookingCancelled
		rec, recorded := records[b.SessionID]
		switch {
		case !it.Ended:
			upcoming = append(upcoming, it)
		case b.Status != models.BookingCancelled || b.CancelledWithSession || recorded:
			past = append(past, h.pastSession(it, rec))
		}
	}
	for _, v := range walkIns {
		if it := h.sessionItem(v); it.Ended {
			past = append(past, h.pastSession(it, records[v.ID]))
		}
	}
	// The most recent first.
	sort.SliceStable(past, func(i, j int) bool { return past[i].StartsAt.After(past[j].StartsAt) })
	feed, err := h.calendarURL(c)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "my_sessions", map[string]any{
		"Title": "My sessions", "Upcoming": upcoming, "Past": past, "CalendarURL": feed,
	})
}

// pastSession is a row of "My sessions" for a session that has ended: what
// happened, and the next step (feedback, or the certificate).
type pastSession struct {
	*sessionItem
	Outcome     string
	Certificate string    // its code, once issued
	Feedback    bool      // feedback is open and not yet given
	OpensAt     time.Time // when feedback opens, if it has not
}

func (h *Handler) pastSession(it *sessionItem, rec models.SessionRecord) pastSession {
	p := pastSession{sessionItem: it}
	a, b := rec.Attendance, it.MyBooking
	switch {
	case it.Status == models.SessionCancelled:
		p.Outcome = "Cancelled with the session"
	case a != nil && a.WalkIn:
		p.Outcome = a.Status.Label() + ", as a walk-in"
	case a != nil && a.Status == models.AttendanceExcused:
		p.Outcome = "Excused: you sent apologies"
	case a != nil && a.Attended():
		p.Outcome = a.Status.Label() + ", " + strings.ToLower(a.Mode.Label())
	case a != nil:
		p.Outcome = a.Status.Label()
	case b != nil && b.Status == models.BookingWaitlisted:
		p.Outcome = "Stayed on the waitlist: no place came free"
	default:
		p.Outcome = "Booked; the register has no record of you yet"
	}
	if a == nil || !a.Attended() || it.Status == models.SessionCancelled {
		return p
	}
	if rec.Certificate != nil {
		p.Certificate = rec.Certificate.Code
	} else if !rec.FeedbackGiven {
		if opens := models.FeedbackOpensAt(it.Session); h.Clock.Now().Before(opens) {
			p.OpensAt = opens
		} else {
			p.Feedback = true
		}
	}
	return p
}

// resetCalendarSubmit revokes the calendar feed's address; the page shows
// a new one.
func (h *Handler) resetCalendarSubmit(c echo.Context) error {
	if err := models.RevokeCalendarFeed(c.Request().Context(), h.Store, currentUser(c).ID); err != nil {
		return err
	}
	h.flash(c, "success", "Your calendar has a new address. The old one no longer works: update your calendar program.")
	return redirect(c, "/my/sessions")
}

// ---- my teaching ------------------------------------------------------------

// teachingPage lists the sessions a teacher teaches (committee: all, with
// ?all=1) by draft, coming up, past and cancelled.
func (h *Handler) teachingPage(c echo.Context) error {
	u := currentUser(c)
	all := u.IsCommittee() && c.QueryParam("all") == "1"
	f := models.SessionFilter{}
	if !all {
		f.TeacherID = u.ID
	}
	ss, err := models.ListSessions(c.Request().Context(), h.Store, *u, f)
	if err != nil {
		return err
	}
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *u, ss)
	if err != nil {
		return err
	}
	drafts := sessionGroup{ID: "drafts", Heading: "Drafts", Empty: "No drafts."}
	upcoming := sessionGroup{ID: "upcoming", Heading: "Coming up", Empty: "Nothing published is coming up."}
	past := sessionGroup{ID: "past", Heading: "Past", Empty: "No past sessions yet."}
	cancelled := sessionGroup{ID: "cancelled", Heading: "Cancelled"}
	for _, it := range h.sessionItems(views) {
		switch {
		case it.Status == models.SessionDraft:
			drafts.Items = append(drafts.Items, it)
		case it.Status == models.SessionCancelled:
			cancelled.Items = append(cancelled.Items, it)
		case !it.Ended:
			upcoming.Items = append(upcoming.Items, it)
		default:
			past.Items = append([]*sessionItem{it}, past.Items...)
		}
	}
	groups := []sessionGroup{drafts, upcoming, past}
	if len(cancelled.Items) > 0 {
		groups = append(groups, cancelled)
	}
	title := "My teaching"
	if all {
		title = "All sessions"
	}
	return h.render(c, http.StatusOK, "teaching", map[string]any{"Title": title, "All": all, "Groups": groups})
}

// ---- the session form ---------------------------------------------------------

// sessionForm is the session form as typed, kept to show it again.
type sessionForm struct {
	Title, Description, Topic, Venue, OnlineURL        string
	Format                                             models.Format
	Mode                                               models.Mode
	InPersonCapacity, OnlineCapacity, StartsAt, EndsAt string
	Years                                              map[int]bool
	Teachers                                           map[int64]bool
	MembersOnly                                        bool // no public page
}

const inputTimeLayout = "2006-01-02T15:04"

// sessionFormFields are the form's fields in the order shown, by the names
// the model's validation errors use.
var sessionFormFields = []string{"title", "description", "topic", "format", "year_groups", "mode", "venue",
	"in_person_capacity", "online_url", "online_capacity", "starts_at", "ends_at", "teacher_ids",
	"weeks", "skip_dates", "series"}

func (h *Handler) formFromSession(it *sessionItem) sessionForm {
	f := sessionForm{
		Title: it.Title, Description: it.Description, Topic: it.Topic, Format: it.Format, Mode: it.Mode,
		Venue: it.Venue, OnlineURL: it.OnlineLink,
		StartsAt: it.StartsAt.In(h.Config.Location).Format(inputTimeLayout),
		EndsAt:   it.EndsAt.In(h.Config.Location).Format(inputTimeLayout),
		Years:    map[int]bool{}, Teachers: map[int64]bool{},
		MembersOnly: it.MembersOnly,
	}
	if it.Mode != models.ModeOnline || it.InPersonCapacity != 0 {
		f.InPersonCapacity = strconv.Itoa(it.InPersonCapacity)
	}
	if it.Session.OnlineCapacity != nil && *it.Session.OnlineCapacity > 0 {
		f.OnlineCapacity = strconv.Itoa(*it.Session.OnlineCapacity)
	}
	for _, y := range it.YearGroups.Years() {
		f.Years[y] = true
	}
	for _, t := range it.Teachers {
		f.Teachers[t.ID] = true
	}
	return f
}

// readSessionForm reads the posted form into the model's input. What
// cannot be read (a number that is not one, a time that does not exist) is
// reported in the problems and given to the model as a value it refuses, so
// that nothing is saved and every other field is still checked.
func (h *Handler) readSessionForm(c echo.Context) (sessionForm, models.SessionInput, models.Problems) {
	vals, _ := c.FormParams()
	get := func(k string) string { return vals.Get(k) }
	f := sessionForm{
		Title: get("title"), Description: get("description"), Topic: get("topic"), Format: models.Format(get("format")),
		Mode: models.Mode(get("mode")), Venue: get("venue"), OnlineURL: get("online_url"),
		InPersonCapacity: strings.TrimSpace(get("in_person_capacity")), OnlineCapacity: strings.TrimSpace(get("online_capacity")),
		StartsAt: strings.TrimSpace(get("starts_at")), EndsAt: strings.TrimSpace(get("ends_at")),
		Years: map[int]bool{}, Teachers: map[int64]bool{},
	}
	p := models.Problems{}
	in := models.SessionInput{
		Title: &f.Title, Description: &f.Description, Topic: &f.Topic, Format: &f.Format, Mode: &f.Mode,
		Venue: &f.Venue, OnlineURL: &f.OnlineURL,
	}
	f.MembersOnly = get("members_only") == "yes"
	in.MembersOnly = &f.MembersOnly
	number := func(field, v string, bad string) *int {
		n := 0
		if v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				p.Add(field, bad)
				n = -1
			}
		}
		return &n
	}
	in.InPersonCapacity = number("in_person_capacity", f.InPersonCapacity, "Enter the number of seats as a whole number, like 40.")
	in.OnlineCapacity = number("online_capacity", f.OnlineCapacity, "Enter the number of online places as a whole number, or leave it blank for no limit.")
	in.StartsAt = h.formTime(p, "starts_at", f.StartsAt)
	in.EndsAt = h.formTime(p, "ends_at", f.EndsAt)

	years := []int{}
	for _, v := range vals["year_groups"] {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Add("year_groups", "Choose years of study from 1 to 6.")
			n = 0
		}
		f.Years[n] = true
		years = append(years, n)
	}
	in.YearGroups = &years
	ids := []int64{}
	for _, v := range vals["teacher_ids"] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			p.Add("teacher_ids", "Choose teachers from the list.")
			n = 0
		}
		f.Teachers[n] = true
		ids = append(ids, n)
	}
	// The list of teachers is only read when the form showed it: a form
	// without it leaves the teachers as they are (on a new session: the
	// creator), while unticking everyone is refused.
	if len(ids) > 0 || vals.Get("teachers_shown") != "" {
		in.TeacherIDs = &ids
	}
	return f, in, p
}

// formTime reads a datetime-local value as a time in the society's time
// zone. A blank, unreadable or non-existent time (in the hour skipped when
// the clocks go forward) becomes the zero time, which the model refuses.
func (h *Handler) formTime(p models.Problems, field, v string) *time.Time {
	zero := time.Time{}
	if v == "" {
		return &zero
	}
	layout := inputTimeLayout
	if len(v) == len("2006-01-02T15:04:05") {
		layout = "2006-01-02T15:04:05"
	}
	t, err := time.ParseInLocation(layout, v, h.Config.Location)
	if err != nil {
		p.Add(field, "Enter a date and time, like 2026-11-03 18:00.")
		return &zero
	}
	if t.Format(layout) != v {
		p.Add(field, fmt.Sprintf("There is no %s on %s: the clocks go forward then. Choose another time.",
			v[11:16], t.Format("2 Jan 2006")))
		return &zero
	}
	t = t.UTC()
	return &t
}

// renderSessionForm shows the new or edit form, with errors beside fields.
func (h *Handler) renderSessionForm(c echo.Context, status int, it *sessionItem, f sessionForm, errs map[string]string, extra ...map[string]any) error {
	u := currentUser(c)
	var teachers []models.User
	for _, role := range []models.Role{models.RoleTeacher, models.RoleCommittee} {
		us, err := models.FindUsers(c.Request().Context(), h.Store, models.UserFilter{Role: role})
		if err != nil {
			return err
		}
		teachers = append(teachers, us...)
	}
	sort.SliceStable(teachers, func(i, j int) bool {
		return strings.ToLower(teachers[i].Name) < strings.ToLower(teachers[j].Name)
	})
	topics, err := models.SessionTopics(c.Request().Context(), h.Store, *u, models.SessionFilter{})
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	// The summary above the form lists the problems in the form's order.
	type problem struct{ Field, Message string }
	var summary []problem
	for _, k := range sessionFormFields {
		if msg, ok := errs[k]; ok {
			summary = append(summary, problem{k, msg})
		}
	}
	d := map[string]any{
		"Form": f, "Errors": errs, "Summary": summary, "Teachers": teachers, "Topics": topics,
		"Zone": h.Config.Location.String(), "Now": h.Clock.Now(),
	}
	if it == nil {
		d["Title"], d["Heading"], d["Action"] = "New session", "New session", "/teaching/new"
	} else {
		d["Title"], d["Heading"], d["Action"] = "Edit: "+it.Title, "Edit session", sessionPath(it.ID, "/edit")
		d["S"] = it
	}
	if err := h.seriesFormExtra(c, it, d, extra); err != nil {
		return err
	}
	return h.render(c, status, "session_form", d)
}

// formErrors gathers the messages to show beside the form's fields: the
// model's and the form's own (which win: they say what was typed wrong).
// Any other error is returned as it is.
func formErrors(err error, p models.Problems) (map[string]string, error) {
	errs := map[string]string{}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			errs[k] = v
		}
	} else if err != nil {
		return nil, err
	}
	for k, v := range p {
		errs[k] = v
	}
	return errs, nil
}

func (h *Handler) newSessionPage(c echo.Context) error {
	u := currentUser(c)
	f := sessionForm{Format: models.FormatLecture, Mode: models.ModeInPerson, Years: map[int]bool{}, Teachers: map[int64]bool{u.ID: true}}
	return h.renderSessionForm(c, http.StatusOK, nil, f, nil)
}

func (h *Handler) createSessionSubmit(c echo.Context) error {
	f, in, p := h.readSessionForm(c)
	s, err := models.CreateSession(c.Request().Context(), h.Store, *currentUser(c), in, h.Clock.Now())
	errs, err := formErrors(err, p)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, nil, f, errs)
	}
	h.flash(c, "success", "Your draft is saved. Check it here, then publish it so that students can book.")
	return redirect(c, sessionPath(s.ID, ""))
}

func (h *Handler) editSessionPage(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	if it.Status == models.SessionCancelled {
		h.flash(c, "error", "This session has been cancelled; it can no longer be changed.")
		return redirect(c, sessionPath(it.ID, ""))
	}
	return h.renderSessionForm(c, http.StatusOK, it, h.formFromSession(it), nil)
}

// saveSession applies the edit form; done is false when the form was shown
// again, a refusal flashed, or an error returned.
func (h *Handler) saveSession(c echo.Context, it *sessionItem) (bool, error) {
	f, in, p := h.readSessionForm(c)
	var err error
	if c.FormValue("series") == "rest" {
		_, err = models.UpdateSeriesFrom(c.Request().Context(), h.Store, *currentUser(c), it.ID, in, h.Clock.Now(), h.Config.Location)
	} else {
		_, err = models.UpdateSession(c.Request().Context(), h.Store, *currentUser(c), it.ID, in, h.Clock.Now())
	}
	errs, err := formErrors(err, p)
	if err != nil {
		// Cancelled meanwhile, say.
		return false, h.refuse(c, err, sessionPath(it.ID, ""))
	}
	if len(errs) > 0 {
		return false, h.renderSessionForm(c, http.StatusUnprocessableEntity, it, f, errs)
	}
	return true, nil
}

func (h *Handler) updateSessionSubmit(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	if done, err := h.saveSession(c, it); !done {
		return err
	}
	msg := "Your changes are saved."
	if it.Status == models.SessionPublished {
		msg += " Anyone booked is told by e-mail if the time or place changed."
	}
	h.flash(c, "success", msg)
	return redirect(c, sessionPath(it.ID, ""))
}

// publishSessionSubmit opens a draft for booking. From the edit form (its
// "Publish" button) the form is saved first.
func (h *Handler) publishSessionSubmit(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	if c.FormValue("form") == "session" {
		if done, err := h.saveSession(c, it); !done {
			return err
		}
	}
	if _, err := models.PublishSession(c.Request().Context(), h.Store, *currentUser(c), it.ID, h.Clock.Now()); err != nil {
		return h.refuse(c, err, sessionPath(it.ID, ""))
	}
	h.flash(c, "success", "Published: students can now find and book this session.")
	return redirect(c, sessionPath(it.ID, ""))
}

// cancelSessionSubmit cancels the session, with a reason for those booked.
func (h *Handler) cancelSessionSubmit(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	if strings.TrimSpace(reason) == "" {
		// The rules allow none; the page asks for one, for the e-mail.
		err = &models.ValidationError{Fields: map[string]string{"reason": "Say why, in a sentence: it goes in the e-mail to everyone booked."}}
	} else if c.FormValue("series") == "rest" {
		_, err = models.CancelSeriesFrom(c.Request().Context(), h.Store, *currentUser(c), it.ID, reason, h.Clock.Now())
	} else {
		_, err = models.CancelSession(c.Request().Context(), h.Store, *currentUser(c), it.ID, reason, h.Clock.Now())
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.renderManage(c, http.StatusUnprocessableEntity, it, map[string]any{"Reason": reason, "CancelError": ve.Fields["reason"]})
	}
	if err != nil {
		return h.refuse(c, err, sessionPath(it.ID, "/manage"))
	}
	h.flash(c, "success", "The session is cancelled. Everyone booked is told by e-mail, with your reason.")
	return redirect(c, sessionPath(it.ID, ""))
}

// ---- managing bookings ---------------------------------------------------------

// memberMatch is a member found by the "book on their behalf" search.
type memberMatch struct {
	models.User
	Booking *models.Booking // their live booking of this session, if any
}

func (h *Handler) manageSessionPage(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	return h.renderManage(c, http.StatusOK, it, nil)
}

// renderManage shows the manage page: the bookings, the search for a member
// to book, attendance, and cancelling the session.
func (h *Handler) renderManage(c echo.Context, status int, it *sessionItem, extra map[string]any) error {
	u := currentUser(c)
	bookings, err := models.BookingsForSession(c.Request().Context(), h.Store, *u, it.ID, models.BookingFilter{})
	if err != nil {
		return err
	}
	var confirmed, waitlisted, cancelled []models.Booking
	live := map[int64]*models.Booking{}
	for i := range bookings {
		b := &bookings[i]
		switch b.Status {
		case models.BookingConfirmed:
			confirmed = append(confirmed, *b)
			live[b.UserID] = b
		case models.BookingWaitlisted:
			waitlisted = append(waitlisted, *b)
			live[b.UserID] = b
		default:
			cancelled = append(cancelled, *b)
		}
	}
	d := map[string]any{
		"Title": "Manage: " + it.Title, "S": it, "Confirmed": confirmed, "Waitlisted": waitlisted, "Cancelled": cancelled,
		"CanBook": it.Status == models.SessionPublished && (!it.Started || u.IsCommittee()),
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	d["Q"] = q
	if q != "" {
		if n := utf8.RuneCountInString(q); n < 2 {
			d["QError"] = "Type at least two letters of a name or e-mail address."
		} else if n > models.MaxSearch {
			d["QError"] = fmt.Sprintf("Search with at most %d characters.", models.MaxSearch)
		} else {
			users, err := models.FindUsers(c.Request().Context(), h.Store, models.UserFilter{Query: q, Limit: 20})
			if err != nil {
				return err
			}
			matches := make([]memberMatch, 0, len(users))
			for _, m := range users {
				matches = append(matches, memberMatch{User: m, Booking: live[m.ID]})
			}
			d["Matches"] = matches
		}
	}
	for k, v := range extra {
		d[k] = v
	}
	if err := h.manageExtra(c, it, d); err != nil {
		return err
	}
	return h.render(c, status, "session_manage", d)
}

// bookOnBehalfSubmit books a member's place, by the session's teachers or
// committee.
func (h *Handler) bookOnBehalfSubmit(c echo.Context) error {
	id := sessionFrom(c).ID
	back := sessionPath(id, "/manage")
	if q := c.FormValue("q"); q != "" {
		back += "?" + url.Values{"q": {q}}.Encode()
	}
	uid, err := strconv.ParseInt(c.FormValue("user_id"), 10, 64)
	if err != nil || uid <= 0 {
		h.flash(c, "error", "Choose a member to book.")
		return redirect(c, back)
	}
	b, err := models.BookSeat(c.Request().Context(), h.Store, *currentUser(c), id, models.BookInput{Mode: models.Mode(c.FormValue("mode")), UserID: uid}, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, back)
	}
	name := "The member"
	if m, err := models.UserByID(c.Request().Context(), h.Store, uid); err == nil {
		name = m.Name
	}
	if b.Status == models.BookingWaitlisted && b.WaitlistPosition != nil {
		h.flash(c, "notice", fmt.Sprintf("%s is %s on the waitlist (%s): no seat yet.", name, ordinal(*b.WaitlistPosition), strings.ToLower(b.Mode.Label())))
	} else {
		h.flash(c, "success", fmt.Sprintf("%s is booked (%s).", name, strings.ToLower(b.Mode.Label())))
	}
	return redirect(c, back)
}

// cancelBookingSubmit removes one booking, by the session's teachers or
// committee; the first waiting takes the place.
func (h *Handler) cancelBookingSubmit(c echo.Context) error {
	id := sessionFrom(c).ID
	bid, err := pathID(c, "booking_id")
	if err != nil {
		return err
	}
	back := sessionPath(id, "/manage")
	if _, err := models.CancelBooking(c.Request().Context(), h.Store, *currentUser(c), id, bid, h.Clock.Now()); err != nil {
		return h.refuse(c, err, back)
	}
	h.flash(c, "success", "The booking is removed. If it held a place, the first person waiting has it now.")
	return redirect(c, back)
}
