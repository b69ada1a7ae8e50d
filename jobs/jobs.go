// Package jobs runs Rounds' scheduled work: planning reminders into the
// outbox, delivering the outbox over SMTP with retries, refreshing the
// dashboard figures, and housekeeping. One gocron scheduler runs named jobs
// in the society's time zone, each in singleton mode and behind a lock in
// the database, so that with several instances sharing a database each tick
// runs on one of them.
//
// Every job body is an exported method of Runner that takes a context and
// returns an error (PlanReminders, DeliverOutbox, RefreshFigures,
// Housekeeping), so a test can call it directly with a fake clock. To add a
// job, write such a method in a file of its own and register it in New
// beside the others:
//
//	{Name: JobPlanReminders, Every: interval, Run: r.PlanReminders},
//
// Jobs must be idempotent: a lock lapses if its holder dies, and an
// instance whose clock is far off may run a tick twice.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/internal/mail"
	"rounds/jobs/letters"
	"rounds/models/store"
)

// Names of the jobs, as they appear in logs and in the job_locks table.
const (
	JobPlanReminders  = "plan_reminders"
	JobDeliverOutbox  = "deliver_outbox"
	JobRefreshFigures = "refresh_figures"
	JobHousekeeping   = "housekeeping"
)

// Defaults for delivery.
const (
	// DefaultBatchSize is how many messages one claim takes.
	DefaultBatchSize = 20
	// DefaultLease is how long claimed messages stay with their runner
	// before another may take them.
	DefaultLease = 5 * time.Minute
	// DefaultLockTTL is how long a job lock lasts if its holder dies.
	DefaultLockTTL = 5 * time.Minute
	// stopTimeout is how long Shutdown waits for a running job: about one
	// SMTP conversation.
	stopTimeout = 35 * time.Second
)

// Runner owns the scheduler and its jobs.
type Runner struct {
	db      *store.Store
	cfg     config.Config
	clk     clock.Clock
	log     *slog.Logger
	owner   string
	sender  mail.Sender // nil: no SMTP server, e-mail is kept and logged
	letters *letters.Renderer
	batch   int
	lease   time.Duration
	sched   gocron.Scheduler

	mu       sync.Mutex
	started  bool
	stopped  bool
	jobNames map[string]bool
}

// Option adjusts a Runner.
type Option func(*Runner)

// WithSender delivers e-mail through s instead of the SMTP server of
// ROUNDS_SMTP_URL, even when none is configured (for tests).
func WithSender(s mail.Sender) Option { return func(r *Runner) { r.sender = s } }

// WithOwner names the runner in claims and locks (a unique name per process
// otherwise). Two runners must never share a name.
func WithOwner(owner string) Option { return func(r *Runner) { r.owner = owner } }

// WithBatchSize sets how many messages one claim takes (DefaultBatchSize
// otherwise).
func WithBatchSize(n int) Option {
	return func(r *Runner) {
		if n > 0 {
			r.batch = n
		}
	}
}

