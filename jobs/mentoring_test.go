package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/internal/mail/mailtest"
	"rounds/jobs"
	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// The scheme of these tests takes applications in October 2026, matches on
// the 16th, and runs monthly from 20 October 2026 to 31 January 2027.
var (
	schemeOpen  = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	schemeMatch = time.Date(2026, 10, 16, 9, 0, 0, 0, time.UTC)
	// The first day begins at midnight in London (BST): 23:00 UTC before.
	schemeStart = time.Date(2026, 10, 19, 23, 0, 0, 0, time.UTC)
)

type mentoringFixture struct {
	lead, mentor, mentee, other models.User
	scheme                      models.Scheme
	pairID                      int64
}

// introduced is a scheme with one pair introduced: Dr Gita Patel mentors
// Ada Obi; Ben Cole, who applied too, has no mentor.
func introduced(t *testing.T, db *store.Store) mentoringFixture {
	t.Helper()
	var f mentoringFixture
	f.lead = testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Name("Lead Lee"), testkit.Email("lead@example.org"), testkit.Direct())
	f.mentor = testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Name("Dr Gita Patel"), testkit.Email("gita@example.org"), testkit.Direct())
	f.mentee = testkit.Member(t, db, testkit.Year(1), testkit.Name("Ada Obi"), testkit.Email("ada@example.org"), testkit.Direct())
	f.other = testkit.Member(t, db, testkit.Year(1), testkit.Name("Ben Cole"), testkit.Email("ben@example.org"), testkit.Direct())
	title, closes, start, end, every := "GP careers", schemeOpen.Add(14*24*time.Hour), "2026-10-20", "2027-01-31", 30
	s, err := models.CreateScheme(t.Context(), db, f.lead, models.SchemeInput{
		Title: &title, MentorRule: &models.MentorRule{Roles: []models.Role{models.RoleTeacher}}, MenteeYears: &[]int{1},
		Interests: &[]string{"General practice"}, ApplicationsOpen: &schemeOpen, ApplicationsClose: &closes, MatchAt: &schemeMatch,
		StartsOn: &start, EndsOn: &end, MeetEveryDays: &every,
	}, schemeOpen)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.OpenScheme(t.Context(), db, f.lead, s.ID, schemeOpen); err != nil {
		t.Fatal(err)
	}
	one := 1
	for _, a := range []struct {
		u  models.User
		in models.ApplicationInput
	}{
		{f.mentor, models.ApplicationInput{Role: models.RoleMentor, Interests: []string{"General practice"}, MaxMentees: &one}},
		{f.mentee, models.ApplicationInput{Role: models.RoleMentee, Interests: []string{"General practice"}, Hopes: "To see a GP surgery."}},
		{f.other, models.ApplicationInput{Role: models.RoleMentee}},
	} {
		if _, err := models.Apply(t.Context(), db, a.u, s.ID, a.in, schemeOpen.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.RunMatching(t.Context(), db, f.lead, s.ID, nil, schemeMatch); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishPairs(t.Context(), db, f.lead, s.ID, schemeMatch); err != nil {
		t.Fatal(err)
	}
	mine, err := models.MyMentoring(t.Context(), db, f.mentee)
	if err != nil || len(mine) != 1 {
		t.Fatalf("pair: %v %v", mine, err)
	}
	f.scheme, f.pairID = s, mine[0].ID
	return f
}

func planMentoring(t *testing.T, runners ...*jobs.Runner) {
	t.Helper()
	for _, r := range runners {
		if err := r.PlanMentoring(context.Background()); err != nil {
			t.Fatalf("PlanMentoring: %v", err)
		}
	}
}

func TestMentoringIntroductionsAndMeetings(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(schemeMatch)
		f := introduced(t, db)
		r := newRunner(t, db, reminderConfig(srv.URL()), clk, nil)
		deliver(t, r)

		intro := received(srv, models.MailMentoringIntroduction)
		if len(intro) != 2 {
			t.Fatalf("%d introductions, want 2", len(intro))
		}
		hasAll(t, "mentee's introduction", intro["ada@example.org"].Text, "Dr Gita Patel", "gita@example.org", "/mentoring/pairs/")
		hasAll(t, "mentor's introduction", intro["gita@example.org"].Text, "Ada Obi", "ada@example.org", "To see a GP surgery.", "General practice")
		if got := received(srv, models.MailMentoringUnmatched); len(got) != 1 || got["ben@example.org"].Text == "" {
			t.Errorf("unmatched e-mails: %v", got)
		}

		// Ada proposes a meeting; Gita accepts: both get an invitation, and
		// a reminder the day before, once, however many instances plan.
		meetAt := time.Date(2026, 10, 27, 18, 0, 0, 0, time.UTC)
		clk.Set(time.Date(2026, 10, 20, 12, 0, 0, 0, time.UTC))
		m, err := models.ProposeMeeting(t.Context(), db, f.mentee, f.pairID, models.MeetingInput{StartsAt: meetAt, Minutes: 45,
			Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/ada"}, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		deliver(t, r)
		if got := received(srv, models.MailMeetingProposed); len(got) != 1 || !strings.Contains(got["gita@example.org"].Text, "Ada Obi proposes") {
			t.Errorf("proposal e-mails: %v", got)
		}
		if _, err := models.AcceptMeeting(t.Context(), db, f.mentor, m.ID, clk.Now()); err != nil {
			t.Fatal(err)
		}
		deliver(t, r)
		confirmed := received(srv, models.MailMeetingConfirmed)
		if len(confirmed) != 2 {
			t.Fatalf("%d confirmations, want 2", len(confirmed))
		}
		method, ev := invitation(t, confirmed["ada@example.org"])
		if method != "REQUEST" || ev == nil {
			t.Fatalf("invitation %q %v", method, ev)
		}
		if start, err := ev.DateTimeStart(time.UTC); err != nil || !start.Equal(meetAt) {
			t.Errorf("DTSTART %v %v", start, err)
		}

		r2 := newRunner(t, db, reminderConfig(srv.URL()), clk, nil, jobs.WithOwner("instance-b"))
		clk.Set(meetAt.Add(-25 * time.Hour))
		planMentoring(t, r, r2)
		if n := countKind(t, db, models.MailMeetingReminder); n != 0 {
			t.Errorf("%d reminders 25 hours before", n)
		}
		clk.Set(meetAt.Add(-23 * time.Hour))
		planMentoring(t, r, r2)
		planMentoring(t, r2, r)
		deliver(t, r)
		if got := received(srv, models.MailMeetingReminder); len(got) != 2 || count(srv, models.MailMeetingReminder) != 2 {
			t.Errorf("reminders: %d", count(srv, models.MailMeetingReminder))
		}
	})
}

func countKind(t *testing.T, db *store.Store, kind models.MailKind) int {
	t.Helper()
	msgs, err := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: kind, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

// A pair that does not meet gets one friendly nudge after the rhythm and a
// grace week; after two rhythms the lead is told; each once, on two
// instances; a meeting held starts the count again.
func TestMentoringNudgesOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(schemeMatch)
		f := introduced(t, db)
		a := newRunner(t, db, reminderConfig(srv.URL()), clk, nil, jobs.WithOwner("instance-a"))
		b := newRunner(t, db, reminderConfig(srv.URL()), clk, nil, jobs.WithOwner("instance-b"))

		clk.Set(schemeStart.Add(37*24*time.Hour - time.Minute))
		planMentoring(t, a, b)
		if n := countKind(t, db, models.MailMentoringNudge); n != 0 {
			t.Fatalf("%d nudges before the rhythm and a grace week", n)
		}
		clk.Set(schemeStart.Add(37 * 24 * time.Hour))
		planMentoring(t, a, b)
		planMentoring(t, b, a)
		deliver(t, a)
		nudges := received(srv, models.MailMentoringNudge)
		if len(nudges) != 2 || count(srv, models.MailMentoringNudge) != 2 {
			t.Fatalf("nudges: %d", count(srv, models.MailMentoringNudge))
		}
		hasAll(t, "Ada's nudge", nudges["ada@example.org"].Text, "have not recorded a meeting yet", "Dr Gita Patel")
		if countKind(t, db, models.MailMentoringLeadsAlert) != 0 {
			t.Error("the lead is told after one rhythm")
		}

		// Gita keeps a private note on a meeting that did not happen.
		past := schemeStart.Add(40 * 24 * time.Hour)
		clk.Set(past)
		m, _ := models.ProposeMeeting(t.Context(), db, f.mentee, f.pairID, models.MeetingInput{StartsAt: past.Add(-time.Hour), Minutes: 30,
			Mode: models.ModeInPerson, PlaceOrURL: "Library café"}, past)
		if _, err := models.AcceptMeeting(t.Context(), db, f.mentor, m.ID, past); err != nil {
			t.Fatal(err)
		}
		secret := "Ada did not turn up again; worried about her."
		if _, err := models.MarkMeeting(t.Context(), db, f.mentor, m.ID, ptr(false), &secret, past); err != nil {
			t.Fatal(err)
		}

		clk.Set(schemeStart.Add(67 * 24 * time.Hour))
		planMentoring(t, a, b)
		planMentoring(t, b, a)
		deliver(t, b)
		alerts := received(srv, models.MailMentoringLeadsAlert)
		if len(alerts) != 1 || count(srv, models.MailMentoringLeadsAlert) != 1 {
			t.Fatalf("leads alerts: %d", count(srv, models.MailMentoringLeadsAlert))
		}
		text := alerts["lead@example.org"].Text
		hasAll(t, "the lead's alert", text, "Dr Gita Patel", "Ada Obi", "67 days")
		if strings.Contains(text, "worried") || strings.Contains(text, "turn up") {
			t.Errorf("the alert gives away a private note:\n%s", text)
		}
		if count(srv, models.MailMentoringNudge) != 2 {
			t.Errorf("a second nudge for the same lapse: %d", count(srv, models.MailMentoringNudge))
		}

		// They meet; the count starts again from that meeting.
		met := schemeStart.Add(70 * 24 * time.Hour)
		clk.Set(met)
		m, _ = models.ProposeMeeting(t.Context(), db, f.mentor, f.pairID, models.MeetingInput{StartsAt: met.Add(-time.Hour), Minutes: 30,
			Mode: models.ModeInPerson, PlaceOrURL: "Library café"}, met)
		if _, err := models.AcceptMeeting(t.Context(), db, f.mentee, m.ID, met); err != nil {
			t.Fatal(err)
		}
		if _, err := models.MarkMeeting(t.Context(), db, f.mentee, m.ID, ptr(true), nil, met); err != nil {
			t.Fatal(err)
		}
		clk.Set(met.Add(36 * 24 * time.Hour))
		planMentoring(t, a, b)
		if n := countKind(t, db, models.MailMentoringNudge); n != 2 {
			t.Errorf("%d nudges within the rhythm after a meeting", n)
		}
	})
}

