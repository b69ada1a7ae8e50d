package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"rounds/models/store"
)

// Series is a run of weekly sessions made from one form. Each session
// stays a session of its own (its seats, waitlist, register and feedback);
// the series ties them together to be published, booked, changed or
// cancelled at once.
type Series struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	CreatedBy *int64    `json:"-"`
	CreatedAt time.Time `json:"-"`
}

// TableName is series, which is its own plural.
func (Series) TableName() string { return "series" }

// ErrNothingToBook refuses booking a series none of whose sessions is open.
var ErrNothingToBook = &Error{KindUnprocessable, "nothing_to_book", "Every session of this series has started or been cancelled: there is nothing left to book."}

// errNotInSeries refuses a change to "the rest of the series" of a session
// that is in none.
var errNotInSeries = &ValidationError{Fields: map[string]string{"series": "This session is not part of a series: change it on its own."}}

// SeriesInput is a series as a teacher asks for it: the fields of its
// first session, how many weeks it runs, and the dates to leave out.
type SeriesInput struct {
	Session   SessionInput
	Weeks     int
	SkipDates []string
}

// UnmarshalJSON reads the API's shape: the session fields beside
// "weekly": {"count": 8} and "skip_dates": ["2026-12-22"].
func (in *SeriesInput) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &in.Session); err != nil {
		return err
	}
	var rest struct {
		Weekly *struct {
			Count int `json:"count"`
		} `json:"weekly"`
		SkipDates []string `json:"skip_dates"`
	}
	if err := json.Unmarshal(b, &rest); err != nil {
		return err
	}
	if rest.Weekly != nil {
		in.Weeks = rest.Weekly.Count
	}
	in.SkipDates = rest.SkipDates
	return nil
}

// SeriesBooking is one session's answer to booking a whole series: the
// new place, or the place the member held already.
type SeriesBooking struct {
	Booking
	AlreadyBooked bool `json:"already_booked"`
}

// CreateSeries makes a weekly series of draft sessions, all alike but for
// their dates, at the same wall-clock time in loc (the society's zone)
// whatever the clocks do. Who may, and what is checked, is as for
// CreateSession; the problems of the dates are reported as weekly.count
// and skip_dates.
func CreateSeries(ctx context.Context, st *store.Store, actor User, in SeriesInput, now time.Time, loc *time.Location) (Series, []Session, error) {
	if !actor.CanTeach() {
		return Series{}, nil, fmt.Errorf("create series: %w", ErrForbidden)
	}
	now = now.UTC()
	s := Session{Status: SessionDraft, CreatedAt: now, UpdatedAt: now}
	if actor.ID != 0 {
		id := actor.ID
		s.CreatedBy = &id
	}
	p := Problems{}
	applySessionInput(p, &s, in.Session)
	teacherIDs := []int64{actor.ID}
	if in.Session.TeacherIDs != nil {
		teacherIDs = *in.Session.TeacherIDs
	}
	dates, dp := weeklyDates(s.StartsAt, s.EndsAt, in.Weeks, in.SkipDates, loc)
	var series Series
	var out []Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		out = nil
		ids, err := checkSessionTeachers(tx, p, teacherIDs)
		if err != nil {
			return err
		}
		checkSession(p, s)
		for k, v := range dp {
			p.Add(k, v)
		}
		if len(dates) > 0 && dates[0].Start.Before(now) && !actor.IsCommittee() {
			p.Add("starts_at", "Choose a start in the future; only committee may add past sessions.")
		}
		if err := p.Err(); err != nil {
			return err
		}
		series = Series{Title: s.Title, CreatedBy: s.CreatedBy, CreatedAt: now}
		if err := tx.Create(&series).Error; err != nil {
			return err
		}
		for _, d := range dates {
			x, sid := s, series.ID
			x.StartsAt, x.EndsAt, x.SeriesID = d.Start, d.End, &sid
			if err := insertSession(tx, &x, ids); err != nil {
				return err
			}
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		return Series{}, nil, fmt.Errorf("create series: %w", err)
	}
	return series, out, nil
}

// insertSession stores a new session and its teachers.
func insertSession(tx *gorm.DB, s *Session, teacherIDs []int64) error {
	if err := tx.Create(s).Error; err != nil {
		return err
	}
	if err := markFiguresStale(tx, s.ID); err != nil {
		return err
	}
	return setSessionTeachers(tx, s.ID, teacherIDs)
}

// seriesByID reads a series and all its sessions, in order.
func seriesByID(db *gorm.DB, id int64) (Series, []Session, error) {
	var series Series
	if err := db.Where("id = ?", id).Take(&series).Error; err != nil {
		return Series{}, nil, fmt.Errorf("series %d: %w", id, notFound(err))
	}
	ss, err := scanSessions(db.Model(&Session{}).Select(sessionColumns).Where("series_id = ?", id).Order("starts_at, id"))
	if err != nil {
		return Series{}, nil, fmt.Errorf("series %d: %w", id, err)
	}
	return series, ss, nil
}

