package letters

import (
	"context"
	"time"

	"rounds/models"
	"rounds/models/store"
)

func init() {
	kinds[models.MailDataExportReady] = Kind{Prepare: prepareDataExport}
}

// prepareDataExport is for data_export_ready: when the link stops working,
// in the society's time; a link already expired is not worth an e-mail
// (the member asks again on their account page).
func prepareDataExport(_ context.Context, _ *store.Store, _ *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	expires, err := time.Parse(time.RFC3339, l.Data["expires_at"])
	if err != nil {
		l.Vars["ExpiresAt"] = time.Time{}
		return nil
	}
	if !l.Now.Before(expires) {
		return Skip("the export's link expired before it could be sent")
	}
	l.Vars["ExpiresAt"] = expires.In(l.Location)
	return nil
}
