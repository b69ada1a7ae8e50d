package journeys

import (
	"fmt"
	"testing"
	"time"

	"rounds/models"
)

// TestMentoringJourney follows a scheme from its set-up to its evaluation:
// the chair sets up "GP careers" and opens it; a first-year applies to be
// mentored and a GP trainee to mentor, each on a phone; the chair matches
// them, reads why they were paired and publishes; the pair agrees a
// meeting, the mentor marks it held with a private note, and the mentee
// writes goals; last, the chair reads last year's transition scheme's
// evaluation, whose figures show because enough members answered twice.
func TestMentoringJourney(t *testing.T) {
	t.Parallel()
	site, br := Start(t)
	site.CreateUser(t, Member{Name: "Cat Chair", Email: "cat.chair@example.ac.uk", Role: models.RoleCommittee, Year: 5})
	site.CreateUser(t, Member{Name: "Dr Gita Rao", Email: "gita.rao@example.ac.uk", Role: models.RoleTeacher})
	site.CreateUser(t, Member{Name: "Amara Obi", Email: "amara.obi@example.ac.uk", Year: 1})
	loc := society(site)
	now := site.Clock.Now().In(loc)
	at := func(days int) string { return now.AddDate(0, 0, days).Format("2006-01-02") + "T09:00" }

	// The chair sets the scheme up.
	chair := br.NewPage("committee", Desktop)
	chair.LogIn("cat.chair@example.ac.uk", DefaultPassword)
	chair.Click("Schemes")
	chair.ExpectHeading("Mentoring schemes")
	chair.Click("New scheme")
	chair.Fill("Title", "GP careers")
	chair.Fill("What it is for", "GP trainees meet first- and second-years who are thinking about general practice.")
	chair.Tick("Every teacher")
	chair.Tick("Year 1")
	chair.Tick("Year 2")
	chair.Fill("Interests applicants choose from", "General practice\nRural medicine\nResearch")
	setValue(chair.Scope, "Applications open", at(-1))
	setValue(chair.Scope, "Applications close", at(7))
	setValue(chair.Scope, "Pairs matched by", at(8))
	setValue(chair.Scope, "Pairs meet from", now.AddDate(0, 0, 10).Format("2006-01-02"))
	setValue(chair.Scope, "Until", now.AddDate(0, 6, 0).Format("2006-01-02"))
	chair.Checkpoint("scheme-form")
	if status := chair.Click("Save scheme"); status != 200 {
		t.Fatalf("saving the scheme answered %d: %s", status, excerpt(chair.Text()))
	}
	chair.ExpectHeading("GP careers")
	chair.ExpectText("The scheme is saved.", "Draft")
	chair.Click("Open for applications")
	chair.ExpectText("The scheme is open", "Taking applications")
	schemePath := chair.Path()

	// A mentee and a mentor apply, each on a phone.
	amara := br.NewPage("mentee", Phone)
	amara.LogIn("amara.obi@example.ac.uk", DefaultPassword)
	amara.Click("Mentoring")
	amara.ExpectHeading("Mentoring")
	amara.Checkpoint("mentoring-open")
	amara.Click("Apply as mentee to GP careers")
	amara.ExpectHeading("GP careers")
	amara.Tick("General practice")
	amara.Tick("Rural medicine")
	amara.Tick("Weekday evenings")
	amara.Fill("What do you hope to get from it?", "To find out what a GP's week is like.")
	amara.Tick("My questionnaire answers may be used, without my name, to evaluate the scheme.")
	amara.Checkpoint("apply-mentee")
	amara.Click("Apply")
	amara.ExpectText("Thank you: you have applied.")

	gita := br.NewPage("mentor", Phone)
	gita.LogIn("gita.rao@example.ac.uk", DefaultPassword)
	gita.Click("Mentoring")
	gita.Click("Apply as mentor to GP careers")
	gita.Tick("General practice")
	gita.Tick("Weekday evenings")
	gita.Fill("Mentors: how many mentees could you take?", "2")
	gita.Click("Apply")
	gita.ExpectText("Thank you: you have applied.")

	// The chair matches, reads why, and publishes with a confirmation.
	chair.Visit(schemePath)
	chair.Within("#applications-table tr", "Amara Obi").ExpectText("Mentee", "Year 1", "General practice, Rural medicine")
	chair.Click("Match")
	chair.ExpectText("Matched 1 of 1 mentees.")
	chair.Within("#pairs tr", "Amara Obi").ExpectText("both: general practice", "both free: weekday evenings")
	chair.Checkpoint("proposal")
	chair.SetViewport(Phone)
	chair.Checkpoint("proposal-phone")
	chair.SetViewport(Desktop)
	chair.Click("Publish and introduce…")
	chair.ExpectHeading("Publish the pairs?")
	chair.Checkpoint("publish-confirm")
	chair.Click("Yes, introduce 1 pair")
	chair.ExpectText("Pairs published: 2 members introduced to their pair by e-mail, 0 told there was no pair for them.")

	// The pair meets: Amara proposes, Gita accepts, and after the meeting
	// Gita marks it held with a note only she sees.
	amara.Click("Mentoring")
	amara.Click("Dr Gita Rao")
	amara.ExpectHeading("Dr Gita Rao")
	meet := now.Add(2 * time.Hour).Format("2006-01-02T15:04")
	setValue(amara.Scope, "Day and time", meet)
	amara.Fill("Where, or the video link", "Library café")
	amara.Click("Propose this meeting")
	amara.ExpectText("Meeting proposed", "Waiting for a yes from Dr Gita Rao")
	amara.Fill("What you want to work on", "Shadow a GP surgery before summer.")
	amara.Click("Save goals")
	amara.ExpectText("Your goals are saved.")
	amara.Checkpoint("pair-mentee")

	gita.Click("Mentoring")
	gita.Click("Amara Obi")
	gita.ExpectText("Shadow a GP surgery before summer.")
	gita.Click(fmt.Sprintf("Accept the meeting on %s", now.Add(2*time.Hour).Format("Mon 2 Jan 2006, 15:04")))
	gita.ExpectText("Meeting agreed.")
	site.Clock.Advance(3 * time.Hour)
	gita.Visit(gita.Path())
	gita.Tick("Yes, we met")
	gita.Fill("Your private note", "Send her the rural placement list.")
	gita.Click(fmt.Sprintf("Save the meeting on %s", now.Add(2*time.Hour).Format("Mon 2 Jan 2006, 15:04")))
	gita.ExpectText("Meeting recorded.", "Held")
	gita.Checkpoint("pair-mentor")
	amara.Visit(amara.Path())
	amara.ExpectText("Held")
	amara.ExpectNoText("rural placement list")

	// Last year's transition scheme: the chair reads its evaluation.
	seedFinishedScheme(t, site)
	chair.Visit("/committee/mentoring")
	chair.Click("Transition to medical school")
	chair.Click("Evaluation")
	chair.ExpectHeading("Evaluation")
	chair.Row("I feel I belong to the medical school community.").ExpectText("6", "2.0", "4.0", "100%")
	chair.ExpectText("Respondents: 6 before, 6 after.", "In their own words", "It helped to have someone to ask (3).", "Download the answers as CSV")
	chair.Checkpoint("evaluation")
	chair.SetViewport(Phone)
	chair.Checkpoint("evaluation-phone")
}

