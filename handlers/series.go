package handlers

// Series of weekly sessions (API and pages), copying a session to next
// week, and changing or cancelling "this and the rest of the series". Who
// may do what is decided by models for each session of the series, as
// routes.go says.

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// ---- the API ---------------------------------------------------------------

func (h *Handler) apiCreateSeries(c echo.Context) error {
	var in models.SeriesInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	series, ss, err := models.CreateSeries(c.Request().Context(), h.Store, *currentUser(c), in, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	return h.respondSeries(c, http.StatusCreated, series, ss)
}

func (h *Handler) apiGetSeries(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	series, ss, err := models.VisibleSeries(c.Request().Context(), h.Store, *currentUser(c), id)
	if err != nil {
		return err
	}
	return h.respondSeries(c, http.StatusOK, series, ss)
}

func (h *Handler) apiPublishSeries(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	series, ss, err := models.PublishSeries(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondSeries(c, http.StatusOK, series, ss)
}

// respondSeries answers {series: {id, title}, sessions: [...]}, each session
// as the caller sees it.
func (h *Handler) respondSeries(c echo.Context, status int, series models.Series, ss []models.Session) error {
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *currentUser(c), ss)
	if err != nil {
		return err
	}
	return c.JSON(status, map[string]any{"series": series, "sessions": views})
}

func (h *Handler) apiBookSeries(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in models.BookInput
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	if in.UserID != 0 && in.UserID != currentUser(c).ID {
		return &models.ValidationError{Fields: map[string]string{"user_id": "A series is booked by each member for themself."}}
	}
	bs, err := models.BookSeries(c.Request().Context(), h.Store, *currentUser(c), id, in.Mode, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"bookings": bs})
}

func (h *Handler) apiDuplicateSession(c echo.Context) error {
	s, err := models.DuplicateSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	return h.respondSession(c, http.StatusCreated, s)
}

// seriesScope reads ?series= of a change: false for this session only
// (left out, or "this"), true for "rest".
func seriesScope(c echo.Context) (bool, error) {
	switch c.QueryParam("series") {
	case "", "this":
		return false, nil
	case "rest":
		return true, nil
	}
	return false, &models.ValidationError{Fields: map[string]string{"series": `Choose "this" (this session only) or "rest" (this and the later sessions of its series).`}}
}

// apiUpdateSeriesFrom is PATCH /api/v1/sessions/{id}?series=rest.
func (h *Handler) apiUpdateSeriesFrom(c echo.Context, in models.SessionInput) error {
	ss, err := models.UpdateSeriesFrom(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, in, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return err
	}
	return h.respondChanged(c, ss)
}

// apiCancelSeriesFrom is POST /api/v1/sessions/{id}/cancel?series=rest.
func (h *Handler) apiCancelSeriesFrom(c echo.Context, reason string) error {
	ss, err := models.CancelSeriesFrom(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, reason, h.Clock.Now())
	if err != nil {
		return err
	}
	return h.respondChanged(c, ss)
}

// respondChanged answers {session, sessions}: the session asked about, and
// every session the change reached, this one first.
func (h *Handler) respondChanged(c echo.Context, ss []models.Session) error {
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *currentUser(c), ss)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"session": views[0], "sessions": views})
}

// ---- pages -------------------------------------------------------------------

func (h *Handler) newSeriesPage(c echo.Context) error {
	u := currentUser(c)
	f := sessionForm{Format: models.FormatLecture, Mode: models.ModeInPerson, Years: map[int]bool{}, Teachers: map[int64]bool{u.ID: true}}
	return h.renderSessionForm(c, http.StatusOK, nil, f, nil, seriesFormData("8", ""))
}

// seriesFormData is what the session form needs to make a series.
func seriesFormData(weeks, skip string) map[string]any {
	return map[string]any{
		"Title": "New series", "Heading": "New weekly series", "Action": "/teaching/series/new",
		"Series": map[string]string{"Weeks": weeks, "SkipDates": skip},
	}
}

func (h *Handler) createSeriesSubmit(c echo.Context) error {
	f, in, p := h.readSessionForm(c)
	weeks, skip := strings.TrimSpace(c.FormValue("weeks")), c.FormValue("skip_dates")
	si := models.SeriesInput{Session: in, SkipDates: strings.FieldsFunc(skip, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' })}
	if n, err := strconv.Atoi(weeks); err == nil {
		si.Weeks = n
	} else {
		p.Add("weeks", "Enter the number of weeks as a whole number, like 8.")
	}
	series, _, err := models.CreateSeries(c.Request().Context(), h.Store, *currentUser(c), si, h.Clock.Now(), h.Config.Location)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		if msg, ok := ve.Fields["weekly.count"]; ok {
			ve.Fields["weeks"] = msg
			delete(ve.Fields, "weekly.count")
		}
	}
	errs, err := formErrors(err, p)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.renderSessionForm(c, http.StatusUnprocessableEntity, nil, f, errs, seriesFormData(weeks, skip))
	}
	h.flash(c, "success", "Your series is saved as drafts. Check the dates, then publish them all so that students can book.")
	return redirect(c, seriesPath(series.ID, ""))
}

func seriesPath(id int64, rest string) string {
	return "/series/" + strconv.FormatInt(id, 10) + rest
}

