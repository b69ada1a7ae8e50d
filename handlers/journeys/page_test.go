package journeys

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

//go:embed find.js
var findJS string

// Page is one actor's browser tab. Its methods act as a person does and fail
// the test, with a screenshot, when the page does not let them. The embedded
// Scope looks in <main> first and then in the whole page (the header's
// navigation), so Click("Log in") on the log-in page presses the form's
// button rather than the menu's link.
type Page struct {
	Scope
	b     *Browser
	t     testing.TB
	ctx   context.Context
	actor string
	vp    Viewport
	noJS  bool

	mu       sync.Mutex
	problems []string           // console errors and failed requests not yet reported
	requests map[string]request // by request id, to judge their responses
	marks    int
}

type request struct {
	url string
}

// Viewport is the screen the page is shown on.
func (p *Page) Viewport() Viewport { return p.vp }

// SetViewport changes the screen, as when someone turns from their phone to
// a laptop.
func (p *Page) SetViewport(vp Viewport) {
	p.t.Helper()
	p.vp = vp
	p.run("set up the "+vp.Name+" screen", p.emulate())
}

// JavaScript tells whether the page runs scripts.
func (p *Page) JavaScript() bool { return !p.noJS }

// Visit loads a path of the site (or a full URL) and returns the HTTP
// status of the page.
func (p *Page) Visit(path string) int {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = p.b.site.URL + path
	}
	var resp *network.Response
	p.run("open "+path, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		resp, err = chromedp.NavigateResponse(u)(ctx, t)
		return err
	}))
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// URL is the address the page shows.
func (p *Page) URL() string {
	p.t.Helper()
	return evaluate[string](p, "read the address", `location.href`)
}

// Path is the path and query of the page's address, e.g. /account.
func (p *Page) Path() string {
	p.t.Helper()
	u, err := url.Parse(p.URL())
	if err != nil {
		p.fatalf("e2e: address: %v", err)
	}
	return u.RequestURI()
}

// ExpectPath fails unless the page's path (without the query) is path.
func (p *Page) ExpectPath(path string) {
	p.t.Helper()
	got := p.Path()
	if i := strings.IndexByte(got, '?'); i >= 0 && !strings.Contains(path, "?") {
		got = got[:i]
	}
	if got != path {
		p.fatalf("the page is %s, want %s", got, path)
	}
}

// Heading is the text of the page's first-level heading.
func (p *Page) Heading() string {
	p.t.Helper()
	return evaluate[string](p, "read the heading", `(function(){var h=document.querySelector("h1");return h?h.innerText.replace(/\s+/g," ").trim():""})()`)
}

// ExpectHeading fails unless the page's first-level heading is want.
func (p *Page) ExpectHeading(want string) {
	p.t.Helper()
	if got := p.Heading(); got != want {
		p.fatalf("the heading is %q, want %q", got, want)
	}
}

// LogIn logs in through the real log-in form and checks that it worked.
func (p *Page) LogIn(email, password string) {
	p.t.Helper()
	p.Visit("/login")
	p.Fill("E-mail address", email)
	p.Fill("Password", password)
	if status := p.Click("Log in"); status != 200 {
		p.fatalf("logging in as %s answered %d: %s", email, status, excerpt(p.Text()))
	}
	if path := p.Path(); strings.HasPrefix(path, "/login") {
		p.fatalf("still on the log-in page after logging in as %s: %s", email, excerpt(p.Text()))
	}
}

// LogOut presses the menu's "Log out" button and checks that it worked.
func (p *Page) LogOut() {
	p.t.Helper()
	p.Click("Log out")
	p.ExpectText("You have logged out.")
}

// Screenshot saves a PNG of the whole page as NN-actor-name.png in the
// test's artifacts folder and returns its path.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	file, err := p.screenshot(name)
	if err != nil {
		p.fatalf("e2e: screenshot %s: %v", name, err)
	}
	return file
}

