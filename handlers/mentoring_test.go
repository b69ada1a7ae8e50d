package handlers_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rounds/models"
)

// A scheme from creation to evaluation through the API, as committee, two
// mentors and three mentees would use it.
func TestMentoringThroughTheAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		now := a.clock.Now() // Monday 2 November 2026, 09:00
		_, chair := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		gita, gitaTok := a.user("gita@example.ac.uk", models.RoleTeacher, nil)
		_, omarTok := a.user("omar@example.ac.uk", models.RoleStudent, intp(5))
		ada, adaTok := a.user("ada@example.ac.uk", models.RoleStudent, intp(1))
		ben, benTok := a.user("ben@example.ac.uk", models.RoleStudent, intp(2))
		_, caraTok := a.user("cara@example.ac.uk", models.RoleStudent, intp(4))

		body := map[string]any{
			"title": "GP careers", "purpose": "GP trainees and senior students mentor juniors weighing general practice.",
			"mentor_rule":  map[string]any{"roles": []string{"teacher"}, "min_year": 5, "invited": true},
			"mentee_years": []int{1, 2, 3}, "interests": []string{"General practice", "Research", "Wellbeing"},
			"applications_open": now.Format(time.RFC3339), "applications_close": now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
			"match_at": now.Add(8 * 24 * time.Hour).Format(time.RFC3339), "starts_on": "2026-11-16", "ends_on": "2027-04-30",
			"meet_every_days": 28, "max_mentees_default": 2,
		}
		if res := a.api("POST", "/api/v1/schemes", body, gitaTok); res.Status != http.StatusForbidden {
			t.Errorf("a teacher creates a scheme: %d", res.Status)
		}
		bad := map[string]any{"title": "", "max_mentees_default": 9}
		if res := a.api("POST", "/api/v1/schemes", bad, chair); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("invalid scheme: %d %s", res.Status, res.Body)
		}
		res := a.api("POST", "/api/v1/schemes", body, chair)
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		scheme := res.json(t)["scheme"].(map[string]any)
		id := int64(scheme["id"].(float64))
		rule := scheme["mentor_rule"].(map[string]any)
		if scheme["status"] != "draft" || rule["min_year"] != 5.0 || rule["invited"] != true || scheme["max_mentees_default"] != 2.0 {
			t.Errorf("scheme: %s", res.Body)
		}
		base := fmt.Sprintf("/api/v1/schemes/%d", id)
		if n := len(a.api("GET", "/api/v1/schemes", nil, adaTok).json(t)["schemes"].([]any)); n != 0 {
			t.Errorf("a draft is listed to a student: %d", n)
		}
		if res := a.api("POST", base+"/applications", map[string]any{"role": "mentee"}, adaTok); res.Status != http.StatusNotFound {
			t.Errorf("applying to a draft: %d", res.Status)
		}
		if res := a.api("POST", base+"/open", nil, chair); res.Status != http.StatusOK || res.json(t)["scheme"].(map[string]any)["status"] != "open" {
			t.Fatalf("open: %d %s", res.Status, res.Body)
		}
		list := a.api("GET", "/api/v1/schemes", nil, adaTok).json(t)["schemes"].([]any)
		if len(list) != 1 || fmt.Sprint(list[0].(map[string]any)["can_apply_as"]) != "[mentee]" {
			t.Errorf("Ada's schemes: %v", list)
		}
		if n := len(a.api("GET", "/api/v1/schemes", nil, caraTok).json(t)["schemes"].([]any)); n != 0 {
			t.Errorf("a fourth-year, neither mentor nor mentee here, sees %d schemes", n)
		}

		apply := func(tok string, b map[string]any, want int) response {
			t.Helper()
			res := a.api("POST", base+"/applications", b, tok)
			if res.Status != want {
				t.Errorf("apply %v: %d, want %d: %s", b, res.Status, want, res.Body)
			}
			return res
		}
		apply(caraTok, map[string]any{"role": "mentee"}, http.StatusForbidden)
		apply(adaTok, map[string]any{"role": "mentor", "max_mentees": 1}, http.StatusForbidden)
		apply(adaTok, map[string]any{"role": "mentee", "interests": []string{"Cardiology"}}, http.StatusUnprocessableEntity)
		apply(adaTok, map[string]any{"role": "mentee", "interests": []string{"General practice", "Research"}, "mode": "online",
			"availability": []string{"tue_evening"}, "hopes": "To see a GP's week.", "research_consent": true}, http.StatusCreated)
		apply(adaTok, map[string]any{"role": "mentee"}, http.StatusConflict)
		apply(benTok, map[string]any{"role": "mentee", "interests": []string{"Wellbeing"}, "mode": "in_person",
			"exclude_user_ids": []int64{gita.ID}, "research_consent": true}, http.StatusCreated)
		apply(gitaTok, map[string]any{"role": "mentor", "interests": []string{"General practice", "Research"}, "mode": "either",
			"availability": []string{"weekday_evenings"}, "max_mentees": 2, "research_consent": true}, http.StatusCreated)
		apply(omarTok, map[string]any{"role": "mentor", "interests": []string{"Wellbeing"}, "mode": "in_person", "max_mentees": 1, "research_consent": true}, http.StatusCreated)

		res = a.api("PATCH", base+"/applications/me", map[string]any{"hopes": "To shadow a GP."}, adaTok)
		app := res.json(t)["application"].(map[string]any)
		if res.Status != http.StatusOK || app["hopes"] != "To shadow a GP." || app["mode"] != "online" {
			t.Errorf("edit: %d %s", res.Status, res.Body)
		}
		if got := a.api("GET", base+"/applications", nil, chair).json(t)["applications"].([]any); len(got) != 4 {
			t.Errorf("committee sees %d applications", len(got))
		}

		// The matcher: Ben excluded Gita, so Omar mentors him; Ada has Gita.
		res = a.api("POST", base+"/match", map[string]any{"weights": map[string]int{"interests": 4, "mode": 2, "availability": 1}}, chair)
		if res.Status != http.StatusOK {
			t.Fatalf("match: %d %s", res.Status, res.Body)
		}
		prop := res.json(t)["proposal"].(map[string]any)
		pairs := prop["pairs"].([]any)
		if len(pairs) != 2 || len(prop["unmatched"].([]any)) != 0 {
			t.Fatalf("proposal: %s", res.Body)
		}
		for _, p := range pairs {
			p := p.(map[string]any)
			if int64(p["mentee_id"].(float64)) == ada.ID {
				if int64(p["mentor_id"].(float64)) != gita.ID || p["score"] != 4.0*2+2+1 ||
					fmt.Sprint(p["reasons"]) != "[both: general practice, research online suits both both free: Tuesday evenings]" {
					t.Errorf("Ada's pair: %v", p)
				}
			}
		}
		if prop["total_score"] != 11.0+4+2 {
			t.Errorf("total score %v", prop["total_score"])
		}
		// Again without a body: the scheme's weights, the same pairs.
		if again := a.api("POST", base+"/match", nil, chair); again.Status != http.StatusOK ||
			again.json(t)["proposal"].(map[string]any)["total_score"] != prop["total_score"] {
			t.Errorf("match without a body: %d %s", again.Status, again.Body)
		}
		// A hand edit that breaks a rule is refused, with the pair named.
		res = a.api("PUT", base+"/pairs", map[string]any{"pairs": []map[string]any{{"mentor_id": gita.ID, "mentee_id": ben.ID}}}, chair)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), "pairs[0]") {
			t.Errorf("excluded pair by hand: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", base+"/publish", nil, chair); res.Status != http.StatusOK {
			t.Fatalf("publish: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", base+"/publish", nil, chair); res.Status != http.StatusOK {
			t.Fatalf("publish again: %d %s", res.Status, res.Body)
		}
		intros := a.api("GET", "/api/v1/admin/outbox?kind=mentoring_introduction", nil, chair).json(t)["messages"]
		if n := len(intros.([]any)); n != 4 {
			t.Errorf("%d introductions, want one to each side of two pairs", n)
		}
		if res := a.api("DELETE", base+"/applications/me", nil, adaTok); res.Status != http.StatusConflict {
			t.Errorf("withdrawing after matching: %d", res.Status)
		}

		// Ada's pair, as she and Gita see it; nobody else sees it.
		mine := a.api("GET", "/api/v1/me/mentoring", nil, adaTok).json(t)["pairs"].([]any)
		if len(mine) != 1 {
			t.Fatalf("Ada's pairs: %v", mine)
		}
		pair := mine[0].(map[string]any)
		partner := pair["partner"].(map[string]any)
		if pair["role"] != "mentee" || partner["email"] != "gita@example.ac.uk" || pair["scheme"].(map[string]any)["title"] != "GP careers" {
			t.Errorf("Ada's pair: %v", pair)
		}
		pairPath := fmt.Sprintf("/api/v1/pairs/%d", int64(pair["id"].(float64)))
		for who, tok := range map[string]string{"Ben": benTok, "Omar": omarTok, "committee": chair} {
			if res := a.api("GET", pairPath, nil, tok); res.Status != http.StatusNotFound {
				t.Errorf("%s reads Ada's pair: %d", who, res.Status)
			}
		}

		// Ada proposes a meeting; Gita accepts and gets its calendar file.
		meet := map[string]any{"starts_at": now.Add(10 * 24 * time.Hour).Format(time.RFC3339), "minutes": 45, "mode": "online", "place_or_url": "https://meet.example.org/ada"}
		res = a.api("POST", pairPath+"/meetings", meet, adaTok)
		if res.Status != http.StatusCreated {
			t.Fatalf("propose: %d %s", res.Status, res.Body)
		}
		meetingID := int64(res.json(t)["meeting"].(map[string]any)["id"].(float64))
		mpath := fmt.Sprintf("/api/v1/meetings/%d", meetingID)
		if res := a.api("POST", mpath+"/accept", nil, adaTok); res.Status != http.StatusForbidden {
			t.Errorf("accepting one's own proposal: %d", res.Status)
		}
		res = a.api("POST", mpath+"/accept", nil, gitaTok)
		if res.Status != http.StatusOK || res.json(t)["meeting"].(map[string]any)["status"] != "accepted" {
			t.Fatalf("accept: %d %s", res.Status, res.Body)
		}
		ics := a.api("GET", res.json(t)["ics_url"].(string), nil, gitaTok)
		if ics.Status != http.StatusOK || !strings.Contains(string(ics.Body), "BEGIN:VEVENT") || !strings.Contains(string(ics.Body), "meet.example.org") {
			t.Errorf("calendar file: %d %s", ics.Status, ics.Body)
		}
		if res := a.api("GET", mpath+".ics", nil, benTok); res.Status != http.StatusNotFound {
			t.Errorf("Ben downloads Ada's meeting: %d", res.Status)
		}
		if res := a.api("POST", mpath+"/held", map[string]any{"held": true}, gitaTok); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("held before it starts: %d %s", res.Status, res.Body)
		}
		a.clock.Set(now.Add(11 * 24 * time.Hour))
		res = a.api("POST", mpath+"/held", map[string]any{"held": true, "note": "Talk about electives next time."}, gitaTok)
		if res.Status != http.StatusOK || res.json(t)["meeting"].(map[string]any)["my_note"] != "Talk about electives next time." {
			t.Fatalf("held: %d %s", res.Status, res.Body)
		}
		// Gita's note is hers alone: not on Ada's page, not on committee's.
		if page := a.api("GET", pairPath, nil, adaTok); strings.Contains(string(page.Body), "electives") || page.Status != http.StatusOK {
			t.Errorf("Ada reads Gita's note: %s", page.Body)
		}
		if page := a.api("GET", pairPath, nil, gitaTok); !strings.Contains(string(page.Body), "electives") {
			t.Errorf("Gita does not read her own note: %s", page.Body)
		}
		committeeView := a.api("GET", base+"/pairs", nil, chair)
		if committeeView.Status != http.StatusOK || strings.Contains(string(committeeView.Body), "electives") || !strings.Contains(string(committeeView.Body), `"meetings_held":1`) {
			t.Errorf("committee's view of the pairs: %s", committeeView.Body)
		}
		if res := a.api("PUT", pairPath+"/goals", map[string]any{"goals": "Choose an elective"}, adaTok); res.Status != http.StatusOK {
			t.Errorf("goals: %d %s", res.Status, res.Body)
		}
		if res := a.api("PUT", pairPath+"/goals", map[string]any{"goals": "Mine"}, gitaTok); res.Status != http.StatusForbidden {
			t.Errorf("the mentor writes the goals: %d", res.Status)
		}
		if res := a.api("POST", pairPath+"/end-request", map[string]any{"reason": "Our evenings never match."}, adaTok); res.Status != http.StatusCreated {
			t.Errorf("end request: %d %s", res.Status, res.Body)
		}
		if v := a.api("GET", base+"/pairs", nil, chair); !strings.Contains(string(v.Body), "Our evenings never match.") {
			t.Errorf("committee does not see the end request: %s", v.Body)
		}

		// Questionnaires: committee edits them; each side answers once.
		q := a.api("GET", base+"/questionnaires", nil, chair).json(t)
		before := q["before"].(map[string]any)["items"].([]any)
		if len(before) == 0 {
			t.Fatalf("no default items: %v", q)
		}
		mineQ := a.api("GET", base+"/questionnaires/before", nil, adaTok).json(t)
		for _, it := range mineQ["items"].([]any) {
			if it.(map[string]any)["audience"] == "mentor" {
				t.Errorf("a mentee is asked a mentor's item: %v", it)
			}
		}
		answer := map[string]any{"answers": map[string]any{"belonging": 2, "in_words": "Unsure"}}
		if res := a.api("POST", base+"/questionnaires/before/answers", answer, adaTok); res.Status != http.StatusCreated {
			t.Errorf("answers: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", base+"/questionnaires/before/answers", answer, adaTok); res.Status != http.StatusConflict {
			t.Errorf("answers twice: %d", res.Status)
		}
		if res := a.api("POST", base+"/questionnaires/sometime/answers", answer, adaTok); res.Status != http.StatusNotFound {
			t.Errorf("no such questionnaire: %d", res.Status)
		}
		if res := a.api("POST", base+"/questionnaires/before/answers", map[string]any{"answers": map[string]any{"belonging": 7}}, benTok); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("7 of 5: %d", res.Status)
		}
		if res := a.api("POST", base+"/questionnaires/after/answers", map[string]any{"answers": map[string]any{"belonging": 4}}, adaTok); res.Status != http.StatusCreated {
			t.Errorf("after: %d %s", res.Status, res.Body)
		}
		ev := a.api("GET", base+"/evaluation", nil, chair)
		if ev.Status != http.StatusOK || ev.json(t)["withheld"] != true {
			t.Errorf("one respondent: figures withheld? %s", ev.Body)
		}
		for _, it := range ev.json(t)["items"].([]any) {
			it := it.(map[string]any)
			if it["id"] == "belonging" && (it["paired_n"] != 1.0 || it["median_before"] != nil || it["wilcoxon"] != nil) {
				t.Errorf("belonging below the threshold: %v", it)
			}
		}
		if f := a.api("GET", base+"/figures", nil, chair); f.Status != http.StatusOK || !strings.Contains(string(f.Body), `"matched_mentees":2`) {
			t.Errorf("figures: %d %s", f.Status, f.Body)
		}
		if res := a.api("GET", base+"/evaluation", nil, gitaTok); res.Status != http.StatusForbidden {
			t.Errorf("a teacher reads the evaluation: %d", res.Status)
		}
		res = a.api("GET", base+"/evaluation.csv", nil, chair)
		rows, err := csv.NewReader(strings.NewReader(string(res.Body))).ReadAll()
		if err != nil || res.Status != http.StatusOK || strings.Join(rows[0], ",") != "pseudonym,role,item_id,time,answer" || len(rows) != 4 {
			t.Errorf("export: %d %q %v", res.Status, rows, err)
		}
		if strings.Contains(string(res.Body), "ada") {
			t.Errorf("the export names Ada: %s", res.Body)
		}
		edit := map[string]any{"before": q["before"], "after": map[string]any{"items": []map[string]any{{"id": "belonging", "text": "I belong.", "kind": "likert", "audience": "mentee"}}}}
		if res := a.api("PUT", base+"/questionnaires", edit, chair); res.Status != http.StatusConflict {
			t.Errorf("reshaping an answered questionnaire: %d %s", res.Status, res.Body)
		}
	})
}

