package models_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// A GP-careers scheme: applications 1–15 October 2026, matching on the
// 16th, meetings monthly from 20 October to the end of March.
var (
	mtOpen    = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	mtApply   = mtOpen.Add(4 * 24 * time.Hour)
	mtClose   = mtOpen.Add(14 * 24 * time.Hour)
	mtMatchAt = mtClose.Add(24 * time.Hour)
)

func ptr[T any](v T) *T { return &v }

func gpScheme() models.SchemeInput {
	return models.SchemeInput{
		Title: ptr("GP careers mentoring"), Purpose: ptr("GP trainees mentor students weighing general practice."),
		MentorRule:  &models.MentorRule{Roles: []models.Role{models.RoleTeacher}, MinYear: ptr(4), Invited: true},
		MenteeYears: &[]int{1, 2, 3}, Interests: &[]string{"General practice", "Research", "Wellbeing", "Exams"},
		Questions:        &[]string{"What made you think of general practice?"},
		ApplicationsOpen: &mtOpen, ApplicationsClose: &mtClose, MatchAt: &mtMatchAt,
		StartsOn: ptr("2026-10-20"), EndsOn: ptr("2027-03-31"), MeetEveryDays: ptr(30), MaxMenteesDefault: ptr(2),
	}
}

// openScheme makes and opens the GP-careers scheme.
func openScheme(t *testing.T, db *store.Store, committee models.User) models.Scheme {
	t.Helper()
	s, err := models.CreateScheme(t.Context(), db, committee, gpScheme(), mtOpen.Add(-time.Hour))
	if err != nil {
		t.Fatalf("create scheme: %v", err)
	}
	if s, err = models.OpenScheme(t.Context(), db, committee, s.ID, mtOpen.Add(-time.Hour)); err != nil {
		t.Fatalf("open scheme: %v", err)
	}
	return s
}

func apply(t *testing.T, db *store.Store, u models.User, s models.Scheme, in models.ApplicationInput) models.Application {
	t.Helper()
	a, err := models.Apply(t.Context(), db, u, s.ID, in, mtApply)
	if err != nil {
		t.Fatalf("%s applies as %s: %v", u.Name, in.Role, err)
	}
	return a
}

func mentee(interests ...string) models.ApplicationInput {
	return models.ApplicationInput{Role: models.RoleMentee, Interests: interests, Mode: models.PreferOnline,
		Availability: []string{"tue_evening"}, Hopes: "To see what a GP's week is like.", ResearchConsent: true}
}

func mentor(max int, interests ...string) models.ApplicationInput {
	return models.ApplicationInput{Role: models.RoleMentor, Interests: interests, Mode: models.PreferEither,
		Availability: []string{"weekday_evenings"}, MaxMentees: &max, ResearchConsent: true}
}

func TestSchemeCreationAndWhoSeesIt(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee := testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		y2 := testkit.Member(t, db, testkit.Year(2), testkit.Direct())
		y5 := testkit.Member(t, db, testkit.Year(5), testkit.Direct())
		y3 := testkit.Member(t, db, testkit.Year(3), testkit.Direct())

		if _, err := models.CreateScheme(t.Context(), db, teacher, gpScheme(), mtOpen); !isErr(err, models.ErrForbidden) {
			t.Errorf("a teacher creates a scheme: %v", err)
		}
		bad := gpScheme()
		bad.Title, bad.MaxMenteesDefault, bad.EndsOn = ptr(""), ptr(6), ptr("2026-10-01")
		_, err := models.CreateScheme(t.Context(), db, committee, bad, mtOpen)
		var ve *models.ValidationError
		if !asValidation(err, &ve) || ve.Fields["title"] == "" || ve.Fields["max_mentees_default"] == "" || ve.Fields["ends_on"] == "" {
			t.Errorf("bad scheme: %v", err)
		}

		draft, err := models.CreateScheme(t.Context(), db, committee, gpScheme(), mtOpen.Add(-time.Hour))
		if err != nil || draft.Status != models.SchemeDraft || len(draft.BeforeItems.V) == 0 {
			t.Fatalf("draft: %+v %v", draft, err)
		}
		if list, _ := models.ListSchemes(t.Context(), db, y2); len(list) != 0 {
			t.Errorf("a student sees a draft: %+v", list)
		}
		if list, _ := models.ListSchemes(t.Context(), db, committee); len(list) != 1 {
			t.Errorf("committee sees %d schemes", len(list))
		}
		if _, err := models.OpenScheme(t.Context(), db, committee, draft.ID, mtOpen); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			u    models.User
			want []models.MentoringRole
		}{
			{y2, []models.MentoringRole{models.RoleMentee}},
			{y3, []models.MentoringRole{models.RoleMentee}},
			{y5, []models.MentoringRole{models.RoleMentor}},
			{teacher, []models.MentoringRole{models.RoleMentor}},
		} {
			list, err := models.ListSchemes(t.Context(), db, c.u)
			if err != nil || len(list) != 1 || len(list[0].CanApplyAs) != len(c.want) || list[0].CanApplyAs[0] != c.want[0] {
				t.Errorf("%s sees %+v (%v)", c.u.Name, list, err)
			}
		}
		y6 := testkit.Member(t, db, testkit.Direct()) // a graduate who is no teacher
		if list, _ := models.ListSchemes(t.Context(), db, y6); len(list) != 0 {
			t.Errorf("a member the scheme is not for sees it: %+v", list)
		}
	})
}

