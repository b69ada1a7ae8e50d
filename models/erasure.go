package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"

	"rounds/models/store"
)

// AuditAccountErased is the audit log's line for an erasure carried out.
// It names the member by id only.
const AuditAccountErased AuditAction = "account_erased"

func init() {
	auditActionWords[AuditAccountErased] = "Erased a member's account"
}

// Why an erasure happened, in a data request's Detail.
const (
	erasureAsked     = ""          // the member asked
	erasureRetention = "retention" // the member graduated long enough ago
)

// ErrBadErasureLink is returned for a cancel link that was not made by this
// site, or whose request is gone.
var ErrBadErasureLink = &Error{KindNotFound, "invalid_link", "This link to keep your account is not valid."}

// ErasureLinks is what the erasure_scheduled e-mail's cancel link is made
// of: the site's secret that signs it and the address it opens.
type ErasureLinks struct {
	Key       []byte
	CancelURL func(token string) string
}

// WaitingErasure is the erasure of the member that waits for its day, or
// nil when none does.
func WaitingErasure(ctx context.Context, st *store.Store, userID int64) (*DataRequest, error) {
	return waitingErasure(st.Read(ctx), userID)
}

func waitingErasure(db *gorm.DB, userID int64) (*DataRequest, error) {
	var rs []DataRequest
	err := db.Where("user_id = ? AND kind = ? AND status = ?", userID, DataErasure, DataRequestWaiting).Limit(1).Find(&rs).Error
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	r := rs[0]
	r.inUTC()
	return &r, nil
}

func (r *DataRequest) inUTC() {
	r.RequestedAt = r.RequestedAt.UTC()
	r.DueAt, r.DoneAt, r.CancelledAt = utcPtr(r.DueAt), utcPtr(r.DoneAt), utcPtr(r.CancelledAt)
}

// RequestErasure schedules the erasure of u's account ErasureDelay from now
// and queues the erasure_scheduled e-mail, which says what will happen on
// which day and carries a link to call it off. proof, when given, is
// checked first (the page asks for it; an API token is proof enough). A
// member who asks again while an erasure waits gets that one back, with
// created false: the day does not move.
func RequestErasure(ctx context.Context, st *store.Store, u User, proof *ErasureProof, links ErasureLinks, now time.Time) (r DataRequest, created bool, err error) {
	now = now.UTC()
	if proof != nil {
		cur, err := UserByID(ctx, st, u.ID)
		if err != nil {
			return DataRequest{}, false, err
		}
		with := hasPassword(cur.PasswordHash)
		ok := with && bcrypt.CompareHashAndPassword([]byte(cur.PasswordHash), prehash(proof.Password)) == nil
		if err := erasureProofError(with, ok, *proof); err != nil {
			return DataRequest{}, false, err
		}
	}
	err = st.Write(ctx, func(tx *gorm.DB) error {
		cur, err := userByID(tx, u.ID)
		if err != nil {
			return err
		}
		if w, err := waitingErasure(tx, u.ID); err != nil || w != nil {
			if w != nil {
				r = *w
			}
			return err
		}
		due := eraseAt(now)
		r = DataRequest{UserID: u.ID, Kind: DataErasure, Status: DataRequestWaiting, RequestedAt: now, DueAt: &due, Detail: erasureAsked}
		if err := tx.Create(&r).Error; err != nil {
			if isDuplicate(err) { // asked twice at once: the other one stands
				w, err := waitingErasure(tx, u.ID)
				if err == nil && w != nil {
					r = *w
				}
				return err
			}
			return fmt.Errorf("erasure: %w", err)
		}
		created = true
		data := map[string]string{"erase_at": due.Format(time.RFC3339), "request": strconv.FormatInt(r.ID, 10)}
		if links.CancelURL != nil {
			data["link"] = links.CancelURL(ErasureCancelToken(links.Key, r.ID, u.ID))
		}
		_, err = enqueue(tx, Email{Kind: MailErasureScheduled, Key: "erasure_scheduled:" + strconv.FormatInt(r.ID, 10),
			UserID: u.ID, To: cur.Email, ToName: cur.Name, Data: data}, now)
		return err
	})
	return r, created, err
}

