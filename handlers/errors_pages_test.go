package handlers_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// The register says the same of a student in its row and its figures:
// apologies are not a walk-in.
func TestRegisterLabelsAgreeWithItsFigures(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		ama, amaTok := a.user("ama@example.ac.uk", models.RoleStudent, intp(1))
		walker, _ := a.user("walker@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(2 * time.Hour)
		id := a.attendanceSession(teacherTok, start, map[string]any{"mode": "online", "venue": ""})
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "online"}, amaTok); r.Status != 201 {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/apologies", id), nil, amaTok); r.Status != 200 {
			t.Fatalf("apologies: %d %s", r.Status, r.Body)
		}
		reg := fmt.Sprintf("/sessions/%d/register", id)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		page := b.get(reg)
		row := rowOf(t, page, ama.ID)
		if !strings.Contains(row, "Sent apologies") || strings.Contains(row, "Walk-in") {
			t.Errorf("ama's row: %s", row)
		}
		contains(t, page, `<span class="value">0</span> walk-ins`, `<span class="value">1</span> excused`)

		b.follow(t, b.post(reg, fmt.Sprintf("%s/%d", reg, walker.ID), url.Values{"status": {"present"}, "mode": {"online"}}))
		page = b.get(reg)
		if row := rowOf(t, page, walker.ID); !strings.Contains(row, "Walk-in") {
			t.Errorf("walker's row: %s", row)
		}
		if row := rowOf(t, page, ama.ID); strings.Contains(row, "Walk-in") {
			t.Errorf("ama's row: %s", row)
		}
		contains(t, page, `<span class="value">1</span> walk-in (counted in present and late)`)
		walkIns := strings.Count(string(page.Body), "<td>Walk-in</td>")
		if walkIns != 1 {
			t.Errorf("%d rows say Walk-in, the tile says 1", walkIns)
		}
	})
}

