package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// Retention defaults, in days: how long an e-mail's contents and a record of
// failed sign-in and check-in attempts are kept.
const (
	DefaultRetentionMailDays     = 90
	DefaultRetentionAttemptsDays = 30
)

// Retention is the society's retention policy. Zero days take the
// defaults; zero GraduatesYears means graduates are never erased by it.
type Retention struct {
	MailDays       int
	AttemptsDays   int
	GraduatesYears int // a former student's account is erased this many years after graduating (CarryOutErasures)
}

// ExportFileHours is how long a member's export file is kept after its link
// is sent, as the privacy page says it.
const ExportFileHours = int(ExportLinkTTL / time.Hour)

// WithDefaults fills the fields left at zero.
func (r Retention) WithDefaults() Retention {
	if r.MailDays <= 0 {
		r.MailDays = DefaultRetentionMailDays
	}
	if r.AttemptsDays <= 0 {
		r.AttemptsDays = DefaultRetentionAttemptsDays
	}
	return r
}

// RetentionResult counts what one run of ApplyRetention cleared.
type RetentionResult struct {
	MailsCleared    int64
	AttemptsDeleted int64
	ExportsDeleted  int64 // files of members' exports past their 24 hours
}

// ApplyRetention clears the subject, body and data of e-mails finished
// (sent, skipped or failed) more than MailDays ago — the row stays, with
// its kind, recipient, status and day, and its dedupe key, so nothing is
// sent twice — and deletes records of failed sign-in and check-in attempts
// whose window began more than AttemptsDays ago, and the files of members'
// exports whose link has expired (ExportLinkTTL). Running it again changes
// nothing.
func ApplyRetention(ctx context.Context, st *store.Store, pol Retention, now time.Time) (RetentionResult, error) {
	pol = pol.WithDefaults()
	now = now.UTC()
	var res RetentionResult
	err := st.Write(ctx, func(tx *gorm.DB) error {
		r := tx.Model(&OutboxMessage{}).
			Where("status IN ? AND created_at < ?", []OutboxStatus{OutboxSent, OutboxSkipped, OutboxFailed}, now.AddDate(0, 0, -pol.MailDays)).
			Where("subject <> '' OR body_text <> '' OR data <> '{}' OR last_error <> ''").
			Updates(map[string]any{"subject": "", "body_text": "", "data": "{}", "last_error": ""})
		if r.Error != nil {
			return fmt.Errorf("outbox: %w", r.Error)
		}
		res.MailsCleared = r.RowsAffected
		r = tx.Where("window_start < ?", now.AddDate(0, 0, -pol.AttemptsDays)).Delete(&loginFailure{})
		if r.Error != nil {
			return fmt.Errorf("attempts: %w", r.Error)
		}
		res.AttemptsDeleted = r.RowsAffected
		r = tx.Where("updated_at < ?", now.AddDate(0, 0, -pol.AttemptsDays)).Delete(&loginAttempt{})
		if r.Error != nil {
			return fmt.Errorf("log-in counters: %w", r.Error)
		}
		res.AttemptsDeleted += r.RowsAffected
		// A member's export: its file goes once its link's 24 hours are
		// over, and an unused link's request reads as expired.
		n, err := expireDataExports(tx, now)
		if err != nil {
			return fmt.Errorf("exports: %w", err)
		}
		res.ExportsDeleted = n
		return nil
	})
	return res, err
}