// An invitation to mentor makes an account for an outside doctor, who may
// then apply to mentor.
func TestMentorInvitation(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		now := a.clock.Now()
		_, chair := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		body := map[string]any{"title": "GP careers", "mentor_rule": map[string]any{"roles": []string{}, "invited": true},
			"mentee_years": []int{1}, "applications_open": now.Format(time.RFC3339), "applications_close": now.Add(7 * 24 * time.Hour).Format(time.RFC3339),
			"match_at": now.Add(8 * 24 * time.Hour).Format(time.RFC3339), "starts_on": "2026-11-16", "ends_on": "2027-04-30"}
		id := int64(a.api("POST", "/api/v1/schemes", body, chair).json(t)["scheme"].(map[string]any)["id"].(float64))
		base := fmt.Sprintf("/api/v1/schemes/%d", id)
		a.api("POST", base+"/open", nil, chair)
		res := a.api("POST", base+"/invitations", map[string]any{"emails": []string{"gp.trainee@nhs.example"}}, chair)
		if res.Status != http.StatusCreated {
			t.Fatalf("invite: %d %s", res.Status, res.Body)
		}
		msgs, _ := models.ListOutbox(t.Context(), a.db, models.OutboxFilter{Kind: models.MailMentorInvitation})
		if len(msgs) != 1 {
			t.Fatalf("%d invitations queued", len(msgs))
		}
		token := strings.TrimPrefix(msgs[0].DataMap()["path"], "/mentoring/join?token=")
		res = a.api("POST", "/api/v1/invitations/accept", map[string]any{"token": token, "name": "Dr Sam Ito", "password": "a long password"}, "")
		if res.Status != http.StatusCreated {
			t.Fatalf("accept: %d %s", res.Status, res.Body)
		}
		if res := a.api("POST", "/api/v1/invitations/accept", map[string]any{"token": token, "name": "Dr Sam Ito", "password": "a long password"}, ""); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("the link twice: %d", res.Status)
		}
		login := a.api("POST", "/api/v1/auth/login", map[string]string{"email": "gp.trainee@nhs.example", "password": "a long password"}, "")
		if login.Status != http.StatusOK {
			t.Fatalf("login: %d %s", login.Status, login.Body)
		}
		tok := login.json(t)["token"].(string)
		if res := a.api("POST", base+"/applications", map[string]any{"role": "mentor", "max_mentees": 2}, tok); res.Status != http.StatusCreated {
			t.Errorf("the invited doctor applies: %d %s", res.Status, res.Body)
		}
	})
}

