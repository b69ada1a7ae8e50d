package handlers_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"rounds/models"
	"rounds/models/testkit"
)

// attendanceSession creates and publishes a session taught by the holder of
// teacherTok, starting at start, and returns its id.
func (a *app) attendanceSession(teacherTok string, start time.Time, extra map[string]any) int64 {
	a.t.Helper()
	res := a.api("POST", "/api/v1/sessions", sessionBody(start, extra), teacherTok)
	if res.Status != http.StatusCreated {
		a.t.Fatalf("create session: %d %s", res.Status, res.Body)
	}
	id := int64(res.json(a.t)["session"].(map[string]any)["id"].(float64))
	if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok); r.Status != http.StatusOK {
		a.t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	return id
}

// bookFor books a seat of mode for a student, as the session's teacher.
func (a *app) bookFor(teacherTok string, sessionID, userID int64, mode string) {
	a.t.Helper()
	r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", sessionID), map[string]any{"mode": mode, "user_id": userID}, teacherTok)
	if r.Status != http.StatusCreated {
		a.t.Fatalf("book %d: %d %s", userID, r.Status, r.Body)
	}
}

// attendanceOf reads a student's attendance record straight from the database.
func (a *app) attendanceOf(userID, sessionID int64) (models.Attendance, bool) {
	a.t.Helper()
	rec, found, err := models.AttendanceOf(a.t.Context(), a.db, userID, sessionID)
	if err != nil {
		a.t.Fatal(err)
	}
	return rec, found
}

// postReport uploads a file through a page's multipart form, with the CSRF
// token of the page at from.
func (b *browser) postReport(from, path, filename string, content []byte, fields map[string]string) response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("_csrf", b.csrf(from))
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("file", filename)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest("POST", b.a.srv.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// follow loads the page a form's answer redirects to.
func (b *browser) follow(t *testing.T, r response) response {
	t.Helper()
	if r.Status != http.StatusSeeOther && r.Status != http.StatusFound {
		t.Fatalf("want a redirect, got %d: %s", r.Status, r.Body)
	}
	return b.get(r.Header.Get("Location"))
}

var shownCode = regexp.MustCompile(`class="checkin-code" data-code>([0-9A-Z]{6})<`)

// codeOn reads the check-in code shown on the teacher's screen.
func codeOn(t *testing.T, r response) string {
	t.Helper()
	m := shownCode.FindSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no check-in code on the page (%d): %s", r.Status, r.Body)
	}
	return string(m[1])
}

func TestTakeAttendanceAndCheckInPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		booked, bookedTok := a.user("booked@example.ac.uk", models.RoleStudent, intp(2))
		walkIn, _ := a.user("walkin@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(10 * time.Minute)
		id := a.attendanceSession(teacherTok, start, nil) // hybrid
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "in_person"}, bookedTok); r.Status != 201 {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		take := fmt.Sprintf("/sessions/%d/attendance", id)

		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		page := teacher.get(take)
		if page.Status != 200 {
			t.Fatalf("take attendance: %d %s", page.Status, page.Body)
		}
		contains(t, page, "<h1>Take attendance</h1>", "Cardiology: ECG basics", `aria-current="page">In person`,
			"keep this screen current</a>", "/static/checkin.js?v=", "data-api=\"/api/v1/sessions/", `<span data-count="in_person">0</span> checked in at the venue`,
			fmt.Sprintf(`src="/sessions/%d/attendance/qr.svg?mode=in_person&amp;code=`, id))
		code := codeOn(t, page)
		if code[0] != 'P' {
			t.Errorf("in-person code %q", code)
		}
		// A page that reloads on a timer is only had by asking for it.
		if bytes.Contains(page.Body, []byte("http-equiv")) {
			t.Error("the screen reloads itself unasked")
		}
		contains(t, teacher.get(take+"?refresh=auto"), `<noscript>`, `<meta http-equiv="refresh" content="31">`, "Stop reloading</a>",
			`href="/sessions/`+fmt.Sprint(id)+`/attendance?mode=online&amp;refresh=auto"`)
		online := teacher.get(take + "?mode=online")
		if c := codeOn(t, online); c[0] != 'N' {
			t.Errorf("online code %q", c)
		}
		contains(t, online, `aria-current="page">Online`, "Read this code out in the call")
		if r := teacher.get(take + "?mode=sideways"); r.Status != 200 || codeOn(t, r)[0] != 'P' {
			t.Errorf("unknown mode: %d", r.Status)
		}

		// The QR code is an SVG image of the check-in address.
		svg := teacher.get(fmt.Sprintf("%s/qr.svg?mode=in_person&code=%s", take, code))
		if svg.Status != 200 || svg.Header.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(svg.Body, []byte("<svg")) ||
			svg.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("qr: %d %s %s", svg.Status, svg.Header.Get("Content-Type"), svg.Body[:min(len(svg.Body), 80)])
		}
		if other := teacher.get(take + "/qr.svg?mode=in_person&code=P22222"); !bytes.Equal(other.Body, svg.Body) {
			t.Error("a made-up code is drawn instead of the current one")
		}

		// The script polls the API with the page's cookie login.
		poll := teacher.get(fmt.Sprintf("/api/v1/sessions/%d/checkin?mode=in_person", id))
		if poll.Status != 200 || poll.json(t)["code"] != code {
			t.Errorf("poll: %d %s", poll.Status, poll.Body)
		}

		// A student types the code on their phone.
		student := a.browser()
		student.login("booked@example.ac.uk", "correct horse battery")
		form := student.get("/checkin")
		contains(t, form, `<label for="f-code">Check-in code</label>`, `autocomplete="off"`, `autocapitalize="characters"`, `inputmode="text"`)
		r := student.post("/checkin", "/checkin", url.Values{"code": {""}})
		if r.Status != 422 {
			t.Errorf("empty code: %d", r.Status)
		}
		contains(t, r, "Enter the code shown on the screen.")
		r = student.post("/checkin", "/checkin", url.Values{"code": {"P22222"}})
		if r.Status != 422 {
			t.Errorf("wrong code: %d", r.Status)
		}
		contains(t, r, "That code is wrong or has expired", `value="P22222"`, `aria-invalid="true"`)
		r = student.post("/checkin", "/checkin", url.Values{"code": {strings.ToLower(code)}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/checkin/done?session=%d", id) {
			t.Fatalf("check in: %d %s", r.Status, r.Header.Get("Location"))
		}
		done := student.get(r.Header.Get("Location"))
		contains(t, done, "You are checked in to <strong>Cardiology: ECG basics</strong> — present.", "Recorded at 09:00", "in person")
		if rec, ok := a.attendanceOf(booked.ID, id); !ok || rec.Status != "present" || rec.Source != "code" {
			t.Errorf("record: %+v %v", rec, ok)
		}
		// Again: nothing changes, and the page says so just the same.
		if r := student.post("/checkin", "/checkin", url.Values{"code": {code}}); r.Status != http.StatusSeeOther {
			t.Errorf("repeat: %d", r.Status)
		}

		// The teacher's count goes up.
		contains(t, teacher.get(take), `<span data-count="in_person">1</span> checked in at the venue`, `<span data-count="online">0</span> checked in online`)

		// After the grace period a walk-in is late.
		a.clock.Set(start.Add(20 * time.Minute))
		code = codeOn(t, teacher.get(take))
		late := a.browser()
		late.login("walkin@example.ac.uk", "correct horse battery")
		done = late.follow(t, late.post("/checkin", "/checkin", url.Values{"code": {code}}))
		contains(t, done, "— late.", "count as late")
		if rec, ok := a.attendanceOf(walkIn.ID, id); !ok || rec.Status != "late" {
			t.Errorf("walk-in: %+v", rec)
		}

		// Once the session has ended the screen shows no code and check-in is closed.
		a.clock.Set(start.Add(2 * time.Hour))
		ended := teacher.get(take)
		contains(t, ended, "check-in has closed")
		if shownCode.Match(ended.Body) || bytes.Contains(teacher.get(take+"?refresh=auto").Body, []byte("http-equiv")) {
			t.Error("an ended session still shows a code or refreshes")
		}
		r = late.post("/checkin", fmt.Sprintf("/checkin?session=%d&code=%s", id, code), url.Values{"session": {fmt.Sprint(id)}, "code": {code}})
		if r.Status != 422 {
			t.Errorf("closed: %d", r.Status)
		}
		contains(t, r, "Check-in closed at ", "when the session ended.")
		if r := late.post("/checkin", "/checkin", url.Values{"code": {code}}); r.Status != 422 {
			t.Errorf("code alone after the end: %d", r.Status)
		}
	})
}

