package models

import (
	"fmt"
	"rounds/models/store"

	"gorm.io/gorm"
)

// The dashboard's feedback ratings follow the anonymity rules of every
// other feedback total (feedback_rules.go): each session adds only the
// answers it may show (releasedAnswers), so a session below the threshold
// adds nothing and a new answer moves nothing until its step is complete.
// Ratings are not split by year of study or mode: a year's or a mode's
// share of a session's answers may be a single answer, and the difference
// between two filters would tell it.

// shownSums are the ratings of the answers a session may show.
type shownSums struct {
	n, overall, teaching, gain int
}

// ratingsSplit tells whether f splits a session's answers (by year of
// study or mode), when no rating is given.
func (f StatsFilter) ratingsSplit() bool { return f.YearOfStudy != nil || f.Mode != "" }

// shownFeedback gives, for each session that ended in f's period (and has
// its topic), the sums of the answers it may show: the first
// releasedCount(responses, minResponses) by arrival, read from the session's
// running sums in feedback_prefixes (one row a session); nil when f splits
// sessions' answers.
func shownFeedback(db *gorm.DB, f StatsFilter, minResponses int) (map[int64]shownSums, error) {
	if f.ratingsSplit() {
		return nil, nil
	}
	step := max(minResponses, 1) // as releasedCount
	// On PostgreSQL the period's sessions are named twice: once to join,
	// once as the list of sessions whose prefixes are wanted. Without the
	// list, PostgreSQL reads every prefix of every year and hashes them
	// (75 ms at a million records); with it, it looks each session's one
	// row up by its key (13 ms). SQLite looks rows up by key either way, and
	// the list would only cost it a second read of the period (4 of 9 ms).
	join := "JOIN feedback_prefixes fp ON fp.session_id = sf.session_id AND fp.answers = (sf.responses / ?) * ?"
	args := []any{step, step}
	if store.DialectOf(db) == store.Postgres {
		join += " AND fp.session_id IN (SELECT session_id FROM session_figures WHERE ends_at >= ? AND ends_at < ?)"
		args = append(args, f.From.UTC(), f.To.UTC())
	}
	rows, err := f.applyTopic(db.Table("session_figures sf").Joins(join, args...).
		Where("sf.ends_at >= ? AND sf.ends_at < ?", f.From.UTC(), f.To.UTC()), "sf").
		Select("sf.session_id, fp.answers, fp.overall_sum, fp.teaching_sum, fp.gain_sum").Rows()
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	out := map[int64]shownSums{}
	for rows.Next() {
		var id int64
		var s shownSums
		if err := rows.Scan(&id, &s.n, &s.overall, &s.teaching, &s.gain); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return out, nil
}

// withShownRatings puts the ratings of the shown answers on the headline
// and on each session of the list.
func withShownRatings(h *Headline, sessions []SessionFigure, shown map[int64]shownSums) {
	var total shownSums
	for _, s := range shown {
		total.n += s.n
		total.overall += s.overall
		total.teaching += s.teaching
		total.gain += s.gain
	}
	h.ShownResponses = total.n
	h.AverageOverall = average(total.overall, total.n)
	h.AverageTeaching = average(total.teaching, total.n)
	h.AverageConfidenceGain = average(total.gain, total.n)
	for i := range sessions {
		s := shown[sessions[i].SessionID]
		sessions[i].ShownResponses = s.n
		sessions[i].AverageOverall = average(s.overall, s.n)
	}
}
