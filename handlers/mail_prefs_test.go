package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"rounds/models"
)

func mailChoices(t *testing.T, a *app, u models.User) string {
	t.Helper()
	cs, err := models.MailPreferences(t.Context(), a.db, u)
	if err != nil {
		t.Fatal(err)
	}
	var on []string
	for _, c := range cs {
		if c.On {
			on = append(on, string(c.Topic))
		}
	}
	return strings.Join(on, " ")
}

// The one-click link: a mail program's POST turns the kind off at once; a
// person opening it is asked first; a link not signed by the site changes
// nothing.
func TestOneClickUnsubscribe(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, _ := a.user("ada@example.ac.uk", models.RoleStudent, intp(2))
		key, err := models.EnsureSecret(t.Context(), a.db, "unsubscribe_key")
		if err != nil {
			t.Fatal(err)
		}
		link := "/unsubscribe/" + models.UnsubscribeToken([]byte(key), u.ID, models.TopicSessionReminders)

		// A mail program (RFC 8058): no cookie, no CSRF token.
		anon := a.browser()
		res := anon.postRaw(link, url.Values{"List-Unsubscribe": {"One-Click"}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != link+"?done=1" {
			t.Fatalf("one-click POST: %d to %q %s", res.Status, res.Header.Get("Location"), res.Body)
		}
		contains(t, anon.get(res.Header.Get("Location")), "E-mails turned off", "reminders the day before a session you booked")
		if got := mailChoices(t, a, u); got != "feedback_requests certificates" {
			t.Fatalf("after one click: %q on", got)
		}
		// Again: still off, still answered.
		if res := anon.postRaw(link, url.Values{"List-Unsubscribe": {"One-Click"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("second one-click POST: %d", res.Status)
		}

		// A person: GET asks, and changes nothing until the button.
		feedback := "/unsubscribe/" + models.UnsubscribeToken([]byte(key), u.ID, models.TopicFeedbackRequests)
		page := anon.get(feedback)
		contains(t, page, "Stop these e-mails?", "requests for feedback after a session you attended", `<button type="submit">Stop these e-mails</button>`)
		if got := mailChoices(t, a, u); got != "feedback_requests certificates" {
			t.Fatalf("opening the link changed the choices: %q on", got)
		}
		if res := anon.post(feedback, feedback, url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("confirming: %d %s", res.Status, res.Body)
		}
		if got := mailChoices(t, a, u); got != "certificates" {
			t.Fatalf("after confirming: %q on", got)
		}

		// Altered or foreign links are refused, by GET and by POST.
		other, _ := a.user("bob@example.ac.uk", models.RoleStudent, intp(2))
		forged := []string{
			"/unsubscribe/" + models.UnsubscribeToken([]byte("not the site's key"), other.ID, models.TopicCertificates),
			strings.Replace(link, "session_reminders", "certificates", 1),
			"/unsubscribe/" + strings.Replace(strings.TrimPrefix(link, "/unsubscribe/"), strconv.FormatInt(u.ID, 10)+".", strconv.FormatInt(other.ID, 10)+".", 1),
			"/unsubscribe/nonsense",
		}
		for _, bad := range forged {
			for _, res := range []response{anon.get(bad), anon.postRaw(bad, url.Values{"List-Unsubscribe": {"One-Click"}})} {
				if res.Status != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", bad, res.Status)
				}
				contains(t, res, "This link is not valid")
			}
		}
		if got := mailChoices(t, a, other); got != "session_reminders feedback_requests certificates" {
			t.Errorf("a forged link changed Bob's choices: %q on", got)
		}
		if got := mailChoices(t, a, u); got != "certificates" {
			t.Errorf("a forged link changed Ada's choices: %q on", got)
		}
	})
}

// The account page offers the optional e-mails, and saves the choice.
func TestAccountMailChoices(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		u, tok := a.user("teach@example.ac.uk", models.RoleTeacher, nil)
		b := a.browser()
		b.login("teach@example.ac.uk", "correct horse battery")
		page := b.get("/account")
		contains(t, page, "E-mails", "Reminders to take the register after a session you taught",
			`name="topic" value="session_reminders" checked`)
		res := b.post("/account", "/account/email", url.Values{"topic": {"certificates", "register_reminders"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("saving choices: %d %s", res.Status, res.Body)
		}
		contains(t, b.get("/account"), "Your e-mail choices are saved.", `value="certificates" checked`)
		if got := mailChoices(t, a, u); got != "certificates register_reminders" {
			t.Fatalf("saved %q", got)
		}
		if res := b.post("/account", "/account/email", url.Values{"topic": {"booking_confirmed"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("a kind that always goes: %d", res.Status)
		}
		contains(t, b.get("/account"), "Choose from the e-mails listed.")

		// The API says and sets the same.
		res = a.api("PUT", "/api/v1/me/mail-preferences", map[string]any{"on": []string{"session_reminders"}}, tok)
		if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `{"topic":"session_reminders","label":"Reminders the day before a session you booked","on":true}`) {
			t.Fatalf("PUT preferences: %d %s", res.Status, res.Body)
		}
		if got := mailChoices(t, a, u); got != "session_reminders" {
			t.Fatalf("after PUT %q", got)
		}
		if res := a.api("PUT", "/api/v1/me/mail-preferences", map[string]any{"on": []string{"welcome"}}, tok); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("PUT an unknown topic: %d %s", res.Status, res.Body)
		}
	})
}