func TestApplications(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee := testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
		s := openScheme(t, db, committee)
		y2 := testkit.Member(t, db, testkit.Year(2), testkit.Direct())
		y5 := testkit.Member(t, db, testkit.Year(5), testkit.Direct())

		if _, err := models.Apply(t.Context(), db, y2, s.ID, mentor(2), mtApply); !isErr(err, models.ErrNotEligible) {
			t.Errorf("a second-year applies to mentor: %v", err)
		}
		if _, err := models.Apply(t.Context(), db, y2, s.ID, mentee(), mtOpen.Add(-time.Minute)); !isErr(err, models.ErrApplicationsNotYetOpen) {
			t.Errorf("before the window: %v", err)
		}
		if _, err := models.Apply(t.Context(), db, y2, s.ID, mentee(), mtClose); !isErr(err, models.ErrApplicationsClosed) {
			t.Errorf("after the window: %v", err)
		}
		wrong := mentee("Cardiology")
		wrong.Availability = []string{strings.Repeat("whenever ", 6)}
		_, err := models.Apply(t.Context(), db, y2, s.ID, wrong, mtApply)
		var ve *models.ValidationError
		if !asValidation(err, &ve) || ve.Fields["interests"] == "" || ve.Fields["availability"] == "" {
			t.Errorf("interest the scheme does not offer: %v", err)
		}
		a := apply(t, db, y2, s, mentee("general practice", "Research"))
		if a.Interests.V[0] != "General practice" || a.Mode != models.PreferOnline {
			t.Errorf("application: %+v", a)
		}
		if _, err := models.Apply(t.Context(), db, y2, s.ID, mentee(), mtApply); !isErr(err, models.ErrAlreadyApplied) {
			t.Errorf("second application: %v", err)
		}
		apply(t, db, y5, s, mentor(3, "Research"))

		a, err = models.UpdateApplication(t.Context(), db, y2, s.ID, func(in *models.ApplicationInput) error {
			return in.MergeJSON([]byte(`{"hopes": "To shadow a GP.", "mode": "either"}`))
		}, mtApply.Add(time.Hour))
		if err != nil || a.Hopes != "To shadow a GP." || a.Mode != models.PreferEither || len(a.Interests.V) != 2 {
			t.Errorf("edit: %+v %v", a, err)
		}
		if err := models.WithdrawApplication(t.Context(), db, y5, s.ID); err != nil {
			t.Errorf("withdraw: %v", err)
		}
		if _, err := models.MyApplication(t.Context(), db, y5, s.ID); !isErr(err, models.ErrNotFound) {
			t.Errorf("withdrawn application still there: %v", err)
		}
		apply(t, db, y5, s, mentor(1, "Research"))
		if _, err := models.RunMatching(t.Context(), db, committee, s.ID, nil, mtMatchAt); err != nil {
			t.Fatal(err)
		}
		if _, err := models.PublishPairs(t.Context(), db, committee, s.ID, mtMatchAt); err != nil {
			t.Fatal(err)
		}
		if err := models.WithdrawApplication(t.Context(), db, y2, s.ID); !isErr(err, models.ErrMatchingDone) {
			t.Errorf("withdraw after matching: %v", err)
		}
	})
}