func TestCheckInFromTheQRCode(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		s, _ := a.user("student@example.ac.uk", models.RoleStudent, intp(3))
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(5*time.Minute), map[string]any{"mode": "in_person", "in_person_capacity": 20})
		r := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), nil, teacherTok)
		qrURL, err := url.Parse(r.json(t)["url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		path := qrURL.RequestURI()
		if !strings.HasPrefix(path, "/checkin?code=P") || !strings.Contains(path, fmt.Sprintf("session=%d", id)) {
			t.Fatalf("check-in address %s", path)
		}

		// Not logged in: to the log-in page, and back here afterwards.
		b := a.browser()
		res := b.get(path)
		want := "/login?next=" + url.QueryEscape(path)
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Fatalf("anonymous: %d %s, want %s", res.Status, res.Header.Get("Location"), want)
		}
		login := b.post(want, "/login", url.Values{"email": {"student@example.ac.uk"}, "password": {"correct horse battery"}, "next": {path}})
		if login.Status != http.StatusSeeOther || login.Header.Get("Location") != path {
			t.Fatalf("login: %d %s", login.Status, login.Header.Get("Location"))
		}
		confirm := b.get(path)
		if confirm.Status != 200 {
			t.Fatalf("confirm page: %d %s", confirm.Status, confirm.Body)
		}
		contains(t, confirm, "Cardiology: ECG basics", ">Check me in</button>", fmt.Sprintf(`name="session" value="%d"`, id))
		if _, found := a.attendanceOf(s.ID, id); found {
			t.Fatal("opening the link checked the student in")
		}
		res = b.post(path, "/checkin", url.Values{"session": {fmt.Sprint(id)}, "code": {qrURL.Query().Get("code")}})
		// Not booked: a walk-in.
		contains(t, b.follow(t, res), "You are checked in as a walk-in to <strong>Cardiology: ECG basics</strong> — present.")
		if rec, found := a.attendanceOf(s.ID, id); !found || rec.Mode != "in_person" {
			t.Errorf("record: %+v", rec)
		}
		// Scanning again goes straight to the confirmation.
		if again := b.get(path); again.Status != http.StatusSeeOther {
			t.Errorf("scan again: %d", again.Status)
		}

		// Links to sessions that are not there, or cancelled, say so.
		if r := b.get("/checkin?session=99999&code=P22222"); r.Status != 404 {
			t.Errorf("unknown session: %d", r.Status)
		} else {
			contains(t, r, "not for a session on Rounds", `<label for="f-code">`)
		}
		if r := b.get("/checkin?session=abc"); r.Status != 404 {
			t.Errorf("bad session: %d", r.Status)
		}
		other := a.attendanceSession(teacherTok, a.clock.Now().Add(5*time.Minute), map[string]any{"mode": "in_person"})
		code := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/checkin", other), nil, teacherTok).json(t)["code"].(string)
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", other), map[string]string{"reason": "Teacher unwell"}, teacherTok)
		cancelled := b.get(fmt.Sprintf("/checkin?session=%d&code=%s", other, code))
		contains(t, cancelled, "This session has been cancelled.")
		res = b.post("/checkin", "/checkin", url.Values{"session": {fmt.Sprint(other)}, "code": {code}})
		if res.Status != 422 {
			t.Errorf("cancelled: %d", res.Status)
		}
		contains(t, res, "This session has been cancelled.")
	})
}

func TestCheckInNeedsCSRFAndLogin(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		b := a.browser()
		b.login("student@example.ac.uk", "correct horse battery")
		if r := b.postRaw("/checkin", url.Values{"code": {"P22222"}}); r.Status != http.StatusForbidden {
			t.Errorf("check-in without a CSRF token: %d", r.Status)
		}
		if r := a.browser().get("/checkin"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=%2Fcheckin") {
			t.Errorf("anonymous check-in page: %d %s", r.Status, r.Header.Get("Location"))
		}
		if r := b.get("/checkin/done?session=1"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/checkin" {
			t.Errorf("done without a record: %d %s", r.Status, r.Header.Get("Location"))
		}
	})
}

