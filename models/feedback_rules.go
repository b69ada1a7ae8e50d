package models

import "sort"

// The anonymity rules of feedback, as plain functions (table-tested in
// feedback_rules_test.go). The promise: no figure, count of benefits,
// spread of ratings or comment is ever shown over fewer than the threshold
// (ROUNDS_FEEDBACK_MIN_RESPONSES) of answers, and no two readings differ by
// fewer than the threshold — so nobody can work out one answer by
// subtracting one figure from another, across periods or over time.

// releasedAnswers: a session's answers are shown in whole steps of the
// threshold — the first k·threshold answers in the order they arrived,
// k = ⌊answers ÷ threshold⌋; the rest wait until their step is complete.
// Answers already shown stay shown, so each new step adds exactly
// threshold answers, and a session with fewer than threshold answers shows
// none. all are the answers of one session; the result is ordered by
// arrival (id).
func releasedAnswers(all []Feedback, threshold int) []Feedback {
	byArrival := make([]Feedback, len(all))
	copy(byArrival, all)
	sort.Slice(byArrival, func(i, j int) bool { return byArrival[i].ID < byArrival[j].ID })
	return byArrival[:releasedCount(len(all), threshold)]
}

// releasedCount: of n answers about a session, the first ⌊n ÷ threshold⌋ ·
// threshold (by arrival) are shown; a threshold below 1 counts as 1.
func releasedCount(n, threshold int) int {
	threshold = max(threshold, 1)
	return n / threshold * threshold
}

// releasedOfSessions: the answers of several sessions that may be shown in
// a total (a teacher's period, a certificate), each session's answers
// released as releasedAnswers says. A session whose answers are withheld
// adds nothing to a total — neither answers, averages nor benefits — so
// that two periods differing by that session give the same total.
func releasedOfSessions(answers map[int64][]Feedback, threshold int) []Feedback {
	ids := make([]int64, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []Feedback
	for _, id := range ids {
		out = append(out, releasedAnswers(answers[id], threshold)...)
	}
	return out
}

// RatingSpread counts the answers that gave each rating: [0] is the number
// of 1s, …, [4] the number of 5s.
type RatingSpread [5]int

// ratingSpreads counts, for each rated question, the answers giving each
// rating from 1 to 5; ratings outside 1–5 (never stored) are not counted.
func ratingSpreads(shown []Feedback) map[string]RatingSpread {
	out := map[string]RatingSpread{}
	add := func(q string, v int) {
		s := out[q]
		if v >= 1 && v <= 5 {
			s[v-1]++
		}
		out[q] = s
	}
	for _, q := range RatedQuestions {
		out[q] = RatingSpread{}
	}
	for _, f := range shown {
		add("overall", f.Overall)
		add("teaching", f.Teaching)
		add("confidence_before", f.ConfidenceBefore)
		add("confidence_after", f.ConfidenceAfter)
	}
	return out
}

// RatedQuestions are the questions of the feedback form answered 1–5, in
// the form's order, as the summary's ratings name them.
var RatedQuestions = []string{"overall", "teaching", "confidence_before", "confidence_after"}