func TestMatchingAndPublishing(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee := testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
		s := openScheme(t, db, committee)
		gp := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Name("Dr Gita Patel"), testkit.Direct())
		y5 := testkit.Member(t, db, testkit.Year(5), testkit.Name("Omar Reyes"), testkit.Direct())
		y4 := testkit.Member(t, db, testkit.Year(4), testkit.Name("Lena Fischer"), testkit.Direct())
		m1 := testkit.Member(t, db, testkit.Year(1), testkit.Name("Ada Obi"), testkit.Direct())
		m2 := testkit.Member(t, db, testkit.Year(3), testkit.Name("Ben Cole"), testkit.Direct())
		m3 := testkit.Member(t, db, testkit.Year(3), testkit.Name("Cara Lim"), testkit.Direct())
		m4 := testkit.Member(t, db, testkit.Year(3), testkit.Name("Dev Shah"), testkit.Direct())
		m5 := testkit.Member(t, db, testkit.Year(3), testkit.Name("Eve Hart"), testkit.Direct())

		apply(t, db, gp, s, mentor(2, "General practice", "Research"))
		apply(t, db, y5, s, mentor(1, "Wellbeing"))
		apply(t, db, y4, s, mentor(1, "Exams"))
		apply(t, db, m1, s, mentee("General practice", "Research"))
		ex := mentee("Wellbeing")
		ex.ExcludeUserIDs = []int64{y5.ID}
		apply(t, db, m2, s, ex)
		apply(t, db, m3, s, mentee("Exams"))
		apply(t, db, m4, s, mentee("Wellbeing"))
		ex = mentee("Exams")
		ex.ExcludeUserIDs = []int64{gp.ID, y5.ID}
		apply(t, db, m5, s, ex)

		if _, err := models.RunMatching(t.Context(), db, m1, s.ID, nil, mtMatchAt); !isErr(err, models.ErrForbidden) {
			t.Errorf("a student runs the matcher: %v", err)
		}
		p, err := models.RunMatching(t.Context(), db, committee, s.ID, nil, mtMatchAt)
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]int64{}
		for _, pr := range p.Pairs {
			got[pr.MenteeID] = pr.MentorID
		}
		// Lena (year 4) may mentor only Ada (year 1); Ben (year 3) excluded
		// Omar, so only Gita may take him; Eve excluded both who could take
		// her. Nobody who can have a mentor is left out: Ada goes to Lena,
		// though she and Gita share more, so that Cara and Dev have places
		// with Gita and Omar; Dev and Omar share wellbeing.
		if got[m1.ID] != y4.ID || got[m2.ID] != gp.ID || got[m3.ID] != gp.ID || got[m4.ID] != y5.ID || len(p.Pairs) != 4 {
			t.Errorf("pairs %+v", p.Pairs)
		}
		if len(p.Unmatched) != 1 || p.Unmatched[0] != m5.ID || len(p.IdleMentors) != 0 {
			t.Errorf("unmatched %v idle %v", p.Unmatched, p.IdleMentors)
		}
		for _, pr := range p.Pairs {
			if pr.MenteeID == m4.ID && (pr.Reasons.V[0] != "both: wellbeing" || pr.Reasons.V[1] != "online suits both" || pr.Score != 3+2+2) {
				t.Errorf("Dev's pair: %d %q", pr.Score, pr.Reasons.V)
			}
		}

		// By hand: every rule is checked.
		for _, c := range []struct {
			name  string
			edits []models.PairEdit
		}{
			{"one year ahead", []models.PairEdit{{MentorID: y4.ID, MenteeID: m3.ID}}},
			{"excluded", []models.PairEdit{{MentorID: y5.ID, MenteeID: m2.ID}}},
			{"over capacity", []models.PairEdit{{MentorID: y5.ID, MenteeID: m4.ID}, {MentorID: y5.ID, MenteeID: m1.ID}}},
			{"a mentee twice", []models.PairEdit{{MentorID: gp.ID, MenteeID: m1.ID}, {MentorID: y5.ID, MenteeID: m1.ID}}},
			{"not an applicant", []models.PairEdit{{MentorID: committee.ID, MenteeID: m1.ID}}},
		} {
			if _, err := models.SetPairs(t.Context(), db, committee, s.ID, c.edits, mtMatchAt); !asValidation(err, new(*models.ValidationError)) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		p, err = models.SetPairs(t.Context(), db, committee, s.ID, []models.PairEdit{
			{MentorID: gp.ID, MenteeID: m3.ID, Locked: true}, {MentorID: y5.ID, MenteeID: m1.ID},
		}, mtMatchAt)
		if err != nil || len(p.Pairs) != 2 {
			t.Fatalf("hand edit: %+v %v", p, err)
		}
		// The matcher keeps the locked pair and fills the rest.
		p, err = models.RunMatching(t.Context(), db, committee, s.ID, &models.Weights{Interests: 5, Mode: 1, Availability: 1}, mtMatchAt)
		if err != nil {
			t.Fatal(err)
		}
		got = map[int64]int64{}
		for _, pr := range p.Pairs {
			got[pr.MenteeID] = pr.MentorID
		}
		if got[m3.ID] != gp.ID || got[m1.ID] != y4.ID || len(p.Pairs) != 4 || p.Weights.Interests != 5 {
			t.Errorf("re-run with a locked pair: %+v", p)
		}

		res, err := models.PublishPairs(t.Context(), db, committee, s.ID, mtMatchAt)
		if err != nil || res.Introduced != 8 || res.Unmatched != 1 {
			t.Fatalf("publish: %+v %v", res, err)
		}
		again, err := models.PublishPairs(t.Context(), db, committee, s.ID, mtMatchAt.Add(time.Hour))
		if err != nil || again.Introduced != 0 || again.Unmatched != 0 {
			t.Errorf("second publish: %+v %v", again, err)
		}
		intro, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMentoringIntroduction})
		unmatched, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMentoringUnmatched})
		// One before-questionnaire each: Gita mentors two but answers once.
		before, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailQuestionnaireRequest})
		if len(intro) != 8 || len(unmatched) != 1 || len(before) != 7 {
			t.Errorf("e-mails: %d introductions, %d unmatched, %d questionnaires", len(intro), len(unmatched), len(before))
		}
		for _, m := range unmatched {
			if m.ToAddr != m5.Email {
				t.Errorf("unmatched e-mail to %s", m.ToAddr)
			}
		}
		sch, _ := models.SchemeByID(t.Context(), db, s.ID)
		if sch.Status != models.SchemeMatched {
			t.Errorf("status after publishing: %s", sch.Status)
		}
		mine, err := models.MyMentoring(t.Context(), db, m1)
		if err != nil || len(mine) != 1 || mine[0].Role != models.RoleMentee || mine[0].Partner.ID != y4.ID {
			t.Errorf("Ada's mentoring: %+v %v", mine, err)
		}
		if mine, _ := models.MyMentoring(t.Context(), db, m5); len(mine) != 0 {
			t.Errorf("unmatched Eve has a pair: %+v", mine)
		}
	})
}

