package jobs

import (
	"context"
	"errors"
	"fmt"

	"rounds/models"
)

// Housekeeping deletes what has served its purpose — expired tokens and
// used reset links, old failed-login windows — and lets SQLite refresh its
// query statistics. Each step runs even if another fails. E-mails are kept,
// their contents cleared by Retention: a row's dedupe key is what stops an
// e-mail being sent twice.
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
	if err := db.Optimize(ctx); err != nil {
		errs = append(errs, fmt.Errorf("optimize: %w", err))
	}
	if tokens+failures > 0 {
		r.log.Info("housekeeping", "tokens_deleted", tokens, "login_failures_deleted", failures)
	}
	if len(errs) > 0 {
		return fmt.Errorf("housekeeping: %w", errors.Join(errs...))
	}
	return nil
}
