package journeys

// Helpers shared by the session, student, teacher and committee journeys:
// what a person does that the harness has no word for (using the keyboard
// alone, choosing a file, setting a date field, saving a link), the e-mail
// the scheduled jobs would send, and the database set-up that is not the
// journey's subject (sessions published by someone else, other students'
// bookings and feedback).

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"rounds/internal/mail"
	"rounds/jobs"
	"rounds/models"
)

// ---- time ------------------------------------------------------------------

// society is the society's time zone.
func society(site *Site) *time.Location {
	if site.Config.Location != nil {
		return site.Config.Location
	}
	return time.UTC
}

// slot is a session's time: days after the site's today, at hour:minute in
// the society's time zone, for length.
func slot(site *Site, days, hour, minute int, length time.Duration) (start, end time.Time) {
	loc := society(site)
	now := site.Clock.Now().In(loc)
	start = time.Date(now.Year(), now.Month(), now.Day()+days, hour, minute, 0, 0, loc)
	return start.UTC(), start.Add(length).UTC()
}

// inputTime is how a datetime-local field holds t: the society's wall time.
func inputTime(site *Site, t time.Time) string {
	return t.In(society(site)).Format("2006-01-02T15:04")
}

// ---- database set-up -------------------------------------------------------

// sessionSeed is a session made directly in the database, for the parts of
// a journey that are about something else.
type sessionSeed struct {
	Title, Topic, Venue string
	Format              models.Format
	Mode                models.Mode
	Years               []int
	Seats, OnlinePlaces int
	Start, End          time.Time
	Teachers            []int64 // the creator when empty
}

// seedSession creates the session as actor (a teacher, or committee for a
// past one) and publishes it.
func seedSession(t *testing.T, site *Site, actor models.User, in sessionSeed) models.Session {
	t.Helper()
	if in.Format == "" {
		in.Format = models.FormatSmallGroup
	}
	if in.Mode == "" {
		in.Mode = models.ModeInPerson
	}
	desc := "Cases and questions; bring your notes."
	si := models.SessionInput{Title: &in.Title, Description: &desc, Topic: &in.Topic, Format: &in.Format,
		YearGroups: &in.Years, Mode: &in.Mode, Venue: &in.Venue, InPersonCapacity: &in.Seats,
		StartsAt: &in.Start, EndsAt: &in.End}
	if len(in.Teachers) > 0 {
		si.TeacherIDs = &in.Teachers
	}
	if in.Mode != models.ModeInPerson {
		link := "https://teams.example/meet/" + strings.ToLower(strings.ReplaceAll(in.Title, " ", "-"))
		si.OnlineURL, si.OnlineCapacity = &link, &in.OnlinePlaces
	}
	now := site.Clock.Now()
	s, err := models.CreateSession(t.Context(), site.DB, actor, si, now)
	if err != nil {
		t.Fatalf("create session %q: %v", in.Title, err)
	}
	if s, err = models.PublishSession(t.Context(), site.DB, actor, s.ID, now); err != nil {
		t.Fatalf("publish session %q: %v", in.Title, err)
	}
	return s
}

// seedBooking books a place for student, by actor (the student, or the
// session's teacher or committee on their behalf).
func seedBooking(t *testing.T, site *Site, actor models.User, sessionID int64, student models.User, mode models.Mode) models.Booking {
	t.Helper()
	b, err := models.BookSeat(t.Context(), site.DB, actor, sessionID, models.BookInput{Mode: mode, UserID: student.ID}, site.Clock.Now())
	if err != nil {
		t.Fatalf("book %s on session %d: %v", student.Name, sessionID, err)
	}
	return b
}

// seedRegister marks a student on the register, as the session's teacher.
func seedRegister(t *testing.T, site *Site, teacher models.User, sessionID int64, student models.User, status models.AttendanceStatus) {
	t.Helper()
	if _, err := models.MarkRegister(t.Context(), site.DB, teacher, sessionID, student.ID, models.RegisterEntry{Status: status}, site.Clock.Now()); err != nil {
		t.Fatalf("mark %s %s on session %d: %v", student.Name, status, sessionID, err)
	}
}