// introduce makes a scheme with one introduced pair.
func introduce(t *testing.T, db *store.Store) (committee, mr, me models.User, s models.Scheme, pairID int64) {
	t.Helper()
	committee = testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	s = openScheme(t, db, committee)
	mr = testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Name("Dr Gita Patel"), testkit.Direct())
	me = testkit.Member(t, db, testkit.Year(1), testkit.Name("Ada Obi"), testkit.Direct())
	apply(t, db, mr, s, mentor(1, "General practice"))
	apply(t, db, me, s, mentee("General practice"))
	if _, err := models.RunMatching(t.Context(), db, committee, s.ID, nil, mtMatchAt); err != nil {
		t.Fatal(err)
	}
	if _, err := models.PublishPairs(t.Context(), db, committee, s.ID, mtMatchAt); err != nil {
		t.Fatal(err)
	}
	mine, err := models.MyMentoring(t.Context(), db, me)
	if err != nil || len(mine) != 1 {
		t.Fatalf("pair: %+v %v", mine, err)
	}
	return committee, mr, me, s, mine[0].ID
}

func TestMeetingsNotesGoalsAndEndRequests(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee, mr, me, s, pairID := introduce(t, db)
		other := testkit.Member(t, db, testkit.Year(1), testkit.Direct())
		at := mtMatchAt.Add(7 * 24 * time.Hour)
		in := models.MeetingInput{StartsAt: at.Add(48 * time.Hour), Minutes: 45, Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/gp"}

		if _, err := models.ProposeMeeting(t.Context(), db, other, pairID, in, at); !isErr(err, models.ErrNotFound) {
			t.Errorf("a stranger proposes a meeting: %v", err)
		}
		if _, err := models.ProposeMeeting(t.Context(), db, committee, pairID, in, at); !isErr(err, models.ErrNotFound) {
			t.Errorf("committee proposes a meeting: %v", err)
		}
		bad := in
		bad.PlaceOrURL = "my room"
		if _, err := models.ProposeMeeting(t.Context(), db, me, pairID, bad, at); !asValidation(err, new(*models.ValidationError)) {
			t.Errorf("online meeting without a link: %v", err)
		}
		m, err := models.ProposeMeeting(t.Context(), db, me, pairID, in, at)
		if err != nil || m.Status != models.MeetingProposed {
			t.Fatalf("propose: %+v %v", m, err)
		}
		if _, err := models.AcceptMeeting(t.Context(), db, me, m.ID, at); !isErr(err, models.ErrOwnProposal) {
			t.Errorf("accepting one's own proposal: %v", err)
		}
		if _, err := models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(true), nil, at.Add(72*time.Hour)); !isErr(err, models.ErrMeetingNotAccepted) {
			t.Errorf("marking a meeting not agreed: %v", err)
		}
		if m, err = models.AcceptMeeting(t.Context(), db, mr, m.ID, at); err != nil || m.Status != models.MeetingAccepted {
			t.Fatalf("accept: %+v %v", m, err)
		}
		if _, err := models.AcceptMeeting(t.Context(), db, mr, m.ID, at); !isErr(err, models.ErrMeetingAccepted) {
			t.Errorf("accepting twice: %v", err)
		}
		proposed, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMeetingProposed})
		confirmed, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMeetingConfirmed})
		if len(proposed) != 1 || proposed[0].ToAddr != mr.Email || len(confirmed) != 2 {
			t.Errorf("meeting e-mails: %d proposed, %d confirmed", len(proposed), len(confirmed))
		}
		if _, err := models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(true), nil, at); !isErr(err, models.ErrMeetingNotStarted) {
			t.Errorf("held before it starts: %v", err)
		}
		after := at.Add(72 * time.Hour)
		note := "Ada seemed anxious about exams; follow up."
		if m, err = models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(true), &note, after); err != nil || m.Held == nil || !*m.Held || m.MyNote == nil {
			t.Fatalf("held: %+v %v", m, err)
		}
		menteeNote := "Ask about the GP placement."
		if _, err := models.MarkMeeting(t.Context(), db, me, m.ID, ptr(true), &menteeNote, after); err != nil {
			t.Fatal(err)
		}
		// Each side reads their own note only.
		for _, c := range []struct {
			u    models.User
			want string
		}{{mr, note}, {me, menteeNote}} {
			p, err := models.PairOf(t.Context(), db, c.u, pairID)
			if err != nil || len(p.Meetings) != 1 || p.Meetings[0].MyNote == nil || *p.Meetings[0].MyNote != c.want {
				t.Errorf("%s's note: %+v %v", c.u.Name, p.Meetings, err)
			}
		}
		// Committee sees that they met, never a note.
		pairs, err := models.SchemePairs(t.Context(), db, s.ID, after)
		if err != nil || len(pairs) != 1 || pairs[0].MeetingsHeld != 1 || pairs[0].LastMetAt == nil {
			t.Errorf("committee's view: %+v %v", pairs, err)
		}

		if _, err := models.SetGoals(t.Context(), db, mr, pairID, "Decide on an elective"); !isErr(err, &models.Error{Code: "mentee_only"}) {
			t.Errorf("the mentor writes goals: %v", err)
		}
		if _, err := models.SetGoals(t.Context(), db, me, pairID, "Decide on an elective"); err != nil {
			t.Fatal(err)
		}
		if p, _ := models.PairOf(t.Context(), db, mr, pairID); p.Goals != "Decide on an elective" {
			t.Errorf("the mentor reads goals %q", p.Goals)
		}
		if _, err := models.RequestEnd(t.Context(), db, me, pairID, "", after); !asValidation(err, new(*models.ValidationError)) {
			t.Errorf("empty reason: %v", err)
		}
		if _, err := models.RequestEnd(t.Context(), db, other, pairID, "No", after); !isErr(err, models.ErrNotFound) {
			t.Errorf("a stranger asks to end: %v", err)
		}
		if _, err := models.RequestEnd(t.Context(), db, me, pairID, "Our times never fit.", after); err != nil {
			t.Fatal(err)
		}
		pairs, _ = models.SchemePairs(t.Context(), db, s.ID, after)
		if len(pairs[0].EndRequests) != 1 || pairs[0].EndRequests[0].Reason != "Our times never fit." {
			t.Errorf("committee's view of the request: %+v", pairs[0].EndRequests)
		}
		if p, _ := models.PairOf(t.Context(), db, mr, pairID); p.Status != models.PairActive {
			t.Errorf("a request ends the pair at once: %s", p.Status)
		}
		if _, err := models.EndPair(t.Context(), db, committee, pairID, after); err != nil {
			t.Fatal(err)
		}
		if _, err := models.ProposeMeeting(t.Context(), db, me, pairID, in, after); !isErr(err, models.ErrPairNotActive) {
			t.Errorf("meeting in an ended pair: %v", err)
		}
	})
}