func TestAttendancePagesAreForTheSessionsTeachers(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("other@example.ac.uk", models.RoleTeacher, nil)
		a.user("student@example.ac.uk", models.RoleStudent, intp(2))
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(time.Hour), nil)
		draft := a.api("POST", "/api/v1/sessions", sessionBody(a.clock.Now().Add(48*time.Hour), nil), teacherTok)
		draftID := int64(draft.json(t)["session"].(map[string]any)["id"].(float64))
		pages := []string{"/sessions/%d/attendance", "/sessions/%d/attendance/qr.svg", "/sessions/%d/register", "/sessions/%d/register/audit"}

		anon := a.browser()
		for _, p := range pages {
			if r := anon.get(fmt.Sprintf(p, id)); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login?next=") {
				t.Errorf("anonymous %s: %d", p, r.Status)
			}
		}
		for _, who := range []string{"student", "other"} {
			b := a.browser()
			b.login(who+"@example.ac.uk", "correct horse battery")
			for _, p := range pages {
				if r := b.get(fmt.Sprintf(p, id)); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					t.Errorf("%s opens %s: %d", who, p, r.Status)
				}
				if r := b.get(fmt.Sprintf(p, draftID)); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
					t.Errorf("%s opens %s of a draft: %d", who, p, r.Status)
				}
			}
			report := teamsAttendanceFile([]string{"Someone", "11/2/26, 10:00:00 AM", "11/2/26, 11:00:00 AM", "1h", "someone@example.ac.uk", "someone@example.ac.uk", "Attendee"})
			if r := b.postReport("/checkin", fmt.Sprintf("/sessions/%d/register/import", id), "report.csv", report, nil); r.Status != http.StatusForbidden {
				t.Errorf("%s imports: %d", who, r.Status)
			}
			if r := b.post("/checkin", fmt.Sprintf("/sessions/%d/register/import/confirm", id), url.Values{"plan": {`{"min_minutes":0,"lines":[]}`}}); r.Status != http.StatusForbidden {
				t.Errorf("%s confirms an import: %d", who, r.Status)
			}
			if r := b.post("/checkin", fmt.Sprintf("/sessions/%d/register/1", id), url.Values{"status": {"present"}}); r.Status != http.StatusForbidden {
				t.Errorf("%s marks the register: %d", who, r.Status)
			}
			if r := b.post("/checkin", fmt.Sprintf("/sessions/%d/register/mark-absent", id), url.Values{}); r.Status != http.StatusForbidden {
				t.Errorf("%s marks absent: %d", who, r.Status)
			}
		}
		// The audit trail is for committee; the session's teacher is refused.
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		if r := teacher.get(fmt.Sprintf("/sessions/%d/register/audit", id)); r.Status != http.StatusForbidden {
			t.Errorf("teacher reads the audit: %d", r.Status)
		}
		if r := teacher.get(fmt.Sprintf("/sessions/%d/register", id)); bytes.Contains(r.Body, []byte("/register/audit")) {
			t.Error("the teacher's register links to the audit trail")
		}
		chair := a.browser()
		chair.login("chair@example.ac.uk", "correct horse battery")
		for _, p := range pages {
			if r := chair.get(fmt.Sprintf(p, id)); r.Status != 200 {
				t.Errorf("committee opens %s: %d", p, r.Status)
			}
		}
		if r := chair.get("/sessions/99999/register"); r.Status != http.StatusNotFound {
			t.Errorf("no such session: %d", r.Status)
		}
	})
}

