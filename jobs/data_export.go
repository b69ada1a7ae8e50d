package jobs

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"rounds/models"
)

// JobPrepareExports is the export job's name in logs and job_locks.
const JobPrepareExports = "prepare_exports"

// PrepareExports prepares the members' waiting data exports: each one's ZIP
// file is stored in the database (so that any instance serves the
// download) and its data_export_ready e-mail queued with a link that works
// once, for 24 hours, for its member. A request is moved from waiting to
// ready in the same transaction that stores its file, so runs on several
// instances prepare each export once, and a run that stops half-way leaves
// it for the next tick (see models.PrepareDataExports).
func (r *Runner) PrepareExports(ctx context.Context) error {
	base := strings.TrimRight(r.cfg.BaseURL, "/")
	n, err := models.PrepareDataExports(ctx, r.db, models.ExportSettings{
		BaseURL: base,
		LinkURL: func(secret string) string { return ExportLink(base, secret) },
	}, r.clk.Now())
	if n > 0 {
		r.log.Info("exports prepared", "exports", n)
	}
	if err != nil {
		return fmt.Errorf("prepare exports: %w", err)
	}
	return nil
}

// ExportLink is the download address of an export's secret:
// <base>/me/export/{token}.
func ExportLink(base, secret string) string {
	return strings.TrimRight(base, "/") + "/me/export/" + url.PathEscape(secret)
}
