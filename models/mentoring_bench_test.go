package models_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"rounds/models"
	"rounds/models/testkit"
)

// BenchmarkRunMatching600x200 runs the matcher of a large scheme through
// the use case, on SQLite: 200 mentors (teachers, capacities 1–5) and 600
// mentees in years 1–3, with interests, modes and free times drawn at
// random; each run replaces the proposal of the one before.
func BenchmarkRunMatching600x200(b *testing.B) {
	db := testkit.SQLite(b)
	committee := testkit.Member(b, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	in := gpScheme()
	in.Interests = &[]string{"General practice", "Research", "Wellbeing", "Exams", "Surgery", "Psychiatry"}
	s, err := models.CreateScheme(b.Context(), db, committee, in, mtOpen)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := models.OpenScheme(b.Context(), db, committee, s.ID, mtOpen); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(600, 200))
	pick := func(from []string, n int) []string {
		var out []string
		for _, i := range r.Perm(len(from))[:n] {
			out = append(out, from[i])
		}
		return out
	}
	modes := []models.MeetingPreference{models.PreferInPerson, models.PreferOnline, models.PreferEither}
	times := []string{"weekday_daytime", "weekday_evenings", "weekends", "tue_evening", "thu_evening", "sat_morning"}
	for i := range 800 {
		var u models.User
		app := models.ApplicationInput{Interests: pick(*in.Interests, 1+r.IntN(3)), Mode: modes[r.IntN(3)], Availability: pick(times, 1+r.IntN(2))}
		if i < 200 {
			u = testkit.Member(b, db, testkit.Role(models.RoleTeacher), testkit.Email(fmt.Sprintf("mentor%d@x.ac.uk", i)), testkit.Direct())
			app.Role, app.MaxMentees = models.RoleMentor, ptr(1+r.IntN(5))
		} else {
			u = testkit.Member(b, db, testkit.Year(1+r.IntN(3)), testkit.Email(fmt.Sprintf("mentee%d@x.ac.uk", i)), testkit.Direct())
			app.Role = models.RoleMentee
		}
		if _, err := models.Apply(b.Context(), db, u, s.ID, app, mtApply); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		p, err := models.RunMatching(b.Context(), db, committee, s.ID, nil, mtMatchAt)
		if err != nil || len(p.Pairs) == 0 {
			b.Fatal(err)
		}
	}
}
