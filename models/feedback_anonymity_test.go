package models_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// shownFigures is everything of a summary worked out from the answers'
// contents: what must not move by one answer.
func shownFigures(t *testing.T, sum models.FeedbackSummary) string {
	t.Helper()
	sum.Responses, sum.Attended, sum.ResponseRate = 0, 0, nil
	raw, err := json.Marshal(sum)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// answersTo makes n students who came to s and have each send one answer,
// in turn, from the list (answer i is the i-th of list, wrapping round).
func answersTo(t *testing.T, db *store.Store, s models.Session, prefix string, list []models.FeedbackInput, n int, each func(i int)) {
	t.Helper()
	for i := range n {
		u := testkit.Member(t, db, testkit.Email(fmt.Sprintf("%s%d@x.ac.uk", prefix, i)), testkit.Year(2))
		testkit.Book(t, db, u, s, "")
		testkit.Mark(t, db, u, s, models.AttendancePresent, testkit.At(s.StartsAt.Add(5*time.Minute)))
		if _, _, err := models.SubmitFeedback(t.Context(), db, u, s.ID, list[i%len(list)], s.EndsAt); err != nil {
			t.Fatal(err)
		}
		if each != nil {
			each(i + 1)
		}
	}
}

// twoDays is a teacher with two sessions a day apart, the first at atStart.
func twoDays(t *testing.T, db *store.Store) (teacher models.User, day1, day2 models.Session) {
	t.Helper()
	teacher = testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
	day1 = testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
	day2 = testkit.Session(t, db, teacher, atRenal, testkit.Starts(atStart.Add(24*time.Hour)), testkit.Mode(models.ModeInPerson), testkit.Seats(30))
	return teacher, day1, day2
}

// A session whose answers are withheld adds nothing to a teacher's
// totals: two periods that differ by a session with one answer give the
// same averages, benefits, spread of ratings and comments (the case of
// 22 answers / 4.0 becoming 23 / 4.1 when a period grew by a day), on the
// feedback page's use case and on the teaching certificate alike.
func TestFeedbackTotalsLeaveOutWithheldSessions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher, day1, day2 := twoDays(t, db)
		good := []models.FeedbackInput{
			{Overall: 4, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 3, Benefits: []models.Benefit{"knowledge"}, WentWell: "Clear"},
			{Overall: 4, Teaching: 5, ConfidenceBefore: 2, ConfidenceAfter: 4, Benefits: []models.Benefit{"community"}},
			{Overall: 4, Teaching: 3, ConfidenceBefore: 3, ConfidenceAfter: 3, Improve: "Slower"},
		}
		answersTo(t, db, day1, "a", good, 3, nil)
		lone := models.FeedbackInput{Overall: 1, Teaching: 1, ConfidenceBefore: 5, ConfidenceAfter: 1,
			Benefits: []models.Benefit{"motivation"}, WentWell: "Nothing", Improve: "Everything"}
		answersTo(t, db, day2, "b", []models.FeedbackInput{lone}, 1, nil)

		from := atStart.Add(-time.Hour)
		narrow, err := models.TeacherFeedbackSummary(t.Context(), db, teacher.ID, from, from.Add(24*time.Hour), 3)
		if err != nil {
			t.Fatal(err)
		}
		wide, err := models.TeacherFeedbackSummary(t.Context(), db, teacher.ID, from, from.Add(48*time.Hour), 3)
		if err != nil {
			t.Fatal(err)
		}
		if narrow.Responses != 3 || wide.Responses != 4 {
			t.Errorf("answers counted: %d and %d, want 3 and 4", narrow.Responses, wide.Responses)
		}
		if narrow.Withheld || narrow.Shown != 3 || *narrow.OverallAvg != 4 {
			t.Errorf("one day: %+v", narrow)
		}
		if a, b := shownFigures(t, narrow), shownFigures(t, wide); a != b {
			t.Errorf("one more day, one more withheld answer, other figures:\n%s\n%s", a, b)
		}

		after := day2.EndsAt.Add(time.Hour)
		c1, err := models.IssueTeachingCertificate(t.Context(), db, teacher, from, from.Add(24*time.Hour), 3, after)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := models.IssueTeachingCertificate(t.Context(), db, teacher, from, from.Add(48*time.Hour), 3, after)
		if err != nil {
			t.Fatal(err)
		}
		f1, _ := c1.Teaching()
		f2, _ := c2.Teaching()
		if f1.Responses != 3 || f2.Responses != 3 || *f1.OverallAvg != 4 || *f2.OverallAvg != 4 || *f2.TeachingAvg != *f1.TeachingAvg {
			t.Errorf("certificates: %+v / %+v", f1, f2)
		}
		if len(f2.Sessions) != 2 || f2.Sessions[1].OverallAvg != nil || f2.Sessions[1].Responses != 1 {
			t.Errorf("the withheld session on the certificate: %+v", f2.Sessions)
		}
	})
}

