package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/checkin"
	"rounds/internal/qr"
	"rounds/models"
)

// The attendance pages: the teacher's "Take attendance" screen with the
// rotating code and its QR code, the student's "Check in" page, the register,
// the import of a Teams or Zoom report, and apologies. They call the same
// model functions as the attendance API.

// ---- take attendance -------------------------------------------------------

// attendanceMode reads ?mode=, keeping only the two modes a code can prove;
// "" lets the model choose the session's first mode.
func attendanceMode(c echo.Context) models.Mode {
	if m := models.Mode(c.QueryParam("mode")); m == models.ModeInPerson || m == models.ModeOnline {
		return m
	}
	return ""
}

// takeAttendancePage shows the current check-in code of one mode, big, with
// its QR code, the time before it changes and who has checked in. The
// script checkin.js keeps it current; without JavaScript there is a Refresh
// link, and ?refresh=auto makes the page reload itself when the code changes.
func (h *Handler) takeAttendancePage(c echo.Context) error {
	s := sessionFrom(c)
	id := s.ID
	u := *currentUser(c)
	now := h.Clock.Now()
	mode := attendanceMode(c)
	code, expires, err := models.CheckinCode(c.Request().Context(), h.Store, u, id, mode, h.checkin, now)
	var ve *models.ValidationError
	if errors.As(err, &ve) && mode != "" {
		// A mode this session does not have: show the one it has.
		return c.Redirect(http.StatusFound, c.Request().URL.Path)
	}
	if err != nil {
		return err
	}
	if mode == "" {
		mode = s.Modes()[0]
	}
	arrived, err := models.CountArrivals(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	walkIns, err := models.CountWalkIns(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	arrivals, err := models.RecentArrivals(c.Request().Context(), h.Store, id, models.MaxArrivalsShown)
	if err != nil {
		return err
	}
	opens := s.StartsAt.Add(-models.CheckinOpensBefore)
	state := "open"
	switch {
	case s.Status == models.SessionCancelled:
		state = "cancelled"
	case s.Status == models.SessionDraft:
		state = "draft"
	case s.HasEnded(now):
		state = "ended"
	case now.Before(opens):
		state = "early"
	}
	left := int(expires.Sub(now).Round(time.Second) / time.Second)
	if left < 1 {
		left = 1
	}
	d := map[string]any{
		"Title": "Take attendance · " + s.Title, "Session": s, "Mode": string(mode), "Hybrid": len(s.Modes()) > 1,
		"Code": code, "Expires": expires, "SecondsLeft": left, "Now": now.UTC().Format(time.RFC3339Nano),
		"Rotation": int(h.Config.CheckinRotation / time.Second), "Opens": opens, "State": state,
		"ShowCode": state == "open" || state == "early", "Arrived": arrived, "WalkIns": walkIns, "Arrivals": arrivals, "TZ": h.Config.Location.String(),
		"CheckinAddress": strings.TrimPrefix(strings.TrimPrefix(h.Config.BaseURL, "https://"), "http://") + "/checkin",
		"QR":             fmt.Sprintf("/sessions/%d/attendance/qr.svg?mode=%s&code=%s", id, mode, code),
	}
	// Without JavaScript the teacher may ask the screen to reload itself
	// each time the code changes. It is their choice, never the default: a
	// page that reloads on a timer is hard to use with a screen reader.
	auto := c.QueryParam("refresh") == "auto"
	d["Auto"] = auto
	if auto && (state == "open" || state == "early") {
		d["Refresh"] = left + 1
	}
	if c.Path() == "/sessions/:id/attendance/projector" {
		d["Title"] = "Check in · " + s.Title
		if state == "open" || state == "early" {
			d["Refresh"] = left + 1 // a projector is looked at, not read with a screen reader
		}
		return h.render(c, http.StatusOK, "attendance_projector", d)
	}
	return h.render(c, http.StatusOK, "attendance_take", d)
}

// projectorPage is the check-in code and its QR code filling the screen,
// for a projector: no navigation, readable from the back of the room.
func (h *Handler) projectorPage(c echo.Context) error { return h.takeAttendancePage(c) }

// attendanceQR draws the check-in QR code of a mode as an SVG image. Given
// ?code= that is still accepted (the current or the previous code of that
// mode), it draws that one, so the image matches the code the page shows;
// otherwise the current code.
func (h *Handler) attendanceQR(c echo.Context) error {
	id := sessionFrom(c).ID
	now := h.Clock.Now()
	code, _, err := models.CheckinCode(c.Request().Context(), h.Store, *currentUser(c), id, attendanceMode(c), h.checkin, now)
	if err != nil {
		return err
	}
	if want := checkin.Normalise(c.QueryParam("code")); want != "" && want != code {
		if _, ok := checkin.Verify(h.checkin.Secret, id, want, now, h.checkin.Rotation); ok && want[0] == code[0] {
			code = want
		}
	}
	svg, err := qr.SVG(h.checkinURL(id, code), qr.Options{Title: "QR code to check in"})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "image/svg+xml", svg)
}

// ---- check in --------------------------------------------------------------

// checkinPage is the student's "Check in" page: one field for the code. The
// QR code opens it with ?session=&code=, and then it shows the session and
// a single button; only the POST records anything.
func (h *Handler) checkinPage(c echo.Context) error {
	code := strings.TrimSpace(c.QueryParam("code"))
	d := map[string]any{"Title": "Check in", "Form": map[string]string{"code": code}}
	sid := c.QueryParam("session")
	if sid == "" {
		return h.render(c, http.StatusOK, "checkin", d)
	}
	id, err := strconv.ParseInt(sid, 10, 64)
	if err != nil || id <= 0 {
		d["Error"] = "That check-in link is not for a session on Rounds. Type the code shown on the screen instead."
		return h.render(c, http.StatusNotFound, "checkin", d)
	}
	s, err := models.SessionByID(c.Request().Context(), h.Store, id)
	if errors.Is(err, models.ErrNotFound) || (err == nil && s.Status == models.SessionDraft) {
		d["Error"] = "That check-in link is not for a session on Rounds. Type the code shown on the screen instead."
		return h.render(c, http.StatusNotFound, "checkin", d)
	}
	if err != nil {
		return err
	}
	if s.Status == models.SessionCancelled {
		d["Error"] = models.ErrSessionCancelled.Message
		return h.render(c, http.StatusUnprocessableEntity, "checkin", d)
	}
	a, found, err := models.AttendanceOf(c.Request().Context(), h.Store, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	if found && a.Attended() {
		return redirect(c, fmt.Sprintf("/checkin/done?session=%d", id))
	}
	d["Session"] = &s
	if err := models.CheckinRefusal(s, h.Clock.Now()); err != nil {
		d["Closed"] = h.localise(err).Error()
	}
	return h.render(c, http.StatusOK, "checkin", d)
}

// checkinSubmit records a check-in from a typed code (which names its
// session) or from the QR code's confirmation (which names it too).
func (h *Handler) checkinSubmit(c echo.Context) error {
	code := strings.TrimSpace(c.FormValue("code"))
	form := map[string]string{"code": code}
	rerender := func(status int, msg string) error {
		return h.render(c, status, "checkin", map[string]any{"Title": "Check in", "Form": form, "Errors": map[string]string{"code": msg}})
	}
	if code == "" {
		return rerender(http.StatusUnprocessableEntity, "Enter the code shown on the screen.")
	}
	u := *currentUser(c)
	now := h.Clock.Now()
	var a models.Attendance
	var err error
	if id, perr := strconv.ParseInt(c.FormValue("session"), 10, 64); perr == nil && id > 0 {
		a, _, err = models.CheckIn(c.Request().Context(), h.Store, u, id, code, h.checkin, now)
	} else {
		a, _, err = models.CheckInByCode(c.Request().Context(), h.Store, u, code, h.checkin, now)
	}
	if err != nil {
		status, body := classify(h.localise(err))
		if status >= 500 {
			return err
		}
		msg := body.Message
		if errors.Is(err, models.ErrNotFound) {
			msg = "That check-in link is not for a session on Rounds. Type the code shown on the screen instead."
		}
		return rerender(status, msg)
	}
	return redirect(c, fmt.Sprintf("/checkin/done?session=%d", a.SessionID))
}

// checkinDone tells the student what the register now says about them.
func (h *Handler) checkinDone(c echo.Context) error {
	id, err := strconv.ParseInt(c.QueryParam("session"), 10, 64)
	if err != nil || id <= 0 {
		return redirect(c, "/checkin")
	}
	a, found, err := models.AttendanceOf(c.Request().Context(), h.Store, currentUser(c).ID, id)
	if err != nil {
		return err
	}
	if !found {
		return redirect(c, "/checkin")
	}
	s, err := models.SessionByID(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	when := a.UpdatedAt
	if a.CheckedInAt != nil {
		when = *a.CheckedInAt
	}
	title := "You are checked in"
	if !a.Attended() {
		title = "Not checked in"
	}
	return h.render(c, http.StatusOK, "checkin_done", map[string]any{
		"Title": title, "Session": s, "Attendance": a, "Attended": a.Attended(), "When": when,
		"LateMinutes": int(h.Config.CheckinLateAfter / time.Minute),
	})
}

// ---- apologies -------------------------------------------------------------

// apologiesSubmit records that a student cannot come: their booking is given
// up and they are excused. Back to the session page either way.
func (h *Handler) apologiesSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/sessions/%d", id)
	_, err = models.SendApologies(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		status, body := classify(h.localise(err))
		if status >= 500 {
			return err
		}
		msg := body.Message
		if errors.Is(err, models.ErrNotFound) {
			msg = "You have no booking on this session to send apologies for."
		}
		h.flash(c, "error", msg)
		return redirect(c, back)
	}
	h.flash(c, "success", "Your apologies have been sent: the register shows you as excused, and your place is free for someone else.")
	return redirect(c, back)
}

// ---- the register ----------------------------------------------------------

// registerLine is one student on the register page.
type registerLine struct {
	User     models.User
	Booking  string                  // what they booked, in words
	Status   models.AttendanceStatus // present, late, absent, excused; "" when not marked
	Mode     models.Mode             // of the attendance, else of the booking
	Source   models.AttendanceSource // how the status was recorded
	When     *time.Time              // when it was recorded
	Arrived  *time.Time              // when they checked in
	Minutes  *int                    // time in the online meeting, from an import
	WalkIn   bool
	Attended bool
}

// StatusText is the status in words, never only a colour.
func (l registerLine) StatusText() string {
	if l.Status == "" {
		return "Not marked"
	}
	return l.Status.Label()
}

// Badge is the CSS class of the status badge.
func (l registerLine) Badge() string {
	switch l.Status {
	case models.AttendancePresent:
		return "ok"
	case models.AttendanceLate:
		return "warn"
	case models.AttendanceAbsent:
		return "bad"
	}
	return ""
}

// SourceText says how the status was recorded.
func (l registerLine) SourceText() string { return l.Source.Label() }

// ModeText is the mode in words.
func (l registerLine) ModeText() string { return l.Mode.Label() }

// registerCounts are the figures at the top of the register.
type registerCounts struct {
	Booked, Waitlisted, Present, Late, Absent, Excused, Unmarked, WalkIns int
}

// registerLines turns the model's register into lines and counts.
func registerLines(rows []models.RegisterRow) ([]registerLine, registerCounts) {
	var n registerCounts
	lines := make([]registerLine, 0, len(rows))
	for _, r := range rows {
		l := registerLine{User: r.User, WalkIn: r.Place == models.PlaceWalkIn, Mode: r.BookingMode}
		switch r.BookingStatus {
		case models.BookingConfirmed:
			n.Booked++
		case models.BookingWaitlisted:
			n.Waitlisted++
		}
		switch {
		case r.Place == models.PlaceBooked || r.Place == models.PlaceWaitlisted:
			l.Booking = r.BookingStatus.Label() + " " + strings.ToLower(r.BookingMode.Label())
		case r.Place == models.PlaceWalkIn && r.BookingStatus == models.BookingWaitlisted:
			l.Booking = r.BookingStatus.Label() + " " + strings.ToLower(r.BookingMode.Label()) + "; came as a walk-in"
		default:
			l.Booking = r.Place.Label()
		}
		if a := r.Attendance; a != nil {
			l.Status, l.Mode, l.Source, l.Arrived, l.Minutes = a.Status, a.Mode, a.Source, a.CheckedInAt, a.Minutes
			when := a.UpdatedAt
			l.When = &when
			l.Attended = a.Attended()
		}
		switch l.Status {
		case models.AttendancePresent:
			n.Present++
		case models.AttendanceLate:
			n.Late++
		case models.AttendanceAbsent:
			n.Absent++
		case models.AttendanceExcused:
			n.Excused++
		case "":
			if r.BookingStatus == models.BookingConfirmed {
				n.Unmarked++
			}
		}
		if l.WalkIn {
			n.WalkIns++
		}
		lines = append(lines, l)
	}
	return lines, n
}

// walkInMatch is a member found by the walk-in search.
type walkInMatch struct {
	User       models.User
	OnRegister bool
}

// sessionRegisterPage is the register: every booked student and walk-in,
// with a form per line, the walk-in search (?q=) and the import form.
func (h *Handler) sessionRegisterPage(c echo.Context) error {
	return h.renderRegister(c, http.StatusOK, sessionFrom(c), nil)
}

// renderRegister shows the register, with extra data (an import form's
// mistakes) when re-rendered after a post.
func (h *Handler) renderRegister(c echo.Context, status int, s models.Session, extra map[string]any) error {
	u := *currentUser(c)
	rows, err := models.SessionRegister(c.Request().Context(), h.Store, u, s.ID)
	if err != nil {
		return err
	}
	now := h.Clock.Now()
	lines, counts := registerLines(rows)
	d := map[string]any{
		"Title": "Register · " + s.Title, "Session": s, "Lines": lines, "Counts": counts, "Hybrid": len(s.Modes()) > 1,
		"Modes": s.Modes(), "Statuses": models.AttendanceStatuses,
		"Ended": s.HasEnded(now), "DefaultMinutes": models.DefaultImportMinutes(s),
		"ImportForm": map[string]string{"min_minutes": strconv.Itoa(models.DefaultImportMinutes(s))},
	}
	if q := strings.TrimSpace(c.QueryParam("q")); q != "" && c.Request().Method == http.MethodGet {
		d["Query"] = q
		if n := len([]rune(q)); n < 2 {
			d["SearchError"] = "Type at least two letters of the member's name or e-mail address."
		} else if n > models.MaxSearch {
			d["SearchError"] = fmt.Sprintf("Search with at most %d characters.", models.MaxSearch)
		} else {
			users, err := models.FindUsers(c.Request().Context(), h.Store, models.UserFilter{Query: q, Limit: 20})
			if err != nil {
				return err
			}
			onRegister := map[int64]bool{}
			for _, l := range lines {
				onRegister[l.User.ID] = true
			}
			matches := make([]walkInMatch, 0, len(users))
			for _, m := range users {
				matches = append(matches, walkInMatch{User: m, OnRegister: onRegister[m.ID]})
			}
			d["Matches"] = matches
		}
	}
	if c.QueryParam("import") == "too-large" && extra == nil {
		d["ImportErrors"] = map[string]string{"file": importTooLarge}
	}
	for k, v := range extra {
		d[k] = v
	}
	return h.render(c, status, "attendance_register", d)
}

func (h *Handler) registerPath(id int64) string { return fmt.Sprintf("/sessions/%d/register", id) }

// registerMark changes one student's line of the register, or adds a
// walk-in found by the search.
func (h *Handler) registerMark(c echo.Context) error {
	id := sessionFrom(c).ID
	uid, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	entry := models.RegisterEntry{Status: models.AttendanceStatus(c.FormValue("status")), Mode: models.Mode(c.FormValue("mode"))}
	if entry.Status == "" { // a line's own button in the register's one form
		entry = models.RegisterEntry{Status: models.AttendanceStatus(c.FormValue(fmt.Sprintf("status-%d", uid))), Mode: models.Mode(c.FormValue(fmt.Sprintf("mode-%d", uid)))}
	}
	a, err := models.MarkRegister(c.Request().Context(), h.Store, *currentUser(c), id, uid, entry, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, h.registerPath(id))
	}
	student, err := models.UserByID(c.Request().Context(), h.Store, uid)
	if err != nil {
		return err
	}
	h.flash(c, "success", fmt.Sprintf("%s: %s, %s.", student.Name, strings.ToLower(a.Status.Label()), strings.ToLower(a.Mode.Label())))
	return redirect(c, h.registerPath(id))
}

// registerMarkAbsent marks absent everyone booked who is still unmarked,
// once the session has ended.
func (h *Handler) registerMarkAbsent(c echo.Context) error {
	id := sessionFrom(c).ID
	n, err := models.MarkUnmarkedAbsent(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, h.registerPath(id))
	}
	switch n {
	case 0:
		h.flash(c, "success", "Nobody booked was left unmarked.")
	case 1:
		h.flash(c, "success", "Marked 1 student absent.")
	default:
		h.flash(c, "success", fmt.Sprintf("Marked %d students absent.", n))
	}
	return redirect(c, h.registerPath(id))
}