// A mentor's certificate, verified on its public page and as a PDF.
func TestMentorCertificateThroughTheAPI(t *testing.T) {
	each(t, func(t *testing.T, a *app) {
		now := a.clock.Now()
		chair, _ := a.user("chair@example.ac.uk", models.RoleCommittee, nil)
		gita, gitaTok := a.user("gita@example.ac.uk", models.RoleTeacher, nil)
		ada, adaTok := a.user("ada@example.ac.uk", models.RoleStudent, intp(1))
		title, closes, match := "Transition to medical school", now.Add(24*time.Hour), now.Add(48*time.Hour)
		s, err := models.CreateScheme(t.Context(), a.db, chair, models.SchemeInput{Title: &title, MenteeYears: &[]int{1},
			ApplicationsOpen: &now, ApplicationsClose: &closes, MatchAt: &match, StartsOn: ptrTo("2026-11-05"), EndsOn: ptrTo("2027-03-31")}, now)
		if err != nil {
			t.Fatal(err)
		}
		ctx := t.Context()
		_, _ = models.OpenScheme(ctx, a.db, chair, s.ID, now)
		if _, err := models.Apply(ctx, a.db, gita, s.ID, models.ApplicationInput{Role: models.RoleMentor}, now); err != nil {
			t.Fatal(err)
		}
		if _, err := models.Apply(ctx, a.db, ada, s.ID, models.ApplicationInput{Role: models.RoleMentee}, now); err != nil {
			t.Fatal(err)
		}
		_, _ = models.RunMatching(ctx, a.db, chair, s.ID, nil, match)
		_, _ = models.PublishPairs(ctx, a.db, chair, s.ID, match)

		if res := a.api("POST", "/api/v1/me/certificates/mentoring", map[string]any{"scheme_id": s.ID}, adaTok); res.Status != http.StatusUnprocessableEntity {
			t.Errorf("the mentee asks for a mentor's certificate: %d %s", res.Status, res.Body)
		}
		a.clock.Set(time.Date(2027, 2, 5, 12, 0, 0, 0, time.UTC))
		// Months on, Gita logs in again.
		gitaTok = a.api("POST", "/api/v1/auth/login", map[string]string{"email": "gita@example.ac.uk", "password": "correct horse battery"}, "").json(t)["token"].(string)
		res := a.api("POST", "/api/v1/me/certificates/mentoring", map[string]any{"scheme_id": s.ID}, gitaTok)
		if res.Status != http.StatusCreated {
			t.Fatalf("certificate: %d %s", res.Status, res.Body)
		}
		cert := res.json(t)["certificate"].(map[string]any)
		if cert["kind"] != "mentoring" || cert["title"] != "Mentoring: Transition to medical school" {
			t.Errorf("certificate: %v", cert)
		}
		code := cert["code"].(string)
		page := a.browser().get("/certificates/" + code)
		contains(t, page, "Mentoring certificate", "gita", "mentored 1 student", "Transition to medical school", "Meetings held")
		pdf := a.browser().get("/certificates/" + code + ".pdf")
		if pdf.Status != http.StatusOK || !strings.HasPrefix(string(pdf.Body), "%PDF-") {
			t.Errorf("PDF: %d", pdf.Status)
		}
	})
}
