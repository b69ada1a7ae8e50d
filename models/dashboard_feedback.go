package models

import (
	"fmt"
	"sort"

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

// shownFeedback sums, for each session that ended in f's period (and has
// its topic), the answers it may show (releasedCount, by arrival); nil when
// f splits sessions' answers. It reads the ratings alone, from an index
// that holds them (migration 0015).
func shownFeedback(db *gorm.DB, f StatsFilter, minResponses int) (map[int64]shownSums, error) {
	if f.ratingsSplit() {
		return nil, nil
	}
	rows, err := f.applyTopic(db.Table("feedback fb").Joins("JOIN session_figures sf ON sf.session_id = fb.session_id").
		Where("sf.ends_at >= ? AND sf.ends_at < ?", f.From.UTC(), f.To.UTC()), "sf").
		Select("fb.session_id, fb.id, fb.overall, fb.teaching, fb.confidence_before, fb.confidence_after").Rows()
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	type rated struct {
		id                               int64
		overall, teaching, before, after int
	}
	answers := map[int64][]rated{}
	for rows.Next() {
		var session int64
		var r rated
		if err := rows.Scan(&session, &r.id, &r.overall, &r.teaching, &r.before, &r.after); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		answers[session] = append(answers[session], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	out := map[int64]shownSums{}
	for session, list := range answers {
		n := releasedCount(len(list), minResponses)
		if n == 0 {
			continue
		}
		sort.Slice(list, func(i, j int) bool { return list[i].id < list[j].id })
		s := shownSums{n: n}
		for _, r := range list[:n] {
			s.overall += r.overall
			s.teaching += r.teaching
			s.gain += r.after - r.before
		}
		out[session] = s
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
