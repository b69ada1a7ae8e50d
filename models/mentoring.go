package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"rounds/models/store"
)

// Mentoring schemes: committee sets one up (who may mentor and be
// mentored, when applications are taken, when pairs meet), members apply,
// the matcher pairs them (mentoring_match.go), pairs meet
// (mentoring_pairs.go), and questionnaires before and after measure what
// changed (mentoring_questionnaires.go).

// Errors of mentoring.
var (
	ErrApplicationsClosed     = &Error{KindUnprocessable, "applications_closed", "This scheme is not taking applications."}
	ErrApplicationsNotYetOpen = &Error{KindUnprocessable, "applications_not_open", "Applications to this scheme have not opened yet."}
	ErrNotEligible            = &Error{KindForbidden, "not_eligible", "This scheme is not open to you in that role."}
	ErrAlreadyApplied         = &Error{KindConflict, "already_applied", "You have already applied to this scheme."}
	ErrMatchingDone           = &Error{KindConflict, "matching_done", "The pairs of this scheme have been introduced: applications can no longer change."}
	ErrSchemeState            = &Error{KindConflict, "scheme_state", "The scheme is not at a stage where that can be done."}
	ErrInvitationsOff         = &Error{KindUnprocessable, "invitations_off", "This scheme does not take invited mentors: allow them in its mentor rule first."}
	ErrPairNotActive          = &Error{KindConflict, "pair_not_active", "This pairing is not running."}
	ErrMeetingAccepted        = &Error{KindConflict, "meeting_already_accepted", "This meeting has already been agreed."}
	ErrOwnProposal            = &Error{KindForbidden, "own_proposal", "The other side of the pair accepts a meeting you proposed."}
	ErrMeetingNotAccepted     = &Error{KindConflict, "meeting_not_accepted", "The meeting has not been agreed yet."}
	ErrMeetingNotStarted      = &Error{KindUnprocessable, "meeting_not_started", "A meeting can be marked held once its time has come."}
	ErrAlreadyAnswered        = &Error{KindConflict, "already_answered", "You have already answered this questionnaire."}
	ErrNotParticipant         = &Error{KindForbidden, "not_participant", "Only the scheme's mentors and mentees answer its questionnaires."}
	ErrQuestionnaireAnswered  = &Error{KindConflict, "questionnaire_answered", "Members have answered this questionnaire: its items can be reworded, not added, removed or changed in kind or audience."}
)

// jsonValue stores a value as JSON text in one column.
type jsonValue[T any] struct{ V T }

// Value writes the JSON.
func (j jsonValue[T]) Value() (driver.Value, error) {
	b, err := json.Marshal(j.V)
	return string(b), err
}

// Scan reads the JSON.
func (j *jsonValue[T]) Scan(v any) error {
	var b []byte
	switch x := v.(type) {
	case string:
		b = []byte(x)
	case []byte:
		b = x
	case nil:
		var zero T
		j.V = zero
		return nil
	default:
		return fmt.Errorf("json column: cannot scan %T", v)
	}
	return json.Unmarshal(b, &j.V)
}

// MarshalJSON is the value's own JSON.
func (j jsonValue[T]) MarshalJSON() ([]byte, error) { return json.Marshal(j.V) }

// Scheme is a mentoring scheme.
type Scheme struct {
	ID                int64                  `json:"id"`
	Title             string                 `json:"title"`
	Purpose           string                 `json:"purpose"`
	Status            SchemeStatus           `json:"status"`
	MentorRoles       jsonValue[[]Role]      `json:"-"`
	MentorMinYear     *int                   `json:"-"`
	MentorInvited     bool                   `json:"-"`
	MenteeYears       YearGroups             `json:"mentee_years"`
	Interests         jsonValue[[]string]    `json:"interests"`
	Questions         jsonValue[[]string]    `json:"questions"`
	ApplicationsOpen  time.Time              `json:"applications_open"`
	ApplicationsClose time.Time              `json:"applications_close"`
	MatchAt           time.Time              `json:"match_at"`
	StartsOn          string                 `json:"starts_on"`
	EndsOn            string                 `json:"ends_on"`
	MeetEveryDays     int                    `json:"meet_every_days"`
	MaxMenteesDefault int                    `json:"max_mentees_default"`
	Weights           jsonValue[Weights]     `json:"weights"`
	LeadIDs           jsonValue[[]int64]     `json:"lead_ids"`
	BeforeItems       jsonValue[[]QuestItem] `json:"-"`
	AfterItems        jsonValue[[]QuestItem] `json:"-"`
	CreatedBy         *int64                 `json:"-"`
	CreatedAt         time.Time              `json:"-"`
	UpdatedAt         time.Time              `json:"-"`
}