func TestRegisterPage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		amy, _ := a.user("amy@example.ac.uk", models.RoleStudent, intp(1))
		ben, _ := a.user("ben@example.ac.uk", models.RoleStudent, intp(2))
		cat, _ := a.user("cat.walker@example.ac.uk", models.RoleStudent, intp(3))
		evil := testkit.Member(t, a.db, testkit.Email("evil@example.ac.uk"), testkit.Name(`<script>alert("x")</script> Mallory`), testkit.Password("correct horse battery"), testkit.Year(4))
		start := a.clock.Now().Add(time.Hour)
		id := a.attendanceSession(teacherTok, start, nil) // hybrid
		a.bookFor(teacherTok, id, amy.ID, "in_person")
		a.bookFor(teacherTok, id, ben.ID, "online")
		a.bookFor(teacherTok, id, evil.ID, "online")
		reg := fmt.Sprintf("/sessions/%d/register", id)

		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		page := b.get(reg)
		if page.Status != 200 {
			t.Fatalf("register: %d %s", page.Status, page.Body)
		}
		contains(t, page, "<h1>Register</h1>", "3 on the register", `<span class="value">3</span> booked`, `<span class="value">3</span> booked, not marked`,
			"Booked in person", "Booked online", "Not marked", `<th scope="col">Name</th>`, `<th scope="row">amy`,
			`for="status-`+fmt.Sprint(amy.ID)+`">Status of amy`, `name="mode-`+fmt.Sprint(amy.ID)+`"`, ">Save all changes</button>", "Once the session has ended",
			`enctype="multipart/form-data"`, `value="45"`, "Half the session is 45 minutes.")
		// A name is text, never markup.
		if bytes.Contains(page.Body, []byte(`<script>alert`)) {
			t.Error("a member's name is not escaped on the register")
		}
		contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Mallory")

		// Change a line.
		res := b.post(reg, fmt.Sprintf("%s/%d", reg, amy.ID), url.Values{"status": {"late"}, "mode": {"in_person"}})
		page = b.follow(t, res)
		contains(t, page, "amy: late, in person.", `<span class="badge warn">Late</span>`, `<span class="value">1</span> late`)
		if rec, _ := a.attendanceOf(amy.ID, id); rec.Status != "late" || rec.Source != "register" {
			t.Errorf("amy: %+v", rec)
		}
		page = b.follow(t, b.post(reg, fmt.Sprintf("%s/%d", reg, ben.ID), url.Values{"status": {"sleeping"}}))
		contains(t, page, "Choose present, late, absent or excused.")
		if _, found := a.attendanceOf(ben.ID, id); found {
			t.Error("a bad status was recorded")
		}

		// Add a walk-in found by the search.
		found := b.get(reg + "?q=cat")
		contains(t, found, "1 member found", "cat.walker@example.ac.uk", ">Add to the register</button>", `for="add-mode-`+fmt.Sprint(cat.ID)+`"`)
		contains(t, b.get(reg+"?q=a"), "Type at least two letters")
		contains(t, b.get(reg+"?q=amy"), "Already on the register")
		contains(t, b.get(reg+"?q=nobody-at-all"), "No member matches")
		page = b.follow(t, b.post(reg+"?q=cat", fmt.Sprintf("%s/%d", reg, cat.ID), url.Values{"status": {"present"}, "mode": {"online"}}))
		contains(t, page, "cat.walker: present, online.", "Walk-in", "4 on the register", `<span class="value">1</span> walk-in (counted in present and late)<`)
		if rec, _ := a.attendanceOf(cat.ID, id); rec.Status != "present" || rec.Mode != "online" {
			t.Errorf("walk-in: %+v", rec)
		}

		// Marking the rest absent waits for the end of the session.
		page = b.follow(t, b.post(reg, reg+"/mark-absent", url.Values{}))
		contains(t, page, "This can be done once the session has ended.")
		a.clock.Set(start.Add(2 * time.Hour))
		page = b.get(reg)
		contains(t, page, "Mark everyone unmarked absent", "2 booked students are not marked.")
		page = b.follow(t, b.post(reg, reg+"/mark-absent", url.Values{}))
		contains(t, page, "Marked 2 students absent.", `<span class="value">2</span> absent`, `<span class="value">0</span> booked, not marked`)
		if rec, _ := a.attendanceOf(ben.ID, id); rec.Status != "absent" || rec.Mode != "online" {
			t.Errorf("ben: %+v", rec)
		}
		contains(t, b.follow(t, b.post(reg, reg+"/mark-absent", url.Values{})), "Nobody booked was left unmarked.")

		// Committee reads who changed what.
		chair := a.browser()
		chair.login("chair@example.ac.uk", "correct horse battery")
		audit := chair.get(reg + "/audit")
		contains(t, audit, "Changes to the register", "4 changes, newest first", "(none) → Late", "(none) → Absent",
			"<th scope=\"row\">amy</th>", "<td>teacher</td>", "&lt;script&gt;")
		if bytes.Contains(audit.Body, []byte(`<script>alert`)) {
			t.Error("a member's name is not escaped on the audit page")
		}
		if r := chair.get(reg); !bytes.Contains(r.Body, []byte(reg+"/audit")) {
			t.Error("committee's register does not link to the audit trail")
		}
	})
}

