package main

import (
	"fmt"
	"time"

	"rounds/models"
)

// ---- mentoring ----------------------------------------------------------------

// mentoring adds two schemes: GP careers, mid-way (junior doctors mentor
// students of years 1–3; pairs introduced six weeks ago, meetings held and
// to come, the before questionnaire answered), and the transition to
// medical school, finished last month (senior students mentored first and
// second years; questionnaires before and after, for its evaluation).
func (s *demoSociety) mentoring() error {
	chair := s.committee[0]
	day := func(t time.Time) *string { d := t.In(s.loc).Format(time.DateOnly); return &d }
	week := 7 * 24 * time.Hour

	var doctors, seniors []models.User
	for _, t := range s.teachers {
		if t.Doctor {
			doctors = append(doctors, t.User)
		}
	}
	for _, y := range []int{4, 5} {
		seniors = append(seniors, s.byYear[y]...)
	}
	var juniors []models.User
	for _, y := range []int{1, 2, 3} {
		juniors = append(juniors, s.byYear[y]...)
	}

	gp := demoScheme{
		in: models.SchemeInput{Title: ptrOf("GP careers mentoring"),
			Purpose:     ptrOf("Junior doctors heading for general practice meet students who wonder whether it is for them: what the work is like, how training goes, what to do now."),
			MentorRule:  &models.MentorRule{Roles: []models.Role{models.RoleTeacher}, Invited: true},
			MenteeYears: &[]int{1, 2, 3}, Interests: &[]string{"General practice", "Research", "Wellbeing", "Exams", "Rural medicine"},
			Questions: &[]string{"What made you think of general practice?"}, MeetEveryDays: ptrOf(28), MaxMenteesDefault: ptrOf(3)},
		opens: s.now.Add(-10 * week), mentors: doctors, mentees: s.pickMembers(juniors, 14), capacity: 3,
	}
	gp.in.StartsOn, gp.in.EndsOn = day(s.now.Add(-6*week)), day(s.now.Add(16*week))
	transition := demoScheme{
		in: models.SchemeInput{Title: ptrOf("Transition to medical school"),
			Purpose:     ptrOf("Senior students help new students through their first year: finding their feet, study habits, and who to ask."),
			MentorRule:  &models.MentorRule{MinYear: ptrOf(4)},
			MenteeYears: &[]int{1, 2}, Interests: &[]string{"Study skills", "Wellbeing", "Exams", "Societies", "Living away from home"},
			MeetEveryDays: ptrOf(30), MaxMenteesDefault: ptrOf(2)},
		opens: s.now.Add(-40 * week), mentors: s.pickMembers(seniors, 10), mentees: s.pickMembers(s.byYear[2], 16), capacity: 2, finished: true,
	}
	transition.in.StartsOn, transition.in.EndsOn = day(s.now.Add(-36*week)), day(s.now.Add(-4*week))

	for _, ds := range []*demoScheme{&gp, &transition} {
		if err := s.runScheme(chair, ds); err != nil {
			return fmt.Errorf("%s: %w", *ds.in.Title, err)
		}
	}
	// Schemes start and end on their dates, as the job does it.
	_, err := models.PlanMentoring(s.ctx, s.db, models.MentoringRules{Location: s.loc}, s.now)
	return err
}

// demoScheme is one scheme of the demo as planned.
type demoScheme struct {
	in                      models.SchemeInput
	opens                   time.Time
	mentors                 []models.User
	mentees                 []models.User
	capacity                int
	finished                bool
	scheme                  models.Scheme
	matchAt, startAt, endAt time.Time
}

func ptrOf[T any](v T) *T { return &v }

// pickMembers draws n members at random, each once.
func (s *demoSociety) pickMembers(from []models.User, n int) []models.User {
	out := make([]models.User, 0, n)
	for _, i := range s.rng.Perm(len(from))[:min(n, len(from))] {
		out = append(out, from[i])
	}
	return out
}