func (p *Page) screenshot(name string) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	// The whole page is the viewport's width and the document's height:
	// CaptureBeyondViewport alone pads a phone's picture with blank space
	// as wide as the widest scrolling table.
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](
		`[document.documentElement.clientWidth, Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)]`))
	if err != nil {
		return "", err
	}
	png, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: size[0], Height: size[1], Scale: 1},
			CaptureBeyondViewport: &yes,
		})
		return r.Data, err
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(p.b.dir, 0o755); err != nil {
		return "", err
	}
	file := filepath.Join(p.b.dir, fmt.Sprintf("%02d-%s-%s.png", p.b.nextShot(), fileSafe(p.actor), fileSafe(name)))
	return file, os.WriteFile(file, png, 0o644)
}

var yes = true

var notFileSafe = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func fileSafe(s string) string { return strings.Trim(notFileSafe.ReplaceAllString(s, "-"), "-") }

// Checkpoint records a step of a journey: a screenshot, then no console
// errors or failed requests since the last checkpoint, then no serious or
// critical accessibility problems on the page as it is.
func (p *Page) Checkpoint(name string) {
	p.t.Helper()
	p.Screenshot(name)
	p.ExpectNoErrors()
	p.ExpectFitsScreen()
	p.ExpectAccessible()
}

// ExpectFitsScreen fails the test (and lets it go on) if the page is wider
// than the screen, so that on a phone the whole page pans sideways. Wide
// tables must scroll inside their own box instead.
func (p *Page) ExpectFitsScreen() {
	p.t.Helper()
	r := evaluate[struct {
		Width    int64    `json:"width"`
		Overflow []string `json:"overflow"`
	}](p, "measure the page", `(function () {
		var w = document.documentElement.clientWidth, out = [];
		// clipped tells whether a scrolling or clipping box holds el in. An
		// absolutely positioned element escapes such boxes up to its
		// containing block (the nearest positioned ancestor).
		function clipped(el) {
			var escaping = false;
			for (var a = el; a && a !== document.body; a = a.parentElement) {
				var cs = getComputedStyle(a);
				if (a !== el) {
					if (cs.overflowX !== "visible" && (!escaping || cs.position !== "static")) { return true; }
					if (escaping && cs.position !== "static") { escaping = false; }
				}
				if (cs.position === "fixed") { return false; }
				if (cs.position === "absolute") { escaping = true; }
			}
			return false;
		}
		document.querySelectorAll("body *").forEach(function (el) {
			var r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > w + 1 && out.length < 5 && !clipped(el) && !out.some(function (o) { return o.el.contains(el); })) {
				out.push({el: el, s: el.outerHTML.slice(0, 120) + " (right edge " + Math.round(r.right) + "px)"});
			}
		});
		return {width: Math.max(window.innerWidth, document.documentElement.scrollWidth), overflow: out.map(function (o) { return o.s; })};
	})()`)
	if r.Width > p.vp.Width {
		p.t.Errorf("%s's page %s is %dpx wide on a %dpx %s screen; it pans sideways. Elements past the edge:\n  %s",
			p.actor, p.where(), r.Width, p.vp.Width, p.vp.Name, strings.Join(r.Overflow, "\n  "))
	}
}

// ExpectNoErrors fails the test (and lets it go on) if, since the last call,
// the page logged a console error or uncaught exception, or a request to the
// site failed: a network error, a 4xx or 5xx answer for a stylesheet,
// script or image, or a 5xx page. Pages that answer 4xx on purpose (a
// refused log-in, a form with mistakes) are not failures.
func (p *Page) ExpectNoErrors() {
	p.t.Helper()
	// Late events (an image that fails after the load event) get a moment.
	time.Sleep(50 * time.Millisecond)
	if problems := p.takeProblems(); len(problems) > 0 {
		p.t.Errorf("%s's page %s has errors:\n  %s", p.actor, p.where(), strings.Join(problems, "\n  "))
	}
}

