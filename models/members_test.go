package models_test

import (
	"sync/atomic"
	"testing"

	"gorm.io/gorm"

	"rounds/models"
	"rounds/models/store"
	"rounds/models/testkit"
)

// countQueries counts the statements run through the store's read pool
// while fn runs.
func countQueries(t *testing.T, db *store.Store, fn func()) int64 {
	t.Helper()
	var n atomic.Int64
	name := "count:" + t.Name()
	cb := db.Read(t.Context()).Callback()
	if err := cb.Query().Before("gorm:query").Register(name, func(*gorm.DB) { n.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if err := cb.Row().Before("gorm:row").Register(name, func(*gorm.DB) { n.Add(1) }); err != nil {
		t.Fatal(err)
	}
	fn()
	_ = cb.Query().Remove(name)
	_ = cb.Row().Remove(name)
	return n.Load()
}

// A page of members costs the same two queries however many members there
// are, and holds at most MembersPerPage of them.
func TestListMembersQueriesDoNotGrow(t *testing.T) {
	testkit.Run(t, func(t *testing.T, db *store.Store) {
		testkit.Members(t, db, 10, testkit.Year(2))
		list := func(want int) {
			t.Helper()
			var page models.MemberPage
			n := countQueries(t, db, func() {
				var err error
				if page, err = models.ListMembers(t.Context(), db, models.MemberQuery{Sort: "year"}); err != nil {
					t.Fatal(err)
				}
			})
			if n != 2 || len(page.Members) != want {
				t.Fatalf("%d queries for %d of %d members, want 2 queries and %d members", n, len(page.Members), page.Total, want)
			}
		}
		list(10)
		testkit.Members(t, db, 308, testkit.Year(3))
		list(models.MembersPerPage)
	})
}
