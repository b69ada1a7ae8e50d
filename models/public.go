package models

import (
	"context"
	"fmt"
	"time"

	"rounds/models/store"
)

// What a visitor who is not logged in may see: the public page of a
// published session, and the landing page's list of what is coming up.
// The public view carries the session's own facts, its teachers' names and
// its seat counts, never who booked, the join link or the materials.

// ErrMembersOnly: the session has no public page (members only, or
// cancelled); a member may see it after logging in.
var ErrMembersOnly = &Error{KindUnauthorized, "login_required", "Log in to see this session."}

// PublicSession is the session id as a visitor sees it: published and not
// kept to members (publicFacing). A draft, or a session that does not exist,
// is not found; a cancelled or members-only one is ErrMembersOnly.
func PublicSession(ctx context.Context, st *store.Store, id int64) (Session, error) {
	s, err := sessionByID(st.Read(ctx), id)
	if err != nil {
		return Session{}, err
	}
	switch {
	case s.Status == SessionDraft:
		return Session{}, fmt.Errorf("session %d: %w", id, ErrNotFound)
	case !publicFacing(s):
		return Session{}, fmt.Errorf("session %d: %w", id, ErrMembersOnly)
	}
	return s, nil
}

// PublicSessions lists up to limit public sessions that have not yet
// started, the soonest first.
func PublicSessions(ctx context.Context, st *store.Store, now time.Time, limit int) ([]SessionView, error) {
	db := st.Read(ctx)
	ss, err := scanSessions(db.Model(&Session{}).Select(sessionColumns).
		Where("status = ? AND members_only = ? AND starts_at > ?", SessionPublished, false, now.UTC()).
		Order("starts_at, id").Limit(limit))
	if err != nil {
		return nil, fmt.Errorf("public sessions: %w", err)
	}
	return viewSessions(db, User{}, ss)
}

// publicFacing tells whether a session has a public page: published, and
// not kept to members.
func publicFacing(s Session) bool {
	return s.Status == SessionPublished && !s.MembersOnly
}
