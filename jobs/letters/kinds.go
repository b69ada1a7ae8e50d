package letters

import (
	"context"
	"errors"
	"time"

	"rounds/internal/ical"
	"rounds/models"
	"rounds/models/store"
)

// kinds lists the e-mail kinds that need more than their template: a hook
// that loads a session, attaches an invitation or skips a stale message.
// A kind with a template and no entry here renders from the user and the
// row's data alone (welcome does).
var kinds = map[models.MailKind]Kind{
	models.MailPasswordReset:     {Prepare: preparePasswordReset},
	models.MailBookingConfirmed:  {Prepare: prepareSeat},
	models.MailWaitlistPromoted:  {Prepare: prepareSeat},
	models.MailSessionChanged:    {Prepare: prepareSessionChanged},
	models.MailSessionCancelled:  {Prepare: prepareSessionCancelled},
	models.MailSessionReminder:   {Prepare: prepareSessionReminder},
	models.MailFeedbackRequest:   {Prepare: prepareFeedback},
	models.MailFeedbackReminder:  {Prepare: prepareFeedback},
	models.MailCertificateIssued: {Prepare: prepareCertificate},
	models.MailRegisterReminder:  {Prepare: prepareRegisterReminder},
	models.MailMaterialsAdded:    {Prepare: prepareMaterialsAdded},
}