// seedFinishedScheme runs a transition scheme of six mentees and three
// mentors, all of whom agreed to research use, who answered before
// (belonging 2) and after (belonging 4, and a comment).
func seedFinishedScheme(t *testing.T, site *Site) {
	t.Helper()
	ctx := t.Context()
	now := site.Clock.Now()
	chair := site.User(t, "cat.chair@example.ac.uk")
	title := "Transition to medical school"
	opens, closes, match := now.AddDate(0, 0, -1), now.AddDate(0, 0, 1), now.AddDate(0, 0, 2)
	in := models.SchemeInput{Title: &title, MentorRule: &models.MentorRule{Roles: []models.Role{models.RoleStudent}, MinYear: ptr(3)},
		MenteeYears: &[]int{1}, Interests: &[]string{"Settling in"}, ApplicationsOpen: &opens, ApplicationsClose: &closes, MatchAt: &match,
		StartsOn: ptr(now.AddDate(0, 0, 3).Format("2006-01-02")), EndsOn: ptr(now.AddDate(0, 3, 0).Format("2006-01-02"))}
	s, err := models.CreateScheme(ctx, site.DB, chair, in, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.OpenScheme(ctx, site.DB, chair, s.ID, now); err != nil {
		t.Fatal(err)
	}
	var mentees []models.User
	for i := range 9 {
		year, role := 1, models.RoleMentee
		if i >= 6 {
			year, role = 4, models.RoleMentor
		}
		u := site.CreateUser(t, Member{Name: fmt.Sprintf("Member %d", i+1), Email: fmt.Sprintf("member%d@example.ac.uk", i+1), Year: year})
		app := models.ApplicationInput{Role: role, Interests: []string{"Settling in"}, ResearchConsent: true}
		if role == models.RoleMentor {
			app.MaxMentees = ptr(2)
		} else {
			mentees = append(mentees, u)
		}
		if _, err := models.Apply(ctx, site.DB, u, s.ID, app, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.RunMatching(ctx, site.DB, chair, s.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishPairs(ctx, site.DB, chair, s.ID, now); err != nil {
		t.Fatal(err)
	}
	for i, u := range mentees {
		if err := models.SubmitAnswers(ctx, site.DB, u, s.ID, models.PhaseBefore, map[string]any{"belonging": 2.0, "career": 3.0}, now); err != nil {
			t.Fatal(err)
		}
		after := map[string]any{"belonging": 4.0, "career": 3.0, "in_words": fmt.Sprintf("It helped to have someone to ask (%d).", i)}
		if err := models.SubmitAnswers(ctx, site.DB, u, s.ID, models.PhaseAfter, after, now); err != nil {
			t.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }
