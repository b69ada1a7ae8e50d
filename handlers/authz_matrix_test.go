package handlers_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// Who is asking, in the authorisation matrix. "student" has a confirmed
// online booking on the fixture's session; "teacher of this session" created
// and teaches it.
var matrixRoles = []string{"anonymous", "student", "another student", "teacher of another session", "teacher of this session", "committee"}

// What each caller gets, one letter per caller of matrixRoles:
//
//	A  allowed: the route's answer in matrixAnswers (by default 200 for GET,
//	   204 for DELETE; every other method must say)
//	L  not logged in: 401 from the API; from a page a 303 to /login?next=…
//	F  forbidden: 403, for a caller who may know the thing exists
//	N  not found: 404, for a caller who may not know it exists
//	R  refused by a form: a 303 back to where the route's answer goes, with
//	   an error flash (pages only)
//
// Routes about one session (/sessions/:id…) are called twice: on the
// fixture's published session, which every member sees, and on a draft,
// which only its teachers and committee see. Everyone else must get from the
// draft what they would get for a session that does not exist: 404, or the
// 403 that their role gets for any session.
type access struct{ published, draft string }

var matrixClasses = map[string]access{
	"public":    {"AAAAAA", ""},
	"member":    {"LAAAAA", "LNNNAA"}, // any member; models check their own objects
	"own":       {"LANNNN", "LNNNNN"}, // the student's own booking: nobody else has one
	"teacher":   {"LFFAAA", ""},       // teachers and committee, not tied to one session
	"manage":    {"LFFFAA", "LFFNAA"}, // the session's own teachers and committee; a student's role is refused first
	"committee": {"LFFFFA", "LFFFFA"},
	"nothing":   {"NNNNNN", ""}, // unknown API paths: 404 for anyone, logged in or not

	// Odd ones out. What students do at a session (check in, join, give
	// feedback) has no draft to do it at: 404 for anyone.
	"checkin":       {"LAAAAA", "LNNNNN"}, // anyone present, booked or not
	"join":          {"LAFFFF", "LNNNNN"}, // a confirmed online booking
	"feedback":      {"LFFFFF", "LNNNNN"}, // from students who attended: nobody has yet (403 did_not_attend)
	"feedback page": {"LFFFFF", "LNNNFF"}, // the pages tell the draft's managers they did not attend
	"apologies":     {"LARRRR", "LRRRRR"}, // the page sends anyone without a booking back with a message
	// Booking: API.md answers 422 "not published" for a draft, whoever asks
	// (matrixDraftAnswers), although the draft itself is not shown to them.
	"book": {"LAAAAA", "LAAAAA"},
	// A material for students with a place: the student has one; others
	// see the session but not the file.
	"material": {"LAFFAA", ""},
	// A session's page: a published session has a public page for anyone;
	// a draft is not found but by its teachers and committee.
	"session page": {"AAAAAA", "NNNNAA"},
}

// The routes of public pages, calendar links and the session list's cards.
func init() {
	matrix["GET /my/calendar"] = "member"
}

// Passkeys: the matrix's :id is no passkey of anyone's, so removing it is
// not found; an empty name is refused before it is looked for.
func init() {
	for route, class := range map[string]string{
		"POST /api/v1/auth/passkeys/login/begin": "public", "POST /api/v1/auth/passkeys/login/finish": "public",
		"POST /api/v1/me/passkeys/register/begin": "member", "POST /api/v1/me/passkeys/register/finish": "member",
		"GET /api/v1/me/passkeys": "member", "PATCH /api/v1/me/passkeys/:id": "member", "DELETE /api/v1/me/passkeys/:id": "member",
		"POST /account/passkeys/:id/rename": "member", "POST /account/passkeys/:id/delete": "member",
	} {
		matrix[route] = class
	}
	for route, answers := range map[string][]string{
		"POST /api/v1/auth/passkeys/login/begin":   {"200"},
		"POST /api/v1/auth/passkeys/login/finish":  {"422"}, // no credential
		"POST /api/v1/me/passkeys/register/begin":  {"200"},
		"POST /api/v1/me/passkeys/register/finish": {"422"},
		"PATCH /api/v1/me/passkeys/:id":            {"422"},
		"DELETE /api/v1/me/passkeys/:id":           {"404"},
		"POST /account/passkeys/:id/rename":        {"422"},
		"POST /account/passkeys/:id/delete":        {"404"},
	} {
		matrixAnswers[route] = answers
	}
}

