package models

import (
	"context"
	"sort"
	"time"

	"rounds/models/store"
)

// The outbox as committee read it. An e-mail that follows a student's
// feedback (a certificate of attendance, a feedback request or reminder,
// whose sending or skipping tells whether they answered) is shown by
// recipient, kind, status and day only: not its session, its time, its
// place in the queue, its contents or its link. So nobody can line an
// answer up with the person who gave it by watching the outbox beside the
// feedback summaries.

// followsFeedback: the kinds of e-mail whose session and time would tell
// who gave feedback on which session, and when.
func followsFeedback(k MailKind) bool {
	return k == MailCertificateIssued || k == MailFeedbackRequest || k == MailFeedbackReminder
}

// OutboxEntry is one e-mail of the outbox as committee see it. When
// Hidden, the message keeps its kind, recipient and status, and Day is all
// that is told of its time: its ID, session, data, subject, text, error
// and times are empty.
type OutboxEntry struct {
	OutboxMessage
	Hidden bool
	Day    string // the day it was queued, 2006-01-02 in the society's time zone
}

// maskedForCommittee is the rule: each e-mail that follows feedback loses
// what would place it in time or name its session, and the list is put in
// an order that tells no more: by day (newest first), and within a day the
// hidden e-mails after the others, by kind and recipient.
func maskedForCommittee(msgs []OutboxMessage, loc *time.Location) []OutboxEntry {
	out := make([]OutboxEntry, len(msgs))
	for i, m := range msgs {
		day := m.CreatedAt.In(loc)
		e := OutboxEntry{OutboxMessage: m, Day: day.Format("2006-01-02")}
		if followsFeedback(m.Kind) {
			e.Hidden = true
			e.OutboxMessage = OutboxMessage{Kind: m.Kind, UserID: m.UserID, ToAddr: m.ToAddr, ToName: m.ToName,
				Status: m.Status, Data: "{}", CreatedAt: time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc)}
		}
		out[i] = e
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Day != b.Day {
			return a.Day > b.Day
		}
		if a.Hidden != b.Hidden {
			return !a.Hidden
		}
		if !a.Hidden {
			return a.ID > b.ID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.ToName != b.ToName {
			return a.ToName < b.ToName
		}
		return a.ToAddr < b.ToAddr
	})
	return out
}

// CommitteeOutbox lists the outbox as committee read it, newest day first
// (see maskedForCommittee); loc is the society's time zone, which days are
// told in.
func CommitteeOutbox(ctx context.Context, st *store.Store, f OutboxFilter, loc *time.Location) ([]OutboxEntry, error) {
	if loc == nil {
		loc = time.UTC
	}
	msgs, err := ListOutbox(ctx, st, f)
	if err != nil {
		return nil, err
	}
	return maskedForCommittee(msgs, loc), nil
}
