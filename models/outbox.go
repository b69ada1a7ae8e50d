package models

import (
	"context"
	"encoding/json"
	"fmt"
	"rounds/models/store"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// MaxDeliveryAttempts is how often delivery of one message is tried.
const MaxDeliveryAttempts = 8

// OutboxMessage is one e-mail on its way. Data holds what the message needs
// beyond the user and the session (a link, a reason); the message itself is
// rendered when it is delivered and kept in Subject and BodyText.
type OutboxMessage struct {
	ID            int64        `json:"id"`
	Kind          MailKind     `json:"kind"`
	DedupeKey     string       `json:"dedupe_key"`
	UserID        *int64       `json:"user_id"`
	SessionID     *int64       `json:"session_id"`
	ToAddr        string       `json:"to"`
	ToName        string       `json:"to_name"`
	Data          string       `json:"-"`
	Subject       string       `json:"subject"`
	BodyText      string       `json:"body_text"`
	Status        OutboxStatus `json:"status"`
	Attempts      int          `json:"attempts"`
	NextAttemptAt time.Time    `json:"next_attempt_at"`
	ClaimedUntil  *time.Time   `json:"-"`
	ClaimedBy     string       `json:"-"`
	LastError     string       `json:"last_error"`
	LoggedAt      *time.Time   `json:"-"`
	SentAt        *time.Time   `json:"sent_at"`
	CreatedAt     time.Time    `json:"created_at"`
}

// TableName keeps the table's name singular, as the outbox is one queue.
func (OutboxMessage) TableName() string { return "outbox" }

// DataMap decodes Data.
func (m *OutboxMessage) DataMap() map[string]string {
	out := map[string]string{}
	_ = json.Unmarshal([]byte(m.Data), &out)
	return out
}

// Email is what a change asks to be sent.
type Email struct {
	Kind      MailKind
	Key       string // unique: the same key is never queued twice
	UserID    int64
	SessionID int64
	To        string
	ToName    string
	Data      map[string]string
}

// MailKey is the usual dedupe key: one e-mail of a kind per user and session.
func MailKey(kind MailKind, userID, sessionID int64) string {
	return fmt.Sprintf("%s:%d:%d", kind, userID, sessionID)
}

// Enqueue writes e into the outbox on its own. It returns false, and
// changes nothing, when an e-mail with the same key exists. Use cases queue
// their e-mails with enqueue, in the transaction of the change they tell of.
func Enqueue(ctx context.Context, st *store.Store, e Email, now time.Time) (queued bool, err error) {
	err = st.Write(ctx, func(tx *gorm.DB) error {
		queued, err = enqueue(tx, e, now)
		return err
	})
	return queued, err
}

// enqueue writes e into the outbox, in the caller's transaction tx. It
// returns false, and changes nothing, when an e-mail with the same key
// exists.
func enqueue(tx *gorm.DB, e Email, now time.Time) (bool, error) {
	values, err := outboxValues(e, now)
	if err != nil {
		return false, err
	}
	// Straight: this runs in every booking's transaction.
	res, err := store.Exec(tx, outboxInsert(1, ""), values...)
	if err != nil {
		return false, fmt.Errorf("outbox: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// outboxInsert is the statement that writes an e-mail into the outbox, its
// ten values (outboxValues) numbered from $first: on its own (enqueue), or
// as a clause of a larger statement (bookSeat on PostgreSQL). An e-mail with
// the same key already there is left as it is.
//
// With a condition (SQL, PostgreSQL only), the e-mail is written only when
// it holds.
func outboxInsert(first int, condition string) string {
	marks := make([]string, 10)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(first+i)
	}
	values := "VALUES (" + strings.Join(marks, ", ") + ")"
	if condition != "" {
		// Values of a SELECT take no type from the columns: each is given its own.
		for i, t := range []string{"text", "text", "bigint", "bigint", "text", "text", "text", "text", "timestamptz", "timestamptz"} {
			marks[i] += "::" + t
		}
		values = "SELECT " + strings.Join(marks, ", ") + " WHERE " + condition
	}
	return `INSERT INTO outbox (kind, dedupe_key, user_id, session_id, to_addr, to_name, data, status, next_attempt_at, created_at)
` + values + ` ON CONFLICT (dedupe_key) DO NOTHING`
}

// outboxValues are the values of outboxInsert for e, queued at now.
func outboxValues(e Email, now time.Time) ([]any, error) {
	if e.Key == "" {
		e.Key = MailKey(e.Kind, e.UserID, e.SessionID)
	}
	data, err := json.Marshal(e.Data)
	if err != nil {
		return nil, err
	}
	if e.Data == nil {
		data = []byte("{}")
	}
	var userID, sessionID *int64
	if e.UserID != 0 {
		userID = &e.UserID
	}
	if e.SessionID != 0 {
		sessionID = &e.SessionID
	}
	return []any{e.Kind, e.Key, userID, sessionID, e.To, e.ToName, string(data), OutboxPending, now.UTC(), now.UTC()}, nil
}

// ClaimOutbox takes up to limit due messages for owner for the length of
// lease. Several runners may claim at once: each message goes to one of them
// (FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on SQLite).
func ClaimOutbox(ctx context.Context, st *store.Store, owner string, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error) {
	now = now.UTC()
	lock := ""
	if st.Dialect() == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var claimed []OutboxMessage
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var ids []int64
		err := tx.Raw(`SELECT id FROM outbox
WHERE status = ? AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
ORDER BY next_attempt_at, id LIMIT ?`+lock, OutboxPending, now, now, limit).Scan(&ids).Error
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := tx.Model(&OutboxMessage{}).Where("id IN ?", ids).
			Updates(map[string]any{"claimed_by": owner, "claimed_until": now.Add(lease)}).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("next_attempt_at, id").Find(&claimed).Error
	})
	return claimed, err
}

// MarkSent records that a claimed message went out, with what was sent.
// It returns false if the claim had been lost (and so it may go again).
func MarkSent(ctx context.Context, st *store.Store, m *OutboxMessage, now time.Time) (bool, error) {
	var marked bool
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&OutboxMessage{}).Where("id = ? AND claimed_by = ? AND status = ?", m.ID, m.ClaimedBy, OutboxPending).
			Updates(map[string]any{
				"status": OutboxSent, "sent_at": now.UTC(), "attempts": gorm.Expr("attempts + 1"),
				"subject": m.Subject, "body_text": m.BodyText, "claimed_until": nil, "last_error": "",
			})
		marked = res.RowsAffected == 1
		return res.Error
	})
	return marked, err
}

