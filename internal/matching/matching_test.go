package matching

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// brute tries every assignment of mentees to mentors (or to nobody) within
// the capacities and returns the most mentees matched and, among those, the
// highest total score.
func brute(in Input) (count int, total int64) {
	allowed := map[[2]int64]int64{}
	for _, e := range in.Edges {
		k := [2]int64{e.Mentor, e.Mentee}
		if s, ok := allowed[k]; !ok || e.Score > s {
			allowed[k] = e.Score
		}
	}
	free := map[int64]int{}
	for _, m := range in.Mentors {
		free[m.ID] = m.Capacity
	}
	best, bestScore := -1, int64(0)
	var walk func(i, n int, s int64)
	walk = func(i, n int, s int64) {
		if i == len(in.Mentees) {
			if n > best || n == best && s > bestScore {
				best, bestScore = n, s
			}
			return
		}
		walk(i+1, n, s)
		for _, m := range in.Mentors {
			sc, ok := allowed[[2]int64{m.ID, in.Mentees[i]}]
			if ok && free[m.ID] > 0 {
				free[m.ID]--
				walk(i+1, n+1, s+sc)
				free[m.ID]++
			}
		}
	}
	walk(0, 0, 0)
	return best, bestScore
}

func randomInput(r *rand.Rand, mentors, mentees int, density float64, maxScore int64) Input {
	var in Input
	for i := range mentors {
		in.Mentors = append(in.Mentors, Mentor{ID: int64(100 + i*7), Capacity: 1 + r.IntN(3)})
	}
	for i := range mentees {
		in.Mentees = append(in.Mentees, int64(1000+i*3))
	}
	for _, m := range in.Mentors {
		for _, e := range in.Mentees {
			if r.Float64() < density {
				in.Edges = append(in.Edges, Edge{Mentor: m.ID, Mentee: e, Score: r.Int64N(maxScore + 1)})
			}
		}
	}
	r.Shuffle(len(in.Edges), func(i, j int) { in.Edges[i], in.Edges[j] = in.Edges[j], in.Edges[i] })
	return in
}

// check asserts what any answer must be: each pair allowed and scored as
// given, no mentee twice, no mentor over capacity, every mentee either paired
// or unmatched, and the total the sum of the scores.
func check(t *testing.T, in Input, res Result) {
	t.Helper()
	allowed := map[[2]int64]int64{}
	for _, e := range in.Edges {
		allowed[[2]int64{e.Mentor, e.Mentee}] = max(allowed[[2]int64{e.Mentor, e.Mentee}], e.Score)
	}
	locked := map[[2]int64]bool{}
	for _, p := range in.Locked {
		locked[[2]int64{p.Mentor, p.Mentee}] = true
	}
	load := map[int64]int{}
	seen := map[int64]bool{}
	var total int64
	for _, p := range res.Pairs {
		k := [2]int64{p.Mentor, p.Mentee}
		s, ok := allowed[k]
		if !ok && !locked[k] {
			t.Fatalf("pair %v is not allowed", k)
		}
		if p.Score != s {
			t.Fatalf("pair %v scored %d, edge says %d", k, p.Score, s)
		}
		if seen[p.Mentee] {
			t.Fatalf("mentee %d paired twice", p.Mentee)
		}
		seen[p.Mentee] = true
		load[p.Mentor]++
		total += p.Score
	}
	for _, m := range in.Mentors {
		if load[m.ID] > m.Capacity {
			t.Fatalf("mentor %d has %d mentees, capacity %d", m.ID, load[m.ID], m.Capacity)
		}
	}
	for _, id := range res.Unmatched {
		if seen[id] {
			t.Fatalf("mentee %d both paired and unmatched", id)
		}
		seen[id] = true
	}
	if len(seen) != len(in.Mentees) {
		t.Fatalf("%d mentees accounted for, %d given", len(seen), len(in.Mentees))
	}
	if total != res.Total {
		t.Fatalf("total %d, pairs add up to %d", res.Total, total)
	}
}

func TestMatchIsOptimalAgainstBruteForce(t *testing.T) {
	for seed := range uint64(600) {
		r := rand.New(rand.NewPCG(seed, 14))
		in := randomInput(r, 1+r.IntN(4), r.IntN(8), 0.2+0.8*r.Float64(), []int64{0, 1, 3, 10, 100}[r.IntN(5)])
		res, err := Match(in)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		check(t, in, res)
		count, total := brute(in)
		if len(res.Pairs) != count || res.Total != total {
			t.Fatalf("seed %d: matched %d with score %d; brute force finds %d with %d\ninput %+v", seed, len(res.Pairs), res.Total, count, total, in)
		}
	}
}

func TestMatchPrefersMoreMenteesOverHigherScore(t *testing.T) {
	// Mentor 1 suits both mentees, mentor 2 only mentee 20. The best score
	// alone would give mentor 2 nobody and mentee 10 mentor 1 (score 9);
	// matching both comes first.
	in := Input{
		Mentors: []Mentor{{ID: 1, Capacity: 1}, {ID: 2, Capacity: 1}},
		Mentees: []int64{10, 20},
		Edges:   []Edge{{1, 10, 9}, {1, 20, 8}, {2, 20, 0}},
	}
	res, err := Match(in)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{{Mentor: 1, Mentee: 10, Score: 9}, {Mentor: 2, Mentee: 20, Score: 0}}
	if len(res.Pairs) != 2 || res.Pairs[0] != want[0] || res.Pairs[1] != want[1] || len(res.Unmatched) != 0 {
		t.Fatalf("got %+v", res)
	}
}