// CancelErasure calls off the member's waiting erasure. It reports whether
// one was waiting; calling off nothing is not an error.
func CancelErasure(ctx context.Context, st *store.Store, userID int64, now time.Time) (bool, error) {
	var n int64
	err := st.Write(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&DataRequest{}).Where("user_id = ? AND kind = ? AND status = ?", userID, DataErasure, DataRequestWaiting).
			Updates(map[string]any{"status": DataRequestCancelled, "cancelled_at": now.UTC()})
		n = res.RowsAffected
		return res.Error
	})
	return n > 0, err
}

// ErasureByToken is the erasure request a cancel link names, in whatever
// status it now is; ErrBadErasureLink if the link was not made for it.
func ErasureByToken(ctx context.Context, st *store.Store, key []byte, token string) (DataRequest, error) {
	return erasureByToken(st.Read(ctx), key, token)
}

func erasureByToken(db *gorm.DB, key []byte, token string) (DataRequest, error) {
	id, sig, ok := erasureTokenRequest(token)
	if !ok {
		return DataRequest{}, ErrBadErasureLink
	}
	var rs []DataRequest
	if err := db.Where("id = ? AND kind = ?", id, DataErasure).Limit(1).Find(&rs).Error; err != nil {
		return DataRequest{}, err
	}
	if len(rs) == 0 || !erasureTokenValid(key, rs[0].ID, rs[0].UserID, sig) {
		return DataRequest{}, ErrBadErasureLink
	}
	r := rs[0]
	r.inUTC()
	return r, nil
}

// CancelErasureByToken calls off the erasure a cancel link names, if it
// still waits, and returns the request as it then is. The link is the
// proof: it reached the member's inbox.
func CancelErasureByToken(ctx context.Context, st *store.Store, key []byte, token string, now time.Time) (DataRequest, error) {
	var r DataRequest
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var err error
		if r, err = erasureByToken(tx, key, token); err != nil {
			return err
		}
		if r.Status != DataRequestWaiting {
			return nil
		}
		at := now.UTC()
		res := tx.Model(&DataRequest{}).Where("id = ? AND status = ?", r.ID, DataRequestWaiting).
			Updates(map[string]any{"status": DataRequestCancelled, "cancelled_at": at})
		if res.Error == nil && res.RowsAffected == 1 {
			r.Status, r.CancelledAt = DataRequestCancelled, &at
		}
		return res.Error
	})
	return r, err
}

// ErasureResult counts what one run of CarryOutErasures erased.
type ErasureResult struct {
	Asked     int // erasures members asked for whose day came
	Graduates int // former students kept as long as the policy says
}

