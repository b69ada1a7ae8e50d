package models

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"rounds/internal/ical"
	"rounds/models/store"
)

// Meeting is a meeting of a pair, proposed by one side and accepted by the
// other, then marked held or not.
type Meeting struct {
	ID         int64         `json:"id"`
	PairID     int64         `json:"pair_id"`
	ProposedBy int64         `json:"proposed_by"`
	StartsAt   time.Time     `json:"starts_at"`
	Minutes    int           `json:"minutes"`
	Mode       Mode          `json:"mode"`
	PlaceOrURL string        `json:"place_or_url"`
	Status     MeetingStatus `json:"status"`
	Held       *bool         `json:"held"`
	Sequence   int           `json:"-"`
	CreatedAt  time.Time     `json:"created_at"`
	AcceptedAt *time.Time    `json:"accepted_at"`
	MarkedAt   *time.Time    `json:"-"`
	// MyNote is the caller's own note on the meeting; nobody else's note is
	// ever loaded.
	MyNote *string `json:"my_note,omitempty" gorm:"-"`
}

// TableName names the table.
func (Meeting) TableName() string { return "mentoring_meetings" }

// AfterFind keeps times in UTC whatever the driver returns.
func (m *Meeting) AfterFind(*gorm.DB) error {
	m.StartsAt = m.StartsAt.UTC()
	return nil
}

// EndsAt is when the meeting is planned to end.
func (m Meeting) EndsAt() time.Time { return m.StartsAt.Add(time.Duration(m.Minutes) * time.Minute) }

type meetingNote struct {
	MeetingID int64
	UserID    int64
	Note      string
	UpdatedAt time.Time
}

func (meetingNote) TableName() string { return "mentoring_notes" }

