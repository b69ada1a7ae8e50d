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

// A cancelled session says so, and why; nothing on it is bookable, and the
// member's booking reads as cancelled with it on every page, in the API and
// in the calendar.
func TestACancelledSessionReadsCancelled(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, studentTok := a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(48*time.Hour), map[string]any{"online_capacity": 80})
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": "online"}, studentTok); r.Status != 201 {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		page := fmt.Sprintf("/sessions/%d", id)
		b := a.browser()
		b.login("student@example.ac.uk", "correct horse battery")
		contains(t, b.get(page), "You are booked", "Add to calendar")

		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", id), map[string]string{"reason": "The speaker is ill."}, teacherTok); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		p := b.get(page)
		contains(t, p, "This session has been cancelled.", "Why: The speaker is ill.", "Your booking is cancelled", "Find another session")
		lacks(t, p, "You are booked", "seats left", "places left", "Add to calendar", "Can’t make it", "Join online")

		// The API: the booking is cancelled with the session.
		mine := a.api("GET", "/api/v1/sessions/"+fmt.Sprint(id), nil, studentTok).json(t)["session"].(map[string]any)["my_booking"].(map[string]any)
		if mine["status"] != "cancelled" || mine["cancelled_with_session"] != true {
			t.Errorf("my_booking: %v", mine)
		}
		if _, ok := a.api("GET", "/api/v1/sessions/"+fmt.Sprint(id), nil, studentTok).json(t)["session"].(map[string]any)["online_url"].(string); ok {
			t.Error("the meeting link is still shown on a cancelled session")
		}
		list := a.api("GET", "/api/v1/me/bookings", nil, studentTok).json(t)["bookings"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["status"] != "cancelled" {
			t.Errorf("me/bookings: %v", list)
		}
		if n := len(a.api("GET", "/api/v1/me/bookings?status=confirmed", nil, studentTok).json(t)["bookings"].([]any)); n != 0 {
			t.Errorf("%d confirmed bookings of a cancelled session", n)
		}
		if n := len(a.api("GET", "/api/v1/me/bookings?status=cancelled", nil, studentTok).json(t)["bookings"].([]any)); n != 1 {
			t.Errorf("%d cancelled bookings, want 1", n)
		}
		my := b.get("/my/sessions")
		contains(t, my, "Booking cancelled", ">Cancelled<")
		lacks(t, my, "Booked, online")

		// The session's .ics and the member's feed strike it out.
		ics := a.browser().get(page + ".ics")
		contains(t, ics, "STATUS:CANCELLED")
		feed := a.api("GET", "/api/v1/me/calendar", nil, studentTok).json(t)["url"].(string)
		contains(t, a.browser().get(feed[strings.Index(feed, "/calendar/"):]), "STATUS:CANCELLED", "SUMMARY:Cardiology: ECG basics")

		// Cancelled without a reason (the API allows it): the page says so.
		other := a.attendanceSession(teacherTok, a.clock.Now().Add(72*time.Hour), nil)
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/cancel", other), nil, teacherTok); r.Status != 200 {
			t.Fatalf("cancel: %d %s", r.Status, r.Body)
		}
		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		contains(t, teacher.get(fmt.Sprintf("/sessions/%d", other)), "No reason was given.")
	})
}

// A waitlisted student holds no seat: the page shows their place and offers
// to leave the waitlist.
func TestWaitlistWordsSayWhereYouAre(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		id := a.attendanceSession(teacherTok, a.clock.Now().Add(48*time.Hour), map[string]any{"mode": "in_person", "in_person_capacity": 1, "online_capacity": nil})
		for i := 1; i <= 3; i++ {
			_, tok := a.user(fmt.Sprintf("s%d@example.ac.uk", i), models.RoleStudent, intp(1))
			if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{}, tok); r.Status != 201 {
				t.Fatalf("book %d: %d %s", i, r.Status, r.Body)
			}
		}
		page := fmt.Sprintf("/sessions/%d", id)
		b := a.browser()
		b.login("s3@example.ac.uk", "correct horse battery")
		p := b.get(page)
		contains(t, p, "You are 2nd on the waitlist", "You have no seat yet", "Leave the waitlist", `data-confirm="Leave the waitlist for this session?"`)
		lacks(t, p, "Give up your place", "someone on the waitlist gets your place", "Can’t make it", "Send apologies")

		left := b.follow(t, b.post(page, page+"/cancel-booking", url.Values{}))
		contains(t, left, "You have left the waitlist.")
		lacks(t, left, "your place goes to the next person waiting")

		// Whoever held the seat still reads about their place.
		s1 := a.browser()
		s1.login("s1@example.ac.uk", "correct horse battery")
		contains(t, s1.get(page), "You are booked", "Can’t make it", "someone on the waitlist gets your place")
	})
}