// A member's copy of their own data: asked for by members only; the
// matrix's token is no export's, so the link is not found for anyone.
func init() {
	matrix["POST /api/v1/me/export"] = "member"
	matrix["POST /account/export"] = "member"
	matrix["GET /me/export/:token"] = "member"
	matrixAnswers["POST /api/v1/me/export"] = []string{"202"}
	matrixAnswers["POST /account/export"] = []string{"303 /account#data success"}
	matrixAnswers["GET /me/export/:token"] = []string{"404"}
}

// matrix gives every route its class. A route missing here fails the test:
// a new route must say who may call it.
var matrix = map[string]string{
	"GET /": "public", "GET /healthz": "public", "GET /readyz": "public", "GET /metrics": "public", // the test calls from loopback
	"GET /static/*": "public", "GET /favicon.ico": "public",
	"GET /login": "public", "POST /login": "public", "GET /register": "public", "POST /register": "public",
	"GET /forgot-password": "public", "POST /forgot-password": "public", "GET /reset-password": "public", "POST /reset-password": "public",
	"POST /api/v1/auth/register": "public", "POST /api/v1/auth/login": "public",
	"POST /api/v1/auth/password-reset": "public", "POST /api/v1/auth/password-reset/confirm": "public",
	"GET /certificates/:code": "public", "GET /calendar/:token": "public",

	"POST /logout": "member", "GET /account": "member", "POST /account": "member", "POST /account/password": "member",
	"POST /api/v1/auth/logout": "member", "GET /api/v1/me": "member", "PATCH /api/v1/me": "member", "POST /api/v1/me/password": "member",
	"GET /api/v1/me/bookings": "member", "GET /api/v1/me/calendar": "member", "POST /api/v1/me/calendar/reset": "member",
	"GET /api/v1/me/certificates": "member", "GET /api/v1/sessions": "member", "GET /api/v1/sessions/:id": "member",
	"POST /api/v1/sessions/:id/bookings": "book", "POST /api/v1/checkin": "member", "POST /api/v1/sessions/:id/checkin": "checkin",
	"GET /sessions": "member", "GET /sessions/:id": "session page", "POST /sessions/:id/book": "book",
	"GET /my/sessions": "member", "POST /my/calendar/reset": "member", "GET /my/certificates": "member", "GET /my/feedback": "member",
	"GET /checkin": "member", "POST /checkin": "member", "GET /checkin/done": "member", "GET /sessions/:id/feedback/thanks": "member",

	"DELETE /api/v1/sessions/:id/bookings/me": "own", "POST /sessions/:id/cancel-booking": "own",
	"POST /api/v1/sessions/:id/apologies": "own", "POST /sessions/:id/apologies": "apologies", "GET /sessions/:id/join": "join",
	"POST /api/v1/sessions/:id/feedback": "feedback", "GET /sessions/:id/feedback": "feedback page", "POST /sessions/:id/feedback": "feedback page",

	"POST /api/v1/sessions": "teacher", "GET /teaching": "teacher", "GET /teaching/new": "teacher", "POST /teaching/new": "teacher",
	"POST /api/v1/me/certificates/teaching": "teacher", "POST /my/certificates/teaching": "teacher", "GET /teaching/feedback": "teacher",

	"PATCH /api/v1/sessions/:id": "manage", "POST /api/v1/sessions/:id/publish": "manage", "POST /api/v1/sessions/:id/cancel": "manage",
	"GET /api/v1/sessions/:id/bookings": "manage", "DELETE /api/v1/sessions/:id/bookings/:booking_id": "manage",
	"GET /api/v1/sessions/:id/checkin": "manage", "GET /api/v1/sessions/:id/attendance": "manage",
	"PUT /api/v1/sessions/:id/attendance/:user_id": "manage", "POST /api/v1/sessions/:id/attendance/import": "manage",
	"POST /api/v1/sessions/:id/attendance/mark-absent": "manage", "GET /api/v1/sessions/:id/feedback/summary": "manage",
	"GET /sessions/:id/edit": "manage", "POST /sessions/:id/edit": "manage", "POST /sessions/:id/publish": "manage",
	"POST /sessions/:id/cancel": "manage", "GET /sessions/:id/manage": "manage", "POST /sessions/:id/manage/book": "manage",
	"POST /sessions/:id/bookings/:booking_id/cancel": "manage", "GET /sessions/:id/attendance": "manage",
	"GET /sessions/:id/attendance/qr.svg": "manage", "GET /sessions/:id/register": "manage", "POST /sessions/:id/register/:user_id": "manage",
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

	// Confirming a sign-up's address: the link's page for anyone, sending
	// it again for the member.
	"GET /confirm-email": "public", "POST /confirm-email": "public", "POST /api/v1/auth/confirm-email": "public",
	"POST /confirm-email/resend": "member", "POST /api/v1/auth/confirm-email/resend": "member",

	"GET /api/*": "nothing", "POST /api/*": "nothing",

	// Series (the fixture's is published, by the teacher of this session),
	// copies of a session, and materials.
	"POST /api/v1/series": "teacher", "GET /teaching/series/new": "teacher", "POST /teaching/series/new": "teacher",
	"GET /api/v1/series/:id": "member", "GET /series/:id": "member",
	"POST /api/v1/series/:id/publish": "manage", "POST /series/:id/publish": "manage",
	"POST /api/v1/series/:id/bookings": "book", "POST /series/:id/book": "book",
	"POST /api/v1/sessions/:id/duplicate": "manage", "POST /sessions/:id/duplicate": "manage",
	"POST /api/v1/sessions/:id/materials": "manage", "POST /sessions/:id/materials": "manage",
	"GET /api/v1/sessions/:id/materials": "member", "GET /materials/:id": "material",
	"DELETE /api/v1/materials/:id": "manage", "POST /sessions/:id/materials/:material_id/delete": "manage",
	// E-mail choices, and the signed one-click link (the matrix's token is
	// not one: refused).
	"POST /account/email": "member", "GET /api/v1/me/mail-preferences": "member", "PUT /api/v1/me/mail-preferences": "member",
	"GET /unsubscribe/:token": "public", "POST /unsubscribe/:token": "public",

	// Committee's members: the CSV, one member's page, bulk role changes.
	"GET /committee/members.csv": "committee", "GET /committee/members/:id": "committee",
	"POST /committee/members/roles": "committee", "POST /committee/members/roles/confirm": "committee",
	"GET /committee/members/roles":            "committee",
	"GET /sessions/:id/register/import/:plan": "manage", "POST /sessions/:id/register/save": "manage",
	"GET /sessions/:id/attendance/projector": "manage",
	// Privacy: the public page, committee's edits of it and the audit log.
	"GET /privacy": "public", "GET /committee/privacy": "committee", "POST /committee/privacy": "committee",
	"GET /committee/audit": "committee", "GET /api/v1/admin/audit": "committee",
	// A member's data: erasure of one's own account, the signed link that
	// calls it off (the matrix's token is not one), committee's list.
	"GET /account/delete": "member", "POST /account/delete": "member", "POST /account/delete/cancel": "member",
	"DELETE /api/v1/me": "member", "POST /api/v1/me/erasure/cancel": "member",
	"GET /erasure/cancel/:token": "public", "POST /erasure/cancel/:token": "public",
	"GET /committee/requests": "committee", "GET /api/v1/admin/data-requests": "committee",
}

