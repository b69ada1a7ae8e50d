package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

func sessionBody(start time.Time, extra map[string]any) map[string]any {
	b := map[string]any{
		"title": "Cardiology: ECG basics", "description": "Bring a pen.\n\nSlides: https://example.org/ecg",
		"topic": "Cardiology", "format": "lecture", "year_groups": []int{1, 2}, "mode": "hybrid",
		"venue": "Lecture Theatre 2", "online_url": "https://teams.example/meet/ecg",
		"in_person_capacity": 2, "online_capacity": 50,
		"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(90 * time.Minute).Format(time.RFC3339),
	}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func TestSessionsAndBookingsAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, otherTeacherTok := a.user("other@example.ac.uk", models.RoleTeacher, nil)
		_, s1Tok := a.user("s1@example.ac.uk", models.RoleStudent, intp(1))
		_, s2Tok := a.user("s2@example.ac.uk", models.RoleStudent, intp(2))
		start := a.clock.Now().Add(72 * time.Hour)

		if res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), s1Tok); res.Status != 403 {
			t.Errorf("student creates a session: %d", res.Status)
		}
		res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), teacherTok)
		if res.Status != 201 {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		sess := res.json(t)["session"].(map[string]any)
		id := int64(sess["id"].(float64))
		if sess["status"] != "draft" || sess["online_url"] != "https://teams.example/meet/ecg" {
			t.Errorf("created session = %v", sess)
		}
		path := fmt.Sprintf("/api/v1/sessions/%d", id)

		// Students never see drafts.
		if r := a.api("GET", path, nil, s1Tok); r.Status != 404 {
			t.Errorf("student reads a draft: %d", r.Status)
		}
		if r := a.api("GET", "/api/v1/sessions", nil, s1Tok); strings.Contains(string(r.Body), "ECG basics") {
			t.Error("a draft is listed to a student")
		}
		// Only its teachers manage it.
		if r := a.api("PATCH", path, map[string]any{"title": "Hijacked"}, otherTeacherTok); r.Status != 403 && r.Status != 404 {
			t.Errorf("another teacher edits: %d", r.Status)
		}
		if r := a.api("POST", path+"/publish", nil, otherTeacherTok); r.Status != 403 && r.Status != 404 {
			t.Errorf("another teacher publishes: %d", r.Status)
		}
		if r := a.api("POST", path+"/publish", nil, teacherTok); r.Status != 200 {
			t.Fatalf("publish: %d %s", r.Status, r.Body)
		}

		// A student finds it for their year and books; the room fills, online remains.
		r := a.api("GET", "/api/v1/sessions?year=1&mode=in_person&q=ecg", nil, s1Tok)
		if list := r.json(t)["sessions"].([]any); len(list) != 1 {
			t.Fatalf("student's list: %s", r.Body)
		}
		if r := a.api("GET", path, nil, s1Tok); r.json(t)["session"].(map[string]any)["online_url"] != nil {
			t.Error("online_url shown to a student without a booking")
		}
		if r := a.api("POST", path+"/bookings", map[string]any{}, s1Tok); r.Status != 422 {
			t.Errorf("hybrid booking without mode: %d %s", r.Status, r.Body)
		}
		r = a.api("POST", path+"/bookings", map[string]any{"mode": "in_person"}, s1Tok)
		if r.Status != 201 || r.json(t)["booking"].(map[string]any)["status"] != "confirmed" {
			t.Fatalf("book: %d %s", r.Status, r.Body)
		}
		if r := a.api("POST", path+"/bookings", map[string]any{"mode": "in_person"}, s1Tok); r.Status != 409 || r.errorCode(t) != "already_booked" {
			t.Errorf("second booking: %d %s", r.Status, r.Body)
		}
		if r := a.api("GET", path, nil, s1Tok); r.json(t)["session"].(map[string]any)["online_url"] == nil {
			t.Error("online_url hidden from a confirmed student")
		}
		r = a.api("POST", path+"/bookings", map[string]any{"mode": "online"}, s2Tok)
		if r.Status != 201 {
			t.Fatalf("online booking: %d %s", r.Status, r.Body)
		}

		// Students cannot read the booking list or cancel others' bookings.
		if r := a.api("GET", path+"/bookings", nil, s2Tok); r.Status != 403 {
			t.Errorf("student reads bookings: %d", r.Status)
		}
		r = a.api("GET", path+"/bookings", nil, teacherTok)
		bookings := r.json(t)["bookings"].([]any)
		if len(bookings) != 2 || bookings[0].(map[string]any)["user"] == nil {
			t.Errorf("teacher's booking list: %s", r.Body)
		}
		bid := int64(bookings[0].(map[string]any)["id"].(float64))
		if r := a.api("DELETE", fmt.Sprintf("%s/bookings/%d", path, bid), nil, s2Tok); r.Status != 403 {
			t.Errorf("student cancels another's booking: %d", r.Status)
		}

		// My bookings and my calendar feed.
		r = a.api("GET", "/api/v1/me/bookings", nil, s1Tok)
		mine := r.json(t)["bookings"].([]any)
		if len(mine) != 1 || mine[0].(map[string]any)["session"] == nil {
			t.Errorf("my bookings: %s", r.Body)
		}
		r = a.api("GET", "/api/v1/me/calendar", nil, s1Tok)
		feed := r.json(t)["url"].(string)
		if again := a.api("GET", "/api/v1/me/calendar", nil, s1Tok).json(t)["url"]; again != feed {
			t.Errorf("calendar address changed between reads: %s vs %s", feed, again)
		}
		feedPath := strings.TrimPrefix(feed, a.cfg.BaseURL)
		ics := a.api("GET", feedPath, nil, "")
		if ics.Status != 200 || !strings.Contains(string(ics.Body), "SUMMARY:Cardiology: ECG basics") || !strings.Contains(ics.Header.Get("Content-Type"), "text/calendar") {
			t.Errorf("feed: %d %s", ics.Status, ics.Body)
		}
		// Revoking the feed makes the old address useless.
		newFeed := a.api("POST", "/api/v1/me/calendar/reset", nil, s1Tok).json(t)["url"].(string)
		if newFeed == feed {
			t.Error("reset kept the address")
		}
		if r := a.api("GET", feedPath, nil, ""); r.Status != 404 {
			t.Errorf("revoked feed: %d", r.Status)
		}

		// The session's own .ics, for anyone with the link.
		r = a.api("GET", fmt.Sprintf("/sessions/%d.ics", id), nil, "")
		if r.Status != 200 || !strings.Contains(string(r.Body), fmt.Sprintf("UID:session-%d@", id)) {
			t.Errorf("session ics: %d %s", r.Status, r.Body)
		}

		// Cancelling my booking frees the seat.
		if r := a.api("DELETE", path+"/bookings/me", nil, s1Tok); r.Status != 204 {
			t.Errorf("cancel my booking: %d %s", r.Status, r.Body)
		}
		r = a.api("GET", path, nil, s2Tok)
		counts := r.json(t)["session"].(map[string]any)["counts"].(map[string]any)
		if counts["confirmed_in_person"] != float64(0) || counts["confirmed_online"] != float64(1) {
			t.Errorf("counts after cancel: %v", counts)
		}

		// Cancelling the session tells everyone booked.
		if r := a.api("POST", path+"/cancel", map[string]string{"reason": "Speaker unwell"}, teacherTok); r.Status != 200 {
			t.Errorf("cancel session: %d %s", r.Status, r.Body)
		}
		msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailSessionCancelled})
		if len(msgs) != 1 || msgs[0].ToAddr != "s2@example.ac.uk" {
			t.Errorf("session_cancelled e-mails: %+v", msgs)
		}
	})
}

