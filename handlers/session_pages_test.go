package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// password is the one a.user gives every account.
const password = "correct horse battery"

// sessionFormValues is the session form filled in as a teacher would, with
// times as typed into datetime-local inputs (the society's time zone).
func sessionFormValues(start, end string, extra url.Values) url.Values {
	v := url.Values{
		"title": {"Cardiology: ECG basics"}, "description": {"Bring a pen.\n\nSlides: https://example.org/ecg"},
		"topic": {"Cardiology"}, "format": {"lecture"}, "year_groups": {"1", "2"}, "mode": {"hybrid"},
		"venue": {"Lecture Theatre 2"}, "online_url": {"https://teams.example/meet/ecg"},
		"in_person_capacity": {"1"}, "online_capacity": {"1"}, "starts_at": {start}, "ends_at": {end},
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return v
}

// createdSession reads the new session's id from the redirect after the
// form was saved.
func createdSession(t *testing.T, res response) int64 {
	t.Helper()
	if res.Status != http.StatusSeeOther {
		t.Fatalf("create session: %d %s", res.Status, res.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(res.Header.Get("Location"), "/sessions/%d", &id); err != nil {
		t.Fatalf("create session redirects to %q", res.Header.Get("Location"))
	}
	return id
}

func redirectsTo(t *testing.T, res response, want string) {
	t.Helper()
	if res.Status != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Errorf("got %d to %q, want 303 to %q: %.300s", res.Status, res.Header.Get("Location"), want, res.Body)
	}
}

func lacks(t *testing.T, r response, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(string(r.Body), u) {
			t.Errorf("page (%d) has %q", r.Status, u)
		}
	}
}

// apiSession creates and optionally publishes a session through the API.
func apiSession(t *testing.T, a *app, token string, body map[string]any, publish bool) int64 {
	t.Helper()
	res := a.api("POST", "/api/v1/sessions", body, token)
	if res.Status != 201 {
		t.Fatalf("create session: %d %s", res.Status, res.Body)
	}
	id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
	if publish {
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, token); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}
	}
	return id
}

