//go:build pprof

package main

import (
	"log"
	"net/http"
	_ "net/http/pprof"
	"os"
)

// A binary built with `-tags pprof` serves Go's profiler on
// ROUNDS_PPROF_ADDR (loopback only), for finding where a load run's time
// goes: `go build -tags pprof -o /tmp/rounds ./cmd/rounds`, then
// `go run ./cmd/roundsload -rounds /tmp/rounds -pprof 127.0.0.1:6060`.
func init() {
	addr := os.Getenv("ROUNDS_PPROF_ADDR")
	if addr == "" {
		return
	}
	go func() { log.Print(http.ListenAndServe(addr, nil)) }()
}