// New prepares the scheduler and its jobs; Start runs them. It fails when an
// e-mail template is broken or the SMTP settings are unusable.
func New(db *store.Store, cfg config.Config, clk clock.Clock, log *slog.Logger, opts ...Option) (*Runner, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runner{
		db: db, cfg: cfg, clk: clk, log: log.With("component", "jobs"),
		batch: DefaultBatchSize, lease: DefaultLease, jobNames: map[string]bool{},
	}
	if cfg.OutboxLease > 0 {
		// A claim must outlast a few SMTP conversations (see DeliverOutbox).
		r.lease = max(cfg.OutboxLease, 2*sendTimeout+time.Minute)
	}
	for _, o := range opts {
		o(r)
	}
	if r.owner == "" {
		r.owner = newOwner()
	}
	var err error
	if r.letters, err = letters.New(db, cfg); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if r.sender == nil && cfg.SMTPURL != "" {
		if r.sender, err = mail.NewSMTPFromURL(cfg.SMTPURL); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
	}
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	r.sched, err = gocron.NewScheduler(
		gocron.WithLocation(loc),
		gocron.WithLogger(log.With("component", "scheduler")),
		gocron.WithStopTimeout(stopTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("jobs: scheduler: %w", err)
	}
	interval := cfg.JobInterval
	if interval <= 0 {
		interval = time.Minute
	}
	for _, j := range []Job{
		{Name: JobPlanReminders, Every: interval, Run: r.PlanReminders},
		{Name: JobDeliverOutbox, Every: interval, Run: r.DeliverOutbox},
		{Name: JobRefreshFigures, Every: interval, Run: r.RefreshFigures},
		{Name: JobHousekeeping, Cron: "7 * * * *", Run: r.Housekeeping},
		{Name: JobPlanMentoring, Every: interval, Run: r.PlanMentoring},
		{Name: JobRetention, Cron: "17 3 * * *", Run: r.Retention},
		{Name: JobPrepareExports, Every: interval, Run: r.PrepareExports},
	} {
		if err := r.AddJob(j); err != nil {
			_ = r.sched.Shutdown()
			return nil, err
		}
	}
	return r, nil
}

// Job is one named piece of scheduled work.
type Job struct {
	// Name identifies the job in logs and in its lock; it must be unique.
	Name string
	// Every runs the job at this interval, on multiples of it since the
	// zero time, so that every instance ticks at the same moments. Set
	// either Every or Cron.
	Every time.Duration
	// Cron is a five-field crontab line ("7 * * * *") in the society's
	// time zone.
	Cron string
	// Run is the job's body. Its context ends when the runner stops.
	Run func(ctx context.Context) error
	// Hold is how long the lock stays taken after a run starts, even if
	// the run ends sooner, so that an instance ticking a moment later skips
	// the tick. Zero means half of Every, or 30 seconds for a Cron job.
	Hold time.Duration
	// LockTTL is how long the lock lasts if its holder dies mid-run. Zero
	// means two intervals for an Every job, DefaultLockTTL for a Cron job
	// (or Hold, if longer). Every job of Rounds is safe to run twice at
	// once — the lock only saves doubled work — so after a crash it should
	// lapse soon rather than hold the work back.
	LockTTL time.Duration
}

// AddJob schedules j: singleton mode (a run still going makes the next tick
// skip), behind a lock in the database shared by every instance. Jobs may
// be added before or after Start.
func (r *Runner) AddJob(j Job) error {
	if j.Name == "" || j.Run == nil || (j.Every <= 0) == (j.Cron == "") {
		return fmt.Errorf("jobs: job %q needs a name, a body, and either Every or Cron", j.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.jobNames[j.Name] {
		return fmt.Errorf("jobs: a job named %q exists", j.Name)
	}
	if j.Hold <= 0 {
		j.Hold = 30 * time.Second
		if j.Every > 0 {
			j.Hold = j.Every / 2
		}
	}
	if j.LockTTL <= 0 {
		j.LockTTL = max(DefaultLockTTL, j.Hold)
		if j.Every > 0 {
			j.LockTTL = max(2*j.Every, j.Hold)
		}
	}
	var def gocron.JobDefinition
	opts := []gocron.JobOption{
		gocron.WithName(j.Name),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithDistributedJobLocker(NewLocker(r.db, r.clk, r.owner, j.LockTTL, j.Hold)),
	}
	if j.Every > 0 {
		def = gocron.DurationJob(j.Every)
		// Start from the last multiple of Every: the scheduler steps
		// forward from there, so all instances tick together.
		opts = append(opts, gocron.WithStartAt(gocron.WithStartDateTimePast(time.Now().Truncate(j.Every))))
	} else {
		def = gocron.CronJob(j.Cron, false)
	}
	task := gocron.NewTask(func(ctx context.Context) { r.run(ctx, j) })
	if _, err := r.sched.NewJob(def, task, opts...); err != nil {
		return fmt.Errorf("jobs: %s: %w", j.Name, err)
	}
	r.jobNames[j.Name] = true
	return nil
}

// run calls a job's body and logs how it went.
func (r *Runner) run(ctx context.Context, j Job) {
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("job panicked", "job", j.Name, "panic", p)
		}
	}()
	if err := j.Run(ctx); err != nil {
		r.log.Error("job failed", "job", j.Name, slog.Any("error", err), "took", time.Since(start))
		return
	}
	r.log.Debug("job ran", "job", j.Name, "took", time.Since(start))
}

// SMTP tells whether e-mail is sent (true) or only kept and logged.
func (r *Runner) SMTP() bool { return r.sender != nil }

// Start starts the scheduler.
func (r *Runner) Start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	r.sched.Start()
	if r.sender == nil {
		r.log.Info("no SMTP server configured: e-mail is kept in the outbox and logged")
	}
}

// Shutdown stops the scheduler, letting a running job finish. Calling it
// again does nothing.
func (r *Runner) Shutdown() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return nil
	}
	r.stopped = true
	if err := r.sched.Shutdown(); err != nil {
		return fmt.Errorf("jobs: shutdown: %w", err)
	}
	return nil
}

// newOwner names this process uniquely: host, process id and a random part
// (two runners in one process, or a reused pid, differ).
func newOwner() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "rounds"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
