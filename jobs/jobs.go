// Package jobs runs Rounds' scheduled work with gocron: planning reminders
// into the outbox, delivering the outbox over SMTP, housekeeping.
package jobs

import (
	"log/slog"

	"gorm.io/gorm"

	"rounds/internal/clock"
	"rounds/internal/config"
)

// Runner owns the scheduler and its jobs.
type Runner struct {
	db  *gorm.DB
	cfg config.Config
	clk clock.Clock
	log *slog.Logger
}

// New prepares the jobs; Start runs them.
func New(db *gorm.DB, cfg config.Config, clk clock.Clock, log *slog.Logger) (*Runner, error) {
	return &Runner{db: db, cfg: cfg, clk: clk, log: log}, nil
}

// Start starts the scheduler.
func (r *Runner) Start() {}

// Shutdown stops the scheduler, letting a running job finish.
func (r *Runner) Shutdown() error { return nil }