// listen is called by chromedp for every event of the tab, in order; it must
// return quickly and send no command.
func (p *Page) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		p.problem("uncaught exception: " + exceptionText(ev.ExceptionDetails))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var parts []string
			for _, a := range ev.Args {
				parts = append(parts, remoteText(a))
			}
			p.problem("console." + string(ev.Type) + ": " + strings.Join(parts, " "))
		}
	case *cdplog.EventEntryAdded:
		// Network entries repeat what the network events below say, and
		// would also count pages that answer 4xx on purpose.
		if e := ev.Entry; e != nil && e.Level == cdplog.EntryLevelError && e.Source != cdplog.EntrySourceNetwork {
			p.problem(fmt.Sprintf("browser %s error: %s %s", e.Source, e.Text, e.URL))
		}
	case *network.EventRequestWillBeSent:
		p.mu.Lock()
		p.requests[string(ev.RequestID)] = request{url: ev.Request.URL}
		p.mu.Unlock()
	case *network.EventResponseReceived:
		r := ev.Response
		if r == nil || !p.sameOrigin(r.URL) {
			return
		}
		if r.Status >= 500 || (r.Status >= 400 && ev.Type != network.ResourceTypeDocument) {
			p.problem(fmt.Sprintf("%s %s answered %d", ev.Type, r.URL, r.Status))
		}
	case *network.EventLoadingFailed:
		p.mu.Lock()
		req := p.requests[string(ev.RequestID)]
		p.mu.Unlock()
		if ev.Canceled || !p.sameOrigin(req.url) {
			return
		}
		reason := ev.ErrorText
		if ev.BlockedReason != "" {
			reason += " (blocked: " + string(ev.BlockedReason) + ")"
		}
		p.problem(fmt.Sprintf("%s %s failed: %s", ev.Type, req.url, reason))
	}
}

// takeProblems returns the problems seen since the last call.
func (p *Page) takeProblems() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	problems := p.problems
	p.problems = nil
	return problems
}

func (p *Page) problem(s string) {
	p.mu.Lock()
	p.problems = append(p.problems, s)
	p.mu.Unlock()
}

func (p *Page) sameOrigin(u string) bool {
	return u == p.b.site.URL || strings.HasPrefix(u, p.b.site.URL+"/")
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d == nil {
		return "?"
	}
	s := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		s += " " + d.Exception.Description
	}
	if d.URL != "" {
		s += fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1)
	}
	return s
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if o.Description != "" {
		return o.Description
	}
	var s string
	if json.Unmarshal(o.Value, &s) == nil {
		return s
	}
	return string(o.Value)
}

// run runs one step against the tab under StepTimeout, failing the test
// with a screenshot if it does not succeed.
func (p *Page) run(what string, a chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := p.try(a); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

func (p *Page) try(a chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	err := chromedp.Do(ctx, a)
	if isTimeout(err) {
		return fmt.Errorf("no result within %s (%w)", StepTimeout, err)
	}
	return err
}

// evaluate runs a JavaScript expression in the page (through DevTools, so
// it also works without page JavaScript) and returns its value.
func evaluate[T any](p *Page, what, expr string) T {
	p.t.Helper()
	var v T
	p.run(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		v, err = chromedp.Evaluate[T](expr)(ctx, t)
		return err
	}))
	return v
}

// fatalf stops the journey, saving a screenshot of where it stopped.
func (p *Page) fatalf(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if file, err := p.screenshot("FAILED"); err == nil {
		msg += "\n  screenshot: " + file
	}
	p.t.Fatalf("%s's page %s: %s", p.actor, p.where(), msg)
}

// where is the page's address for messages, without failing.
func (p *Page) where() string {
	ctx, cancel := context.WithTimeout(p.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "(address unknown)"
	}
	return strings.TrimPrefix(u, p.b.site.URL)
}

