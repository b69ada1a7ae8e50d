package letters

import (
	"context"
	"strconv"
	"time"

	"rounds/models"
	"rounds/models/store"
)

func init() {
	kinds[models.MailErasureScheduled] = Kind{Prepare: prepareErasureScheduled}
}

// prepareErasureScheduled gives the day the account will be erased, and
// skips the e-mail when the member called the erasure off before it could
// be sent.
func prepareErasureScheduled(ctx context.Context, db *store.Store, _ *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	at, err := time.Parse(time.RFC3339, l.Data["erase_at"])
	if err != nil {
		return Skip("the e-mail does not say when the account is erased")
	}
	if id, err := strconv.ParseInt(l.Data["request"], 10, 64); err == nil {
		waits, err := models.ErasureWaits(ctx, db, id)
		if err != nil {
			return err
		}
		if !waits {
			return Skip("the member called the erasure off")
		}
	}
	l.Vars["EraseAt"] = at.In(l.Location)
	return nil
}