// CarryOutErasures erases the accounts whose erasure's day has come, then
// those of former students who graduated graduatesYears or more ago (0:
// never). Each account is erased in a transaction of its own, claimed
// first, so that a second run, here or on another instance at the same
// time, erases nothing twice.
func CarryOutErasures(ctx context.Context, st *store.Store, graduatesYears int, now time.Time) (ErasureResult, error) {
	now = now.UTC()
	var res ErasureResult
	var due []DataRequest
	if err := st.Read(ctx).Where("kind = ? AND status = ? AND due_at <= ?", DataErasure, DataRequestWaiting, now).
		Order("due_at, id").Find(&due).Error; err != nil {
		return res, fmt.Errorf("erasures due: %w", err)
	}
	for _, r := range due {
		if !erasureDue(r.DueAt.UTC(), now) {
			continue
		}
		var erased bool
		err := st.Write(ctx, func(tx *gorm.DB) error {
			// Still waiting? (called off meanwhile, or done by another instance)
			var n int64
			if err := tx.Model(&DataRequest{}).Where("id = ? AND status = ?", r.ID, DataRequestWaiting).Count(&n).Error; err != nil || n == 0 {
				return err
			}
			var err error
			erased, err = eraseMember(tx, r.UserID, "At the member's request", now)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("erasure of member %d: %w", r.UserID, err)
		}
		if erased {
			res.Asked++
		}
	}
	grads, err := graduatesToErase(st.Read(ctx), graduatesYears, now)
	if err != nil {
		return res, err
	}
	for _, id := range grads {
		var erased bool
		err := st.Write(ctx, func(tx *gorm.DB) error {
			var err error
			why := "Retention: graduated " + countWord(graduatesYears, "year", "years") + " ago or more"
			if erased, err = eraseMember(tx, id, why, now); err != nil || !erased {
				return err
			}
			return tx.Create(&DataRequest{UserID: id, Kind: DataErasure, Status: DataRequestDone, RequestedAt: now,
				DueAt: &now, DoneAt: &now, Detail: erasureRetention}).Error
		})
		if err != nil {
			return res, fmt.Errorf("erasure of graduate %d: %w", id, err)
		}
		if erased {
			res.Graduates++
		}
	}
	return res, nil
}

// graduatesToErase lists the former students (still of the student role,
// not erased) who left year 6 by a roll-over long enough ago. Teachers,
// committee and members who never were in year 6 are never on it.
func graduatesToErase(db *gorm.DB, years int, now time.Time) ([]int64, error) {
	if years <= 0 {
		return nil, nil
	}
	// Every graduation of each of them (a year-6 row, later a graduate
	// row); the latest counts.
	var rows []YearRecord
	err := db.Raw(`SELECT g.* FROM users u JOIN year_history g ON g.user_id = u.id AND g.year_of_study IS NULL
WHERE u.role = ? AND u.year_of_study IS NULL AND u.erased_at IS NULL
AND EXISTS (SELECT 1 FROM year_history s WHERE s.user_id = u.id AND s.year_of_study = 6 AND s.valid_from < g.valid_from)
ORDER BY u.id, g.valid_from`, RoleStudent).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("graduates: %w", err)
	}
	latest := map[int64]time.Time{}
	var ids []int64
	for _, r := range rows {
		if _, ok := latest[r.UserID]; !ok {
			ids = append(ids, r.UserID)
		}
		latest[r.UserID] = r.ValidFrom.UTC()
	}
	var out []int64
	for _, id := range ids {
		if graduateErasable(latest[id], years, now) {
			out = append(out, id)
		}
	}
	return out, nil
}

// ErasureWaits tells whether data request id is an erasure still waiting
// for its day.
func ErasureWaits(ctx context.Context, st *store.Store, id int64) (bool, error) {
	var n int64
	err := st.Read(ctx).Model(&DataRequest{}).Where("id = ? AND kind = ? AND status = ?", id, DataErasure, DataRequestWaiting).Count(&n).Error
	return n > 0, err
}

// Erased tells whether the member's account has been erased.
func Erased(ctx context.Context, st *store.Store, userID int64) (bool, error) {
	var n int64
	err := st.Read(ctx).Model(&User{}).Where("id = ? AND erased_at IS NOT NULL", userID).Count(&n).Error
	return n > 0, err
}

