package handlers_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// The committee's outbox cannot line a feedback answer up with the student
// who gave it: the e-mails that follow feedback (certificate issued,
// feedback request and reminder) show their recipient, kind, status and
// day, never their session, time, place in the queue or contents — on the
// page and in the API — even for the only student who answered a session.
func TestCommitteeOutboxHidesWhoAnsweredWhen(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		teacher, teacherTok := a.user("teacher@example.ac.uk", models.RoleTeacher, nil)
		_, chairTok := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		amelia, ameliaTok := a.user("amelia.okafor@example.ac.uk", models.RoleStudent, intp(2))
		ben, _ := a.user("ben.hughes@example.ac.uk", models.RoleStudent, intp(2))
		id, start := a.taughtSession(teacherTok, map[string]any{"title": "Lonely answer on acid–base"})
		a.attended(teacher, id, amelia, ben)
		// The feedback requests go out when the session ends; Amelia alone
		// answers, at an odd minute.
		a.clock.Set(start.Add(95 * time.Minute))
		if _, err := models.PlanReminders(t.Context(), a.db, models.ReminderRules{}, a.clock.Now()); err != nil {
			t.Fatal(err)
		}
		a.clock.Set(start.Add(2*time.Hour + 7*time.Minute))
		answeredAt := a.clock.Now()
		body := map[string]any{"overall": 2, "teaching": 3, "confidence_before": 1, "confidence_after": 2, "benefits": []string{}}
		if r := a.api("POST", fmt.Sprintf("/api/v1/sessions/%d/feedback", id), body, ameliaTok); r.Status != http.StatusCreated {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}

		exact := []string{answeredAt.Format("15:04"), answeredAt.UTC().Format(time.RFC3339)[:16], "Lonely answer on acid", "RND-"}
		r := a.api("GET", "/api/v1/admin/outbox", nil, chairTok)
		var seen = map[string]int{}
		for _, m := range r.json(t)["messages"].([]any) {
			msg := m.(map[string]any)
			kind := msg["kind"].(string)
			if kind != "certificate_issued" && kind != "feedback_request" && kind != "feedback_reminder" {
				if msg["follows_feedback"] != false {
					t.Errorf("%s is hidden: %v", kind, msg)
				}
				continue
			}
			seen[kind]++
			if msg["follows_feedback"] != true || msg["session_id"] != nil || msg["created_at"] != nil || msg["sent_at"] != nil ||
				msg["id"] != nil || msg["subject"] != "" || msg["body_text"] != "" || len(msg["data"].(map[string]any)) != 0 ||
				msg["day"] != answeredAt.Format("2006-01-02") || msg["to"] == "" || msg["status"] == "" {
				t.Errorf("%s in the API: %v", kind, msg)
			}
			for _, x := range exact {
				if strings.Contains(fmt.Sprint(msg), x) {
					t.Errorf("%s in the API tells %q: %v", kind, x, msg)
				}
			}
		}
		if seen["certificate_issued"] != 1 || seen["feedback_request"] != 2 {
			t.Errorf("e-mails that follow feedback in the API: %v\n%s", seen, r.Body)
		}
		// Filtered to the one student's certificate, still no session or time.
		r = a.api("GET", "/api/v1/admin/outbox?kind=certificate_issued&to="+amelia.Email, nil, chairTok)
		for _, x := range exact {
			if strings.Contains(string(r.Body), x) {
				t.Errorf("Amelia's certificate e-mail tells %q: %s", x, r.Body)
			}
		}
		contains(t, r, `"kind":"certificate_issued"`, `"to":"amelia.okafor@example.ac.uk"`, `"session_id":null`)

		b := a.browser()
		b.login("chair@example.ac.uk", "correct horse battery")
		page := b.get("/committee/outbox")
		rows := regexp.MustCompile(`(?s)<tr class="follows-feedback">.*?</tr>`).FindAllString(string(page.Body), -1)
		if len(rows) != 3 {
			t.Fatalf("%d rows follow feedback on the page, want 3:\n%s", len(rows), page.Body)
		}
		for _, row := range rows {
			for _, x := range exact {
				if strings.Contains(row, x) {
					t.Errorf("an outbox row tells %q:\n%s", x, row)
				}
			}
			if !strings.Contains(row, answeredAt.Format("Mon 2 Jan 2006")) || !strings.Contains(row, "its session, time and text are not shown") {
				t.Errorf("an outbox row does not give its day or say why:\n%s", row)
			}
		}
		// Amelia's certificate is not listed in the order it was queued: the
		// day's feedback e-mails come by kind and name.
		order := regexp.MustCompile(`(?s)<tr class="follows-feedback">.*?<td>([^<]+)</td>\s*<td>([^<]+) &lt;`).FindAllStringSubmatch(string(page.Body), -1)
		var got []string
		for _, o := range order {
			got = append(got, o[1]+": "+o[2])
		}
		if strings.Join(got, "; ") != "Certificate issued: amelia.okafor; Feedback request: amelia.okafor; Feedback request: ben.hughes" {
			t.Errorf("order of the day's feedback e-mails: %v", got)
		}
		lacks(t, page, answeredAt.Format("Mon 2 Jan 2006, 15:04"))
	})
}
