package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"rounds/models"
	"rounds/models/testkit"
)

func init() { models.PasswordCost = bcrypt.MinCost }

// TestMain lets the test binary stand in for `rounds`: with
// ROUNDS_TEST_AS_ROUNDS=1 it runs the command line instead of the tests, so
// process-level tests can start real servers without a build step.
func TestMain(m *testing.M) {
	if os.Getenv("ROUNDS_TEST_AS_ROUNDS") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "rounds:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	testkit.Main(m)
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestVersionAndHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envOf(nil), nil, &out, &out); err != nil || !strings.HasPrefix(out.String(), "rounds ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"help"}, envOf(nil), nil, &out, &out); err != nil || !strings.Contains(out.String(), "ROUNDS_DATABASE_URL") {
		t.Errorf("help: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), nil, &out, &out); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestBadConfigurationStopsStartUp(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{"ROUNDS_TIMEZONE": "Nowhere/Else"}), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "ROUNDS_TIMEZONE") || strings.Contains(err.Error(), "\n") {
		t.Errorf("bad time zone: %v", err)
	}
	err = run(context.Background(), []string{"migrate"}, envOf(map[string]string{"ROUNDS_DATABASE_URL": "oracle://db"}), nil, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "ROUNDS_DATABASE_URL") {
		t.Errorf("bad database URL: %v", err)
	}
}

func TestMigrateAndUserCreate(t *testing.T) {
	env := map[string]string{"ROUNDS_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "r.db"), "ROUNDS_LOG_LEVEL": "warn"}
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, envOf(env), nil, &out, &errs); err != nil || !strings.Contains(out.String(), "schema version") {
		t.Fatalf("migrate: %v %q %q", err, out.String(), errs.String())
	}
	out.Reset()
	env["ROUNDS_PASSWORD"] = "committee password"
	args := []string{"user", "create", "--email", "Chair@Example.ac.uk", "--name", "The Chair", "--role", "committee"}
	if err := run(context.Background(), args, envOf(env), nil, &out, &errs); err != nil || !strings.Contains(out.String(), "chair@example.ac.uk") {
		t.Fatalf("user create: %v %q", err, out.String())
	}
	if err := run(context.Background(), args, envOf(env), nil, &out, &errs); err == nil {
		t.Error("the same e-mail twice was accepted")
	}
	// From standard input, with a year.
	delete(env, "ROUNDS_PASSWORD")
	out.Reset()
	args = []string{"user", "create", "--email", "s@example.ac.uk", "--name", "S", "--year", "2"}
	if err := run(context.Background(), args, envOf(env), strings.NewReader("typed password\n"), &out, &errs); err != nil || !strings.Contains(out.String(), "as student") {
		t.Fatalf("user create from stdin: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"user", "create", "--email", "x@example.ac.uk", "--name", "X", "--role", "king"}, envOf(env), strings.NewReader("typed password\n"), &out, &errs); err == nil {
		t.Error("bad role accepted")
	}
}

func TestServeStopsOnSignal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"ROUNDS_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "r.db"), "ROUNDS_ADDR": addr, "ROUNDS_LOG_LEVEL": "warn"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out bytes.Buffer
	go func() { done <- run(ctx, nil, envOf(env), nil, &out, &out) }()
	url := fmt.Sprintf("http://%s/readyz", addr)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Get(url)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not come up: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("still serving after shutdown")
	}
}
