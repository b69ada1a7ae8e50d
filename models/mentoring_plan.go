package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// The scheduled work of mentoring: schemes start and end on their dates;
// agreed meetings are reminded of; pairs that have not met are nudged, and
// after longer the scheme's leads told; questionnaires are sent at the end
// and chased once. Each e-mail has a unique key, so a run that repeats
// another — after a restart, or on another instance — queues nothing twice.

// Defaults of the mentoring timings.
const (
	// DefaultQuestionnaireReminderAfter is how long after a
	// questionnaire_request a questionnaire_reminder goes to a member who
	// has not answered.
	DefaultQuestionnaireReminderAfter = 7 * 24 * time.Hour
	// QuestionnaireLookback is how long after its request a questionnaire
	// is still chased.
	QuestionnaireLookback = 60 * 24 * time.Hour
)

// MentoringRules are the society's timings of mentoring e-mails. Zero
// values take the defaults.
type MentoringRules struct {
	MeetingReminderBefore      time.Duration
	QuestionnaireReminderAfter time.Duration
	Location                   *time.Location
}

func (r MentoringRules) withDefaults() MentoringRules {
	if r.MeetingReminderBefore <= 0 {
		r.MeetingReminderBefore = DefaultSessionReminderBefore
	}
	if r.QuestionnaireReminderAfter <= 0 {
		r.QuestionnaireReminderAfter = DefaultQuestionnaireReminderAfter
	}
	if r.Location == nil {
		r.Location = time.UTC
	}
	return r
}

// PlannedMentoring counts what one run did.
type PlannedMentoring struct {
	Started, Closed        int
	MeetingReminders       int
	Nudges, LeadsAlerts    int
	QuestionnaireRequests  int
	QuestionnaireReminders int
}

// Total is the number of changes and e-mails.
func (p PlannedMentoring) Total() int {
	return p.Started + p.Closed + p.MeetingReminders + p.Nudges + p.LeadsAlerts + p.QuestionnaireRequests + p.QuestionnaireReminders
}