func TestSessionInputErrors(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, tok := a.user("t@example.ac.uk", models.RoleTeacher, nil)
		start := a.clock.Now().Add(48 * time.Hour)
		cases := []struct {
			name   string
			body   any
			status int
		}{
			{"no title", sessionBody(start, map[string]any{"title": ""}), 422},
			{"bad format", sessionBody(start, map[string]any{"format": "rave"}), 422},
			{"ends before start", sessionBody(start, map[string]any{"ends_at": start.Add(-time.Hour).Format(time.RFC3339)}), 422},
			{"starts in the past", sessionBody(a.clock.Now().Add(-48*time.Hour), nil), 422},
			{"year 9", sessionBody(start, map[string]any{"year_groups": []int{9}}), 422},
			{"capacity as text", sessionBody(start, map[string]any{"in_person_capacity": "forty"}), 400},
			{"huge title", sessionBody(start, map[string]any{"title": strings.Repeat("x", 100000)}), 422},
			{"not JSON", "{title:", 400},
		}
		for _, c := range cases {
			if r := a.api("POST", "/api/v1/sessions", c.body, tok); r.Status != c.status {
				t.Errorf("%s: %d, want %d: %.200s", c.name, r.Status, c.status, r.Body)
			}
		}
		for _, q := range []string{"year=abc", "from=yesterday", "mode=teleport", "to=2020-01-01&from=2021-01-01"} {
			if r := a.api("GET", "/api/v1/sessions?"+q, nil, tok); r.Status != 422 {
				t.Errorf("filter %s: %d %s", q, r.Status, r.Body)
			}
		}
		if r := a.api("GET", "/api/v1/sessions/999999", nil, tok); r.Status != 404 {
			t.Errorf("unknown session: %d", r.Status)
		}
		if r := a.api("GET", "/api/v1/sessions", nil, ""); r.Status != http.StatusUnauthorized {
			t.Errorf("anonymous list: %d", r.Status)
		}
	})
}