func TestSessionPagesJourney(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		for _, s := range []string{"s1", "s2", "s3"} {
			a.user(s+"@example.ac.uk", models.RoleStudent, intp(1))
		}
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", password)

		// The form refuses an end before the start and keeps what was typed.
		form := teacher.get("/teaching/new")
		contains(t, form, "New session", `name="title"`, `type="datetime-local"`, "Save draft", "teacher (you)")
		res := teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-11-03T18:00", "2026-11-03T17:00", nil))
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("end before start: %d", res.Status)
		}
		contains(t, res, "Choose an end after the start.", `value="Cardiology: ECG basics"`, "Bring a pen.",
			`value="2026-11-03T18:00"`, `value="2026-11-03T17:00"`, `value="1" checked`, `value="hybrid" checked`,
			`value="https://teams.example/meet/ecg"`, `aria-invalid="true"`)

		id := createdSession(t, teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-11-03T18:00", "2026-11-03T19:30", nil)))
		page := fmt.Sprintf("/sessions/%d", id)
		draft := teacher.get(page)
		contains(t, draft, "Your draft is saved", "This is a draft", "Publish", "Tue 3 Nov 2026, 18:00–19:30 GMT", "Lecture Theatre 2")
		contains(t, teacher.get("/teaching"), "Drafts", "Cardiology: ECG basics", page+"/edit", page+"/manage")

		s1 := a.browser()
		s1.login("s1@example.ac.uk", password)
		if r := s1.get(page); r.Status != http.StatusNotFound {
			t.Errorf("student opens a draft: %d", r.Status)
		}
		lacks(t, s1.get("/sessions"), "ECG basics")

		redirectsTo(t, teacher.post(page, page+"/publish", url.Values{}), page)
		contains(t, teacher.get(page), "Published")
		contains(t, teacher.get("/"), "Your next teaching", "Cardiology: ECG basics")

		// A student finds it for their year, opens it and books in person.
		list := s1.get("/sessions")
		contains(t, list, "For year 1", "Cardiology: ECG basics", page, "Tue 3 Nov 2026, 18:00–19:30 GMT", "1 seat left in the room")
		if r := s1.get("/sessions?year=3"); strings.Contains(string(r.Body), "ECG basics") {
			t.Error("a year 1–2 session is listed for year 3")
		}
		contains(t, s1.get("/sessions?q=ecg&mode=in_person&topic=cardiology&from=2026-11-03&to=2026-11-03"), "ECG basics")
		contains(t, s1.get("/sessions?from=yesterday"), "Use a date like")
		view := s1.get(page)
		contains(t, view, "Book my place", `value="in_person" checked`, "Booking closes when the session starts", ".ics", "Bring a pen.",
			`<a href="https://example.org/ecg"`)
		lacks(t, view, "teams.example", "/manage")
		redirectsTo(t, s1.post(page, page+"/book", url.Values{"mode": {"by pigeon"}}), page)
		contains(t, s1.get(page), "Choose in person or online.", "Book my place")
		redirectsTo(t, s1.post(page, page+"/book", url.Values{"mode": {"in_person"}}), page)
		booked := s1.get(page)
		contains(t, booked, "You are booked", "in person", "Can’t make it", `data-confirm=`)
		lacks(t, booked, "Join online")
		mine := s1.get("/my/sessions")
		contains(t, mine, "Cardiology: ECG basics", "Booked, in person", "/calendar/", "data-copy=", "Make a new address")
		contains(t, s1.get("/"), "Your next sessions", "Cardiology: ECG basics")

		// The room is full: the next student is offered an online place.
		s2 := a.browser()
		s2.login("s2@example.ac.uk", password)
		offer := s2.get(page)
		contains(t, offer, "The room is full", `value="online" checked`, "full: join the waitlist")
		redirectsTo(t, s2.post(page, page+"/book", url.Values{"mode": {"online"}}), page)
		online := s2.get(page)
		contains(t, online, "You are booked", "online", "Join online", page+"/join")

		// Both are full: the third joins the waitlist and sees their place.
		s3 := a.browser()
		s3.login("s3@example.ac.uk", password)
		contains(t, s3.get(page), "Every place is taken", "Join the waitlist")
		redirectsTo(t, s3.post(page, page+"/book", url.Values{"mode": {"in_person"}}), page)
		contains(t, s3.get(page), "You are 1st on the waitlist", "Leave the waitlist")
		contains(t, s3.get("/my/sessions"), "Waitlist: 1st")

		// Booking twice is refused with a message, not an error page.
		redirectsTo(t, s3.post(page, page+"/book", url.Values{"mode": {"in_person"}}), page)
		contains(t, s3.get(page), "There is already a booking")

		// The teacher sees everyone on the manage page.
		manage := teacher.get(page + "/manage")
		contains(t, manage, "s1@example.ac.uk", "s2@example.ac.uk", "s3@example.ac.uk", "In person, number 1",
			"Attendance", page+"/register", "Cancel the session")

		// "Can't make it" gives the seat to the first waiting.
		redirectsTo(t, s1.post(page, page+"/cancel-booking", url.Values{}), page)
		contains(t, s1.get(page), "Your booking has been cancelled", "Join the waitlist")
		contains(t, s3.get(page), "You are booked")
		contains(t, s1.get("/my/sessions"), "Booking cancelled")

		// A new address for the calendar feed.
		before := s1.get("/my/sessions")
		redirectsTo(t, s1.post("/my/sessions", "/my/calendar/reset", url.Values{}), "/my/sessions")
		after := s1.get("/my/sessions")
		feed := func(r response) string {
			i := strings.Index(string(r.Body), "/calendar/")
			return string(r.Body[i : i+40])
		}
		if feed(before) == feed(after) {
			t.Error("the calendar address did not change")
		}

		// Booking closes when the session starts.
		a.clock.Set(time.Date(2026, 11, 3, 18, 5, 0, 0, time.UTC))
		closed := s1.get(page)
		contains(t, closed, "Booking closed when the session started", "Under way")
		redirectsTo(t, s1.post(page, page+"/book", url.Values{"mode": {"online"}}), page)
		contains(t, s1.get(page), "Booking has closed")
	})
}

