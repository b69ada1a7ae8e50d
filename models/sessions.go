package models

import (
	"bytes"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"net/url"
	"rounds/models/store"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Limits on what a session may hold.
const (
	MaxSessionLength      = 12 * time.Hour
	MaxSessionCapacity    = 10000
	MaxSessionTeachers    = 20
	maxSessionTitle       = 200
	maxSessionDescription = 10000
	maxSessionTopic       = 100
	maxSessionVenue       = 200
	maxSessionURL         = 2000
	maxCancelReason       = 1000
)

// Errors of the session and booking rules.
var (
	ErrSessionNotPublished = &Error{KindUnprocessable, "session_not_published", "This session is not open for booking."}
	ErrSessionCancelled    = &Error{KindUnprocessable, "session_cancelled", "This session has been cancelled."}
	ErrBookingClosed       = &Error{KindUnprocessable, "booking_closed", "Booking has closed: the session has already started."}
	ErrAlreadyBooked       = &Error{KindConflict, "already_booked", "There is already a booking for this person on this session."}
)

// YearGroups is the set of years of study (1–6) a session is aimed at,
// stored as a bitmask (bit 0 = year 1) and shown in JSON as a list, [1,2].
type YearGroups int

// YearGroupsOf makes the set of the given years; years outside 1–6 are
// ignored (validation reports them).
func YearGroupsOf(years ...int) YearGroups {
	var y YearGroups
	for _, n := range years {
		if n >= 1 && n <= 6 {
			y |= 1 << (n - 1)
		}
	}
	return y
}

// Has tells whether year is among the groups.
func (y YearGroups) Has(year int) bool {
	return year >= 1 && year <= 6 && y&(1<<(year-1)) != 0
}

// Years lists the years in order.
func (y YearGroups) Years() []int {
	out := []int{}
	for n := 1; n <= 6; n++ {
		if y.Has(n) {
			out = append(out, n)
		}
	}
	return out
}

// String is the years as people write them, "1, 2".
func (y YearGroups) String() string {
	parts := []string{}
	for _, n := range y.Years() {
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, ", ")
}

// MarshalJSON writes the years as a list.
func (y YearGroups) MarshalJSON() ([]byte, error) { return json.Marshal(y.Years()) }

// UnmarshalJSON reads a list of years.
func (y *YearGroups) UnmarshalJSON(b []byte) error {
	var years []int
	if err := json.Unmarshal(b, &years); err != nil {
		return err
	}
	*y = YearGroupsOf(years...)
	return nil
}

// Value stores the bitmask.
func (y YearGroups) Value() (driver.Value, error) { return int64(y), nil }

// Scan reads the bitmask.
func (y *YearGroups) Scan(v any) error {
	switch x := v.(type) {
	case int64:
		*y = YearGroups(x)
	case int32:
		*y = YearGroups(x)
	case []byte:
		n, err := strconv.Atoi(string(x))
		*y = YearGroups(n)
		return err
	case string:
		n, err := strconv.Atoi(x)
		*y = YearGroups(n)
		return err
	case nil:
		*y = 0
	default:
		return fmt.Errorf("year groups: cannot scan %T", v)
	}
	return nil
}

// Session is a teaching session. Its JSON holds the stored fields of the API
// shape except online_url, which only a SessionView shows, and only to those
// who may see it.
type Session struct {
	ID               int64         `json:"id"`
	Title            string        `json:"title"`
	Description      string        `json:"description"`
	Topic            string        `json:"topic"`
	Format           Format        `json:"format"`
	YearGroups       YearGroups    `json:"year_groups"`
	Mode             Mode          `json:"mode"`
	Venue            string        `json:"venue"`
	OnlineURL        string        `json:"-"`
	InPersonCapacity int           `json:"in_person_capacity"`
	OnlineCapacity   *int          `json:"online_capacity"` // nil or 0: unlimited
	StartsAt         time.Time     `json:"starts_at"`
	EndsAt           time.Time     `json:"ends_at"`
	Status           SessionStatus `json:"status"`
	CancelReason     string        `json:"cancel_reason,omitempty"`
	Sequence         int           `json:"-"` // iCalendar SEQUENCE: bumped by each published revision
	CreatedBy        *int64        `json:"-"`
	CreatedAt        time.Time     `json:"-"`
	UpdatedAt        time.Time     `json:"-"`

	// Seat counts and the back of the queue, kept by the booking rules in
	// the transaction that changes the bookings (see moveSeats).
	ConfirmedInPerson  int        `json:"-"`
	ConfirmedOnline    int        `json:"-"`
	WaitlistedInPerson int        `json:"-"`
	WaitlistedOnline   int        `json:"-"`
	QueueTail          *time.Time `json:"-"` // the newest queued_at of its bookings

	SeriesID *int64 `json:"series_id"` // the series it was made in, or nil

	// MembersOnly keeps the session off the public page and the landing
	// page: visitors who are not logged in are asked to log in.
	MembersOnly bool `json:"members_only"`
}

// AfterFind keeps times in UTC whatever the driver returns.
func (s *Session) AfterFind(*gorm.DB) error {
	s.inUTC()
	return nil
}

// inUTC puts the session's times in UTC: gorm's AfterFind, and the rows
// scanned without gorm (rows.go).
func (s *Session) inUTC() {
	s.StartsAt, s.EndsAt = s.StartsAt.UTC(), s.EndsAt.UTC()
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.QueueTail = utcPtr(s.QueueTail)
}

// Modes lists the booking modes the session offers.
func (s *Session) Modes() []Mode {
	switch s.Mode {
	case ModeInPerson:
		return []Mode{ModeInPerson}
	case ModeOnline:
		return []Mode{ModeOnline}
	case ModeHybrid:
		return []Mode{ModeInPerson, ModeOnline}
	}
	return nil
}

// Offers tells whether the session can be booked in the booking mode m.
func (s *Session) Offers(m Mode) bool {
	for _, x := range s.Modes() {
		if x == m {
			return true
		}
	}
	return false
}

// Capacity is the number of seats of booking mode m, or -1 for unlimited
// (online with no capacity set). A mode the session does not offer has 0.
func (s *Session) Capacity(m Mode) int {
	if !s.Offers(m) {
		return 0
	}
	if m == ModeOnline {
		if s.OnlineCapacity == nil || *s.OnlineCapacity == 0 {
			return -1
		}
		return *s.OnlineCapacity
	}
	return s.InPersonCapacity
}

// HasStarted tells whether the session has started at now.
func (s *Session) HasStarted(now time.Time) bool { return !now.Before(s.StartsAt) }

// HasEnded tells whether the session has ended at now.
func (s *Session) HasEnded(now time.Time) bool { return !now.Before(s.EndsAt) }

// sessionTeacherRow is one row of session_teachers.
type sessionTeacherRow struct {
	SessionID int64
	UserID    int64
}

func (sessionTeacherRow) TableName() string { return "session_teachers" }

// SessionTeacher is a teacher as a session shows them.
type SessionTeacher struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SessionInput is what a teacher sends to create or change a session. A nil
// field is left out: on create it takes its default (and required ones are
// reported missing), on update it stays as it is. It decodes straight from
// the API's JSON body.
type SessionInput struct {
	Title            *string    `json:"title"`
	Description      *string    `json:"description"`
	Topic            *string    `json:"topic"`
	Format           *Format    `json:"format"`
	YearGroups       *[]int     `json:"year_groups"`
	Mode             *Mode      `json:"mode"`
	Venue            *string    `json:"venue"`
	OnlineURL        *string    `json:"online_url"`
	InPersonCapacity *int       `json:"in_person_capacity"`
	OnlineCapacity   *int       `json:"online_capacity"` // 0 means unlimited
	StartsAt         *time.Time `json:"starts_at"`
	EndsAt           *time.Time `json:"ends_at"`
	TeacherIDs       *[]int64   `json:"teacher_ids"`
	MembersOnly      *bool      `json:"members_only"`
}

// UnmarshalJSON decodes the input, reading an explicit "online_capacity":
// null as unlimited (0) rather than as "leave unchanged".
func (in *SessionInput) UnmarshalJSON(b []byte) error {
	type plain SessionInput
	if err := json.Unmarshal(b, (*plain)(in)); err != nil {
		return err
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(b, &keys) == nil {
		if v, ok := keys["online_capacity"]; ok && bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			zero := 0
			in.OnlineCapacity = &zero
		}
	}
	return nil
}

// ---- authorisation -------------------------------------------------------

// IsTeacherOf tells whether the user is listed as a teacher of the session.
func IsTeacherOf(ctx context.Context, st *store.Store, userID, sessionID int64) (bool, error) {
	return isTeacherOf(st.Read(ctx), userID, sessionID)
}

// isTeacherOf is IsTeacherOf on a handle given by the caller (a transaction, or a read).
func isTeacherOf(db *gorm.DB, userID, sessionID int64) (bool, error) {
	var n int64
	err := db.Model(&sessionTeacherRow{}).Where("session_id = ? AND user_id = ?", sessionID, userID).Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("session teachers: %w", err)
	}
	return n > 0, nil
}