// EndRequest is one side's private request to end or change the pairing.
type EndRequest struct {
	ID        int64     `json:"id"`
	PairID    int64     `json:"pair_id"`
	UserID    int64     `json:"user_id"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName names the table.
func (EndRequest) TableName() string { return "mentoring_end_requests" }

// Limits of meetings.
const (
	MinMeetingMinutes = 5
	MaxMeetingMinutes = 480
	maxMeetingAhead   = 366 * 24 * time.Hour
)

// MeetingInput is a proposed meeting.
type MeetingInput struct {
	StartsAt   time.Time `json:"starts_at"`
	Minutes    int       `json:"minutes"`
	Mode       Mode      `json:"mode"`
	PlaceOrURL string    `json:"place_or_url"`
}

func checkMeeting(in *MeetingInput, now time.Time) error {
	p := Problems{}
	in.PlaceOrURL = strings.TrimSpace(in.PlaceOrURL)
	switch {
	case in.StartsAt.IsZero():
		p.Add("starts_at", "Say when you meet.")
	case in.StartsAt.After(now.Add(maxMeetingAhead)):
		p.Add("starts_at", "Propose a meeting within the next year.")
	}
	if in.Minutes == 0 {
		in.Minutes = 60
	}
	if in.Minutes < MinMeetingMinutes || in.Minutes > MaxMeetingMinutes {
		p.Add("minutes", fmt.Sprintf("Give a length from %d to %d minutes.", MinMeetingMinutes, MaxMeetingMinutes))
	}
	if in.Mode != ModeInPerson && in.Mode != ModeOnline {
		p.Add("mode", "Meet in person or online.")
	}
	switch {
	case in.PlaceOrURL == "":
		p.Add("place_or_url", "Say where you meet, or give the link.")
	case utf8.RuneCountInString(in.PlaceOrURL) > 500 || !plainText(in.PlaceOrURL):
		p.Add("place_or_url", "Use one line of at most 500 characters.")
	case in.Mode == ModeOnline:
		if u, err := url.Parse(in.PlaceOrURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Add("place_or_url", "Give the meeting's link, starting https://.")
		}
	}
	return p.Err()
}

// pairFor loads a pair u is a side of; anyone else is told it does not
// exist.
func pairFor(db *gorm.DB, u User, pairID int64) (Pair, error) {
	var p Pair
	if err := db.First(&p, pairID).Error; err != nil {
		return Pair{}, notFound(err)
	}
	if p.Side(u.ID) == "" || p.Status == PairProposed {
		return Pair{}, ErrNotFound
	}
	return p, nil
}

// meetingFor loads a meeting of a pair u is a side of.
func meetingFor(db *gorm.DB, u User, meetingID int64) (Meeting, Pair, error) {
	var m Meeting
	if err := db.First(&m, meetingID).Error; err != nil {
		return Meeting{}, Pair{}, notFound(err)
	}
	p, err := pairFor(db, u, m.PairID)
	return m, p, err
}

// ProposeMeeting records a meeting one side of an active pair proposes,
// and tells the other side. A time in the past logs a meeting after the
// fact; it is accepted and marked held as usual.
func ProposeMeeting(ctx context.Context, st *store.Store, u User, pairID int64, in MeetingInput, now time.Time) (Meeting, error) {
	var m Meeting
	err := st.Write(ctx, func(tx *gorm.DB) error {
		p, err := pairFor(tx, u, pairID)
		if err != nil {
			return err
		}
		if p.Status != PairActive {
			return ErrPairNotActive
		}
		if err := checkMeeting(&in, now); err != nil {
			return err
		}
		m = Meeting{PairID: p.ID, ProposedBy: u.ID, StartsAt: in.StartsAt.UTC(), Minutes: in.Minutes, Mode: in.Mode,
			PlaceOrURL: in.PlaceOrURL, Status: MeetingProposed, CreatedAt: now.UTC()}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		other, err := userByID(tx, p.Partner(u.ID))
		if err != nil {
			return err
		}
		return enqueue1(tx, Email{Kind: MailMeetingProposed, Key: fmt.Sprintf("%s:%d:%d", MailMeetingProposed, m.ID, other.ID),
			UserID: other.ID, To: other.Email, ToName: other.Name,
			Data: map[string]string{"meeting_id": fmt.Sprint(m.ID), "pair_id": fmt.Sprint(p.ID), "from": u.Name}}, now)
	})
	return m, err
}

// AcceptMeeting is the other side agreeing to a proposed meeting: both
// sides get the invitation for their calendars.
func AcceptMeeting(ctx context.Context, st *store.Store, u User, meetingID int64, now time.Time) (Meeting, error) {
	var m Meeting
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var p Pair
		var err error
		if m, p, err = meetingFor(tx, u, meetingID); err != nil {
			return err
		}
		switch {
		case p.Status != PairActive:
			return ErrPairNotActive
		case m.Status == MeetingAccepted:
			return ErrMeetingAccepted
		case m.ProposedBy == u.ID:
			return ErrOwnProposal
		}
		at := now.UTC()
		m.Status, m.AcceptedAt, m.Sequence = MeetingAccepted, &at, m.Sequence+1
		if err := tx.Model(&Meeting{}).Where("id = ?", m.ID).Updates(map[string]any{"status": m.Status, "accepted_at": at, "sequence": m.Sequence}).Error; err != nil {
			return err
		}
		for _, side := range []int64{p.MentorID, p.MenteeID} {
			who, err := userByID(tx, side)
			if err != nil {
				return err
			}
			if err := enqueue1(tx, Email{Kind: MailMeetingConfirmed, Key: fmt.Sprintf("%s:%d:%d", MailMeetingConfirmed, m.ID, side),
				UserID: side, To: who.Email, ToName: who.Name, Data: map[string]string{"meeting_id": fmt.Sprint(m.ID), "pair_id": fmt.Sprint(p.ID)}}, now); err != nil {
				return err
			}
		}
		return nil
	})
	return m, err
}

// MarkMeeting records whether an agreed meeting was held, by either side,
// once its time has come, with the caller's private note (nil leaves the
// note as it is; "" removes it).
func MarkMeeting(ctx context.Context, st *store.Store, u User, meetingID int64, held *bool, note *string, now time.Time) (Meeting, error) {
	p := Problems{}
	if held == nil {
		p.Add("held", "Say whether the meeting took place: true or false.")
	}
	if note != nil {
		n := strings.TrimSpace(*note)
		if utf8.RuneCountInString(n) > maxLongText || !utf8.ValidString(n) {
			p.Add("note", fmt.Sprintf("Use at most %d characters.", maxLongText))
		}
		note = &n
	}
	var m Meeting
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if m, _, err = meetingFor(tx, u, meetingID); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		switch {
		case m.Status != MeetingAccepted:
			return ErrMeetingNotAccepted
		case now.Before(m.StartsAt):
			return ErrMeetingNotStarted
		}
		at := now.UTC()
		m.Held, m.MarkedAt = held, &at
		if err := tx.Model(&Meeting{}).Where("id = ?", m.ID).Updates(map[string]any{"held": *held, "marked_at": at}).Error; err != nil {
			return err
		}
		if note != nil {
			if err := tx.Where("meeting_id = ? AND user_id = ?", m.ID, u.ID).Delete(&meetingNote{}).Error; err != nil {
				return err
			}
			if *note != "" {
				if err := tx.Create(&meetingNote{MeetingID: m.ID, UserID: u.ID, Note: *note, UpdatedAt: at}).Error; err != nil {
					return err
				}
			}
		}
		mine, err := myNote(tx, u.ID, m.ID)
		m.MyNote = mine
		return err
	})
	return m, err
}

func myNote(db *gorm.DB, userID, meetingID int64) (*string, error) {
	var notes []meetingNote
	if err := db.Where("meeting_id = ? AND user_id = ?", meetingID, userID).Find(&notes).Error; err != nil {
		return nil, err
	}
	if len(notes) == 0 {
		return nil, nil
	}
	return &notes[0].Note, nil
}

// SetGoals replaces the mentee's goals on their pair's page.
func SetGoals(ctx context.Context, st *store.Store, u User, pairID int64, goals string) (Pair, error) {
	goals = strings.TrimSpace(goals)
	var p Pair
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if p, err = pairFor(tx, u, pairID); err != nil {
			return err
		}
		if p.Side(u.ID) != RoleMentee {
			return &Error{KindForbidden, "mentee_only", "The mentee writes the goals."}
		}
		if p.Status != PairActive {
			return ErrPairNotActive
		}
		if utf8.RuneCountInString(goals) > maxLongText || !utf8.ValidString(goals) {
			return &ValidationError{Fields: map[string]string{"goals": fmt.Sprintf("Use at most %d characters.", maxLongText)}}
		}
		p.Goals = goals
		return tx.Model(&Pair{}).Where("id = ?", p.ID).Update("goals", goals).Error
	})
	return p, err
}

// RequestEnd records one side's private request to end or change the
// pairing; committee reads it with the scheme's pairs.
func RequestEnd(ctx context.Context, st *store.Store, u User, pairID int64, reason string, now time.Time) (EndRequest, error) {
	reason = strings.TrimSpace(reason)
	var r EndRequest
	err := st.Write(ctx, func(tx *gorm.DB) error {
		p, err := pairFor(tx, u, pairID)
		if err != nil {
			return err
		}
		if p.Status != PairActive {
			return ErrPairNotActive
		}
		switch {
		case reason == "":
			return &ValidationError{Fields: map[string]string{"reason": "Say a few words about why, for committee."}}
		case utf8.RuneCountInString(reason) > maxLongText || !utf8.ValidString(reason):
			return &ValidationError{Fields: map[string]string{"reason": fmt.Sprintf("Use at most %d characters.", maxLongText)}}
		}
		r = EndRequest{PairID: p.ID, UserID: u.ID, Reason: reason, CreatedAt: now.UTC()}
		return tx.Create(&r).Error
	})
	return r, err
}

// PartnerView is the other side of a pair as the pair's page shows it.
type PartnerView struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// SchemeRef names a scheme in a pair.
type SchemeRef struct {
	ID            int64        `json:"id"`
	Title         string       `json:"title"`
	Status        SchemeStatus `json:"status"`
	StartsOn      string       `json:"starts_on"`
	EndsOn        string       `json:"ends_on"`
	MeetEveryDays int          `json:"meet_every_days"`
}

// MyPair is one of a member's pairs, as only its two sides see it.
type MyPair struct {
	ID               int64         `json:"id"`
	Status           PairStatus    `json:"status"`
	Scheme           SchemeRef     `json:"scheme"`
	Role             MentoringRole `json:"role"`
	Partner          PartnerView   `json:"partner"`
	PartnerInterests []string      `json:"partner_interests"`
	Hopes            string        `json:"hopes"`
	Reasons          []string      `json:"reasons"`
	Goals            string        `json:"goals"`
	Meetings         []Meeting     `json:"meetings"`
}

// MyMentoring returns u's introduced pairs (running and ended), each with
// its meetings (with u's own notes only), newest scheme first.
func MyMentoring(ctx context.Context, st *store.Store, u User) ([]MyPair, error) {
	db := st.Read(ctx)
	var pairs []Pair
	if err := db.Where("(mentor_id = ? OR mentee_id = ?) AND status IN ?", u.ID, u.ID, []PairStatus{PairActive, PairEnded}).
		Order("id DESC").Find(&pairs).Error; err != nil {
		return nil, err
	}
	out := []MyPair{}
	for _, p := range pairs {
		mp, err := myPair(db, u, p)
		if err != nil {
			return nil, err
		}
		out = append(out, mp)
	}
	return out, nil
}

// PairOf returns one of u's pairs as MyMentoring shows it.
func PairOf(ctx context.Context, st *store.Store, u User, pairID int64) (MyPair, error) {
	db := st.Read(ctx)
	p, err := pairFor(db, u, pairID)
	if err != nil {
		return MyPair{}, err
	}
	return myPair(db, u, p)
}

func myPair(db *gorm.DB, u User, p Pair) (MyPair, error) {
	s, err := schemeByID(db, p.SchemeID)
	if err != nil {
		return MyPair{}, err
	}
	partner, err := userByID(db, p.Partner(u.ID))
	if err != nil {
		return MyPair{}, err
	}
	mp := MyPair{ID: p.ID, Status: p.Status, Role: p.Side(u.ID), Goals: p.Goals, Reasons: p.Reasons.V,
		Scheme:  SchemeRef{ID: s.ID, Title: s.Title, Status: s.Status, StartsOn: s.StartsOn, EndsOn: s.EndsOn, MeetEveryDays: s.MeetEveryDays},
		Partner: PartnerView{ID: partner.ID, Name: partner.Name, Email: partner.Email}, PartnerInterests: []string{}}
	if mp.Reasons == nil {
		mp.Reasons = []string{}
	}
	if a, err := applicationOf(db, s.ID, partner.ID); err == nil {
		mp.PartnerInterests = a.Interests.V
	}
	if a, err := applicationOf(db, s.ID, p.MenteeID); err == nil {
		mp.Hopes = a.Hopes
	}
	if err := db.Where("pair_id = ?", p.ID).Order("starts_at, id").Find(&mp.Meetings).Error; err != nil {
		return MyPair{}, err
	}
	var notes []meetingNote
	if err := db.Where("user_id = ? AND meeting_id IN (SELECT id FROM mentoring_meetings WHERE pair_id = ?)", u.ID, p.ID).Find(&notes).Error; err != nil {
		return MyPair{}, err
	}
	byMeeting := map[int64]string{}
	for _, n := range notes {
		byMeeting[n.MeetingID] = n.Note
	}
	for i := range mp.Meetings {
		if n, ok := byMeeting[mp.Meetings[i].ID]; ok {
			mp.Meetings[i].MyNote = &n
		}
	}
	if mp.Meetings == nil {
		mp.Meetings = []Meeting{}
	}
	return mp, nil
}

// MeetingByID returns a meeting of a pair u is a side of.
func MeetingByID(ctx context.Context, st *store.Store, u User, meetingID int64) (Meeting, error) {
	m, _, err := meetingFor(st.Read(ctx), u, meetingID)
	return m, err
}

// MeetingFacts is what a meeting's e-mails and calendar entries need.
type MeetingFacts struct {
	Meeting Meeting
	Pair    Pair
	Scheme  Scheme
	Mentor  User
	Mentee  User
}

// MeetingFactsByID loads a meeting with its pair, scheme and both sides
// (for letters; no caller check).
func MeetingFactsByID(ctx context.Context, st *store.Store, meetingID int64) (MeetingFacts, error) {
	db := st.Read(ctx)
	var f MeetingFacts
	if err := db.First(&f.Meeting, meetingID).Error; err != nil {
		return f, notFound(err)
	}
	var err error
	f.Pair, f.Scheme, f.Mentor, f.Mentee, err = pairWithPeople(db, f.Meeting.PairID)
	return f, err
}

// pairWithPeople loads a pair, its scheme and its two sides.
func pairWithPeople(db *gorm.DB, pairID int64) (p Pair, s Scheme, mentor, mentee User, err error) {
	if err = db.First(&p, pairID).Error; err != nil {
		return p, s, mentor, mentee, notFound(err)
	}
	if s, err = schemeByID(db, p.SchemeID); err != nil {
		return
	}
	if mentor, err = userByID(db, p.MentorID); err != nil {
		return
	}
	mentee, err = userByID(db, p.MenteeID)
	return
}

// PairFacts is what a pair's e-mails need.
type PairFacts struct {
	Pair            Pair
	Scheme          Scheme
	Mentor, Mentee  User
	MentorInterests []string
	MenteeInterests []string
	Hopes           string
}

// PairFactsByID loads a pair with its scheme, both sides and their
// applications (for letters; no caller check).
func PairFactsByID(ctx context.Context, st *store.Store, pairID int64) (PairFacts, error) {
	db := st.Read(ctx)
	var f PairFacts
	var err error
	if f.Pair, f.Scheme, f.Mentor, f.Mentee, err = pairWithPeople(db, pairID); err != nil {
		return f, err
	}
	if a, err := applicationOf(db, f.Scheme.ID, f.Mentor.ID); err == nil {
		f.MentorInterests = a.Interests.V
	}
	if a, err := applicationOf(db, f.Scheme.ID, f.Mentee.ID); err == nil {
		f.MenteeInterests, f.Hopes = a.Interests.V, a.Hopes
	}
	return f, nil
}

// SchemePairView is a pair as committee sees it: who with whom, when they
// met, and any request to end — never a note, never an answer.
type SchemePairView struct {
	Pair
	MentorName    string       `json:"mentor_name"`
	MenteeName    string       `json:"mentee_name"`
	MeetingsHeld  int          `json:"meetings_held"`
	LastMetAt     *time.Time   `json:"last_met_at"`
	NextMeetingAt *time.Time   `json:"next_meeting_at"`
	EndRequests   []EndRequest `json:"end_requests"`
}

// SchemePairs lists a scheme's pairs for committee.
func SchemePairs(ctx context.Context, st *store.Store, schemeID int64, now time.Time) ([]SchemePairView, error) {
	db := st.Read(ctx)
	if _, err := schemeByID(db, schemeID); err != nil {
		return nil, err
	}
	pairs, err := schemePairs(db, schemeID, PairProposed, PairActive, PairEnded)
	if err != nil {
		return nil, err
	}
	var ids, people []int64
	for _, p := range pairs {
		ids = append(ids, p.ID)
		people = append(people, p.MentorID, p.MenteeID)
	}
	users, err := usersByID(db, people)
	if err != nil {
		return nil, err
	}
	var meetings []Meeting
	var requests []EndRequest
	if len(ids) > 0 {
		if err := db.Select("id, pair_id, starts_at, minutes, status, held").Where("pair_id IN ?", ids).Order("starts_at").Find(&meetings).Error; err != nil {
			return nil, err
		}
		if err := db.Where("pair_id IN ?", ids).Order("id").Find(&requests).Error; err != nil {
			return nil, err
		}
	}
	out := make([]SchemePairView, 0, len(pairs))
	at := map[int64]int{}
	for _, p := range pairs {
		at[p.ID] = len(out)
		out = append(out, SchemePairView{Pair: p, MentorName: users[p.MentorID].Name, MenteeName: users[p.MenteeID].Name, EndRequests: []EndRequest{}})
	}
	for _, m := range meetings {
		v := &out[at[m.PairID]]
		start := m.StartsAt
		if m.Held != nil && *m.Held {
			v.MeetingsHeld++
			v.LastMetAt = &start
		}
		if m.Status == MeetingAccepted && start.After(now) && v.NextMeetingAt == nil {
			v.NextMeetingAt = &start
		}
	}
	for _, r := range requests {
		v := &out[at[r.PairID]]
		v.EndRequests = append(v.EndRequests, r)
	}
	return out, nil
}

// MeetingEvent is an agreed meeting as an iCalendar event, for a member of
// the pair: the same UID in every copy, so that calendars keep one entry.
func MeetingEvent(f MeetingFacts, baseURL string, now time.Time) ical.Event {
	host := baseURL
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	page := strings.TrimRight(baseURL, "/") + fmt.Sprintf("/mentoring/pairs/%d", f.Pair.ID)
	mt := f.Meeting
	ev := ical.Event{
		UID:      fmt.Sprintf("mentoring-meeting-%d@%s", mt.ID, host),
		Sequence: mt.Sequence, Summary: "Mentoring: " + f.Mentor.Name + " and " + f.Mentee.Name,
		Description: f.Scheme.Title + "\n\n" + page, Location: mt.PlaceOrURL, URL: page,
		Start: mt.StartsAt, End: mt.EndsAt(), Status: ical.StatusConfirmed, DTStamp: now,
	}
	if mt.Mode == ModeOnline {
		ev.Location = "Online"
		ev.Description += "\n\nJoin: " + mt.PlaceOrURL
	}
	return ev
}

// MeetingFactsFor loads a meeting of a pair u is a side of, with what its
// calendar entry needs.
func MeetingFactsFor(ctx context.Context, st *store.Store, u User, meetingID int64) (MeetingFacts, error) {
	if _, _, err := meetingFor(st.Read(ctx), u, meetingID); err != nil {
		return MeetingFacts{}, err
	}
	return MeetingFactsByID(ctx, st, meetingID)
}