func TestSessionPagesEditPublishCancel(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		me, _ := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		co, _ := a.user("co@example.ac.uk", models.RoleTeacher, nil)
		a.user("student@example.ac.uk", models.RoleStudent, intp(2))
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", password)
		id := createdSession(t, teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-11-10T18:00", "2026-11-10T19:00", nil)))
		page := fmt.Sprintf("/sessions/%d", id)

		edit := teacher.get(page + "/edit")
		contains(t, edit, "Edit session", `value="Cardiology: ECG basics"`, `value="2026-11-10T18:00"`, `value="1" checked`,
			"Save draft", `formaction="`+page+`/publish"`)

		// "Publish" on the edit form saves it first; a co-teacher is added.
		v := sessionFormValues("2026-11-10T18:00", "2026-11-10T19:00", url.Values{
			"title": {"ECG basics, revised"}, "form": {"session"}, "mode": {"online"}, "venue": {""}, "in_person_capacity": {""},
			"online_capacity": {""}, "teacher_ids": {fmt.Sprint(me.ID), fmt.Sprint(co.ID)},
		})
		redirectsTo(t, teacher.post(page+"/edit", page+"/publish", v), page)
		pub := teacher.get(page)
		contains(t, pub, "ECG basics, revised", "Published", "Online", "places available", "co, teacher")
		lacks(t, pub, "This is a draft")

		// A bad edit shows the form again, nothing saved.
		v.Set("title", "")
		v.Set("online_capacity", "lots")
		res := teacher.post(page+"/edit", page+"/edit", v)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad edit: %d", res.Status)
		}
		contains(t, res, "Enter a title.", "whole number", `value="lots"`, "Save changes")
		contains(t, teacher.get(page), "ECG basics, revised")

		// The co-teacher manages it too.
		coB := a.browser()
		coB.login("co@example.ac.uk", password)
		contains(t, coB.get("/teaching"), "ECG basics, revised")
		if r := coB.get(page + "/edit"); r.Status != 200 {
			t.Errorf("co-teacher edits: %d", r.Status)
		}

		// Booking on behalf from the manage page, then removing it.
		manage := page + "/manage"
		found := teacher.get(manage + "?q=student")
		contains(t, found, "student@example.ac.uk", manage+"/book")
		student, _ := models.UserByEmail(t.Context(), a.db, "student@example.ac.uk")
		redirectsTo(t, teacher.post(manage, manage+"/book", url.Values{"user_id": {fmt.Sprint(student.ID)}, "q": {"student"}}), manage+"?q=student")
		contains(t, teacher.get(manage), "student is booked (online)", "student@example.ac.uk")
		b, err := models.UserBooking(t.Context(), a.db, id, student.ID)
		if err != nil || b.Status != models.BookingConfirmed {
			t.Fatalf("booking on behalf: %v %+v", err, b)
		}
		redirectsTo(t, teacher.post(manage, fmt.Sprintf("%s/bookings/%d/cancel", page, b.ID), url.Values{}), manage)
		contains(t, teacher.get(manage), "The booking is removed", "Cancelled bookings (1)")

		// Cancelling needs a reason; then everyone sees it is cancelled.
		res = teacher.post(manage, page+"/cancel", url.Values{"reason": {"  "}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("cancel without a reason: %d", res.Status)
		}
		contains(t, res, `id="f-reason-error"`)
		redirectsTo(t, teacher.post(manage, page+"/cancel", url.Values{"reason": {"The teacher is ill."}}), page)
		gone := teacher.get(page)
		contains(t, gone, "This session has been cancelled", "The teacher is ill.")
		lacks(t, gone, page+"/edit")
		redirectsTo(t, teacher.get(page+"/edit"), page)
	})
}

