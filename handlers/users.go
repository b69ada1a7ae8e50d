package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// userFilter reads ?role=&year_of_study=&q= ("graduate" or 0 for graduates).
func userFilter(c echo.Context) (models.UserFilter, error) {
	f := models.UserFilter{Role: models.Role(c.QueryParam("role")), Query: c.QueryParam("q")}
	if f.Role != "" && f.Role != models.RoleStudent && f.Role != models.RoleTeacher && f.Role != models.RoleCommittee {
		return f, &models.ValidationError{Fields: map[string]string{"role": models.ChooseMessage(models.Roles...)}}
	}
	if y := c.QueryParam("year_of_study"); y != "" {
		n, err := strconv.Atoi(y)
		if y == "graduate" {
			n, err = 0, nil
		}
		if err != nil || n < 0 || n > 6 {
			return f, &models.ValidationError{Fields: map[string]string{"year_of_study": "Choose a year from 1 to 6, or graduate."}}
		}
		f.YearOfStudy = &n
	}
	return f, nil
}

func (h *Handler) apiUsers(c echo.Context) error {
	f, err := userFilter(c)
	if err != nil {
		return err
	}
	users, err := models.FindUsers(c.Request().Context(), h.Store, f)
	if err != nil {
		return err
	}
	if users == nil {
		users = []models.User{}
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.ErrNotFound
	}
	return id, nil
}

func (h *Handler) apiUpdateUser(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := decodeJSON(c, &raw); err != nil {
		return err
	}
	var ch models.UserChange
	if err := decodeUserFields(raw, &ch); err != nil {
		return err
	}
	ch.At, ch.By = h.Clock.Now(), currentUser(c)
	u, err := models.UpdateUser(c.Request().Context(), h.Store, id, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"user": u})
}

func (h *Handler) memberSubmit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	role := models.Role(c.FormValue("role"))
	year, ok := formYear(c.FormValue("year_of_study"))
	back := "/committee/members?" + c.FormValue("return")
	if c.FormValue("from") == "member" {
		back = "/committee/members/" + strconv.FormatInt(id, 10)
	}
	if !ok {
		h.flash(c, "error", "Choose a year from 1 to 6, or graduate.")
		return redirect(c, back)
	}
	u, err := models.UpdateUser(c.Request().Context(), h.Store, id, models.UserChange{Role: &role, YearOfStudy: &year, At: h.Clock.Now(), By: currentUser(c)})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		for _, msg := range ve.Fields {
			h.flash(c, "error", msg)
		}
		return redirect(c, back)
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Saved "+u.Name+": "+strings.ToLower(u.Role.Label())+", "+u.YearLabel()+".")
	return redirect(c, back)
}
