package handlers

// The relations a route asks of its caller to the session its path names.
// routes.go declares one beside each route about a session; the middleware
// loads the session through models, refuses as the use cases would (404 to a
// caller who may not know it exists, 403 to one who may), and hands the
// handler the session already checked. The use cases check again: they are
// the last line of defence, and the only one for what depends on the body or
// on the session's state.

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/labstack/echo/v4"

	"rounds/models"
	"rounds/models/store"
)

const (
	ctxSession   = "session"    // the session a relation checked
	ctxSessionID = "session_id" // the id of a session its use case checks
	ctxMember    = "member"     // the member whose records ownOrCommittee admitted to
)

// relation is what a caller must be to the session with the id: it returns
// the session, or the refusal.
type relation func(c echo.Context, st *store.Store, id int64) (models.Session, error)

// caller is the logged-in member, or nobody (a zero User, whom no policy
// admits).
func caller(c echo.Context) models.User {
	if u := currentUser(c); u != nil {
		return *u
	}
	return models.User{}
}

// canSee: the caller may see the session — published, every member; a
// draft, its teachers and committee; a cancelled one, those too and whoever
// had booked it. Anyone else: not found.
func canSee(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	return models.VisibleSession(c.Request().Context(), st, caller(c), id)
}

// teaches: a teacher of this session, or committee. Refused: forbidden if
// they may see the session, else not found.
func teaches(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	return models.ManageableSession(c.Request().Context(), st, caller(c), id)
}

// teachesOrHolds: as teaches, or the member who holds the booking named by
// :booking_id, whatever their role (a teacher may hold a place on a
// colleague's session, and cancel it here as on their own pages).
func teachesOrHolds(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	ctx := c.Request().Context()
	s, refused := models.ManageableSession(ctx, st, caller(c), id)
	if !errors.Is(refused, models.ErrForbidden) && !errors.Is(refused, models.ErrNotFound) {
		return s, refused
	}
	bid, err := pathID(c, "booking_id")
	if err != nil {
		return models.Session{}, refused
	}
	b, err := models.UserBooking(ctx, st, id, caller(c).ID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return models.Session{}, refused
	case err != nil:
		return models.Session{}, err
	case b.ID != bid:
		return models.Session{}, refused
	}
	return models.SessionByID(ctx, st, id)
}

// booked: the member who booked the session, the booking in any status
// (cancelling it twice changes nothing). Anyone else: not found.
func booked(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	ctx := c.Request().Context()
	s, err := models.SessionByID(ctx, st, id)
	if err != nil {
		return models.Session{}, err
	}
	if _, err := models.UserBooking(ctx, st, s.ID, caller(c).ID); err != nil {
		return models.Session{}, err
	}
	return s, nil
}

// notDraft: whoever the route's group admits, on a session that has been
// published (and may have been cancelled since). A draft: not found.
func notDraft(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	s, err := models.SessionByID(c.Request().Context(), st, id)
	if err != nil {
		return models.Session{}, err
	}
	if s.Status == models.SessionDraft {
		return models.Session{}, fmt.Errorf("session %d: %w", id, models.ErrNotFound)
	}
	return s, nil
}

// exists: any session. Who may act on it depends on the request or on the
// session's state, so the use case decides, and the route's comment says
// how.
func exists(c echo.Context, st *store.Store, id int64) (models.Session, error) {
	return models.SessionByID(c.Request().Context(), st, id)
}

// session is the middleware of a route about the session :id: it checks
// the caller's relation to it and keeps it for the handler (sessionFrom).
func (h *Handler) session(rel relation) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, err := pathID(c, "id")
			if err != nil {
				return err
			}
			s, err := rel(c, h.Store, id)
			if err != nil {
				return err
			}
			c.Set(ctxSession, s)
			return next(c)
		}
	}
}

// sessionID is the middleware of a route about the session :id whose use
// case checks everything itself, under the session's lock: booking, where
// who may book, and for whom, turns on the body and on the seats left. It
// reads only the id, so that the busiest route of all makes no query before
// its transaction; the handler reads it with sessionIDFrom.
func (h *Handler) sessionID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		c.Set(ctxSessionID, id)
		return next(c)
	}
}

// sessionIDFrom is the id of the session a route declared with sessionID.
func sessionIDFrom(c echo.Context) int64 {
	id, ok := c.Get(ctxSessionID).(int64)
	if !ok {
		panic("handlers: " + c.Request().Method + " " + c.Path() + " declares no session id")
	}
	return id
}

// sessionFrom is the session the route's relation checked. A route that
// declares none is a mistake in routes.go, and fails loudly.
func sessionFrom(c echo.Context) models.Session {
	s, ok := c.Get(ctxSession).(models.Session)
	if !ok {
		panic("handlers: " + c.Request().Method + " " + c.Path() + " declares no relation to its session")
	}
	return s
}

// ownOrCommittee admits the caller to the records of the member named by
// the query parameter (their own when it is left out): committee to
// anyone's, everyone else to their own alone. It keeps the member for the
// handler (memberFrom).
func (h *Handler) ownOrCommittee(param string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			u := currentUser(c)
			if u == nil {
				return errLoginRequired
			}
			m := *u
			if v := c.QueryParam(param); v != "" {
				id, err := strconv.ParseInt(v, 10, 64)
				if err != nil || id <= 0 {
					return models.ErrNotFound
				}
				if id != u.ID {
					if !u.IsCommittee() {
						return models.ErrForbidden
					}
					if m, err = models.UserByID(c.Request().Context(), h.Store, id); err != nil {
						return err
					}
				}
			}
			c.Set(ctxMember, m)
			return next(c)
		}
	}
}

// memberFrom is the member ownOrCommittee admitted the caller to.
func memberFrom(c echo.Context) models.User {
	m, ok := c.Get(ctxMember).(models.User)
	if !ok {
		panic("handlers: " + c.Request().Method + " " + c.Path() + " declares no member it is about")
	}
	return m
}
