package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"rounds/internal/testdb"
	"rounds/models"
)

// Who is asking, in the authorisation matrix.
var matrixRoles = []string{"anonymous", "student", "another student", "teacher of another session", "teacher of this session", "committee"}

// Expectations per role: A allowed, D denied (401, 403, 404, or a page's
// redirect to log in), X either (the answer depends on the caller's own
// data, which other tests check).
var matrixClasses = map[string]string{
	"public":    "AAAAAA",
	"form":      "XXXXXX", // a public form whose answer depends on what is sent (log-in)
	"member":    "DXXXXX", // any member; models check their own objects
	"own":       "DXDXXX", // the student's own booking, attendance or feedback
	"teacher":   "DDDAAA", // teachers and committee, not tied to one session
	"manage":    "DDDDAA", // the session's own teachers and committee
	"committee": "DDDDDA",
	"nothing":   "DDDDDD", // unknown API paths
}

// matrix gives every route its class. A route missing here fails the test:
// a new route must say who may call it.
var matrix = map[string]string{
	"GET /": "public", "GET /healthz": "public", "GET /readyz": "public", "GET /metrics": "public",
	"GET /static/*": "public", "GET /favicon.ico": "public",
	"GET /login": "public", "POST /login": "form", "GET /register": "public", "POST /register": "public",
	"GET /forgot-password": "public", "POST /forgot-password": "public", "GET /reset-password": "public", "POST /reset-password": "public",
	"POST /api/v1/auth/register": "public", "POST /api/v1/auth/login": "public",
	"POST /api/v1/auth/password-reset": "public", "POST /api/v1/auth/password-reset/confirm": "public",
	"GET /certificates/:code": "public", "GET /calendar/:token": "public",

	"POST /logout": "member", "GET /account": "member", "POST /account": "member", "POST /account/password": "member",
	"POST /api/v1/auth/logout": "member", "GET /api/v1/me": "member", "PATCH /api/v1/me": "member", "POST /api/v1/me/password": "member",
	"GET /api/v1/me/bookings": "member", "GET /api/v1/me/calendar": "member", "POST /api/v1/me/calendar/reset": "member",
	"GET /api/v1/me/certificates": "member", "GET /api/v1/sessions": "member", "GET /api/v1/sessions/:id": "member",
	"POST /api/v1/sessions/:id/bookings": "member", "POST /api/v1/checkin": "member", "POST /api/v1/sessions/:id/checkin": "member",
	"GET /sessions": "member", "GET /sessions/:id": "member", "POST /sessions/:id/book": "member",
	"GET /my/sessions": "member", "POST /my/calendar/reset": "member", "GET /my/certificates": "member", "GET /my/feedback": "member",
	"GET /checkin": "member", "POST /checkin": "member", "GET /checkin/done": "member",

	"DELETE /api/v1/sessions/:id/bookings/me": "own", "POST /sessions/:id/cancel-booking": "own",
	"POST /api/v1/sessions/:id/apologies": "own", "POST /sessions/:id/apologies": "own",
	"GET /sessions/:id/join": "own", "POST /api/v1/sessions/:id/feedback": "own",
	"GET /sessions/:id/feedback": "own", "POST /sessions/:id/feedback": "own", "GET /sessions/:id/feedback/thanks": "member",

	"POST /api/v1/sessions": "teacher", "GET /teaching": "teacher", "GET /teaching/new": "teacher", "POST /teaching/new": "teacher",
	"POST /api/v1/me/certificates/teaching": "teacher", "POST /my/certificates/teaching": "teacher", "GET /teaching/feedback": "teacher",

	"PATCH /api/v1/sessions/:id": "manage", "POST /api/v1/sessions/:id/publish": "manage", "POST /api/v1/sessions/:id/cancel": "manage",
	"GET /api/v1/sessions/:id/bookings": "manage", "DELETE /api/v1/sessions/:id/bookings/:booking_id": "manage",
	"GET /api/v1/sessions/:id/checkin": "manage", "GET /api/v1/sessions/:id/attendance": "manage",
	"PUT /api/v1/sessions/:id/attendance/:user_id": "manage", "POST /api/v1/sessions/:id/attendance/import": "manage",
	"POST /api/v1/sessions/:id/attendance/mark-absent": "manage", "GET /api/v1/sessions/:id/feedback/summary": "manage",
	"GET /sessions/:id/edit": "manage", "POST /sessions/:id/edit": "manage", "POST /sessions/:id/publish": "manage",
	"POST /sessions/:id/cancel": "manage", "GET /sessions/:id/manage": "manage", "POST /sessions/:id/manage/book": "manage",
	"POST /sessions/:id/bookings/:booking_id/cancel": "manage",
	"GET /sessions/:id/attendance":                   "manage", "GET /sessions/:id/attendance/qr.svg": "manage",
	"GET /sessions/:id/register": "manage", "POST /sessions/:id/register/:user_id": "manage",
	"POST /sessions/:id/register/mark-absent": "manage", "POST /sessions/:id/register/import": "manage",
	"POST /sessions/:id/register/import/confirm": "manage", "GET /sessions/:id/feedback/summary": "manage",

	"GET /api/v1/users": "committee", "PATCH /api/v1/users/:id": "committee", "GET /api/v1/admin/outbox": "committee",
	"GET /api/v1/sessions/:id/attendance/audit": "committee", "GET /sessions/:id/register/audit": "committee",
	"GET /committee/members": "committee", "POST /committee/members/:id": "committee", "GET /committee/outbox": "committee",
	"GET /api/v1/stats/attendance": "committee", "GET /api/v1/stats/attendance.csv": "committee",
	"GET /api/v1/stats/attendance/records.csv": "committee", "GET /committee/dashboard": "committee",
	"GET /committee/dashboard/:file": "committee", "GET /committee/academic-year": "committee",
	"POST /committee/academic-year": "committee", "GET /api/v1/admin/academic-year": "committee",
	"POST /api/v1/admin/academic-year/rollover": "committee",
}

