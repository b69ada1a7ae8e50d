package models

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// MentoringFacts is what a mentor's certificate says: the scheme, how long
// they mentored in it, how many mentees they had and how many meetings
// were held.
type MentoringFacts struct {
	MentorName   string    `json:"mentor_name"`
	SchemeID     int64     `json:"scheme_id"`
	SchemeTitle  string    `json:"scheme_title"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Months       int       `json:"months"`
	Mentees      int       `json:"mentees"`
	MeetingsHeld int       `json:"meetings_held"`
}

// Mentoring decodes a mentoring certificate's facts.
func (c Certificate) Mentoring() (MentoringFacts, error) {
	var f MentoringFacts
	err := json.Unmarshal([]byte(c.Data), &f)
	return f, err
}

// ErrNoMentees says a member has had no mentee in a scheme.
var ErrNoMentees = &Error{KindUnprocessable, "no_mentees", "You have had no mentee in this scheme yet: a certificate follows your first introduction."}

// mentoringMonths is the length of [from, to) in months, rounded, at least 1.
func mentoringMonths(from, to time.Time) int {
	return max(1, int(math.Round(to.Sub(from).Hours()/24/30.44)))
}

// IssueMentorCertificate records u's mentoring in a scheme as it stands at
// now: from their first introduction (or the scheme's first day, if later)
// to the scheme's end, their pairs' end, or now, whichever comes first.
// It may be issued again as the scheme goes on; each certificate keeps
// what it said.
func IssueMentorCertificate(ctx context.Context, st *store.Store, u User, schemeID int64, loc *time.Location, now time.Time) (Certificate, error) {
	if loc == nil {
		loc = time.UTC
	}
	var c Certificate
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		if s.Status == SchemeDraft {
			return ErrNotFound
		}
		var pairs []Pair
		if err := tx.Where("scheme_id = ? AND mentor_id = ? AND status IN ?", s.ID, u.ID, []PairStatus{PairActive, PairEnded}).
			Order("id").Find(&pairs).Error; err != nil {
			return err
		}
		if len(pairs) == 0 {
			return ErrNoMentees
		}
		f := MentoringFacts{MentorName: u.Name, SchemeID: s.ID, SchemeTitle: s.Title}
		end, stillRunning := s.EndsAt(loc), false
		var ids []int64
		mentees := map[int64]bool{}
		var lastEnded time.Time
		for _, p := range pairs {
			ids = append(ids, p.ID)
			mentees[p.MenteeID] = true
			if p.PublishedAt != nil && (f.From.IsZero() || p.PublishedAt.Before(f.From)) {
				f.From = p.PublishedAt.UTC()
			}
			switch {
			case p.Status == PairActive:
				stillRunning = true
			case p.EndedAt != nil && p.EndedAt.After(lastEnded):
				lastEnded = p.EndedAt.UTC()
			}
		}
		if start := s.StartsAt(loc); start.After(f.From) {
			f.From = start
		}
		f.To = now.UTC()
		if !stillRunning && !lastEnded.IsZero() && lastEnded.Before(f.To) {
			f.To = lastEnded
		}
		if end.Before(f.To) {
			f.To = end
		}
		if f.To.Before(f.From) {
			f.To = f.From
		}
		f.Months, f.Mentees = mentoringMonths(f.From, f.To), len(mentees)
		var held int64
		if err := tx.Model(&Meeting{}).Where("pair_id IN ? AND held = ?", ids, true).Count(&held).Error; err != nil {
			return err
		}
		f.MeetingsHeld = int(held)
		data, _ := json.Marshal(f)
		from, to := f.From, f.To
		c = Certificate{Code: newCertificateCode(), Kind: CertificateMentoring, UserID: u.ID, Title: "Mentoring: " + s.Title,
			Data: string(data), PeriodFrom: &from, PeriodTo: &to, IssuedAt: now.UTC()}
		return tx.Create(&c).Error
	})
	return c, err
}