// rowOf is a member's row of the register.
func rowOf(t *testing.T, page response, userID int64) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr id="u` + fmt.Sprint(userID) + `">.*?</tr>`).Find(page.Body)
	if m == nil {
		t.Fatalf("no row for %d", userID)
	}
	return string(m)
}

// A refused report is said at the top of the page, beside the form, and
// the page's focus goes there; a file over the limit says the same.
func TestImportErrorsAtTheTop(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(time.Hour), nil)
		reg := fmt.Sprintf("/sessions/%d/register", id)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		atTop := func(page response) {
			t.Helper()
			body := string(page.Body)
			summary, table := strings.Index(body, `id="import-error"`), strings.Index(body, `id="register-caption"`)
			form := strings.Index(body, `action="/sessions/`+fmt.Sprint(id)+`/register/import"`)
			if summary < 0 || table < 0 || summary > table || form > table {
				t.Errorf("the error (at %d) and its form (at %d) are not above the register (at %d)", summary, form, table)
			}
			contains(t, page, `class="error-summary" id="import-error" role="alert" tabindex="-1" autofocus`)
		}
		for name, file := range map[string][]byte{
			"not a report": []byte("hello\nworld"),
			"binary":       {0x89, 'P', 'N', 'G', 0, 1, 2, 3, 0xff, 0xfe, 0},
			"empty":        {},
		} {
			page := b.postReport(reg, reg+"/import", "file.csv", file, map[string]string{"min_minutes": "45"})
			if page.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", name, page.Status)
			}
			atTop(page)
		}
		page := b.postReport(reg, reg+"/import", "", nil, nil)
		contains(t, page, "Choose the attendance report file")
		atTop(page)

		// Over the limit: refused before the form is read, and said on the register.
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("_csrf", b.csrf(reg))
		fw, _ := w.CreateFormFile("file", "huge.csv")
		fw.Write(bytes.Repeat([]byte("a,b,c\n"), 2<<20))
		w.Close()
		req, _ := http.NewRequest("POST", a.srv.URL+reg+"/import", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		res := b.do(req)
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != reg+"?import=too-large#import" {
			t.Fatalf("too large: %d to %q", res.Status, res.Header.Get("Location"))
		}
		page = b.get(reg + "?import=too-large")
		contains(t, page, "The file is larger than 10 MB")
		atTop(page)
		if r := b.get(reg); bytes.Contains(r.Body, []byte("error-summary")) {
			t.Error("the register shows an import error unasked")
		}
	})
}

// A participant the import could not match is matched by hand to a member
// booked on the session, and the whole register is saved with one button.
func TestRegisterByHandAndAllAtOnce(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		priya, _ := a.user("priya.shah@example.ac.uk", models.RoleStudent, intp(2))
		tom, _ := a.user("tom.evans@example.ac.uk", models.RoleStudent, intp(2))
		uma, _ := a.user("uma@example.ac.uk", models.RoleStudent, intp(2))
		outsider, _ := a.user("outsider@example.ac.uk", models.RoleStudent, intp(2))
		start := a.clock.Now().Add(time.Hour)
		id := a.attendanceSession(teacherTok, start, nil)
		for _, u := range []models.User{priya, tom, uma} {
			a.bookFor(teacherTok, id, u.ID, "online")
		}
		reg := fmt.Sprintf("/sessions/%d/register", id)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")

		// Several lines at once; a line left alone keeps how it was recorded.
		page := b.get(reg)
		form := url.Values{}
		for _, u := range []models.User{priya, tom, uma} {
			form.Set(fmt.Sprintf("status-%d", u.ID), "")
			form.Set(fmt.Sprintf("mode-%d", u.ID), "online")
			form.Set(fmt.Sprintf("was-%d", u.ID), "|online")
		}
		form.Set(fmt.Sprintf("status-%d", priya.ID), "late")
		form.Set(fmt.Sprintf("status-%d", tom.ID), "absent")
		res := b.post(reg, reg+"/save", form)
		redirectsTo(t, res, reg)
		contains(t, b.get(reg), "Saved 2 changes to the register.")
		if rec, _ := a.attendanceOf(priya.ID, id); rec.Status != "late" {
			t.Errorf("priya: %+v", rec)
		}
		if rec, _ := a.attendanceOf(tom.ID, id); rec.Status != "absent" {
			t.Errorf("tom: %+v", rec)
		}
		if _, found := a.attendanceOf(uma.ID, id); found {
			t.Error("uma, left alone, was marked")
		}
		// A mistake in one line saves none.
		form.Set(fmt.Sprintf("was-%d", priya.ID), "late|online")
		form.Set(fmt.Sprintf("was-%d", tom.ID), "absent|online")
		form.Set(fmt.Sprintf("status-%d", tom.ID), "present")
		form.Set(fmt.Sprintf("status-%d", uma.ID), "asleep")
		contains(t, b.follow(t, b.post(reg, reg+"/save", form)), "uma: Choose present, late, absent or excused.")
		if rec, _ := a.attendanceOf(tom.ID, id); rec.Status != "absent" {
			t.Errorf("tom changed with a mistake beside him: %+v", rec)
		}
		contains(t, b.follow(t, b.post(reg, reg+"/save", url.Values{})), "Nothing was changed")
		_ = page

		// The import: "Uma's iPad" matches nobody; the teacher says who it is.
		a.clock.Set(start.Add(2 * time.Hour))
		report := teamsAttendanceFile(
			[]string{"Uma's iPad", "11/2/26, 10:01:10 AM", "11/2/26, 11:29:00 AM", "1h 27m 50s", "", "", "Attendee"},
			[]string{"Guest 7", "11/2/26, 10:01:10 AM", "11/2/26, 11:29:00 AM", "1h 27m 50s", "", "", "Attendee"},
		)
		upload := b.postReport(reg, reg+"/import", "report.csv", report, map[string]string{"min_minutes": ""})
		preview := b.follow(t, upload)
		previewPath := upload.Header.Get("Location")
		contains(t, preview, "Not marked: no member matched", `<option value="`+fmt.Sprint(uma.ID)+`">uma (uma@example.ac.uk)</option>`)
		if bytes.Contains(preview.Body, []byte(`<option value="`+fmt.Sprint(outsider.ID)+`"`)) {
			t.Error("a member neither booked nor on the register is offered")
		}
		sel := regexp.MustCompile(`name="(match-[0-9]+)">`).FindAllSubmatch(preview.Body, -1)
		planID := string(regexp.MustCompile(`name="plan" value="([^"]+)"`).FindSubmatch(preview.Body)[1])
		if len(sel) != 2 {
			t.Fatalf("%d choices of member, want 2", len(sel))
		}
		// Names are sorted, so "Guest 7" is line 0 and "Uma's iPad" line 1.
		bad := b.post(previewPath, reg+"/import/confirm", url.Values{"plan": {planID}, string(sel[1][1]): {fmt.Sprint(outsider.ID)}})
		redirectsTo(t, bad, previewPath)
		contains(t, b.follow(t, bad), "Choose a member booked on this session or already on its register.")
		if _, found := a.attendanceOf(uma.ID, id); found {
			t.Fatal("a refused choice marked uma")
		}
		done := b.post(previewPath, reg+"/import/confirm", url.Values{"plan": {planID}, string(sel[1][1]): {fmt.Sprint(uma.ID)}, string(sel[0][1]): {""}})
		redirectsTo(t, done, reg)
		contains(t, b.follow(t, done), "Marked 1 present; 1 not matched.")
		if rec, _ := a.attendanceOf(uma.ID, id); rec.Status != "present" || rec.Source != "import" {
			t.Errorf("uma: %+v", rec)
		}
	})
}