// teamsAttendanceFile is a Teams attendance report as Teams downloads it:
// UTF-16LE with a byte-order mark, tab-separated, CRLF, a summary and then
// the participants.
func teamsAttendanceFile(participants ...[]string) []byte {
	rows := [][]string{
		{"1. Summary"},
		{"Meeting title", "Cardiology: ECG basics"},
		{"Attended participants", fmt.Sprint(len(participants))},
		{"Start time", "11/2/26, 10:00:04 AM"},
		{"End time", "11/2/26, 11:30:00 AM"},
		{"Meeting duration", "1h 29m 56s"},
		{""},
		{"2. Participants"},
		{"Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"},
	}
	rows = append(rows, participants...)
	var text strings.Builder
	for _, r := range rows {
		text.WriteString(strings.Join(r, "\t") + "\r\n")
	}
	out := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(text.String())) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func TestImportPreviewThenApply(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		priya, _ := a.user("priya.shah@example.ac.uk", models.RoleStudent, intp(2))
		tom, _ := a.user("tom.evans@example.ac.uk", models.RoleStudent, intp(2))
		kept, _ := a.user("kept@example.ac.uk", models.RoleStudent, intp(2))
		start := a.clock.Now().Add(time.Hour)
		id := a.attendanceSession(teacherTok, start, nil)
		for _, u := range []models.User{priya, tom, kept} {
			a.bookFor(teacherTok, id, u.ID, "online")
		}
		reg := fmt.Sprintf("/sessions/%d/register", id)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		b.follow(t, b.post(reg, fmt.Sprintf("%s/%d", reg, kept.ID), url.Values{"status": {"absent"}, "mode": {"online"}}))
		a.clock.Set(start.Add(2 * time.Hour))

		report := teamsAttendanceFile(
			[]string{"teacher", "11/2/26, 10:00:04 AM", "11/2/26, 11:30:00 AM", "1h 29m 56s", "teacher@example.ac.uk", "teacher@example.ac.uk", "Organizer"},
			[]string{"Priya Shah", "11/2/26, 10:01:10 AM", "11/2/26, 11:29:00 AM", "1h 27m 50s", "Priya.Shah@example.ac.uk", "priya.shah@example.ac.uk", "Attendee"},
			[]string{"Tom Evans", "11/2/26, 11:05:00 AM", "11/2/26, 11:25:00 AM", "20m", "tom.evans@example.ac.uk", "tom.evans@example.ac.uk", "Attendee"},
			[]string{"Kept Student", "11/2/26, 10:02:00 AM", "11/2/26, 11:28:00 AM", "1h 26m", "kept@example.ac.uk", "kept@example.ac.uk", "Attendee"},
			[]string{"Zoë Ó Briain (Guest)", "11/2/26, 10:05:00 AM", "11/2/26, 11:00:00 AM", "55m 3s", "", "", "Attendee"},
		)

		// Mistakes come back beside their fields.
		bad := b.postReport(reg, reg+"/import", "notes.txt", []byte("hello\nworld"), map[string]string{"min_minutes": "45"})
		if bad.Status != 422 {
			t.Errorf("garbage: %d", bad.Status)
		}
		contains(t, bad, `<p class="error" id="f-file-error">`, "not a Teams or Zoom attendance report", `<h1>Register</h1>`)
		bad = b.postReport(reg, reg+"/import", "report.csv", report, map[string]string{"min_minutes": "soon"})
		if bad.Status != 422 {
			t.Errorf("bad minimum: %d", bad.Status)
		}
		contains(t, bad, `id="f-min_minutes-error">Give a number of minutes from 0 to 1440.`, `value="soon"`)
		bad = b.postReport(reg, reg+"/import", "", nil, nil)
		contains(t, bad, "Choose the attendance report file")

		// The upload is kept and the browser sent to its preview, which
		// changes nothing.
		upload := b.postReport(reg, reg+"/import", "Attendance report.csv", report, map[string]string{"min_minutes": ""})
		if upload.Status != http.StatusSeeOther || !strings.HasPrefix(upload.Header.Get("Location"), reg+"/import/") {
			t.Fatalf("upload: %d to %q", upload.Status, upload.Header.Get("Location"))
		}
		previewPath := upload.Header.Get("Location")
		preview := b.get(previewPath)
		if preview.Status != 200 {
			t.Fatalf("preview: %d %s", preview.Status, preview.Body)
		}
		contains(t, preview, "<h1>Check the import</h1>", "Teams report “Cardiology: ECG basics”", "at least 45 minutes",
			"5 participants in the report", "Zoë Ó Briain", "priya.shah",
			"Will be marked present", "Not marked: stayed too short a time", "Not marked: a teacher of the session",
			"Not marked: no member matched", "Kept as the register says", `<th scope="col" class="num">Minutes</th>`,
			`class="table-wrap" tabindex="0" role="region"`)
		if _, found := a.attendanceOf(priya.ID, id); found {
			t.Fatal("the preview marked the register")
		}
		plan := regexp.MustCompile(`name="plan" value="([^"]+)"`).FindSubmatch(preview.Body)
		if plan == nil {
			t.Fatalf("no plan in the confirmation form")
		}
		planID := string(plan[1])

		// Another teacher, or an unknown import, gets nothing.
		for name, form := range map[string]url.Values{
			"unknown": {"plan": {"not-a-plan"}},
			"no plan": {},
		} {
			page := b.follow(t, b.post(reg, reg+"/import/confirm", form))
			contains(t, page, "That import could not be read.")
			if _, found := a.attendanceOf(tom.ID, id); found {
				t.Fatalf("%s plan: tom was marked", name)
			}
		}
		_, _ = a.user("other.teacher@example.ac.uk", models.RoleTeacher, nil)
		other := a.browser()
		other.login("other.teacher@example.ac.uk", "correct horse battery")
		if r := other.get(previewPath); r.Status == 200 {
			t.Errorf("another teacher sees the preview: %d", r.Status)
		}

		// Confirmed, it marks present those the preview said.
		applied := b.post(previewPath, reg+"/import/confirm", url.Values{"plan": {planID}})
		redirectsTo(t, applied, reg)
		page := b.follow(t, applied)
		contains(t, page, "Marked 1 present; 1 not matched.", "Meeting report", "87 minutes in the meeting")
		if rec, _ := a.attendanceOf(priya.ID, id); rec.Status != "present" || rec.Mode != "online" || rec.Source != "import" {
			t.Errorf("priya: %+v", rec)
		}
		if _, found := a.attendanceOf(tom.ID, id); found {
			t.Error("tom, who stayed 20 minutes, was marked")
		}
		if rec, _ := a.attendanceOf(kept.ID, id); rec.Status != "absent" || rec.Source != "register" {
			t.Errorf("the register's entry was overwritten: %+v", rec)
		}
		// The same plan again changes nothing more.
		contains(t, b.follow(t, b.post(previewPath, reg+"/import/confirm", url.Values{"plan": {planID}})), "Marked 0 present; 1 not matched.")
	})
}