// seriesPage shows a series: its sessions as the viewer sees them, "Book
// the whole series" for a student, "Publish all" for its teachers.
func (h *Handler) seriesPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u := currentUser(c)
	series, ss, err := models.VisibleSeries(c.Request().Context(), h.Store, *u, id)
	if err != nil {
		return err
	}
	views, err := models.ViewSessions(c.Request().Context(), h.Store, *u, ss)
	if err != nil {
		return err
	}
	items := h.sessionItems(views)
	d := map[string]any{"Title": series.Title, "Series": series, "Items": items}
	var open, drafts, mine int
	manage := false
	modes := map[models.Mode]bool{}
	for _, it := range items {
		manage = manage || it.CanManage
		switch {
		case it.Status == models.SessionDraft:
			drafts++
		case it.Open() && it.MyBooking == nil:
			open++
			for _, m := range it.Modes() {
				modes[m] = true
			}
		}
		if it.MyBooking != nil {
			mine++
		}
	}
	d["Open"], d["Drafts"], d["Mine"], d["Manage"] = open, drafts, mine, manage
	d["Hybrid"] = modes[models.ModeInPerson] && modes[models.ModeOnline]
	d["OnlyMode"] = ""
	if !modes[models.ModeInPerson] && modes[models.ModeOnline] {
		d["OnlyMode"] = string(models.ModeOnline)
	}
	return h.render(c, http.StatusOK, "series", d)
}

func (h *Handler) bookSeriesSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	back := seriesPath(id, "")
	bs, err := models.BookSeries(c.Request().Context(), h.Store, *currentUser(c), id, models.Mode(c.FormValue("mode")), h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, back)
	}
	h.flash(c, "success", seriesBookedMessage(bs))
	return redirect(c, back)
}

// seriesBookedMessage says what booking a series did, in a sentence or two.
func seriesBookedMessage(bs []models.SeriesBooking) string {
	var confirmed, waiting, had int
	for _, b := range bs {
		switch {
		case b.AlreadyBooked:
			had++
		case b.Status == models.BookingConfirmed:
			confirmed++
		default:
			waiting++
		}
	}
	var parts []string
	if confirmed > 0 {
		parts = append(parts, fmt.Sprintf("you have a place on %s", plural(confirmed, "session")))
	}
	if waiting > 0 {
		parts = append(parts, fmt.Sprintf("you are on the waitlist for %s", plural(waiting, "session")))
	}
	msg := strings.Join(parts, " and ")
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:] + "."
		if confirmed > 0 {
			msg += " Confirmations are on their way by e-mail."
		}
	}
	if had > 0 {
		msg = strings.TrimSpace(msg + " " + fmt.Sprintf("You had already booked %s; those places are unchanged.", plural(had, "session")))
	}
	return msg + " Your place on each session is shown below."
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func (h *Handler) publishSeriesSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, _, err := models.PublishSeries(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now()); err != nil {
		return h.refuse(c, err, seriesPath(id, ""))
	}
	h.flash(c, "success", "Published: students can now find and book every session of the series, one by one or all at once.")
	return redirect(c, seriesPath(id, ""))
}

func (h *Handler) duplicateSessionSubmit(c echo.Context) error {
	s, err := models.DuplicateSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now(), h.Config.Location)
	if err != nil {
		return h.refuse(c, err, sessionPath(sessionFrom(c).ID, "/manage"))
	}
	h.flash(c, "success", "A copy is saved as a draft for "+h.when(s.StartsAt, s.EndsAt)+". Check it, change what differs, then publish it.")
	return redirect(c, sessionPath(s.ID, "/edit"))
}

// seriesLater is how many later sessions "this and the rest of the series"
// changes besides this one, for the edit and manage pages: 0 when it is in
// no series.
func (h *Handler) seriesLater(c echo.Context, it *sessionItem) (int, error) {
	n, err := models.SeriesSessionCount(c.Request().Context(), h.Store, it.Session)
	return max(n-1, 0), err
}

// seriesFormExtra adds to the session form what a series needs: the weeks
// and dates to skip when making one (extra, from the series pages), and
// when editing a session of a series, how many sessions "this and the
// rest" would change.
func (h *Handler) seriesFormExtra(c echo.Context, it *sessionItem, d map[string]any, extra []map[string]any) error {
	for _, e := range extra {
		for k, v := range e {
			d[k] = v
		}
	}
	if it == nil {
		return nil
	}
	n, err := h.seriesLater(c, it)
	d["SeriesLater"], d["SeriesScope"] = n, c.FormValue("series")
	return err
}

// manageExtra adds to the manage page the later sessions of its series
// and the session's materials.
func (h *Handler) manageExtra(c echo.Context, it *sessionItem, d map[string]any) error {
	n, err := h.seriesLater(c, it)
	if err != nil {
		return err
	}
	d["SeriesLater"] = n
	d["Visibilities"] = models.MaterialVisibilities
	if _, ok := d["MaterialIn"]; !ok { // the materials forms, empty
		d["MaterialIn"], d["MaterialErrors"], d["MaterialForm"] = map[string]string{}, map[string]string{}, ""
	}
	return h.sessionMaterials(c, it, d)
}

// sessionPageExtra adds the materials the viewer sees and the series the
// session belongs to, for its page.
func (h *Handler) sessionPageExtra(c echo.Context, it *sessionItem, d map[string]any) error {
	if err := h.sessionMaterials(c, it, d); err != nil {
		return err
	}
	if it.SeriesID == nil {
		return nil
	}
	series, ss, err := models.VisibleSeries(c.Request().Context(), h.Store, *currentUser(c), *it.SeriesID)
	if err != nil {
		return err
	}
	d["Series"], d["SeriesCount"] = series, len(ss)
	return nil
}