// Messages about a choice use the words of the form's options.
func TestChoiceMessagesSpeakTheFormsWords(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("s@example.ac.uk", models.RoleStudent, intp(1))
		b := a.browser()
		b.login("s@example.ac.uk", "correct horse battery")
		page := b.get("/sessions?mode=zzz")
		if page.Status != http.StatusUnprocessableEntity && page.Status != 200 {
			t.Fatalf("%d", page.Status)
		}
		msg := regexp.MustCompile(`<p class="error" id="mode-error">([^<]*)</p>`).FindSubmatch(page.Body)
		if msg == nil {
			t.Fatalf("no message beside the mode: %s", page.Body)
		}
		sel := regexp.MustCompile(`(?s)<select id="mode".*?</select>`).Find(page.Body)
		for _, o := range regexp.MustCompile(`<option value="[a-z_]+"[^>]*>([^<]+)</option>`).FindAllSubmatch(sel, -1) {
			if !strings.Contains(strings.ToLower(string(msg[1])), strings.ToLower(string(o[1]))) {
				t.Errorf("%q does not name the option %q", msg[1], o[1])
			}
		}
		if bytes.Contains(msg[1], []byte("_")) {
			t.Errorf("raw value in %q", msg[1])
		}
	})
}

// A page that answers a form sent back with mistakes asks to be kept in
// the history as a GET; every good form answers with a redirect.
func TestFormsAnswerWithARedirect(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("s@example.ac.uk", models.RoleStudent, intp(1))
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(time.Hour), nil)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		reg := fmt.Sprintf("/sessions/%d/register", id)
		bad := b.postReport(reg, reg+"/import", "x.csv", []byte("x"), nil)
		contains(t, bad, `<body data-posted="`+reg+`">`)
		if page := b.get(reg); bytes.Contains(page.Body, []byte("data-posted")) {
			t.Error("a GET is marked as a form's answer")
		}
		s := a.browser()
		s.login("s@example.ac.uk", "correct horse battery")
		contains(t, s.post("/checkin", "/checkin", url.Values{"code": {""}}), `<body data-posted="/checkin">`)
		// A form whose address has no page is left as it is.
		if r := b.post(reg, fmt.Sprintf("/sessions/%d/cancel", id), url.Values{}); bytes.Contains(r.Body, []byte("data-posted")) {
			t.Errorf("POST-only address kept as a page (%d)", r.Status)
		}
	})
}

// The navigation folds into one menu that works without JavaScript, and
// marks the page the reader is on.
func TestNavigationMenu(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		page := b.get("/committee/members")
		contains(t, page, `<details class="nav-narrow">`, "<summary>Menu</summary>", `<summary class="current">Committee</summary>`,
			`<a href="/committee/members" aria-current="page">Members</a>`)
		if n := strings.Count(string(page.Body), `aria-current="page"`); n != 2 { // once in each menu
			t.Errorf("%d links marked current", n)
		}
	})
}

// The projector view shows the code and QR code without navigation; the
// teacher's screen lists who has checked in, newest first.
func TestProjectorAndNames(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		first, _ := a.user("first@example.ac.uk", models.RoleStudent, intp(1))
		second, _ := a.user("second@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(5 * time.Minute)
		id := a.attendanceSession(teacherTok, start, map[string]any{"mode": "in_person", "online_url": "", "online_capacity": 0})
		take := fmt.Sprintf("/sessions/%d/attendance", id)
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		page := teacher.get(take)
		contains(t, page, `href="/sessions/`+fmt.Sprint(id)+`/attendance/projector?mode=in_person">Show on a projector</a>`, "Nobody yet.")
		proj := teacher.get(take + "/projector")
		if proj.Status != 200 {
			t.Fatalf("projector: %d", proj.Status)
		}
		contains(t, proj, `class="checkin-code projector-code" data-code>`+codeOn(t, page)+"<", "/attendance/qr.svg?mode=in_person", `<meta http-equiv="refresh"`,
			"Back to the check-in screen")
		if bytes.Contains(proj.Body, []byte("<nav")) || bytes.Contains(proj.Body, []byte("/logout")) {
			t.Error("the projector view has the navigation")
		}
		for _, u := range []string{"first@example.ac.uk", "second@example.ac.uk"} {
			s := a.browser()
			s.login(u, "correct horse battery")
			redirectsTo(t, s.post("/checkin", "/checkin", url.Values{"code": {codeOn(t, teacher.get(take))}}), fmt.Sprintf("/checkin/done?session=%d", id))
			a.clock.Advance(time.Minute)
		}
		page = teacher.get(take)
		body := string(page.Body)
		if i, j := strings.Index(body, ">second<"), strings.Index(body, ">first<"); i < 0 || j < 0 || i > j {
			t.Errorf("names not newest first: second at %d, first at %d", i, j)
		}
		res := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/checkin?mode=in_person", id), nil, teacherTok)
		arr, _ := res.json(t)["arrivals"].([]any)
		if len(arr) != 2 || arr[0].(map[string]any)["user_id"].(float64) != float64(second.ID) || arr[1].(map[string]any)["user_id"].(float64) != float64(first.ID) {
			t.Errorf("arrivals: %s", res.Body)
		}
	})
}
