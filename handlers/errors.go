package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
)

// apiError is the JSON error body of API.md.
type apiError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// A refusal that turns on a time (models.TimedError) names it:
	// opens_at or closed_at.
	OpensAt  *time.Time `json:"opens_at,omitempty"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// errMalformed is returned for a body that is not the JSON expected.
type errMalformed struct{ detail string }

func (e *errMalformed) Error() string { return e.detail }

func isAPI(c echo.Context) bool {
	return strings.HasPrefix(c.Request().URL.Path, "/api/")
}

// classify turns any error into a status code and a safe body.
func classify(err error) (int, apiError) {
	var ve *models.ValidationError
	var de *models.Error
	var rl *models.RateLimitedError
	var mf *errMalformed
	var he *echo.HTTPError
	var mff *errMalformedFields
	var te *models.TimedError
	switch {
	case errors.As(err, &te):
		status, body := classify(te.Err)
		body.Message = te.Error()
		at := te.At.UTC()
		if te.Field == "closed_at" {
			body.ClosedAt = &at
		} else {
			body.OpensAt = &at
		}
		return status, body
	case errors.As(err, &mff):
		return http.StatusBadRequest, apiError{Code: "malformed_body", Message: "Some fields have the wrong type.", Fields: mff.fields}
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, apiError{Code: "validation_failed", Message: "Some fields need attention.", Fields: ve.Fields}
	case errors.As(err, &de):
		status := map[models.Kind]int{
			models.KindNotFound: http.StatusNotFound, models.KindConflict: http.StatusConflict,
			models.KindForbidden: http.StatusForbidden, models.KindUnprocessable: http.StatusUnprocessableEntity,
			models.KindUnauthorized: http.StatusUnauthorized, models.KindRateLimited: http.StatusTooManyRequests,
		}[de.Kind]
		if status == 0 {
			status = http.StatusBadRequest
		}
		return status, apiError{Code: de.Code, Message: de.Message}
	case errors.As(err, &rl):
		return http.StatusTooManyRequests, apiError{Code: "rate_limited", Message: rl.Error()}
	case errors.As(err, &mf):
		return http.StatusBadRequest, apiError{Code: "malformed_body", Message: mf.detail}
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if s, ok := he.Message.(string); ok && he.Code < 500 {
			msg = s
		}
		code := strings.ToLower(strings.ReplaceAll(http.StatusText(he.Code), " ", "_"))
		switch {
		case he.Code == http.StatusForbidden && strings.Contains(strings.ToLower(msg), "csrf"),
			he.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(msg), "csrf"):
			return http.StatusForbidden, apiError{Code: "csrf_failed", Message: "This form has expired or did not come from Rounds. Please go back, reload the page and try again."}
		case he.Code == http.StatusRequestEntityTooLarge:
			return he.Code, apiError{Code: "body_too_large", Message: "The request is too large."}
		case he.Code == http.StatusNotFound:
			return he.Code, apiError{Code: "not_found", Message: "There is no such page."}
		case he.Code == http.StatusMethodNotAllowed:
			return he.Code, apiError{Code: "method_not_allowed", Message: "That method is not allowed here."}
		case he.Code == http.StatusUnauthorized:
			return he.Code, apiError{Code: "unauthorized", Message: "Please log in."}
		case he.Code == http.StatusTooManyRequests:
			return he.Code, apiError{Code: "rate_limited", Message: "Too many requests. Please wait and try again."}
		}
		if he.Code >= 500 {
			return he.Code, apiError{Code: "internal_error", Message: "Something went wrong on our side."}
		}
		return he.Code, apiError{Code: code, Message: msg}
	}
	return http.StatusInternalServerError, apiError{Code: "internal_error", Message: "Something went wrong on our side. It has been logged."}
}

// handleError is Echo's error handler: JSON for the API, a page otherwise.
func (h *Handler) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := classify(h.localise(err))
	if status >= 500 {
		h.Log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, slog.Any("error", err))
	}
	var rl *models.RateLimitedError
	if errors.As(err, &rl) {
		c.Response().Header().Set("Retry-After", strconv.Itoa(rl.RetryAfterSeconds))
	}
	if status == http.StatusUnauthorized && !isAPI(c) {
		_ = c.Redirect(http.StatusSeeOther, loginURL(c))
		return
	}
	if isAPI(c) || !acceptsHTML(c) {
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		out := map[string]any{"error": body}
		// The time of a timed refusal is also beside the error.
		if body.OpensAt != nil {
			out["opens_at"] = body.OpensAt
		}
		if body.ClosedAt != nil {
			out["closed_at"] = body.ClosedAt
		}
		_ = c.JSON(status, out)
		return
	}
	if status == http.StatusRequestEntityTooLarge && c.Path() == "/sessions/:id/register/import" {
		// Refused before the import could read it: the register says why,
		// beside its form.
		if id, err := strconv.ParseInt(c.Param("id"), 10, 64); err == nil {
			_ = c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sessions/%d/register?import=too-large#import", id))
			return
		}
	}
	_ = h.render(c, status, "error", map[string]any{"Status": status, "Error": body})
}

// localise has a refusal that turns on a time say it in the society's time
// zone.
func (h *Handler) localise(err error) error {
	var te *models.TimedError
	if errors.As(err, &te) {
		te.Loc = h.Config.Location
	}
	return err
}

func acceptsHTML(c echo.Context) bool {
	a := c.Request().Header.Get("Accept")
	return a == "" || strings.Contains(a, "text/html") || strings.Contains(a, "*/*")
}

// decodeJSON reads a JSON body into v, refusing anything malformed.
func decodeJSON(c echo.Context, v any) error {
	// The Content-Type is not insisted on: a cross-site form cannot carry a
	// bearer token, and cookie logins need the CSRF header on the API.
	raw, err := io.ReadAll(c.Request().Body)
	if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
	}
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		var mbe *http.MaxBytesError
		var pe *time.ParseError
		switch {
		case errors.As(err, &pe):
			return &errMalformed{timeProblem(raw, pe)}
		case errors.Is(err, io.EOF):
			return &errMalformed{"The request body is empty; send a JSON object."}
		case errors.As(err, &mbe):
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				return &errMalformed{"The request body must be a JSON object."}
			}
			return &errMalformed{fmt.Sprintf("Field %q must be a %s.", field, jsonKind(te.Type.Kind().String()))}
		case errors.As(err, &se):
			return &errMalformed{fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset)}
		}
		return &errMalformed{"The request body is not valid JSON."}
	}
	if dec.More() {
		return &errMalformed{"The request body must hold one JSON object."}
	}
	return nil
}

// timeProblem says which field of a JSON body holds a time that could not
// be read, and how to write one.
func timeProblem(raw []byte, pe *time.ParseError) string {
	const how = "a date and time like 2026-11-02T18:00:00Z or 2026-11-02T18:00:00+01:00 (with its offset)"
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) == nil {
		for name, v := range fields {
			var s string
			if json.Unmarshal(v, &s) == nil && s == pe.Value {
				return fmt.Sprintf("Field %q must be %s; %q is not one.", name, how, s)
			}
		}
	}
	return fmt.Sprintf("%q is not %s.", pe.Value, how)
}

func jsonKind(k string) string {
	switch {
	case strings.HasPrefix(k, "int"), strings.HasPrefix(k, "uint"), strings.HasPrefix(k, "float"):
		return "number"
	case k == "string":
		return "string"
	case k == "bool":
		return "true or false"
	case k == "slice", k == "array":
		return "list"
	}
	return "JSON " + k
}
