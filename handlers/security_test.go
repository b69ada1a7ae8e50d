package handlers_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// Every state-changing form refuses a post without its CSRF token, whoever
// sends it; the list comes from the route table, so new forms are covered.
func TestEveryFormNeedsItsCSRFToken(t *testing.T) {
	f := newMatrixFixture(t)
	var posts []string
	for _, r := range f.a.e.Routes() {
		// The one-click unsubscribe (RFC 8058) is posted by mail programs,
		// without a cookie or a token: the signature in its address is the
		// proof (TestOneClickUnsubscribe).
		if r.Path == "/unsubscribe/:token" {
			continue
		}
		if r.Method == http.MethodPost && !strings.HasPrefix(r.Path, "/api/") {
			posts = append(posts, r.Path)
		}
	}
	sort.Strings(posts)
	if len(posts) < 20 {
		t.Fatalf("only %d forms found", len(posts))
	}
	for _, route := range posts {
		for _, who := range []string{"anonymous", "committee"} {
			res := f.browsers[who].postRaw(f.path(route), url.Values{"name": {"x"}})
			if res.Status != http.StatusForbidden {
				t.Errorf("POST %s as %s without a CSRF token: %d", route, who, res.Status)
			}
		}
	}
	// An API call with a cookie login needs the header too.
	req, _ := http.NewRequest("PATCH", f.a.srv.URL+"/api/v1/me", strings.NewReader(`{"name":"Forged"}`))
	res := f.browsers["student"].do(req)
	if res.Status != http.StatusForbidden {
		t.Errorf("cookie-authenticated API call without the CSRF header: %d", res.Status)
	}
	if u, _ := models.UserByID(t.Context(), f.a.db, f.student.ID); u.Name == "Forged" {
		t.Error("a forged API call changed the name")
	}
}

const xss = `<script>alert(1)</script><img src=x onerror=alert(2)>"'`

// Payloads in every text a member can write come back escaped on every
// page, for every role.
func TestWhatMembersWriteIsEscapedEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("visits every page")
	}
	f := newMatrixFixture(t)
	a := f.a
	teacher := mustUser(t, a, "teacher@example.ac.uk")
	// Names, and every text field of a session.
	for _, email := range []string{"student@example.ac.uk", "teacher@example.ac.uk"} {
		u := mustUser(t, a, email)
		name := "Evil " + xss
		if _, err := models.UpdateUser(t.Context(), a.db, u.ID, models.UserChange{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	text := "Title " + xss
	desc := "Para " + xss + "\n\nhttps://example.org/" + xss
	topic, venue := "Topic "+xss, "Room "+xss
	if _, err := models.UpdateSession(t.Context(), a.db, teacher, f.session, models.SessionInput{Title: &text, Description: &desc, Topic: &topic, Venue: &venue}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	// Feedback comments, after the session.
	a.clock.Advance(50 * time.Hour)
	if _, err := models.MarkRegister(t.Context(), a.db, models.User{ID: teacher.ID, Role: models.RoleTeacher}, f.session, f.student.ID, models.RegisterEntry{Status: models.AttendancePresent}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	student := mustUser(t, a, "student@example.ac.uk")
	if _, _, err := models.SubmitFeedback(t.Context(), a.db, student, f.session, models.FeedbackInput{Overall: 4, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 3,
		WentWell: "Well " + xss, Improve: "Improve " + xss}, a.clock.Now()); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for _, r := range a.e.Routes() {
		if r.Method == http.MethodGet && !strings.HasPrefix(r.Path, "/api/") && !strings.Contains(r.Path, "*") {
			pages = append(pages, r.Path)
		}
	}
	sort.Strings(pages)
	checked, shown := 0, 0
	for _, route := range pages {
		for _, who := range []string{"student", "teacher of this session", "committee"} {
			res := f.browsers[who].get(f.path(route))
			ct := res.Header.Get("Content-Type")
			if !strings.HasPrefix(ct, "text/html") && !strings.HasPrefix(ct, "image/svg") {
				continue
			}
			checked++
			body := string(res.Body)
			if strings.Contains(body, "&lt;script&gt;alert(1)") {
				shown++
			}
			for _, raw := range []string{"<script>alert", "<img src=x onerror", "onerror=alert(2)>"} {
				if strings.Contains(body, raw) {
					t.Errorf("GET %s as %s: %q appears unescaped", route, who, raw)
				}
			}
		}
	}
	if checked < 20 || shown < 10 {
		t.Errorf("%d pages checked, %d showed the payload (escaped)", checked, shown)
	}
	t.Logf("%d pages checked, %d showed the payload escaped", checked, shown)
}

// SQL metacharacters in input and queries are only text.
func TestSQLMetacharactersAreHarmless(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, chair := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		inj := `x'); DROP TABLE users; -- " \ % _`
		res := a.api("POST", "/api/v1/auth/register", map[string]any{"email": "o'brien@example.ac.uk", "name": inj, "password": "long enough pw"}, "")
		if res.Status != 201 {
			t.Fatalf("register: %d %s", res.Status, res.Body)
		}
		for _, q := range []string{"/api/v1/users?q=" + url.QueryEscape(inj), "/api/v1/users?q=%25", "/api/v1/users?q=_",
			"/api/v1/sessions?q=" + url.QueryEscape(inj), "/api/v1/sessions?topic=" + url.QueryEscape(inj)} {
			if r := a.api("GET", q, nil, chair); r.Status != 200 {
				t.Errorf("%s: %d %s", q, r.Status, r.Body)
			}
		}
		// % and _ match themselves, not everything.
		r := a.api("GET", "/api/v1/users?q=%25", nil, chair)
		if n := len(r.json(t)["users"].([]any)); n != 1 {
			t.Errorf("q=%% matched %d members, want the one whose name has a %%", n)
		}
		if n, _ := models.CountUsers(t.Context(), a.db); n != 2 {
			t.Errorf("%d accounts after the injection attempts", n)
		}
	})
}

func TestOversizedUploadsAreRefused(t *testing.T) {
	a := newApp(t, testkit.SQLite(t), nil)
	_, tok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
	res := a.api("POST", "/api/v1/sessions", sessionBody(a.clock.Now().Add(48*time.Hour), nil), tok)
	id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
	a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, tok)
	big := bytes.Repeat([]byte("Name,User Email,Duration (Minutes)\r\n"), 11<<20/36)
	r := a.upload(fmt.Sprintf("/api/v1/sessions/%d/attendance/import", id), tok, "huge.csv", big, nil)
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("an 11 MB upload: %d %.200s", r.Status, r.Body)
	}

	// A teacher of another session is refused, not told what is wrong with
	// the file, through the API and through the register page.
	_, otherTok := a.user("other.teacher@example.ac.uk", models.RoleTeacher, nil)
	junk := []byte("this is not a meeting report\n")
	if r := a.upload(fmt.Sprintf("/api/v1/sessions/%d/attendance/import", id), otherTok, "junk.csv", junk, nil); r.Status != http.StatusForbidden {
		t.Errorf("an outsider's upload through the API: %d %.200s", r.Status, r.Body)
	}
	b := a.browser()
	b.login("other.teacher@example.ac.uk", "correct horse battery")
	if r := b.postReport("/sessions", fmt.Sprintf("/sessions/%d/register/import", id), "junk.csv", junk, nil); r.Status != http.StatusForbidden {
		t.Errorf("an outsider's upload through the register page: %d %.200s", r.Status, r.Body)
	}
}
