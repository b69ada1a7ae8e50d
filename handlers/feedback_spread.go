package handlers

import (
	"math"

	"rounds/models"
)

// spreadRow is one rated question of the feedback form and how many of the
// shown answers gave it each rating from 1 to 5.
type spreadRow struct {
	Question string
	Cells    []spreadCell // ratings 1 to 5
}

// spreadCell is the answers giving one rating: how many, their share of
// the shown answers, and that share rounded to 5 for the bar's class.
type spreadCell struct {
	Rating, Count, Percent, Width int
}

// ratedQuestionWords are the rated questions as the summary names them,
// shorter than the form's questions.
var ratedQuestionWords = map[string]string{
	"overall": "Overall", "teaching": "Teaching",
	"confidence_before": "Confidence before", "confidence_after": "Confidence after",
}

// spreadRows lays out a summary's spread of ratings, in the form's order;
// nil while the summary is withheld.
func spreadRows(sum models.FeedbackSummary) []spreadRow {
	if sum.Withheld || sum.Shown == 0 {
		return nil
	}
	rows := make([]spreadRow, 0, len(models.RatedQuestions))
	for _, q := range models.RatedQuestions {
		r := spreadRow{Question: ratedQuestionWords[q]}
		for i, n := range sum.Ratings[q] {
			pc := int(math.Round(100 * float64(n) / float64(sum.Shown)))
			r.Cells = append(r.Cells, spreadCell{Rating: i + 1, Count: n, Percent: pc, Width: 5 * int(math.Round(float64(pc)/5))})
		}
		rows = append(rows, r)
	}
	return rows
}
