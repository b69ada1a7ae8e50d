package letters

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"rounds/internal/ical"
	"rounds/models"
	"rounds/models/store"
)

// The e-mails of mentoring schemes. Their links go to the mentoring pages:
// a pair's page /mentoring/pairs/{id}, a scheme's /mentoring/schemes/{id},
// its questionnaires /mentoring/schemes/{id}/questionnaire/{before|after},
// and an invitation /mentoring/join?token=….

func init() {
	for kind, k := range map[models.MailKind]Kind{
		models.MailMentorInvitation:      {WithoutAccount: true},
		models.MailMentoringIntroduction: {Prepare: prepareIntroduction},
		models.MailMeetingProposed:       {Prepare: prepareMeeting},
		models.MailMeetingConfirmed:      {Prepare: prepareMeeting},
		models.MailMeetingReminder:       {Prepare: prepareMeeting},
		models.MailMentoringNudge:        {Prepare: prepareNudge},
		models.MailMentoringLeadsAlert:   {Prepare: prepareNudge},
		models.MailQuestionnaireRequest:  {Prepare: prepareQuestionnaire},
		models.MailQuestionnaireReminder: {Prepare: prepareQuestionnaire},
	} {
		kinds[kind] = k
	}
}

// PairPath is the address of a pair's page.
func PairPath(id int64) string { return "/mentoring/pairs/" + strconv.FormatInt(id, 10) }

// QuestionnairePath is the address of a scheme's questionnaire of a phase.
func QuestionnairePath(schemeID int64, phase models.QuestionPhase) string {
	return fmt.Sprintf("/mentoring/schemes/%d/questionnaire/%s", schemeID, phase)
}

func dataID(l *Letter, key string) (int64, error) {
	id, err := strconv.ParseInt(l.Data[key], 10, 64)
	if err != nil || id <= 0 {
		return 0, Skip("the e-mail names no " + strings.TrimSuffix(key, "_id"))
	}
	return id, nil
}

func loadPair(ctx context.Context, db *store.Store, l *Letter) (models.PairFacts, error) {
	id, err := dataID(l, "pair_id")
	if err != nil {
		return models.PairFacts{}, err
	}
	f, err := models.PairFactsByID(ctx, db, id)
	if errors.Is(err, models.ErrNotFound) {
		return f, Skip("the pair no longer exists")
	}
	return f, err
}

// prepareIntroduction is for mentoring_introduction: the other side's name,
// e-mail and interests, and what the mentee hopes for. It skips once the
// pair has ended.
func prepareIntroduction(ctx context.Context, db *store.Store, _ *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	f, err := loadPair(ctx, db, l)
	if err != nil {
		return err
	}
	if f.Pair.Status != models.PairActive {
		return Skip("the pairing is no longer running")
	}
	side := f.Pair.Side(l.User.ID)
	if side == "" {
		return Skip("the recipient is not in the pair")
	}
	partner, interests := f.Mentee, f.MenteeInterests
	if side == models.RoleMentee {
		partner, interests = f.Mentor, f.MentorInterests
	}
	l.Vars["Scheme"] = f.Scheme
	l.Vars["Mentor"] = side == models.RoleMentor
	l.Vars["Partner"] = partner
	l.Vars["Interests"] = strings.Join(interests, ", ")
	l.Vars["Hopes"] = f.Hopes
	l.Vars["Every"] = f.Scheme.MeetEveryDays
	l.Vars["Page"] = l.URL(PairPath(f.Pair.ID))
	return nil
}

