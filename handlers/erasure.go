package handlers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// A member's data: erasure. A member asks on the account page (or DELETE
// /api/v1/me); the account is erased ErasureDelay later by the retention
// job (models.CarryOutErasures), unless they call it off, logged in or with
// the link in the erasure_scheduled e-mail.

// erasureLinks makes the cancel link of the erasure_scheduled e-mail. It is
// signed with the site's secret for one-click links (the unsubscribe key),
// under a purpose of its own, so that neither link stands for the other.
func (h *Handler) erasureLinks() models.ErasureLinks {
	return models.ErasureLinks{Key: h.unsubscribeKey, CancelURL: func(token string) string {
		return h.Config.BaseURL + "/erasure/cancel/" + url.PathEscape(token)
	}}
}

// withErasure adds the member's waiting erasure, if any, to a page about
// their account.
func (h *Handler) withErasure(c echo.Context, d map[string]any) map[string]any {
	r, err := models.WaitingErasure(c.Request().Context(), h.Store, currentUser(c).ID)
	if err != nil {
		h.Log.Warn("waiting erasure", "error", err)
	}
	if r != nil {
		d["Erasure"] = r
	}
	return d
}

// erasurePage is GET /account/delete: what erasing the account does, and
// the form that asks for it; once asked, the day and a Cancel button.
func (h *Handler) erasurePage(c echo.Context) error {
	return h.render(c, http.StatusOK, "erasure", h.erasureData(c, nil))
}

func (h *Handler) erasureData(c echo.Context, errs map[string]string) map[string]any {
	u := currentUser(c)
	d := h.withErasure(c, map[string]any{"Title": "Delete your account", "HasPassword": models.HasPassword(*u),
		"ConfirmWord": models.ErasureConfirmWord, "Errors": errs})
	if d["Erasure"] != nil {
		d["Title"] = "Your account will be deleted"
	}
	return d
}

// erasureSubmit is POST /account/delete: with the password (or DELETE
// typed, for an account without one) the erasure is scheduled, and the
// page then says on which day.
func (h *Handler) erasureSubmit(c echo.Context) error {
	u := currentUser(c)
	proof := models.ErasureProof{Password: c.FormValue("password"), Typed: c.FormValue("confirm")}
	_, _, err := models.RequestErasure(c.Request().Context(), h.Store, *u, &proof, h.erasureLinks(), h.Clock.Now())
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.render(c, http.StatusUnprocessableEntity, "erasure", h.erasureData(c, ve.Fields))
	}
	if err != nil {
		return err
	}
	h.flash(c, "success", "Asked. We have e-mailed you to confirm, with a link to keep your account.")
	return redirect(c, "/account/delete")
}

// erasureCancelSubmit is POST /account/delete/cancel: the member keeps
// their account.
func (h *Handler) erasureCancelSubmit(c echo.Context) error {
	cancelled, err := models.CancelErasure(c.Request().Context(), h.Store, currentUser(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	if cancelled {
		h.flash(c, "success", "Your account stays: it will not be deleted.")
	}
	return redirect(c, "/account")
}

// apiRequestErasure is DELETE /api/v1/me: 202 {erase_at} when the erasure
// is scheduled, 200 {erase_at} with the same day when it already was.
func (h *Handler) apiRequestErasure(c echo.Context) error {
	r, created, err := models.RequestErasure(c.Request().Context(), h.Store, *currentUser(c), nil, h.erasureLinks(), h.Clock.Now())
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusAccepted
	}
	return c.JSON(status, map[string]any{"erase_at": r.DueAt})
}

// apiCancelErasure is POST /api/v1/me/erasure/cancel: 200 {cancelled},
// false when no erasure was waiting.
func (h *Handler) apiCancelErasure(c echo.Context) error {
	cancelled, err := models.CancelErasure(c.Request().Context(), h.Store, currentUser(c).ID, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"cancelled": cancelled})
}

// erasureLinkPage is GET /erasure/cancel/:token, the link in the
// erasure_scheduled e-mail: a page with a button, as mail scanners open
// every link they see and must not call an erasure off.
func (h *Handler) erasureLinkPage(c echo.Context) error {
	r, err := models.ErasureByToken(c.Request().Context(), h.Store, h.unsubscribeKey, c.Param("token"))
	if errors.Is(err, models.ErrBadErasureLink) {
		return h.render(c, http.StatusNotFound, "erasure_link", map[string]any{"Title": "Link not valid", "Invalid": true})
	}
	if err != nil {
		return err
	}
	title := "Keep your account?"
	switch r.Status {
	case models.DataRequestCancelled:
		title = "Your account stays"
	case models.DataRequestDone:
		title = "Your account has been deleted"
	}
	return h.render(c, http.StatusOK, "erasure_link", map[string]any{"Title": title, "Request": r})
}

// erasureLinkSubmit is POST /erasure/cancel/:token, the button on that
// page: the signed link is the proof, no log-in needed.
func (h *Handler) erasureLinkSubmit(c echo.Context) error {
	_, err := models.CancelErasureByToken(c.Request().Context(), h.Store, h.unsubscribeKey, c.Param("token"), h.Clock.Now())
	if errors.Is(err, models.ErrBadErasureLink) {
		return h.render(c, http.StatusNotFound, "erasure_link", map[string]any{"Title": "Link not valid", "Invalid": true})
	}
	if err != nil {
		return err
	}
	return redirect(c, "/erasure/cancel/"+url.PathEscape(c.Param("token")))
}

// dataRequestsPage is GET /committee/requests: who asked for a copy of
// their data or its erasure, when, and where each request is; erasures by
// the retention policy too. Nothing on it changes a request.
func (h *Handler) dataRequestsPage(c echo.Context) error {
	rows, err := models.DataRequests(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "data_requests", map[string]any{"Title": "Members' requests about their data", "Requests": rows,
		"Listed": models.DataRequestsListed, "GraduatesYears": h.Config.RetentionGraduatesYears})
}

// apiDataRequests is GET /api/v1/admin/data-requests.
func (h *Handler) apiDataRequests(c echo.Context) error {
	rows, err := models.DataRequests(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		by := "member"
		if r.ByRetention() {
			by = "retention"
		}
		out = append(out, map[string]any{"id": r.ID, "user_id": r.UserID, "member_name": r.MemberName,
			"kind": r.Kind, "kind_label": r.Kind.Label(), "status": r.Status, "status_label": r.Status.Label(),
			"by": by, "requested_at": r.RequestedAt, "due_at": r.DueAt, "done_at": r.DoneAt, "cancelled_at": r.CancelledAt})
	}
	return c.JSON(http.StatusOK, map[string]any{"requests": out})
}
