package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// A member's copy of their own data: asked for on the account page or the
// API, prepared by the export job, downloaded once from the e-mailed link.

// exportPreparing is what a member is told once they have asked.
const exportPreparing = "We are preparing your data; we'll e-mail you a link within a few minutes."

// apiRequestExport is POST /api/v1/me/export: 202 with the request.
func (h *Handler) apiRequestExport(c echo.Context) error {
	r, err := models.RequestDataExport(c.Request().Context(), h.Store, *currentUser(c), h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"request": r, "message": exportPreparing})
}

// exportSubmit is POST /account/export, the account page's "Download my
// data": back to the page with what happens next, or why not now.
func (h *Handler) exportSubmit(c echo.Context) error {
	_, err := models.RequestDataExport(c.Request().Context(), h.Store, *currentUser(c), h.Clock.Now())
	var de *models.Error
	var rl *models.RateLimitedError
	switch {
	case errors.As(err, &de) && de.Kind == models.KindConflict:
		h.flash(c, "error", de.Message)
		return redirect(c, "/account#data")
	case errors.As(err, &rl):
		h.flash(c, "error", rl.Error())
		return redirect(c, "/account#data")
	case err != nil:
		return err
	}
	h.flash(c, "success", exportPreparing)
	return redirect(c, "/account#data")
}

// downloadExport is GET /me/export/:token, the e-mailed link: the ZIP file,
// once, to the member it was made for. Another member, or a wrong address,
// gets 404; a used or expired link 410, each with a page in words.
func (h *Handler) downloadExport(c echo.Context) error {
	f, err := models.DownloadDataExport(c.Request().Context(), h.Store, *currentUser(c), c.Param("token"), h.Clock.Now())
	if err != nil {
		return h.exportLinkRefused(c, err)
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Type", "application/zip")
	hd.Set("Content-Disposition", attachment(f.Name))
	hd.Set("Content-Length", strconv.Itoa(len(f.Data)))
	return c.Blob(http.StatusOK, "application/zip", f.Data)
}

// exportLinkRefused answers a link that downloads nothing: a page that
// says why, with the way to ask again (404 for a link that is not the
// member's, 410 for one used or expired); JSON for a client that takes no
// HTML.
func (h *Handler) exportLinkRefused(c echo.Context, err error) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	status, heading := http.StatusGone, "This link no longer works"
	switch {
	case errors.Is(err, models.ErrExportLinkUnknown):
		status, heading = http.StatusNotFound, "No download here"
	case errors.Is(err, models.ErrExportLinkUsed), errors.Is(err, models.ErrExportLinkExpired):
	default:
		return err
	}
	var de *models.Error
	errors.As(err, &de)
	if !acceptsHTML(c) {
		if status == http.StatusNotFound {
			return err
		}
		return echo.NewHTTPError(status, de.Message)
	}
	return h.render(c, status, "export_link", map[string]any{"Title": heading, "Heading": heading, "Message": de.Message})
}

// withExport adds the member's latest export to the account page.
func (h *Handler) withExport(c echo.Context, d map[string]any) map[string]any {
	e, err := models.LatestExport(c.Request().Context(), h.Store, *currentUser(c))
	if err != nil {
		h.Log.Warn("latest export", "error", err)
	}
	if e != nil && e.Status == models.DataRequestReady && e.ExpiresAt != nil && !h.Clock.Now().Before(*e.ExpiresAt) {
		e.Status = models.DataRequestExpired // retention has not run yet
	}
	d["Export"] = e
	return d
}