// matrixAnswers is what an allowed caller gets where that is not 200 (GET)
// or 204 (DELETE): one answer for every allowed caller, or one per caller of
// matrixRoles. The matrix sends what a careless client would: an empty JSON
// object to the API, an empty form (with its CSRF token) to pages. An answer
// is "code[|code…] [where [flash]]": where a redirect goes (":id" is the
// session called; a trailing * matches any rest) and the kind of flash
// message it leaves.
var matrixAnswers = map[string][]string{
	"GET /favicon.ico":                  {"301 /static/icon.svg?v=*"},
	"GET /login":                        {"200", "303 /", "303 /", "303 /", "303 /", "303 /"}, // members are logged in already
	"GET /reset-password":               {"422"},                                              // no token: the link is not valid
	"GET /checkin/done":                 {"303 /checkin"},                                     // nothing checked in
	"GET /sessions/:id/feedback/thanks": {"303 /sessions/:id/feedback"},                       // nothing given
	"GET /sessions/:id/join":            {"303 https://teams.example/meet/ecg"},

	"POST /account/email":             {"303 /account* success"},
	"PUT /api/v1/me/mail-preferences": {"422"},
	"GET /unsubscribe/:token":         {"400"},
	"POST /unsubscribe/:token":        {"400"},

	"POST /committee/members/roles":         {"303 /committee/members* error"}, // nobody ticked
	"GET /committee/members/roles":          {"303 /committee/members* error"},
	"POST /committee/members/roles/confirm": {"303 /committee/members* error"},

	// The API: an empty object is invalid where fields are needed.
	"POST /api/v1/auth/register":                       {"422"},
	"POST /api/v1/auth/login":                          {"422"},
	"POST /api/v1/auth/password-reset":                 {"422"},
	"POST /api/v1/auth/password-reset/confirm":         {"422"},
	"POST /api/v1/auth/logout":                         {"204"},
	"PATCH /api/v1/me":                                 {"200"},
	"POST /api/v1/me/password":                         {"422"},
	"POST /api/v1/me/calendar/reset":                   {"200"},
	"POST /api/v1/me/certificates/teaching":            {"201"},
	"POST /api/v1/checkin":                             {"422"},
	"POST /api/v1/sessions":                            {"422"},
	"PATCH /api/v1/sessions/:id":                       {"200"},
	"POST /api/v1/sessions/:id/publish":                {"200"},
	"POST /api/v1/sessions/:id/cancel":                 {"200"}, // the rules need no reason
	"POST /api/v1/sessions/:id/bookings":               {"422"}, // a hybrid session: which mode?
	"POST /api/v1/sessions/:id/checkin":                {"422"}, // not open yet
	"POST /api/v1/sessions/:id/apologies":              {"200"},
	"PUT /api/v1/sessions/:id/attendance/:user_id":     {"422"},
	"POST /api/v1/sessions/:id/attendance/import":      {"422"}, // no file
	"POST /api/v1/sessions/:id/attendance/mark-absent": {"422"}, // not ended yet
	"PATCH /api/v1/users/:id":                          {"200"},
	"POST /api/v1/admin/academic-year/rollover":        {"422"}, // which academic year? (confirm)
	// No token: the link is not valid. Members here are confirmed already.
	"GET /confirm-email":                     {"422"},
	"POST /confirm-email":                    {"422"},
	"POST /api/v1/auth/confirm-email":        {"422"},
	"POST /confirm-email/resend":             {"303 / success"},
	"POST /api/v1/auth/confirm-email/resend": {"200"},

	// Pages: an invalid form is shown again (422), or the page it came from
	// shows why.
	"POST /login":                                    {"401"}, // wrong (here no) credentials: the form again
	"POST /register":                                 {"422"},
	"POST /forgot-password":                          {"422"},
	"POST /reset-password":                           {"422"},
	"POST /logout":                                   {"303 /login success"},
	"POST /account":                                  {"422"},
	"POST /account/password":                         {"422"},
	"POST /checkin":                                  {"422"},
	"POST /my/calendar/reset":                        {"303 /my/sessions success"},
	"POST /sessions/:id/book":                        {"303 /sessions/:id error"}, // which mode?
	"POST /sessions/:id/cancel-booking":              {"303 /sessions/:id success"},
	"POST /sessions/:id/apologies":                   {"303 /sessions/:id success"},
	"POST /teaching/new":                             {"422"},
	"POST /my/certificates/teaching":                 {"303 /certificates/* success"},
	"POST /sessions/:id/edit":                        {"422"},
	"POST /sessions/:id/publish":                     {"303 /sessions/:id success"},
	"POST /sessions/:id/cancel":                      {"422"}, // the page asks for a reason
	"POST /sessions/:id/manage/book":                 {"303 /sessions/:id/manage error"},
	"POST /sessions/:id/bookings/:booking_id/cancel": {"303 /sessions/:id/manage success"},
	"POST /sessions/:id/register/:user_id":           {"303 /sessions/:id/register error"},
	"POST /sessions/:id/register/mark-absent":        {"303 /sessions/:id/register error"}, // not ended yet
	"POST /sessions/:id/register/import":             {"422"},
	"POST /sessions/:id/register/import/confirm":     {"303 /sessions/:id/register error"},
	"POST /committee/members/:id":                    {"303 /committee/members* error"},
	"POST /committee/academic-year":                  {"422"}, // "I understand" not ticked

	"POST /api/v1/series":                 {"422"},
	"POST /teaching/series/new":           {"422"},
	"POST /api/v1/series/:id/publish":     {"200"},
	"POST /series/:id/publish":            {"303 /series/* success"},
	"POST /api/v1/series/:id/bookings":    {"422"}, // a hybrid series: which mode?
	"POST /series/:id/book":               {"303 /series/* error"},
	"POST /api/v1/sessions/:id/duplicate": {"201"},
	"POST /sessions/:id/duplicate":        {"303 /sessions/* success"}, // the copy's edit page
	"POST /api/v1/sessions/:id/materials": {"422"},                     // neither a file nor a link
	"POST /sessions/:id/materials":        {"422"},
	// The teacher removes the material; committee, after, finds it gone.
	"DELETE /api/v1/materials/:id":                     {"", "", "", "", "204", "404"},
	"POST /sessions/:id/materials/:material_id/delete": {"", "", "", "", "303 /sessions/:id/manage#materials-h success", "404"},
	"GET /sessions/:id/register/import/:plan":          {"303 /sessions/:id/register error"}, // no such import
	"POST /sessions/:id/register/save":                 {"303 /sessions/:id/register error"}, // nothing chosen
	"POST /committee/privacy":                          {"303 /privacy success"},             // no text: the default again
	// Erasure: asked for (and kept waiting: nothing else changes), an empty
	// form without the password, nothing to cancel, a link not made here.
	"DELETE /api/v1/me":              {"202"},
	"POST /api/v1/me/erasure/cancel": {"200"},
	"POST /account/delete":           {"422"},
	"POST /account/delete/cancel":    {"303 /account"},
	"GET /erasure/cancel/:token":     {"404"},
	"POST /erasure/cancel/:token":    {"404"},
}