// prepareMeeting is for meeting_proposed, meeting_confirmed and
// meeting_reminder: who, when, where, and the pair's page. A confirmation
// carries the meeting as a calendar invitation. It skips when the pair is
// no longer running, a proposal that has been answered, a reminder for a
// meeting that has started or moved, and anything about a meeting past.
func prepareMeeting(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	id, err := dataID(l, "meeting_id")
	if err != nil {
		return err
	}
	f, err := models.MeetingFactsByID(ctx, db, id)
	if errors.Is(err, models.ErrNotFound) {
		return Skip("the meeting no longer exists")
	}
	if err != nil {
		return err
	}
	mt := f.Meeting
	side := f.Pair.Side(l.User.ID)
	switch {
	case side == "":
		return Skip("the recipient is not in the pair")
	case f.Pair.Status != models.PairActive:
		return Skip("the pairing is no longer running")
	case m.Kind == models.MailMeetingProposed && mt.Status != models.MeetingProposed:
		return Skip("the meeting has been agreed already")
	case m.Kind == models.MailMeetingReminder && !l.Now.Before(mt.StartsAt):
		return Skip("the meeting has started")
	}
	if planned, ok := parseTime(l.Data["starts_at"]); ok && !planned.Equal(mt.StartsAt) {
		return Skip("the meeting has moved since the reminder was planned")
	}
	partner := f.Mentee
	if side == models.RoleMentee {
		partner = f.Mentor
	}
	l.Vars["Scheme"] = f.Scheme
	l.Vars["Partner"] = partner
	l.Vars["Meeting"] = mt
	l.Vars[varWhen] = TimeRange(mt.StartsAt, mt.EndsAt(), l.Location)
	l.Vars["Past"] = !l.Now.Before(mt.StartsAt)
	l.Vars["Online"] = mt.Mode == models.ModeOnline
	l.Vars["Page"] = l.URL(PairPath(f.Pair.ID))
	if m.Kind != models.MailMeetingConfirmed || !l.Now.Before(mt.EndsAt()) {
		return nil
	}
	ev := models.MeetingEvent(f, l.BaseURL, l.Now)
	ev.Organizer = ical.Person{Name: l.Society, Email: organizerAddress(l.BaseURL)}
	ev.Attendees = []ical.Person{{Name: l.ToName, Email: l.To}}
	cal := ical.Calendar{Method: ical.MethodRequest, Events: []ical.Event{ev}}
	data, err := cal.Bytes()
	if err != nil {
		return err
	}
	l.Attach("meeting.ics", "text/calendar; method="+ical.MethodRequest+"; charset=utf-8", data)
	return nil
}

// prepareNudge is for mentoring_nudge (to the pair) and
// mentoring_leads_alert (to a lead of the scheme): how long since the pair
// last met. It skips when the pair has met since it was planned, or has
// ended. A leads alert says who the pair is and nothing of what they wrote.
func prepareNudge(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	f, err := loadPair(ctx, db, l)
	if err != nil {
		return err
	}
	if f.Pair.Status != models.PairActive {
		return Skip("the pairing is no longer running")
	}
	anchor, ok := parseTime(l.Data["anchor"])
	if !ok {
		return Skip("the e-mail says not since when")
	}
	pair, err := models.PairOf(ctx, db, f.Mentor, f.Pair.ID)
	if err != nil {
		return err
	}
	met := false
	for _, mt := range pair.Meetings {
		if mt.Held != nil && *mt.Held {
			if mt.StartsAt.After(anchor) {
				return Skip("the pair has met since")
			}
			met = true
		}
	}
	l.Vars["Met"] = met
	l.Vars["Scheme"] = f.Scheme
	l.Vars["Since"] = anchor
	l.Vars["Days"] = int(l.Now.Sub(anchor).Hours() / 24)
	l.Vars["Every"] = f.Scheme.MeetEveryDays
	if m.Kind == models.MailMentoringLeadsAlert {
		if !l.User.IsCommittee() {
			return Skip("the recipient is no longer on the committee")
		}
		l.Vars["Mentor"], l.Vars["Mentee"] = f.Mentor.Name, f.Mentee.Name
		l.Vars["Page"] = l.URL(fmt.Sprintf("/mentoring/schemes/%d", f.Scheme.ID))
		return nil
	}
	side := f.Pair.Side(l.User.ID)
	if side == "" {
		return Skip("the recipient is not in the pair")
	}
	partner := f.Mentee
	if side == models.RoleMentee {
		partner = f.Mentor
	}
	l.Vars["Partner"] = partner
	l.Vars["Page"] = l.URL(PairPath(f.Pair.ID))
	return nil
}

// prepareQuestionnaire is for questionnaire_request and _reminder: the
// link to the questionnaire. It skips once the member has answered it.
func prepareQuestionnaire(ctx context.Context, db *store.Store, _ *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	id, err := dataID(l, "scheme_id")
	if err != nil {
		return err
	}
	phase := models.QuestionPhase(l.Data["phase"])
	if !phase.Valid() {
		return Skip("the e-mail names no questionnaire")
	}
	s, err := models.SchemeByID(ctx, db, id)
	if errors.Is(err, models.ErrNotFound) {
		return Skip("the scheme no longer exists")
	}
	if err != nil {
		return err
	}
	answered, err := models.HasAnswered(ctx, db, l.User.ID, s.ID, phase)
	if err != nil {
		return err
	}
	if answered {
		return Skip("the member has answered")
	}
	l.Vars["Scheme"] = s
	l.Vars["After"] = phase == models.PhaseAfter
	l.Vars["Link"] = l.URL(QuestionnairePath(s.ID, phase))
	requested, _ := parseTime(l.Data["requested_at"])
	l.Vars["RequestedAt"] = requested
	return nil
}
