package models_test

import (
	"errors"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// Visitors see published sessions that are not kept to members; a draft is
// not found, a members-only or cancelled one asks them to log in; the
// landing list holds only what visitors may see, soonest first, and a copy
// keeps the choice.
func TestPublicSessions(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		teacher := testkit.Member(t, db, testkit.Role(models.RoleTeacher), testkit.Direct())
		membersOnly := testkit.Edit(func(in *models.SessionInput) { v := true; in.MembersOnly = &v })
		later := testkit.Session(t, db, teacher, testkit.At(now), testkit.Title("Later"), testkit.Starts(now.Add(72*time.Hour)), testkit.Published())
		sooner := testkit.Session(t, db, teacher, testkit.At(now), testkit.Title("Sooner"), testkit.Starts(now.Add(24*time.Hour)), testkit.Published())
		closed := testkit.Session(t, db, teacher, testkit.At(now), testkit.Title("Closed"), testkit.Starts(now.Add(30*time.Hour)), testkit.Published(), membersOnly)
		draft := testkit.Session(t, db, teacher, testkit.At(now), testkit.Title("Draft"), testkit.Starts(now.Add(30*time.Hour)))
		started := testkit.Session(t, db, teacher, testkit.At(now.Add(-2*time.Hour)), testkit.Title("Started"), testkit.Starts(now.Add(-30*time.Minute)), testkit.Published())
		cancelled := testkit.Session(t, db, teacher, testkit.At(now), testkit.Title("Cancelled"), testkit.Starts(now.Add(30*time.Hour)), testkit.Published())
		if _, err := models.CancelSession(t.Context(), db, teacher, cancelled.ID, "Ill", now); err != nil {
			t.Fatal(err)
		}
		if !closed.MembersOnly || later.MembersOnly {
			t.Fatalf("members_only as stored: closed %v, later %v", closed.MembersOnly, later.MembersOnly)
		}

		for _, tc := range []struct {
			name string
			id   int64
			want error
		}{
			{"published", later.ID, nil}, {"started", started.ID, nil}, {"draft", draft.ID, models.ErrNotFound},
			{"no such session", 999999, models.ErrNotFound}, {"members only", closed.ID, models.ErrMembersOnly},
			{"cancelled", cancelled.ID, models.ErrMembersOnly},
		} {
			_, err := models.PublicSession(t.Context(), db, tc.id)
			if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}

		list, err := models.PublicSessions(t.Context(), db, now, 10)
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, v := range list {
			titles = append(titles, v.Title)
			if v.MyBooking != nil || v.OnlineURL != nil {
				t.Errorf("%s: a visitor's view carries a booking or the join link", v.Title)
			}
		}
		if len(titles) != 2 || titles[0] != "Sooner" || titles[1] != "Later" {
			t.Errorf("public sessions: %v, want [Sooner Later]", titles)
		}
		_ = sooner

		copied, err := models.DuplicateSession(t.Context(), db, teacher, closed.ID, now, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if !copied.MembersOnly {
			t.Error("a copy of a members-only session is open to visitors")
		}
	})
}
