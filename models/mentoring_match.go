package models

import (
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"rounds/internal/matching"
	"rounds/models/store"
)

// Pair is a mentor and a mentee in a scheme: proposed (by the matcher or
// by hand), active once introduced, ended.
type Pair struct {
	ID          int64               `json:"id"`
	SchemeID    int64               `json:"scheme_id"`
	MentorID    int64               `json:"mentor_id"`
	MenteeID    int64               `json:"mentee_id"`
	Status      PairStatus          `json:"status"`
	Locked      bool                `json:"locked"`
	Score       int64               `json:"score"`
	Reasons     jsonValue[[]string] `json:"reasons"`
	Goals       string              `json:"-"`
	CreatedAt   time.Time           `json:"-"`
	PublishedAt *time.Time          `json:"published_at,omitempty"`
	EndedAt     *time.Time          `json:"ended_at,omitempty"`
}

// TableName names the table.
func (Pair) TableName() string { return "mentoring_pairs" }

// Side is which side of the pair u is on, or "" for neither.
func (p Pair) Side(userID int64) MentoringRole {
	switch userID {
	case p.MentorID:
		return RoleMentor
	case p.MenteeID:
		return RoleMentee
	}
	return ""
}

// Partner is the other side's id.
func (p Pair) Partner(userID int64) int64 {
	if userID == p.MentorID {
		return p.MenteeID
	}
	return p.MentorID
}

// Proposal is a scheme's assignment: its pairs (proposed and introduced),
// the mentees left without a mentor, and the total score.
type Proposal struct {
	Pairs          []Pair  `json:"pairs"`
	Unmatched      []int64 `json:"unmatched"`
	IdleMentors    []int64 `json:"idle_mentors"`
	TotalScore     int64   `json:"total_score"`
	Weights        Weights `json:"weights"`
	MatchedMentees int     `json:"matched_mentees"`
	Mentees        int     `json:"mentees"`
}

// matchFacts is what the matching rules read of a scheme's applicants.
type matchFacts struct {
	mentors, mentees map[int64]applicant
}

func loadMatchFacts(db *gorm.DB, schemeID int64, defaultMax int) (matchFacts, error) {
	f := matchFacts{mentors: map[int64]applicant{}, mentees: map[int64]applicant{}}
	apps, err := schemeApplications(db, schemeID)
	if err != nil {
		return f, err
	}
	for _, a := range apps {
		ap := applicant{UserID: a.UserID, Name: a.Name, Role: a.MemberRole, Year: a.YearOfStudy, Interests: a.Interests.V,
			Mode: a.Mode, Availability: a.Availability.V, Exclude: a.ExcludeUserIDs.V, Capacity: a.MaxMentees}
		if a.Role == RoleMentor {
			if ap.Capacity < 1 {
				ap.Capacity = defaultMax
			}
			f.mentors[a.UserID] = ap
		} else {
			f.mentees[a.UserID] = ap
		}
	}
	return f, nil
}

func schemePairs(db *gorm.DB, schemeID int64, statuses ...PairStatus) ([]Pair, error) {
	var ps []Pair
	err := db.Where("scheme_id = ? AND status IN ?", schemeID, statuses).Order("mentor_id, mentee_id").Find(&ps).Error
	return ps, err
}

// canPropose says whether pairs of the scheme may be proposed now: once it
// is open, until it closes.
func canPropose(s Scheme) error {
	switch s.Status {
	case SchemeOpen, SchemeMatched, SchemeRunning:
		return nil
	}
	return ErrSchemeState
}

