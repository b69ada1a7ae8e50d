package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// The privacy page is public, linked from every page and the sign-up form,
// and tells the retention this server is configured with.
func TestPrivacyPageSaysWhatIsKeptAndForHowLong(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		a := newApp(t, db, map[string]string{"ROUNDS_RETENTION_MAIL_DAYS": "45", "ROUNDS_RETENTION_ATTEMPTS_DAYS": "14", "ROUNDS_RETENTION_GRADUATES_YEARS": "3"})
		b := a.browser()
		page := b.get("/privacy")
		if page.Status != http.StatusOK {
			t.Fatalf("privacy page for a visitor: %d", page.Status)
		}
		contains(t, page, "<h1>Privacy</h1>", "What Rounds keeps", "Committee see every session",
			"cleared 45 days after", "deleted after 14 days", "write to the society&#39;s committee",
			"or 24 hours after we e-mail you its link", "it is erased 7 days later", "their account is erased 3 years later")
		lacks(t, page, "Edit this page", "To have them erased, write to the committee")
		// A society that keeps graduates' accounts says so.
		keep := newApp(t, db, map[string]string{"ROUNDS_RETENTION_GRADUATES_YEARS": "0"})
		contains(t, keep.browser().get("/privacy"), "Graduates' accounts are not erased automatically")
		contains(t, b.get("/register"), `href="/privacy"`)
		contains(t, b.get("/login"), `href="/privacy"`)
	})
}

// Committee edit the text; it is shown escaped, as paragraphs, recorded in
// the audit log, and can be set back to the default. Nobody else may edit.
func TestCommitteeEditsThePrivacyText(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		a.user("tess@example.ac.uk", models.RoleTeacher, nil)
		chair := a.browser()
		chair.login("chair@example.ac.uk", "correct horse battery")
		contains(t, chair.get("/privacy"), `href="/committee/privacy"`)
		contains(t, chair.get("/committee/privacy"), "This is the default text", "What Rounds keeps")

		text := "We keep <b>little</b>.\r\n\r\nAsk the secretary."
		r := chair.post("/committee/privacy", "/committee/privacy", url.Values{"text": {text}})
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/privacy" {
			t.Fatalf("save: %d %s", r.Status, r.Header.Get("Location"))
		}
		page := a.browser().get("/privacy")
		contains(t, page, "<p>We keep &lt;b&gt;little&lt;/b&gt;.</p>", "<p>Ask the secretary.</p>", "cleared 90 days after")
		lacks(t, page, "<b>little</b>", "What Rounds keeps")

		long := strings.Repeat("a", models.PrivacyTextMax+1)
		r = chair.post("/committee/privacy", "/committee/privacy", url.Values{"text": {long}})
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("a text too long: %d", r.Status)
		}
		contains(t, r, "under 20,000 characters", long[:100])
		contains(t, a.browser().get("/privacy"), "We keep &lt;b&gt;little")

		teacher := a.browser()
		teacher.login("tess@example.ac.uk", "correct horse battery")
		if r := teacher.post("/account", "/committee/privacy", url.Values{"text": {"Hacked"}}); r.Status != http.StatusForbidden {
			t.Errorf("a teacher edits the privacy page: %d", r.Status)
		}

		r = chair.post("/committee/privacy", "/committee/privacy", url.Values{"text": {"ignored"}, "reset": {"1"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d", r.Status)
		}
		contains(t, a.browser().get("/privacy"), "What Rounds keeps")

		log := chair.get("/committee/audit")
		contains(t, log, "Edited the privacy page", "Changed the text", "Brought back the default text", "chair")
		lacks(t, log, "Hacked")
	})
}