// matrixDraftAnswers is what an allowed caller gets on the draft session
// where that differs from matrixAnswers.
var matrixDraftAnswers = map[string][]string{
	"POST /api/v1/sessions/:id/bookings": {"422"},
	"POST /sessions/:id/book":            {"303 /sessions/:id error"},
	// The student's booking is not on the draft.
	"DELETE /api/v1/sessions/:id/bookings/:booking_id": {"404"},
	"POST /sessions/:id/bookings/:booking_id/cancel":   {"404"},
	// The material is not on the draft.
	"POST /sessions/:id/materials/:material_id/delete": {"404"},
}

// matrixFixture is a society in which every caller of the matrix exists.
type matrixFixture struct {
	a        *app
	session  int64 // published, taught by "teacher of this session"
	draft    int64 // not published, taught by "teacher of this session"
	booking  int64 // the student's, on session
	student  models.User
	tokens   map[string]string
	browsers map[string]*browser
	calendar string
	cert     string
	series   int64 // published, by "teacher of this session"
	material int64 // a PDF on session, for students with a place
	// mentoring: the schemes, pair and meetings of mentoring_matrix_test.go
	mentoring mentoringMatrix
}

func newMatrixFixture(t *testing.T) *matrixFixture {
	t.Helper()
	a := newApp(t, testkit.SQLite(t), nil)
	f := &matrixFixture{a: a, tokens: map[string]string{}, browsers: map[string]*browser{}}
	emails := map[string]string{"student": "student@example.ac.uk", "another student": "another@example.ac.uk",
		"teacher of another session": "other.teacher@example.ac.uk", "teacher of this session": "teacher@example.ac.uk", "committee": "chair@example.ac.uk"}
	roles := map[string]models.Role{"student": models.RoleStudent, "another student": models.RoleStudent, "teacher of another session": models.RoleTeacher,
		"teacher of this session": models.RoleTeacher, "committee": models.RoleCommittee}
	for _, who := range matrixRoles[1:] {
		u, tok := a.user(emails[who], roles[who], intp(2))
		f.tokens[who] = tok
		if who == "student" {
			f.student = u
		}
		b := a.browser()
		b.login(emails[who], "correct horse battery")
		f.browsers[who] = b
	}
	f.browsers["anonymous"] = a.browser()
	start := a.clock.Now().Add(48 * time.Hour)
	mk := func(who string, publish bool) int64 {
		res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), f.tokens[who])
		if res.Status != http.StatusCreated {
			t.Fatalf("session by %s: %d %s", who, res.Status, res.Body)
		}
		id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
		if publish {
			if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, f.tokens[who]); res.Status != http.StatusOK {
				t.Fatalf("publishing: %d %s", res.Status, res.Body)
			}
		}
		return id
	}
	f.session = mk("teacher of this session", true)
	f.draft = mk("teacher of this session", false)
	mk("teacher of another session", true)
	res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", f.session), map[string]string{"mode": "online"}, f.tokens["student"])
	if res.Status != http.StatusCreated {
		t.Fatalf("booking: %d %s", res.Status, res.Body)
	}
	f.booking = int64(res.json(t)["booking"].(map[string]any)["id"].(float64))
	res = a.api("POST", "/api/v1/series", sessionBody(start.AddDate(0, 0, 7), map[string]any{"weekly": map[string]int{"count": 2}}), f.tokens["teacher of this session"])
	if res.Status != http.StatusCreated {
		t.Fatalf("series: %d %s", res.Status, res.Body)
	}
	f.series = int64(res.json(t)["series"].(map[string]any)["id"].(float64))
	if res := a.api("POST", fmt.Sprintf("/api/v1/series/%d/publish", f.series), nil, f.tokens["teacher of this session"]); res.Status != http.StatusOK {
		t.Fatalf("publishing the series: %d %s", res.Status, res.Body)
	}
	res = upload(t, a, nil, "", fmt.Sprintf("/api/v1/sessions/%d/materials", f.session), f.tokens["teacher of this session"], "ECG.pdf", pdfBytes(100), map[string]string{})
	if res.Status != http.StatusCreated {
		t.Fatalf("material: %d %s", res.Status, res.Body)
	}
	f.material = int64(res.json(t)["material"].(map[string]any)["id"].(float64))
	feed := a.api("GET", "/api/v1/me/calendar", nil, f.tokens["student"]).json(t)["url"].(string)
	f.calendar = feed[strings.LastIndex(feed, "/")+1:]
	// A certificate to verify: the teacher's record of last year's teaching.
	c, err := models.IssueTeachingCertificate(t.Context(), a.db, mustUser(t, a, "teacher@example.ac.uk"), start.AddDate(-1, 0, 0), start, 3, a.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	f.cert = c.Code
	f.mentoring = newMentoringMatrix(t, f)
	return f
}