// RunMatching proposes pairs for a scheme's applicants: pairs already
// introduced and proposed pairs that are locked stay; the other proposed
// pairs are replaced by the matcher's (see internal/matching). weights, if
// given, become the scheme's.
func RunMatching(ctx context.Context, st *store.Store, actor User, schemeID int64, weights *Weights, now time.Time) (Proposal, error) {
	if !actor.IsCommittee() {
		return Proposal{}, ErrForbidden
	}
	if weights != nil {
		p := Problems{}
		checkWeights(p, *weights)
		if err := p.Err(); err != nil {
			return Proposal{}, err
		}
	}
	var out Proposal
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := lockScheme(tx, schemeID)
		if err != nil {
			return err
		}
		if err := canPropose(s); err != nil {
			return err
		}
		if weights != nil {
			s.Weights.V = *weights
			if err := tx.Model(&Scheme{}).Where("id = ?", s.ID).Updates(map[string]any{"weights": s.Weights, "updated_at": now.UTC()}).Error; err != nil {
				return err
			}
		}
		facts, err := loadMatchFacts(tx, s.ID, s.MaxMenteesDefault)
		if err != nil {
			return err
		}
		kept, err := schemePairs(tx, s.ID, PairActive, PairProposed)
		if err != nil {
			return err
		}
		var in matching.Input
		fixed := map[int64]bool{}
		load := map[int64]int{}
		var dropped []int64
		for _, p := range kept {
			if p.Status == PairProposed && !p.Locked {
				dropped = append(dropped, p.ID)
				continue
			}
			fixed[p.MenteeID] = true
			load[p.MentorID]++
		}
		if len(dropped) > 0 {
			if err := tx.Where("id IN ?", dropped).Delete(&Pair{}).Error; err != nil {
				return err
			}
		}
		mentorIDs := sortedKeys(facts.mentors)
		for _, id := range mentorIDs {
			free := facts.mentors[id].Capacity - load[id]
			if free > 0 {
				in.Mentors = append(in.Mentors, matching.Mentor{ID: id, Capacity: free})
			}
		}
		for _, id := range sortedKeys(facts.mentees) {
			if fixed[id] {
				continue
			}
			in.Mentees = append(in.Mentees, id)
		}
		mentees := make([]*applicant, len(in.Mentees))
		for i, e := range in.Mentees {
			a := facts.mentees[e]
			mentees[i] = &a
		}
		for _, m := range in.Mentors {
			mentor := facts.mentors[m.ID]
			for i, e := range in.Mentees {
				if pairRefusal(mentor, *mentees[i]) != "" {
					continue
				}
				in.Edges = append(in.Edges, matching.Edge{Mentor: m.ID, Mentee: e, Score: pairPoints(s.Weights.V, &mentor, mentees[i])})
			}
		}
		res, err := matching.Match(in)
		if err != nil {
			return err
		}
		var fresh []Pair
		for _, p := range res.Pairs {
			score, reasons := pairScore(s.Weights.V, facts.mentors[p.Mentor], facts.mentees[p.Mentee])
			np := Pair{SchemeID: s.ID, MentorID: p.Mentor, MenteeID: p.Mentee, Status: PairProposed, Score: score, CreatedAt: now.UTC()}
			np.Reasons.V = reasons
			fresh = append(fresh, np)
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(&fresh, 200).Error; err != nil {
				return err
			}
		}
		out, err = proposalOf(tx, s)
		return err
	})
	return out, err
}

// lockScheme reads a scheme's row, locked for the transaction on
// PostgreSQL (SQLite's single writer needs no lock).
func lockScheme(tx *gorm.DB, id int64) (Scheme, error) {
	q := tx
	if store.DialectOf(tx) == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var s Scheme
	err := q.First(&s, id).Error
	return s, notFound(err)
}

func sortedKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// proposalOf is the scheme's current assignment, with each pair's score
// and reasons worked out again from the applications.
func proposalOf(db *gorm.DB, s Scheme) (Proposal, error) {
	facts, err := loadMatchFacts(db, s.ID, s.MaxMenteesDefault)
	if err != nil {
		return Proposal{}, err
	}
	pairs, err := schemePairs(db, s.ID, PairActive, PairProposed)
	if err != nil {
		return Proposal{}, err
	}
	out := Proposal{Pairs: []Pair{}, Unmatched: []int64{}, IdleMentors: []int64{}, Weights: s.Weights.V, Mentees: len(facts.mentees)}
	paired := map[int64]bool{}
	for _, p := range pairs {
		mentor, okM := facts.mentors[p.MentorID]
		mentee, okE := facts.mentees[p.MenteeID]
		if okM && okE {
			p.Score, p.Reasons.V = pairScore(s.Weights.V, mentor, mentee)
		}
		out.TotalScore += p.Score
		paired[p.MentorID], paired[p.MenteeID] = true, true
		out.Pairs = append(out.Pairs, p)
	}
	for _, id := range sortedKeys(facts.mentees) {
		if paired[id] {
			out.MatchedMentees++
		} else {
			out.Unmatched = append(out.Unmatched, id)
		}
	}
	for _, id := range sortedKeys(facts.mentors) {
		if !paired[id] {
			out.IdleMentors = append(out.IdleMentors, id)
		}
	}
	return out, nil
}