// PlanMentoring does the mentoring work due at now; each part runs even if
// another fails.
func PlanMentoring(ctx context.Context, st *store.Store, rules MentoringRules, now time.Time) (PlannedMentoring, error) {
	rules = rules.withDefaults()
	var p PlannedMentoring
	var errs []error
	var err error
	if p.Started, p.Closed, err = advanceSchemes(ctx, st, rules.Location, now); err != nil {
		errs = append(errs, err)
	}
	if p.QuestionnaireRequests, err = PlanAfterQuestionnaires(ctx, st, rules.Location, now); err != nil {
		errs = append(errs, err)
	}
	if p.MeetingReminders, err = PlanMeetingReminders(ctx, st, rules.MeetingReminderBefore, now); err != nil {
		errs = append(errs, err)
	}
	if p.Nudges, p.LeadsAlerts, err = PlanNudges(ctx, st, rules.Location, now); err != nil {
		errs = append(errs, err)
	}
	if p.QuestionnaireReminders, err = PlanQuestionnaireReminders(ctx, st, rules.QuestionnaireReminderAfter, now); err != nil {
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

// advanceSchemes moves matched schemes whose first day has come to
// running, and ends the schemes whose last day is over: their pairs end.
func advanceSchemes(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) (started, closed int, err error) {
	var schemes []Scheme
	if err := st.Read(ctx).Where("status IN ?", []SchemeStatus{SchemeMatched, SchemeRunning}).Order("id").Find(&schemes).Error; err != nil {
		return 0, 0, fmt.Errorf("advance schemes: %w", err)
	}
	at := now.UTC()
	for _, s := range schemes {
		switch {
		case !now.Before(s.EndsAt(loc)):
			err = st.Write(ctx, func(tx *gorm.DB) error {
				res := tx.Model(&Scheme{}).Where("id = ? AND status IN ?", s.ID, []SchemeStatus{SchemeMatched, SchemeRunning}).
					Updates(map[string]any{"status": SchemeClosed, "updated_at": at})
				if res.Error != nil || res.RowsAffected == 0 {
					return res.Error
				}
				closed++
				if err := tx.Model(&Pair{}).Where("scheme_id = ? AND status = ?", s.ID, PairActive).
					Updates(map[string]any{"status": PairEnded, "ended_at": at}).Error; err != nil {
					return err
				}
				// Proposals never introduced go with the scheme.
				return tx.Where("scheme_id = ? AND status = ?", s.ID, PairProposed).Delete(&Pair{}).Error
			})
		case s.Status == SchemeMatched && !now.Before(s.StartsAt(loc)):
			err = st.Write(ctx, func(tx *gorm.DB) error {
				res := tx.Model(&Scheme{}).Where("id = ? AND status = ?", s.ID, SchemeMatched).Updates(map[string]any{"status": SchemeRunning, "updated_at": at})
				started += int(res.RowsAffected)
				return res.Error
			})
		}
		if err != nil {
			return started, closed, fmt.Errorf("advance scheme %d: %w", s.ID, err)
		}
	}
	return started, closed, nil
}

// PlanAfterQuestionnaires sends the after questionnaire to every member of
// an introduced pair of a scheme that has closed, within
// QuestionnaireLookback of its end, who has not answered it.
func PlanAfterQuestionnaires(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) (int, error) {
	db := st.Read(ctx)
	var schemes []Scheme
	if err := db.Where("status = ?", SchemeClosed).Order("id").Find(&schemes).Error; err != nil {
		return 0, fmt.Errorf("plan after questionnaires: %w", err)
	}
	var due []Email
	for _, s := range schemes {
		if now.After(s.EndsAt(loc).Add(QuestionnaireLookback)) || len(s.AfterItems.V) == 0 {
			continue
		}
		var rows []reminderRecipient
		err := db.Table("users").Select("users.id AS user_id, users.email, users.name").
			Where("users.id IN (SELECT mentor_id FROM mentoring_pairs WHERE scheme_id = ? AND status IN ? UNION SELECT mentee_id FROM mentoring_pairs WHERE scheme_id = ? AND status IN ?)",
				s.ID, []PairStatus{PairActive, PairEnded}, s.ID, []PairStatus{PairActive, PairEnded}).
			Where("NOT EXISTS (SELECT 1 FROM questionnaire_responses q WHERE q.scheme_id = ? AND q.phase = ? AND q.user_id = users.id)", s.ID, PhaseAfter).
			Where("NOT EXISTS (SELECT 1 FROM outbox o WHERE o.dedupe_key = CAST(? AS TEXT) || CAST(users.id AS TEXT))",
				fmt.Sprintf("%s:%d:%s:", MailQuestionnaireRequest, s.ID, PhaseAfter)).
			Order("users.id").Scan(&rows).Error
		if err != nil {
			return 0, fmt.Errorf("plan after questionnaires: %w", err)
		}
		for _, r := range rows {
			due = append(due, questionnaireEmail(MailQuestionnaireRequest, s, PhaseAfter, r.UserID, r.Email, r.Name))
		}
	}
	n, err := enqueueBatches(ctx, st, due, now)
	if err != nil {
		return n, fmt.Errorf("plan after questionnaires: %w", err)
	}
	return n, nil
}

// MeetingReminderKey is the dedupe key of a meeting_reminder; it holds the
// start, as a session reminder's does.
func MeetingReminderKey(meetingID, userID int64, startsAt time.Time) string {
	return fmt.Sprintf("%s:%d:%d:%d", MailMeetingReminder, meetingID, userID, startsAt.Unix())
}

// PlanMeetingReminders queues a meeting_reminder, before ahead of the
// start, to both sides of each agreed meeting of an active pair. A meeting
// agreed within that time gets none: its confirmation has just gone.
func PlanMeetingReminders(ctx context.Context, st *store.Store, before time.Duration, now time.Time) (int, error) {
	db := st.Read(ctx)
	now = now.UTC()
	var rows []struct {
		ID         int64
		StartsAt   time.Time
		AcceptedAt time.Time
		MentorID   int64
		MenteeID   int64
	}
	err := db.Table("mentoring_meetings m").Select("m.id, m.starts_at, m.accepted_at, p.mentor_id, p.mentee_id").
		Joins("JOIN mentoring_pairs p ON p.id = m.pair_id").
		Where("m.status = ? AND p.status = ? AND m.starts_at > ? AND m.starts_at <= ?", MeetingAccepted, PairActive, now, now.Add(before)).
		Order("m.id").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("plan meeting reminders: %w", err)
	}
	var due []Email
	var people []int64
	for _, r := range rows {
		people = append(people, r.MentorID, r.MenteeID)
	}
	users, err := usersByID(db, people)
	if err != nil {
		return 0, fmt.Errorf("plan meeting reminders: %w", err)
	}
	for _, r := range rows {
		start := r.StartsAt.UTC()
		if r.AcceptedAt.UTC().After(start.Add(-before)) {
			continue
		}
		for _, side := range []int64{r.MentorID, r.MenteeID} {
			u := users[side]
			due = append(due, Email{Kind: MailMeetingReminder, Key: MeetingReminderKey(r.ID, side, start), UserID: side, To: u.Email, ToName: u.Name,
				Data: map[string]string{"meeting_id": strconv.FormatInt(r.ID, 10), "starts_at": start.Format(time.RFC3339)}})
		}
	}
	due, err = notQueuedYet(db, due)
	if err != nil {
		return 0, fmt.Errorf("plan meeting reminders: %w", err)
	}
	n, err := enqueueBatches(ctx, st, due, now)
	if err != nil {
		return n, fmt.Errorf("plan meeting reminders: %w", err)
	}
	return n, nil
}

// notQueuedYet leaves out the e-mails whose keys are in the outbox, so
// that a planner does not open a transaction for nothing on every run.
func notQueuedYet(db *gorm.DB, es []Email) ([]Email, error) {
	var out []Email
	for len(es) > 0 {
		chunk := es[:min(len(es), 500)]
		es = es[len(chunk):]
		keys := make([]string, len(chunk))
		for i, e := range chunk {
			keys[i] = e.Key
		}
		var queued []string
		if err := db.Model(&OutboxMessage{}).Where("dedupe_key IN ?", keys).Pluck("dedupe_key", &queued).Error; err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, k := range queued {
			seen[k] = true
		}
		for _, e := range chunk {
			if !seen[e.Key] {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// NudgeAnchor is when a pair's rhythm started counting: the start of its
// last meeting marked held, else when it was introduced, or the scheme's
// first day if that is later.
func nudgeAnchor(published, schemeStart, lastHeld time.Time) time.Time {
	a := published
	if schemeStart.After(a) {
		a = schemeStart
	}
	if lastHeld.After(a) {
		a = lastHeld
	}
	return a
}

// PlanNudges finds the active pairs of running schemes that have not met
// within the scheme's rhythm and a grace week (see nudgeStage) and have no
// agreed meeting to come: both sides get one friendly mentoring_nudge;
// after two rhythms and the grace week, each of the scheme's leads gets a
// mentoring_leads_alert, which says that the pair has not met and nothing
// else. Each once for each time the pair stops meeting: the keys hold the
// anchor.
func PlanNudges(ctx context.Context, st *store.Store, loc *time.Location, now time.Time) (nudges, alerts int, err error) {
	db := st.Read(ctx)
	var schemes []Scheme
	if err := db.Where("status IN ?", []SchemeStatus{SchemeMatched, SchemeRunning}).Order("id").Find(&schemes).Error; err != nil {
		return 0, 0, fmt.Errorf("plan nudges: %w", err)
	}
	var due []Email
	for _, s := range schemes {
		var pairs []Pair
		if err := db.Where("scheme_id = ? AND status = ?", s.ID, PairActive).Order("id").Find(&pairs).Error; err != nil {
			return 0, 0, fmt.Errorf("plan nudges: %w", err)
		}
		if len(pairs) == 0 {
			continue
		}
		var meetings []Meeting
		if err := db.Select("id, pair_id, starts_at, status, held").
			Where("pair_id IN (SELECT id FROM mentoring_pairs WHERE scheme_id = ? AND status = ?)", s.ID, PairActive).
			Find(&meetings).Error; err != nil {
			return 0, 0, fmt.Errorf("plan nudges: %w", err)
		}
		lastHeld := map[int64]time.Time{}
		coming := map[int64]bool{}
		for _, m := range meetings {
			if m.Held != nil && *m.Held && m.StartsAt.After(lastHeld[m.PairID]) {
				lastHeld[m.PairID] = m.StartsAt
			}
			if m.Status == MeetingAccepted && m.StartsAt.After(now) {
				coming[m.PairID] = true
			}
		}
		var people []int64
		for _, p := range pairs {
			people = append(people, p.MentorID, p.MenteeID)
		}
		people = append(people, s.Leads()...)
		users, err := usersByID(db, people)
		if err != nil {
			return 0, 0, fmt.Errorf("plan nudges: %w", err)
		}
		for _, p := range pairs {
			if p.PublishedAt == nil || coming[p.ID] {
				continue
			}
			anchor := nudgeAnchor(*p.PublishedAt, s.StartsAt(loc), lastHeld[p.ID])
			stage := nudgeStage(anchor, s.Every(), now)
			if stage == 0 {
				continue
			}
			data := map[string]string{"pair_id": strconv.FormatInt(p.ID, 10), "anchor": anchor.UTC().Format(time.RFC3339)}
			for _, side := range []int64{p.MentorID, p.MenteeID} {
				u := users[side]
				due = append(due, Email{Kind: MailMentoringNudge, Key: fmt.Sprintf("%s:%d:%d:%d", MailMentoringNudge, p.ID, anchor.Unix(), side),
					UserID: side, To: u.Email, ToName: u.Name, Data: data})
			}
			if stage < 2 {
				continue
			}
			for _, lead := range s.Leads() {
				u, ok := users[lead]
				if !ok {
					continue
				}
				due = append(due, Email{Kind: MailMentoringLeadsAlert, Key: fmt.Sprintf("%s:%d:%d:%d", MailMentoringLeadsAlert, p.ID, anchor.Unix(), lead),
					UserID: lead, To: u.Email, ToName: u.Name, Data: data})
			}
		}
	}
	if due, err = notQueuedYet(db, due); err != nil {
		return 0, 0, fmt.Errorf("plan nudges: %w", err)
	}
	var nudgeList, alertList []Email
	for _, e := range due {
		if e.Kind == MailMentoringNudge {
			nudgeList = append(nudgeList, e)
		} else {
			alertList = append(alertList, e)
		}
	}
	if nudges, err = enqueueBatches(ctx, st, nudgeList, now); err != nil {
		return nudges, 0, fmt.Errorf("plan nudges: %w", err)
	}
	if alerts, err = enqueueBatches(ctx, st, alertList, now); err != nil {
		return nudges, alerts, fmt.Errorf("plan nudges: %w", err)
	}
	return nudges, alerts, nil
}

// PlanQuestionnaireReminders queues one questionnaire_reminder, after
// the questionnaire_request was queued, to each member who has still not
// answered. A request that was skipped or could not be delivered is not
// followed up.
func PlanQuestionnaireReminders(ctx context.Context, st *store.Store, after time.Duration, now time.Time) (int, error) {
	db := st.Read(ctx)
	now = now.UTC()
	var requests []OutboxMessage
	err := db.Select("id, dedupe_key, user_id, to_addr, to_name, data, created_at").
		Where("kind = ? AND status IN ? AND created_at <= ? AND created_at > ?", MailQuestionnaireRequest,
			[]OutboxStatus{OutboxPending, OutboxSent}, now.Add(-after), now.Add(-after-QuestionnaireLookback)).
		Order("id").Find(&requests).Error
	if err != nil {
		return 0, fmt.Errorf("plan questionnaire reminders: %w", err)
	}
	var due []Email
	for _, r := range requests {
		if r.UserID == nil {
			continue
		}
		data := r.DataMap()
		key := strings.Replace(r.DedupeKey, string(MailQuestionnaireRequest), string(MailQuestionnaireReminder), 1)
		due = append(due, Email{Kind: MailQuestionnaireReminder, Key: key, UserID: *r.UserID, To: r.ToAddr, ToName: r.ToName,
			Data: map[string]string{"scheme_id": data["scheme_id"], "scheme": data["scheme"], "phase": data["phase"],
				"requested_at": r.CreatedAt.UTC().Format(time.RFC3339)}})
	}
	if due, err = notQueuedYet(db, due); err != nil {
		return 0, fmt.Errorf("plan questionnaire reminders: %w", err)
	}
	var unanswered []Email
	for _, e := range due {
		schemeID, _ := strconv.ParseInt(e.Data["scheme_id"], 10, 64)
		var n int64
		if err := db.Model(&questionnaireResponse{}).Where("scheme_id = ? AND phase = ? AND user_id = ?", schemeID, e.Data["phase"], e.UserID).Count(&n).Error; err != nil {
			return 0, fmt.Errorf("plan questionnaire reminders: %w", err)
		}
		if n == 0 {
			unanswered = append(unanswered, e)
		}
	}
	n, err := enqueueBatches(ctx, st, unanswered, now)
	if err != nil {
		return n, fmt.Errorf("plan questionnaire reminders: %w", err)
	}
	return n, nil
}
