package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// taughtSession publishes an in-person session by teacher that starts a day
// from the fake clock's now, and returns its id and start.
func (a *app) taughtSession(teacherTok string, extra map[string]any) (int64, time.Time) {
	a.t.Helper()
	start := a.clock.Now().Add(24 * time.Hour)
	body := sessionBody(start, map[string]any{"mode": "in_person", "in_person_capacity": 30, "online_capacity": nil})
	for k, v := range extra {
		body[k] = v
	}
	res := a.api("POST", "/api/v1/sessions", body, teacherTok)
	if res.Status != 201 {
		a.t.Fatalf("create session: %d %s", res.Status, res.Body)
	}
	id := int64(res.json(a.t)["session"].(map[string]any)["id"].(float64))
	if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok); r.Status != 200 {
		a.t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	return id, start
}

// attended marks students present on the register, as their teacher would.
func (a *app) attended(teacher models.User, sessionID int64, students ...models.User) {
	a.t.Helper()
	for _, s := range students {
		if _, err := models.MarkRegister(a.t.Context(), a.db, teacher, sessionID, s.ID, models.RegisterEntry{Status: models.AttendancePresent}, a.clock.Now()); err != nil {
			a.t.Fatalf("register %s: %v", s.Email, err)
		}
	}
}

func (a *app) feedbackCount(sessionID int64) int64 {
	a.t.Helper()
	var n int64
	if err := a.db.Read(context.Background()).Model(&models.Feedback{}).Where("session_id = ?", sessionID).Count(&n).Error; err != nil {
		a.t.Fatal(err)
	}
	return n
}

// goodFeedback is a complete, valid answer.
func goodFeedback(wentWell, improve string) url.Values {
	return url.Values{"overall": {"5"}, "teaching": {"4"}, "confidence_before": {"2"}, "confidence_after": {"4"},
		"benefits": {"knowledge", "exam_preparation"}, "went_well": {wentWell}, "improve": {improve}}
}

var certificateLink = regexp.MustCompile(`href="/certificates/(RND-[0-9A-Z]{4}-[0-9A-Z]{4})"`)