func TestQuestionnairesAndEvaluation(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee := testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
		s := openScheme(t, db, committee)
		mentors := make([]models.User, 3)
		for i := range mentors {
			mentors[i] = testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
			apply(t, db, mentors[i], s, mentor(2, "General practice"))
		}
		// Five mentees; the fifth does not consent to research use.
		mentees := make([]models.User, 5)
		for i := range mentees {
			mentees[i] = testkit.Member(t, db, testkit.Year(1), testkit.Direct())
			in := mentee("General practice")
			in.ResearchConsent = i < 4
			apply(t, db, mentees[i], s, in)
		}
		if _, err := models.RunMatching(t.Context(), db, committee, s.ID, nil, mtMatchAt); err != nil {
			t.Fatal(err)
		}
		if _, err := models.PublishPairs(t.Context(), db, committee, s.ID, mtMatchAt); err != nil {
			t.Fatal(err)
		}

		q, err := models.SchemeQuestionnaires(t.Context(), db, s.ID)
		if err != nil || len(q.Before.Items) == 0 {
			t.Fatalf("defaults: %+v %v", q, err)
		}
		// Belonging before and after, for four consenting mentees (ties,
		// one unchanged) and the one who did not consent.
		before := []int{2, 3, 2, 1, 1}
		after := []int{4, 3, 3, 3, 5}
		at := mtMatchAt.Add(time.Hour)
		for i, u := range mentees {
			if err := models.SubmitAnswers(t.Context(), db, u, s.ID, models.PhaseBefore, map[string]any{"belonging": float64(before[i]), "in_words": "Nervous"}, at); err != nil {
				t.Fatalf("before %d: %v", i, err)
			}
			if err := models.SubmitAnswers(t.Context(), db, u, s.ID, models.PhaseAfter, map[string]any{"belonging": float64(after[i])}, at); err != nil {
				t.Fatalf("after %d: %v", i, err)
			}
		}
		if err := models.SubmitAnswers(t.Context(), db, mentees[0], s.ID, models.PhaseBefore, map[string]any{"belonging": 3.0}, at); !isErr(err, models.ErrAlreadyAnswered) {
			t.Errorf("second answer: %v", err)
		}
		if err := models.SubmitAnswers(t.Context(), db, mentors[0], s.ID, models.PhaseBefore, map[string]any{"belonging": 3.0}, at); !asValidation(err, new(*models.ValidationError)) {
			t.Errorf("a mentor answers a mentee's item: %v", err)
		}
		if err := models.SubmitAnswers(t.Context(), db, mentors[0], s.ID, models.PhaseBefore, map[string]any{"guiding": 6.0}, at); !asValidation(err, new(*models.ValidationError)) {
			t.Errorf("6 of 5: %v", err)
		}
		stranger := testkit.Member(t, db, testkit.Year(1), testkit.Direct())
		if err := models.SubmitAnswers(t.Context(), db, stranger, s.ID, models.PhaseBefore, map[string]any{"belonging": 3.0}, at); !isErr(err, models.ErrNotFound) {
			t.Errorf("a stranger answers: %v", err)
		}

		ev, err := models.SchemeEvaluation(t.Context(), db, s.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		var belonging *models.EvaluationItem
		for i := range ev.Items {
			if ev.Items[i].ID == "belonging" {
				belonging = &ev.Items[i]
			}
		}
		// Consenting pairs: (2,4) (3,3) (2,3) (1,3): medians 2 and 3, three
		// of four up; W = 0 (no fall), normal approximation with ties.
		if belonging == nil || belonging.PairedN != 4 || *belonging.MedianBefore != 2 || *belonging.MedianAfter != 3 ||
			*belonging.ImprovedShare != 0.75 || belonging.Wilcoxon == nil || belonging.Wilcoxon.W != 0 || belonging.Wilcoxon.R <= 0 {
			t.Fatalf("belonging: %+v", belonging)
		}
		if !ev.Withheld {
			t.Error("items nobody answered both times are not withheld")
		}
		for _, it := range ev.Items {
			if it.ID == "guiding" && (it.PairedN != 0 || it.MedianBefore != nil || it.Wilcoxon != nil) {
				t.Errorf("unanswered item has figures: %+v", it)
			}
		}
		if ev, _ := models.SchemeEvaluation(t.Context(), db, s.ID, 5); ev.Items[1].MedianBefore != nil {
			t.Errorf("below the threshold of 5: %+v", ev.Items[1])
		}

		var buf bytes.Buffer
		if err := models.WriteEvaluationCSV(t.Context(), db, s.ID, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Four consenting mentees: belonging twice and a comment each.
		if len(rows) != 1+4*3 || strings.Join(rows[0], ",") != "pseudonym,role,item_id,time,answer" {
			t.Fatalf("csv: %q", rows)
		}
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			seen[r[0]] = true
			if !strings.HasPrefix(r[0], "P-") || r[1] != "mentee" {
				t.Errorf("row %q", r)
			}
			for _, u := range mentees {
				if strings.Contains(strings.Join(r, ","), u.Name) || strings.Contains(strings.Join(r, ","), u.Email) {
					t.Errorf("row names a member: %q", r)
				}
			}
		}
		if len(seen) != 4 {
			t.Errorf("%d respondents in the export, want the 4 who consented", len(seen))
		}

		// Answered questionnaires can be reworded, not reshaped.
		q.Before.Items[0].Text = "I know what general practice involves."
		if _, err := models.SetQuestionnaires(t.Context(), db, committee, s.ID, q, at); err != nil {
			t.Errorf("rewording: %v", err)
		}
		q.Before.Items = q.Before.Items[1:]
		if _, err := models.SetQuestionnaires(t.Context(), db, committee, s.ID, q, at); !isErr(err, models.ErrQuestionnaireAnswered) {
			t.Errorf("removing an answered item: %v", err)
		}
	})
}

