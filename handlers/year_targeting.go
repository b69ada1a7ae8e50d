package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// askOtherYears asks, once, a student booking a session aimed at other
// years than theirs whether to book anyway: the session page comes back
// with the question and a "Book anyway" form that says other_years=yes. It
// tells whether it asked. Booking for oneself through the API is not
// asked: the contract books at once.
func (h *Handler) askOtherYears(c echo.Context, id int64) (bool, error) {
	u := currentUser(c)
	if c.FormValue("other_years") == "yes" || u.YearOfStudy == nil {
		return false, nil
	}
	s, err := models.VisibleSession(c.Request().Context(), h.Store, *u, id)
	if err != nil || !s.ForOtherYears(u.YearOfStudy) || s.Status != models.SessionPublished {
		// Whatever else is wrong, BookSeat says it.
		return false, nil
	}
	v, err := models.ViewSession(c.Request().Context(), h.Store, *u, s)
	if err != nil {
		return true, err
	}
	it := h.sessionItem(v)
	if it.MyBooking != nil || !it.Open() {
		return false, nil
	}
	d := h.sessionPageData(c, it)
	d["Ask"], d["AskMode"] = true, c.FormValue("mode")
	return true, h.render(c, http.StatusOK, "session", d)
}