// Each committee action lands in the audit log, newest first, on the page
// and through the API; the log has no way to change it.
func TestAuditLogRecordsCommitteeActions(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		chair, chairTok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		_, teacherTok := a.user("tess@example.ac.uk", models.RoleTeacher, nil)
		ann, _ := a.user("ann@example.ac.uk", models.RoleStudent, intp(2))
		ben, _ := a.user("ben@example.ac.uk", models.RoleStudent, intp(3))
		cat, _ := a.user("cat@example.ac.uk", models.RoleStudent, intp(6))

		// One member's role, by the API; a change of year alone is not a role change.
		if r := a.api("PATCH", fmt.Sprintf("/api/v1/users/%d", ann.ID), map[string]string{"role": "teacher"}, chairTok); r.Status != 200 {
			t.Fatalf("role change: %d %s", r.Status, r.Body)
		}
		if r := a.api("PATCH", fmt.Sprintf("/api/v1/users/%d", ben.ID), map[string]any{"year_of_study": 4}, chairTok); r.Status != 200 {
			t.Fatalf("year change: %d %s", r.Status, r.Body)
		}
		// Several at once, on the page.
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		ids := url.Values{"id": {fmt.Sprint(ben.ID), fmt.Sprint(cat.ID)}, "role": {"teacher"}}
		if r := b.post("/committee/members", "/committee/members/roles/confirm", ids); r.Status != http.StatusSeeOther {
			t.Fatalf("bulk role change: %d", r.Status)
		}
		// The outbox read.
		if r := a.api("GET", "/api/v1/admin/outbox?kind=welcome", nil, chairTok); r.Status != 200 {
			t.Fatalf("outbox: %d", r.Status)
		}
		// An attendance import, by a teacher of the session.
		start := a.clock.Now().Add(24 * time.Hour)
		res := a.api("POST", "/api/v1/sessions", sessionBody(start, map[string]any{"title": "Renal physiology", "in_person_capacity": 10}), teacherTok)
		id := int64(res.json(t)["session"].(map[string]any)["id"].(float64))
		a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/publish", id), nil, teacherTok)
		zoom := "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\r\n" +
			"\"Someone, Unknown\",stranger@elsewhere.org,11/03/2026 06:00:00 PM,11/03/2026 07:30:00 PM,90,Yes\r\n"
		if r := a.upload(fmt.Sprintf("/api/v1/sessions/%d/attendance/import", id), teacherTok, "zoom.csv", []byte(zoom), nil); r.Status != 200 {
			t.Fatalf("import: %d %s", r.Status, r.Body)
		}
		// The academic year.
		if r := a.api("POST", "/api/v1/admin/academic-year/rollover", map[string]string{"confirm": "2026/27"}, chairTok); r.Status != 200 {
			t.Fatalf("rollover: %d %s", r.Status, r.Body)
		}

		// Downloads of files that name members.
		if r := b.get("/committee/members.csv?role=teacher"); r.Status != 200 {
			t.Fatalf("members.csv: %d", r.Status)
		}
		if r := a.api("GET", "/api/v1/stats/attendance/records.csv?from=2026-09-01", nil, chairTok); r.Status != 200 {
			t.Fatalf("records.csv: %d %s", r.Status, r.Body)
		}

		r := a.api("GET", "/api/v1/admin/audit", nil, chairTok)
		if r.Status != 200 {
			t.Fatalf("audit: %d %s", r.Status, r.Body)
		}
		entries := r.json(t)["entries"].([]any)
		var got []string
		for _, e := range entries {
			m := e.(map[string]any)
			got = append(got, fmt.Sprintf("%s|%s|%s", m["action"], m["target"], m["detail"]))
		}
		want := []string{
			"data_downloaded|attendance records|from=2026-09-01",
			"data_downloaded|members.csv|role=teacher",
			"year_rolled_over|2026/27|",
			"attendance_imported|Renal physiology",
			"outbox_read|E-mails with kind Welcome|",
			"roles_changed|2 members made Teacher|ben, cat",
			"role_changed|ann <ann@example.ac.uk>|Student → Teacher",
		}
		if len(got) != len(want) {
			t.Fatalf("audit log has %d entries, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("entry %d = %q, want it to start %q", i, got[i], want[i])
			}
		}
		first := entries[0].(map[string]any)
		if actor := first["actor"].(map[string]any); actor["name"] != "chair" || actor["id"] != float64(chair.ID) {
			t.Errorf("actor = %v", actor)
		}
		if !strings.Contains(got[2], "moved up a year") || !strings.Contains(got[3], "1 line unmatched") {
			t.Errorf("details: %q, %q", got[2], got[3])
		}

		page := b.get("/committee/audit")
		contains(t, page, "Downloaded members&#39; data", "Started a new academic year", "Imported attendance", "Read the outbox",
			"Changed several members&#39; roles", "Changed a member&#39;s role", "ann &lt;ann@example.ac.uk&gt;")
		// Reading the outbox page is recorded too; the log itself has no forms.
		b.get("/committee/outbox")
		lacks(t, b.get("/committee/audit"), "<form method=\"post\" action=\"/committee/audit")
		if n := len(a.api("GET", "/api/v1/admin/audit", nil, chairTok).json(t)["entries"].([]any)); n != len(want)+1 {
			t.Errorf("after reading the outbox page: %d entries, want %d", n, len(want)+1)
		}
		for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
			if r := a.api(m, "/api/v1/admin/audit", nil, chairTok); r.Status < 400 {
				t.Errorf("%s on the audit log: %d", m, r.Status)
			}
		}
		if r := a.api("GET", "/api/v1/admin/audit?page=0", nil, chairTok); r.Status != 422 {
			t.Errorf("page 0: %d %s", r.Status, r.Body)
		}
	})
}

// The log comes a page of 50 at a time, newest first.
func TestAuditLogPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		_, chairTok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		for range models.AuditPageSize + 2 {
			a.clock.Advance(time.Minute)
			if r := a.api("GET", "/api/v1/admin/outbox", nil, chairTok); r.Status != 200 {
				t.Fatal(r.Status)
			}
		}
		one := a.api("GET", "/api/v1/admin/audit", nil, chairTok).json(t)
		two := a.api("GET", "/api/v1/admin/audit?page=2", nil, chairTok).json(t)
		if n := len(one["entries"].([]any)); n != models.AuditPageSize || one["next_page"] != float64(2) {
			t.Errorf("page 1: %d entries, next %v", n, one["next_page"])
		}
		if n := len(two["entries"].([]any)); n != 2 || two["next_page"] != nil {
			t.Errorf("page 2: %d entries, next %v", n, two["next_page"])
		}
		newest := one["entries"].([]any)[0].(map[string]any)["id"].(float64)
		oldest := two["entries"].([]any)[1].(map[string]any)["id"].(float64)
		if newest <= oldest {
			t.Errorf("page 1 starts at %v, page 2 ends at %v: not newest first", newest, oldest)
		}
		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		contains(t, b.get("/committee/audit"), `href="/committee/audit?page=2">Older`)
		contains(t, b.get("/committee/audit?page=2"), `href="/committee/audit?page=1">Newer`)
	})
}