// ---- audit -----------------------------------------------------------------

// auditLine is one change of the register, with names.
type auditLine struct {
	models.AttendanceAuditEntry
	Student, By string
}

// Change is the change of status in words.
func (l auditLine) Change() string { return fromTo(l.FromStatus.Label(), l.ToStatus.Label()) }

// ModeChange is the change of mode in words.
func (l auditLine) ModeChange() string { return fromTo(l.FromMode.Label(), l.ToMode.Label()) }

// SourceChange is the change of how it was recorded, in words.
func (l auditLine) SourceChange() string {
	return fromTo(l.FromSource.Label(), l.ToSource.Label())
}

func fromTo(from, to string) string {
	switch {
	case from == to:
		return to
	case from == "":
		return "(none) → " + to
	}
	return from + " → " + to
}

// registerAuditPage lists every change of the register: who, when, from
// what to what. It is for committee.
func (h *Handler) registerAuditPage(c echo.Context) error {
	s := sessionFrom(c)
	entries, err := models.AttendanceAudit(c.Request().Context(), h.Store, *currentUser(c), s.ID)
	if err != nil {
		return err
	}
	var ids []int64
	for _, e := range entries {
		ids = append(ids, e.UserID)
		if e.ActorID != nil {
			ids = append(ids, *e.ActorID)
		}
	}
	names, err := models.UserNames(c.Request().Context(), h.Store, ids)
	if err != nil {
		return err
	}
	name := func(id int64) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "(a deleted member)"
	}
	lines := make([]auditLine, 0, len(entries))
	for i := len(entries) - 1; i >= 0; i-- { // newest first
		e := entries[i]
		l := auditLine{AttendanceAuditEntry: e, By: "Rounds"}
		l.Student = name(e.UserID)
		if e.ActorID != nil {
			l.By = name(*e.ActorID)
		}
		lines = append(lines, l)
	}
	return h.render(c, http.StatusOK, "attendance_audit", map[string]any{"Title": "Changes to the register", "Session": s, "Lines": lines})
}
