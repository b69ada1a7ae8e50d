// Package matching assigns mentees to mentors, each mentor taking up to a
// number of mentees, so that as many mentees as possible have a mentor and,
// among all such assignments, the total score of the pairs is the highest.
//
// Matching more people comes first: a committee would rather give every
// mentee who has a possible mentor one, even a less well suited one, than
// leave someone out to give another a better match. Only among assignments
// that match the most mentees is the score the judge.
//
// The assignment is a minimum-cost maximum flow (source → mentee, capacity
// 1; mentee → mentor, capacity 1, cost −score; mentor → sink, capacity the
// mentor's free places), found by successive shortest paths with Dijkstra
// over reduced costs. Each path adds one mentee and keeps the assignment the
// cheapest for its size, so the last one is optimal, not greedy. Pairs that
// are not allowed (a hard rule says no) are simply not among the edges.
//
// The result depends only on the input's content, not its order: mentors,
// mentees and edges are sorted by id first, and ties in Dijkstra are broken
// by node order.
package matching

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
)

// Mentor is one mentor and how many mentees they may take in all (locked
// pairs included).
type Mentor struct {
	ID       int64
	Capacity int
}

// Edge is a pair the rules allow, with its score (higher is better).
type Edge struct {
	Mentor, Mentee int64
	Score          int64
}

// Pair is one mentee assigned to one mentor.
type Pair struct {
	Mentor, Mentee int64
	Score          int64
	Locked         bool
}

// Input is a matching problem. Locked pairs are kept as they are and use up
// their mentor's places; their mentees take no other mentor. A locked pair
// need not be among the edges (a committee may pair people by hand); its
// score is the edge's if there is one, else 0.
type Input struct {
	Mentors []Mentor
	Mentees []int64
	Edges   []Edge
	Locked  []Pair
}

// Result is the assignment: the pairs (ordered by mentor, then mentee), the
// mentees left without a mentor (by id), and the total score.
type Result struct {
	Pairs     []Pair
	Unmatched []int64
	Total     int64
}

// Errors in the input.
var (
	ErrUnknown   = errors.New("matching: a pair names a mentor or mentee that is not in the input")
	ErrCapacity  = errors.New("matching: a mentor has more locked mentees than places")
	ErrDuplicate = errors.New("matching: an id is given twice")
)

type arc struct {
	to, rev int32
	cap     int32
	cost    int64
}

type graph struct {
	adj [][]arc
}

func (g *graph) add(from, to int, cap int, cost int64) {
	g.adj[from] = append(g.adj[from], arc{to: int32(to), rev: int32(len(g.adj[to])), cap: int32(cap), cost: cost})
	g.adj[to] = append(g.adj[to], arc{to: int32(from), rev: int32(len(g.adj[from]) - 1), cap: 0, cost: -cost})
}

