package jobs

import (
	"context"
	"fmt"

	"rounds/models"
)

// JobPlanMentoring is the mentoring job's name in logs and job_locks.
const JobPlanMentoring = "plan_mentoring"

// PlanMentoring does the mentoring work due at the runner's clock: schemes
// start and end on their dates, agreed meetings are reminded of, pairs that
// have not met are nudged (and the scheme's leads told after longer), and
// questionnaires are sent at the end and chased once (see
// models.PlanMentoring). Every e-mail has a unique key, so runs on several
// instances, or after a restart, queue each once.
func (r *Runner) PlanMentoring(ctx context.Context) error {
	rules := models.MentoringRules{
		MeetingReminderBefore: r.cfg.SessionReminderBefore,
		Location:              r.cfg.Location,
	}
	p, err := models.PlanMentoring(ctx, r.db, rules, r.clk.Now())
	if p.Total() > 0 {
		r.log.Info("mentoring planned", "schemes_started", p.Started, "schemes_closed", p.Closed,
			"meeting_reminders", p.MeetingReminders, "nudges", p.Nudges, "leads_alerts", p.LeadsAlerts,
			"questionnaire_requests", p.QuestionnaireRequests, "questionnaire_reminders", p.QuestionnaireReminders)
	}
	if err != nil {
		return fmt.Errorf("plan mentoring: %w", err)
	}
	return nil
}