// MarkSkipped records that a claimed message is no longer worth sending.
func MarkSkipped(ctx context.Context, st *store.Store, m *OutboxMessage, why string) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ? AND claimed_by = ? AND status = ?", m.ID, m.ClaimedBy, OutboxPending).
			Updates(map[string]any{"status": OutboxSkipped, "last_error": why, "claimed_until": nil}).Error
	})
}

// RetryDelay is the back-off after the given number of failed attempts:
// 1, 2, 4 … minutes, at most six hours.
func RetryDelay(attempts int) time.Duration {
	d := time.Minute << min(max(attempts-1, 0), 9)
	return min(d, 6*time.Hour)
}

// MarkFailed records a failed attempt and plans the next one, or gives up
// after MaxDeliveryAttempts.
func MarkFailed(ctx context.Context, st *store.Store, m *OutboxMessage, now time.Time, cause error) error {
	attempts := m.Attempts + 1
	updates := map[string]any{
		"attempts": attempts, "last_error": truncate(cause.Error(), 1000), "claimed_until": nil,
		"next_attempt_at": now.Add(RetryDelay(attempts)).UTC(),
	}
	if attempts >= MaxDeliveryAttempts {
		updates["status"] = OutboxFailed
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ? AND claimed_by = ? AND status = ?", m.ID, m.ClaimedBy, OutboxPending).
			Updates(updates).Error
	})
}

// ReleaseOutbox gives up a claim on a message that was not attempted (the
// runner is stopping, or ran out of lease), so that it is due again at once
// rather than when the lease ends.
func ReleaseOutbox(ctx context.Context, st *store.Store, m *OutboxMessage) error {
	return st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Model(&OutboxMessage{}).Where("id = ? AND claimed_by = ? AND status = ?", m.ID, m.ClaimedBy, OutboxPending).
			Update("claimed_until", nil).Error
	})
}

// SetRendered keeps the text a pending message would be sent with, so that
// committee can read it in the outbox while no SMTP server is configured.
// Delivery renders the message again and keeps what it sent.
func SetRendered(ctx context.Context, st *store.Store, id int64, subject, body string) error {
	return SetRenderedAll(ctx, st, []Rendered{{ID: id, Subject: subject, Body: body}})
}

// Rendered is the text of one pending message.
type Rendered struct {
	ID            int64
	Subject, Body string
}

// SetRenderedAll is SetRendered for many messages in one transaction: on
// PostgreSQL a commit for each would cost as much as the booking that queued
// the message.
func SetRenderedAll(ctx context.Context, st *store.Store, texts []Rendered) error {
	if len(texts) == 0 {
		return nil
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		for _, t := range texts {
			err := tx.Model(&OutboxMessage{}).Where("id = ? AND status = ?", t.ID, OutboxPending).
				Updates(map[string]any{"subject": t.Subject, "body_text": t.Body}).Error
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// UnloggedOutbox returns pending messages not yet written to the log (used
// when no SMTP server is configured), marking them logged.
func UnloggedOutbox(ctx context.Context, st *store.Store, now time.Time, limit int) ([]OutboxMessage, error) {
	var msgs []OutboxMessage
	err := st.Write(ctx, func(tx *gorm.DB) error {
		// The condition is written out, not a parameter, so that the
		// database may use the index of exactly these rows (outbox_unlogged).
		if err := tx.Where("status = '" + string(OutboxPending) + "' AND logged_at IS NULL").Order("id").Limit(limit).Find(&msgs).Error; err != nil {
			return err
		}
		if len(msgs) == 0 {
			return nil
		}
		ids := make([]int64, len(msgs))
		for i, m := range msgs {
			ids[i] = m.ID
		}
		return tx.Model(&OutboxMessage{}).Where("id IN ?", ids).Update("logged_at", now.UTC()).Error
	})
	return msgs, err
}

// OutboxFilter narrows ListOutbox.
type OutboxFilter struct {
	Kind   MailKind
	Status OutboxStatus
	To     string
	Limit  int
}

// ListOutbox returns the newest messages first.
func ListOutbox(ctx context.Context, st *store.Store, f OutboxFilter) ([]OutboxMessage, error) {
	db := st.Read(ctx)
	q := db.Model(&OutboxMessage{})
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.To != "" {
		q = q.Where("to_addr = ?", NormalizeEmail(f.To))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var msgs []OutboxMessage
	err := q.Order("id DESC").Limit(limit).Find(&msgs).Error
	return msgs, err
}

// OutboxCounts counts messages by status, for metrics.
func OutboxCounts(ctx context.Context, st *store.Store) (map[string]int64, error) {
	db := st.Read(ctx)
	var rows []struct {
		Status string
		N      int64
	}
	err := db.Model(&OutboxMessage{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	out := map[string]int64{string(OutboxPending): 0, string(OutboxSent): 0, string(OutboxFailed): 0, string(OutboxSkipped): 0}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