// MarshalJSON adds the mentor rule to the stored fields.
func (s Scheme) MarshalJSON() ([]byte, error) {
	type plain Scheme
	return json.Marshal(struct {
		plain
		MentorRule MentorRule `json:"mentor_rule"`
	}{plain(s), s.MentorRule()})
}

// AfterFind keeps times in UTC whatever the driver returns.
func (s *Scheme) AfterFind(*gorm.DB) error {
	s.ApplicationsOpen, s.ApplicationsClose, s.MatchAt = s.ApplicationsOpen.UTC(), s.ApplicationsClose.UTC(), s.MatchAt.UTC()
	return nil
}

// MentorRule is who may mentor in the scheme.
func (s Scheme) MentorRule() MentorRule {
	roles := s.MentorRoles.V
	if roles == nil {
		roles = []Role{}
	}
	return MentorRule{Roles: roles, MinYear: s.MentorMinYear, Invited: s.MentorInvited}
}

// Every is the scheme's meeting rhythm.
func (s Scheme) Every() time.Duration { return time.Duration(s.MeetEveryDays) * 24 * time.Hour }

// Leads are the members told when a pair stops meeting.
func (s Scheme) Leads() []int64 {
	if len(s.LeadIDs.V) == 0 && s.CreatedBy != nil {
		return []int64{*s.CreatedBy}
	}
	return s.LeadIDs.V
}

// EndsAt is when the scheme's last day is over, in loc.
func (s Scheme) EndsAt(loc *time.Location) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s.EndsOn, loc)
	if err != nil {
		return time.Time{}
	}
	return d.AddDate(0, 0, 1).UTC()
}

// StartsAt is when the scheme's first day begins, in loc.
func (s Scheme) StartsAt(loc *time.Location) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s.StartsOn, loc)
	if err != nil {
		return time.Time{}
	}
	return d.UTC()
}

// SchemeInput is a new scheme or a change to one: nil fields stay as they
// are (or take their defaults in a new scheme).
type SchemeInput struct {
	Title             *string     `json:"title"`
	Purpose           *string     `json:"purpose"`
	MentorRule        *MentorRule `json:"mentor_rule"`
	MenteeYears       *[]int      `json:"mentee_years"`
	Interests         *[]string   `json:"interests"`
	Questions         *[]string   `json:"questions"`
	ApplicationsOpen  *time.Time  `json:"applications_open"`
	ApplicationsClose *time.Time  `json:"applications_close"`
	MatchAt           *time.Time  `json:"match_at"`
	StartsOn          *string     `json:"starts_on"`
	EndsOn            *string     `json:"ends_on"`
	MeetEveryDays     *int        `json:"meet_every_days"`
	MaxMenteesDefault *int        `json:"max_mentees_default"`
	Weights           *Weights    `json:"weights"`
	LeadIDs           *[]int64    `json:"lead_ids"`
}

// Limits of a scheme's fields.
const (
	maxInterests     = 30
	maxQuestions     = 10
	maxShortText     = 200
	maxLongText      = 4000
	MaxMenteesPerMax = 5
)