// "My sessions" says what happened at each past session, and what follows.
func TestMySessionsSaysWhatHappened(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		id, start := a.taughtSession(teacherTok, nil)
		names := []string{"came", "late", "absent", "sorry", "walkin"}
		users := map[string]models.User{}
		for _, n := range names {
			u, _ := a.user(n+"@example.ac.uk", models.RoleStudent, intp(1))
			users[n] = u
			if n != "walkin" {
				a.bookFor(teacherTok, id, u.ID, "in_person")
			}
		}
		sorry := a.browser()
		sorry.login("sorry@example.ac.uk", "correct horse battery")
		sorry.post(fmt.Sprintf("/sessions/%d", id), fmt.Sprintf("/sessions/%d/apologies", id), url.Values{})
		a.clock.Set(start.Add(30 * time.Minute))
		mark := func(n string, st models.AttendanceStatus) {
			if _, err := models.MarkRegister(t.Context(), a.db, teacher, id, users[n].ID, models.RegisterEntry{Status: st}, a.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		mark("came", models.AttendancePresent)
		mark("late", models.AttendanceLate)
		mark("absent", models.AttendanceAbsent)
		mark("walkin", models.AttendancePresent)
		a.clock.Set(start.Add(2 * time.Hour))

		want := map[string][]string{
			"came":   {"Present, in person", "Give feedback"},
			"late":   {"Late, in person", "Give feedback"},
			"absent": {"<td>Absent</td>"},
			"sorry":  {"Excused: you sent apologies"},
			"walkin": {"Present, as a walk-in", "Give feedback"},
		}
		for _, n := range names {
			b := a.browser()
			b.login(n+"@example.ac.uk", "correct horse battery")
			p := b.get("/my/sessions")
			contains(t, p, append([]string{"What happened", "Cardiology: ECG basics"}, want[n]...)...)
			lacks(t, p, "Booked, in person")
			if n == "came" {
				// Feedback given: the certificate follows.
				form := fmt.Sprintf("/sessions/%d/feedback", id)
				b.post(form, form, goodFeedback("", ""))
				after := b.get("/my/sessions")
				contains(t, after, ">Certificate<")
				lacks(t, after, "Give feedback")
			}
		}
	})
}

// Feedback opens 10 minutes before the end: earlier, a 409 that says when;
// the certificate comes with the feedback, not with the check-in.
func TestFeedbackOpensTenMinutesBeforeTheEnd(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		student, tok := a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		id, start := a.taughtSession(teacherTok, map[string]any{"ends_at": a.clock.Now().Add(25 * time.Hour).Format(time.RFC3339)})
		end := start.Add(time.Hour)
		a.bookFor(teacherTok, id, student.ID, "in_person")
		a.clock.Set(start.Add(time.Minute))
		a.attended(teacher, id, student)

		body := map[string]any{"overall": 5, "teaching": 5, "confidence_before": 2, "confidence_after": 4, "benefits": []string{"knowledge"}}
		r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/feedback", id), body, tok)
		if r.Status != http.StatusConflict || r.errorCode(t) != "feedback_not_open" {
			t.Fatalf("a minute in: %d %s", r.Status, r.Body)
		}
		opens := end.Add(-10 * time.Minute)
		e := r.json(t)["error"].(map[string]any)
		if e["opens_at"] != opens.Format(time.RFC3339) || r.json(t)["opens_at"] != opens.Format(time.RFC3339) {
			t.Errorf("opens_at: %s", r.Body)
		}
		if !strings.Contains(e["message"].(string), "Feedback opens at "+opens.In(a.cfg.Location).Format("15:04")) {
			t.Errorf("message: %v", e["message"])
		}
		if n := len(a.api("GET", "/api/v1/me/certificates", nil, tok).json(t)["certificates"].([]any)); n != 0 {
			t.Errorf("%d certificates before feedback", n)
		}
		b := a.browser()
		b.login("student@example.ac.uk", "correct horse battery")
		form := fmt.Sprintf("/sessions/%d/feedback", id)
		contains(t, b.get(form), "Feedback opens at "+opens.In(a.cfg.Location).Format("15:04"))
		contains(t, b.get(fmt.Sprintf("/sessions/%d", id)), "You are checked in", "Feedback opens at "+opens.In(a.cfg.Location).Format("15:04"))
		lacks(t, b.get("/my/feedback"), "Cardiology: ECG basics")

		a.clock.Set(opens)
		contains(t, b.get(fmt.Sprintf("/sessions/%d", id)), `href="`+form+`"`, "Give feedback")
		contains(t, b.get("/my/feedback"), "Cardiology: ECG basics")
		r = a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/feedback", id), body, tok)
		if r.Status != http.StatusCreated {
			t.Fatalf("10 minutes before the end: %d %s", r.Status, r.Body)
		}
		if n := len(a.api("GET", "/api/v1/me/certificates", nil, tok).json(t)["certificates"].([]any)); n != 1 {
			t.Errorf("%d certificates after feedback", n)
		}
	})
}