func TestApologiesPage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		s, sTok := a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		a.user("other@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(24 * time.Hour)
		id := a.attendanceSession(teacherTok, start, nil)
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "online"}, sTok); r.Status != 201 {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		path := fmt.Sprintf("/sessions/%d/apologies", id)
		flash := func(r response) string {
			for _, c := range (&http.Response{Header: r.Header}).Cookies() {
				if c.Name == "rounds_flash" {
					v, _ := url.QueryUnescape(c.Value)
					return v
				}
			}
			return ""
		}

		b := a.browser()
		b.login("student@example.ac.uk", "correct horse battery")
		r := b.post("/checkin", path, url.Values{})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/sessions/%d", id) {
			t.Fatalf("apologies: %d %s", r.Status, r.Header.Get("Location"))
		}
		if f := flash(r); !strings.HasPrefix(f, "success|Your apologies have been sent") {
			t.Errorf("flash %q", f)
		}
		if rec, _ := a.attendanceOf(s.ID, id); rec.Status != "excused" || rec.Source != "apology" {
			t.Errorf("record: %+v", rec)
		}
		other := a.browser()
		other.login("other@example.ac.uk", "correct horse battery")
		if f := flash(other.post("/checkin", path, url.Values{})); f != "error|You have no booking on this session to send apologies for." {
			t.Errorf("without a booking: %q", f)
		}
		if r := other.postRaw(path, url.Values{}); r.Status != http.StatusForbidden {
			t.Errorf("without a CSRF token: %d", r.Status)
		}
	})
}
