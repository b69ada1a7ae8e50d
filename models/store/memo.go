package store

import "sync"

// A store keeps a few results of long reads in memory (Recall, Remember),
// each under a key that names everything it was worked out from, including
// a version the caller read from the database and that moves in the same
// transaction as any change to what the read reads. An instance can then
// answer the same read again without working it out, and a change through
// any instance, which moves the version, is never answered from memory.

// memoSize is how many results a store keeps; the oldest go first.
const memoSize = 32

type memo struct {
	mu      sync.Mutex
	entries map[string]any
	order   []string // keys, oldest first
}

// Recall returns the result kept under key, if any. Results are shared:
// callers must not change them.
func (s *Store) Recall(key string) (any, bool) {
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	v, ok := s.memo.entries[key]
	return v, ok
}

// Remember keeps v under key, forgetting the oldest result beyond memoSize.
func (s *Store) Remember(key string, v any) {
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if s.memo.entries == nil {
		s.memo.entries = map[string]any{}
	}
	if _, ok := s.memo.entries[key]; !ok {
		s.memo.order = append(s.memo.order, key)
	}
	s.memo.entries[key] = v
	for len(s.memo.order) > memoSize {
		delete(s.memo.entries, s.memo.order[0])
		s.memo.order = s.memo.order[1:]
	}
}

// Forget drops every result kept, so that the next read works its result
// out: for benchmarks of the work itself.
func (s *Store) Forget() {
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	s.memo.entries, s.memo.order = nil, nil
}