// Match solves in.
func Match(in Input) (Result, error) {
	mentors := slices.Clone(in.Mentors)
	sort.Slice(mentors, func(i, j int) bool { return mentors[i].ID < mentors[j].ID })
	mentees := slices.Clone(in.Mentees)
	slices.Sort(mentees)
	mentorAt := make(map[int64]int, len(mentors))
	for i, m := range mentors {
		if _, dup := mentorAt[m.ID]; dup {
			return Result{}, fmt.Errorf("%w: mentor %d", ErrDuplicate, m.ID)
		}
		mentorAt[m.ID] = i
	}
	menteeAt := make(map[int64]int, len(mentees))
	for i, id := range mentees {
		if _, dup := menteeAt[id]; dup {
			return Result{}, fmt.Errorf("%w: mentee %d", ErrDuplicate, id)
		}
		menteeAt[id] = i
	}
	// Edges by index, each pair once with its highest score: sorted by
	// mentee, mentor and score (highest first), then the first of each run.
	type edge struct {
		mentee, mentor int32
		score          int64
	}
	edges := make([]edge, 0, len(in.Edges))
	for _, e := range in.Edges {
		mi, ok := mentorAt[e.Mentor]
		if !ok {
			return Result{}, fmt.Errorf("%w: mentor %d", ErrUnknown, e.Mentor)
		}
		ei, ok := menteeAt[e.Mentee]
		if !ok {
			return Result{}, fmt.Errorf("%w: mentee %d", ErrUnknown, e.Mentee)
		}
		edges = append(edges, edge{int32(ei), int32(mi), e.Score})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		switch {
		case a.mentee != b.mentee:
			return int(a.mentee - b.mentee)
		case a.mentor != b.mentor:
			return int(a.mentor - b.mentor)
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	edges = slices.CompactFunc(edges, func(a, b edge) bool { return a.mentee == b.mentee && a.mentor == b.mentor })
	scoreOf := func(mi, ei int) int64 {
		i, found := slices.BinarySearchFunc(edges, edge{int32(ei), int32(mi), 0}, func(a, b edge) int {
			if a.mentee != b.mentee {
				return int(a.mentee - b.mentee)
			}
			return int(a.mentor - b.mentor)
		})
		if !found {
			return 0
		}
		return edges[i].score
	}

	free := make([]int, len(mentors))
	for i, m := range mentors {
		free[i] = max(m.Capacity, 0)
	}
	taken := make([]bool, len(mentees))
	var res Result
	for _, p := range in.Locked {
		mi, ok := mentorAt[p.Mentor]
		if !ok {
			return Result{}, fmt.Errorf("%w: mentor %d", ErrUnknown, p.Mentor)
		}
		ei, ok := menteeAt[p.Mentee]
		if !ok {
			return Result{}, fmt.Errorf("%w: mentee %d", ErrUnknown, p.Mentee)
		}
		if taken[ei] {
			return Result{}, fmt.Errorf("%w: mentee %d is locked twice", ErrDuplicate, p.Mentee)
		}
		if free[mi] == 0 {
			return Result{}, fmt.Errorf("%w: mentor %d", ErrCapacity, p.Mentor)
		}
		free[mi]--
		taken[ei] = true
		s := scoreOf(mi, ei)
		res.Pairs = append(res.Pairs, Pair{Mentor: p.Mentor, Mentee: p.Mentee, Score: s, Locked: true})
		res.Total += s
	}

	// Nodes: 0 source, 1 sink, 2.. mentees, then mentors.
	nE, nM := len(mentees), len(mentors)
	src, sink := 0, 1
	menteeNode := func(i int) int { return 2 + i }
	mentorNode := func(i int) int { return 2 + nE + i }
	g := &graph{adj: make([][]arc, 2+nE+nM)}
	for i := range mentees {
		if !taken[i] {
			g.add(src, menteeNode(i), 1, 0)
		}
	}
	for _, e := range edges {
		if taken[e.mentee] || free[e.mentor] == 0 {
			continue // locked already, or full
		}
		g.add(menteeNode(int(e.mentee)), mentorNode(int(e.mentor)), 1, -e.score)
	}
	for i := range mentors {
		if free[i] > 0 {
			g.add(mentorNode(i), sink, free[i], 0)
		}
	}
	g.minCostMaxFlow(src, sink, nE)

	for i := range mentees {
		if taken[i] {
			continue
		}
		matched := false
		// A mentee's arcs to mentor nodes are the ones add made; the only
		// other arc out of a mentee is the reverse one to the source.
		for _, a := range g.adj[menteeNode(i)] {
			if to := int(a.to); to >= 2+nE && a.cap == 0 {
				s := -a.cost
				res.Pairs = append(res.Pairs, Pair{Mentor: mentors[to-2-nE].ID, Mentee: mentees[i], Score: s})
				res.Total += s
				matched = true
				break
			}
		}
		if !matched {
			res.Unmatched = append(res.Unmatched, mentees[i])
		}
	}
	sort.Slice(res.Pairs, func(i, j int) bool {
		if res.Pairs[i].Mentor != res.Pairs[j].Mentor {
			return res.Pairs[i].Mentor < res.Pairs[j].Mentor
		}
		return res.Pairs[i].Mentee < res.Pairs[j].Mentee
	})
	return res, nil
}

// minCostMaxFlow pushes up to limit units from s to t, one shortest path at
// a time, keeping potentials so that reduced costs stay non-negative.
func (g *graph) minCostMaxFlow(s, t, limit int) {
	n := len(g.adj)
	// Initial potentials, so that every arc's reduced cost is at least 0:
	// source and mentees 0; a mentor the cheapest arc into it (at most 0);
	// the sink the lowest of the mentors'.
	pot := make([]int64, n)
	for v := 0; v < n; v++ {
		for _, a := range g.adj[v] {
			if a.cap > 0 && int(a.to) != t && a.cost < pot[a.to] {
				pot[a.to] = a.cost
			}
		}
	}
	for v := 0; v < n; v++ {
		for _, a := range g.adj[v] {
			if a.cap > 0 && int(a.to) == t && pot[v] < pot[t] {
				pot[t] = pot[v]
			}
		}
	}
	dist := make([]int64, n)
	done := make([]bool, n)
	h := &nodeHeap{}
	level := make([]int32, n)
	iter := make([]int32, n)
	var queue []int32
	for flow := 0; flow < limit; {
		for v := range dist {
			dist[v] = math.MaxInt64
			done[v] = false
		}
		dist[s] = 0
		h.items = h.items[:0]
		h.push(item{0, int32(s)})
		for len(h.items) > 0 {
			it := h.pop()
			v := int(it.node)
			if done[v] {
				continue
			}
			done[v] = true
			if v == t {
				break
			}
			dv := dist[v]
			for _, a := range g.adj[v] {
				if a.cap == 0 {
					continue
				}
				w := int(a.to)
				if done[w] {
					continue
				}
				nd := dv + a.cost + pot[v] - pot[w]
				if nd < dist[w] {
					dist[w] = nd
					h.push(item{nd, int32(w)})
				}
			}
		}
		if !done[t] {
			return
		}
		dt := dist[t]
		for v := range pot {
			if done[v] {
				pot[v] += dist[v]
			} else {
				pot[v] += dt
			}
		}
		// Every path of arcs with reduced cost 0 is now a shortest path:
		// push along as many as there are (Dinic's blocking flows on
		// that subgraph) before the next Dijkstra.
		flow += g.blockingFlows(s, t, pot, limit-flow, level, iter, queue)
	}
}

// blockingFlows pushes up to limit units from s to t along arcs whose
// reduced cost is 0, in Dinic's phases, and returns how many it pushed.
func (g *graph) blockingFlows(s, t int, pot []int64, limit int, level, iter []int32, queue []int32) int {
	pushed := 0
	admissible := func(v int, a arc) bool { return a.cap > 0 && a.cost+pot[v]-pot[a.to] == 0 }
	for pushed < limit {
		for v := range level {
			level[v] = -1
			iter[v] = 0
		}
		level[s] = 0
		queue = append(queue[:0], int32(s))
		for head := 0; head < len(queue); head++ {
			v := int(queue[head])
			for _, a := range g.adj[v] {
				if level[a.to] < 0 && admissible(v, a) {
					level[a.to] = level[v] + 1
					queue = append(queue, a.to)
				}
			}
		}
		if level[t] < 0 {
			return pushed
		}
		var dfs func(v int) bool
		dfs = func(v int) bool {
			if v == t {
				return true
			}
			for ; int(iter[v]) < len(g.adj[v]); iter[v]++ {
				a := &g.adj[v][iter[v]]
				if level[a.to] != level[v]+1 || !admissible(v, *a) {
					continue
				}
				if dfs(int(a.to)) {
					a.cap--
					g.adj[a.to][a.rev].cap++
					return true
				}
			}
			return false
		}
		for pushed < limit && dfs(s) {
			pushed++
		}
	}
	return pushed
}

type item struct {
	dist int64
	node int32
}

// nodeHeap is a binary min-heap of nodes by distance, then node number.
type nodeHeap struct{ items []item }

func less(a, b item) bool { return a.dist < b.dist || a.dist == b.dist && a.node < b.node }

func (h *nodeHeap) push(x item) {
	h.items = append(h.items, x)
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !less(h.items[i], h.items[p]) {
			break
		}
		h.items[i], h.items[p] = h.items[p], h.items[i]
		i = p
	}
}

func (h *nodeHeap) pop() item {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l, r, m := 2*i+1, 2*i+2, i
		if l < last && less(h.items[l], h.items[m]) {
			m = l
		}
		if r < last && less(h.items[r], h.items[m]) {
			m = r
		}
		if m == i {
			return top
		}
		h.items[i], h.items[m] = h.items[m], h.items[i]
		i = m
	}
}
