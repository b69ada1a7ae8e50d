package letters

import (
	"context"
	"time"

	"gorm.io/gorm"

	"rounds/models"
)

// kinds lists the e-mail kinds that need more than their template: a hook
// that loads a session, attaches an invitation or skips a stale message.
// A kind with a template and no entry here renders from the user and the
// row's data alone (welcome does).
var kinds = map[string]Kind{
	models.MailPasswordReset: {Prepare: preparePasswordReset},
}

// preparePasswordReset works out when the link stops working (the token and
// the outbox row are written in one transaction, with the same time) and
// skips the e-mail if that has already happened: a dead link helps nobody.
func preparePasswordReset(_ context.Context, _ *gorm.DB, m *models.OutboxMessage, l *Letter) error {
	ttl, err := time.ParseDuration(l.Data["expires_in"])
	if err != nil || ttl <= 0 {
		// Without a lifetime the template still says the link expires.
		l.Vars["ExpiresAt"] = time.Time{}
		return nil
	}
	expires := m.CreatedAt.Add(ttl).In(l.Location)
	if !l.Now.Before(expires) {
		return Skip("the reset link expired before it could be sent")
	}
	l.Vars["ExpiresAt"] = expires
	return nil
}
