package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// A published session has a public page for visitors: its facts, places
// left, a way to log in and come back, calendar links and link-preview
// tags, and nothing private. Drafts stay hidden, members-only sessions ask
// visitors to log in, and the landing page lists what visitors may see.
func TestPublicSessionPage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, studentTok := a.user("zara.booker@example.ac.uk", models.RoleStudent, intp(1))
		start := time.Date(2026, 11, 10, 18, 0, 0, 0, time.UTC) // GMT: 18:00 in London
		mk := func(title string, extra map[string]any, publish bool) int64 {
			t.Helper()
			extra["title"] = title
			res := a.api("POST", "/api/v1/sessions", sessionBody(start, extra), teacherTok)
			if res.Status != http.StatusCreated {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
			if publish {
				if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok); res.Status != http.StatusOK {
					t.Fatalf("publish: %d %s", res.Status, res.Body)
				}
			}
			return id
		}
		open := mk("Cardiology: ECG basics", map[string]any{}, true)
		draft := mk("Draft on murmurs", map[string]any{}, false)
		closed := mk("Members' revision", map[string]any{"members_only": true}, true)
		if res := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/bookings", open), map[string]string{"mode": "in_person"}, studentTok); res.Status != http.StatusCreated {
			t.Fatalf("booking: %d %s", res.Status, res.Body)
		}

		anon := a.browser()
		page := anon.get(fmt.Sprintf("/sessions/%d", open))
		if page.Status != http.StatusOK {
			t.Fatalf("public page: %d %s", page.Status, page.Body)
		}
		body := html.UnescapeString(string(page.Body))
		for _, want := range []string{
			"Cardiology: ECG basics", "Tue 10 Nov 2026, 18:00–19:30 GMT", "Lecture Theatre 2, and online", "teacher",
			"Years 1, 2", "1 seat left in the room · 50 online places left", "Log in to book",
			fmt.Sprintf(`href="/login?next=%%2Fsessions%%2F%d"`, open),
			`<meta property="og:title" content="Cardiology: ECG basics">`,
			fmt.Sprintf(`<meta property="og:url" content="%s/sessions/%d">`, a.cfg.BaseURL, open),
			`<meta property="og:description" content="Tue 10 Nov 2026, 18:00–19:30 GMT · Lecture Theatre 2, and online · Years 1, 2">`,
			`<meta name="twitter:card" content="summary">`,
			"dates=20261110T180000Z/20261110T193000Z",
			fmt.Sprintf(`href="/sessions/%d.ics"`, open),
		} {
			if !strings.Contains(body, want) {
				t.Errorf("public page lacks %q", want)
			}
		}
		for _, private := range []string{"teams.example", "zara.booker", "_csrf", "Materials"} {
			if strings.Contains(body, private) {
				t.Errorf("public page shows %q", private)
			}
		}

		if res := anon.get(fmt.Sprintf("/sessions/%d", draft)); res.Status != http.StatusNotFound {
			t.Errorf("a draft, to a visitor: %d, want 404", res.Status)
		}
		if res := anon.get("/sessions/999999"); res.Status != http.StatusNotFound {
			t.Errorf("no such session, to a visitor: %d, want 404", res.Status)
		}
		res := anon.get(fmt.Sprintf("/sessions/%d", closed))
		if want := "/login?next=" + url.QueryEscape(fmt.Sprintf("/sessions/%d", closed)); res.Status != http.StatusSeeOther || res.Header.Get("Location") != want {
			t.Errorf("members only, to a visitor: %d to %q, want 303 to %q", res.Status, res.Header.Get("Location"), want)
		}
		// The API carries the field, and a teacher can open the session up.
		got := a.api("GET", fmt.Sprintf("/api/v1/sessions/%d", closed), nil, studentTok).json(t)["session"].(map[string]any)
		if got["members_only"] != true {
			t.Errorf("members_only in the API: %v", got["members_only"])
		}
		if res := a.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d", closed), map[string]any{"members_only": false}, teacherTok); res.Status != http.StatusOK {
			t.Fatalf("patch: %d %s", res.Status, res.Body)
		}
		if res := anon.get(fmt.Sprintf("/sessions/%d", closed)); res.Status != http.StatusOK {
			t.Errorf("opened up, to a visitor: %d", res.Status)
		}
		a.api("PATCH", fmt.Sprintf("/api/v1/sessions/%d", closed), map[string]any{"members_only": true}, teacherTok)

		// The landing page lists the public session, not the others.
		home := html.UnescapeString(string(anon.get("/").Body))
		if !strings.Contains(home, fmt.Sprintf(`href="/sessions/%d"`, open)) || strings.Contains(home, "Members' revision") || strings.Contains(home, "Draft on murmurs") {
			t.Errorf("landing page lists the wrong sessions: %s", home)
		}
		if !strings.Contains(home, `<meta property="og:url" content="`+a.cfg.BaseURL+`/">`) {
			t.Error("landing page has no og:url")
		}

		// Logging in from the public page comes back to it, and books.
		login := anon.post(fmt.Sprintf("/login?next=/sessions/%d", open), "/login", url.Values{
			"email": {"zara.booker@example.ac.uk"}, "password": {"correct horse battery"}, "next": {fmt.Sprintf("/sessions/%d", open)}})
		if login.Status != http.StatusSeeOther || login.Header.Get("Location") != fmt.Sprintf("/sessions/%d", open) {
			t.Errorf("log in from the public page: %d to %q", login.Status, login.Header.Get("Location"))
		}
		member := string(anon.get(fmt.Sprintf("/sessions/%d", open)).Body)
		if !strings.Contains(member, "You are booked") || strings.Contains(member, "Log in to book") {
			t.Error("after logging in, the member's own page is not shown")
		}
		if !strings.Contains(string(anon.get(fmt.Sprintf("/sessions/%d", closed)).Body), "Members&#39; revision") {
			t.Error("a member cannot see the members-only session")
		}
	})
}