// The before questionnaire goes at matching and is chased once; at the end
// the scheme closes, its pairs end and the after questionnaire goes, once.
func TestMentoringQuestionnairesOnce(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		srv := mailtest.NewServer(t)
		clk := clock.NewFake(schemeMatch)
		f := introduced(t, db)
		a := newRunner(t, db, reminderConfig(srv.URL()), clk, nil, jobs.WithOwner("instance-a"))
		b := newRunner(t, db, reminderConfig(srv.URL()), clk, nil, jobs.WithOwner("instance-b"))
		deliver(t, a)
		requests := received(srv, models.MailQuestionnaireRequest)
		if len(requests) != 2 {
			t.Fatalf("%d before questionnaires, want 2 (Ben has no pair)", len(requests))
		}
		hasAll(t, "request", requests["ada@example.org"].Text, "/questionnaire/before")

		// Gita answers; Ada does not, and is reminded once, a week on.
		if err := models.SubmitAnswers(t.Context(), db, f.mentor, f.scheme.ID, models.PhaseBefore, map[string]any{"guiding": 3.0}, clk.Now()); err != nil {
			t.Fatal(err)
		}
		clk.Set(schemeMatch.Add(7*24*time.Hour + time.Minute))
		planMentoring(t, a, b)
		planMentoring(t, b, a)
		deliver(t, a)
		reminders := received(srv, models.MailQuestionnaireReminder)
		if len(reminders) != 1 || reminders["ada@example.org"].Text == "" || count(srv, models.MailQuestionnaireReminder) != 1 {
			t.Errorf("reminders: %d", count(srv, models.MailQuestionnaireReminder))
		}
		clk.Set(schemeMatch.Add(20 * 24 * time.Hour))
		planMentoring(t, a, b)
		if n := countKind(t, db, models.MailQuestionnaireReminder); n != 1 {
			t.Errorf("%d questionnaire reminders later on", n)
		}

		// 1 February 2027, London: the scheme is over.
		clk.Set(time.Date(2027, 2, 1, 0, 0, 1, 0, time.UTC))
		planMentoring(t, a, b)
		planMentoring(t, b, a)
		s, _ := models.SchemeByID(t.Context(), db, f.scheme.ID)
		if s.Status != models.SchemeClosed {
			t.Fatalf("status %s at the end", s.Status)
		}
		if p, _ := models.PairOf(t.Context(), db, f.mentee, f.pairID); p.Status != models.PairEnded {
			t.Errorf("pair %s at the end", p.Status)
		}
		deliver(t, a)
		after := 0
		for _, m := range srv.Messages() {
			if m.Header.Get("X-Rounds-Kind") == string(models.MailQuestionnaireRequest) && strings.Contains(m.Text, "/questionnaire/after") {
				after++
			}
		}
		if after != 2 {
			t.Errorf("%d after questionnaires, want one each", after)
		}
	})
}

func ptr[T any](v T) *T { return &v }