func TestInvitations(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		committee := testkit.Member(t, db, testkit.Role(models.RoleCommittee), testkit.Direct())
		s := openScheme(t, db, committee)
		invs, err := models.InviteMentors(t.Context(), db, committee, s.ID, []string{"gp.trainee@nhs.example", "GP.Trainee@nhs.example ", "member@x.ac.uk"}, mtOpen)
		if err != nil || len(invs) != 2 {
			t.Fatalf("invite: %+v %v", invs, err)
		}
		if _, err := models.InviteMentors(t.Context(), db, committee, s.ID, []string{"not an address"}, mtOpen); !asValidation(err, new(*models.ValidationError)) {
			t.Errorf("bad address: %v", err)
		}
		again, _ := models.InviteMentors(t.Context(), db, committee, s.ID, []string{"gp.trainee@nhs.example"}, mtOpen)
		msgs, _ := models.ListOutbox(t.Context(), db, models.OutboxFilter{Kind: models.MailMentorInvitation})
		if len(again) != 1 || len(msgs) != 2 {
			t.Fatalf("invited again: %d invitations, %d e-mails", len(again), len(msgs))
		}
		path := ""
		for _, m := range msgs {
			if m.ToAddr == "gp.trainee@nhs.example" {
				path = m.DataMap()["path"]
			}
		}
		secret := strings.TrimPrefix(path, "/mentoring/join?token=")
		u, _, err := models.AcceptInvitation(t.Context(), db, secret, models.InvitationAccount{Name: "Dr Sam Ito", Password: "a long password"}, mtOpen.Add(time.Hour))
		if err != nil || u.Email != "gp.trainee@nhs.example" {
			t.Fatalf("accept: %+v %v", u, err)
		}
		if _, _, err := models.AcceptInvitation(t.Context(), db, secret, models.InvitationAccount{Member: &u}, mtOpen.Add(time.Hour)); !isErr(err, models.ErrTokenInvalid) {
			t.Errorf("link used twice: %v", err)
		}
		// The invited graduate may now apply to mentor; another graduate may not.
		apply(t, db, u, s, mentor(2, "General practice"))
		outsider := testkit.Member(t, db, testkit.Direct())
		if _, err := models.Apply(t.Context(), db, outsider, s.ID, mentor(1), mtApply); !isErr(err, models.ErrNotEligible) {
			t.Errorf("uninvited graduate: %v", err)
		}
	})
}