// matrixFixture is a society in which every role of the matrix exists.
type matrixFixture struct {
	a        *app
	session  int64
	booking  int64
	student  models.User
	tokens   map[string]string
	browsers map[string]*browser
	calendar string
	cert     string
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	a := newApp(t, testdb.SQLite(t), nil)
	f := &matrixFixture{a: a, tokens: map[string]string{}, browsers: map[string]*browser{}}
	emails := map[string]string{"student": "student@example.ac.uk", "another student": "another@example.ac.uk",
		"teacher of another session": "other.teacher@example.ac.uk", "teacher of this session": "teacher@example.ac.uk", "committee": "chair@example.ac.uk"}
	roles := map[string]string{"student": models.RoleStudent, "another student": models.RoleStudent, "teacher of another session": models.RoleTeacher,
		"teacher of this session": models.RoleTeacher, "committee": models.RoleCommittee}
	for who, email := range emails {
		u, tok := a.user(email, roles[who], intp(2))
		f.tokens[who] = tok
		if who == "student" {
			f.student = u
		}
		b := a.browser()
		b.login(email, "correct horse battery")
		f.browsers[who] = b
	}
	f.browsers["anonymous"] = a.browser()
	start := a.clock.Now().Add(48 * time.Hour)
	mk := func(who string) int64 {
		res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), f.tokens[who])
		id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, f.tokens[who])
		return id
	}
	f.session = mk("teacher of this session")
	mk("teacher of another session")
	res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", f.session), map[string]string{"mode": "online"}, f.tokens["student"])
	f.booking = int64(res.json(t)["booking"].(map[string]any)["id"].(float64))
	feed := a.api("GET", "/api/v1/me/calendar", nil, f.tokens["student"]).json(t)["url"].(string)
	f.calendar = feed[strings.LastIndex(feed, "/")+1:]
	// A certificate to verify: an earlier session the student attended.
	c, err := models.IssueTeachingCertificate(a.db, mustUser(t, a, "teacher@example.ac.uk"), start.AddDate(-1, 0, 0), start, 3, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.cert = c.Code
	return f
}