// runScheme takes a scheme from creation to where it is now: applications,
// matching and introductions, meetings, and the questionnaires.
func (s *demoSociety) runScheme(chair models.User, ds *demoScheme) error {
	week := 7 * 24 * time.Hour
	closes, match := ds.opens.Add(2*week), ds.opens.Add(3*week)
	ds.in.ApplicationsOpen, ds.in.ApplicationsClose, ds.in.MatchAt = &ds.opens, &closes, &match
	sc, err := models.CreateScheme(s.ctx, s.db, chair, ds.in, ds.opens.Add(-week))
	if err != nil {
		return err
	}
	if _, err := models.OpenScheme(s.ctx, s.db, chair, sc.ID, ds.opens); err != nil {
		return err
	}
	interests := *ds.in.Interests
	modes := []models.MeetingPreference{models.PreferInPerson, models.PreferOnline, models.PreferEither, models.PreferEither}
	times := []string{"weekday_evenings", "weekends", "tue_evening", "wed_evening", "thu_evening", "sat_morning", "weekday_daytime"}
	apply := func(u models.User, role models.MentoringRole, i int) error {
		in := models.ApplicationInput{Role: role, Interests: s.drawWords(interests, 1+s.rng.IntN(3)), Mode: modes[s.rng.IntN(len(modes))],
			Availability: s.drawWords(times, 1+s.rng.IntN(2)), ResearchConsent: s.rng.IntN(100) < 85}
		if role == models.RoleMentor {
			in.MaxMentees = ptrOf(1 + s.rng.IntN(ds.capacity))
		} else {
			in.Hopes = demoHopes[s.rng.IntN(len(demoHopes))]
		}
		_, err := models.Apply(s.ctx, s.db, u, sc.ID, in, ds.opens.Add(time.Duration(i+1)*3*time.Hour))
		return err
	}
	for i, u := range ds.mentors {
		if err := apply(u, models.RoleMentor, i); err != nil {
			return err
		}
	}
	for i, u := range ds.mentees {
		if err := apply(u, models.RoleMentee, len(ds.mentors)+i); err != nil {
			return err
		}
	}
	if _, err := models.RunMatching(s.ctx, s.db, chair, sc.ID, nil, match); err != nil {
		return err
	}
	if _, err := models.PublishPairs(s.ctx, s.db, chair, sc.ID, match); err != nil {
		return err
	}
	start := sc.StartsAt(s.loc)
	end := sc.EndsAt(s.loc)
	pairs, err := models.SchemePairs(s.ctx, s.db, sc.ID, match)
	if err != nil {
		return err
	}
	for i, p := range pairs {
		if err := s.pairMeets(ds, p.Pair, i, start, end); err != nil {
			return err
		}
	}
	return s.answerQuestionnaires(sc, pairs, match, end, ds.finished)
}

var demoHopes = []string{
	"To hear what the job is really like, day to day.",
	"Someone to ask the questions I feel silly asking in lectures.",
	"Help planning my electives and what to do with my summers.",
	"To feel less lost; it has been a big move.",
	"Advice on balancing revision with everything else.",
	"",
}

// drawWords draws n distinct words.
func (s *demoSociety) drawWords(from []string, n int) []string {
	var out []string
	for _, i := range s.rng.Perm(len(from))[:min(n, len(from))] {
		out = append(out, from[i])
	}
	return out
}

