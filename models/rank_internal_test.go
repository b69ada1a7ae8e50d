package models

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
)

// rankBySorting is the plain way to rank: sort every kept session, stably,
// and take the ends.
func rankBySorting(list []SessionFigure, n int, keep func(*SessionFigure) bool, better func(a, b *SessionFigure) bool) (top, bottom []SessionFigure) {
	var pool []*SessionFigure
	for i := range list {
		if keep(&list[i]) {
			pool = append(pool, &list[i])
		}
	}
	sort.SliceStable(pool, func(i, j int) bool { return better(pool[i], pool[j]) })
	for _, s := range pool[:min(n, len(pool))] {
		top = append(top, *s)
	}
	rest := pool[len(top):]
	for i := len(rest) - 1; i >= 0 && len(bottom) < n; i-- {
		bottom = append(bottom, *rest[i])
	}
	return top, bottom
}

// The best and worst sessions are those a full stable sort puts first and
// last, ties and all, whatever the number of sessions.
func TestRankSessionsAsSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	byCame := func(a, b *SessionFigure) bool { return a.Came > b.Came }
	rated := func(s *SessionFigure) bool { return s.Responses > 0 }
	all := func(*SessionFigure) bool { return true }
	ids := func(list []SessionFigure) string {
		var out []int64
		for _, s := range list {
			out = append(out, s.SessionID)
		}
		return fmt.Sprint(out)
	}
	for round := range 500 {
		list := make([]SessionFigure, r.IntN(30))
		for i := range list {
			list[i] = SessionFigure{SessionID: int64(i + 1), Came: r.IntN(6), Responses: r.IntN(3)}
		}
		for _, keep := range []func(*SessionFigure) bool{all, rated} {
			for _, n := range []int{1, 5} {
				top, bottom := rankSessions(list, n, keep, byCame)
				wantTop, wantBottom := rankBySorting(list, n, keep, byCame)
				if ids(top) != ids(wantTop) || ids(bottom) != ids(wantBottom) {
					t.Fatalf("round %d, %d sessions, n %d: top %s bottom %s, want %s and %s", round, len(list), n,
						ids(top), ids(bottom), ids(wantTop), ids(wantBottom))
				}
			}
		}
	}
}