func TestMatchBeatsGreedy(t *testing.T) {
	// Greedy takes the best edge (1,10)=10 first and then can only add
	// (2,20)=1: 11. The optimum is (1,20)=9 and (2,10)=8: 17.
	in := Input{
		Mentors: []Mentor{{ID: 1, Capacity: 1}, {ID: 2, Capacity: 1}},
		Mentees: []int64{10, 20},
		Edges:   []Edge{{1, 10, 10}, {1, 20, 9}, {2, 10, 8}, {2, 20, 1}},
	}
	res, _ := Match(in)
	if res.Total != 17 {
		t.Fatalf("total %d, want 17: %+v", res.Total, res)
	}
}

func TestMatchKeepsLockedPairs(t *testing.T) {
	in := Input{
		Mentors: []Mentor{{ID: 1, Capacity: 2}, {ID: 2, Capacity: 1}},
		Mentees: []int64{10, 20, 30},
		Edges:   []Edge{{1, 10, 10}, {1, 20, 10}, {1, 30, 10}, {2, 10, 1}, {2, 30, 0}},
		// A hand-made pair with no edge: kept all the same.
		Locked: []Pair{{Mentor: 2, Mentee: 20}},
	}
	res, err := Match(in)
	if err != nil {
		t.Fatal(err)
	}
	check(t, in, res)
	got := map[int64]int64{}
	for _, p := range res.Pairs {
		got[p.Mentee] = p.Mentor
		if p.Mentee == 20 && !p.Locked {
			t.Errorf("the locked pair is not marked locked: %+v", p)
		}
	}
	if got[20] != 2 || got[10] != 1 || got[30] != 1 || res.Total != 20 {
		t.Fatalf("got %+v", res)
	}
	in.Locked = append(in.Locked, Pair{Mentor: 2, Mentee: 30})
	if _, err := Match(in); !errors.Is(err, ErrCapacity) {
		t.Errorf("two locked mentees for one place: %v", err)
	}
	in.Locked = []Pair{{Mentor: 3, Mentee: 30}}
	if _, err := Match(in); !errors.Is(err, ErrUnknown) {
		t.Errorf("locked pair with an unknown mentor: %v", err)
	}
}

func TestMatchIsDeterministicWhateverTheOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	// Many equal scores: ties everywhere.
	in := randomInput(r, 12, 30, 0.6, 2)
	first, err := Match(in)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		r.Shuffle(len(in.Edges), func(i, j int) { in.Edges[i], in.Edges[j] = in.Edges[j], in.Edges[i] })
		r.Shuffle(len(in.Mentors), func(i, j int) { in.Mentors[i], in.Mentors[j] = in.Mentors[j], in.Mentors[i] })
		r.Shuffle(len(in.Mentees), func(i, j int) { in.Mentees[i], in.Mentees[j] = in.Mentees[j], in.Mentees[i] })
		again, _ := Match(in)
		if len(again.Pairs) != len(first.Pairs) {
			t.Fatalf("different answers")
		}
		for i := range again.Pairs {
			if again.Pairs[i] != first.Pairs[i] {
				t.Fatalf("pair %d: %+v then %+v", i, first.Pairs[i], again.Pairs[i])
			}
		}
	}
}

func TestMatchRefusesDuplicates(t *testing.T) {
	if _, err := Match(Input{Mentors: []Mentor{{1, 1}, {1, 2}}}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("mentor twice: %v", err)
	}
	if _, err := Match(Input{Mentees: []int64{3, 3}}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("mentee twice: %v", err)
	}
	if _, err := Match(Input{Mentees: []int64{3}, Edges: []Edge{{9, 3, 1}}}); !errors.Is(err, ErrUnknown) {
		t.Errorf("edge to an unknown mentor: %v", err)
	}
}

// benchInput is a realistic large scheme: 200 mentors taking 1–5 mentees
// each, 600 mentees; about a third of the pairs are ruled out (years too
// close, exclusions), and the scores of the rest range from 0 to 60 (three
// weighted criteria), with many ties.
func benchInput() Input {
	r := rand.New(rand.NewPCG(600, 200))
	var in Input
	for i := range 200 {
		in.Mentors = append(in.Mentors, Mentor{ID: int64(i + 1), Capacity: 1 + r.IntN(5)})
	}
	for i := range 600 {
		in.Mentees = append(in.Mentees, int64(1000+i))
	}
	for _, m := range in.Mentors {
		for _, e := range in.Mentees {
			if r.Float64() < 0.66 {
				in.Edges = append(in.Edges, Edge{Mentor: m.ID, Mentee: e, Score: int64(r.IntN(4)*10 + r.IntN(2)*10 + r.IntN(3)*5)})
			}
		}
	}
	return in
}

func BenchmarkMatch600x200(b *testing.B) {
	in := benchInput()
	b.ResetTimer()
	for b.Loop() {
		res, err := Match(in)
		if err != nil || len(res.Pairs) == 0 {
			b.Fatal(err)
		}
	}
}

// sparse: each mentee may have only a dozen possible mentors (a small
// interest overlap or strict year rules).
func BenchmarkMatch600x200Sparse(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	in := benchInput()
	var kept []Edge
	for _, e := range in.Edges {
		if r.IntN(13) == 0 {
			kept = append(kept, e)
		}
	}
	in.Edges = kept
	b.ResetTimer()
	for b.Loop() {
		if _, err := Match(in); err != nil {
			b.Fatal(err)
		}
	}
}
