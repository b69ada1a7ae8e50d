package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// The import of a Teams or Zoom report from the register: the upload is
// kept and the browser is sent to its preview (so Back never lands on a
// form's answer), where the teacher may match the participants Rounds could
// not match, and applies it.

// importTooLarge is the message for a report over the size limit.
const importTooLarge = "The file is larger than 10 MB, far larger than any attendance report. Check that you chose the right file."

// importRow is one line of the import preview.
type importRow struct {
	models.ImportLine
	Index       int
	Text, Badge string
}

// importPreview reads an uploaded report, keeps what importing it would do
// and sends the browser to the preview. Mistakes come back on the register,
// at its top beside the form.
func (h *Handler) importPreview(c echo.Context) error {
	s := sessionFrom(c)
	form := map[string]string{"min_minutes": c.FormValue("min_minutes")}
	back := h.registerPath(s.ID)
	again := func(err error) error {
		var ve *models.ValidationError
		var he *echo.HTTPError
		var de *models.Error
		switch {
		case errors.As(err, &ve):
			return h.renderRegister(c, http.StatusUnprocessableEntity, s, map[string]any{"ImportErrors": ve.Fields, "ImportForm": form, "Address": back})
		case errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge:
			return h.renderRegister(c, he.Code, s, map[string]any{"ImportForm": form, "ImportErrors": map[string]string{"file": importTooLarge}, "Address": back})
		case errors.As(err, &de) && de.Kind == models.KindUnprocessable:
			return h.renderRegister(c, http.StatusUnprocessableEntity, s, map[string]any{"ImportErrors": map[string]string{"file": de.Message}, "ImportForm": form, "Address": back})
		}
		return err
	}
	u := *currentUser(c)
	min, err := minMinutes(c)
	if err != nil {
		return again(err)
	}
	report, err := readReport(c, h.Config.Location)
	if err != nil {
		return again(err)
	}
	plan, err := models.PlanImport(c.Request().Context(), h.Store, u, s.ID, report, min)
	if err != nil {
		return again(err)
	}
	if len(plan.Lines) == 0 {
		return again(&models.ValidationError{Fields: map[string]string{"file": "That report lists nobody. Check that you chose the report of this session's meeting."}})
	}
	kept, err := models.KeepImport(c.Request().Context(), h.Store, u, s.ID, report.Source, report.Title, plan, h.Clock.Now())
	if err != nil {
		return again(err)
	}
	return redirect(c, h.importPath(s.ID, kept))
}

func (h *Handler) importPath(sessionID int64, kept string) string {
	return fmt.Sprintf("/sessions/%d/register/import/%s", sessionID, kept)
}

// importPreviewPage shows what applying a kept import would do, with a
// choice of member for each participant nobody matched.
func (h *Handler) importPreviewPage(c echo.Context) error {
	s := sessionFrom(c)
	u := *currentUser(c)
	kept, err := models.KeptImport(c.Request().Context(), h.Store, u, s.ID, c.Param("plan"), h.Clock.Now())
	if errors.Is(err, models.ErrImportGone) {
		h.flash(c, "error", models.ErrImportGone.Message)
		return redirect(c, h.registerPath(s.ID))
	}
	if err != nil {
		return err
	}
	candidates, err := models.ImportCandidates(c.Request().Context(), h.Store, u, s.ID, kept.Plan)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	rows := make([]importRow, 0, len(kept.Plan.Lines))
	for i, l := range kept.Plan.Lines {
		counts[string(l.Action)]++
		r := importRow{ImportLine: l, Index: i, Text: l.Action.Label()}
		switch l.Action {
		case models.ImportMarkPresent:
			r.Badge = "ok"
		case models.ImportTooShort, models.ImportUnmatched:
			r.Badge = "warn"
		}
		rows = append(rows, r)
	}
	source := "Teams"
	if kept.Source == "zoom" {
		source = "Zoom"
	}
	return h.render(c, http.StatusOK, "attendance_import", map[string]any{
		"Title": "Check the import", "Session": s, "Plan": kept.Plan, "Rows": rows, "Counts": counts,
		"Kept": kept.ID, "Candidates": candidates, "Source": source, "ReportTitle": kept.Title, "Online": s.Offers(models.ModeOnline),
	})
}

var matchField = regexp.MustCompile(`^match-([0-9]{1,6})$`)

// importConfirm applies the import the teacher has just checked, with the
// members they matched by hand.
func (h *Handler) importConfirm(c echo.Context) error {
	id := sessionFrom(c).ID
	u := *currentUser(c)
	kept := c.FormValue("plan")
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	byHand := map[int]int64{}
	for k, vs := range form {
		m := matchField.FindStringSubmatch(k)
		if m == nil || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		line, _ := strconv.Atoi(m[1])
		uid, err := strconv.ParseInt(vs[0], 10, 64)
		if err != nil || uid < 0 {
			uid = -1 // never a candidate: refused with a message
		}
		byHand[line] = uid
	}
	res, err := models.ApplyKeptImport(c.Request().Context(), h.Store, u, id, kept, byHand, h.Clock.Now())
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		fields := make([]string, 0, len(ve.Fields))
		for f := range ve.Fields {
			fields = append(fields, f)
		}
		sort.Strings(fields)
		h.flash(c, "error", ve.Fields[fields[0]])
		return redirect(c, h.importPath(id, kept))
	case errors.Is(err, models.ErrImportGone):
		h.flash(c, "error", "That import could not be read. Please upload the report again.")
		return redirect(c, h.registerPath(id))
	case err != nil:
		return h.refuse(c, err, h.registerPath(id))
	}
	h.flash(c, "success", fmt.Sprintf("Marked %d present; %d not matched.", res.MarkedPresent, len(res.Unmatched)))
	return redirect(c, h.registerPath(id))
}
