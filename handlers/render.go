package handlers

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"rounds/models"
	"rounds/static"
	"rounds/templates"
)

// renderer holds every page, parsed once at start-up: a missing or broken
// template stops Rounds from starting, not a request.
type renderer struct {
	pages map[string]*template.Template
}

// View is what every page template receives.
type View struct {
	Title string
	User  *models.User
	CSRF  string
	Flash *Flash
	Path  string
	D     map[string]any
	// Posted is, on a page that answers a form's POST (a form sent back
	// with its mistakes), the address the browser keeps it under as a GET.
	Posted string
	// Meta is what the page tells link previews, if anything.
	Meta *pageMeta
}

// Flash is a one-time message shown on the next page.
type Flash struct {
	Kind    string // success or error
	Message string
}

func templateFuncs(loc *time.Location) template.FuncMap {
	inLoc := func(t time.Time) time.Time { return t.In(loc) }
	return template.FuncMap{
		"static":   func(name string) string { return "/static/" + name + "?v=" + static.Version },
		"datetime": func(t time.Time) string { return inLoc(t).Format("Mon 2 Jan 2006, 15:04") },
		"date":     func(t time.Time) string { return inLoc(t).Format("Mon 2 Jan 2006") },
		"clock":    func(t time.Time) string { return inLoc(t).Format("15:04") },
		// erasureDays is how long an erasure waits after the member asks.
		"erasureDays": func() int { return int(models.ErasureDelay / (24 * time.Hour)) },
		"isodate":     func(t time.Time) string { return inLoc(t).Format("2006-01-02") },
		"inputtime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return inLoc(t).Format("2006-01-02T15:04")
		},
		"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"tzname":  func(t time.Time) string { return inLoc(t).Format("MST") },
		// A word with a fixed set of values shows its own Label; lower is for
		// a label in the middle of a sentence, and the lists give a form's
		// choices in order.
		"lower":   strings.ToLower,
		"formats": func() []models.Format { return models.Formats },
		"roles":   func() []models.Role { return models.Roles },
		"year": func(y *int) string {
			if y == nil {
				return "Graduate"
			}
			return fmt.Sprintf("Year %d", *y)
		},
		"yearis": func(y *int, n int) bool { return (y == nil && n == 0) || (y != nil && *y == n) },
		"seq": func(a, b int) []int {
			var out []int
			for i := a; i <= b; i++ {
				out = append(out, i)
			}
			return out
		},
		"deref": func(p *int) int {
			if p == nil {
				return 0
			}
			return *p
		},
		"pct": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"dict": func(kv ...any) map[string]any {
			m := make(map[string]any, len(kv)/2)
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
		"query": func(kv ...string) string {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			return v.Encode()
		},
		// day writes a date given as YYYY-MM-DD (a scheme's first and last
		// days) as the other dates are written; anything else as it is.
		"day": func(s string) string {
			d, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return s
			}
			return d.Format("Mon 2 Jan 2006")
		},
		"paragraphs": paragraphs,
		"list":       func(s ...string) []string { return s },
		"ordinal":    ordinal,
	}
}

func newRenderer(loc *time.Location) (*renderer, error) {
	r := &renderer{pages: map[string]*template.Template{}}
	names, err := fs.Glob(templates.FS, "pages/*.html")
	if err != nil {
		return nil, err
	}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		t, err := template.New(name).Funcs(templateFuncs(loc)).ParseFS(templates.FS, "layout.html", "partials/*.html", file)
		if err != nil {
			return nil, fmt.Errorf("templates: %s: %w", file, err)
		}
		r.pages[name] = t
	}
	if _, ok := r.pages["error"]; !ok {
		return nil, fmt.Errorf("templates: pages/error.html is missing")
	}
	return r, nil
}

// Render implements echo.Renderer; data must be a *View.
func (r *renderer) Render(w io.Writer, name string, data any, c echo.Context) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("templates: no page %q", name)
	}
	return t.ExecuteTemplate(w, "layout", data)
}

// render shows a page with the common view around d.
func (h *Handler) render(c echo.Context, status int, page string, d map[string]any) error {
	if d == nil {
		d = map[string]any{}
	}
	v := &View{User: currentUser(c), Path: c.Request().URL.Path, D: d, Flash: h.takeFlash(c), Posted: postedAddress(c, d)}
	if t, ok := d["Title"].(string); ok {
		v.Title = t
	}
	v.Meta, _ = d["Meta"].(*pageMeta)
	if tok, ok := c.Get("csrf").(string); ok {
		v.CSRF = tok
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	// The page is rendered whole before anything is sent, so that a failed
	// template is still a clean error; the buffers are kept for reuse, as
	// growing one for every page was an eighth of what a list page allocated.
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := h.views.Render(buf, page, v, c); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const flashCookie = "rounds_flash"

// flash keeps a message for the next page the browser shows.
func (h *Handler) flash(c echo.Context, kind, message string) {
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: url.QueryEscape(kind + "|" + message), Path: "/",
		HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func (h *Handler) takeFlash(c echo.Context) *Flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	c.SetCookie(&http.Cookie{Name: flashCookie, Value: "", Path: "/", HttpOnly: true, Secure: h.secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
	raw, err := url.QueryUnescape(ck.Value)
	if err != nil {
		return nil
	}
	kind, msg, ok := strings.Cut(raw, "|")
	if !ok || (kind != "success" && kind != "error" && kind != "notice") || len(msg) > 300 {
		return nil
	}
	return &Flash{Kind: kind, Message: msg}
}

// redirect answers a form post: post / redirect / get.
func redirect(c echo.Context, to string) error {
	return c.Redirect(http.StatusSeeOther, to)
}

// paragraphs shows plain text as paragraphs, with web links made clickable
// and everything else escaped: a description is never raw HTML.
func paragraphs(s string) template.HTML {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, para := range strings.Split(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(linkify(line))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

func linkify(line string) string {
	var b strings.Builder
	for i, word := range strings.Split(line, " ") {
		if i > 0 {
			b.WriteString(" ")
		}
		trail := ""
		for len(word) > 0 && strings.ContainsAny(word[len(word)-1:], ".,;:!?)") {
			trail = word[len(word)-1:] + trail
			word = word[:len(word)-1]
		}
		if u, err := url.Parse(word); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			esc := template.HTMLEscapeString(word)
			b.WriteString(`<a href="` + esc + `" rel="nofollow noopener">` + esc + `</a>`)
		} else {
			b.WriteString(template.HTMLEscapeString(word))
		}
		b.WriteString(template.HTMLEscapeString(trail))
	}
	return b.String()
}

// svgHTML marks an SVG drawn by Rounds itself (a QR code, a chart) as safe
// to embed; it must never be given text from a user that was not escaped.
func svgHTML(b []byte) template.HTML { return template.HTML(b) }