func TestFeedbackFormJourney(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		amelia, _ := a.user("amelia.okafor@example.ac.uk", models.RoleStudent, intp(2))
		ben, _ := a.user("ben.hughes@example.ac.uk", models.RoleStudent, intp(2))
		a.user("outsider@example.ac.uk", models.RoleStudent, intp(3))
		id, start := a.taughtSession(teacherTok, nil)
		form := fmt.Sprintf("/sessions/%d/feedback", id)

		// Not logged in: the e-mailed link goes through the log-in page and back.
		if r := a.browser().get(form); r.Status != http.StatusSeeOther ||
			r.Header.Get("Location") != "/login?next="+url.QueryEscape(form) {
			t.Errorf("anonymous: %d %s", r.Status, r.Header.Get("Location"))
		}

		// Checked in before the start: the form is not open yet.
		a.attended(teacher, id, amelia, ben)
		b := a.browser()
		b.login("amelia.okafor@example.ac.uk", "correct horse battery")
		r := b.get(form)
		contains(t, r, "Feedback opens at ")
		if r.Status != 200 || strings.Contains(string(r.Body), `name="overall"`) {
			t.Errorf("before the start: %d, form shown: %v", r.Status, strings.Contains(string(r.Body), `name="overall"`))
		}
		if r := b.post(form, form, goodFeedback("", "")); r.Status != http.StatusConflict || a.feedbackCount(id) != 0 {
			t.Errorf("early answer: %d, stored %d", r.Status, a.feedbackCount(id))
		}

		a.clock.Set(start.Add(2 * time.Hour))
		r = b.get(form)
		if r.Status != 200 {
			t.Fatalf("form: %d %s", r.Status, r.Body)
		}
		contains(t, r, "Cardiology: ECG basics", "<legend>1. How good was the session overall?</legend>",
			`<label class="scale-option" for="f-overall-1">`, `id="f-overall-5" name="overall" value="5"`,
			`name="benefits" value="exam_preparation"`, "Exam preparation", `<label for="f-went_well">`, `maxlength="2000"`,
			"1 poor", "5 excellent")
		if strings.Contains(string(r.Body), " style=") || strings.Contains(string(r.Body), "<script>") {
			t.Error("the form has inline style or script")
		}
		// An e-mail's one-click rating chooses the rating in advance.
		contains(t, b.get(form+"?overall=4"), `id="f-overall-4" name="overall" value="4" checked`)

		// An invalid answer keeps everything typed, with messages beside the fields.
		bad := goodFeedback("Clear <b>ECGs</b> & good pace", strings.Repeat("x", 2001))
		bad.Del("overall")
		bad["benefits"] = []string{"motivation", "clinical_skills"}
		r = b.post(form, form, bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid answer: %d", r.Status)
		}
		contains(t, r, "Some answers need attention", `href="#f-overall-1"`,
			`<p class="error" id="f-overall-error">Choose how good the session was overall, from 1 to 5.</p>`,
			`<p class="error" id="f-improve-error">Use at most 2000 characters.</p>`,
			`id="f-teaching-4" name="teaching" value="4" checked`,
			`id="f-confidence_before-2" name="confidence_before" value="2" checked`,
			`id="f-confidence_after-4" name="confidence_after" value="4" checked`,
			`value="motivation" checked`, `value="clinical_skills" checked`,
			"Clear &lt;b&gt;ECGs&lt;/b&gt; &amp; good pace</textarea>", strings.Repeat("x", 2001)+"</textarea>")
		if strings.Contains(string(r.Body), `value="knowledge" checked`) || strings.Contains(string(r.Body), `name="overall" value="5" checked`) {
			t.Error("the re-shown form ticks answers that were not given")
		}
		if a.feedbackCount(id) != 0 {
			t.Error("an invalid answer was stored")
		}

		// A good answer: thank-you page with the attendance certificate.
		r = b.post(form, form, goodFeedback("Clear", "More cases"))
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != form+"/thanks" {
			t.Fatalf("answer: %d %s", r.Status, r.Header.Get("Location"))
		}
		r = b.get(form + "/thanks")
		contains(t, r, "Thank you for your feedback", "Your certificate of attendance", ".pdf\"")
		m := certificateLink.FindSubmatch(r.Body)
		if r.Status != 200 || m == nil {
			t.Fatalf("thank-you page: %d, certificate link %v", r.Status, m != nil)
		}
		code := string(m[1])
		page := a.browser().get("/certificates/" + code)
		contains(t, page, "Certificate of attendance", "amelia.okafor", "Cardiology: ECG basics", "Genuine", code)
		if page.Status != 200 || strings.Contains(string(page.Body), "@example.ac.uk") {
			t.Errorf("verification page: %d, shows an e-mail address: %v", page.Status, strings.Contains(string(page.Body), "@example.ac.uk"))
		}
		if pdf := a.browser().get("/certificates/" + code + ".pdf"); pdf.Status != 200 || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) {
			t.Errorf("certificate PDF: %d", pdf.Status)
		}

		// A second answer is refused politely, and the page says so from then on.
		r = b.post(form, form, goodFeedback("Again", ""))
		if r.Status != http.StatusConflict || a.feedbackCount(id) != 1 {
			t.Errorf("second answer: %d, stored %d", r.Status, a.feedbackCount(id))
		}
		contains(t, r, "Thank you, you have already given feedback", "/certificates/"+code)
		r = b.get(form)
		contains(t, r, "Thank you, you have already given feedback", "/certificates/"+code)
		if r.Status != 200 || strings.Contains(string(r.Body), `name="overall"`) {
			t.Errorf("form after answering: %d", r.Status)
		}

		// Feedback to give: Ben still owes his; Amelia is done.
		contains(t, b.get("/my/feedback"), "No session is waiting for your feedback")
		bb := a.browser()
		bb.login("ben.hughes@example.ac.uk", "correct horse battery")
		contains(t, bb.get("/my/feedback"), "Cardiology: ECG basics", `href="`+form+`"`)
		if r := bb.get(form + "/thanks"); r.Status != http.StatusSeeOther || r.Header.Get("Location") != form {
			t.Errorf("thanks before answering: %d %s", r.Status, r.Header.Get("Location"))
		}

		// Someone who did not attend: a kind explanation, and nothing stored.
		ob := a.browser()
		ob.login("outsider@example.ac.uk", "correct horse battery")
		r = ob.get(form)
		contains(t, r, "Feedback is for students who attended this session", "ask one of its teachers to mark you present")
		if r.Status != http.StatusForbidden || strings.Contains(string(r.Body), `name="overall"`) {
			t.Errorf("outsider's form: %d", r.Status)
		}
		if r := ob.post(form, form, goodFeedback("I was not there", "")); r.Status != http.StatusForbidden || a.feedbackCount(id) != 1 {
			t.Errorf("outsider's answer: %d, stored %d", r.Status, a.feedbackCount(id))
		}
		if r := ob.get("/sessions/999999/feedback"); r.Status != http.StatusNotFound {
			t.Errorf("no such session: %d", r.Status)
		}
	})
}

func TestFeedbackSummaryPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("other.teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		var students []models.User
		var browsers []*browser
		for _, name := range []string{"amelia.okafor", "ben.hughes", "chloe.davies", "dev.patel"} {
			u, _ := a.user(name+"@example.ac.uk", models.RoleStudent, intp(2))
			students = append(students, u)
			b := a.browser()
			b.login(u.Email, "correct horse battery")
			browsers = append(browsers, b)
		}
		id, start := a.taughtSession(teacherTok, nil)
		a.attended(teacher, id, students...)
		a.clock.Set(start.Add(2 * time.Hour))
		form := fmt.Sprintf("/sessions/%d/feedback", id)
		summary := form + "/summary"
		xss := `<script>alert("x")</script><img src=x onerror=alert(1)>`

		tb := a.browser()
		tb.login("teacher@example.ac.uk", "correct horse battery")

		// One answer, below the threshold of 3: counts only, and why.
		if r := browsers[0].post(form, form, goodFeedback(xss, "Slower please")); r.Status != http.StatusSeeOther {
			t.Fatalf("answer: %d", r.Status)
		}
		r := tb.get(summary)
		if r.Status != 200 {
			t.Fatalf("summary: %d %s", r.Status, r.Body)
		}
		contains(t, r, "Ratings and comments are withheld", "at least 3 students have answered", "So far 1 has",
			`<span class="value">1</span> answer`, `<span class="value">4</span> attended`, `<span class="value">25%</span> response rate`)
		for _, hidden := range []string{"Slower please", "alert", "overall rating", "What it gave students"} {
			if strings.Contains(string(r.Body), hidden) {
				t.Errorf("withheld summary shows %q", hidden)
			}
		}

		// At the threshold: averages, benefits and comments, escaped, never a name.
		browsers[1].post(form, form, goodFeedback("", "Fewer slides"))
		third := goodFeedback("Great cases", "")
		third.Set("overall", "2")
		third.Set("confidence_after", "2")
		third["benefits"] = []string{"community"}
		browsers[2].post(form, form, third)
		r = tb.get(summary)
		contains(t, r, `<span class="value">3</span> answers`, `<span class="value">75%</span> response rate`,
			`4.0<small> / 5</small></span> overall rating`, `4.0<small> / 5</small></span> teaching rating`,
			`&#43;1.3</span> average change in confidence`, "What it gave students", `<th scope="row">Knowledge</th><td class="num">2 <small>(67%)</small></td><td class="bar-cell"><span class="bar-track" aria-hidden="true"><span class="bar-fill w-65">`,
			`<th scope="row">Exam preparation</th><td class="num">2 <small>(67%)</small></td>`, `<th scope="row">Community</th><td class="num">1 <small>(33%)</small></td>`,
			"Slower please", "Fewer slides", "Great cases",
			"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;")
		body := string(r.Body)
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Error("a comment's HTML reached the summary page unescaped")
		}
		for _, s := range students {
			if strings.Contains(body, s.Name) || strings.Contains(body, s.Email) {
				t.Errorf("the summary names %s", s.Name)
			}
		}
		if strings.Contains(body, " style=") {
			t.Error("the summary has an inline style attribute")
		}

		// Students and teachers of other sessions may not read it; committee may.
		if r := browsers[3].get(summary); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("student reads the summary: %d", r.Status)
		}
		ot := a.browser()
		ot.login("other.teacher@example.ac.uk", "correct horse battery")
		if r := ot.get(summary); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Errorf("another teacher reads the summary: %d", r.Status)
		}
		cb := a.browser()
		cb.login("chair@example.ac.uk", "correct horse battery")
		if r := cb.get(summary); r.Status != 200 {
			t.Errorf("committee reads the summary: %d", r.Status)
		}

		// Across all the teacher's sessions in a period.
		r = tb.get("/teaching/feedback")
		contains(t, r, "Feedback on your teaching", `value="2026-08-01"`, `value="2027-07-31"`,
			`href="`+summary+`">Cardiology: ECG basics</a>`, `<span class="value">3</span> answers`)
		if r.Status != 200 {
			t.Errorf("teaching feedback: %d", r.Status)
		}
		r = tb.get("/teaching/feedback?from=2026-12-01&to=2027-01-31")
		contains(t, r, "No session that took place in this period", "Ratings and comments are withheld")
		r = tb.get("/teaching/feedback?from=2026-12-01&to=2026-11-01")
		contains(t, r, "Choose a last day on or after the first day.", `value="2026-12-01"`)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("backwards period: %d", r.Status)
		}
		if r := browsers[0].get("/teaching/feedback"); r.Status != http.StatusForbidden {
			t.Errorf("student opens the teaching overview: %d", r.Status)
		}
		if r := ot.get(fmt.Sprintf("/teaching/feedback?teacher=%d", teacher.ID)); r.Status != http.StatusForbidden {
			t.Errorf("a teacher opens another's overview: %d", r.Status)
		}
		contains(t, cb.get(fmt.Sprintf("/teaching/feedback?teacher=%d", teacher.ID)), "Feedback on teacher’s teaching", "Cardiology: ECG basics")
	})
}