// pairMeets holds the pair's meetings up to now, about monthly, some missed
// or never arranged; a running pair may have one agreed to come.
func (s *demoSociety) pairMeets(ds *demoScheme, p models.Pair, i int, start, end time.Time) error {
	mentor, mentee := s.members[p.MentorID], s.members[p.MenteeID]
	keen := s.rng.IntN(10) // 0: never meet; 1–2: meet once; else monthly
	at := start.Add(time.Duration(7+s.rng.IntN(10))*24*time.Hour + 18*time.Hour)
	for n := 0; at.Before(s.now) && at.Before(end) && keen > 0; n++ {
		if keen <= 2 && n >= 1 {
			break
		}
		by, other := mentee, mentor
		if s.rng.IntN(2) == 0 {
			by, other = mentor, mentee
		}
		in := models.MeetingInput{StartsAt: at, Minutes: 30 + 15*s.rng.IntN(3), Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/mentoring-" + fmt.Sprint(p.ID)}
		if s.rng.IntN(2) == 0 {
			in.Mode, in.PlaceOrURL = models.ModeInPerson, "Library café, ground floor"
		}
		m, err := models.ProposeMeeting(s.ctx, s.db, by, p.ID, in, at.Add(-5*24*time.Hour))
		if err != nil {
			return err
		}
		if _, err := models.AcceptMeeting(s.ctx, s.db, other, m.ID, at.Add(-4*24*time.Hour)); err != nil {
			return err
		}
		held := s.rng.IntN(10) > 0
		if _, err := models.MarkMeeting(s.ctx, s.db, by, m.ID, &held, nil, at.Add(2*time.Hour)); err != nil {
			return err
		}
		at = at.Add(time.Duration(26+s.rng.IntN(10)) * 24 * time.Hour)
	}
	if !ds.finished && keen > 2 && i%2 == 0 {
		next := s.now.Add(time.Duration(3+s.rng.IntN(8)) * 24 * time.Hour).Truncate(time.Hour).Add(18 * time.Hour)
		m, err := models.ProposeMeeting(s.ctx, s.db, mentee, p.ID, models.MeetingInput{StartsAt: next, Minutes: 45,
			Mode: models.ModeOnline, PlaceOrURL: "https://meet.example.org/mentoring-" + fmt.Sprint(p.ID)}, s.now.Add(-24*time.Hour))
		if err != nil {
			return err
		}
		if i%4 == 0 {
			if _, err := models.AcceptMeeting(s.ctx, s.db, mentor, m.ID, s.now.Add(-12*time.Hour)); err != nil {
				return err
			}
		}
	}
	if keen > 4 {
		goals := "Decide whether to apply for a GP elective.\nKeep a reflective log after each placement."
		if ds.finished {
			goals = "Find a study group.\nSettle into halls and join one society."
		}
		if _, err := models.SetGoals(s.ctx, s.db, mentee, p.ID, goals); err != nil {
			return err
		}
	}
	return nil
}

// answerQuestionnaires has most members answer the before questionnaire
// after the introductions and, in a finished scheme, the after one too:
// mentees tend to feel more at home and better advised by the end, mentors
// more confident.
func (s *demoSociety) answerQuestionnaires(sc models.Scheme, pairs []models.SchemePairView, match, end time.Time, finished bool) error {
	q, err := models.SchemeQuestionnaires(s.ctx, s.db, sc.ID)
	if err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, p := range pairs {
		for _, who := range []struct {
			id   int64
			side models.MentoringRole
		}{{p.MentorID, models.RoleMentor}, {p.MenteeID, models.RoleMentee}} {
			if seen[who.id] || s.rng.IntN(10) == 0 {
				continue
			}
			seen[who.id] = true
			before, after := map[string]any{}, map[string]any{}
			for _, it := range q.Before.Items {
				if !it.Audience.For(who.side) || it.Kind != models.ItemLikert {
					continue
				}
				b := 1 + s.rng.IntN(4)
				a := min(5, max(1, b+[]int{-1, 0, 0, 1, 1, 1, 2}[s.rng.IntN(7)]))
				before[it.ID], after[it.ID] = b, a
			}
			u := s.members[who.id]
			if err := models.SubmitAnswers(s.ctx, s.db, u, sc.ID, models.PhaseBefore, before, match.Add(48*time.Hour)); err != nil {
				return err
			}
			if !finished || s.rng.IntN(6) == 0 {
				continue
			}
			if s.rng.IntN(3) == 0 {
				after["in_words"] = []string{"It helped to have someone a few steps ahead.", "We met less than planned, but every meeting was useful.",
					"I would sign up again.", "Knowing who to ask made the first year much less daunting."}[s.rng.IntN(4)]
			}
			if err := models.SubmitAnswers(s.ctx, s.db, u, sc.ID, models.PhaseAfter, after, end.Add(72*time.Hour)); err != nil {
				return err
			}
		}
	}
	return nil
}