// The session form keeps a session to members, and shows the choice again.
func TestSessionFormMembersOnly(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		b := a.browser()
		b.login("teacher@example.ac.uk", "correct horse battery")
		start := a.clock.Now().Add(72 * time.Hour).In(a.cfg.Location)
		form := url.Values{"title": {"Suturing"}, "format": {"workshop"}, "year_groups": {"3"}, "mode": {"in_person"},
			"venue": {"Skills lab"}, "in_person_capacity": {"12"}, "members_only": {"yes"},
			"starts_at": {start.Format("2006-01-02T15:04")}, "ends_at": {start.Add(time.Hour).Format("2006-01-02T15:04")}}
		res := b.post("/teaching/new", "/teaching/new", form)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		loc := res.Header.Get("Location")
		id := strings.Split(strings.TrimPrefix(loc, "/sessions/"), "/")[0]
		edit := string(b.get("/sessions/" + id + "/edit").Body)
		if !strings.Contains(edit, `name="members_only" value="yes" checked`) {
			t.Errorf("the edit form forgets members only (%s)", loc)
		}
		form.Del("members_only")
		if res := b.post("/sessions/"+id+"/edit", "/sessions/"+id+"/edit", form); res.Status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.Status, res.Body)
		}
		if strings.Contains(string(b.get("/sessions/"+id+"/edit").Body), `name="members_only" value="yes" checked`) {
			t.Error("unticking members only is not saved")
		}
	})
}

// The calendar page gives each program its way of subscribing to the
// member's own feed.
func TestCalendarSubscribePage(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, tok := a.user("sam@example.ac.uk", models.RoleStudent, intp(2))
		feed := a.api("GET", "/api/v1/me/calendar", nil, tok).json(t)["url"].(string)
		b := a.browser()
		b.login("sam@example.ac.uk", "correct horse battery")
		page := b.get("/my/calendar")
		if page.Status != http.StatusOK {
			t.Fatalf("calendar page: %d", page.Status)
		}
		body := html.UnescapeString(string(page.Body))
		webcal := "webcal://" + strings.SplitN(feed, "://", 2)[1]
		for _, want := range []string{
			`href="` + webcal + `"`,
			`href="https://calendar.google.com/calendar/render?cid=` + url.QueryEscape(webcal) + `"`,
			`href="https://outlook.office.com/calendar/0/addfromweb?name=Rounds&url=` + url.QueryEscape(feed) + `"`,
			`value="` + feed + `"`,
			"Subscribe in Google Calendar", "Subscribe in Apple Calendar",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("calendar page lacks %q", want)
			}
		}
		contains(t, b.get("/my/sessions"), `href="/my/calendar"`)
	})
}