// SchemeProposal is the scheme's current assignment, for committee.
func SchemeProposal(ctx context.Context, st *store.Store, schemeID int64) (Proposal, error) {
	db := st.Read(ctx)
	s, err := schemeByID(db, schemeID)
	if err != nil {
		return Proposal{}, err
	}
	return proposalOf(db, s)
}

// PairEdit is one pair committee sets by hand.
type PairEdit struct {
	MentorID int64 `json:"mentor_id"`
	MenteeID int64 `json:"mentee_id"`
	Locked   bool  `json:"locked"`
}

// SetPairs replaces the scheme's proposed pairs with edits, committee's
// hand-made assignment. Pairs already introduced stay as they are (an
// edit naming one changes nothing); every other pair is checked against
// every rule: both applied in those roles, the hard rules of pairRefusal,
// each mentee once, each mentor within their capacity.
func SetPairs(ctx context.Context, st *store.Store, actor User, schemeID int64, edits []PairEdit, now time.Time) (Proposal, error) {
	if !actor.IsCommittee() {
		return Proposal{}, ErrForbidden
	}
	var out Proposal
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := lockScheme(tx, schemeID)
		if err != nil {
			return err
		}
		if err := canPropose(s); err != nil {
			return err
		}
		facts, err := loadMatchFacts(tx, s.ID, s.MaxMenteesDefault)
		if err != nil {
			return err
		}
		active, err := schemePairs(tx, s.ID, PairActive)
		if err != nil {
			return err
		}
		load := map[int64]int{}
		taken := map[int64]bool{}
		activeKey := map[[2]int64]bool{}
		for _, p := range active {
			load[p.MentorID]++
			taken[p.MenteeID] = true
			activeKey[[2]int64{p.MentorID, p.MenteeID}] = true
		}
		p := Problems{}
		var fresh []Pair
		for i, e := range edits {
			field := fmt.Sprintf("pairs[%d]", i)
			if activeKey[[2]int64{e.MentorID, e.MenteeID}] {
				continue
			}
			mentor, okM := facts.mentors[e.MentorID]
			mentee, okE := facts.mentees[e.MenteeID]
			switch {
			case !okM:
				p.Add(field, fmt.Sprintf("Member %d has not applied to mentor in this scheme.", e.MentorID))
				continue
			case !okE:
				p.Add(field, fmt.Sprintf("Member %d has not applied to be mentored in this scheme.", e.MenteeID))
				continue
			}
			if why := pairRefusal(mentor, mentee); why != "" {
				p.Add(field, why)
				continue
			}
			if taken[e.MenteeID] {
				p.Add(field, fmt.Sprintf("%s already has a mentor.", mentee.Name))
				continue
			}
			if load[e.MentorID] >= mentor.Capacity {
				p.Add(field, fmt.Sprintf("%s takes at most %d mentees.", mentor.Name, mentor.Capacity))
				continue
			}
			taken[e.MenteeID] = true
			load[e.MentorID]++
			score, reasons := pairScore(s.Weights.V, mentor, mentee)
			np := Pair{SchemeID: s.ID, MentorID: e.MentorID, MenteeID: e.MenteeID, Status: PairProposed, Locked: e.Locked, Score: score, CreatedAt: now.UTC()}
			np.Reasons.V = reasons
			fresh = append(fresh, np)
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Where("scheme_id = ? AND status = ?", s.ID, PairProposed).Delete(&Pair{}).Error; err != nil {
			return err
		}
		if len(fresh) > 0 {
			if err := tx.CreateInBatches(&fresh, 200).Error; err != nil {
				return err
			}
		}
		out, err = proposalOf(tx, s)
		return err
	})
	return out, err
}

// PublishResult counts what publishing did.
type PublishResult struct {
	Introduced int `json:"introduced"`
	Unmatched  int `json:"unmatched"`
}