// path fills in a route's parameters, on the published session.
func (f *matrixFixture) path(route string) string { return f.pathOn(route, f.session) }

// pathOn fills in a route's parameters: session is the session called.
func (f *matrixFixture) pathOn(route string, session int64) string {
	if p, ok := f.mentoring.path(route); ok {
		return p
	}
	user := fmt.Sprint(f.student.ID)
	r := strings.NewReplacer(":id", fmt.Sprint(session), ":booking_id", fmt.Sprint(f.booking), ":user_id", user,
		":token", f.calendar, ":code", f.cert, ":file", "headline.csv", "*", "style.css", ":material_id", fmt.Sprint(f.material))
	if strings.HasPrefix(route, "/api/v1/users/:id") || strings.HasPrefix(route, "/committee/members/:id") {
		r = strings.NewReplacer(":id", user)
	}
	if strings.Contains(route, "/series/:id") {
		r = strings.NewReplacer(":id", fmt.Sprint(f.series))
	}
	if strings.HasPrefix(route, "/materials/:id") || strings.HasPrefix(route, "/api/v1/materials/:id") {
		r = strings.NewReplacer(":id", fmt.Sprint(f.material))
	}
	switch {
	case strings.HasPrefix(route, "/api/*"):
		return "/api/v1/no-such-thing"
	case strings.HasPrefix(route, "/api/v1/stats/attendance"):
		return r.Replace(route) + "?group_by=month"
	}
	return r.Replace(route)
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

// answer is one expected response.
type answer struct {
	code  int    // the status code
	to    string // a redirect's Location; a trailing * matches any rest
	flash string // the kind of flash message set, if any is expected
}

// parseAnswer reads "code [where [flash]]".
func parseAnswer(spec string, session int64) answer {
	fields := strings.Fields(spec)
	code, err := strconv.Atoi(fields[0])
	if err != nil {
		panic(fmt.Sprintf("matrix answer %q is not \"code [where [flash]]\"", spec))
	}
	a := answer{code: code}
	if len(fields) > 1 {
		a.to = strings.ReplaceAll(fields[1], ":id", fmt.Sprint(session))
	}
	if len(fields) > 2 {
		a.flash = fields[2]
	}
	return a
}

func (a answer) String() string {
	s := strconv.Itoa(a.code)
	if a.to != "" {
		s += " to " + a.to
	}
	if a.flash != "" {
		s += " with " + a.flash + " flash"
	}
	return s
}

// flashKind is the kind of flash message a response sets, or "".
func flashKind(r response) string {
	for _, c := range r.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(c, "rounds_flash="); ok {
			v, _, _ = strings.Cut(v, ";")
			kind, _, _ := strings.Cut(v, "%7C")
			return kind
		}
	}
	return ""
}

