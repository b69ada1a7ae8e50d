package handlers

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/internal/meetingreport"
	"rounds/models"
)

// checkinURL is the address a check-in QR code opens.
func (h *Handler) checkinURL(sessionID int64, code string) string {
	return h.Config.BaseURL + "/checkin?" + url.Values{"session": {strconv.FormatInt(sessionID, 10)}, "code": {code}}.Encode()
}

func (h *Handler) apiCheckinCode(c echo.Context) error {
	id := sessionFrom(c).ID
	mode := models.Mode(c.QueryParam("mode"))
	code, exp, err := models.CheckinCode(c.Request().Context(), h.Store, *currentUser(c), id, mode, h.checkin, h.Clock.Now())
	if err != nil {
		return err
	}
	arrived, err := models.CountArrivals(c.Request().Context(), h.Store, id)
	if err != nil {
		return err
	}
	arrivals, err := models.RecentArrivals(c.Request().Context(), h.Store, id, models.MaxArrivalsShown)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"code": code, "expires_at": exp, "url": h.checkinURL(id, code),
		"rotation_seconds": int(h.Config.CheckinRotation / time.Second), "checked_in": arrived,
		"arrivals": arrivals,
	})
}

type checkinInput struct {
	Code string `json:"code"`
}

// respondCheckin answers 201 for a new record, 200 for a repeat.
func respondCheckin(c echo.Context, a models.Attendance, created bool) error {
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return c.JSON(status, map[string]any{"attendance": a})
}

func (h *Handler) apiCheckin(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var in checkinInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, created, err := models.CheckIn(c.Request().Context(), h.Store, *currentUser(c), id, in.Code, h.checkin, h.Clock.Now())
	if err != nil {
		return err
	}
	return respondCheckin(c, a, created)
}

// apiCheckinByCode checks in with a code alone (POST /api/v1/checkin).
func (h *Handler) apiCheckinByCode(c echo.Context) error {
	var in checkinInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, created, err := models.CheckInByCode(c.Request().Context(), h.Store, *currentUser(c), in.Code, h.checkin, h.Clock.Now())
	if err != nil {
		return err
	}
	return respondCheckin(c, a, created)
}

// join records online attendance and sends the student to the meeting.
func (h *Handler) join(c echo.Context) error {
	link, err := models.JoinOnline(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Config.CheckinLateAfter, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, link)
}

func (h *Handler) apiMarkAttendance(c echo.Context) error {
	uid, err := pathID(c, "user_id")
	if err != nil {
		return err
	}
	var in struct {
		Status models.AttendanceStatus `json:"status"`
		Mode   models.Mode             `json:"mode"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	a, err := models.MarkRegister(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, uid, models.RegisterEntry{Status: in.Status, Mode: in.Mode}, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"attendance": a})
}

func (h *Handler) apiAttendance(c echo.Context) error {
	list, err := models.SessionAttendance(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []models.Attendance{}
	}
	return c.JSON(http.StatusOK, map[string]any{"attendance": list})
}

func (h *Handler) apiMarkAbsent(c echo.Context) error {
	n, err := models.MarkUnmarkedAbsent(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"marked_absent": n})
}

func (h *Handler) apiApologies(c echo.Context) error {
	a, err := models.SendApologies(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"attendance": a})
}

func (h *Handler) apiAttendanceAudit(c echo.Context) error {
	entries, err := models.AttendanceAudit(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"audit": entries})
}

// maxReportBytes caps an uploaded attendance report.
const maxReportBytes = 10 << 20

// readReport reads and parses the uploaded "file" of a multipart form.
func readReport(c echo.Context, loc *time.Location) (meetingreport.Report, error) {
	fh, err := c.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return meetingreport.Report{}, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return meetingreport.Report{}, &models.ValidationError{Fields: map[string]string{"file": "Choose the attendance report file (CSV) downloaded from Teams or Zoom."}}
	}
	if fh.Size > maxReportBytes {
		return meetingreport.Report{}, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	f, err := fh.Open()
	if err != nil {
		return meetingreport.Report{}, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxReportBytes+1))
	if err != nil {
		return meetingreport.Report{}, err
	}
	r, err := meetingreport.ParseIn(raw, loc)
	if errors.Is(err, meetingreport.ErrUnrecognised) {
		return meetingreport.Report{}, &models.ValidationError{Fields: map[string]string{"file": err.Error()}}
	}
	if err != nil {
		return meetingreport.Report{}, err
	}
	return *r, nil
}

// minMinutes reads the optional min_minutes form field; -1 means the default.
func minMinutes(c echo.Context) (int, error) {
	v := c.FormValue("min_minutes")
	if v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 24*60 {
		return 0, &models.ValidationError{Fields: map[string]string{"min_minutes": "Give a number of minutes from 0 to 1440."}}
	}
	return n, nil
}

// apiImportAttendance applies a Teams or Zoom report at once.
func (h *Handler) apiImportAttendance(c echo.Context) error {
	id := sessionFrom(c).ID
	u := *currentUser(c)
	min, err := minMinutes(c)
	if err != nil {
		return err
	}
	report, err := readReport(c, h.Config.Location)
	if err != nil {
		return err
	}
	plan, err := models.PlanImport(c.Request().Context(), h.Store, u, id, report, min)
	if err != nil {
		return err
	}
	res, err := models.ApplyImport(c.Request().Context(), h.Store, u, id, plan, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}
