package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// The answers of routes.go's relations that the authorisation matrix does
// not reach: files at a page's address, a teacher holding a place on a
// colleague's session, a cancelled session, a session that has started, the
// check-in rate limit, a refusal before a malformed request is read, and
// another teacher's feedback.
func TestRelationsBeyondTheMatrix(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		other, otherTok := a.user("other@example.ac.uk", models.RoleTeacher, nil)
		_, chairTok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		_, bookedTok := a.user("booked@example.ac.uk", models.RoleStudent, intp(1))
		_, browsingTok := a.user("browsing@example.ac.uk", models.RoleStudent, intp(1))
		mk := func(tok string, start time.Time, publish bool) int64 {
			t.Helper()
			res := a.api("POST", "/api/v1/sessions", sessionBody(start, nil), tok)
			if res.Status != http.StatusCreated {
				t.Fatalf("session: %d %s", res.Status, res.Body)
			}
			id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
			if publish {
				if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, tok); res.Status != http.StatusOK {
					t.Fatalf("publish: %d %s", res.Status, res.Body)
				}
			}
			return id
		}
		book := func(tok string, id int64, mode string) int64 {
			t.Helper()
			res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", id), map[string]string{"mode": mode}, tok)
			if res.Status != http.StatusCreated {
				t.Fatalf("booking: %d %s", res.Status, res.Body)
			}
			return int64(res.json(t)["booking"].(map[string]any)["id"].(float64))
		}
		want := func(name string, res response, status int, code string) {
			t.Helper()
			if res.Status != status {
				t.Errorf("%s: %d, want %d: %.300s", name, res.Status, status, res.Body)
			} else if code != "" && res.errorCode(t) != code {
				t.Errorf("%s: error %s, want %s", name, res.errorCode(t), code)
			}
		}
		start := a.clock.Now().Add(48 * time.Hour)
		session := mk(teacherTok, start, true)
		draft := mk(teacherTok, start, false)
		path := func(id int64, rest string) string { return fmt.Sprintf("/api/v1/sessions/%d%s", id, rest) }
		bookedPlace := book(bookedTok, session, "online")

		t.Run("files at a page's address", func(t *testing.T) {
			anon := a.browser()
			ics := anon.get(fmt.Sprintf("/sessions/%d.ics", session))
			if ics.Status != http.StatusOK || !strings.Contains(ics.Header.Get("Content-Disposition"), fmt.Sprintf("session-%d.ics", session)) {
				t.Errorf("the calendar file: %d %q", ics.Status, ics.Header.Get("Content-Disposition"))
			}
			want("a draft's calendar file", anon.get(fmt.Sprintf("/sessions/%d.ics", draft)), http.StatusNotFound, "")
			want("no session's calendar file", anon.get("/sessions/x.ics"), http.StatusNotFound, "")
			page := anon.get(fmt.Sprintf("/sessions/%d", session))
			if page.Status != http.StatusOK || !strings.Contains(string(page.Body), "Log in to book") {
				t.Errorf("the public page, logged out: %d %.300s", page.Status, page.Body)
			}
			feed := a.api("GET", "/api/v1/me/calendar", nil, bookedTok).json(t)["url"].(string)
			feed = feed[strings.Index(feed, "/calendar/"):]
			want("the calendar feed", anon.get(feed), http.StatusOK, "")
			want("the feed's address without its ending", anon.get(strings.TrimSuffix(feed, ".ics")), http.StatusNotFound, "")
			want("no certificate's PDF", anon.get("/certificates/NO-SUCH-CODE.pdf"), http.StatusNotFound, "")
		})

		t.Run("a teacher holding a place on a colleague's session", func(t *testing.T) {
			own := book(otherTok, session, "in_person")
			want("someone else's booking", a.api("DELETE", path(session, fmt.Sprintf("/bookings/%d", bookedPlace)), nil, otherTok), http.StatusForbidden, "forbidden")
			want("no such booking", a.api("DELETE", path(session, "/bookings/999999"), nil, otherTok), http.StatusForbidden, "forbidden")
			want("their own booking", a.api("DELETE", path(session, fmt.Sprintf("/bookings/%d", own)), nil, otherTok), http.StatusNoContent, "")
			want("their own, on a draft they may not see", a.api("DELETE", path(draft, fmt.Sprintf("/bookings/%d", own)), nil, otherTok), http.StatusNotFound, "not_found")
		})

		t.Run("the member who booked, booking in any status", func(t *testing.T) {
			s := mk(teacherTok, start, true)
			book(bookedTok, s, "online")
			want("cancelling", a.api("DELETE", path(s, "/bookings/me"), nil, bookedTok), http.StatusNoContent, "")
			want("cancelling again", a.api("DELETE", path(s, "/bookings/me"), nil, bookedTok), http.StatusNoContent, "")
			want("without a booking", a.api("DELETE", path(s, "/bookings/me"), nil, browsingTok), http.StatusNotFound, "not_found")
		})

		t.Run("a cancelled session", func(t *testing.T) {
			s := mk(teacherTok, start, true)
			book(bookedTok, s, "online")
			if res := a.api("POST", path(s, "/cancel"), map[string]string{"reason": "Ill."}, teacherTok); res.Status != http.StatusOK {
				t.Fatalf("cancel: %d %s", res.Status, res.Body)
			}
			want("whoever had booked it", a.api("GET", path(s, ""), nil, bookedTok), http.StatusOK, "")
			want("another member", a.api("GET", path(s, ""), nil, browsingTok), http.StatusNotFound, "not_found")
			want("its calendar file", a.browser().get(fmt.Sprintf("/sessions/%d.ics", s)), http.StatusOK, "")
			want("joining", a.api("GET", fmt.Sprintf("/sessions/%d/join", s), nil, browsingTok), http.StatusUnprocessableEntity, "")
		})

		t.Run("apologies once a session has started", func(t *testing.T) {
			past := mk(chairTok, a.clock.Now().Add(-time.Hour), true)
			// Models refuses the started session before it looks for a booking.
			want("without a booking", a.api("POST", path(past, "/apologies"), nil, browsingTok), http.StatusUnprocessableEntity, "session_started")
		})

		t.Run("the check-in rate limit answers first", func(t *testing.T) {
			for i := 0; i < models.CheckinFailuresLimit; i++ {
				a.api("POST", "/api/v1/checkin", map[string]string{"code": "ZZZZZZ"}, browsingTok)
			}
			want("on a draft", a.api("POST", path(draft, "/checkin"), map[string]string{"code": "ZZZZZZ"}, browsingTok), http.StatusTooManyRequests, "rate_limited")
			want("on no session", a.api("POST", path(999999, "/checkin"), map[string]string{"code": "ZZZZZZ"}, browsingTok), http.StatusTooManyRequests, "rate_limited")
		})

		t.Run("who is asking, before what they sent", func(t *testing.T) {
			want("another teacher's malformed change", a.api("PATCH", path(session, ""), "{", otherTok), http.StatusForbidden, "forbidden")
			want("another teacher's unknown filter", a.api("GET", path(session, "/bookings?status=x"), nil, otherTok), http.StatusForbidden, "forbidden")
			want("malformed feedback on a draft", a.api("POST", path(draft, "/feedback"), "{", browsingTok), http.StatusNotFound, "not_found")
			want("its teacher's malformed change", a.api("PATCH", path(session, ""), "{", teacherTok), http.StatusBadRequest, "malformed_body")
		})

		t.Run("another teacher's feedback", func(t *testing.T) {
			tb, cb := a.browser(), a.browser()
			tb.login("teacher@example.ac.uk", "correct horse battery")
			cb.login("chair@example.ac.uk", "correct horse battery")
			want("a teacher's own", tb.get(fmt.Sprintf("/teaching/feedback?teacher=%d", teacher.ID)), http.StatusOK, "")
			want("a teacher, another's", tb.get(fmt.Sprintf("/teaching/feedback?teacher=%d", other.ID)), http.StatusForbidden, "")
			want("a teacher, no number", tb.get("/teaching/feedback?teacher=x"), http.StatusNotFound, "")
			contains(t, cb.get(fmt.Sprintf("/teaching/feedback?teacher=%d", other.ID)), "Feedback on other’s teaching")
			want("committee, nobody", cb.get("/teaching/feedback?teacher=999999"), http.StatusNotFound, "")
		})
	})
}