// mismatch says how r differs from a, or "".
func (a answer) mismatch(r response, api bool) string {
	loc := r.Header.Get("Location")
	got := fmt.Sprintf("%d", r.Status)
	var body struct {
		Error struct{ Code, Message string }
	}
	jsonErr := json.Unmarshal(r.Body, &body) == nil && body.Error.Code != "" && body.Error.Message != ""
	if api && jsonErr {
		got += " " + body.Error.Code
	}
	if loc != "" {
		got += " to " + loc
	}
	if k := flashKind(r); k != "" {
		got += " with " + k + " flash"
	}
	ok := a.code == r.Status
	if a.to != "" {
		prefix, rest := strings.CutSuffix(a.to, "*")
		ok = ok && (loc == a.to || rest && strings.HasPrefix(loc, prefix))
	}
	if a.flash != "" {
		ok = ok && flashKind(r) == a.flash
	}
	if !ok {
		return fmt.Sprintf("%s, want %s", got, a)
	}
	// A refusal is an error in the API's JSON shape, or a page.
	if r.Status >= 400 {
		ct := r.Header.Get("Content-Type")
		switch {
		case api && !jsonErr:
			return fmt.Sprintf("%s without a JSON error: %.200s", got, r.Body)
		case !api && !strings.HasPrefix(ct, "text/html"):
			return fmt.Sprintf("%s as %q, want a page", got, ct)
		}
	}
	return ""
}