// Reading a session's summary after each new answer never tells one answer
// apart: the figures, benefits, ratings and comments move only when a
// whole step of threshold answers is complete, and then by that step.
func TestFeedbackReleasedInSteps(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		teacher := testkit.Member(t, db, testkit.Email("teacher@x.ac.uk"), testkit.Role(models.RoleTeacher))
		s := testkit.Session(t, db, teacher, atRenal, testkit.Mode(models.ModeInPerson), testkit.Seats(30))
		var list []models.FeedbackInput // each answer unlike the others
		for i := range 8 {
			list = append(list, models.FeedbackInput{Overall: 1 + i%5, Teaching: 5 - i%5, ConfidenceBefore: 1 + i%3, ConfidenceAfter: 1 + (i+1)%5,
				Benefits: []models.Benefit{models.Benefits[i%len(models.Benefits)]}, WentWell: fmt.Sprintf("Well %d", i), Improve: fmt.Sprintf("Better %d", i)})
		}
		const threshold = 3
		var last models.FeedbackSummary
		var lastFigures string
		answersTo(t, db, s, "s", list, len(list), func(n int) {
			sum, err := models.SessionFeedbackSummary(t.Context(), db, teacher, s.ID, threshold)
			if err != nil {
				t.Fatal(err)
			}
			if sum.Responses != n {
				t.Errorf("after %d answers the summary counts %d", n, sum.Responses)
			}
			if want := n / threshold * threshold; sum.Shown != want || len(sum.Comments) != want {
				t.Errorf("after %d answers %d are shown with %d comments, want %d", n, sum.Shown, len(sum.Comments), want)
			}
			if sum.Withheld != (n < threshold) {
				t.Errorf("after %d answers withheld = %v", n, sum.Withheld)
			}
			rated := 0
			for _, c := range sum.Ratings["overall"] {
				rated += c
			}
			if rated != sum.Shown {
				t.Errorf("after %d answers the spread of overall ratings counts %d, shown %d", n, rated, sum.Shown)
			}
			figures := shownFigures(t, sum)
			if d := sum.Shown - last.Shown; d != 0 && d != threshold {
				t.Errorf("from %d to %d answers the shown answers moved by %d", n-1, n, d)
			}
			if sum.Shown == last.Shown && figures != lastFigures && n > 1 {
				t.Errorf("from %d to %d answers the figures moved with the same answers shown:\n%s\n%s", n-1, n, lastFigures, figures)
			}
			last, lastFigures = sum, figures
		})
		// Eight answers show the first six; the other two wait for a third.
		if last.Shown != 6 || *last.OverallAvg != 2.67 { // (1+2+3+4+5+1) ÷ 6
			t.Errorf("eight answers: %+v", last)
		}
	})
}

// The committee dashboard follows the same rules: a withheld session adds
// nothing to the average ratings, a session's new answer moves them only
// with its step, and ratings are not split by year of study or mode.
func TestDashboardRatingsLeaveOutWithheldAnswers(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		_, day1, day2 := twoDays(t, db)
		three := []models.FeedbackInput{
			{Overall: 4, Teaching: 4, ConfidenceBefore: 2, ConfidenceAfter: 3},
			{Overall: 5, Teaching: 5, ConfidenceBefore: 2, ConfidenceAfter: 4},
			{Overall: 3, Teaching: 3, ConfidenceBefore: 3, ConfidenceAfter: 3},
		}
		answersTo(t, db, day1, "a", three, 3, nil)
		now := day2.EndsAt.Add(24 * time.Hour)
		from := atStart.Add(-time.Hour)
		dash := func(f models.StatsFilter) models.Dashboard {
			t.Helper()
			d, err := models.DashboardFigures(t.Context(), db, f, 3, now, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		ratings := func(d models.Dashboard) string {
			h := d.Headline
			s := fmt.Sprintf("%d", h.ShownResponses)
			for _, v := range []*float64{h.AverageOverall, h.AverageTeaching, h.AverageConfidenceGain} {
				if v == nil {
					s += " nil"
				} else {
					s += fmt.Sprintf(" %v", *v)
				}
			}
			return s
		}
		narrow := models.StatsFilter{From: from, To: from.Add(24 * time.Hour)}
		wide := models.StatsFilter{From: from, To: from.Add(48 * time.Hour)}
		want := "3 4 4 1"
		if got := ratings(dash(narrow)); got != want {
			t.Errorf("one day: %s, want %s", got, want)
		}
		// One answer about the second day's session, then a second: the
		// wider period's ratings do not move.
		lone := []models.FeedbackInput{{Overall: 1, Teaching: 1, ConfidenceBefore: 5, ConfidenceAfter: 1}}
		answersTo(t, db, day2, "b", lone, 2, func(n int) {
			d := dash(wide)
			if got := ratings(d); got != want || d.Headline.Responses != 3+n {
				t.Errorf("two days, %d answers about the second: %s (%d answers), want %s", n, got, d.Headline.Responses, want)
			}
			for _, s := range d.Sessions {
				if s.SessionID == day2.ID && (s.AverageOverall != nil || s.ShownResponses != 0 || s.Responses != n) {
					t.Errorf("the withheld session in the list: %+v", s)
				}
			}
		})
		// A third answer completes its step: now all six count.
		answersTo(t, db, day2, "c", lone, 1, nil)
		if got := ratings(dash(wide)); got != "6 2.5 2.5 -1.5" { // gain (1+2+0−4−4−4) ÷ 6
			t.Errorf("two days, both shown: %s", got)
		}
		// A fourth and a fifth answer about the first day wait for a sixth.
		answersTo(t, db, day1, "d", lone, 2, func(n int) {
			if got := ratings(dash(wide)); got != "6 2.5 2.5 -1.5" {
				t.Errorf("%d more answers about the first day: %s", n, got)
			}
		})
		year := 2
		for _, f := range []models.StatsFilter{{From: from, To: wide.To, YearOfStudy: &year}, {From: from, To: wide.To, Mode: models.ModeInPerson}} {
			d := dash(f)
			if got := ratings(d); got != "0 nil nil nil" || d.Headline.Responses != 8 {
				t.Errorf("ratings split by %+v: %s (%d answers)", f, got, d.Headline.Responses)
			}
			for _, s := range d.Sessions {
				if s.AverageOverall != nil {
					t.Errorf("a session's rating split by %+v: %+v", f, s)
				}
			}
		}
	})
}
