package models

import (
	"context"
	"errors"
	"fmt"
	"rounds/models/store"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Defaults and windows of the scheduled e-mails.
const (
	// DefaultSessionReminderBefore is how long before the start a
	// session_reminder goes, unless configured otherwise.
	DefaultSessionReminderBefore = 24 * time.Hour
	// DefaultFeedbackReminderAfter is how long after the feedback_request a
	// feedback_reminder goes, unless configured otherwise.
	DefaultFeedbackReminderAfter = 48 * time.Hour
	// ReminderLookback is how long after a session ends its feedback
	// requests and register reminders are still planned. It keeps a newly
	// started scheduler (or one turned on for the first time) from mailing
	// about the whole history.
	ReminderLookback = 7 * 24 * time.Hour
	// RegisterReminderAfter is how long after the end a teacher who has
	// recorded no attendance is reminded to take the register.
	RegisterReminderAfter = 30 * time.Minute
	// reminderBatch is how many e-mails one transaction queues.
	reminderBatch = 100
)

// ReminderRules are the society's timings of scheduled e-mails. Zero
// durations take the defaults.
type ReminderRules struct {
	SessionReminderBefore time.Duration
	FeedbackReminderAfter time.Duration
}

func (r ReminderRules) withDefaults() ReminderRules {
	if r.SessionReminderBefore <= 0 {
		r.SessionReminderBefore = DefaultSessionReminderBefore
	}
	if r.FeedbackReminderAfter <= 0 {
		r.FeedbackReminderAfter = DefaultFeedbackReminderAfter
	}
	return r
}

// PlannedReminders counts the e-mails one planning run queued, by kind.
type PlannedReminders struct {
	SessionReminders  int
	FeedbackRequests  int
	FeedbackReminders int
	RegisterReminders int
}

// Total is the number of e-mails queued.
func (p PlannedReminders) Total() int {
	return p.SessionReminders + p.FeedbackRequests + p.FeedbackReminders + p.RegisterReminders
}

// PlanReminders queues every scheduled e-mail that is due at now: session
// reminders, feedback requests and reminders, and register reminders. It is
// idempotent — each e-mail has a unique key, so running it again, after a
// restart, or on several instances at once queues nothing twice — and each
// planner runs even if another fails.
func PlanReminders(ctx context.Context, st *store.Store, rules ReminderRules, now time.Time) (PlannedReminders, error) {
	rules = rules.withDefaults()
	var p PlannedReminders
	var errs []error
	var err error
	if p.SessionReminders, err = PlanSessionReminders(ctx, st, rules.SessionReminderBefore, now); err != nil {
		errs = append(errs, err)
	}
	if p.FeedbackRequests, err = PlanFeedbackRequests(ctx, st, now); err != nil {
		errs = append(errs, err)
	}
	if p.FeedbackReminders, err = PlanFeedbackReminders(ctx, st, rules.FeedbackReminderAfter, now); err != nil {
		errs = append(errs, err)
	}
	if p.RegisterReminders, err = PlanRegisterReminders(ctx, st, now); err != nil {
		errs = append(errs, err)
	}
	return p, errors.Join(errs...)
}

// SessionReminderKey is the dedupe key of a session_reminder. It holds the
// start, so that a session moved after its reminder was queued gets a new
// one for the new time (the old one is skipped when it is delivered).
func SessionReminderKey(userID, sessionID int64, startsAt time.Time) string {
	return MailKey(MailSessionReminder, userID, sessionID) + ":" + strconv.FormatInt(startsAt.Unix(), 10)
}

// PlanSessionReminders queues a session_reminder, before ahead of the start,
// for every confirmed booking of a published session. The reminder is due
// from start − before until the start: a run that comes late (the server was
// down at the moment) still sends it if the session has not started, and
// none is sent once it has. A booking confirmed after start − before gets
// none, as its booking_confirmed (or waitlist_promoted) e-mail has just
// told its holder the same. Data holds the start, so that the letter can
// tell a reminder for an old time.
func PlanSessionReminders(ctx context.Context, st *store.Store, before time.Duration, now time.Time) (int, error) {
	db := st.Read(ctx)
	if before <= 0 {
		before = DefaultSessionReminderBefore
	}
	now = now.UTC()
	var rows []struct {
		UserID      int64
		SessionID   int64
		Mode        string
		ConfirmedAt time.Time
		StartsAt    time.Time
		Email       string
		Name        string
	}
	// A confirmed booking's updated_at is when it was confirmed: at booking,
	// or when it was promoted from the waitlist.
	err := db.Table("bookings").
		Select("bookings.user_id, bookings.session_id, bookings.mode, bookings.updated_at AS confirmed_at, sessions.starts_at, users.email, users.name").
		Joins("JOIN sessions ON sessions.id = bookings.session_id").
		Joins("JOIN users ON users.id = bookings.user_id").
		Where("users.email_confirmed = ?", true). // nothing is e-mailed to an unconfirmed address
		Where("sessions.status = ? AND sessions.starts_at > ? AND sessions.starts_at <= ?", SessionPublished, now, now.Add(before)).
		Where("bookings.status = ?", BookingConfirmed).
		Where(wantsTopic("bookings.user_id"), TopicSessionReminders).
		Order("bookings.session_id, bookings.user_id").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("plan session reminders: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	var sessionIDs []int64
	for _, r := range rows {
		if len(sessionIDs) == 0 || sessionIDs[len(sessionIDs)-1] != r.SessionID {
			sessionIDs = append(sessionIDs, r.SessionID)
		}
	}
	queued, err := queuedKeys(db, MailSessionReminder, sessionIDs)
	if err != nil {
		return 0, fmt.Errorf("plan session reminders: %w", err)
	}
	var due []Email
	for _, r := range rows {
		start := r.StartsAt.UTC()
		key := SessionReminderKey(r.UserID, r.SessionID, start)
		if queued[key] || r.ConfirmedAt.UTC().After(start.Add(-before)) {
			continue
		}
		due = append(due, Email{
			Kind: MailSessionReminder, Key: key, UserID: r.UserID, SessionID: r.SessionID, To: r.Email, ToName: r.Name,
			Data: map[string]string{"starts_at": start.Format(time.RFC3339), "mode": r.Mode},
		})
	}
	n, err := enqueueBatches(ctx, st, due, now)
	if err != nil {
		return n, fmt.Errorf("plan session reminders: %w", err)
	}
	return n, nil
}

// PlanFeedbackRequests queues a feedback_request to each attendee (present
// or late) of a published session that has ended, within the last
// ReminderLookback, who has not given feedback. An attendee marked later
// (the register taken the next day) is asked on the next run.
func PlanFeedbackRequests(ctx context.Context, st *store.Store, now time.Time) (int, error) {
	db := st.Read(ctx)
	now = now.UTC()
	var rows []reminderRecipient
	err := db.Table("attendance").
		Select("attendance.user_id, attendance.session_id, users.email, users.name").
		Joins("JOIN sessions ON sessions.id = attendance.session_id").
		Joins("JOIN users ON users.id = attendance.user_id").
		Where("users.email_confirmed = ?", true). // nothing is e-mailed to an unconfirmed address
		Where("sessions.status = ? AND sessions.ends_at <= ? AND sessions.ends_at > ?", SessionPublished, now, now.Add(-ReminderLookback)).
		Where("attendance.status IN ?", []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Where("NOT EXISTS (SELECT 1 FROM feedback f WHERE f.session_id = attendance.session_id AND f.user_id = attendance.user_id)").
		Where(notQueued("attendance.session_id", "attendance.user_id"), MailFeedbackRequest).
		Where(wantsTopic("attendance.user_id"), TopicFeedbackRequests).
		Order("attendance.session_id, attendance.user_id").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("plan feedback requests: %w", err)
	}
	n, err := enqueueBatches(ctx, st, recipientEmails(MailFeedbackRequest, rows, nil), now)
	if err != nil {
		return n, fmt.Errorf("plan feedback requests: %w", err)
	}
	return n, nil
}

// PlanFeedbackReminders queues one feedback_reminder, after the
// feedback_request was queued, to each attendee who has still not given
// feedback. A request that was skipped (no longer worth sending) or could
// not be delivered is not followed up. Data holds when the request was
// queued.
func PlanFeedbackReminders(ctx context.Context, st *store.Store, after time.Duration, now time.Time) (int, error) {
	db := st.Read(ctx)
	if after <= 0 {
		after = DefaultFeedbackReminderAfter
	}
	now = now.UTC()
	var rows []reminderRecipient
	err := db.Table("outbox").
		Select("outbox.user_id, outbox.session_id, outbox.created_at AS requested_at, users.email, users.name").
		Joins("JOIN sessions ON sessions.id = outbox.session_id").
		Joins("JOIN users ON users.id = outbox.user_id").
		Where("users.email_confirmed = ?", true). // nothing is e-mailed to an unconfirmed address
		Joins("JOIN attendance ON attendance.session_id = outbox.session_id AND attendance.user_id = outbox.user_id").
		Where("outbox.kind = ? AND outbox.status IN ? AND outbox.created_at <= ?",
			MailFeedbackRequest, []OutboxStatus{OutboxPending, OutboxSent}, now.Add(-after)).
		Where("sessions.status = ? AND sessions.ends_at <= ? AND sessions.ends_at > ?",
			SessionPublished, now, now.Add(-ReminderLookback-after)).
		Where("attendance.status IN ?", []AttendanceStatus{AttendancePresent, AttendanceLate}).
		Where("NOT EXISTS (SELECT 1 FROM feedback f WHERE f.session_id = outbox.session_id AND f.user_id = outbox.user_id)").
		Where(notQueued("outbox.session_id", "outbox.user_id"), MailFeedbackReminder).
		Where(wantsTopic("outbox.user_id"), TopicFeedbackRequests).
		Order("outbox.session_id, outbox.user_id").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("plan feedback reminders: %w", err)
	}
	emails := recipientEmails(MailFeedbackReminder, rows, func(r reminderRecipient) map[string]string {
		return map[string]string{"requested_at": r.RequestedAt.UTC().Format(time.RFC3339)}
	})
	n, err := enqueueBatches(ctx, st, emails, now)
	if err != nil {
		return n, fmt.Errorf("plan feedback reminders: %w", err)
	}
	return n, nil
}

// PlanRegisterReminders queues a register_reminder to each teacher (still
// with the teacher or committee role) of a published session that ended at
// least RegisterReminderAfter ago, within ReminderLookback, and has no
// attendance recorded (see RegisterTaken).
func PlanRegisterReminders(ctx context.Context, st *store.Store, now time.Time) (int, error) {
	db := st.Read(ctx)
	now = now.UTC()
	var rows []reminderRecipient
	err := db.Table("session_teachers").
		Select("session_teachers.user_id, session_teachers.session_id, users.email, users.name").
		Joins("JOIN sessions ON sessions.id = session_teachers.session_id").
		Joins("JOIN users ON users.id = session_teachers.user_id").
		Where("sessions.status = ? AND sessions.ends_at <= ? AND sessions.ends_at > ?",
			SessionPublished, now.Add(-RegisterReminderAfter), now.Add(-ReminderLookback)).
		Where("users.role IN ?", []Role{RoleTeacher, RoleCommittee}).
		Where("NOT EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = sessions.id AND a.source <> ?)", SourceApology).
		Where(notQueued("session_teachers.session_id", "session_teachers.user_id"), MailRegisterReminder).
		Where(wantsTopic("session_teachers.user_id"), TopicRegisterReminders).
		Order("session_teachers.session_id, session_teachers.user_id").Scan(&rows).Error
	if err != nil {
		return 0, fmt.Errorf("plan register reminders: %w", err)
	}
	n, err := enqueueBatches(ctx, st, recipientEmails(MailRegisterReminder, rows, nil), now)
	if err != nil {
		return n, fmt.Errorf("plan register reminders: %w", err)
	}
	return n, nil
}

// RegisterTaken tells whether any attendance has been recorded for the
// session: a check-in, a join through the link, an import or the register.
// Apologies sent in advance do not count; they are not the register.
func RegisterTaken(ctx context.Context, st *store.Store, sessionID int64) (bool, error) {
	db := st.Read(ctx)
	var n int64
	err := db.Model(&Attendance{}).Where("session_id = ? AND source <> ?", sessionID, SourceApology).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("register taken: %w", err)
	}
	return n > 0, nil
}