// eraseMember erases a member's account in tx: what identifies them goes,
// and every record that past figures are made of stays, anonymous. It
// claims the account first and reports false, changing nothing, when it has
// been erased already. why goes into the audit log's line, which names the
// member by id only.
//
// The steps, one a line: a table that holds something of a member is
// added here.
func eraseMember(tx *gorm.DB, userID int64, why string, now time.Time) (bool, error) {
	now = now.UTC()
	u, err := userByID(tx, userID)
	if err != nil {
		return false, err
	}
	claim := tx.Exec("UPDATE users SET erased_at = ? WHERE id = ? AND erased_at IS NULL", now, userID)
	if claim.Error != nil || claim.RowsAffected == 0 {
		return false, claim.Error
	}
	// Seats they hold on sessions to come go to the waitlist, as if they
	// had cancelled.
	if err := cancelComingBookings(tx, u, now); err != nil {
		return false, err
	}
	placeholder := erasedAddress(userID)
	loginKey := "login:" + HashSecret(NormalizeEmail(u.Email))[:32] + "|%"
	for _, step := range []struct {
		what string
		sql  string
		args []any
	}{
		{"account", "UPDATE users SET name = ?, email = ?, password_hash = '', updated_at = ? WHERE id = ?", []any{ErasedName, placeholder, now, userID}},
		{"logins, API, reset and calendar tokens", "DELETE FROM tokens WHERE user_id = ?", []any{userID}},
		{"e-mail confirmation links", "DELETE FROM email_confirmations WHERE user_id = ?", []any{userID}},
		{"e-mail choices", "DELETE FROM mail_opt_outs WHERE user_id = ?", []any{userID}},
		{"log-in counters of their address and devices", "DELETE FROM login_attempts WHERE key LIKE ?", []any{loginKey}},
		{"e-mails not yet sent", "DELETE FROM outbox WHERE (user_id = ? OR to_addr = ?) AND status = 'pending'", []any{userID, u.Email}},
		{"e-mails sent", "UPDATE outbox SET to_addr = ?, to_name = ?, subject = '', body_text = '', data = '{}', last_error = '' WHERE user_id = ? OR to_addr = ?", []any{placeholder, ErasedName, userID, u.Email}},
		{"feedback comments (ratings stay)", "UPDATE feedback SET went_well = '', improve = '' WHERE user_id = ?", []any{userID}},
		{"certificates: withdrawn, their facts gone", "UPDATE certificates SET withdrawn_at = ?, data = '{}' WHERE user_id = ? AND withdrawn_at IS NULL", []any{now, userID}},
		{"mentoring applications' hopes and answers", "UPDATE mentoring_applications SET hopes = '', answers = '[]' WHERE user_id = ?", []any{userID}},
		{"applications to schemes not yet matched", "DELETE FROM mentoring_applications WHERE user_id = ? AND scheme_id IN (SELECT id FROM schemes WHERE status IN ('draft', 'open'))", []any{userID}},
		{"a mentee's goals", "UPDATE mentoring_pairs SET goals = '' WHERE mentee_id = ?", []any{userID}},
		{"meeting notes", "DELETE FROM mentoring_notes WHERE user_id = ?", []any{userID}},
		{"reasons to end a pair", "UPDATE mentoring_end_requests SET reason = '' WHERE user_id = ?", []any{userID}},
		{"mentoring invitations", "UPDATE scheme_invitations SET email = ? WHERE user_id = ? OR email = ?", []any{placeholder, userID, u.Email}},
		{"attendance reports they uploaded and did not apply", "DELETE FROM import_plans WHERE user_id = ?", []any{userID}},
		{"single sign-on identities", "DELETE FROM identities WHERE user_id = ?", []any{userID}},
		{"passkeys", "DELETE FROM passkeys WHERE user_id = ?", []any{userID}},
		{"passkeys being added", "DELETE FROM passkey_ceremonies WHERE user_id = ?", []any{userID}},
		{"copies of their data (files)", "DELETE FROM data_export_files WHERE request_id IN (SELECT request_id FROM data_exports WHERE user_id = ?)", []any{userID}},
		{"copies of their data (links)", "DELETE FROM data_exports WHERE user_id = ?", []any{userID}},
		{"copies of their data not yet sent", "UPDATE data_requests SET status = ?, cancelled_at = ? WHERE user_id = ? AND kind = ? AND status IN (?, ?)", []any{DataRequestCancelled, now, userID, DataExport, DataRequestWaiting, DataRequestReady}},
		{"their erasure, if they asked", "UPDATE data_requests SET status = ?, done_at = ? WHERE user_id = ? AND kind = ? AND status = ?", []any{DataRequestDone, now, userID, DataErasure, DataRequestWaiting}},
	} {
		if err := tx.Exec(step.sql, step.args...).Error; err != nil {
			return false, fmt.Errorf("erase %s: %w", step.what, err)
		}
	}
	if err := eraseQuestionnaireText(tx, userID); err != nil {
		return false, err
	}
	return true, audit(tx, User{Name: "Rounds"}, AuditAccountErased, "Member #"+strconv.FormatInt(userID, 10), why, now)
}

