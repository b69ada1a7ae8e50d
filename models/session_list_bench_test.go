package models_test

import (
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// BenchmarkListSessionViews reads the session list of a year-2 student on
// SQLite, 81 sessions with their teachers and the student's bookings: in
// one straight read (views), and as ListSessions then ViewSessions did it
// (sessions, then views).
func BenchmarkListSessionViews(b *testing.B) {
	db := testkit.SQLite(b)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	chair := testkit.Member(b, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	student := testkit.Member(b, db, testkit.Year(2), testkit.Direct())
	for i := range 81 {
		s := testkit.Session(b, db, chair, testkit.At(now), testkit.Years(1, 2, 3, 4, 5, 6), testkit.Capacity(40, 0),
			testkit.Starts(now.Add(time.Duration(6+i*10)*time.Hour)), testkit.Published())
		if i%10 == 0 {
			testkit.Book(b, db, student, s, models.ModeInPerson, testkit.At(now))
		}
	}
	f := models.SessionFilter{From: now, Status: models.SessionPublished, Year: 2}
	b.Run("views", func(b *testing.B) {
		for b.Loop() {
			vs, err := models.ListSessionViews(b.Context(), db, student, f)
			if err != nil || len(vs) != 81 {
				b.Fatal(len(vs), err)
			}
		}
	})
	b.Run("sessions, then views", func(b *testing.B) {
		for b.Loop() {
			ss, err := models.ListSessions(b.Context(), db, student, f)
			if err != nil {
				b.Fatal(err)
			}
			vs, err := models.ViewSessions(b.Context(), db, student, ss)
			if err != nil || len(vs) != 81 {
				b.Fatal(len(vs), err)
			}
		}
	})
}