// excerpt shortens a page's text for a message.
func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// Scope is a part of a page that a person looks at: the whole page, or one
// element (a table row, a card) found by Page.Within. Names are matched
// exactly, after collapsing white space.
type Scope struct {
	p          *Page
	css, label string // the element matching css whose text contains label; none for the whole page
}

// Within narrows to the one element matching css whose visible text
// contains text, e.g. p.Within("tr", "Asha Patel").
func (s Scope) Within(css, text string) Scope {
	if s.css != "" {
		panic("e2e: Within inside Within is not supported; use a more precise CSS selector")
	}
	return Scope{p: s.p, css: css, label: text}
}

// Row is the table row whose text contains text.
func (s Scope) Row(text string) Scope { return s.Within("tr", text) }

type found struct {
	Tag   string `json:"tag"`
	Type  string `json:"type"`
	Error string `json:"error"`
	sel   string
}

// find marks the one element of the kind ("control", "clickable", "css" or
// "scope") with that name and returns a CSS selector for it.
func (s Scope) find(kind, name string) found {
	p := s.p
	p.t.Helper()
	p.mu.Lock()
	p.marks++
	mark := fmt.Sprintf("m%d", p.marks)
	p.mu.Unlock()
	f := evaluate[found](p, "find "+name, s.findExpr(kind, name, mark))
	if f.Error != "" {
		p.fatalf("%s", f.Error)
	}
	f.sel = fmt.Sprintf(`[data-e2e=%q]`, mark)
	return f
}

func (s Scope) findExpr(kind, name, mark string) string {
	req := map[string]any{"kind": kind, "name": name, "css": name, "mark": mark}
	if s.css != "" {
		req["scope"] = map[string]string{"css": s.css, "text": s.label}
	}
	arg, _ := json.Marshal(req)
	return "(" + findJS + ")(" + string(arg) + ")"
}

// Fill types value into the form field with that label, replacing what it
// held.
func (s Scope) Fill(label, value string) {
	s.p.t.Helper()
	s.fill(s.find("control", label), label, value)
}

// FillCSS types value into the field matching a CSS selector.
func (s Scope) FillCSS(css, value string) {
	s.p.t.Helper()
	s.fill(s.find("css", css), css, value)
}

func (s Scope) fill(f found, name, value string) {
	p := s.p
	p.t.Helper()
	if f.Tag == "select" {
		s.choose(f, name, value)
		return
	}
	if f.Tag != "input" && f.Tag != "textarea" {
		p.fatalf("%q is a %s, not a text field", name, f.Tag)
	}
	p.run("clear "+name, chromedp.Evaluate[chromedp.Void](`(function(){var el=document.querySelector(`+jsString(f.sel)+`);el.focus();el.value=""})()`))
	if value != "" {
		p.run("type into "+name, chromedp.SendKeys(chromedp.CSS(f.sel), value))
	}
}

// Select picks the option shown as option in the drop-down list with that
// label.
func (s Scope) Select(label, option string) {
	s.p.t.Helper()
	f := s.find("control", label)
	if f.Tag != "select" {
		s.p.fatalf("%q is a %s, not a drop-down list", label, f.Tag)
	}
	s.choose(f, label, option)
}

func (s Scope) choose(f found, label, option string) {
	p := s.p
	p.t.Helper()
	msg := evaluate[string](p, "choose "+option, `(function(sel, want){
		var el = document.querySelector(sel), seen = [];
		function norm(s) { return String(s || "").replace(/\s+/g, " ").trim(); }
		for (var i = 0; i < el.options.length; i++) {
			var o = el.options[i];
			seen.push(JSON.stringify(norm(o.text)));
			if (norm(o.text) === want) {
				el.focus();
				el.value = o.value;
				el.dispatchEvent(new Event("input", {bubbles: true}));
				el.dispatchEvent(new Event("change", {bubbles: true}));
				return "";
			}
		}
		return "has no option " + JSON.stringify(want) + "; it has " + seen.join(", ");
	})(`+jsString(f.sel)+`, `+jsString(option)+`)`)
	if msg != "" {
		p.fatalf("the list %q %s", label, msg)
	}
}