// Outside the check-in window every code, right or wrong, gets the window's
// answer: when check-in opens, or when it closed.
func TestCheckinSaysWhenItOpens(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, tok := a.user("student@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(time.Hour) // 10:00 in London; check-in opens at 09:45
		id := a.attendanceSession(teacherTok, start, map[string]any{"mode": "in_person", "in_person_capacity": 20, "online_capacity": nil})
		code := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), nil, teacherTok).json(t)["code"].(string)

		right := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), map[string]string{"code": code}, tok)
		wrong := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), map[string]string{"code": "PZZZZZ"}, tok)
		for _, r := range []response{right, wrong} {
			if r.Status != 422 || r.errorCode(t) != "checkin_closed" || !strings.Contains(string(r.Body), "Check-in opens at 09:45") {
				t.Errorf("before the window: %d %s", r.Status, r.Body)
			}
		}
		if string(right.Body) != string(wrong.Body) {
			t.Errorf("a right and a wrong code are answered differently:\n%s\n%s", right.Body, wrong.Body)
		}
		// The code alone names its session.
		if r := a.api("POST", "/api/v1/checkin", map[string]string{"code": code}, tok); r.Status != 422 || !strings.Contains(string(r.Body), "Check-in opens at 09:45") {
			t.Errorf("code alone, before the window: %d %s", r.Status, r.Body)
		}
		b := a.browser()
		b.login("student@example.ac.uk", "correct horse battery")
		p := b.post("/checkin", "/checkin", url.Values{"code": {code}})
		contains(t, p, "Check-in opens at 09:45")
		lacks(t, p, "wrong or has expired")
		contains(t, b.get(fmt.Sprintf("/checkin?session=%d&code=%s", id, code)), "Check-in opens at 09:45")
		if _, found := a.attendanceOf(0, id); found {
			t.Error("recorded")
		}

		// After the end.
		a.clock.Set(start.Add(91 * time.Minute))
		r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), map[string]string{"code": "PZZZZZ"}, tok)
		if r.Status != 422 || !strings.Contains(string(r.Body), "Check-in closed at 11:30") || r.json(t)["closed_at"] == nil {
			t.Errorf("after the end: %d %s", r.Status, r.Body)
		}
	})
}

// A student who never booked checks in as a walk-in: they are told, the
// record says so, and the teacher's screen counts them.
func TestAWalkInIsToldAndCounted(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		booked, bookedTok := a.user("booked@example.ac.uk", models.RoleStudent, intp(1))
		_, walkTok := a.user("walkin@example.ac.uk", models.RoleStudent, intp(1))
		start := a.clock.Now().Add(5 * time.Minute)
		id := a.attendanceSession(teacherTok, start, map[string]any{"mode": "in_person", "in_person_capacity": 1, "online_capacity": nil})
		a.bookFor(teacherTok, id, booked.ID, "in_person") // the room is full
		code := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), nil, teacherTok).json(t)["code"].(string)

		r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), map[string]string{"code": code}, bookedTok)
		if r.Status != 201 || r.json(t)["attendance"].(map[string]any)["walk_in"] != false {
			t.Errorf("booked: %d %s", r.Status, r.Body)
		}
		r = a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/checkin", id), map[string]string{"code": code}, walkTok)
		if r.Status != 201 || r.json(t)["attendance"].(map[string]any)["walk_in"] != true {
			t.Errorf("walk-in: %d %s", r.Status, r.Body)
		}
		w := a.browser()
		w.login("walkin@example.ac.uk", "correct horse battery")
		contains(t, w.get(fmt.Sprintf("/checkin/done?session=%d", id)), "You are checked in as a walk-in")
		bb := a.browser()
		bb.login("booked@example.ac.uk", "correct horse battery")
		lacks(t, bb.get(fmt.Sprintf("/checkin/done?session=%d", id)), "walk-in")

		teacher := a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		contains(t, teacher.get(fmt.Sprintf("/sessions/%d/attendance", id)), "1 walk-in: checked in without a booking")
		list := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d/attendance", id), nil, teacherTok).json(t)["attendance"].([]any)
		walkIns := 0
		for _, x := range list {
			if x.(map[string]any)["walk_in"] == true {
				walkIns++
			}
		}
		if len(list) != 2 || walkIns != 1 {
			t.Errorf("attendance: %v", list)
		}
	})
}

