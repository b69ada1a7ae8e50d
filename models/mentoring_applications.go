package models

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"rounds/models/store"
)

// Application is a member's application to mentor or be mentored in a
// scheme.
type Application struct {
	ID              int64               `json:"id"`
	SchemeID        int64               `json:"scheme_id"`
	UserID          int64               `json:"user_id"`
	Role            MentoringRole       `json:"role"`
	Interests       jsonValue[[]string] `json:"interests"`
	Mode            MeetingPreference   `json:"mode"`
	Availability    jsonValue[[]string] `json:"availability"`
	Hopes           string              `json:"hopes"`
	MaxMentees      int                 `json:"max_mentees"`
	ExcludeUserIDs  jsonValue[[]int64]  `json:"exclude_user_ids"`
	Answers         jsonValue[[]string] `json:"answers"`
	ResearchConsent bool                `json:"research_consent"`
	Pseudonym       string              `json:"-"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
}

// TableName names the table.
func (Application) TableName() string { return "mentoring_applications" }

// ApplicationInput is what an applicant gives. Answers are to the scheme's
// questions, in their order.
type ApplicationInput struct {
	Role            MentoringRole     `json:"role"`
	Interests       []string          `json:"interests"`
	Mode            MeetingPreference `json:"mode"`
	Availability    []string          `json:"availability"`
	Hopes           string            `json:"hopes"`
	MaxMentees      *int              `json:"max_mentees"`
	ExcludeUserIDs  []int64           `json:"exclude_user_ids"`
	Answers         []string          `json:"answers"`
	ResearchConsent bool              `json:"research_consent"`
}

// Input is the application as the input that would make it, for an edit
// that changes some fields.
func (a Application) Input() ApplicationInput {
	in := ApplicationInput{Role: a.Role, Interests: a.Interests.V, Mode: a.Mode, Availability: a.Availability.V,
		Hopes: a.Hopes, ExcludeUserIDs: a.ExcludeUserIDs.V, Answers: a.Answers.V, ResearchConsent: a.ResearchConsent}
	if a.Role == RoleMentor {
		m := a.MaxMentees
		in.MaxMentees = &m
	}
	return in
}

// MergeJSON applies the fields of a JSON object to in, leaving the others.
func (in *ApplicationInput) MergeJSON(b []byte) error { return json.Unmarshal(b, in) }

// checkApplication checks in against the scheme and fills a.
func checkApplication(s Scheme, userID int64, in ApplicationInput, a *Application) error {
	p := Problems{}
	if !in.Role.Valid() {
		p.Add("role", "Apply as a mentor or a mentee.")
	}
	interests := []string{}
	for _, i := range in.Interests {
		i = strings.TrimSpace(i)
		j := slices.IndexFunc(s.Interests.V, func(x string) bool { return strings.EqualFold(x, i) })
		if j < 0 {
			p.Add("interests", "Choose interests from the scheme's list.")
			continue
		}
		if !slices.Contains(interests, s.Interests.V[j]) {
			interests = append(interests, s.Interests.V[j])
		}
	}
	if in.Mode == "" {
		in.Mode = PreferEither
	}
	if !in.Mode.Valid() {
		p.Add("mode", "Choose in person, online or either.")
	}
	times := []string{}
	for _, t := range in.Availability {
		t, ok := cleanTime(t)
		if !ok {
			p.Add("availability", "Give each free time in a few words, such as weekday_evenings or tue_evening.")
			continue
		}
		if !slices.Contains(times, t) {
			times = append(times, t)
		}
	}
	if utf8.RuneCountInString(in.Hopes) > maxLongText || !utf8.ValidString(in.Hopes) {
		p.Add("hopes", fmt.Sprintf("Use at most %d characters.", maxLongText))
	}
	max := 0
	if in.Role == RoleMentor {
		max = s.MaxMenteesDefault
		if in.MaxMentees != nil {
			max = *in.MaxMentees
		}
		if max < 1 || max > MaxMenteesPerMax {
			p.Add("max_mentees", fmt.Sprintf("Take from 1 to %d mentees.", MaxMenteesPerMax))
		}
	}
	exclude := []int64{}
	for _, id := range in.ExcludeUserIDs {
		if id == userID {
			p.Add("exclude_user_ids", "You will not be paired with yourself.")
			continue
		}
		if id > 0 && !slices.Contains(exclude, id) {
			exclude = append(exclude, id)
		}
	}
	if len(times) > 30 {
		p.Add("availability", "Give at most 30 free times.")
	}
	if len(exclude) > 50 {
		p.Add("exclude_user_ids", "Name at most 50 members.")
	}
	answers := []string{}
	if len(in.Answers) > len(s.Questions.V) {
		p.Add("answers", "Answer the scheme's questions only.")
	}
	for _, ans := range in.Answers {
		if utf8.RuneCountInString(ans) > maxLongText || !utf8.ValidString(ans) {
			p.Add("answers", fmt.Sprintf("Use at most %d characters in each answer.", maxLongText))
		}
		answers = append(answers, strings.TrimSpace(ans))
	}
	if err := p.Err(); err != nil {
		return err
	}
	a.Role, a.Interests.V, a.Mode, a.Availability.V = in.Role, interests, in.Mode, times
	a.Hopes, a.MaxMentees, a.ExcludeUserIDs.V, a.Answers.V, a.ResearchConsent = strings.TrimSpace(in.Hopes), max, exclude, answers, in.ResearchConsent
	return nil
}

// Apply records u's application to a scheme: 404 for a scheme u may not
// see, 403 when u may not take that role, 422 outside the window, 409
// for a second application.
func Apply(ctx context.Context, st *store.Store, u User, schemeID int64, in ApplicationInput, now time.Time) (Application, error) {
	var a Application
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		if s.Status == SchemeDraft {
			return ErrNotFound
		}
		if in.Role.Valid() {
			roles, err := schemeRolesFor(tx, s, u)
			if err != nil {
				return err
			}
			if !slices.Contains(roles, in.Role) {
				return ErrNotEligible
			}
		}
		if err := applicationsError(s, now); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&Application{}).Where("scheme_id = ? AND user_id = ?", s.ID, u.ID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyApplied
		}
		a = Application{SchemeID: s.ID, UserID: u.ID, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
		if err := checkApplication(s, u.ID, in, &a); err != nil {
			return err
		}
		for range 5 {
			a.Pseudonym = newPseudonym()
			var taken int64
			if err := tx.Model(&Application{}).Where("scheme_id = ? AND pseudonym = ?", s.ID, a.Pseudonym).Count(&taken).Error; err != nil {
				return err
			}
			if taken == 0 {
				break
			}
		}
		err = tx.Create(&a).Error
		if err != nil && isDuplicate(err) {
			return ErrAlreadyApplied
		}
		return err
	})
	return a, err
}

// newPseudonym is a respondent's name in a scheme's research export.
func newPseudonym() string {
	const letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return "P-" + string(b)
}

// MyApplication returns u's application to a scheme.
func MyApplication(ctx context.Context, st *store.Store, u User, schemeID int64) (Application, error) {
	return applicationOf(st.Read(ctx), schemeID, u.ID)
}

func applicationOf(db *gorm.DB, schemeID, userID int64) (Application, error) {
	var a Application
	err := db.Where("scheme_id = ? AND user_id = ?", schemeID, userID).First(&a).Error
	return a, notFound(err)
}

// UpdateApplication changes u's application, until the pairs are
// introduced. A change of role is checked like a new application.
func UpdateApplication(ctx context.Context, st *store.Store, u User, schemeID int64, change func(*ApplicationInput) error, now time.Time) (Application, error) {
	var a Application
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		if a, err = applicationOf(tx, s.ID, u.ID); err != nil {
			return err
		}
		if err := applicationChangeError(s); err != nil {
			return err
		}
		in := a.Input()
		if err := change(&in); err != nil {
			return err
		}
		if in.Role != a.Role {
			roles, err := schemeRolesFor(tx, s, u)
			if err != nil {
				return err
			}
			if in.Role.Valid() && !slices.Contains(roles, in.Role) {
				return ErrNotEligible
			}
			if in.Role == RoleMentee {
				in.MaxMentees = nil
			}
			// A proposal made for the old role no longer holds.
			if err := tx.Where("scheme_id = ? AND status = ? AND (mentor_id = ? OR mentee_id = ?)", s.ID, PairProposed, u.ID, u.ID).Delete(&Pair{}).Error; err != nil {
				return err
			}
		}
		if err := checkApplication(s, u.ID, in, &a); err != nil {
			return err
		}
		a.UpdatedAt = now.UTC()
		return tx.Save(&a).Error
	})
	return a, err
}

// WithdrawApplication removes u's application, and any pair proposed for
// them, until the pairs are introduced.
func WithdrawApplication(ctx context.Context, st *store.Store, u User, schemeID int64) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		a, err := applicationOf(tx, s.ID, u.ID)
		if err != nil {
			return err
		}
		if err := applicationChangeError(s); err != nil {
			return err
		}
		if err := tx.Where("scheme_id = ? AND status = ? AND (mentor_id = ? OR mentee_id = ?)", s.ID, PairProposed, u.ID, u.ID).Delete(&Pair{}).Error; err != nil {
			return err
		}
		return tx.Delete(&a).Error
	})
}

// ApplicationView is an application with its applicant, for committee.
type ApplicationView struct {
	Application
	Name        string `json:"name"`
	Email       string `json:"email"`
	YearOfStudy *int   `json:"year_of_study"`
	MemberRole  Role   `json:"member_role"`
}

// SchemeApplications lists a scheme's applications for committee, mentors
// first, then by name.
func SchemeApplications(ctx context.Context, st *store.Store, schemeID int64) ([]ApplicationView, error) {
	db := st.Read(ctx)
	if _, err := schemeByID(db, schemeID); err != nil {
		return nil, err
	}
	return schemeApplications(db, schemeID)
}

func schemeApplications(db *gorm.DB, schemeID int64) ([]ApplicationView, error) {
	var apps []Application
	if err := db.Where("scheme_id = ?", schemeID).Order("role, user_id").Find(&apps).Error; err != nil {
		return nil, err
	}
	ids := make([]int64, len(apps))
	for i, a := range apps {
		ids[i] = a.UserID
	}
	users, err := usersByID(db, ids)
	if err != nil {
		return nil, err
	}
	out := make([]ApplicationView, 0, len(apps))
	for _, a := range apps {
		u := users[a.UserID]
		out = append(out, ApplicationView{Application: a, Name: u.Name, Email: u.Email, YearOfStudy: u.YearOfStudy, MemberRole: u.Role})
	}
	slices.SortStableFunc(out, func(a, b ApplicationView) int {
		if a.Role != b.Role {
			return strings.Compare(string(a.Role), string(b.Role))
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// usersByID loads members by id, 500 at a time.
func usersByID(db *gorm.DB, ids []int64) (map[int64]User, error) {
	out := map[int64]User{}
	ids = dedupe(ids)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		var us []User
		if err := db.Where("id IN ?", chunk).Find(&us).Error; err != nil {
			return nil, err
		}
		for _, u := range us {
			out[u.ID] = u
		}
	}
	return out, nil
}
