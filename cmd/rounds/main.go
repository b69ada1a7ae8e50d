// Command rounds runs a near-peer teaching society: the web server, the job
// scheduler and the command-line tools, in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		var u *usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "rounds:", err)
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "rounds:", err)
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

const usage = `
Usage:
  rounds [serve] [flags]     run the web server and the job scheduler (the default)
  rounds migrate             apply database migrations and exit
  rounds user create --email E --name N --role student|teacher|committee [--year Y]
                             create an account; the password comes from
                             ROUNDS_PASSWORD or standard input
  rounds demo [--scale N]    fill an empty database with a demo society
  rounds version             print the version
  rounds help                print this help and every setting

Settings come from ROUNDS_* environment variables or flags of serve.
`

// run dispatches a sub-command; it is main without the process around it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && (len(args[0]) == 0 || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stderr)
	case "migrate":
		return migrate(args, getenv, stdout, stderr)
	case "user":
		return userCommand(args, getenv, stdin, stdout, stderr)
	case "demo":
		return demo(ctx, args, getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "rounds", version)
		return nil
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		fmt.Fprintln(stdout, "\nSettings:")
		fmt.Fprint(stdout, configUsage())
		return nil
	}
	return &usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func newLogger(w io.Writer, format, level string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