func TestSessionPagesAccess(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("other@example.ac.uk", models.RoleTeacher, nil)
		a.user("boss@example.ac.uk", models.RoleCommittee, nil)
		a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(72 * time.Hour)
		published := apiSession(t, a, teacherTok, sessionBody(start, nil), true)
		draft := apiSession(t, a, teacherTok, sessionBody(start, map[string]any{"title": "Secret draft"}), false)
		pub, dr := fmt.Sprintf("/sessions/%d", published), fmt.Sprintf("/sessions/%d", draft)

		// Without a login: the public page, which offers one; a draft is
		// not found; the calendar file is open.
		anon := a.browser()
		if r := anon.get(pub); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Log in to book") {
			t.Errorf("anonymous session page: %d", r.Status)
		}
		if r := anon.get(dr); r.Status != http.StatusNotFound {
			t.Errorf("anonymous draft page: %d", r.Status)
		}
		if r := anon.get(pub + ".ics"); r.Status != 200 || !strings.Contains(string(r.Body), "BEGIN:VEVENT") {
			t.Errorf("calendar file: %d", r.Status)
		}
		if r := anon.get(dr + ".ics"); r.Status != 404 {
			t.Errorf("draft calendar file: %d", r.Status)
		}
		for _, p := range []string{"/sessions", "/my/sessions", "/teaching"} {
			if r := anon.get(p); r.Status != http.StatusSeeOther {
				t.Errorf("anonymous %s: %d", p, r.Status)
			}
		}

		student := a.browser()
		student.login("student@example.ac.uk", password)
		for _, p := range []string{pub + "/manage", pub + "/edit", "/teaching", "/teaching/new", dr + "/manage"} {
			if r := student.get(p); r.Status != 403 && r.Status != 404 {
				t.Errorf("student opens %s: %d", p, r.Status)
			}
		}
		for _, p := range []string{pub + "/publish", pub + "/cancel", pub + "/manage/book"} {
			if r := student.post(pub, p, url.Values{"reason": {"no"}, "user_id": {"1"}}); r.Status != 403 {
				t.Errorf("student posts %s: %d", p, r.Status)
			}
		}
		lacks(t, student.get(pub), "/manage", "/edit")

		other := a.browser()
		other.login("other@example.ac.uk", password)
		if r := other.get(pub + "/edit"); r.Status != 403 {
			t.Errorf("another teacher opens the edit form: %d", r.Status)
		}
		if r := other.get(dr + "/edit"); r.Status != 404 {
			t.Errorf("another teacher opens someone's draft: %d", r.Status)
		}
		if r := other.post(pub, pub+"/edit", sessionFormValues("2026-11-10T18:00", "2026-11-10T19:00", url.Values{"title": {"Hijacked"}})); r.Status != 403 {
			t.Errorf("another teacher edits: %d", r.Status)
		}
		if r := other.get(pub + "/manage"); r.Status != 403 {
			t.Errorf("another teacher manages: %d", r.Status)
		}
		if r := other.post(pub, pub+"/cancel", url.Values{"reason": {"mine now"}}); r.Status != 403 {
			t.Errorf("another teacher cancels: %d", r.Status)
		}
		lacks(t, other.get("/teaching"), "Secret draft")
		lacks(t, other.get("/teaching?all=1"), "Secret draft")
		s, _ := models.SessionByID(t.Context(), a.db, published)
		if s.Title == "Hijacked" || s.Status != models.SessionPublished {
			t.Errorf("session changed by another teacher: %+v", s)
		}

		// Committee sees every session and manages any.
		boss := a.browser()
		boss.login("boss@example.ac.uk", password)
		contains(t, boss.get("/teaching?all=1"), "Secret draft", "All sessions", "Cardiology: ECG basics")
		lacks(t, boss.get("/teaching"), "Secret draft")
		if r := boss.get(dr + "/manage"); r.Status != 200 {
			t.Errorf("committee manages: %d", r.Status)
		}
		contains(t, boss.get("/"), "My teaching", "Members")
	})
}

