package handlers_test

import (
	"syscall"
	"testing"
	"time"

	"rounds/models"
	"rounds/models/testkit"
)

// BenchmarkMembersPage serves committee's members list of a society of 318
// members (the size of the one that asked for paging), first page and a
// search, and reports the size of the page.
func BenchmarkMembersPage(b *testing.B) {
	db, e, now := benchServer(b)
	testkit.Members(b, db, 317, testkit.Year(2))
	chair := testkit.Member(b, db, testkit.Role(models.RoleCommittee), testkit.Direct())
	secret, _, err := models.IssueToken(b.Context(), db, models.TokenLogin, chair.ID, 0, now)
	if err != nil {
		b.Fatal(err)
	}
	benchPages(b, e, secret, "/committee/members", "/committee/members?q=student+1&sort=joined")
}

// cpuTime is the processor time the process has used, which a busy machine
// does not inflate as it does the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
