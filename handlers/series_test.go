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

// seriesBody is a weekly in-person series of weeks sessions with seats
// each, on Tuesdays at 18:00 from 3 November 2026.
func seriesBody(weeks, seats int, skip ...string) map[string]any {
	start := time.Date(2026, 11, 3, 18, 0, 0, 0, time.UTC)
	return sessionBody(start, map[string]any{"title": "Year 2 anatomy", "mode": "in_person", "online_url": "", "online_capacity": nil,
		"in_person_capacity": seats, "weekly": map[string]int{"count": weeks}, "skip_dates": skip})
}

func TestSeriesAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacher := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, s1 := a.user("s1@example.ac.uk", models.RoleStudent, intp(2))
		_, s2 := a.user("s2@example.ac.uk", models.RoleStudent, intp(2))

		if res := a.api("POST", "/api/v1/series", seriesBody(4, 1), s1); res.Status != http.StatusForbidden {
			t.Fatalf("a student makes a series: %d", res.Status)
		}
		res := a.api("POST", "/api/v1/series", seriesBody(4, 1, "2026-11-10", "2026-11-11"), teacher)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "2026-11-11 is not a date of the series") {
			t.Fatalf("a skipped Wednesday: %d %s", res.Status, res.Body)
		}
		res = a.api("POST", "/api/v1/series", seriesBody(4, 1, "2026-11-10"), teacher)
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		body := res.json(t)
		series := body["series"].(map[string]any)
		id := int64(series["id"].(float64))
		sessions := body["sessions"].([]any)
		if series["title"] != "Year 2 anatomy" || len(sessions) != 3 {
			t.Fatalf("series %v with %d sessions", series, len(sessions))
		}
		var ids []int64
		for _, x := range sessions {
			s := x.(map[string]any)
			if s["status"] != "draft" || int64(s["series_id"].(float64)) != id {
				t.Fatalf("session %v", s)
			}
			ids = append(ids, int64(s["id"].(float64)))
		}
		// A session of no series says so.
		lone := a.api("POST", "/api/v1/sessions", sessionBody(a.clock.Now().Add(72*time.Hour), nil), teacher).json(t)["session"].(map[string]any)
		if v, ok := lone["series_id"]; !ok || v != nil {
			t.Fatalf("series_id of a lone session: %v (%v)", v, ok)
		}

		if res := a.api("POST", fmt.Sprintf("/api/v1/series/%d/bookings", id), map[string]any{}, s1); res.Status != http.StatusNotFound {
			t.Fatalf("booking a draft series: %d", res.Status)
		}
		if res := a.api("POST", fmt.Sprintf("/api/v1/series/%d/publish", id), nil, teacher); res.Status != http.StatusOK {
			t.Fatalf("publish: %d %s", res.Status, res.Body)
		}
		res = a.api("POST", fmt.Sprintf("/api/v1/series/%d/bookings", id), map[string]any{"mode": "in_person"}, s1)
		if res.Status != http.StatusCreated {
			t.Fatalf("book: %d %s", res.Status, res.Body)
		}
		bs := res.json(t)["bookings"].([]any)
		if len(bs) != 3 || bs[0].(map[string]any)["status"] != "confirmed" || bs[0].(map[string]any)["already_booked"] != false {
			t.Fatalf("bookings %s", res.Body)
		}
		res = a.api("POST", fmt.Sprintf("/api/v1/series/%d/bookings", id), nil, s2)
		bs = res.json(t)["bookings"].([]any)
		if res.Status != http.StatusCreated || len(bs) != 3 || bs[2].(map[string]any)["status"] != "waitlisted" || bs[2].(map[string]any)["waitlist_position"] != float64(1) {
			t.Fatalf("second student: %d %s", res.Status, res.Body)
		}
		res = a.api("POST", fmt.Sprintf("/api/v1/series/%d/bookings", id), nil, s2)
		if bs = res.json(t)["bookings"].([]any); bs[0].(map[string]any)["already_booked"] != true {
			t.Fatalf("again: %s", res.Body)
		}
		if res := a.api("GET", fmt.Sprintf("/api/v1/series/%d", id), nil, s2); res.Status != http.StatusOK || len(res.json(t)["sessions"].([]any)) != 3 {
			t.Fatalf("get: %d %s", res.Status, res.Body)
		}

		// This and the rest: an hour later from the second session on.
		later := time.Date(2026, 11, 17, 19, 0, 0, 0, time.UTC)
		patch := map[string]any{"starts_at": later.Format(time.RFC3339), "ends_at": later.Add(time.Hour).Format(time.RFC3339)}
		if res := a.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d?series=next", ids[1]), patch, teacher); res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an unknown scope: %d", res.Status)
		}
		res = a.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d?series=rest", ids[1]), patch, teacher)
		if res.Status != http.StatusOK || len(res.json(t)["sessions"].([]any)) != 2 {
			t.Fatalf("patch the rest: %d %s", res.Status, res.Body)
		}
		last := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d", ids[2]), nil, teacher).json(t)["session"].(map[string]any)
		if last["starts_at"] != "2026-11-24T19:00:00Z" {
			t.Fatalf("the last session starts %v", last["starts_at"])
		}
		res = a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/cancel?series=rest", ids[1]), map[string]string{"reason": "Room closed."}, teacher)
		if res.Status != http.StatusOK || len(res.json(t)["sessions"].([]any)) != 2 {
			t.Fatalf("cancel the rest: %d %s", res.Status, res.Body)
		}
		if first := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d", ids[0]), nil, teacher).json(t)["session"].(map[string]any); first["status"] != "published" {
			t.Fatalf("the first session is %v", first["status"])
		}

		// A copy for next week, as a draft.
		res = a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/duplicate", ids[0]), nil, teacher)
		if res.Status != http.StatusCreated {
			t.Fatalf("duplicate: %d %s", res.Status, res.Body)
		}
		c := res.json(t)["session"].(map[string]any)
		if c["status"] != "draft" || c["starts_at"] != "2026-11-10T18:00:00Z" || c["series_id"] != nil || c["title"] != "Year 2 anatomy" {
			t.Fatalf("copy %v", c)
		}
		if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/duplicate", ids[0]), nil, s1); res.Status != http.StatusForbidden {
			t.Fatalf("a student copies: %d", res.Status)
		}
	})
}

func TestSeriesPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		a.user("student@example.ac.uk", models.RoleStudent, intp(2))
		teacher, student := a.browser(), a.browser()
		teacher.login("teacher@example.ac.uk", "correct horse battery")
		student.login("student@example.ac.uk", "correct horse battery")

		form := url.Values{"title": {"Year 2 anatomy"}, "format": {"small_group"}, "year_groups": {"2"}, "mode": {"in_person"},
			"venue": {"Dissection room"}, "in_person_capacity": {"1"}, "starts_at": {"2026-11-03T18:00"}, "ends_at": {"2026-11-03T19:30"},
			"weeks": {"eight"}, "skip_dates": {"2026-11-10"}}
		res := teacher.post("/teaching/series/new", "/teaching/series/new", form)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("weeks in words: %d", res.Status)
		}
		contains(t, res, "Enter the number of weeks as a whole number", `value="Year 2 anatomy"`, `value="2026-11-10"`)
		form.Set("weeks", "3")
		res = teacher.post("/teaching/series/new", "/teaching/series/new", form)
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/series/") {
			t.Fatalf("create: %d %s", res.Status, res.Header.Get("Location"))
		}
		page := res.Header.Get("Location")
		contains(t, teacher.get(page), "2 of these sessions are drafts", "Publish all 2 drafts", "Tue 3 Nov 2026, 18:00", "Tue 17 Nov 2026, 18:00")
		if res := student.get(page); res.Status != http.StatusNotFound {
			t.Fatalf("a student sees the draft series: %d", res.Status)
		}
		if res := teacher.post(page, page+"/publish", url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("publish: %d", res.Status)
		}
		contains(t, student.get(page), "Book the whole series", "Book all 2 sessions")
		res = student.post(page, page+"/book", url.Values{})
		if res.Status != http.StatusSeeOther || flashKind(res) != "success" {
			t.Fatalf("book: %d %s", res.Status, flashKind(res))
		}
		contains(t, student.get(page), "You have a place on 2 sessions", "Booked</strong>, in person")

		// The manage page offers the copy, the series and the rest.
		var sid int64
		ss, _ := models.ListSessions(t.Context(), a.db, mustUser(t, a, "teacher@example.ac.uk"), models.SessionFilter{})
		for _, s := range ss {
			if s.SeriesID != nil && sid == 0 {
				sid = s.ID
			}
		}
		manage := teacher.get(fmt.Sprintf("/sessions/%d/manage", sid))
		contains(t, manage, "Copy to next week", "see every session of the series", "This session and the 1 later one of the series")
		contains(t, teacher.get(fmt.Sprintf("/sessions/%d/edit", sid)), "Change this session and the 1 later one of the series")
		// A refused change to the rest shows the form again, still for the rest.
		res = teacher.post(fmt.Sprintf("/sessions/%d/edit", sid), fmt.Sprintf("/sessions/%d/edit", sid), url.Values{"title": {""}, "series": {"rest"},
			"format": {"small_group"}, "year_groups": {"2"}, "mode": {"in_person"}, "venue": {"Dissection room"}, "in_person_capacity": {"1"},
			"starts_at": {"2026-11-03T18:00"}, "ends_at": {"2026-11-03T19:30"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("an empty title for the rest: %d", res.Status)
		}
		contains(t, res, "Enter a title.", `value="rest" checked`)
		contains(t, student.get(fmt.Sprintf("/sessions/%d", sid)), "book the whole series")
		res = teacher.post(fmt.Sprintf("/sessions/%d/manage", sid), fmt.Sprintf("/sessions/%d/cancel", sid), url.Values{"reason": {"Exams."}, "series": {"rest"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("cancel the rest: %d %s", res.Status, res.Body)
		}
		for _, s := range ss {
			if got, _ := models.SessionByID(t.Context(), a.db, s.ID); s.SeriesID != nil && got.Status != models.SessionCancelled {
				t.Errorf("session %d is %s", s.ID, got.Status)
			}
		}
		res = teacher.post(fmt.Sprintf("/sessions/%d/manage", sid), fmt.Sprintf("/sessions/%d/duplicate", sid), url.Values{})
		if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/edit") {
			t.Fatalf("copy: %d %s", res.Status, res.Header.Get("Location"))
		}
		// The copy is a week after the first session, the date the series skipped.
		contains(t, teacher.get(res.Header.Get("Location")), "A copy is saved as a draft for Tue 10 Nov 2026, 18:00", `value="2026-11-10T18:00"`)
	})
}

