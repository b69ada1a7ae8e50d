package handlers

import (
	"fmt"
	"regexp"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

var registerStatusField = regexp.MustCompile(`^status-([0-9]{1,18})$`)

// registerSaveAll saves every line of the register whose status or mode
// the teacher changed, with the table's one button. A line is changed when
// it differs from what the page showed (was-<id>), so lines left alone keep
// how they were recorded.
func (h *Handler) registerSaveAll(c echo.Context) error {
	id := sessionFrom(c).ID
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	entries := map[int64]models.RegisterEntry{}
	for k, vs := range form {
		m := registerStatusField.FindStringSubmatch(k)
		if m == nil || len(vs) == 0 || vs[0] == "" {
			continue
		}
		uid, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil {
			continue
		}
		mode := form.Get("mode-" + m[1])
		if form.Get("was-"+m[1]) == vs[0]+"|"+mode {
			continue
		}
		entries[uid] = models.RegisterEntry{Status: models.AttendanceStatus(vs[0]), Mode: models.Mode(mode)}
	}
	back := h.registerPath(id)
	if len(entries) == 0 {
		h.flash(c, "error", "Nothing was changed: choose a new status for a student, then save.")
		return redirect(c, back)
	}
	n, err := models.MarkRegisterMany(c.Request().Context(), h.Store, *currentUser(c), id, entries, h.Clock.Now())
	if err != nil {
		return h.refuse(c, err, back)
	}
	switch n {
	case 0:
		h.flash(c, "success", "The register already said that; nothing changed.")
	case 1:
		h.flash(c, "success", "Saved 1 change to the register.")
	default:
		h.flash(c, "success", fmt.Sprintf("Saved %d changes to the register.", n))
	}
	return redirect(c, back)
}
