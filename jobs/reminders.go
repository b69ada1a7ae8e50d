package jobs

import (
	"context"
	"fmt"
	"time"

	"rounds/models"
)

// PlanReminders queues the scheduled e-mails that are due at the runner's
// clock — session reminders, feedback requests and reminders, register
// reminders (see models.PlanReminders for the rules). Each e-mail has a
// unique key, so a run that repeats another, on this instance or another,
// queues nothing more; a run after down-time catches up with what is still
// worth sending.
func (r *Runner) PlanReminders(ctx context.Context) error {
	rules := models.ReminderRules{
		SessionReminderBefore: r.cfg.SessionReminderBefore,
		FeedbackReminderAfter: r.cfg.FeedbackReminderAfter,
	}
	p, err := models.PlanReminders(ctx, r.db, rules, r.clk.Now())
	if p.Total() > 0 {
		r.log.Info("reminders planned", "session_reminders", p.SessionReminders, "feedback_requests", p.FeedbackRequests,
			"feedback_reminders", p.FeedbackReminders, "register_reminders", p.RegisterReminders)
	}
	if err != nil {
		return fmt.Errorf("plan reminders: %w", err)
	}
	return nil
}

// RefreshFigures works out again the dashboard figures of the sessions
// that changed and have ended (see models.RefreshFigures).
func (r *Runner) RefreshFigures(ctx context.Context) error {
	loc := r.cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	n, err := models.RefreshFigures(ctx, r.db, r.clk.Now(), loc)
	if n > 0 {
		r.log.Debug("figures refreshed", "sessions", n)
	}
	if err != nil {
		return fmt.Errorf("refresh figures: %w", err)
	}
	return nil
}