// preparePasswordReset works out when the link stops working (the token and
// the outbox row are written in one transaction, with the same time) and
// skips the e-mail if that has already happened: a dead link helps nobody.
func preparePasswordReset(_ context.Context, _ *store.Store, m *models.OutboxMessage, l *Letter) error {
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

// prepareSeat is for booking_confirmed and waitlist_promoted: the seat,
// how to join and how to cancel, with the session as an invitation. It
// skips once the session has been cancelled (its own e-mail says so) or has
// ended, when the seat is no longer confirmed, and when the member has
// cancelled and booked again (the new place has its own e-mail).
func prepareSeat(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	switch {
	case s.Status == models.SessionCancelled:
		return Skip("the session has been cancelled")
	case s.Status != models.SessionPublished:
		return Skip("the session is not published")
	case s.HasEnded(l.Now):
		return Skip("the session has ended")
	}
	b, err := memberBooking(ctx, db, l, s)
	if err != nil {
		return err
	}
	if b.Status != models.BookingConfirmed {
		return Skip("the booking is no longer confirmed")
	}
	if placeSuperseded(m, b) {
		return Skip("the member booked again; the new booking has its own e-mail")
	}
	setSeat(l, s, b.Mode)
	return attachInvitation(ctx, db, l, s, ical.MethodRequest)
}

// prepareSessionChanged is for session_changed: what changed for the
// member's seat (see sessionChanges), the session as it is now and, for a
// confirmed seat, the updated invitation with the raised SEQUENCE, so that
// calendars move the entry they hold. It skips when the session has since
// been cancelled or has ended, when the member's booking has gone, and when
// nothing that concerns their seat is still different.
func prepareSessionChanged(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	switch {
	case s.Status == models.SessionCancelled:
		return Skip("the session has since been cancelled")
	case s.Status != models.SessionPublished:
		return Skip("the session is not published")
	case s.HasEnded(l.Now):
		return Skip("the session has ended")
	}
	b, err := memberBooking(ctx, db, l, s)
	if err != nil {
		return err
	}
	changes := sessionChanges(l, s, b.Mode)
	if len(changes) == 0 {
		return Skip("nothing that concerns the member's seat is still changed")
	}
	l.Vars["Changes"] = changes
	l.Vars["Moved"] = changes[0].What == "When" // the time comes first
	l.Vars["Waitlisted"] = b.Status == models.BookingWaitlisted
	l.Vars["Position"] = 0
	if b.WaitlistPosition != nil {
		l.Vars["Position"] = *b.WaitlistPosition
	}
	setSeat(l, s, b.Mode)
	if b.Status != models.BookingConfirmed {
		l.Vars[varJoin] = "" // a place in the queue is not a seat
		return nil
	}
	return attachInvitation(ctx, db, l, s, ical.MethodRequest)
}

// prepareSessionCancelled is for session_cancelled: the reason given and,
// for a confirmed seat, a METHOD:CANCEL calendar object that takes the
// session out of the calendar. It skips once the session would have ended,
// when the news no longer matters.
func prepareSessionCancelled(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	switch {
	case s.Status != models.SessionCancelled:
		return Skip("the session is not cancelled")
	case s.HasEnded(l.Now):
		return Skip("the session would have ended by now")
	}
	reason, ok := l.Data["reason"]
	if !ok {
		reason = s.CancelReason
	}
	l.Vars["Reason"] = reason
	l.Vars["Confirmed"] = false
	b, err := models.UserBooking(ctx, db, s.ID, l.User.ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return nil
	case err != nil:
		return err
	case b.Status != models.BookingConfirmed:
		l.Vars[varMode] = b.Mode
		return nil
	}
	l.Vars["Confirmed"] = true
	setSeat(l, s, b.Mode)
	l.Vars[varJoin] = "" // there is nothing to join
	return attachInvitation(ctx, db, l, s, ical.MethodCancel)
}

// prepareSessionReminder is for session_reminder. It skips when the
// session has been cancelled or has started, when it has moved since the
// reminder was planned (Data["starts_at"]; a reminder for the new time is
// planned on its own key), and when the booking is no longer confirmed.
func prepareSessionReminder(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	switch {
	case s.Status == models.SessionCancelled:
		return Skip("the session has been cancelled")
	case s.Status != models.SessionPublished:
		return Skip("the session is not published")
	case s.HasStarted(l.Now):
		return Skip("the session has started")
	}
	if planned, ok := parseTime(l.Data["starts_at"]); ok && !planned.Equal(s.StartsAt) {
		return Skip("the session has moved since the reminder was planned")
	}
	b, err := memberBooking(ctx, db, l, s)
	if err != nil {
		return err
	}
	if b.Status != models.BookingConfirmed {
		return Skip("the booking is no longer confirmed")
	}
	setSeat(l, s, b.Mode)
	return nil
}

// prepareFeedback is for feedback_request and feedback_reminder: the
// link to the form. It skips when the member has given feedback, or is no
// longer recorded as having attended (the register was corrected), or the
// session is no longer published.
func prepareFeedback(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	if s.Status != models.SessionPublished {
		return Skip("the session is not published")
	}
	a, found, err := models.AttendanceOf(ctx, db, l.User.ID, s.ID)
	if err != nil {
		return err
	}
	if !found || !a.Attended() {
		return Skip("the member is not recorded as having attended")
	}
	given, err := models.HasGivenFeedback(ctx, db, l.User.ID, s.ID)
	if err != nil {
		return err
	}
	if given {
		return Skip("the member has given feedback")
	}
	setSeat(l, s, a.Mode)
	l.Vars[varJoin] = ""
	l.Vars["Feedback"] = sessionURL(l, s.ID, "/feedback")
	requested, _ := parseTime(l.Data["requested_at"])
	l.Vars["RequestedAt"] = requested
	return nil
}

// prepareCertificate is for certificate_issued: the links to the
// certificate's verification page and its PDF. It skips when the
// certificate no longer exists; the session is not needed.
func prepareCertificate(ctx context.Context, db *store.Store, _ *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	code := l.Data["code"]
	if code == "" {
		return Skip("the e-mail names no certificate")
	}
	c, err := models.CertificateByCode(ctx, db, code)
	if errors.Is(err, models.ErrNotFound) {
		return Skip("the certificate no longer exists")
	}
	if err != nil {
		return err
	}
	if c.UserID != l.User.ID {
		return Skip("the certificate is someone else's")
	}
	l.Vars["Certificate"] = c
	l.Vars["Page"] = certificateURL(l, c.Code, "")
	l.Vars["PDF"] = certificateURL(l, c.Code, ".pdf")
	l.Vars[varWhen] = ""
	if c.Kind == models.CertificateAttendance {
		if f, err := c.Attendance(); err == nil && !f.StartsAt.IsZero() {
			l.Vars[varWhen] = TimeRange(f.StartsAt, f.EndsAt, l.Location)
		}
	}
	return nil
}

// prepareRegisterReminder is for register_reminder, to a teacher: the link
// to the register. It skips once any attendance has been recorded (see
// models.RegisterTaken), when the session is no longer published, and when
// the recipient no longer teaches it.
func prepareRegisterReminder(ctx context.Context, db *store.Store, m *models.OutboxMessage, l *Letter) error {
	if err := requireUser(l); err != nil {
		return err
	}
	s, err := loadSession(ctx, db, m, l)
	if err != nil {
		return err
	}
	if s.Status != models.SessionPublished {
		return Skip("the session is not published")
	}
	taken, err := models.RegisterTaken(ctx, db, s.ID)
	if err != nil {
		return err
	}
	if taken {
		return Skip("attendance has been recorded")
	}
	teaches, err := models.IsTeacherOf(ctx, db, l.User.ID, s.ID)
	if err != nil {
		return err
	}
	if !teaches || !l.User.CanTeach() {
		return Skip("the recipient no longer teaches the session")
	}
	l.Vars["Booked"] = s.ConfirmedInPerson + s.ConfirmedOnline
	l.Vars["Register"] = sessionURL(l, s.ID, "/register")
	l.Vars["Online"] = s.Mode != models.ModeInPerson
	return nil
}