// sessionTeacherIDs lists the ids of those listed to teach the session.
func sessionTeacherIDs(db *gorm.DB, sessionID int64) ([]int64, error) {
	var ids []int64
	if err := db.Model(&sessionTeacherRow{}).Where("session_id = ?", sessionID).Pluck("user_id", &ids).Error; err != nil {
		return nil, fmt.Errorf("session teachers: %w", err)
	}
	return ids, nil
}

// CanManageSession is the policy for changing a session, its bookings and
// its register: committee, or a teacher (or committee member) listed as one
// of its teachers. A member who has lost the teacher role loses the right.
func CanManageSession(ctx context.Context, st *store.Store, u User, sessionID int64) (bool, error) {
	return canManageSession(st.Read(ctx), u, sessionID)
}

// canManageSession is CanManageSession on a handle given by the caller (a transaction, or a read).
func canManageSession(db *gorm.DB, u User, sessionID int64) (bool, error) {
	teacherIDs, err := teachersForPolicy(db, u, sessionID)
	if err != nil {
		return false, err
	}
	return canManage(u, teacherIDs), nil
}

// CanSeeSession is the policy for seeing a session: managers see it in any
// status; everyone logged in sees published sessions; a cancelled session is
// seen by those who had booked it (so the cancellation e-mail's link works);
// drafts are hidden.
func CanSeeSession(ctx context.Context, st *store.Store, u User, s Session) (bool, error) {
	return canSeeSession(st.Read(ctx), u, s)
}

// canSeeSession is CanSeeSession on a handle given by the caller (a transaction, or a read).
func canSeeSession(db *gorm.DB, u User, s Session) (bool, error) {
	var teacherIDs []int64
	booked := false
	// Whether a published session is seen turns on nothing in the
	// database, and it is the session nearly every page shows.
	if s.Status != SessionPublished {
		var err error
		if teacherIDs, booked, err = policyFacts(db, u, s); err != nil {
			return false, err
		}
	}
	return canSee(u, s, teacherIDs, booked), nil
}

// authorizeManage returns nil when actor may manage s, ErrNotFound when they
// may not even see it, and ErrForbidden when they see but may not manage.
func authorizeManage(db *gorm.DB, actor User, s Session) error {
	teacherIDs, booked, err := policyFacts(db, actor, s)
	if err != nil {
		return err
	}
	return manageError(actor, s, teacherIDs, booked)
}

// policyFacts loads what canManage and canSee read of u and s: the
// session's teachers, and whether u has booked it. Each is read only when
// the answer can turn on it, so that most questions cost one query or none.
func policyFacts(db *gorm.DB, u User, s Session) (teacherIDs []int64, booked bool, err error) {
	if teacherIDs, err = teachersForPolicy(db, u, s.ID); err != nil {
		return nil, false, err
	}
	if booked, err = bookedForPolicy(db, u, s, teacherIDs); err != nil {
		return nil, false, err
	}
	return teacherIDs, booked, nil
}

// teachersForPolicy reads the session's teachers when canManage turns on
// them: for a member with the teacher role who is not committee.
func teachersForPolicy(db *gorm.DB, u User, sessionID int64) ([]int64, error) {
	if u.ID == 0 || u.IsCommittee() || !u.CanTeach() {
		return nil, nil
	}
	return sessionTeacherIDs(db, sessionID)
}

// bookedForPolicy reads whether u has booked s (in any status) when canSee
// turns on it: a cancelled session that u does not manage.
func bookedForPolicy(db *gorm.DB, u User, s Session, teacherIDs []int64) (bool, error) {
	if s.Status != SessionCancelled || canManage(u, teacherIDs) {
		return false, nil
	}
	var n int64
	if err := db.Model(&Booking{}).Where("session_id = ? AND user_id = ?", s.ID, u.ID).Count(&n).Error; err != nil {
		return false, err
	}
	return n > 0, nil
}