// answerSpec is route key's answer to the allowed caller i: from answers
// (the draft's) if there, else from matrixAnswers, else the method's
// default; "" if there is none.
func answerSpec(key string, i int, answers map[string][]string) string {
	s, ok := answers[key]
	if !ok {
		s, ok = matrixAnswers[key]
	}
	switch {
	case ok && len(s) == 1:
		return s[0]
	case ok:
		return s[i]
	case strings.HasPrefix(key, "GET "):
		return "200"
	case strings.HasPrefix(key, "DELETE "):
		return "204"
	}
	return ""
}

// expected is what the caller i should get from a route by the letter of
// its class; answers are the draft's, or nil.
func expected(t *testing.T, key, path string, session int64, letter byte, i int, answers map[string][]string) answer {
	t.Helper()
	page := !strings.HasPrefix(path, "/api/")
	switch letter {
	case 'A', 'R':
		spec := answerSpec(key, i, answers)
		if spec == "" {
			t.Fatalf("%s: allowed callers' answer missing from matrixAnswers", key)
		}
		a := parseAnswer(spec, session)
		if letter == 'A' {
			return a
		}
		if !page || a.to == "" {
			t.Fatalf("%s: R is for a page form whose answer is a redirect", key)
		}
		return answer{code: http.StatusSeeOther, to: a.to, flash: "error"}
	case 'L':
		switch {
		case !page:
			return answer{code: http.StatusUnauthorized}
		case strings.HasPrefix(key, "GET "):
			return answer{code: http.StatusSeeOther, to: "/login?next=" + url.QueryEscape(path)}
		}
		return answer{code: http.StatusSeeOther, to: "/login?next=*"} // back to the referring page
	case 'F':
		return answer{code: http.StatusForbidden}
	case 'N':
		return answer{code: http.StatusNotFound}
	}
	t.Fatalf("%s: no such letter %q", key, letter)
	return answer{}
}

