package main

import (
	"testing"
	"time"

	"rounds/models"
)

// The demo's mentoring: a GP-careers scheme running, with pairs that have
// met, and a finished transition scheme whose evaluation has figures.
func TestDemoMentoring(t *testing.T) {
	env := demoEnv(t)
	now := time.Now().UTC()
	if out, err := runDemoAt(t, env, now); err != nil {
		t.Fatalf("demo: %v\n%s", err, out)
	}
	db := openDemo(t, env)
	chair, err := models.UserByEmail(t.Context(), db, "chair@example.ac.uk")
	if err != nil {
		t.Fatal(err)
	}
	schemes, err := models.ListSchemes(t.Context(), db, chair)
	if err != nil || len(schemes) != 2 {
		t.Fatalf("schemes: %d %v", len(schemes), err)
	}
	byTitle := map[string]models.Scheme{}
	for _, s := range schemes {
		byTitle[s.Title] = s.Scheme
	}
	gp, transition := byTitle["GP careers mentoring"], byTitle["Transition to medical school"]
	if gp.Status != models.SchemeRunning || transition.Status != models.SchemeClosed {
		t.Fatalf("statuses: GP %s, transition %s", gp.Status, transition.Status)
	}
	pairs, err := models.SchemePairs(t.Context(), db, gp.ID, now)
	if err != nil || len(pairs) < 8 {
		t.Fatalf("GP pairs: %d %v", len(pairs), err)
	}
	met, coming := 0, 0
	for _, p := range pairs {
		if p.Status != models.PairActive {
			t.Errorf("GP pair %d is %s", p.ID, p.Status)
		}
		if p.MeetingsHeld > 0 {
			met++
		}
		if p.NextMeetingAt != nil {
			coming++
		}
	}
	if met < len(pairs)/2 || coming == 0 {
		t.Errorf("GP pairs: %d of %d have met, %d have a meeting agreed", met, len(pairs), coming)
	}
	ev, err := models.SchemeEvaluation(t.Context(), db, transition.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	figures := 0
	for _, it := range ev.Items {
		if it.Wilcoxon != nil {
			figures++
		}
	}
	if figures < 3 || ev.Respondents["after"] < 5 {
		t.Errorf("transition evaluation: %d items with figures, %d after-respondents", figures, ev.Respondents["after"])
	}
}
