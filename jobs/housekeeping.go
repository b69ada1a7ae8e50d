package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"rounds/models"
)

// OutboxRetention is how long sent and skipped e-mail stays in the outbox.
const OutboxRetention = 90 * 24 * time.Hour

// Housekeeping deletes what has served its purpose — expired tokens and
// used reset links, old failed-login windows, sent and skipped e-mail older
// than OutboxRetention — and lets SQLite refresh its query statistics. Each
// step runs even if another fails.
func (r *Runner) Housekeeping(ctx context.Context) error {
	db := r.db
	now := r.clk.Now()
	var errs []error
	tokens, err := models.DeleteExpiredTokens(ctx, db, now)
	if err != nil {
		errs = append(errs, fmt.Errorf("tokens: %w", err))
	}
	failures, err := models.DeleteOldLoginFailures(ctx, db, now)
	if err != nil {
		errs = append(errs, fmt.Errorf("login failures: %w", err))
	}
	mails, err := models.DeleteOldOutbox(ctx, db, now.Add(-OutboxRetention))
	if err != nil {
		errs = append(errs, fmt.Errorf("outbox: %w", err))
	}
	if err := db.Optimize(ctx); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	if tokens+failures+mails > 0 {
		r.log.Info("housekeeping", "tokens_deleted", tokens, "login_failures_deleted", failures, "outbox_deleted", mails)
	}
	if len(errs) > 0 {
		return fmt.Errorf("housekeeping: %w", errors.Join(errs...))
	}
	return nil
}