// TestAuthorisationMatrix calls every route of the route table as each kind
// of caller, on a session they see and on one they do not, and checks the
// exact answer.
func TestAuthorisationMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("calls every route as every role")
	}
	probe := newApp(t, testkit.SQLite(t), nil)
	seen := map[string]bool{}
	var routes []string
	for _, r := range probe.e.Routes() {
		key := r.Method + " " + r.Path
		if strings.HasPrefix(r.Path, "/api/*") && r.Method != http.MethodGet && r.Method != http.MethodPost {
			continue
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		routes = append(routes, key)
	}
	sort.Strings(routes)
	// The tables themselves: no stale or misshapen entries.
	for key, class := range matrix {
		if _, ok := matrixClasses[class]; !ok {
			t.Errorf("%s: no class %q", key, class)
		}
		if !seen[key] {
			t.Errorf("%s: in the matrix but not a route", key)
		}
	}
	for _, answers := range []map[string][]string{matrixAnswers, matrixDraftAnswers} {
		for key, a := range answers {
			if _, ok := matrix[key]; !ok || (len(a) != 1 && len(a) != len(matrixRoles)) {
				t.Errorf("%s: answer %q for no route of the matrix, or not one per caller", key, a)
			}
		}
	}
	var shared *matrixFixture // read-only routes share a society
	for _, key := range routes {
		class, ok := matrix[key]
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
		type pass struct {
			name    string
			session int64
			want    string
			answers map[string][]string
		}
		passes := []pass{{"", f.session, matrixClasses[class].published, nil}}
		if strings.Contains(route, "/sessions/:id") {
			draft := matrixClasses[class].draft
			if draft == "" {
				t.Errorf("%s: class %q says nothing of a draft session", key, class)
				continue
			}
			passes = append(passes, pass{" (draft)", f.draft, draft, matrixDraftAnswers})
		}
		for _, p := range passes {
			// Refused callers first, so an allowed call's change cannot help them.
			order := []int{0, 1, 2, 3, 4, 5}
			sort.SliceStable(order, func(i, j int) bool { return p.want[order[i]] != 'A' && p.want[order[j]] == 'A' })
			path := f.pathOn(route, p.session)
			for _, i := range order {
				who := matrixRoles[i]
				want := expected(t, key, path, p.session, p.want[i], i, p.answers)
				res := f.call(t, who, method, path)
				if m := want.mismatch(res, strings.HasPrefix(path, "/api/")); m != "" {
					t.Errorf("%s%s as %s: %s", key, p.name, who, m)
				}
			}
		}
	}
}

// Single sign-on: the matrix runs without ROUNDS_OIDC_ISSUER, where its
// routes answer 404 to anyone; sso_test.go covers them switched on.
func init() {
	matrixClasses["sso off"] = access{"NNNNNN", ""}
	for _, r := range []string{"GET /auth/oidc/login", "GET /auth/oidc/callback", "GET /auth/oidc/year", "POST /auth/oidc/year"} {
		matrix[r] = "sso off"
	}
}
