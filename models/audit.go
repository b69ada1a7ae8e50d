package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// AuditEntry is one line of the audit log: who did what to whom, and when.
// Rows are only ever added.
type AuditEntry struct {
	ID        int64       `json:"id"`
	ActorID   *int64      `json:"actor_id"`
	ActorName string      `json:"actor_name"`
	Action    AuditAction `json:"action"`
	Target    string      `json:"target"`
	Detail    string      `json:"detail"`
	CreatedAt time.Time   `json:"at"`
}

// TableName is the audit log's table.
func (AuditEntry) TableName() string { return "audit_log" }

// AuditPageSize is how many entries one page of the audit log shows.
const AuditPageSize = 50

// auditTextMax bounds a target or detail, so that a bulk change of many
// members keeps a readable line.
const auditTextMax = 1000

// audit records an action of actor in the transaction tx that carries it
// out, so that the action and its record stand or fall together.
func audit(tx *gorm.DB, actor User, action AuditAction, target, detail string, now time.Time) error {
	e := AuditEntry{
		ActorName: actor.Name, Action: action,
		Target: clip(target, auditTextMax), Detail: clip(detail, auditTextMax), CreatedAt: now.UTC(),
	}
	if actor.ID != 0 {
		id := actor.ID
		e.ActorID = &id
	}
	if err := tx.Create(&e).Error; err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// clip shortens s to at most n bytes on a rune boundary, with an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// AuditLog returns one page (from 1) of the audit log, newest first, and
// whether an older page follows. Only committee may read it.
func AuditLog(ctx context.Context, st *store.Store, actor User, page int) ([]AuditEntry, bool, error) {
	if !actor.IsCommittee() {
		return nil, false, ErrForbidden
	}
	if page < 1 {
		p := Problems{}
		p.Add("page", "Give a page number of 1 or more.")
		return nil, false, p.Err()
	}
	var out []AuditEntry
	err := st.Read(ctx).Order("created_at DESC, id DESC").
		Offset((page - 1) * AuditPageSize).Limit(AuditPageSize + 1).Find(&out).Error
	if err != nil {
		return nil, false, fmt.Errorf("audit log: %w", err)
	}
	more := len(out) > AuditPageSize
	if more {
		out = out[:AuditPageSize]
	}
	return out, more, nil
}

// ReadOutbox is CommitteeOutbox for a committee member, recorded in the
// audit log: the outbox holds other members' e-mails.
func ReadOutbox(ctx context.Context, st *store.Store, actor User, f OutboxFilter, loc *time.Location, now time.Time) ([]OutboxEntry, error) {
	if !actor.IsCommittee() {
		return nil, ErrForbidden
	}
	var filter []string
	if f.Kind != "" {
		filter = append(filter, "kind "+f.Kind.Label())
	}
	if f.Status != "" {
		filter = append(filter, "status "+f.Status.Label())
	}
	if f.To != "" {
		filter = append(filter, "to "+f.To)
	}
	target := "All e-mails"
	if len(filter) > 0 {
		target = "E-mails with " + strings.Join(filter, ", ")
	}
	err := st.Write(ctx, func(tx *gorm.DB) error {
		return audit(tx, actor, AuditOutboxRead, target, "", now)
	})
	if err != nil {
		return nil, err
	}
	return CommitteeOutbox(ctx, st, f, loc)
}

// RecordDownload writes the audit line for committee's download of a file
// that names members (the members list, attendance records, a scheme's
// evaluation answers): which file, and with which filters. It is written
// before the file is, so that no download goes unrecorded.
func RecordDownload(ctx context.Context, st *store.Store, actor User, file, filter string, now time.Time) error {
	if !actor.IsCommittee() {
		return ErrForbidden
	}
	return st.Write(ctx, func(tx *gorm.DB) error {
		return audit(tx, actor, AuditDataDownloaded, file, filter, now)
	})
}

// roleChangeDetail says what a role change did, for the audit log.
func roleChangeDetail(from, to Role) string {
	return from.Label() + " → " + to.Label()
}

// countWord is "1 member" or "n members".
func countWord(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// auditTime is when an action happened: at, or now when at is zero.
func auditTime(at time.Time) time.Time {
	if at.IsZero() {
		return time.Now()
	}
	return at
}
