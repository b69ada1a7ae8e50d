package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

func (h *Handler) apiBook(c echo.Context) error {
	var in models.BookInput
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	b, err := models.BookSeat(c.Request().Context(), h.Store, *currentUser(c), sessionIDFrom(c), in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"booking": b})
}

func (h *Handler) apiCancelMyBooking(c echo.Context) error {
	if _, err := models.CancelMyBooking(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiCancelBooking(c echo.Context) error {
	bid, err := pathID(c, "booking_id")
	if err != nil {
		return err
	}
	if _, err := models.CancelBooking(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, bid, h.Clock.Now()); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) apiSessionBookings(c echo.Context) error {
	f := models.BookingFilter{Status: models.BookingStatus(c.QueryParam("status")), Mode: models.Mode(c.QueryParam("mode"))}
	bs, err := models.BookingsForSession(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"bookings": bs})
}

func (h *Handler) apiMyBookings(c echo.Context) error {
	f := models.BookingFilter{Status: models.BookingStatus(c.QueryParam("status")), Mode: models.Mode(c.QueryParam("mode"))}
	var ok bool
	if f.From, ok = h.parseWhen(c.QueryParam("from")); !ok {
		return &models.ValidationError{Fields: map[string]string{"from": "Use a date like 2026-11-02."}}
	}
	bs, err := models.BookingsForUser(c.Request().Context(), h.Store, *currentUser(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"bookings": bs})
}
