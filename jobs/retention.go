package jobs

import (
	"context"
	"fmt"

	"rounds/models"
)

// JobRetention applies the retention policy once a day.
const JobRetention = "retention"

// Retention clears the contents of e-mails older than
// ROUNDS_RETENTION_MAIL_DAYS (the row stays: kind, recipient, status, day)
// and deletes records of failed sign-in and check-in attempts older than
// ROUNDS_RETENTION_ATTEMPTS_DAYS, and members' export files 24 hours after
// their link was sent. It is idempotent: a second run, here or
// on another instance, finds nothing left to clear.
func (r *Runner) Retention(ctx context.Context) error {
	res, err := models.ApplyRetention(ctx, r.db, r.RetentionPolicy(), r.clk.Now())
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	if res.MailsCleared+res.AttemptsDeleted+res.ExportsDeleted > 0 {
		r.log.Info("retention", "mails_cleared", res.MailsCleared, "attempts_deleted", res.AttemptsDeleted, "exports_deleted", res.ExportsDeleted)
	}
	// Erasures: accounts whose erasure's day has come, and former students
	// graduated ROUNDS_RETENTION_GRADUATES_YEARS ago (models.CarryOutErasures).
	erased, err := models.CarryOutErasures(ctx, r.db, r.RetentionPolicy().GraduatesYears, r.clk.Now())
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	if erased.Asked+erased.Graduates > 0 {
		r.log.Info("retention", "accounts_erased", erased.Asked, "graduates_erased", erased.Graduates)
	}
	return nil
}

// RetentionPolicy is the policy configured for this runner.
func (r *Runner) RetentionPolicy() models.Retention {
	return models.Retention{MailDays: r.cfg.RetentionMailDays, AttemptsDays: r.cfg.RetentionAttemptsDays,
		GraduatesYears: r.cfg.RetentionGraduatesYears}.WithDefaults()
}
