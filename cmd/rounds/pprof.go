//go:build pprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
)

// A binary built with `-tags pprof` serves Go's profiler on
// ROUNDS_PPROF_ADDR (give it a loopback address), for finding where a load run's time
// goes: `go build -tags pprof -o /tmp/rounds ./cmd/rounds`, then
// `ROUNDS_PPROF_ADDR=127.0.0.1:6060 go run ./cmd/roundsload -rounds /tmp/rounds`
// (docs/PERFORMANCE.md).
func init() {
	addr := os.Getenv("ROUNDS_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() { log.Print(http.ListenAndServe(addr, nil)) }()
}