// PublishPairs introduces the proposed pairs: they become active, each
// side gets a mentoring_introduction and the before questionnaire, and
// every applicant left without a pair a mentoring_unmatched — each e-mail
// once, whatever happens again. An open scheme becomes matched.
func PublishPairs(ctx context.Context, st *store.Store, actor User, schemeID int64, now time.Time) (PublishResult, error) {
	if !actor.IsCommittee() {
		return PublishResult{}, ErrForbidden
	}
	var res PublishResult
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res = PublishResult{}
		s, err := lockScheme(tx, schemeID)
		if err != nil {
			return err
		}
		if err := canPropose(s); err != nil {
			return err
		}
		proposed, err := schemePairs(tx, s.ID, PairProposed)
		if err != nil {
			return err
		}
		at := now.UTC()
		if len(proposed) > 0 {
			ids := make([]int64, len(proposed))
			for i, p := range proposed {
				ids[i] = p.ID
			}
			if err := tx.Model(&Pair{}).Where("id IN ?", ids).Updates(map[string]any{"status": PairActive, "published_at": at, "locked": true}).Error; err != nil {
				return err
			}
		}
		if s.Status == SchemeOpen {
			if err := tx.Model(&Scheme{}).Where("id = ?", s.ID).Updates(map[string]any{"status": SchemeMatched, "updated_at": at}).Error; err != nil {
				return err
			}
		}
		apps, err := schemeApplications(tx, s.ID)
		if err != nil {
			return err
		}
		who := map[int64]ApplicationView{}
		for _, a := range apps {
			who[a.UserID] = a
		}
		paired := map[int64]bool{}
		for _, p := range proposed {
			paired[p.MentorID], paired[p.MenteeID] = true, true
			for _, side := range []int64{p.MentorID, p.MenteeID} {
				a := who[side]
				ok, err := enqueue(tx, Email{Kind: MailMentoringIntroduction, Key: fmt.Sprintf("%s:%d:%d", MailMentoringIntroduction, p.ID, side),
					UserID: side, To: a.Email, ToName: a.Name, Data: map[string]string{"pair_id": fmt.Sprint(p.ID), "scheme": s.Title}}, now)
				if err != nil {
					return err
				}
				if ok {
					res.Introduced++
				}
				if err := enqueue1(tx, questionnaireEmail(MailQuestionnaireRequest, s, PhaseBefore, side, a.Email, a.Name), now); err != nil {
					return err
				}
			}
		}
		active, err := schemePairs(tx, s.ID, PairActive, PairEnded)
		if err != nil {
			return err
		}
		for _, p := range active {
			paired[p.MentorID], paired[p.MenteeID] = true, true
		}
		for _, a := range apps {
			if paired[a.UserID] {
				continue
			}
			ok, err := enqueue(tx, Email{Kind: MailMentoringUnmatched, Key: fmt.Sprintf("%s:%d:%d", MailMentoringUnmatched, s.ID, a.UserID),
				UserID: a.UserID, To: a.Email, ToName: a.Name, Data: map[string]string{"scheme_id": fmt.Sprint(s.ID), "scheme": s.Title, "role": string(a.Role)}}, now)
			if err != nil {
				return err
			}
			if ok {
				res.Unmatched++
			}
		}
		return nil
	})
	return res, err
}

// enqueue1 is enqueue for a caller that does not care whether the e-mail
// was new.
func enqueue1(tx *gorm.DB, e Email, now time.Time) error {
	_, err := enqueue(tx, e, now)
	return err
}

// EndPair ends a pair (committee, after an end request or by hand).
func EndPair(ctx context.Context, st *store.Store, actor User, pairID int64, now time.Time) (Pair, error) {
	if !actor.IsCommittee() {
		return Pair{}, ErrForbidden
	}
	var p Pair
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&p, pairID).Error; err != nil {
			return notFound(err)
		}
		switch p.Status {
		case PairEnded:
			return nil
		case PairProposed:
			return ErrPairNotActive
		}
		at := now.UTC()
		p.Status, p.EndedAt = PairEnded, &at
		return tx.Model(&Pair{}).Where("id = ?", p.ID).Updates(map[string]any{"status": PairEnded, "ended_at": at}).Error
	})
	return p, err
}