// reminderRecipient is one row a planner found.
type reminderRecipient struct {
	UserID      int64
	SessionID   int64
	RequestedAt time.Time
	Email       string
	Name        string
}

func recipientEmails(kind MailKind, rows []reminderRecipient, data func(reminderRecipient) map[string]string) []Email {
	out := make([]Email, 0, len(rows))
	for _, r := range rows {
		e := Email{Kind: kind, Key: MailKey(kind, r.UserID, r.SessionID), UserID: r.UserID, SessionID: r.SessionID, To: r.Email, ToName: r.Name}
		if data != nil {
			e.Data = data(r)
		}
		out = append(out, e)
	}
	return out
}

// notQueued is a condition (with one parameter, the kind) that no e-mail of
// that kind to that member about that session is in the outbox, whatever
// its status. The planners use it so that what was planned once is not
// read again on every run; the unique key is what guarantees it.
func notQueued(sessionCol, userCol string) string {
	return "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.session_id = " + sessionCol + " AND o.kind = ? AND o.user_id = " + userCol + ")"
}

// queuedKeys returns the dedupe keys of the e-mails of kind about the
// sessions that are in the outbox.
func queuedKeys(db *gorm.DB, kind MailKind, sessionIDs []int64) (map[string]bool, error) {
	out := map[string]bool{}
	for len(sessionIDs) > 0 {
		chunk := sessionIDs[:min(len(sessionIDs), 500)]
		sessionIDs = sessionIDs[len(chunk):]
		var keys []string
		if err := db.Model(&OutboxMessage{}).Where("session_id IN ? AND kind = ?", chunk, kind).Pluck("dedupe_key", &keys).Error; err != nil {
			return nil, err
		}
		for _, k := range keys {
			out[k] = true
		}
	}
	return out, nil
}

// enqueueBatches queues the e-mails, reminderBatch to a transaction, in the
// order given (the planners sort by session and member, so that two
// instances planning at once take the same keys in the same order and wait
// for each other rather than deadlock). An e-mail whose key is already
// queued is left out. It returns how many were queued.
func enqueueBatches(ctx context.Context, st *store.Store, emails []Email, now time.Time) (int, error) {
	queued := 0
	for len(emails) > 0 {
		batch := emails[:min(len(emails), reminderBatch)]
		emails = emails[len(batch):]
		n := 0
		err := st.Write(ctx, func(tx *gorm.DB) error {
			n = 0
			for _, e := range batch {
				ok, err := enqueue(tx, e, now)
				if err != nil {
					return err
				}
				if ok {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return queued, err
		}
		queued += n
	}
	return queued, nil
}