func (f *matrixFixture) path(route string) string {
	r := strings.NewReplacer(":id", fmt.Sprint(f.session), ":booking_id", fmt.Sprint(f.booking), ":user_id", fmt.Sprint(f.student.ID),
		":token", f.calendar, ":code", f.cert, ":file", "by-year.csv", "*", "style.css")
	p := r.Replace(route)
	if strings.HasPrefix(route, "/api/*") {
		p = "/api/v1/no-such-thing"
	}
	return p
}

// call makes the request as who would: a bearer token for the API, a
// logged-in browser (with its CSRF token) for pages.
func (f *matrixFixture) call(t *testing.T, who, method, path string) response {
	t.Helper()
	if strings.HasPrefix(path, "/api/") {
		var body any
		if method != http.MethodGet && method != http.MethodDelete && method != http.MethodHead {
			body = "{}"
		}
		return f.a.api(method, path, body, f.tokens[who])
	}
	b := f.browsers[who]
	if method == http.MethodGet {
		return b.get(path)
	}
	from := "/login"
	if who != "anonymous" {
		from = "/account"
	}
	return b.post(from, path, url.Values{})
}

func denied(r response) bool {
	// Pages answer a refused form with a redirect and an error message.
	for _, c := range r.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "rounds_flash=error") {
			return true
		}
	}
	switch r.Status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusSeeOther, http.StatusFound:
		return strings.HasPrefix(r.Header.Get("Location"), "/login")
	}
	return false
}

func allowed(r response) bool {
	return r.Status < 500 && r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden &&
		!(r.Status == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login"))
}

// TestAuthorisationMatrix calls every route of the route table as each kind
// of caller and checks who gets in.
func TestAuthorisationMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("calls every route as every role")
	}
	probe := newApp(t, testdb.SQLite(t), nil)
	seen := map[string]bool{}
	var routes []string
	for _, r := range probe.e.Routes() {
		key := r.Method + " " + r.Path
		if strings.HasPrefix(r.Path, "/api/*") {
			key = "ANY /api/*"
			if r.Method != http.MethodGet && r.Method != http.MethodPost {
				continue
			}
			key = r.Method + " /api/*"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		routes = append(routes, key)
	}
	sort.Strings(routes)
	var shared *matrixFixture // read-only routes share a society
	for _, key := range routes {
		class, ok := matrix[key]
		if strings.HasSuffix(key, " /api/*") {
			class, ok = "nothing", true
		}
		if !ok {
			t.Errorf("%s: no entry in the authorisation matrix", key)
			continue
		}
		method, route, _ := strings.Cut(key, " ")
		f := shared
		if method != http.MethodGet || f == nil {
			f = newMatrixFixture(t)
			if method == http.MethodGet {
				shared = f
			}
		}
		want := matrixClasses[class]
		// Denied callers first, so an allowed call's change cannot help them.
		order := []int{0, 1, 2, 3, 4, 5}
		sort.SliceStable(order, func(i, j int) bool { return want[order[i]] == 'D' && want[order[j]] != 'D' })
		for _, i := range order {
			who := matrixRoles[i]
			res := f.call(t, who, method, f.path(route))
			switch want[i] {
			case 'A':
				if !allowed(res) {
					t.Errorf("%s as %s: %d (to %q), want allowed", key, who, res.Status, res.Header.Get("Location"))
				}
			case 'D':
				if !denied(res) {
					t.Errorf("%s as %s: %d, want refused", key, who, res.Status)
				}
			default:
				if res.Status >= 500 || (who != "anonymous" && res.Status == http.StatusUnauthorized && class != "form") {
					t.Errorf("%s as %s: %d", key, who, res.Status)
				}
			}
		}
	}
}
