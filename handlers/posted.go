package handlers

import (
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
)

// A page that answers a POST (a form sent back with its mistakes) asks the
// browser, through app.js, to keep it in the history as a GET of an address
// that has a page, so that Back after the next, good submission shows that
// page instead of asking to send the form again.

// getPages is, per router, a pattern for each path that answers GET.
var getPages sync.Map // *echo.Echo → []*regexp.Regexp

var routeParam = regexp.MustCompile(`:[A-Za-z_]+|\*`)

// postedAddress is where the page answering this POST is kept in the
// history: the address the handler named (d["Address"]), else the request's
// own path when it also answers GET, else "" (nothing is changed).
func postedAddress(c echo.Context, d map[string]any) string {
	if c.Request().Method != http.MethodPost {
		return ""
	}
	if a, ok := d["Address"].(string); ok && a != "" {
		return a
	}
	v, ok := getPages.Load(c.Echo())
	if !ok {
		var pats []*regexp.Regexp
		for _, r := range c.Echo().Routes() {
			if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/api/") {
				continue
			}
			parts := routeParam.Split(r.Path, -1)
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			pats = append(pats, regexp.MustCompile("^"+strings.Join(parts, "[^/]+")+"$"))
		}
		v, _ = getPages.LoadOrStore(c.Echo(), pats)
	}
	path := c.Request().URL.Path
	for _, p := range v.([]*regexp.Regexp) {
		if p.MatchString(path) {
			return c.Request().URL.RequestURI()
		}
	}
	return ""
}