// A student sees their own year's sessions first, all years one click away,
// and is asked once before booking a session aimed at other years.
func TestSessionsForMyYearAndBookingOtherYears(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		student, _ := a.user("first@example.ac.uk", models.RoleStudent, intp(1))
		_, _ = a.user("third@example.ac.uk", models.RoleStudent, intp(3))
		start := a.clock.Now().Add(48 * time.Hour)
		mine := a.attendanceSession(teacherTok, start, map[string]any{"title": "Anatomy for year 1", "year_groups": []int{1, 2}})
		senior := a.attendanceSession(teacherTok, start, map[string]any{"title": "Finals OSCE practice", "year_groups": []int{5, 6}, "mode": "in_person", "online_capacity": nil})

		b := a.browser()
		b.login("first@example.ac.uk", "correct horse battery")
		list := b.get("/sessions")
		contains(t, list, "Anatomy for year 1", "1 session for year 1 coming up.", `href="/sessions?year=all">All years</a>`)
		lacks(t, list, "Finals OSCE practice", "come first")
		contains(t, b.get("/sessions?year=all"), "Anatomy for year 1", "Finals OSCE practice")

		page := fmt.Sprintf("/sessions/%d", senior)
		contains(t, b.get(page), "This session is for years 5–6; you are in year 1.")
		ask := b.post(page, page+"/book", url.Values{"mode": {"in_person"}})
		if ask.Status != 200 {
			t.Fatalf("asked: %d %s", ask.Status, ask.Body)
		}
		contains(t, ask, "This session is for years 5–6 — book anyway?", `name="other_years" value="yes"`, ">Book anyway</button>")
		if _, err := models.UserBooking(t.Context(), a.db, senior, student.ID); err == nil {
			t.Fatal("booked before saying yes")
		}
		redirectsTo(t, b.post(page, page+"/book", url.Values{"mode": {"in_person"}, "other_years": {"yes"}}), page)
		if bk, err := models.UserBooking(t.Context(), a.db, senior, student.ID); err != nil || bk.Status != models.BookingConfirmed {
			t.Errorf("after saying yes: %+v %v", bk, err)
		}
		// Their own year's session books at once.
		redirectsTo(t, b.post(fmt.Sprintf("/sessions/%d", mine), fmt.Sprintf("/sessions/%d/book", mine), url.Values{"mode": {"in_person"}}), fmt.Sprintf("/sessions/%d", mine))
		// The API books as the contract says, whatever the years.
		_, other := a.user("other@example.ac.uk", models.RoleStudent, intp(2))
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", senior), map[string]string{}, other); r.Status != 201 {
			t.Errorf("API booking: %d %s", r.Status, r.Body)
		}

		// Nothing for year 3: say so, and where the rest are.
		t3 := a.browser()
		t3.login("third@example.ac.uk", "correct horse battery")
		empty := t3.get("/sessions")
		contains(t, empty, "Nothing is planned for year 3 yet.", "2 sessions are coming up for other years", `href="/sessions?year=all">see all years</a>`)
		lacks(t, empty, "come first")
	})
}

// The academic-year page says when the last start was and by whom, who
// moves and who graduates, and refuses a second start in the same year.
func TestAcademicYearPageSaysWhenAndWho(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		a.user("ann@example.ac.uk", models.RoleStudent, intp(1))
		a.user("zoe@example.ac.uk", models.RoleStudent, intp(6))
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		p := b.get("/committee/academic-year")
		contains(t, p, "No start of an academic year is on record here yet.", "began on Sat 1 Aug 2026, 4 months ago",
			"Who becomes a graduate (1)", "<li>zoe", `href="/committee/members?year_of_study=1"`)

		redirectsTo(t, b.post("/committee/academic-year", "/committee/academic-year", url.Values{"confirm": {"yes"}}), "/committee/academic-year")
		after := b.get("/committee/academic-year")
		contains(t, after, "Last started: academic year 2026/27, on Thu 3 Dec 2026 at 09:00 by chair — 1 member moved up a year and 1 became graduate.",
			"2026/27 has already been started.")
		lacks(t, after, `name="confirm"`)
		// A second start, from a page left open: refused on the page too.
		again := b.postRaw("/committee/academic-year", url.Values{"confirm": {"yes"}, "_csrf": {b.csrf("/account")}})
		if again.Status != http.StatusConflict {
			t.Errorf("second start: %d", again.Status)
		}
		contains(t, again, "already been started")
		if u, _ := models.FindUsers(t.Context(), a.db, models.UserFilter{Query: "ann"}); len(u) != 1 || *u[0].YearOfStudy != 2 {
			t.Errorf("Ann moved twice: %v", u)
		}
	})
}