func TestCertificatePages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("dr.rahman@example.ac.uk", models.RoleTeacher, nil)
		student, _ := a.user("amelia.okafor@example.ac.uk", models.RoleStudent, intp(2))
		id, start := a.taughtSession(teacherTok, nil)
		a.attended(teacher, id, student)
		a.clock.Set(start.Add(3 * time.Hour))

		sb := a.browser()
		sb.login("amelia.okafor@example.ac.uk", "correct horse battery")
		r := sb.get("/my/certificates")
		contains(t, r, "You have no certificates yet")
		if strings.Contains(string(r.Body), "/my/certificates/teaching") {
			t.Error("a student is offered a teaching certificate")
		}
		form := fmt.Sprintf("/sessions/%d/feedback", id)
		sb.post(form, form, goodFeedback("", ""))
		contains(t, sb.get("/my/certificates"), "Certificate of attendance", "Cardiology: ECG basics", ".pdf\"")
		if r := sb.post("/my/certificates", "/my/certificates/teaching", url.Values{}); r.Status != http.StatusForbidden {
			t.Errorf("student asks for a teaching certificate: %d", r.Status)
		}

		tb := a.browser()
		tb.login("dr.rahman@example.ac.uk", "correct horse battery")
		r = tb.get("/my/certificates")
		contains(t, r, "A teaching certificate", `<label for="f-from">First day</label>`, `type="date" value="2026-08-01"`,
			`type="date" value="2027-07-31"`)

		// A backwards or garbled period is shown again with its message.
		r = tb.post("/my/certificates", "/my/certificates/teaching", url.Values{"from": {"2027-07-31"}, "to": {"2026-08-01"}})
		contains(t, r, "Choose a last day on or after the first day.", `value="2027-07-31"`, `value="2026-08-01"`)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("backwards period: %d", r.Status)
		}
		r = tb.post("/my/certificates", "/my/certificates/teaching", url.Values{"from": {"1 August"}, "to": {"2027-07-31"}})
		contains(t, r, "Enter the first day as a date", `value="1 August"`)

		// A good period: issued, then its verification page and PDF.
		r = tb.post("/my/certificates", "/my/certificates/teaching", url.Values{"from": {"2026-08-01"}, "to": {"2027-07-31"}})
		loc := r.Header.Get("Location")
		if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/certificates/RND-") {
			t.Fatalf("issue: %d %s", r.Status, loc)
		}
		page := tb.get(loc)
		contains(t, page, "has been issued", "Teaching certificate", "dr.rahman", "taught 1 near-peer teaching session from Sat 1 Aug 2026 to "+a.clock.Now().Format("Mon 2 Jan 2006"),
			"Cardiology: ECG basics", "1.5", "Download the PDF")
		if page.Status != 200 || strings.Contains(string(page.Body), "@example.ac.uk") {
			t.Errorf("verification page: %d", page.Status)
		}
		if pdf := a.browser().get(loc + ".pdf"); pdf.Status != 200 || !bytes.HasPrefix(pdf.Body, []byte("%PDF")) {
			t.Errorf("teaching PDF: %d", pdf.Status)
		}
		contains(t, tb.get("/my/certificates"), "Teaching certificate", "Teaching record: 1 session", loc)
	})
}