// VisibleSeries returns a series and those of its sessions viewer may see;
// ErrNotFound when they see none.
func VisibleSeries(ctx context.Context, st *store.Store, viewer User, id int64) (Series, []Session, error) {
	db := st.Read(ctx)
	series, ss, err := seriesByID(db, id)
	if err != nil {
		return Series{}, nil, err
	}
	seen, err := visibleOf(db, viewer, ss)
	if err != nil {
		return Series{}, nil, err
	}
	if len(seen) == 0 {
		return Series{}, nil, fmt.Errorf("series %d: %w", id, ErrNotFound)
	}
	return series, seen, nil
}

// visibleOf keeps the sessions viewer may see.
func visibleOf(db *gorm.DB, viewer User, ss []Session) ([]Session, error) {
	out := []Session{}
	for _, s := range ss {
		ok, err := canSeeSession(db, viewer, s)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, nil
}

// PublishSeries publishes every draft of a series, in one transaction:
// its teachers and committee may, as for each session. Cancelled sessions
// stay cancelled; published ones are left as they are.
func PublishSeries(ctx context.Context, st *store.Store, actor User, id int64, now time.Time) (Series, []Session, error) {
	now = now.UTC()
	var series Series
	var out []Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		var ss []Session
		var err error
		if series, ss, err = seriesByID(tx, id); err != nil {
			return err
		}
		if len(ss) == 0 {
			return ErrNotFound
		}
		for _, s := range ss {
			if err := authorizeManage(tx, actor, s); err != nil {
				return err
			}
		}
		for i, s := range ss {
			if s.Status != SessionDraft {
				continue
			}
			if ss[i], err = publishSession(tx, actor, s.ID, now); err != nil {
				return err
			}
		}
		out = ss
		return nil
	})
	if err != nil {
		return Series{}, nil, fmt.Errorf("publish series %d: %w", id, err)
	}
	return series, out, nil
}