func TestMentorCertificate(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		_, mr, me, s, pairID := introduce(t, db)
		if _, err := models.IssueMentorCertificate(t.Context(), db, me, s.ID, time.UTC, mtMatchAt); !isErr(err, models.ErrNoMentees) {
			t.Errorf("the mentee asks for a mentor's certificate: %v", err)
		}
		// Two meetings held, one not, by 20 January 2027.
		for i, held := range []bool{true, false, true} {
			at := time.Date(2026, 11, 10+7*i, 18, 0, 0, 0, time.UTC)
			m, err := models.ProposeMeeting(t.Context(), db, me, pairID, models.MeetingInput{StartsAt: at, Minutes: 30, Mode: models.ModeInPerson, PlaceOrURL: "Café"}, at.Add(-48*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.AcceptMeeting(t.Context(), db, mr, m.ID, at.Add(-24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := models.MarkMeeting(t.Context(), db, mr, m.ID, ptr(held), nil, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		at := time.Date(2027, 1, 20, 12, 0, 0, 0, time.UTC)
		c, err := models.IssueMentorCertificate(t.Context(), db, mr, s.ID, time.UTC, at)
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.Mentoring()
		// From the scheme's first day, 20 October, to 20 January: 3 months.
		if err != nil || c.Kind != models.CertificateMentoring || f.Mentees != 1 || f.MeetingsHeld != 2 || f.Months != 3 ||
			f.SchemeTitle != "GP careers mentoring" || f.MentorName != mr.Name {
			t.Errorf("certificate %+v: %+v %v", c, f, err)
		}
		found, err := models.CertificateByCode(t.Context(), db, c.Code)
		if err != nil || found.Kind != models.CertificateMentoring {
			t.Errorf("verification: %+v %v", found, err)
		}
	})
}

func TestSchemeFigures(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		_, mr, me, s, pairID := introduce(t, db)
		// Ada and Gita meet on 5 November and 3 December.
		for _, at := range []time.Time{time.Date(2026, 11, 5, 18, 0, 0, 0, time.UTC), time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)} {
			m, err := models.ProposeMeeting(t.Context(), db, me, pairID, models.MeetingInput{StartsAt: at, Minutes: 30, Mode: models.ModeInPerson, PlaceOrURL: "Café"}, at.Add(-72*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.AcceptMeeting(t.Context(), db, mr, m.ID, at.Add(-48*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if _, err := models.MarkMeeting(t.Context(), db, me, m.ID, ptr(true), nil, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		f, err := models.SchemeFigures(t.Context(), db, s.ID, time.UTC, time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		// Introduced 16 October 09:00; first met 5 November 18:00: 20.4 days.
		if f.Pairs != 1 || f.Mentees != 1 || *f.MatchedShare != 1 || *f.MeetingsPerPair != 2 || *f.DaysToFirstMeeting != 20.4 {
			t.Errorf("figures: %+v", f)
		}
		if len(f.Applicants) != 2 || len(f.Months) != 3 || f.Months[0].Month != "2026-10" || f.Months[0].Met != 0 ||
			f.Months[1].Met != 1 || f.Months[2].Running != 1 {
			t.Errorf("applicants %+v months %+v", f.Applicants, f.Months)
		}
	})
}