// ---- reading ---------------------------------------------------------------

// SessionByID returns one session, whoever asks; use VisibleSession for a
// viewer.
func SessionByID(ctx context.Context, st *store.Store, id int64) (Session, error) {
	return scanSession(st.QueryRow(ctx, sessionByIDQuery, id), id)
}

// sessionByID is SessionByID on a handle given by the caller (a transaction, or a read).
func sessionByID(db *gorm.DB, id int64) (Session, error) {
	return scanSession(store.QueryRow(db, sessionByIDQuery, id), id)
}

// scanSession scans the row of sessionByIDQuery.
func scanSession(row *sql.Row, id int64) (Session, error) {
	var s Session
	if err := scanRow(row, s.fields()...); err != nil {
		return Session{}, fmt.Errorf("session %d: %w", id, err)
	}
	s.inUTC()
	return s, nil
}

// lockSession reads a session and, on PostgreSQL, locks its row until the
// transaction ends, so that rules that read and then write (capacity,
// waitlist order, seat counts) are serialised per session. SQLite's
// immediate transactions and single writer serialise them already.
//
// Every change of a session or its bookings locks it first, and marks its
// figures (markFiguresStale) as its last step: the session's row before its
// mark, the order RefreshFigures takes them in too.
func lockSession(tx *gorm.DB, id int64) (Session, error) {
	query := sessionByIDQuery // SQLite's immediate transactions have one writer
	if store.DialectOf(tx) == store.Postgres {
		query = sessionForUpdateQuery
	}
	var s Session
	if err := scanRow(store.QueryRow(tx, query, id), s.fields()...); err != nil {
		return Session{}, err
	}
	s.inUTC()
	return s, nil
}

var (
	sessionByIDQuery      = "SELECT " + sessionColumns + " FROM sessions WHERE id = $1"
	sessionForUpdateQuery = sessionByIDQuery + " FOR UPDATE"
)

// VisibleSession returns the session if viewer may see it, else ErrNotFound.
func VisibleSession(ctx context.Context, st *store.Store, viewer User, id int64) (Session, error) {
	return visibleSession(st.Read(ctx), viewer, id)
}

// visibleSession is VisibleSession on a handle given by the caller (a transaction, or a read).
func visibleSession(db *gorm.DB, viewer User, id int64) (Session, error) {
	s, err := sessionByID(db, id)
	if err != nil {
		return Session{}, err
	}
	ok, err := canSeeSession(db, viewer, s)
	if err != nil {
		return Session{}, fmt.Errorf("session %d: %w", id, err)
	}
	if !ok {
		return Session{}, fmt.Errorf("session %d: %w", id, ErrNotFound)
	}
	return s, nil
}

// SessionTeachers lists the teachers of a session by name.
func SessionTeachers(ctx context.Context, st *store.Store, sessionID int64) ([]SessionTeacher, error) {
	return sessionTeachers(st.Read(ctx), sessionID)
}

// sessionTeachers is SessionTeachers on a handle given by the caller (a transaction, or a read).
func sessionTeachers(db *gorm.DB, sessionID int64) ([]SessionTeacher, error) {
	m, err := teachersOf(db, []int64{sessionID})
	if err != nil {
		return nil, err
	}
	return m[sessionID], nil
}

// SessionFilter narrows ListSessions. Zero fields do not filter.
type SessionFilter struct {
	From      time.Time // sessions that end after From
	To        time.Time // sessions that start before To
	Year      int       // aimed at this year of study (1–6)
	Mode      Mode      // in_person or online also match hybrid sessions; hybrid only hybrid ones
	Topic     string    // exact topic, case-insensitive
	Format    Format
	Q         string        // words in the title, topic or description
	Status    SessionStatus // draft, published or cancelled
	TeacherID int64         // taught by this member
	Limit     int           // default and maximum 1000
	Offset    int
}

