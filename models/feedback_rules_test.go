package models

import (
	"reflect"
	"testing"
)

func TestReleasedAnswers(t *testing.T) {
	answers := func(ids ...int64) []Feedback {
		out := make([]Feedback, len(ids))
		for i, id := range ids {
			out[i] = Feedback{ID: id}
		}
		return out
	}
	for _, c := range []struct {
		name      string
		all       []Feedback
		threshold int
		want      []int64
	}{
		{"none", nil, 3, nil},
		{"fewer than the threshold", answers(1, 2), 3, nil},
		{"exactly the threshold", answers(1, 2, 3), 3, []int64{1, 2, 3}},
		{"one more waits", answers(1, 2, 3, 4), 3, []int64{1, 2, 3}},
		{"the first to arrive, whatever order they are read in", answers(9, 4, 7, 2, 5), 3, []int64{2, 4, 5}},
		{"two whole steps", answers(1, 2, 3, 4, 5, 6, 7), 3, []int64{1, 2, 3, 4, 5, 6}},
		{"a threshold of one shows each", answers(2, 1), 1, []int64{1, 2}},
		{"a threshold below one counts as one", answers(1), 0, []int64{1}},
	} {
		var got []int64
		for _, f := range releasedAnswers(c.all, c.threshold) {
			got = append(got, f.ID)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestReleasedOfSessions(t *testing.T) {
	got := releasedOfSessions(map[int64][]Feedback{
		1: {{ID: 1}, {ID: 2}, {ID: 3}, {ID: 7}}, // three shown, one waits
		2: {{ID: 4}},                            // withheld: adds nothing
		3: {{ID: 5}, {ID: 6}},                   // withheld: adds nothing
	}, 3)
	var ids []int64
	for _, f := range got {
		ids = append(ids, f.ID)
	}
	if !reflect.DeepEqual(ids, []int64{1, 2, 3}) {
		t.Errorf("released of sessions: %v", ids)
	}
}

func TestRatingSpreads(t *testing.T) {
	got := ratingSpreads([]Feedback{
		{Overall: 5, Teaching: 4, ConfidenceBefore: 1, ConfidenceAfter: 3},
		{Overall: 5, Teaching: 2, ConfidenceBefore: 2, ConfidenceAfter: 3},
		{Overall: 1, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 5},
	})
	want := map[string]RatingSpread{
		"overall":           {1, 0, 0, 0, 2},
		"teaching":          {0, 1, 0, 2, 0},
		"confidence_before": {1, 2, 0, 0, 0},
		"confidence_after":  {0, 0, 2, 0, 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spreads = %v, want %v", got, want)
	}
	if empty := ratingSpreads(nil); len(empty) != len(RatedQuestions) || empty["overall"] != (RatingSpread{}) {
		t.Errorf("no answers: %v", empty)
	}
}