var dateOnly = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}`)

// schemeDate reads a date "YYYY-MM-DD" (or the date of an RFC 3339 time).
func schemeDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !dateOnly.MatchString(s) {
		return "", false
	}
	d := s[:10]
	if _, err := time.Parse(time.DateOnly, d); err != nil {
		return "", false
	}
	if len(s) > 10 {
		if _, err := time.Parse(time.RFC3339, s); err != nil {
			return "", false
		}
	}
	return d, true
}

// apply puts in's fields into s and checks the whole scheme.
func (in SchemeInput) apply(s *Scheme) error {
	p := Problems{}
	if in.Title != nil {
		s.Title = strings.TrimSpace(*in.Title)
	}
	if in.Purpose != nil {
		s.Purpose = strings.TrimSpace(*in.Purpose)
	}
	if in.MentorRule != nil {
		r := *in.MentorRule
		checkMentorRule(p, r)
		s.MentorRoles.V, s.MentorMinYear, s.MentorInvited = r.Roles, r.MinYear, r.Invited
	}
	if in.MenteeYears != nil {
		var years []int
		for _, y := range *in.MenteeYears {
			if y < 1 || y > 6 {
				p.Add("mentee_years", "Give years of study from 1 to 6.")
				continue
			}
			years = append(years, y)
		}
		s.MenteeYears = YearGroupsOf(years...)
	}
	if in.Interests != nil {
		s.Interests.V = cleanList(p, "interests", *in.Interests, maxInterests, 60)
	}
	if in.Questions != nil {
		s.Questions.V = cleanList(p, "questions", *in.Questions, maxQuestions, maxShortText)
	}
	if in.ApplicationsOpen != nil {
		s.ApplicationsOpen = in.ApplicationsOpen.UTC()
	}
	if in.ApplicationsClose != nil {
		s.ApplicationsClose = in.ApplicationsClose.UTC()
	}
	if in.MatchAt != nil {
		s.MatchAt = in.MatchAt.UTC()
	}
	for _, f := range []struct {
		name string
		in   *string
		to   *string
	}{{"starts_on", in.StartsOn, &s.StartsOn}, {"ends_on", in.EndsOn, &s.EndsOn}} {
		if f.in == nil {
			continue
		}
		d, ok := schemeDate(*f.in)
		if !ok {
			p.Add(f.name, "Give a date as YYYY-MM-DD.")
			continue
		}
		*f.to = d
	}
	if in.MeetEveryDays != nil {
		s.MeetEveryDays = *in.MeetEveryDays
	}
	if in.MaxMenteesDefault != nil {
		s.MaxMenteesDefault = *in.MaxMenteesDefault
	}
	if in.Weights != nil {
		checkWeights(p, *in.Weights)
		s.Weights.V = *in.Weights
	}
	if in.LeadIDs != nil {
		s.LeadIDs.V = *in.LeadIDs
	}
	checkScheme(p, s)
	return p.Err()
}

// cleanList trims each entry, drops empty and repeated ones, and checks
// their number and length.
func cleanList(p Problems, field string, in []string, most, length int) []string {
	out := []string{}
	for _, v := range in {
		v = strings.TrimSpace(v)
		if v == "" || slices.Contains(out, v) {
			continue
		}
		if utf8.RuneCountInString(v) > length || !plainText(v) || strings.ContainsAny(v, "\r\n") {
			p.Add(field, fmt.Sprintf("Give each on one line, in at most %d characters.", length))
			continue
		}
		out = append(out, v)
	}
	if len(out) > most {
		p.Add(field, fmt.Sprintf("Give at most %d.", most))
	}
	return out
}

// checkScheme checks a scheme as a whole.
func checkScheme(p Problems, s *Scheme) {
	switch {
	case s.Title == "":
		p.Add("title", "Give the scheme a name.")
	case utf8.RuneCountInString(s.Title) > maxShortText || !plainText(s.Title):
		p.Add("title", fmt.Sprintf("Use one line of at most %d characters.", maxShortText))
	}
	if utf8.RuneCountInString(s.Purpose) > maxLongText || !utf8.ValidString(s.Purpose) {
		p.Add("purpose", fmt.Sprintf("Use at most %d characters.", maxLongText))
	}
	if s.MenteeYears == 0 {
		p.Add("mentee_years", "Say which years of study may be mentored.")
	}
	switch {
	case s.ApplicationsOpen.IsZero():
		p.Add("applications_open", "Say when applications open.")
	case s.ApplicationsClose.IsZero():
		p.Add("applications_close", "Say when applications close.")
	case !s.ApplicationsClose.After(s.ApplicationsOpen):
		p.Add("applications_close", "Applications must close after they open.")
	case s.MatchAt.IsZero():
		p.Add("match_at", "Say when pairs are matched.")
	case s.MatchAt.Before(s.ApplicationsOpen):
		p.Add("match_at", "Match after applications open.")
	}
	switch {
	case s.StartsOn == "":
		p.Add("starts_on", "Say when the scheme starts.")
	case s.EndsOn == "":
		p.Add("ends_on", "Say when the scheme ends.")
	case s.EndsOn <= s.StartsOn:
		p.Add("ends_on", "The scheme must end after it starts.")
	case !s.MatchAt.IsZero() && s.MatchAt.Format(time.DateOnly) > s.EndsOn:
		p.Add("match_at", "Match before the scheme ends.")
	}
	if s.MeetEveryDays < 1 || s.MeetEveryDays > 366 {
		p.Add("meet_every_days", "Give the days between meetings, from 1 to 366.")
	}
	if s.MaxMenteesDefault < 1 || s.MaxMenteesDefault > MaxMenteesPerMax {
		p.Add("max_mentees_default", fmt.Sprintf("Give a number of mentees from 1 to %d.", MaxMenteesPerMax))
	}
	checkMentorRule(p, s.MentorRule())
}

// CreateScheme makes a draft scheme, with the default questionnaires.
func CreateScheme(ctx context.Context, st *store.Store, actor User, in SchemeInput, now time.Time) (Scheme, error) {
	if !actor.IsCommittee() {
		return Scheme{}, ErrForbidden
	}
	s := Scheme{
		Status: SchemeDraft, MeetEveryDays: 30, MaxMenteesDefault: 2, CreatedBy: &actor.ID,
		CreatedAt: now.UTC(), UpdatedAt: now.UTC(),
	}
	s.Weights.V = DefaultWeights
	s.LeadIDs.V = []int64{actor.ID}
	s.Interests.V, s.Questions.V, s.MentorRoles.V = []string{}, []string{}, []Role{}
	s.BeforeItems.V, s.AfterItems.V = DefaultQuestionnaire(), DefaultQuestionnaire()
	if in.MentorRule == nil {
		in.MentorRule = &MentorRule{Roles: []Role{RoleTeacher}}
	}
	if err := in.apply(&s); err != nil {
		return Scheme{}, err
	}
	err := st.Write(ctx, func(tx *gorm.DB) error {
		if err := checkLeads(tx, s.LeadIDs.V); err != nil {
			return err
		}
		return tx.Create(&s).Error
	})
	return s, err
}

// checkLeads makes sure every lead is a committee member.
func checkLeads(db *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := db.Model(&User{}).Where("id IN ? AND role = ?", ids, RoleCommittee).Count(&n).Error; err != nil {
		return err
	}
	if int(n) != len(dedupe(ids)) {
		return &ValidationError{Fields: map[string]string{"lead_ids": "Each lead must be a member of the committee."}}
	}
	return nil
}

func dedupe(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// UpdateScheme changes a scheme. Once pairs are introduced, who may apply
// and the application window no longer change.
func UpdateScheme(ctx context.Context, st *store.Store, actor User, id int64, in SchemeInput, now time.Time) (Scheme, error) {
	if !actor.IsCommittee() {
		return Scheme{}, ErrForbidden
	}
	var s Scheme
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if s, err = schemeByID(tx, id); err != nil {
			return err
		}
		if s.Status != SchemeDraft && s.Status != SchemeOpen &&
			(in.MentorRule != nil || in.MenteeYears != nil || in.ApplicationsOpen != nil || in.ApplicationsClose != nil || in.Questions != nil) {
			return ErrMatchingDone
		}
		if s.Status == SchemeClosed {
			return ErrSchemeState
		}
		if err := in.apply(&s); err != nil {
			return err
		}
		if err := checkLeads(tx, s.LeadIDs.V); err != nil {
			return err
		}
		s.UpdatedAt = now.UTC()
		return tx.Save(&s).Error
	})
	return s, err
}

// OpenScheme starts taking applications (from applications_open) for a
// draft scheme. Opening an open scheme again changes nothing.
func OpenScheme(ctx context.Context, st *store.Store, actor User, id int64, now time.Time) (Scheme, error) {
	if !actor.IsCommittee() {
		return Scheme{}, ErrForbidden
	}
	var s Scheme
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if s, err = schemeByID(tx, id); err != nil {
			return err
		}
		switch s.Status {
		case SchemeOpen:
			return nil
		case SchemeDraft:
		default:
			return ErrSchemeState
		}
		s.Status, s.UpdatedAt = SchemeOpen, now.UTC()
		return tx.Model(&Scheme{}).Where("id = ?", s.ID).Updates(map[string]any{"status": s.Status, "updated_at": s.UpdatedAt}).Error
	})
	return s, err
}

// SchemeByID returns a scheme, whatever its status (committee's view).
func SchemeByID(ctx context.Context, st *store.Store, id int64) (Scheme, error) {
	return schemeByID(st.Read(ctx), id)
}

func schemeByID(db *gorm.DB, id int64) (Scheme, error) {
	var s Scheme
	err := db.First(&s, id).Error
	return s, notFound(err)
}

// SchemeFor is a scheme as a member sees it in the list: whether they may
// apply, and as what, and their application if they have made one.
type SchemeFor struct {
	Scheme
	CanApplyAs    []MentoringRole `json:"can_apply_as"`
	MyApplication *Application    `json:"my_application"`
}

// MarshalJSON keeps the scheme's own shape and adds the member's part.
func (s SchemeFor) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(s.Scheme)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if s.CanApplyAs == nil {
		s.CanApplyAs = []MentoringRole{}
	}
	m["can_apply_as"], m["my_application"] = s.CanApplyAs, s.MyApplication
	return json.Marshal(m)
}

// SchemeAccess is the viewer of a scheme: loads the scheme and what the
// member is to it.
func schemeRolesFor(db *gorm.DB, s Scheme, u User) ([]MentoringRole, error) {
	var out []MentoringRole
	invited := false
	if s.MentorInvited {
		var n int64
		if err := db.Model(&schemeInvitation{}).Where("scheme_id = ? AND user_id = ? AND accepted_at IS NOT NULL", s.ID, u.ID).Count(&n).Error; err != nil {
			return nil, err
		}
		invited = n > 0
	}
	if mayMentor(s.MentorRule(), u, invited) {
		out = append(out, RoleMentor)
	}
	if mayBeMentored(s.MenteeYears, u) {
		out = append(out, RoleMentee)
	}
	return out, nil
}

// ListSchemes returns the schemes open to u: to committee every scheme;
// to a member the open schemes they may apply to, and every scheme past
// its draft they have applied to. Newest first.
func ListSchemes(ctx context.Context, st *store.Store, u User) ([]SchemeFor, error) {
	db := st.Read(ctx)
	var all []Scheme
	q := db.Order("applications_open DESC, id DESC")
	if !u.IsCommittee() {
		q = q.Where("status <> ?", SchemeDraft)
	}
	if err := q.Find(&all).Error; err != nil {
		return nil, err
	}
	var apps []Application
	if err := db.Where("user_id = ?", u.ID).Find(&apps).Error; err != nil {
		return nil, err
	}
	mine := map[int64]*Application{}
	for i := range apps {
		mine[apps[i].SchemeID] = &apps[i]
	}
	out := []SchemeFor{}
	for _, s := range all {
		roles, err := schemeRolesFor(db, s, u)
		if err != nil {
			return nil, err
		}
		f := SchemeFor{Scheme: s, CanApplyAs: roles, MyApplication: mine[s.ID]}
		if s.Status != SchemeOpen || f.MyApplication != nil {
			f.CanApplyAs = nil
		}
		if u.IsCommittee() || f.MyApplication != nil || (s.Status == SchemeOpen && len(roles) > 0) {
			out = append(out, f)
		}
	}
	return out, nil
}

// SchemeForMember returns one scheme as ListSchemes shows it to u, or
// ErrNotFound when the list would not show it.
func SchemeForMember(ctx context.Context, st *store.Store, u User, id int64) (SchemeFor, error) {
	list, err := ListSchemes(ctx, st, u)
	if err != nil {
		return SchemeFor{}, err
	}
	for _, s := range list {
		if s.ID == id {
			return s, nil
		}
	}
	return SchemeFor{}, ErrNotFound
}

// schemeInvitation is an e-mailed invitation to mentor in a scheme.
type schemeInvitation struct {
	ID         int64      `json:"id"`
	SchemeID   int64      `json:"scheme_id"`
	Email      string     `json:"email"`
	Hash       string     `json:"-"`
	InvitedBy  *int64     `json:"-"`
	UserID     *int64     `json:"user_id"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at"`
}