func TestDashboardBySeries(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		_, chair := a.user("chair2@example.ac.uk", models.RoleCommittee, nil)
		student, _ := a.user("student@example.ac.uk", models.RoleStudent, intp(2))
		// Committee records a series that ran in October.
		body := seriesBody(2, 10)
		body["starts_at"], body["ends_at"] = "2026-10-13T17:00:00Z", "2026-10-13T18:30:00Z"
		res := a.api("POST", "/api/v1/series", body, chair)
		if res.Status != http.StatusCreated {
			t.Fatalf("series: %d %s", res.Status, res.Body)
		}
		id := int64(res.json(t)["series"].(map[string]any)["id"].(float64))
		a.api("POST", fmt.Sprintf("/api/v1/series/%d/publish", id), nil, chair)
		for _, x := range res.json(t)["sessions"].([]any) {
			sid := int64(x.(map[string]any)["id"].(float64))
			if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", sid), map[string]any{"mode": "in_person", "user_id": student.ID}, chair); r.Status != http.StatusCreated {
				t.Fatalf("booking: %d %s", r.Status, r.Body)
			}
			if r := a.api("PUT", fmt.Sprintf("/api/v1/sessions/%d/attendance/%d", sid, student.ID), map[string]any{"status": "present"}, chair); r.Status != http.StatusOK {
				t.Fatalf("register: %d %s", r.Status, r.Body)
			}
		}
		rep := a.api("GET", "/api/v1/stats/attendance?from=2026-09-01&to=2026-11-01&group_by=series", nil, chair)
		rows := rep.json(t)["rows"].([]any)
		if rep.Status != http.StatusOK || len(rows) != 1 || rows[0].(map[string]any)["label"] != "Year 2 anatomy" || rows[0].(map[string]any)["sessions"] != float64(2) {
			t.Fatalf("by series: %d %s", rep.Status, rep.Body)
		}
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		contains(t, b.get("/committee/dashboard?from=2026-09-01&to=2026-10-31"), "Attendance by series", "Year 2 anatomy")
	})
}