// Selected is the text of the chosen option of the drop-down list with that
// label.
func (s Scope) Selected(label string) string {
	s.p.t.Helper()
	f := s.find("control", label)
	return evaluate[string](s.p, "read "+label, `(function(el){return el.selectedIndex<0?"":el.options[el.selectedIndex].text.replace(/\s+/g," ").trim()})(document.querySelector(`+jsString(f.sel)+`))`)
}

// Value is what the form field with that label holds.
func (s Scope) Value(label string) string {
	s.p.t.Helper()
	f := s.find("control", label)
	return evaluate[string](s.p, "read "+label, `document.querySelector(`+jsString(f.sel)+`).value`)
}

// Tick clicks the checkbox or radio button with that label.
func (s Scope) Tick(label string) {
	s.p.t.Helper()
	f := s.find("control", label)
	if f.Type != "checkbox" && f.Type != "radio" {
		s.p.fatalf("%q is not a checkbox or radio button", label)
	}
	s.p.run("tick "+label, s.p.press(f.sel))
}

// Click presses the button or follows the link with that name, waits for
// the page it leads to, and returns that page's HTTP status.
func (s Scope) Click(name string) int {
	s.p.t.Helper()
	return s.clickAndWait(s.find("clickable", name), name)
}

// ClickCSS clicks the element matching a CSS selector and waits for the
// page it leads to.
func (s Scope) ClickCSS(css string) int {
	s.p.t.Helper()
	return s.clickAndWait(s.find("css", css), css)
}

// ClickInPlace presses the button with that name when it changes the page
// without loading another (a script's enhancement).
func (s Scope) ClickInPlace(name string) {
	s.p.t.Helper()
	s.p.run("press "+name, s.p.press(s.find("clickable", name).sel))
}

func (s Scope) clickAndWait(f found, name string) int {
	p := s.p
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, p.press(f.sel))
	if isTimeout(err) {
		p.fatalf("pressing %q loaded no page within %s", name, StepTimeout)
	}
	if err != nil {
		p.fatalf("press %q: %v", name, err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// press clicks with the mouse, or taps on a touch screen.
func (p *Page) press(sel string) chromedp.Action[chromedp.Void] {
	if p.vp.Mobile {
		return chromedp.Tap(chromedp.CSS(sel))
	}
	return chromedp.Click(chromedp.CSS(sel))
}

// Text is the text a person sees in the scope (the whole page by default),
// as the browser lays it out.
func (s Scope) Text() string {
	s.p.t.Helper()
	if s.css == "" {
		return evaluate[string](s.p, "read the page", `document.body.innerText`)
	}
	f := s.find("scope", "")
	return evaluate[string](s.p, "read "+s.css, `document.querySelector(`+jsString(f.sel)+`).innerText`)
}

// ExpectText fails unless each of want is visible in the scope.
func (s Scope) ExpectText(want ...string) {
	s.p.t.Helper()
	text := strings.Join(strings.Fields(s.Text()), " ")
	for _, w := range want {
		if !strings.Contains(text, strings.Join(strings.Fields(w), " ")) {
			s.p.fatalf("%q is not on the page, which reads: %s", w, excerpt(text))
		}
	}
}

// ExpectNoText fails if any of unwanted is visible in the scope.
func (s Scope) ExpectNoText(unwanted ...string) {
	s.p.t.Helper()
	text := strings.Join(strings.Fields(s.Text()), " ")
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			s.p.fatalf("%q should not be on the page, which reads: %s", w, excerpt(text))
		}
	}
}

// Has tells whether a button or link with that name is there.
func (s Scope) Has(name string) bool {
	s.p.t.Helper()
	f := evaluate[found](s.p, "look for "+name, s.findExpr("clickable", name, "probe"))
	return f.Error == ""
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// evaluateVoid is an action that runs JavaScript in the page for its
// effect.
func evaluateVoid(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}
