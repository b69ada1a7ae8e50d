package models

import (
	"context"
	"sort"
	"time"

	"rounds/internal/wilcoxon"
	"rounds/models/store"
)

// MentoringFigures are a scheme's figures for the committee dashboard.
type MentoringFigures struct {
	Applicants     []ApplicantCount `json:"applicants"`
	Mentees        int              `json:"mentees"`
	MatchedMentees int              `json:"matched_mentees"`
	MatchedShare   *float64         `json:"matched_share"`
	Pairs          int              `json:"pairs"`
	// DaysToFirstMeeting is the median of the days from a pair's
	// introduction to its first meeting held, over pairs that have met.
	DaysToFirstMeeting *float64 `json:"days_to_first_meeting"`
	// MeetingsPerPair is the mean of the meetings held per introduced pair.
	MeetingsPerPair *float64 `json:"meetings_per_pair"`
	// Months are, for each calendar month (society's time) since the first
	// introduction, the pairs running then and those that met in it.
	Months []PairMonth `json:"months"`
	// EndedEarly counts pairs ended before the scheme's last day.
	EndedEarly int `json:"ended_early"`
}

// ApplicantCount is the applicants of one side and year of study (nil:
// graduates and doctors).
type ApplicantCount struct {
	Role  MentoringRole `json:"role"`
	Year  *int          `json:"year_of_study"`
	Count int           `json:"count"`
}

// PairMonth is one month of a scheme's pairs.
type PairMonth struct {
	Month   string `json:"month"` // "2026-11"
	Running int    `json:"running"`
	Met     int    `json:"met"`
}

// SchemeFigures works out a scheme's figures at now, in loc.
func SchemeFigures(ctx context.Context, st *store.Store, schemeID int64, loc *time.Location, now time.Time) (MentoringFigures, error) {
	db := st.Read(ctx)
	s, err := schemeByID(db, schemeID)
	if err != nil {
		return MentoringFigures{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	apps, err := schemeApplications(db, s.ID)
	if err != nil {
		return MentoringFigures{}, err
	}
	out := MentoringFigures{Applicants: []ApplicantCount{}, Months: []PairMonth{}}
	counts := map[[2]any]*ApplicantCount{}
	for _, a := range apps {
		year := 0
		if a.YearOfStudy != nil {
			year = *a.YearOfStudy
		}
		k := [2]any{a.Role, year}
		if counts[k] == nil {
			counts[k] = &ApplicantCount{Role: a.Role, Year: a.YearOfStudy}
		}
		counts[k].Count++
		if a.Role == RoleMentee {
			out.Mentees++
		}
	}
	for _, c := range counts {
		out.Applicants = append(out.Applicants, *c)
	}
	sort.Slice(out.Applicants, func(i, j int) bool {
		a, b := out.Applicants[i], out.Applicants[j]
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		return a.Year == nil || (b.Year != nil && *a.Year < *b.Year)
	})
	pairs, err := schemePairs(db, s.ID, PairActive, PairEnded)
	if err != nil {
		return MentoringFigures{}, err
	}
	out.Pairs = len(pairs)
	if len(pairs) == 0 {
		return out, nil
	}
	ids := make([]int64, len(pairs))
	matched := map[int64]bool{}
	for i, p := range pairs {
		ids[i] = p.ID
		matched[p.MenteeID] = true
	}
	out.MatchedMentees = len(matched)
	if out.Mentees > 0 {
		share := float64(out.MatchedMentees) / float64(out.Mentees)
		out.MatchedShare = &share
	}
	var held []Meeting
	if err := db.Select("id, pair_id, starts_at").Where("pair_id IN ? AND held = ?", ids, true).Order("starts_at").Find(&held).Error; err != nil {
		return MentoringFigures{}, err
	}
	first := map[int64]time.Time{}
	metIn := map[string]map[int64]bool{}
	for _, m := range held {
		if _, ok := first[m.PairID]; !ok {
			first[m.PairID] = m.StartsAt
		}
		month := m.StartsAt.In(loc).Format("2006-01")
		if metIn[month] == nil {
			metIn[month] = map[int64]bool{}
		}
		metIn[month][m.PairID] = true
	}
	mean := float64(len(held)) / float64(len(pairs))
	out.MeetingsPerPair = &mean
	var days []float64
	end := s.EndsAt(loc)
	begin := now
	for _, p := range pairs {
		if p.PublishedAt == nil {
			continue
		}
		if p.PublishedAt.Before(begin) {
			begin = *p.PublishedAt
		}
		if f, ok := first[p.ID]; ok {
			days = append(days, f.Sub(*p.PublishedAt).Hours()/24)
		}
		if p.Status == PairEnded && p.EndedAt != nil && p.EndedAt.Before(end) && p.EndedAt.Before(end.Add(-24*time.Hour)) {
			out.EndedEarly++
		}
	}
	if len(days) > 0 {
		m := wilcoxon.Median(days)
		m = float64(int(m*10+0.5)) / 10
		out.DaysToFirstMeeting = &m
	}
	last := now
	if end.Before(last) {
		last = end
	}
	for m := time.Date(begin.In(loc).Year(), begin.In(loc).Month(), 1, 0, 0, 0, 0, loc); m.Before(last); m = m.AddDate(0, 1, 0) {
		next := m.AddDate(0, 1, 0)
		pm := PairMonth{Month: m.Format("2006-01"), Met: len(metIn[m.Format("2006-01")])}
		for _, p := range pairs {
			if p.PublishedAt != nil && p.PublishedAt.Before(next) && (p.EndedAt == nil || !p.EndedAt.Before(m)) {
				pm.Running++
			}
		}
		out.Months = append(out.Months, pm)
	}
	return out, nil
}