// cancelComingBookings cancels the member's seats and places in the queue
// on sessions that have not started, promoting whoever waits.
func cancelComingBookings(tx *gorm.DB, u User, now time.Time) error {
	var ids []int64
	err := tx.Model(&Booking{}).Joins("JOIN sessions ON sessions.id = bookings.session_id").
		Where("bookings.user_id = ? AND bookings.status IN ? AND sessions.starts_at > ?", u.ID, []BookingStatus{BookingConfirmed, BookingWaitlisted}, now).
		Order("bookings.session_id").Pluck("bookings.session_id", &ids).Error
	if err != nil {
		return fmt.Errorf("erase bookings to come: %w", err)
	}
	for _, sid := range ids {
		if _, err := cancelBooking(tx, u, sid, 0, now); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("erase booking on session %d: %w", sid, err)
		}
	}
	return nil
}

// eraseQuestionnaireText removes the member's written answers to
// questionnaires and keeps their ratings, which a scheme's evaluation counts.
func eraseQuestionnaireText(tx *gorm.DB, userID int64) error {
	var rows []struct {
		ID      int64
		Answers string
	}
	if err := tx.Raw("SELECT id, answers FROM questionnaire_responses WHERE user_id = ?", userID).Scan(&rows).Error; err != nil {
		return fmt.Errorf("erase questionnaire answers: %w", err)
	}
	for _, r := range rows {
		var a map[string]any
		if err := json.Unmarshal([]byte(r.Answers), &a); err != nil {
			a = map[string]any{}
		}
		b, _ := json.Marshal(withoutText(a))
		if err := tx.Exec("UPDATE questionnaire_responses SET answers = ? WHERE id = ?", string(b), r.ID).Error; err != nil {
			return fmt.Errorf("erase questionnaire answers: %w", err)
		}
	}
	return nil
}

// DataRequestRow is a line of committee's page of members' requests.
type DataRequestRow struct {
	DataRequest
	MemberName string `json:"member_name"`
}

// ByRetention tells whether the request is an erasure the retention policy
// made, not the member.
func (r DataRequestRow) ByRetention() bool { return r.Detail == erasureRetention }

// Reason says who asked, in words.
func (r DataRequestRow) Reason() string {
	if r.ByRetention() {
		return "Retention: graduated long enough ago"
	}
	return "Asked by the member"
}

// DataRequestsListed is how many requests committee's page lists, newest first.
const DataRequestsListed = 500

// DataRequests lists members' requests about their data, exports and
// erasures, newest first, for committee, who cannot change them.
func DataRequests(ctx context.Context, st *store.Store, actor User) ([]DataRequestRow, error) {
	if !actor.IsCommittee() {
		return nil, ErrForbidden
	}
	out := []DataRequestRow{}
	err := st.Read(ctx).Table("data_requests").
		Select("data_requests.*, users.name AS member_name").
		Joins("JOIN users ON users.id = data_requests.user_id").
		Order("data_requests.requested_at DESC, data_requests.id DESC").Limit(DataRequestsListed).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("data requests: %w", err)
	}
	for i := range out {
		out[i].inUTC()
	}
	return out, nil
}