// seedFeedback stores a student's feedback, as the form would.
func seedFeedback(t *testing.T, site *Site, student models.User, sessionID int64, overall, teaching, before, after int, wentWell, improve string, benefits ...models.Benefit) {
	t.Helper()
	in := models.FeedbackInput{Overall: overall, Teaching: teaching, ConfidenceBefore: before, ConfidenceAfter: after,
		Benefits: benefits, WentWell: wentWell, Improve: improve}
	if _, _, err := models.SubmitFeedback(t.Context(), site.DB, student, sessionID, in, site.Clock.Now()); err != nil {
		t.Fatalf("feedback of %s on session %d: %v", student.Name, sessionID, err)
	}
}

// ---- e-mail ------------------------------------------------------------------

// deliverMail runs the two e-mail jobs once at the site's clock, as the
// scheduler would (the harness runs no scheduler): planning the reminders
// into the outbox, then delivering the outbox, here into a postbox kept by
// the test instead of an SMTP server. It returns what was sent.
func deliverMail(t *testing.T, site *Site) []mail.Message {
	t.Helper()
	var (
		mu   sync.Mutex
		sent []mail.Message
	)
	postbox := mail.SenderFunc(func(_ context.Context, m mail.Message) error {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, m)
		return nil
	})
	r, err := jobs.New(site.DB, site.Config, site.Clock, nil, jobs.WithSender(postbox), jobs.WithOwner("e2e-"+t.Name()))
	if err != nil {
		t.Fatalf("e2e: jobs: %v", err)
	}
	defer func() { _ = r.Shutdown() }()
	ctx, cancel := context.WithTimeout(context.Background(), StepTimeout)
	defer cancel()
	if err := r.PlanReminders(ctx); err != nil {
		t.Fatalf("e2e: plan reminders: %v", err)
	}
	if err := r.DeliverOutbox(ctx); err != nil {
		t.Fatalf("e2e: deliver the outbox: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return sent
}

// mailOf is the one e-mail of the kind sent to the address.
func mailOf(t *testing.T, sent []mail.Message, kind models.MailKind, to string) mail.Message {
	t.Helper()
	var found []mail.Message
	var seen []string
	for _, m := range sent {
		seen = append(seen, m.Headers[mail.HeaderKind]+" to "+m.To)
		if m.Headers[mail.HeaderKind] == string(kind) && strings.EqualFold(m.To, to) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s e-mails to %s were sent, want 1; sent: %s", len(found), kind, to, strings.Join(seen, ", "))
	}
	return found[0]
}

// linkIn is the one address of the site in an e-mail's text that matches
// the pattern (a regular expression for the path).
func linkIn(t *testing.T, site *Site, m mail.Message, path string) string {
	t.Helper()
	links := regexp.MustCompile(regexp.QuoteMeta(site.URL)+path).FindAllString(m.Text, -1)
	if len(links) == 0 {
		t.Fatalf("the e-mail %q has no link matching %s:\n%s", m.Subject, path, m.Text)
	}
	return links[0]
}

// ---- forms -------------------------------------------------------------------

// setValue puts value into the date, time or datetime-local field with that
// label. Typing into these fields depends on the browser's locale (the
// parts of a date are separate boxes), so the value is set as the browser's
// own date picker sets it, with the input and change events a person's
// choice fires.
func setValue(s Scope, label, value string) {
	s.p.t.Helper()
	f := s.find("control", label)
	got := evaluate[string](s.p, "set "+label, `(function(el, v){
		el.focus();
		el.value = v;
		el.dispatchEvent(new Event("input", {bubbles: true}));
		el.dispatchEvent(new Event("change", {bubbles: true}));
		return el.value;
	})(document.querySelector(`+jsString(f.sel)+`), `+jsString(value)+`)`)
	if got != value {
		s.p.fatalf("the field %q refused %q (it holds %q)", label, value, got)
	}
}

// chooseFile picks a file in the file field with that label, as the file
// chooser does.
func chooseFile(s Scope, label, path string) {
	s.p.t.Helper()
	f := s.find("control", label)
	if f.Type != "file" {
		s.p.fatalf("%q is not a file field", label)
	}
	s.p.run("choose "+path, chromedp.SetUploadFiles(chromedp.CSS(f.sel), []string{path}))
}

// linkHref is the address the link with that name leads to, in full.
func linkHref(s Scope, name string) string {
	s.p.t.Helper()
	f := s.find("clickable", name)
	return evaluate[string](s.p, "read the link "+name, `document.querySelector(`+jsString(f.sel)+`).href`)
}

// ---- the keyboard ------------------------------------------------------------

// focusState is what has the keyboard focus and whether it is shown.
type focusState struct {
	Target  bool   `json:"target"`  // the element looked for has the focus
	Visible bool   `json:"visible"` // an outline or ring shows where the focus is
	What    string `json:"what"`
}

// focusJS reads the focus: an outline or a box-shadow on the focused
// element, or on the label that wraps a control styled through it.
// (Chromium's own ring on a date field's calendar button is taken as seen.)
const focusJS = `(function(sel){
	var el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) {
		return {target: false, visible: true, what: "nothing"};
	}
	function shows(e) {
		var cs = getComputedStyle(e);
		return (cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== "none");
	}
	var visible = shows(el);
	// Tab also stops on the calendar button inside a date field, where the
	// field itself no longer matches :focus and the browser rings the button.
	if (!visible && /^(date|datetime-local|time|month|week)$/.test(el.type) && !el.matches(":focus")) { visible = true; }
	for (var a = el.parentElement; !visible && a && a.tagName === "LABEL"; a = a.parentElement) { visible = shows(a); }
	var name = (el.innerText || el.value || el.getAttribute("aria-label") || "").replace(/\s+/g, " ").trim().slice(0, 60);
	return {target: !!sel && el === document.querySelector(sel), visible: visible,
		what: "<" + el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.type ? " type=" + el.type : "") + "> " + JSON.stringify(name)};
})`

// focus reads where the focus is; sel marks the element looked for.
func focus(p *Page, sel string) focusState {
	p.t.Helper()
	return evaluate[focusState](p, "read the focus", focusJS+"("+jsString(sel)+")")
}

// keyboard drives a page with the keyboard alone and checks, at every stop
// of the Tab key, that the focus can be seen.
type keyboard struct {
	p      *Page
	hidden map[string]bool // focus stops without a visible focus, reported once each
}

func keyboardOf(p *Page) *keyboard { return &keyboard{p: p, hidden: map[string]bool{}} }

// press sends one key (kb.Tab, kb.Enter, " ") to whatever has the focus.
func (k *keyboard) press(key string) {
	k.p.t.Helper()
	k.p.run("press "+keyName(key), chromedp.KeyEvent(key))
}

// pressAndWait sends a key that leads to another page (Enter on a link or
// a button) and returns that page's HTTP status.
func (k *keyboard) pressAndWait(key string) int {
	p := k.p
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(key))
	if err != nil {
		p.fatalf("pressing %s loaded no page: %v", keyName(key), err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// tabTo presses Tab until the control (kind "control") or the button or
// link (kind "clickable") with that name has the focus, as someone who
// cannot use a mouse moves through a page, checking at each stop that the
// focus is visible.
func (k *keyboard) tabTo(s Scope, kind, name string) {
	p := k.p
	p.t.Helper()
	const most = 60
	f := s.find(kind, name)
	for i := 0; i < most; i++ {
		k.press(kb.Tab)
		st := focus(p, f.sel)
		k.check(st)
		if st.Target {
			return
		}
	}
	p.fatalf("after %d presses of Tab, %q never had the focus", most, name)
}

// check reports a focus stop that does not show the focus.
func (k *keyboard) check(st focusState) {
	k.p.t.Helper()
	if !st.Visible && !k.hidden[st.What] {
		k.hidden[st.What] = true
		k.p.t.Errorf("%s's page %s: the keyboard focus on %s cannot be seen (no outline or ring)", k.p.actor, k.p.where(), st.What)
	}
}

// typeText types text into the focused field, key by key.
func (k *keyboard) typeText(text string) {
	k.p.t.Helper()
	k.p.run("type "+text, chromedp.KeyEvent(text))
}

func keyName(key string) string {
	switch key {
	case kb.Tab:
		return "Tab"
	case kb.Enter:
		return "Enter"
	case " ":
		return "Space"
	}
	return fmt.Sprintf("%q", key)
}

// ---- downloads ---------------------------------------------------------------

// download fetches an address of the site as the person on the page would
// when they follow a download link: with the page's cookies, and without
// following a redirect (a log-in page is not the file asked for).
func download(p *Page, href string) (*http.Response, []byte) {
	p.t.Helper()
	var cookies []*network.Cookie
	p.run("read the cookies", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		r, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{p.b.site.URL}})
		cookies = r.Cookies
		return err
	}))
	req, err := http.NewRequest(http.MethodGet, href, nil)
	if err != nil {
		p.fatalf("download %s: %v", href, err)
	}
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	return fetch(p.t, req)
}