// ListSessions returns the sessions viewer may see that match f, ordered by
// start. Without a status filter, students see published sessions, teachers
// published sessions and every session they teach, committee everything.
// With one, the status is applied to what the viewer may see, so a student
// asking for cancelled sessions gets the cancelled sessions they had booked.
func ListSessions(ctx context.Context, st *store.Store, viewer User, f SessionFilter) ([]Session, error) {
	db := st.Read(ctx)
	q, err := sessionQuery(db, viewer, f)
	if err != nil || q == nil {
		return []Session{}, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out, err := scanSessions(q.Select(qualified("sessions", sessionColumns)).
		Order("sessions.starts_at, sessions.id").Limit(limit).Offset(max(f.Offset, 0)))
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	return out, nil
}

// SessionTopics lists the different topics of the sessions viewer may see
// that match f (as ListSessions), sorted, each once whatever its case.
func SessionTopics(ctx context.Context, st *store.Store, viewer User, f SessionFilter) ([]string, error) {
	cond, err := sessionWhere(viewer, f)
	if err != nil || cond == nil {
		return nil, err
	}
	where := " WHERE sessions.topic <> ''"
	if cond.sql != "" {
		where += " AND " + cond.numbered(1)
	}
	topics, err := scanStrings(st.Read(ctx), "SELECT DISTINCT sessions.topic FROM sessions"+where, cond.args...)
	if err != nil {
		return nil, fmt.Errorf("session topics: %w", err)
	}
	sort.Slice(topics, func(i, j int) bool {
		a, b := strings.ToLower(topics[i]), strings.ToLower(topics[j])
		return a < b || (a == b && topics[i] < topics[j])
	})
	return slices.CompactFunc(topics, strings.EqualFold), nil
}

// sessionQuery is the query for the sessions viewer may see that match f,
// or nil when viewer may see none.
func sessionQuery(db *gorm.DB, viewer User, f SessionFilter) (*gorm.DB, error) {
	cond, err := sessionWhere(viewer, f)
	if err != nil || cond == nil {
		return nil, err
	}
	q := db.Model(&Session{})
	if cond.sql != "" {
		q = q.Where(cond.sql, cond.args...)
	}
	return q, nil
}

// sessionCond is the condition on the sessions table, with ? placeholders,
// that picks the sessions a viewer may see that match a filter: GORM's
// queries take it as it is, straight statements after numbered.
type sessionCond struct {
	sql  string // "" matches every session
	args []any
}

func (c *sessionCond) and(sql string, args ...any) {
	if c.sql != "" {
		c.sql += " AND "
	}
	c.sql += sql
	c.args = append(c.args, args...)
}

// numbered is the condition with its placeholders written $from, $from+1,
// …, as straight statements have them on both databases.
func (c *sessionCond) numbered(from int) string {
	var b strings.Builder
	for _, r := range c.sql {
		if r == '?' {
			b.WriteString("$" + strconv.Itoa(from))
			from++
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sessionWhere checks f and makes the condition for the sessions viewer
// may see that match it; nil when viewer may see none.
func sessionWhere(viewer User, f SessionFilter) (*sessionCond, error) {
	p := Problems{}
	if f.Year != 0 && (f.Year < 1 || f.Year > 6) {
		p.Add("year", "Choose a year from 1 to 6.")
	}
	if f.Mode != "" && !f.Mode.Valid() {
		p.Add("mode", ChooseMessage(Modes...))
	}
	if f.Format != "" && !f.Format.Valid() {
		p.Add("format", ChooseMessage(Formats...))
	}
	if f.Status != "" && !f.Status.Valid() {
		p.Add("status", ChooseMessage(SessionStatuses...))
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		p.Add("to", "Choose an end after the start.")
	}
	checkSearch(p, f.Q)
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	if viewer.ID == 0 {
		return nil, nil
	}

	q := &sessionCond{}
	teaches := "EXISTS (SELECT 1 FROM session_teachers st WHERE st.session_id = sessions.id AND st.user_id = ?)"
	booked := "EXISTS (SELECT 1 FROM bookings b WHERE b.session_id = sessions.id AND b.user_id = ?)"
	switch {
	case viewer.IsCommittee():
	case f.Status == "":
		if viewer.CanTeach() {
			q.and("(sessions.status = ? OR "+teaches+")", SessionPublished, viewer.ID)
		} else {
			q.and("sessions.status = ?", SessionPublished)
		}
	default:
		if viewer.CanTeach() {
			q.and("(sessions.status = ? OR "+teaches+" OR (sessions.status = ? AND "+booked+"))",
				SessionPublished, viewer.ID, SessionCancelled, viewer.ID)
		} else {
			q.and("(sessions.status = ? OR (sessions.status = ? AND "+booked+"))",
				SessionPublished, SessionCancelled, viewer.ID)
		}
	}
	if f.Status != "" {
		q.and("sessions.status = ?", f.Status)
	}
	if !f.From.IsZero() {
		q.and("sessions.ends_at > ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q.and("sessions.starts_at < ?", f.To.UTC())
	}
	if f.Year != 0 {
		q.and("(sessions.year_groups & ?) <> 0", int(YearGroupsOf(f.Year)))
	}
	switch f.Mode {
	case ModeInPerson, ModeOnline:
		q.and("sessions.mode IN (?, ?)", f.Mode, ModeHybrid)
	case ModeHybrid:
		q.and("sessions.mode = ?", ModeHybrid)
	}
	if t := strings.TrimSpace(f.Topic); t != "" {
		q.and("LOWER(sessions.topic) = ?", strings.ToLower(t))
	}
	if f.Format != "" {
		q.and("sessions.format = ?", f.Format)
	}
	for _, word := range strings.Fields(strings.ToLower(f.Q)) {
		like := "%" + escapeLike(word) + "%"
		q.and(`(LOWER(sessions.title) LIKE ? ESCAPE '\' OR LOWER(sessions.topic) LIKE ? ESCAPE '\' OR LOWER(sessions.description) LIKE ? ESCAPE '\')`, like, like, like)
	}
	if f.TeacherID != 0 {
		q.and(teaches, f.TeacherID)
	}
	return q, nil
}

// ---- the JSON view ---------------------------------------------------------

// SessionCounts counts a session's live bookings.
type SessionCounts struct {
	ConfirmedInPerson  int `json:"confirmed_in_person"`
	ConfirmedOnline    int `json:"confirmed_online"`
	Waitlisted         int `json:"waitlisted"`
	WaitlistedInPerson int `json:"waitlisted_in_person"`
	WaitlistedOnline   int `json:"waitlisted_online"`
}

// Confirmed is the number of confirmed bookings of booking mode m.
func (c SessionCounts) Confirmed(m Mode) int {
	if m == ModeOnline {
		return c.ConfirmedOnline
	}
	return c.ConfirmedInPerson
}

// inQueue is the number of waitlisted bookings of booking mode m.
func (c SessionCounts) inQueue(m Mode) int {
	if m == ModeOnline {
		return c.WaitlistedOnline
	}
	return c.WaitlistedInPerson
}

func (c *SessionCounts) add(mode Mode, status BookingStatus, n int) {
	switch {
	case status == BookingConfirmed && mode == ModeInPerson:
		c.ConfirmedInPerson += n
	case status == BookingConfirmed && mode == ModeOnline:
		c.ConfirmedOnline += n
	case status == BookingWaitlisted && mode == ModeInPerson:
		c.WaitlistedInPerson += n
		c.Waitlisted += n
	case status == BookingWaitlisted && mode == ModeOnline:
		c.WaitlistedOnline += n
		c.Waitlisted += n
	}
}

// SeatCounts are the session's live bookings, as kept on its row.
func (s *Session) SeatCounts() SessionCounts {
	return SessionCounts{
		ConfirmedInPerson: s.ConfirmedInPerson, ConfirmedOnline: s.ConfirmedOnline,
		WaitlistedInPerson: s.WaitlistedInPerson, WaitlistedOnline: s.WaitlistedOnline,
		Waitlisted: s.WaitlistedInPerson + s.WaitlistedOnline,
	}
}

// CountBookings returns the confirmed and waitlisted bookings of a session.
func CountBookings(ctx context.Context, st *store.Store, sessionID int64) (SessionCounts, error) {
	db := st.Read(ctx)
	s, err := sessionByID(db, sessionID)
	if err != nil {
		return SessionCounts{}, err
	}
	return s.SeatCounts(), nil
}

// seatCounter is the session row's column, and s's field, that counts
// bookings of mode in a live status; "" and nil for any other status. Only
// moveSeats changes them through it; rules read SeatCounts.
func (s *Session) seatCounter(mode Mode, status BookingStatus) (string, *int) {
	switch {
	case mode == ModeInPerson && status == BookingConfirmed:
		return "confirmed_in_person", &s.ConfirmedInPerson
	case mode == ModeOnline && status == BookingConfirmed:
		return "confirmed_online", &s.ConfirmedOnline
	case mode == ModeInPerson && status == BookingWaitlisted:
		return "waitlisted_in_person", &s.WaitlistedInPerson
	case mode == ModeOnline && status == BookingWaitlisted:
		return "waitlisted_online", &s.WaitlistedOnline
	}
	return "", nil
}

// moveSeats records that n bookings of mode went from status from to status
// to ("" for a new booking), in the session row and in s, and, with a tail,
// that the back of the queue is now there. It is the one place the seat
// counts and the queue tail change (RecountSeats aside, which repairs them
// from the bookings), so that they cannot drift from the bookings. The
// caller holds the session's lock (lockSession) in the transaction that
// changes the bookings.
func moveSeats(tx *gorm.DB, s *Session, mode Mode, from, to BookingStatus, n int, tail *time.Time) error {
	update, args := seatsUpdate(s, mode, from, to, n, tail, 1)
	if update == "" {
		return nil
	}
	// Plain SQL from the fixed column names of seatsUpdate: this runs in
	// every booking's transaction.
	_, err := store.Exec(tx, update, args...)
	return err
}

// seatsUpdate is moveSeats's statement and its values, numbered from
// $first, for a statement of its own or a clause of a larger one (bookSeat
// on PostgreSQL); it counts the move in s. The statement is empty when
// nothing moves.
func seatsUpdate(s *Session, mode Mode, from, to BookingStatus, n int, tail *time.Time, first int) (string, []any) {
	var set []string
	var args []any
	mark := func() string { return "$" + strconv.Itoa(first+len(args)-1) }
	for _, step := range []struct {
		status BookingStatus
		by     int
	}{{from, -n}, {to, n}} {
		col, count := s.seatCounter(mode, step.status)
		if count == nil || n == 0 {
			continue
		}
		*count += step.by
		args = append(args, step.by)
		set = append(set, col+" = "+col+" + "+mark())
	}
	if tail != nil {
		t := tail.UTC()
		s.QueueTail = &t
		args = append(args, t)
		set = append(set, "queue_tail = "+mark())
	}
	if len(set) == 0 {
		return "", nil
	}
	args = append(args, s.ID)
	return "UPDATE sessions SET " + strings.Join(set, ", ") + " WHERE id = " + mark(), args
}

// nextQueuedAt is the queue time of a new place: now, or just after the
// back of the queue if the clock has not moved past it, so that a new place
// is always at the back.
func (s *Session) nextQueuedAt(now time.Time) time.Time {
	now = now.UTC().Truncate(time.Microsecond)
	if s.QueueTail != nil && !now.After(*s.QueueTail) {
		return s.QueueTail.Add(time.Microsecond)
	}
	return now
}

// countSeats counts the live bookings of sessions from the bookings
// themselves.
func countSeats(db *gorm.DB, ids []int64) (map[int64]SessionCounts, error) {
	out := map[int64]SessionCounts{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		SessionID int64
		Mode      Mode
		Status    BookingStatus
		N         int
	}
	err := db.Model(&Booking{}).Select("session_id, mode, status, COUNT(*) AS n").
		Where("session_id IN ? AND status <> ?", ids, BookingCancelled).
		Group("session_id, mode, status").Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("count bookings: %w", err)
	}
	for _, r := range rows {
		c := out[r.SessionID]
		c.add(r.Mode, r.Status, r.N)
		out[r.SessionID] = c
	}
	return out, nil
}

// miscountedSeats lists the sessions whose seat counts differ from their
// bookings; there should be none. The tests check moveSeats with it.
func miscountedSeats(ctx context.Context, st *store.Store) ([]int64, error) {
	db := st.Read(ctx)
	var ss []Session
	if err := db.Select("id, confirmed_in_person, confirmed_online, waitlisted_in_person, waitlisted_online").Order("id").Find(&ss).Error; err != nil {
		return nil, fmt.Errorf("check seat counts: %w", err)
	}
	var wrong []int64
	for start := 0; start < len(ss); start += 500 {
		part := ss[start:min(start+500, len(ss))]
		ids := make([]int64, len(part))
		for i, s := range part {
			ids[i] = s.ID
		}
		counted, err := countSeats(db, ids)
		if err != nil {
			return nil, err
		}
		for _, s := range part {
			if s.SeatCounts() != counted[s.ID] {
				wrong = append(wrong, s.ID)
			}
		}
	}
	return wrong, nil
}

// RecountSeats sets every session's seat counts and queue tail from its
// bookings, for bookings written by other means than the booking rules
// (bulk loads).
func RecountSeats(ctx context.Context, st *store.Store) error {
	const count = "(SELECT COUNT(*) FROM bookings b WHERE b.session_id = sessions.id AND b.mode = ? AND b.status = ?)"
	err := st.Write(ctx, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE sessions SET confirmed_in_person = "+count+", confirmed_online = "+count+
			", waitlisted_in_person = "+count+", waitlisted_online = "+count+
			", queue_tail = (SELECT MAX(b.queued_at) FROM bookings b WHERE b.session_id = sessions.id)",
			ModeInPerson, BookingConfirmed, ModeOnline, BookingConfirmed, ModeInPerson, BookingWaitlisted, ModeOnline, BookingWaitlisted).Error
	})
	if err != nil {
		return fmt.Errorf("recount seats: %w", err)
	}
	return nil
}

// SessionView is a session as the API shows it to one viewer: online_url
// only for its teachers, committee and those with a confirmed booking (null
// otherwise), and the viewer's own live booking (null if none).
type SessionView struct {
	Session
	OnlineURL *string          `json:"online_url"`
	Teachers  []SessionTeacher `json:"teachers"`
	Counts    SessionCounts    `json:"counts"`
	MyBooking *Booking         `json:"my_booking"`
	CanManage bool             `json:"-"` // the viewer may edit it and see its bookings
}

// SeatsLeft is the number of free seats of booking mode m, or -1 for
// unlimited.
func (v *SessionView) SeatsLeft(m Mode) int {
	c := v.Capacity(m)
	if c < 0 {
		return -1
	}
	return max(c-v.Counts.Confirmed(m), 0)
}

// SessionViewByID returns the view of a session for viewer, or ErrNotFound
// if they may not see it.
func SessionViewByID(ctx context.Context, st *store.Store, viewer User, id int64) (SessionView, error) {
	db := st.Read(ctx)
	s, err := visibleSession(db, viewer, id)
	if err != nil {
		return SessionView{}, err
	}
	return viewSession(db, viewer, s)
}

// ViewSession builds the API view of s for viewer. It does not check that
// the viewer may see s; VisibleSession and ListSessions do.
func ViewSession(ctx context.Context, st *store.Store, viewer User, s Session) (SessionView, error) {
	return viewSession(st.Read(ctx), viewer, s)
}

// viewSession is ViewSession on a handle given by the caller (a transaction, or a read).
func viewSession(db *gorm.DB, viewer User, s Session) (SessionView, error) {
	vs, err := viewSessions(db, viewer, []Session{s})
	if err != nil {
		return SessionView{}, err
	}
	return vs[0], nil
}

// ViewSessions builds the API views of many sessions for viewer in a few
// queries.
func ViewSessions(ctx context.Context, st *store.Store, viewer User, ss []Session) ([]SessionView, error) {
	return viewSessions(st.Read(ctx), viewer, ss)
}

// viewSessions is ViewSessions on a handle given by the caller (a transaction, or a read).
func viewSessions(db *gorm.DB, viewer User, ss []Session) ([]SessionView, error) {
	out := make([]SessionView, len(ss))
	if len(ss) == 0 {
		return out, nil
	}
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	teachers, err := teachersOf(db, ids)
	if err != nil {
		return nil, err
	}
	mine := map[int64]*Booking{}
	if viewer.ID != 0 {
		if mine, err = liveBookingsOf(db, viewer.ID, ids); err != nil {
			return nil, err
		}
	}
	for i, s := range ss {
		out[i] = sessionView(viewer, s, teachers[s.ID], mine[s.ID])
	}
	return out, nil
}

// ---- writing ---------------------------------------------------------------

// CreateSession stores a new draft session. Teachers and committee may
// create sessions; the creator teaches it unless TeacherIDs names others
// (who must have the teacher or committee role). Only committee may create a
// session that has already started, to back-fill records.
func CreateSession(ctx context.Context, st *store.Store, actor User, in SessionInput, now time.Time) (Session, error) {
	if !actor.CanTeach() {
		return Session{}, fmt.Errorf("create session: %w", ErrForbidden)
	}
	now = now.UTC()
	s := Session{Status: SessionDraft, CreatedAt: now, UpdatedAt: now}
	if actor.ID != 0 {
		id := actor.ID
		s.CreatedBy = &id
	}
	p := Problems{}
	applySessionInput(p, &s, in)
	teacherIDs := []int64{actor.ID}
	if in.TeacherIDs != nil {
		teacherIDs = *in.TeacherIDs
	}
	var out Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		ids, err := checkSessionTeachers(tx, p, teacherIDs)
		if err != nil {
			return err
		}
		checkSession(p, s)
		if !s.StartsAt.IsZero() && s.StartsAt.Before(now) && !actor.IsCommittee() {
			p.Add("starts_at", "Choose a start in the future; only committee may add past sessions.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if err := tx.Create(&s).Error; err != nil {
			return err
		}
		if err := markFiguresStale(tx, s.ID); err != nil {
			return err
		}
		if err := setSessionTeachers(tx, s.ID, ids); err != nil {
			return err
		}
		out = s
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return out, nil
}

// UpdateSession changes the fields given in in. Its teachers and committee
// may do so, unless the session is cancelled. When a published session's
// time or place (start, end, venue, online link) changes, everyone confirmed
// or waitlisted gets a session_changed e-mail, queued in the same
// transaction; each published revision bumps Sequence. Lowering a capacity
// never un-confirms anyone; raising one promotes the waitlist in order. Only
// committee may move a session's start into the past.
func UpdateSession(ctx context.Context, st *store.Store, actor User, id int64, in SessionInput, now time.Time) (Session, error) {
	now = now.UTC()
	var out Session
	err := st.Write(ctx, func(tx *gorm.DB) (err error) {
		out, err = updateSession(tx, actor, id, in, now)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("update session %d: %w", id, err)
	}
	return out, nil
}

// updateSession is UpdateSession in the caller's transaction tx.
func updateSession(tx *gorm.DB, actor User, id int64, in SessionInput, now time.Time) (Session, error) {
	var out Session
	err := func() error {
		old, err := lockSession(tx, id)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, old); err != nil {
			return err
		}
		if old.Status == SessionCancelled {
			return ErrSessionCancelled
		}
		s := old
		p := Problems{}
		applySessionInput(p, &s, in)
		var teacherIDs []int64
		if in.TeacherIDs != nil {
			if teacherIDs, err = checkSessionTeachers(tx, p, *in.TeacherIDs); err != nil {
				return err
			}
		}
		checkSession(p, s)
		if !s.StartsAt.Equal(old.StartsAt) && s.StartsAt.Before(now) && !actor.IsCommittee() {
			p.Add("starts_at", "Choose a start in the future; only committee may move a session into the past.")
		}
		checkModeDrop(p, old, s)
		if err := p.Err(); err != nil {
			return err
		}

		when := !s.StartsAt.Equal(old.StartsAt) || !s.EndsAt.Equal(old.EndsAt)
		where := s.Venue != old.Venue || s.OnlineURL != old.OnlineURL
		revised := when || where || s.Title != old.Title || s.Description != old.Description ||
			s.Topic != old.Topic || s.Format != old.Format || s.Mode != old.Mode
		if s.Status == SessionPublished && revised {
			s.Sequence++
		}
		s.UpdatedAt = now
		err = tx.Model(&Session{}).Where("id = ?", id).Updates(map[string]any{
			"title": s.Title, "description": s.Description, "topic": s.Topic, "format": s.Format,
			"year_groups": int(s.YearGroups), "mode": s.Mode, "venue": s.Venue, "online_url": s.OnlineURL,
			"in_person_capacity": s.InPersonCapacity, "online_capacity": s.OnlineCapacity,
			"starts_at": s.StartsAt, "ends_at": s.EndsAt, "sequence": s.Sequence, "updated_at": now,
			"members_only": s.MembersOnly,
		}).Error
		if err != nil {
			return err
		}
		if in.TeacherIDs != nil {
			if err := setSessionTeachers(tx, id, teacherIDs); err != nil {
				return err
			}
		}
		if s.Status == SessionPublished && (when || where) {
			if err := mailSessionChanged(tx, old, s, now); err != nil {
				return err
			}
		}
		// A capacity raised lets the queue in, who are sent their e-mails.
		if _, err := promoteWaitlisted(tx, s, now, s.Modes()...); err != nil {
			return err
		}

		// Mark the figures stale when the session's end, before the change
		// or after it, is near or past.
		if figuresAffected(old, now) || figuresAffected(s, now) {
			if err := markFiguresStale(tx, id); err != nil {
				return err
			}
		}
		out = s
		return nil
	}()
	return out, err
}

// mailSessionChanged queues one session_changed e-mail per live booking;
// the key carries the new sequence, so each change is its own e-mail.
func mailSessionChanged(tx *gorm.DB, old, s Session, now time.Time) error {
	var changed []string
	if !s.StartsAt.Equal(old.StartsAt) || !s.EndsAt.Equal(old.EndsAt) {
		changed = append(changed, "time")
	}
	if s.Venue != old.Venue {
		changed = append(changed, "venue")
	}
	if s.OnlineURL != old.OnlineURL {
		changed = append(changed, "online_url")
	}
	data := map[string]string{
		"changed":       strings.Join(changed, ","),
		"starts_at":     s.StartsAt.Format(time.RFC3339),
		"ends_at":       s.EndsAt.Format(time.RFC3339),
		"venue":         s.Venue,
		"old_starts_at": old.StartsAt.Format(time.RFC3339),
		"old_ends_at":   old.EndsAt.Format(time.RFC3339),
		"old_venue":     old.Venue,
		"sequence":      strconv.Itoa(s.Sequence),
	}
	return mailBookedMembers(tx, s.ID, MailSessionChanged, func(userID int64) string {
		return MailKey(MailSessionChanged, userID, s.ID) + ":" + strconv.Itoa(s.Sequence)
	}, data, now)
}

// mailBookedMembers queues an e-mail of kind to everyone confirmed or
// waitlisted on the session.
func mailBookedMembers(tx *gorm.DB, sessionID int64, kind MailKind, key func(userID int64) string, data map[string]string, now time.Time) error {
	var rows []struct {
		ID    int64
		Email string
		Name  string
	}
	err := tx.Table("bookings").Select("users.id, users.email, users.name").
		Joins("JOIN users ON users.id = bookings.user_id").
		Where("bookings.session_id = ? AND bookings.status IN ?", sessionID, []BookingStatus{BookingConfirmed, BookingWaitlisted}).
		Order("bookings.id").Scan(&rows).Error
	if err != nil {
		return err
	}
	for _, r := range rows {
		_, err := enqueue(tx, Email{Kind: kind, Key: key(r.ID), UserID: r.ID, SessionID: sessionID, To: r.Email, ToName: r.Name, Data: data}, now)
		if err != nil {
			return err
		}
	}
	return nil
}

// PublishSession opens a draft for booking. Publishing a published session
// changes nothing; a cancelled one cannot be published again.
func PublishSession(ctx context.Context, st *store.Store, actor User, id int64, now time.Time) (Session, error) {
	now = now.UTC()
	var out Session
	err := st.Write(ctx, func(tx *gorm.DB) (err error) {
		out, err = publishSession(tx, actor, id, now)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("publish session %d: %w", id, err)
	}
	return out, nil
}

// publishSession is PublishSession in the caller's transaction tx.
func publishSession(tx *gorm.DB, actor User, id int64, now time.Time) (Session, error) {
	var out Session
	err := func() error {
		s, err := lockSession(tx, id)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, s); err != nil {
			return err
		}
		switch s.Status {
		case SessionCancelled:
			return ErrSessionCancelled
		case SessionPublished:
			out = s
			return nil
		}
		// A draft was valid when saved, but the rules may have grown since.
		p := Problems{}
		checkSession(p, s)
		if err := p.Err(); err != nil {
			return err
		}
		s.Status, s.UpdatedAt = SessionPublished, now
		if err := tx.Model(&Session{}).Where("id = ?", id).Updates(map[string]any{"status": s.Status, "updated_at": now}).Error; err != nil {
			return err
		}
		if figuresAffected(s, now) {
			if err := markFiguresStale(tx, id); err != nil {
				return err
			}
		}
		out = s
		return nil
	}()
	return out, err
}

// CancelSession cancels a session and, in the same transaction, queues a
// session_cancelled e-mail (with the reason) to everyone confirmed or
// waitlisted. Bookings keep their status, so their holders still see the
// session and its calendar entry can say it is cancelled; statistics should
// leave cancelled sessions out. Cancelling a cancelled session changes
// nothing.
func CancelSession(ctx context.Context, st *store.Store, actor User, id int64, reason string, now time.Time) (Session, error) {
	now = now.UTC()
	reason = strings.TrimSpace(reason)
	p := Problems{}
	checkSessionText(p, "reason", reason, maxCancelReason, true)
	if err := p.Err(); err != nil {
		return Session{}, fmt.Errorf("cancel session %d: %w", id, err)
	}
	var out Session
	err := st.Write(ctx, func(tx *gorm.DB) (err error) {
		out, err = cancelSession(tx, actor, id, reason, now)
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("cancel session %d: %w", id, err)
	}
	return out, nil
}

// cancelSession is CancelSession in the caller's transaction tx.
func cancelSession(tx *gorm.DB, actor User, id int64, reason string, now time.Time) (Session, error) {
	var out Session
	err := func() error {
		s, err := lockSession(tx, id)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, s); err != nil {
			return err
		}
		if s.Status == SessionCancelled {
			out = s
			return nil
		}
		wasPublished := s.Status == SessionPublished
		s.Status, s.CancelReason, s.UpdatedAt = SessionCancelled, reason, now
		s.Sequence++
		err = tx.Model(&Session{}).Where("id = ?", id).Updates(map[string]any{
			"status": s.Status, "cancel_reason": reason, "sequence": s.Sequence, "updated_at": now,
		}).Error
		if err != nil {
			return err
		}
		if wasPublished {
			data := map[string]string{"reason": reason}
			err := mailBookedMembers(tx, id, MailSessionCancelled, func(userID int64) string {
				return MailKey(MailSessionCancelled, userID, id)
			}, data, now)
			if err != nil {
				return err
			}
		}
		if figuresAffected(s, now) {
			if err := markFiguresStale(tx, id); err != nil {
				return err
			}
		}
		out = s
		return nil
	}()
	return out, err
}

// ---- validation ------------------------------------------------------------

// applySessionInput copies the given fields onto s, normalised, noting what
// cannot be represented (years outside 1–6).
func applySessionInput(p Problems, s *Session, in SessionInput) {
	if in.Title != nil {
		s.Title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		s.Description = strings.TrimSpace(strings.ReplaceAll(*in.Description, "\r\n", "\n"))
	}
	if in.Topic != nil {
		s.Topic = strings.TrimSpace(*in.Topic)
	}
	if in.Format != nil {
		s.Format = Format(strings.TrimSpace(string(*in.Format)))
	}
	if in.YearGroups != nil {
		for _, y := range *in.YearGroups {
			if y < 1 || y > 6 {
				p.Add("year_groups", "Choose years of study from 1 to 6.")
			}
		}
		s.YearGroups = YearGroupsOf(*in.YearGroups...)
	}
	if in.Mode != nil {
		s.Mode = Mode(strings.TrimSpace(string(*in.Mode)))
	}
	if in.Venue != nil {
		s.Venue = strings.TrimSpace(*in.Venue)
	}
	if in.OnlineURL != nil {
		s.OnlineURL = strings.TrimSpace(*in.OnlineURL)
	}
	if in.InPersonCapacity != nil {
		s.InPersonCapacity = *in.InPersonCapacity
	}
	if in.OnlineCapacity != nil {
		if *in.OnlineCapacity == 0 {
			s.OnlineCapacity = nil
		} else {
			c := *in.OnlineCapacity
			s.OnlineCapacity = &c
		}
	}
	if in.StartsAt != nil {
		s.StartsAt = in.StartsAt.UTC().Truncate(time.Microsecond)
	}
	if in.EndsAt != nil {
		s.EndsAt = in.EndsAt.UTC().Truncate(time.Microsecond)
	}
	if in.MembersOnly != nil {
		s.MembersOnly = *in.MembersOnly
	}
}

// checkSession reports what is wrong with a session as it would be stored.
func checkSession(p Problems, s Session) {
	if s.Title == "" {
		p.Add("title", "Enter a title.")
	}
	checkSessionText(p, "title", s.Title, maxSessionTitle, false)
	checkSessionText(p, "description", s.Description, maxSessionDescription, true)
	checkSessionText(p, "topic", s.Topic, maxSessionTopic, false)
	if !s.Format.Valid() {
		p.Add("format", ChooseMessage(Formats...))
	}
	if s.YearGroups == 0 {
		p.Add("year_groups", "Choose at least one year of study, from 1 to 6.")
	}
	if !s.Mode.Valid() {
		p.Add("mode", ChooseMessage(Modes...))
	}
	checkSessionText(p, "venue", s.Venue, maxSessionVenue, false)
	if s.Venue == "" && (s.Mode == ModeInPerson || s.Mode == ModeHybrid) {
		p.Add("venue", "Enter where the session takes place.")
	}
	if s.OnlineURL == "" {
		if s.Mode == ModeOnline || s.Mode == ModeHybrid {
			p.Add("online_url", "Enter the link to join online (http or https).")
		}
	} else if !validSessionURL(s.OnlineURL) {
		p.Add("online_url", "Enter a web link starting with https:// or http://.")
	}
	switch c := s.InPersonCapacity; {
	case c < 0 || c > MaxSessionCapacity:
		p.Add("in_person_capacity", fmt.Sprintf("Choose a number of seats from 0 to %d.", MaxSessionCapacity))
	case c < 1 && (s.Mode == ModeInPerson || s.Mode == ModeHybrid):
		p.Add("in_person_capacity", "Enter how many seats there are in the room (at least 1).")
	}
	if c := s.OnlineCapacity; c != nil && (*c < 0 || *c > MaxSessionCapacity) {
		p.Add("online_capacity", fmt.Sprintf("Choose a number of online places from 0 (unlimited) to %d.", MaxSessionCapacity))
	}
	switch {
	case s.StartsAt.IsZero():
		p.Add("starts_at", "Enter when the session starts.")
	case s.StartsAt.Year() < 2000 || s.StartsAt.Year() > 2200:
		p.Add("starts_at", "Enter a start date between the years 2000 and 2200.")
	}
	switch {
	case s.EndsAt.IsZero():
		p.Add("ends_at", "Enter when the session ends.")
	case s.StartsAt.IsZero():
	case !s.EndsAt.After(s.StartsAt):
		p.Add("ends_at", "Choose an end after the start.")
	case s.EndsAt.Sub(s.StartsAt) > MaxSessionLength:
		p.Add("ends_at", "A session lasts at most 12 hours.")
	}
}

// checkSessionText refuses what is not plain text: invalid UTF-8, control
// characters (line breaks only where multiline), and overlong values.
func checkSessionText(p Problems, field, s string, maxRunes int, multiline bool) {
	if !utf8.ValidString(s) {
		p.Add(field, "Use plain text.")
		return
	}
	for _, r := range s {
		if r == '\n' || r == '\t' || r == '\r' {
			if !multiline {
				p.Add(field, "Use a single line.")
				return
			}
			continue
		}
		if unicode.IsControl(r) {
			p.Add(field, "Use plain text without control characters.")
			return
		}
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		p.Add(field, fmt.Sprintf("Use at most %d characters (this has %d).", maxRunes, n))
	}
}

func validSessionURL(s string) bool {
	if len(s) > maxSessionURL || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return false
	}
	return u.Hostname() != ""
}

// checkSessionTeachers checks that ids name at least one member with the
// teacher or committee role, and returns them without repeats.
func checkSessionTeachers(tx *gorm.DB, p Problems, ids []int64) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	switch {
	case len(out) == 0:
		p.Add("teacher_ids", "Name at least one teacher.")
		return nil, nil
	case len(out) > MaxSessionTeachers:
		p.Add("teacher_ids", fmt.Sprintf("Name at most %d teachers.", MaxSessionTeachers))
		return nil, nil
	}
	var users []User
	if err := tx.Where("id IN ?", out).Find(&users).Error; err != nil {
		return nil, err
	}
	ok := map[int64]bool{}
	for i := range users {
		if users[i].CanTeach() {
			ok[users[i].ID] = true
		}
	}
	var bad []string
	for _, id := range out {
		if !ok[id] {
			bad = append(bad, strconv.FormatInt(id, 10))
		}
	}
	if len(bad) > 0 {
		p.Add("teacher_ids", "Teachers must be members with the teacher or committee role; not: "+strings.Join(bad, ", ")+".")
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

func setSessionTeachers(tx *gorm.DB, sessionID int64, ids []int64) error {
	if err := tx.Where("session_id = ?", sessionID).Delete(&sessionTeacherRow{}).Error; err != nil {
		return err
	}
	rows := make([]sessionTeacherRow, len(ids))
	for i, id := range ids {
		rows[i] = sessionTeacherRow{SessionID: sessionID, UserID: id}
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

func sessionChoice[T comparable](s T, options ...T) bool {
	for _, o := range options {
		if s == o {
			return true
		}
	}
	return false
}
