package models

import (
	"strings"
	"testing"
	"time"
)

func TestMaskedForCommittee(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 3, h, m, 0, 0, time.UTC) }
	s := int64(42)
	msgs := []OutboxMessage{ // newest first, as ListOutbox reads them
		{ID: 9, Kind: MailBookingConfirmed, ToName: "Zoe", SessionID: &s, CreatedAt: at(18, 0), Data: `{"title":"ECG"}`},
		{ID: 8, Kind: MailCertificateIssued, ToName: "Zoe", SessionID: &s, CreatedAt: at(17, 31), Subject: "Your certificate: ECG",
			Data: `{"code":"RND-AAAA-BBBB","title":"ECG"}`, LastError: "x", Attempts: 2},
		{ID: 7, Kind: MailFeedbackReminder, ToName: "Ama", SessionID: &s, CreatedAt: at(17, 30), Status: OutboxSkipped},
		{ID: 6, Kind: MailCertificateIssued, ToName: "Ama", SessionID: &s, CreatedAt: at(9, 5)},
		{ID: 5, Kind: MailWelcome, ToName: "Ben", CreatedAt: at(8, 0)},
		{ID: 4, Kind: MailCertificateIssued, ToName: "Ben", SessionID: &s, CreatedAt: at(8, 0).Add(-24 * time.Hour)},
	}
	got := maskedForCommittee(msgs, time.UTC)
	var order []string
	for _, e := range got {
		order = append(order, e.Day+" "+string(e.Kind)+" "+e.ToName)
		if e.Hidden != followsFeedback(e.Kind) {
			t.Errorf("%s hidden = %v", e.Kind, e.Hidden)
		}
		if e.Hidden && (e.ID != 0 || e.SessionID != nil || e.Subject != "" || e.Data != "{}" || e.LastError != "" || e.Attempts != 0 ||
			e.CreatedAt.Hour() != 0 || e.CreatedAt.Minute() != 0) {
			t.Errorf("hidden e-mail keeps more than its kind, recipient, status and day: %+v", e)
		}
	}
	want := "2026-11-03 booking_confirmed Zoe; 2026-11-03 welcome Ben; 2026-11-03 certificate_issued Ama; 2026-11-03 certificate_issued Zoe; " +
		"2026-11-03 feedback_reminder Ama; 2026-11-02 certificate_issued Ben"
	if strings.Join(order, "; ") != want {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(order, "; "), want)
	}
	if got[3].Status != "" || got[4].Status != OutboxSkipped {
		t.Errorf("statuses kept: %q %q", got[3].Status, got[4].Status)
	}
}