// BookSeries books the actor onto every published session of a series that
// has not started, in one transaction: each by BookSeat's rules under that
// session's own lock, taken in the order the sessions run, so each is
// confirmed or waitlisted by its own seats and queue. A session the actor
// holds a place on already is reported with that place (AlreadyBooked),
// not booked twice. ErrNotFound when the actor sees none of the series;
// ErrNothingToBook when nothing is left to book.
func BookSeries(ctx context.Context, st *store.Store, actor User, id int64, mode Mode, now time.Time) ([]SeriesBooking, error) {
	now = now.UTC()
	var out []SeriesBooking
	err := st.Write(ctx, func(tx *gorm.DB) error {
		out = []SeriesBooking{}
		_, ss, err := seriesByID(tx, id)
		if err != nil {
			return err
		}
		seen, err := visibleOf(tx, actor, ss)
		if err != nil {
			return err
		}
		if len(seen) == 0 {
			return ErrNotFound
		}
		for _, s := range seen {
			if s.Status != SessionPublished || s.HasStarted(now) {
				continue
			}
			b, err := bookSeat(tx, actor, s.ID, BookInput{Mode: mode}, now)
			switch {
			case errors.Is(err, ErrAlreadyBooked):
				if b, err = userBooking(tx, s.ID, actor.ID); err != nil {
					return err
				}
				out = append(out, SeriesBooking{Booking: b, AlreadyBooked: true})
			case errors.Is(err, ErrSessionCancelled), errors.Is(err, ErrBookingClosed), errors.Is(err, ErrSessionNotPublished):
				// Changed since the series was read: nothing to book there.
			case err != nil:
				return err
			default:
				out = append(out, SeriesBooking{Booking: b})
			}
		}
		if len(out) == 0 {
			return ErrNothingToBook
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("book series %d: %w", id, err)
	}
	return out, nil
}

// UpdateSeriesFrom changes a session and every later session of its series
// that is not cancelled ("this and the rest of the series"), in one
// transaction, each by UpdateSession's rules (and e-mails). The later
// sessions take the fields given in in; a change of this session's time
// moves them alike: by the same number of days, to the same local times
// of day in loc.
func UpdateSeriesFrom(ctx context.Context, st *store.Store, actor User, id int64, in SessionInput, now time.Time, loc *time.Location) ([]Session, error) {
	now = now.UTC()
	var out []Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		old, rest, err := restOfSeries(tx, actor, id)
		if err != nil {
			return err
		}
		moved, err := updateSession(tx, actor, id, in, now)
		if err != nil {
			return err
		}
		out = []Session{moved}
		retimed := !moved.StartsAt.Equal(old.StartsAt) || !moved.EndsAt.Equal(old.EndsAt)
		for _, later := range rest {
			each := in
			each.StartsAt, each.EndsAt = nil, nil
			if retimed {
				start, end := shiftLike(old, moved, later, loc)
				each.StartsAt, each.EndsAt = &start, &end
			}
			s, err := updateSession(tx, actor, later.ID, each, now)
			if err != nil {
				return onDate(err, later, loc)
			}
			out = append(out, s)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("update series from session %d: %w", id, err)
	}
	return out, nil
}

// CancelSeriesFrom cancels a session and every later session of its series,
// each by CancelSession's rules (an e-mail with the reason to everyone
// booked), in one transaction.
func CancelSeriesFrom(ctx context.Context, st *store.Store, actor User, id int64, reason string, now time.Time) ([]Session, error) {
	now = now.UTC()
	reason = strings.TrimSpace(reason)
	p := Problems{}
	checkSessionText(p, "reason", reason, maxCancelReason, true)
	if err := p.Err(); err != nil {
		return nil, fmt.Errorf("cancel series from session %d: %w", id, err)
	}
	var out []Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		first, rest, err := restOfSeries(tx, actor, id)
		if err != nil {
			return err
		}
		out = []Session{}
		for _, s := range append([]Session{first}, rest...) {
			c, err := cancelSession(tx, actor, s.ID, reason, now)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cancel series from session %d: %w", id, err)
	}
	return out, nil
}

// restOfSeries reads session id, which actor must manage, and the later
// sessions of its series that are not cancelled.
func restOfSeries(tx *gorm.DB, actor User, id int64) (Session, []Session, error) {
	s, err := sessionByID(tx, id)
	if err != nil {
		return Session{}, nil, err
	}
	if err := authorizeManage(tx, actor, s); err != nil {
		return Session{}, nil, err
	}
	if s.SeriesID == nil {
		return Session{}, nil, errNotInSeries
	}
	_, ss, err := seriesByID(tx, *s.SeriesID)
	if err != nil {
		return Session{}, nil, err
	}
	return s, laterInSeries(s, ss)[1:], nil
}

// onDate says which session of a series a refusal is about.
func onDate(err error, s Session, loc *time.Location) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	fields := map[string]string{}
	for k, v := range ve.Fields {
		fields[k] = "On " + s.StartsAt.In(loc).Format("Mon 2 Jan 2006") + ": " + v
	}
	return &ValidationError{Fields: fields}
}

// SeriesSessionCount is how many sessions "this and the rest of the
// series" covers from s: 0 when s is in no series.
func SeriesSessionCount(ctx context.Context, st *store.Store, s Session) (int, error) {
	if s.SeriesID == nil {
		return 0, nil
	}
	_, ss, err := seriesByID(st.Read(ctx), *s.SeriesID)
	if err != nil {
		return 0, err
	}
	return len(laterInSeries(s, ss)), nil
}

// DuplicateSession copies a session as a new draft, a week later at the
// same local time (or as many weeks later as it takes to be in the
// future), with the same details and teachers, in no series. Whoever
// manages the session may, whatever its status.
func DuplicateSession(ctx context.Context, st *store.Store, actor User, id int64, now time.Time, loc *time.Location) (Session, error) {
	now = now.UTC()
	var out Session
	err := st.Write(ctx, func(tx *gorm.DB) error {
		s, err := sessionByID(tx, id)
		if err != nil {
			return err
		}
		if err := authorizeManage(tx, actor, s); err != nil {
			return err
		}
		teacherIDs, err := sessionTeacherIDs(tx, id)
		if err != nil {
			return err
		}
		// Should a teacher have lost the role since, the copy is the actor's.
		p := Problems{}
		if teacherIDs, err = checkSessionTeachers(tx, p, teacherIDs); err != nil {
			return err
		}
		if len(p) > 0 {
			teacherIDs = []int64{actor.ID}
		}
		c := Session{
			Title: s.Title, Description: s.Description, Topic: s.Topic, Format: s.Format, YearGroups: s.YearGroups,
			Mode: s.Mode, Venue: s.Venue, OnlineURL: s.OnlineURL, InPersonCapacity: s.InPersonCapacity,
			OnlineCapacity: s.OnlineCapacity, Status: SessionDraft, CreatedAt: now, UpdatedAt: now,
			MembersOnly: s.MembersOnly,
		}
		if actor.ID != 0 {
			by := actor.ID
			c.CreatedBy = &by
		}
		c.StartsAt, c.EndsAt = nextWeekLike(s, now, loc)
		q := Problems{}
		checkSession(q, c)
		if err := q.Err(); err != nil {
			return err
		}
		if err := insertSession(tx, &c, teacherIDs); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return Session{}, fmt.Errorf("duplicate session %d: %w", id, err)
	}
	return out, nil
}
