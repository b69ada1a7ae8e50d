//go:build linux && cgo

package main

/*
#include <malloc.h>

// SQLite's memory comes from the C library's malloc. glibc gives every
// thread that allocates at the same time its own arena, up to eight per
// core, and each arena keeps what it once held: with many goroutines in
// SQLite at once, that is tens of megabytes that are never used again. Two
// arenas are plenty for one writer and a few readers.
//
// This runs as the program is loaded, before the Go runtime starts its
// threads: glibc settles the number of arenas when it first needs a new one,
// and each thread the runtime starts takes one as soon as it frees memory.
__attribute__((constructor)) static void rounds_limit_arenas(void) {
#ifdef M_ARENA_MAX
	mallopt(M_ARENA_MAX, 2);
#endif
}
*/
import "C"
