package handlers_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// A scheme through its pages, without JavaScript: committee sets it up and
// opens it, a mentor and two mentees apply, committee matches, moves a
// mentee by hand and publishes; the pair meets, marks it held with a note
// only its author sees, and the mentee writes goals and answers the
// questionnaire.
func TestMentoringPages(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		a.user("gita@example.ac.uk", models.RoleTeacher, nil)
		a.user("ada@example.ac.uk", models.RoleStudent, intp(1))
		a.user("ben@example.ac.uk", models.RoleStudent, intp(2))
		chair, gita, ada, ben := a.browser(), a.browser(), a.browser(), a.browser()
		chair.login("chair@example.ac.uk", "correct horse battery")
		gita.login("gita@example.ac.uk", "correct horse battery")
		ada.login("ada@example.ac.uk", "correct horse battery")
		ben.login("ben@example.ac.uk", "correct horse battery")

		form := url.Values{"title": {"GP careers"}, "purpose": {"Juniors meet GP trainees."}, "roles": {"teacher"}, "invited": {"yes"},
			"mentee_years": {"1", "2"}, "interests": {"General practice\nResearch"}, "applications_open": {"2026-11-01T09:00"},
			"applications_close": {"2026-11-09T17:00"}, "match_at": {"2026-11-10T09:00"}, "starts_on": {"2026-11-16"},
			"ends_on": {"2027-04-30"}, "meet_every_days": {"28"}, "max_mentees_default": {"2"},
			"w_interests": {"3"}, "w_mode": {"2"}, "w_availability": {"x"}}
		res := chair.post("/committee/mentoring/new", "/committee/mentoring/new", form)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a garbled weight: %d", res.Status)
		}
		contains(t, res, "Give a weight from 0 to 10.", `value="GP careers"`, "Juniors meet GP trainees.")
		form.Set("w_availability", "2")
		res = chair.post("/committee/mentoring/new", "/committee/mentoring/new", form)
		if res.Status != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		page := res.Header.Get("Location")
		var id int64
		fmt.Sscanf(page, "/committee/mentoring/%d", &id)
		if res := ada.get("/mentoring"); strings.Contains(string(res.Body), "GP careers") {
			t.Error("a student sees a draft")
		}
		if res := ada.get(page); res.Status != http.StatusForbidden {
			t.Errorf("a student on the committee's page: %d", res.Status)
		}
		if res := chair.post(page, page+"/open", url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("open: %d", res.Status)
		}

		// An invited GP trainee makes an account from the e-mail's link and
		// may then apply to mentor.
		if res := chair.post(page, page+"/invite", url.Values{"emails": {"sam.ito@nhs.example, not an address"}}); flashKind(res) != "error" {
			t.Errorf("a garbled address: %d %q", res.Status, flashKind(res))
		}
		if res := chair.post(page, page+"/invite", url.Values{"emails": {"sam.ito@nhs.example"}}); flashKind(res) != "success" {
			t.Fatalf("invite: %d", res.Status)
		}
		contains(t, chair.get(page), "sam.ito@nhs.example: invited")
		msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailMentorInvitation})
		if len(msgs) != 1 {
			t.Fatalf("%d invitations queued", len(msgs))
		}
		join := msgs[0].DataMap()["path"]
		sam := a.browser()
		contains(t, sam.get(join), "Make my account", "Log in first")
		if res := sam.post(join, "/mentoring/join", url.Values{"token": {strings.TrimPrefix(join, "/mentoring/join?token=")}, "name": {"Dr Sam Ito"},
			"password": {"short"}, "year": {"graduate"}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("a short password: %d", res.Status)
		}
		res = sam.post(join, "/mentoring/join", url.Values{"token": {strings.TrimPrefix(join, "/mentoring/join?token=")}, "name": {"Dr Sam Ito"},
			"password": {"a long password"}, "year": {"graduate"}})
		if res.Status != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/mentoring/schemes/%d", id) {
			t.Fatalf("joining: %d %s", res.Status, res.Header.Get("Location"))
		}
		contains(t, sam.get(res.Header.Get("Location")), "Apply as", "Mentor")
		if res := sam.post(join, "/mentoring/join", url.Values{"token": {strings.TrimPrefix(join, "/mentoring/join?token=")}}); flashKind(res) != "error" {
			t.Errorf("the link used twice: %d", res.Status)
		}

		apply := fmt.Sprintf("/mentoring/schemes/%d", id)
		contains(t, ada.get("/mentoring"), "GP careers", "Apply as mentee")
		res = ada.post(apply, apply+"/apply", url.Values{"role": {"mentee"}, "interests": {"General practice"}, "mode": {"sideways"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a garbled mode: %d", res.Status)
		}
		contains(t, res, "Choose in person, online or either.", `value="General practice" checked`)
		for _, m := range []*browser{ada, ben} {
			res = m.post(apply, apply+"/apply", url.Values{"role": {"mentee"}, "interests": {"General practice"}, "mode": {"either"},
				"availability": {"weekday_evenings"}, "hopes": {"To know what GP is like."}, "research_consent": {"yes"}})
			if res.Status != http.StatusSeeOther {
				t.Fatalf("mentee applies: %d %s", res.Status, res.Body)
			}
		}
		if res := gita.post(apply, apply+"/apply", url.Values{"role": {"mentor"}, "interests": {"General practice"}, "mode": {"either"},
			"availability": {"weekday_evenings"}, "max_mentees": {"1"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("mentor applies: %d %s", res.Status, res.Body)
		}
		contains(t, ada.get(apply), "Save changes", "Withdraw my application", "To know what GP is like.")
		// Ada changes her answers, and Ben withdraws and applies again.
		if res := ada.post(apply, apply+"/apply", url.Values{"role": {"mentee"}, "interests": {"General practice", "Research"}, "mode": {"online"},
			"availability": {"weekday_evenings", "tue_evening"}, "other_times": {"Lunchtimes"}, "hopes": {"Shadowing."}, "research_consent": {"yes"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("changing: %d %s", res.Status, res.Body)
		}
		contains(t, ada.get(apply), "Shadowing.", `value="Research" checked`, `value="tue_evening" checked`, `value="lunchtimes"`, `value="online" checked`)
		if res := ben.post(apply, apply+"/withdraw", url.Values{}); res.Status != http.StatusSeeOther || flashKind(res) != "success" {
			t.Fatalf("withdraw: %d", res.Status)
		}
		if strings.Contains(string(chair.get(page).Body), ">ben<") {
			t.Error("a withdrawn application is listed")
		}
		if res := ben.post(apply, apply+"/apply", url.Values{"role": {"mentee"}, "interests": {"General practice"}, "mode": {"either"},
			"availability": {"weekday_evenings"}, "hopes": {"To know what GP is like."}, "research_consent": {"yes"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("applying again: %d", res.Status)
		}
		contains(t, chair.get(page), ">ben<", ">ada<")

		res = chair.post(page, page+"/match", url.Values{"w_interests": {"3"}, "w_mode": {"2"}, "w_availability": {"2"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("match: %d", res.Status)
		}
		view := chair.get(page)
		contains(t, view, "1 of 2 mentees have a mentor", "both: general practice", "Publish and introduce")
		// Committee gives gita's one place to Ben by hand, and locks it.
		ids := map[string]string{}
		for _, m := range regexp.MustCompile(`<option value="(\d+)"[^>]*>([a-z]+) \(up to`).FindAllStringSubmatch(string(view.Body), -1) {
			ids[m[2]] = m[1]
		}
		mentees := regexp.MustCompile(`name="mentee" value="(\d+)"`).FindAllStringSubmatch(string(view.Body), -1)
		if len(mentees) != 2 || ids["gita"] == "" {
			t.Fatalf("the proposal form: %v %v", mentees, ids)
		}
		adaID, benID := mentees[0][1], mentees[1][1]
		edit := url.Values{"mentee": {adaID, benID}, "mentor_" + benID: {ids["gita"]}, "lock_" + benID: {"yes"}, "mentor_" + adaID: {""}}
		if res := chair.post(page, page+"/pairs", edit); res.Status != http.StatusSeeOther {
			t.Fatalf("hand edit: %d", res.Status)
		}
		// A re-run keeps the locked pair: Ben stays with gita.
		if res := chair.post(page, page+"/match", url.Values{"w_interests": {"3"}, "w_mode": {"2"}, "w_availability": {"2"}}); res.Status != http.StatusSeeOther {
			t.Fatalf("re-run: %d", res.Status)
		}
		rerun := string(chair.get(page).Body)
		benRow := rerun[strings.Index(rerun, `name="mentor_`+benID+`"`):]
		benRow = benRow[:strings.Index(benRow, "</select>")]
		if !strings.Contains(benRow, `value="`+ids["gita"]+`" selected`) || !strings.Contains(rerun, `name="lock_`+benID+`" value="yes" checked`) {
			t.Errorf("the locked pair did not survive a re-run: %s", benRow)
		}
		// Both to gita is over her capacity of one: refused, with the reason.
		over := url.Values{"mentee": {adaID, benID}, "mentor_" + benID: {ids["gita"]}, "mentor_" + adaID: {ids["gita"]}}
		if res := chair.post(page, page+"/pairs", over); res.Status != http.StatusSeeOther || flashKind(res) != "error" {
			t.Errorf("over capacity: %d %q", res.Status, flashKind(res))
		}
		contains(t, chair.get(page+"/publish"), "1 pair will be introduced", "1 mentee without a mentor")
		if res := chair.post(page, page+"/publish", url.Values{}); res.Status != http.StatusSeeOther {
			t.Fatalf("publish: %d", res.Status)
		}
		contains(t, chair.get(page), "Meeting") // the pair's status

		// The pair: Ben proposes a meeting, gita accepts, both mark it.
		home := string(ben.get("/mentoring").Body)
		m := regexp.MustCompile(`/mentoring/pairs/(\d+)`).FindStringSubmatch(home)
		if m == nil {
			t.Fatalf("Ben has no pair: %s", home)
		}
		pair := m[0]
		if res := ada.get(pair); res.Status != http.StatusNotFound {
			t.Errorf("someone else's pair: %d", res.Status)
		}
		if res := chair.get(pair); res.Status != http.StatusNotFound {
			t.Errorf("committee on a pair's page: %d", res.Status)
		}
		contains(t, ben.get("/mentoring"), "Before you start: GP careers")
		res = ben.post(pair, pair+"/meetings", url.Values{"starts_at": {"next week"}, "minutes": {"45"}, "mode": {"in_person"}, "place_or_url": {"Library café"}})
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a garbled time: %d", res.Status)
		}
		contains(t, res, "Give the day and time you meet.", `value="Library café"`)
		when := a.clock.Now().Add(2 * time.Hour).In(a.cfg.Location).Format("2006-01-02T15:04")
		res = ben.post(pair, pair+"/meetings", url.Values{"starts_at": {when}, "minutes": {"45"}, "mode": {"in_person"}, "place_or_url": {"Library café"}})
		if res.Status != http.StatusSeeOther {
			t.Fatalf("propose: %d %s", res.Status, res.Body)
		}
		gp := string(gita.get(pair).Body)
		acc := regexp.MustCompile(`/mentoring/meetings/(\d+)/accept`).FindString(gp)
		if acc == "" {
			t.Fatalf("gita cannot accept: %s", gp)
		}
		if res := ben.post(pair, acc, url.Values{}); res.Status != http.StatusForbidden {
			t.Errorf("the proposer accepts their own meeting: %d", res.Status)
		}
		if res := gita.post(pair, acc, url.Values{}); res.Status != http.StatusSeeOther || flashKind(res) != "success" {
			t.Fatalf("accept: %d %q", res.Status, flashKind(res))
		}
		ics := regexp.MustCompile(`href="(/api/v1/meetings/\d+\.ics)"`).FindStringSubmatch(string(ben.get(pair).Body))
		if ics == nil {
			t.Fatal("no calendar link for the agreed meeting")
		}
		if res := ben.get(ics[1]); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Library café") {
			t.Errorf("the meeting's calendar file: %d %.100s", res.Status, res.Body)
		}
		a.clock.Advance(3 * time.Hour)
		held := strings.Replace(acc, "/accept", "/held", 1)
		if res := gita.post(pair, held, url.Values{"held": {"yes"}, "note": {"Talked about GP training; send him the rota."}}); res.Status != http.StatusSeeOther {
			t.Fatalf("held: %d", res.Status)
		}
		contains(t, gita.get(pair), "Held", "send him the rota")
		if strings.Contains(string(ben.get(pair).Body), "send him the rota") {
			t.Error("the mentee reads the mentor's note")
		}
		if strings.Contains(string(chair.get(page).Body), "send him the rota") {
			t.Error("committee reads a note")
		}
		contains(t, chair.get(page), "1 held")
		// The dashboard's mentoring section counts the pair and its meeting.
		contains(t, chair.get("/committee/dashboard"), `id="mentoring-h"`, "GP careers", "1 of 2 (50%)", "Applicants by side and year of study",
			"<dt>Meetings per pair</dt><dd><strong>1.0</strong>", `<th scope="row">Nov 2026</th><td class="num">1</td><td class="num">1</td>`, "<dt>Days to a first meeting</dt><dd><strong>0.1</strong>")

		// Goals are the mentee's.
		if res := ben.post(pair, pair+"/goals", url.Values{"goals": {"Shadow a GP surgery."}}); res.Status != http.StatusSeeOther {
			t.Fatalf("goals: %d", res.Status)
		}
		contains(t, gita.get(pair), "Shadow a GP surgery.")
		if strings.Contains(string(gita.get(pair).Body), `name="goals"`) {
			t.Error("the mentor is offered the mentee's goals to edit")
		}
		if res := gita.post(pair, pair+"/goals", url.Values{"goals": {"mine"}}); res.Status < 400 && flashKind(res) != "error" {
			t.Errorf("the mentor writes the goals: %d", res.Status)
		}

		// A private request to end reaches committee only.
		if res := ben.post(pair, pair+"/end-request", url.Values{"reason": {""}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("an empty reason: %d", res.Status)
		}
		if res := ben.post(pair, pair+"/end-request", url.Values{"reason": {"We cannot find a time."}}); res.Status != http.StatusSeeOther {
			t.Fatalf("end request: %d", res.Status)
		}
		contains(t, chair.get(page), "We cannot find a time.", "1 request to end or change a pair")
		if strings.Contains(string(gita.get(pair).Body), "We cannot find a time.") {
			t.Error("the mentor reads the mentee's request")
		}

		// The mentor's certificate counts the meeting held.
		res = gita.post(pair, fmt.Sprintf("/mentoring/schemes/%d/certificate", id), url.Values{})
		if res.Status != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/certificates/") {
			t.Fatalf("mentor certificate: %d %s", res.Status, res.Header.Get("Location"))
		}
		contains(t, a.browser().get(res.Header.Get("Location")), "GP careers", "mentored 1 student", "<dt>Meetings held</dt><dd>1</dd>")
		if res := ben.post(pair, fmt.Sprintf("/mentoring/schemes/%d/certificate", id), url.Values{}); flashKind(res) != "error" {
			t.Errorf("a mentee asks for a mentor's certificate: %d", res.Status)
		}

		// Committee adds a statement to the before questionnaire; a bad id
		// is shown beside its row with the words kept.
		qs := page + "/questionnaires"
		editor := string(chair.get(qs).Body)
		if !strings.Contains(editor, `value="I feel I belong to the medical school community."`) {
			t.Fatalf("the editor lacks the default items")
		}
		items := url.Values{}
		for _, m := range regexp.MustCompile(`name="((?:before|after)_(?:text|id|kind|audience)_\d+)"(?: value="([^"]*)")?`).FindAllStringSubmatch(editor, -1) {
			items.Set(m[1], html.UnescapeString(m[2]))
		}
		for _, m := range regexp.MustCompile(`name="((?:before|after)_(?:kind|audience)_\d+)">(?s:.*?)<option value="([a-z]+)" selected`).FindAllStringSubmatch(editor, -1) {
			items.Set(m[1], m[2])
		}
		items.Set("before_text_8", "I know what GP training involves.")
		items.Set("before_id_8", "GP Training!")
		items.Set("before_audience_8", "mentee")
		res = chair.post(qs, qs, items)
		if res.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a bad id: %d", res.Status)
		}
		contains(t, res, "Use lower-case letters", `value="I know what GP training involves."`)
		items.Set("before_id_8", "")
		if res := chair.post(qs, qs, items); res.Status != http.StatusSeeOther {
			t.Fatalf("questionnaires: %d %s", res.Status, res.Body)
		}
		contains(t, chair.get(qs), `value="i_know_what_gp_training_involves"`)

		// The questionnaire, once.
		q := fmt.Sprintf("/mentoring/schemes/%d/questionnaire/before", id)
		contains(t, ben.get(q), "I feel I belong to the medical school community.")
		if res := ben.post(q, q, url.Values{"item_career": {"2"}}); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("a missing answer: %d", res.Status)
		}
		contains(t, ben.get(q), "I know what GP training involves.")
		if res := ben.post(q, q, url.Values{"item_career": {"2"}, "item_belonging": {"3"}, "item_advice": {"2"}, "item_hope": {"4"}, "item_i_know_what_gp_training_involves": {"1"},
			"item_in_words": {"Nervous."}}); res.Status != http.StatusSeeOther {
			t.Fatalf("answers: %d", res.Status)
		}
		contains(t, ben.get(q), "you have answered this questionnaire")
		if strings.Contains(string(ben.get("/mentoring").Body), "Before you start: GP careers") {
			t.Error("the answered questionnaire is still listed")
		}
		contains(t, chair.get(page+"/evaluation"), "Evaluation", "Download the answers as CSV")
		if res := chair.get(page + "/evaluation.csv"); res.Status != http.StatusOK || !strings.HasPrefix(string(res.Body), "pseudonym,role,item_id,time,answer") {
			t.Errorf("the CSV: %d %.80s", res.Status, res.Body)
		}
	})
}