// fetchURL is a plain GET, as a calendar program or a PDF viewer makes.
func fetchURL(t testing.TB, href string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, href, nil)
	if err != nil {
		t.Fatalf("fetch %s: %v", href, err)
	}
	return fetch(t, req)
}

func fetch(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	client := &http.Client{Timeout: StepTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("fetch %s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("fetch %s: %v", req.URL, err)
	}
	return resp, body
}

// unfold joins an iCalendar file's folded lines.
func unfold(ics []byte) string {
	s := strings.ReplaceAll(string(ics), "\r\n", "\n")
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n ", ""), "\n\t", "")
}

// firstLine is a text file's first line, without a byte-order mark.
func firstLine(b []byte) string {
	s := strings.TrimPrefix(string(b), "\ufeff")
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// ---- meeting reports -----------------------------------------------------------

// teamsParticipant is one line of a Teams attendance report.
type teamsParticipant struct {
	Name, Email, Role string
	Join              time.Duration // after the meeting started
	Stay              time.Duration
}

// teamsReport writes a Teams attendance report as Teams downloads it with a
// UK locale: UTF-16LE with a byte-order mark, tab-separated, CRLF, in three
// sections (summary, participants with their totals, each join).
func teamsReport(title string, start, end time.Time, loc *time.Location, people []teamsParticipant) []byte {
	stamp := func(t time.Time) string { return t.In(loc).Format("02/01/2006, 15:04:05") }
	span := func(d time.Duration) string {
		d = d.Round(time.Second)
		h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
		switch {
		case h > 0:
			return fmt.Sprintf("%dh %dm %ds", h, m, s)
		case m > 0:
			return fmt.Sprintf("%dm %ds", m, s)
		}
		return fmt.Sprintf("%ds", s)
	}
	var total time.Duration
	for _, p := range people {
		total += p.Stay
	}
	var rows [][]string
	add := func(cells ...string) { rows = append(rows, cells) }
	add("1. Summary")
	add("Meeting title", title)
	add("Attended participants", fmt.Sprint(len(people)))
	add("Start time", stamp(start))
	add("End time", stamp(end))
	add("Meeting duration", span(end.Sub(start)))
	add("Average attendance time", span(total/time.Duration(max(len(people), 1))))
	add("")
	add("2. Participants")
	add("Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role")
	for _, p := range people {
		upn := strings.ToLower(p.Email)
		add(p.Name, stamp(start.Add(p.Join)), stamp(start.Add(p.Join+p.Stay)), span(p.Stay), p.Email, upn, p.Role)
	}
	add("")
	add("3. In-Meeting Activities")
	add("Name", "Join Time", "Leave Time", "Duration", "Email", "Role")
	for _, p := range people {
		add(p.Name, stamp(start.Add(p.Join)), stamp(start.Add(p.Join+p.Stay)), span(p.Stay), p.Email, p.Role)
	}
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, "\t"))
		text.WriteString("\r\n")
	}
	var out bytes.Buffer
	out.Write(binary.LittleEndian.AppendUint16(nil, 0xFEFF))
	for _, c := range utf16.Encode([]rune(text.String())) {
		out.Write(binary.LittleEndian.AppendUint16(nil, c))
	}
	return out.Bytes()
}

// waitUntil reads a part of a page until it contains want, as a person
// watches a screen that updates itself.
func waitUntil(t *testing.T, scope Scope, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		text := strings.Join(strings.Fields(scope.Text()), " ")
		if strings.Contains(text, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s the screen still reads %q, not %q", d, text, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// ---- the API -------------------------------------------------------------------

// apiCheckIn checks a student in with a code through the JSON API, as the
// student's own phone would, for the parts of a journey that watch the
// teacher's side.
func apiCheckIn(t *testing.T, site *Site, email, password, code string) {
	t.Helper()
	var login struct {
		Token string `json:"token"`
	}
	apiPost(t, site, "", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &login)
	apiPost(t, site, login.Token, "/api/v1/checkin", map[string]string{"code": code}, nil)
}

func apiPost(t *testing.T, site *Site, token, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, site.URL+path, bytes.NewReader(b))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, data := fetch(t, req)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("POST %s answered %d: %s", path, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
	}
}
