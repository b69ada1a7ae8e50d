package handlers

// A session's materials: files and links its teachers share (the manage
// page and the API), listed on the session page and downloaded from
// /materials/{id}. Who sees which is decided by models.

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// materialChunk is how much of a file is read from the database at a time
// while it is sent.
const materialChunk = 1 << 20

// materialPaths are the routes that take a file of up to
// models.MaxMaterialFile, over the body limit of other uploads.
var materialPaths = map[string]bool{"/api/v1/sessions/:id/materials": true, "/sessions/:id/materials": true}

// isMaterialUpload tells whether a request uploads a session's material.
func isMaterialUpload(c echo.Context) bool { return isUpload(c) && materialPaths[c.Path()] }

// readMaterialForm reads a material from a multipart form: the file, and
// title, url and visible beside it. No file and no url: an empty input,
// which models refuses with its message.
func readMaterialForm(c echo.Context) (models.MaterialInput, error) {
	in := models.MaterialInput{Title: c.FormValue("title"), URL: c.FormValue("url"), Visible: models.MaterialVisibility(c.FormValue("visible"))}
	fh, err := c.FormFile("file")
	switch {
	case errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart):
		return in, nil
	case err != nil:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		}
		return in, &models.ValidationError{Fields: map[string]string{"file": "The upload could not be read: try again."}}
	case fh.Size == 0 && fh.Filename == "":
		return in, nil // a form sent without choosing a file
	}
	in.Filename = fh.Filename
	in.Data, err = readUpload(fh)
	return in, err
}

// readUpload reads an uploaded file, whole: the body limit of these routes
// bounds it, and models says by how much a file is too large.
func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if data == nil {
		data = []byte{}
	}
	return data, err
}

// apiAddMaterial is POST /api/v1/sessions/{id}/materials: a multipart
// file, or a JSON link.
func (h *Handler) apiAddMaterial(c echo.Context) error {
	var in models.MaterialInput
	if isUpload(c) {
		var err error
		if in, err = readMaterialForm(c); err != nil {
			return err
		}
	} else {
		var body struct {
			Title   string                    `json:"title"`
			URL     string                    `json:"url"`
			Visible models.MaterialVisibility `json:"visible"`
		}
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
		in = models.MaterialInput{Title: body.Title, URL: body.URL, Visible: body.Visible}
	}
	m, err := models.AddMaterial(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c).ID, in, h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"material": m})
}

// apiListMaterials is GET /api/v1/sessions/{id}/materials: those the caller
// sees, and how many more there are (for those with a place, or who came).
func (h *Handler) apiListMaterials(c echo.Context) error {
	ms, hidden, err := models.SessionMaterials(c.Request().Context(), h.Store, *currentUser(c), sessionFrom(c), h.Clock.Now())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"materials": ms, "hidden": hidden})
}

// apiDeleteMaterial is DELETE /api/v1/materials/{id}.
func (h *Handler) apiDeleteMaterial(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := models.DeleteMaterial(c.Request().Context(), h.Store, *currentUser(c), 0, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// downloadMaterial is GET /materials/{id}: a file, sent as a download of
// the type its content was found to be, never shown in the browser's own
// window (attachment, nosniff, a sandbox); a link, a redirect to it.
func (h *Handler) downloadMaterial(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	m, err := models.VisibleMaterial(c.Request().Context(), h.Store, *currentUser(c), id, h.Clock.Now())
	if err != nil {
		return err
	}
	if m.Kind == models.MaterialLink {
		return c.Redirect(http.StatusSeeOther, m.URL)
	}
	hd := c.Response().Header()
	etag := `"` + m.SHA256 + `"`
	hd.Set("ETag", etag)
	// Private: who may read it can change, so each use asks again.
	hd.Set("Cache-Control", "private, no-cache")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if match := c.Request().Header.Get("If-None-Match"); match != "" && etagMatches(match, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	hd.Set("Content-Type", m.ContentType)
	hd.Set("Content-Disposition", attachment(m.Filename))
	hd.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	c.Response().WriteHeader(http.StatusOK)
	if c.Request().Method == http.MethodHead {
		return nil
	}
	for off := int64(0); off < m.Size; off += materialChunk {
		part, err := models.ReadMaterialFile(c.Request().Context(), h.Store, m.ID, off, materialChunk)
		if err != nil {
			// The answer has begun: a short body tells the client.
			h.Log.Warn("material download cut short", "material", m.ID, "err", err)
			return nil
		}
		if _, err := c.Response().Write(part); err != nil {
			return nil
		}
	}
	return nil
}

// etagMatches tells whether an If-None-Match header names etag.
func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == etag || v == "*" {
			return true
		}
	}
	return false
}

// attachment is a Content-Disposition that downloads a file under name
// (RFC 6266): an ASCII name for old clients, and the name as it is, in
// UTF-8, for the rest (RFC 5987).
func attachment(name string) string {
	ascii := strings.Map(func(r rune) rune {
		switch {
		case r > unicode.MaxASCII || unicode.IsControl(r):
			return '_'
		case r == '"' || r == '\\' || r == '%':
			return '_'
		}
		return r
	}, name)
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, strings.ReplaceAll(url.PathEscape(name), "+", "%2B"))
}

// ---- pages -------------------------------------------------------------------

// addMaterialSubmit is the manage page's upload and link forms.
func (h *Handler) addMaterialSubmit(c echo.Context) error {
	it, err := h.checkedSession(c)
	if err != nil {
		return err
	}
	in, err := readMaterialForm(c)
	if err == nil {
		_, err = models.AddMaterial(c.Request().Context(), h.Store, *currentUser(c), it.ID, in, h.Clock.Now())
	}
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		form := c.FormValue("form")
		return h.renderManage(c, http.StatusUnprocessableEntity, it, map[string]any{
			"MaterialForm": form, "MaterialErrors": ve.Fields,
			"MaterialIn": map[string]string{"title": in.Title, "url": in.URL, "visible": string(in.Visible)},
		})
	}
	if err != nil {
		return h.refuse(c, err, sessionPath(it.ID, "/manage"))
	}
	msg := "Added. Students with a place see it on the session page."
	if in.Visible == models.VisibleAttendeesAfter {
		msg = "Added. Those who came see it on the session page once the session has ended."
	}
	if it.Ended {
		msg += " They are sent one e-mail about what you add in the next few minutes."
	}
	h.flash(c, "success", msg)
	return redirect(c, sessionPath(it.ID, "/manage#materials-h"))
}

// deleteMaterialSubmit removes a material from the manage page.
func (h *Handler) deleteMaterialSubmit(c echo.Context) error {
	id := sessionFrom(c).ID
	mid, err := pathID(c, "material_id")
	if err != nil {
		return err
	}
	m, err := models.DeleteMaterial(c.Request().Context(), h.Store, *currentUser(c), id, mid)
	if err != nil {
		return h.refuse(c, err, sessionPath(id, "/manage"))
	}
	h.flash(c, "success", "“"+m.Title+"” is removed.")
	return redirect(c, sessionPath(id, "/manage#materials-h"))
}

// sessionMaterials adds the materials the viewer sees to a page's data.
func (h *Handler) sessionMaterials(c echo.Context, it *sessionItem, d map[string]any) error {
	ms, hidden, err := models.SessionMaterials(c.Request().Context(), h.Store, *currentUser(c), it.Session, h.Clock.Now())
	if err != nil {
		return err
	}
	d["Materials"], d["MaterialsHidden"] = ms, hidden
	return nil
}
