package models_test

import (
	"sync/atomic"
	"testing"
	"time"

	"rounds/internal/clock"
	"rounds/models"
	"rounds/models/testkit"
)

// BenchmarkBookSeat books distinct (student, session) pairs from parallel
// goroutines on SQLite, as the booking endpoint does once the request is
// read: the writer's share of docs/PERFORMANCE.md's booking run. Besides
// ns/op it reports cpu-µs/op, the processor time of the whole process per
// booking.
func BenchmarkBookSeat(b *testing.B) {
	db := testkit.SQLite(b)
	teacher := testkit.Member(b, db, testkit.Name("Tess Teacher"), testkit.Role(models.RoleTeacher), testkit.Direct())
	var sessions []int64
	for range 40 {
		s := testkit.Session(b, db, teacher, testkit.Published(), testkit.Seats(10000))
		sessions = append(sessions, s.ID)
	}
	students := testkit.Members(b, db, 500, testkit.Year(2))
	now := clock.NewFake(sbT0).Now()
	var next atomic.Int64
	b.SetParallelism(32) // 64 goroutines on two processors, as in the load run
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := int(next.Add(1) - 1)
			u, s := students[n/len(sessions)%len(students)], sessions[n%len(sessions)]
			if n >= len(students)*len(sessions) {
				b.Error("ran out of pairs; raise the number of students")
				return
			}
			if _, err := models.BookSeat(b.Context(), db, u, s, models.BookInput{}, now); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
}
