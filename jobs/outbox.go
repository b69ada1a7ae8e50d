package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"rounds/jobs/letters"
	"rounds/models"
)

// sendTimeout bounds one message's delivery, whatever the Sender.
const sendTimeout = time.Minute

// DeliverOutbox sends the e-mail that is due: it claims a batch at a time
// (so that runners on other instances take other messages), renders each
// message, sends it and records the outcome — sent (with the text that
// went), failed with a back-off (see models.RetryDelay) and the error, or
// skipped when it is no longer worth sending. It goes on until nothing is
// due or the runner stops.
//
// Without an SMTP server it sends nothing: it logs each pending message
// once, keeps its text for the outbox page, and leaves it pending, so that
// it goes out if a server is configured later.
func (r *Runner) DeliverOutbox(ctx context.Context) error {
	if r.sender == nil {
		return r.logOutbox(ctx)
	}
	for ctx.Err() == nil {
		msgs, err := models.ClaimOutbox(ctx, r.db, r.owner, r.clk.Now(), r.lease, r.batch)
		if err != nil {
			return fmt.Errorf("deliver outbox: claim: %w", err)
		}
		claimed := time.Now()
		for i := range msgs {
			// Stop before the lease could run out mid-send, or when asked
			// to; what is left is released for the next run.
			if ctx.Err() != nil || time.Since(claimed) > r.lease-2*sendTimeout {
				return r.release(ctx, msgs[i:])
			}
			if err := r.deliver(ctx, &msgs[i]); err != nil {
				return errors.Join(fmt.Errorf("deliver outbox: %w", err), r.release(ctx, msgs[i+1:]))
			}
		}
		if len(msgs) < r.batch {
			return nil
		}
	}
	return nil
}

// deliver renders, sends and records one claimed message. It returns an
// error only when the outcome could not be recorded.
func (r *Runner) deliver(ctx context.Context, m *models.OutboxMessage) error {
	// A message under way is finished even if the runner is stopping:
	// cutting an SMTP conversation short would count as a failed attempt.
	ctx = context.WithoutCancel(ctx)
	db := r.db
	log := r.log.With("outbox_id", m.ID, "kind", m.Kind, "to", m.ToAddr)
	msg, err := r.letters.Render(ctx, m, r.clk.Now())
	if why, skip := letters.SkipReason(err); skip {
		if err := models.MarkSkipped(ctx, db, m, why); err != nil {
			return fmt.Errorf("mark %d skipped: %w", m.ID, err)
		}
		log.Info("e-mail skipped", "reason", why)
		return nil
	}
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, sendTimeout)
		err = r.sender.Send(sendCtx, msg)
		cancel()
	}
	if err != nil {
		return r.failed(ctx, m, log, err)
	}
	m.Subject, m.BodyText = msg.Subject, msg.Text
	ok, err := models.MarkSent(ctx, db, m, r.clk.Now())
	if err != nil {
		// It went, but the outbox does not know: it may go again once the
		// claim lapses, with the same Message-ID.
		return fmt.Errorf("mark %d sent: %w", m.ID, err)
	}
	if !ok {
		log.Warn("e-mail sent after its claim had lapsed; another runner may send it too")
		return nil
	}
	log.Info("e-mail sent", "subject", msg.Subject)
	return nil
}

// failed records a failed attempt, and when the next one is due.
func (r *Runner) failed(ctx context.Context, m *models.OutboxMessage, log *slog.Logger, cause error) error {
	now := r.clk.Now()
	if err := models.MarkFailed(ctx, r.db, m, now, cause); err != nil {
		return fmt.Errorf("mark %d failed: %w", m.ID, err)
	}
	attempts := m.Attempts + 1
	if attempts >= models.MaxDeliveryAttempts {
		log.Error("e-mail not delivered; giving up", "attempts", attempts, slog.Any("error", cause))
		return nil
	}
	log.Warn("e-mail not delivered; will try again", "attempts", attempts,
		"next_attempt_at", now.Add(models.RetryDelay(attempts)), slog.Any("error", cause))
	return nil
}

// release gives back claimed messages that were not attempted.
func (r *Runner) release(ctx context.Context, msgs []models.OutboxMessage) error {
	ctx, db := context.WithoutCancel(ctx), r.db
	var errs []error
	for i := range msgs {
		if err := models.ReleaseOutbox(ctx, db, &msgs[i]); err != nil {
			errs = append(errs, fmt.Errorf("release %d: %w", msgs[i].ID, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("deliver outbox: %w", errors.Join(errs...))
	}
	return nil
}

// logBatch is how many unlogged messages are read at a time.
const logBatch = 100

// logOutbox writes each pending message to the log once, when there is no
// SMTP server, and keeps its rendered text in the outbox.
func (r *Runner) logOutbox(ctx context.Context) error {
	for ctx.Err() == nil {
		now := r.clk.Now()
		msgs, err := models.UnloggedOutbox(ctx, r.db, now, logBatch)
		if err != nil {
			return fmt.Errorf("deliver outbox: log: %w", err)
		}
		var texts []models.Rendered
		var logs []func()
		for i := range msgs {
			m := &msgs[i]
			log := r.log.With("outbox_id", m.ID, "kind", m.Kind, "to", m.ToAddr)
			msg, err := r.letters.Render(ctx, m, now)
			if why, skip := letters.SkipReason(err); skip {
				log.Info("e-mail not sent (no SMTP server configured), and no longer worth sending", "reason", why)
				continue
			}
			if err != nil {
				log.Warn("e-mail not sent (no SMTP server configured), and it cannot be rendered", slog.Any("error", err))
				continue
			}
			texts = append(texts, models.Rendered{ID: m.ID, Subject: msg.Subject, Body: msg.Text})
			logs = append(logs, func() {
				log.Info("e-mail not sent: no SMTP server configured; it stays in the outbox", "subject", msg.Subject)
			})
		}
		// The texts of the batch are kept in one transaction.
		if err := models.SetRenderedAll(ctx, r.db, texts); err != nil {
			return fmt.Errorf("deliver outbox: keep the texts of %d e-mails: %w", len(texts), err)
		}
		for _, logIt := range logs {
			logIt()
		}
		if len(msgs) < logBatch {
			return nil
		}
	}
	return nil
}