func (schemeInvitation) TableName() string { return "scheme_invitations" }

// Invitation is an invitation to mentor, as committee reads it.
type Invitation = schemeInvitation

// InvitationLifetime is how long an invitation link works.
const InvitationLifetime = 30 * 24 * time.Hour

// InvitationPath is the page an invitation's link opens.
func InvitationPath(secret string) string { return "/mentoring/join?token=" + secret }

// InviteMentors sends a mentor_invitation to each address. An address
// already invited to the scheme is not invited again (its invitation is
// returned as it is).
func InviteMentors(ctx context.Context, st *store.Store, actor User, schemeID int64, emails []string, now time.Time) ([]Invitation, error) {
	if !actor.IsCommittee() {
		return nil, ErrForbidden
	}
	p := Problems{}
	var clean []string
	for _, e := range emails {
		e = NormalizeEmail(e)
		if !validEmail(e) {
			p.Add("emails", fmt.Sprintf("%q is not an e-mail address.", e))
			continue
		}
		if !slices.Contains(clean, e) {
			clean = append(clean, e)
		}
	}
	switch {
	case len(clean) == 0 && len(p) == 0:
		p.Add("emails", "Give at least one e-mail address.")
	case len(clean) > 200:
		p.Add("emails", "Invite at most 200 at a time.")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var out []Invitation
	err := st.Write(ctx, func(tx *gorm.DB) error {
		out = nil
		s, err := schemeByID(tx, schemeID)
		if err != nil {
			return err
		}
		if !s.MentorInvited {
			return ErrInvitationsOff
		}
		if s.Status == SchemeClosed {
			return ErrSchemeState
		}
		for _, e := range clean {
			var inv Invitation
			err := tx.Where("scheme_id = ? AND email = ?", s.ID, e).First(&inv).Error
			if err == nil {
				out = append(out, inv)
				continue
			}
			if err != gorm.ErrRecordNotFound {
				return err
			}
			secret := NewSecret()
			inv = Invitation{SchemeID: s.ID, Email: e, Hash: HashSecret(secret), InvitedBy: &actor.ID,
				CreatedAt: now.UTC(), ExpiresAt: now.Add(InvitationLifetime).UTC()}
			if err := tx.Create(&inv).Error; err != nil {
				return err
			}
			var userID int64
			if u, err := userByEmail(tx, e); err == nil {
				userID = u.ID
			}
			if _, err := enqueue(tx, Email{
				Kind: MailMentorInvitation, Key: fmt.Sprintf("%s:%d", MailMentorInvitation, inv.ID), UserID: userID, To: e,
				Data: map[string]string{"scheme_id": fmt.Sprint(s.ID), "scheme": s.Title, "path": InvitationPath(secret),
					"expires_at": inv.ExpiresAt.Format(time.RFC3339)},
			}, now); err != nil {
				return err
			}
			out = append(out, inv)
		}
		return nil
	})
	return out, err
}

// InvitationAccount is who takes up an invitation: the logged-in member,
// or (Member nil) a new account made with Name, Password and Year.
type InvitationAccount struct {
	Member   *User
	Name     string
	Password string
	Year     *int
}

// AcceptInvitation takes up an invitation to mentor: it links the logged-in
// member's account, or makes an account for the invited address (confirmed,
// as the e-mail reached it), so that its holder may apply as a mentor of
// the scheme. The link works once, until it expires.
func AcceptInvitation(ctx context.Context, st *store.Store, secret string, acc InvitationAccount, now time.Time) (User, Scheme, error) {
	var u User
	var s Scheme
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var inv Invitation
		if err := tx.Where("hash = ?", HashSecret(secret)).First(&inv).Error; err != nil {
			if err == gorm.ErrRecordNotFound {
				return ErrTokenInvalid
			}
			return err
		}
		if inv.AcceptedAt != nil || !now.Before(inv.ExpiresAt) {
			return ErrTokenInvalid
		}
		var err error
		if s, err = schemeByID(tx, inv.SchemeID); err != nil {
			return err
		}
		if acc.Member != nil {
			u = *acc.Member
		} else {
			if existing, err := userByEmail(tx, inv.Email); err == nil {
				_ = existing
				return &Error{KindConflict, "email_taken", "An account with this address exists: log in, then open the link again."}
			}
			u, err = newUser(NewUser{Email: inv.Email, Name: acc.Name, Password: acc.Password, Role: RoleStudent, YearOfStudy: acc.Year}, nil)
			if err != nil {
				return err
			}
			if err := insertUser(tx, &u); err != nil {
				return err
			}
		}
		at := now.UTC()
		return tx.Model(&Invitation{}).Where("id = ? AND accepted_at IS NULL", inv.ID).
			Updates(map[string]any{"accepted_at": at, "user_id": u.ID}).Error
	})
	return u, s, err
}

// SchemeInvitations lists a scheme's invitations for committee.
func SchemeInvitations(ctx context.Context, st *store.Store, schemeID int64) ([]Invitation, error) {
	var out []Invitation
	err := st.Read(ctx).Where("scheme_id = ?", schemeID).Order("id").Find(&out).Error
	return out, err
}
