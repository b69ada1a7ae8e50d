package models

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExportRequestError(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	req := func(status DataRequestStatus, ago time.Duration) DataRequest {
		return DataRequest{Kind: DataExport, Status: status, RequestedAt: now.Add(-ago)}
	}
	cases := []struct {
		name     string
		recent   []DataRequest
		want     error
		limited  bool
		retry    int
		sentence string
	}{
		{name: "never asked", recent: nil},
		{name: "one being prepared", recent: []DataRequest{req(DataRequestWaiting, time.Minute)}, want: ErrExportInProgress},
		{name: "one waiting from long ago is still in progress", recent: []DataRequest{req(DataRequestWaiting, 30*time.Hour)}, want: ErrExportInProgress},
		{name: "two sent today", recent: []DataRequest{req(DataRequestReady, time.Hour), req(DataRequestDone, 2*time.Hour)}},
		{name: "an erasure does not count", recent: []DataRequest{{Kind: DataErasure, Status: DataRequestWaiting, RequestedAt: now}}},
		{name: "three today", limited: true, retry: 4 * 3600, sentence: "ask again in 4 hours",
			recent: []DataRequest{req(DataRequestDone, 20*time.Hour), req(DataRequestReady, time.Hour), req(DataRequestExpired, 2*time.Hour)}},
		{name: "three, the oldest 23½ hours ago", limited: true, retry: 1800, sentence: "ask again in an hour",
			recent: []DataRequest{req(DataRequestDone, 23*time.Hour+30*time.Minute), req(DataRequestDone, time.Hour), req(DataRequestDone, time.Hour)}},
		{name: "three, one of them a day ago", recent: []DataRequest{req(DataRequestDone, 24*time.Hour), req(DataRequestDone, time.Hour), req(DataRequestDone, time.Hour)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := exportRequestError(c.recent, now)
			var rl *RateLimitedError
			switch {
			case c.limited:
				if !errors.As(err, &rl) || rl.RetryAfterSeconds != c.retry || !strings.Contains(rl.Error(), c.sentence) {
					t.Errorf("got %v (%+v), want a limit of %ds saying %q", err, rl, c.retry, c.sentence)
				}
			case err != c.want:
				t.Errorf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestExportLinkError(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	used := now.Add(-time.Minute)
	live := dataExport{UserID: 7, CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(23 * time.Hour)}
	cases := []struct {
		name string
		e    dataExport
		user int64
		want error
	}{
		{"the member's own, unused", live, 7, nil},
		{"another member's", live, 8, ErrExportLinkUnknown},
		{"used", dataExport{UserID: 7, ExpiresAt: live.ExpiresAt, UsedAt: &used}, 7, ErrExportLinkUsed},
		{"another member's, used", dataExport{UserID: 7, ExpiresAt: live.ExpiresAt, UsedAt: &used}, 8, ErrExportLinkUnknown},
		{"at its expiry", dataExport{UserID: 7, ExpiresAt: now}, 7, ErrExportLinkExpired},
		{"a second before it", dataExport{UserID: 7, ExpiresAt: now.Add(time.Second)}, 7, nil},
	}
	for _, c := range cases {
		if got := exportLinkError(c.e, c.user, now); got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}
