package models

import (
	"fmt"
	"time"
)

// Limits of a member's data export.
const (
	// ExportLinkTTL is how long the e-mailed link works, once.
	ExportLinkTTL = 24 * time.Hour
	// ExportsPerDay is how many exports a member may ask for in 24 hours.
	ExportsPerDay = 3
)

// Refusals of an export and of its link.
var (
	ErrExportInProgress = &Error{KindConflict, "export_in_progress",
		"We are already preparing your data; we'll e-mail you a link within a few minutes."}
	ErrExportLinkUnknown = &Error{KindNotFound, "export_not_found",
		"There is no download at this address for the account you are logged in with. Log in with the account the e-mail was sent to, or ask for your data again on your account page."}
	ErrExportLinkUsed = &Error{KindConflict, "export_link_used",
		"This link has already been used: each link downloads your data once. Ask for your data again on your account page."}
	ErrExportLinkExpired = &Error{KindConflict, "export_link_expired",
		"This link has expired: it worked for 24 hours. Ask for your data again on your account page."}
)

// exportRequestError is the refusal of a new export by a member whose
// exports asked for since 24 hours before now are recent: one at a time
// (a second while one is being prepared is a conflict), and at most
// ExportsPerDay a day, so that nobody fills an inbox or the database.
func exportRequestError(recent []DataRequest, now time.Time) error {
	var oldest time.Time
	n := 0
	for _, r := range recent {
		if r.Kind != DataExport {
			continue
		}
		if r.Status == DataRequestWaiting {
			return ErrExportInProgress
		}
		if r.RequestedAt.After(now.Add(-24 * time.Hour)) {
			n++
			if oldest.IsZero() || r.RequestedAt.Before(oldest) {
				oldest = r.RequestedAt
			}
		}
	}
	if n < ExportsPerDay {
		return nil
	}
	wait := oldest.Add(24 * time.Hour).Sub(now)
	hours := int((wait + time.Hour - 1) / time.Hour)
	when := "in an hour"
	if hours > 1 {
		when = fmt.Sprintf("in %d hours", hours)
	}
	return &RateLimitedError{
		RetryAfterSeconds: int((wait + time.Second - 1) / time.Second),
		Message:           fmt.Sprintf("You have asked for your data %d times in the last 24 hours. You can ask again %s.", ExportsPerDay, when),
	}
}

// exportLinkError tells whether the export e may be downloaded by the
// member userID at now: it is theirs (anyone else is told there is no such
// download), it has not been downloaded, and its 24 hours are not over.
func exportLinkError(e dataExport, userID int64, now time.Time) error {
	switch {
	case e.UserID != userID:
		return ErrExportLinkUnknown
	case e.UsedAt != nil:
		return ErrExportLinkUsed
	case !now.Before(e.ExpiresAt):
		return ErrExportLinkExpired
	}
	return nil
}