func TestSessionPagesEscapeWhatMembersWrite(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(72 * time.Hour)
		id := apiSession(t, a, teacherTok, sessionBody(start, map[string]any{
			"title":       "<script>alert(1)</script>",
			"description": `<img src=x onerror="alert(2)"> and javascript:alert(3) <a href="javascript:alert(4)">x</a>`,
			"topic":       `"><b>bold</b>`, "venue": "<i>Room</i>",
		}), true)
		page := fmt.Sprintf("/sessions/%d", id)
		student := a.browser()
		student.login("student@example.ac.uk", password)
		redirectsTo(t, student.post(page, page+"/book", url.Values{"mode": {"in_person"}}), page)
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", password)

		bad := []string{"<script>alert(1)", "<img src=x", `href="javascript:`, "<b>bold", "<i>Room"}
		for name, r := range map[string]response{
			"session page": student.get(page), "list": student.get("/sessions"), "my sessions": student.get("/my/sessions"),
			"home": student.get("/"), "manage": teacher.get(page + "/manage"), "edit": teacher.get(page + "/edit"),
			"teaching": teacher.get("/teaching"),
		} {
			if r.Status != 200 {
				t.Errorf("%s: %d", name, r.Status)
			}
			lacks(t, r, bad...)
			contains(t, r, "&lt;script&gt;alert(1)&lt;/script&gt;")
		}
		contains(t, student.get(page), "&lt;img src=x onerror=")
	})
}

func TestSessionPagesTimesAcrossTheClockChange(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.clock.Set(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC))
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", password)

		// 25 October 2026: the clocks go back at 02:00 BST to 01:00 GMT.
		id := createdSession(t, teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-10-25T01:30", "2026-10-25T02:30", nil)))
		page := fmt.Sprintf("/sessions/%d", id)
		contains(t, teacher.get(page), "Sun 25 Oct 2026, 01:30–02:30 GMT")
		contains(t, teacher.get(page+"/edit"), `value="2026-10-25T01:30"`, `value="2026-10-25T02:30"`)
		s, _ := models.SessionByID(t.Context(), a.db, id)
		if want := time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC); !s.StartsAt.Equal(want) {
			t.Errorf("stored start %v, want %v", s.StartsAt, want)
		}

		// A summer evening is in BST; one spanning the change says both.
		id = createdSession(t, teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-10-24T18:00", "2026-10-24T19:30", nil)))
		contains(t, teacher.get(fmt.Sprintf("/sessions/%d", id)), "Sat 24 Oct 2026, 18:00–19:30 BST")
		s, _ = models.SessionByID(t.Context(), a.db, id)
		if want := time.Date(2026, 10, 24, 17, 0, 0, 0, time.UTC); !s.StartsAt.Equal(want) {
			t.Errorf("stored BST start %v, want %v", s.StartsAt, want)
		}
		id = createdSession(t, teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2026-10-25T00:30", "2026-10-25T01:30", nil)))
		contains(t, teacher.get(fmt.Sprintf("/sessions/%d", id)), "Sun 25 Oct 2026, 00:30 BST–01:30 GMT")

		// 28 March 2027: there is no 01:30 when the clocks go forward.
		res := teacher.post("/teaching/new", "/teaching/new", sessionFormValues("2027-03-28T01:30", "2027-03-28T03:00", nil))
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a time that does not exist: %d", res.Status)
		}
		contains(t, res, "There is no 01:30 on 28 Mar 2027", `value="2027-03-28T01:30"`)
	})
}
