package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"rounds/handlers"
	"rounds/internal/clock"
	"rounds/internal/config"
	"rounds/jobs"
	"rounds/models/store"
)

func configUsage() string { return config.Usage() }

// openDatabase reads the configuration, opens the database and migrates it.
func openDatabase(args []string, getenv func(string) string, stderr io.Writer) (config.Config, *slog.Logger, *store.Store, error) {
	cfg, err := config.Load(args, getenv)
	if err != nil {
		return cfg, nil, nil, err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := store.Open(cfg.DatabaseURL, log)
	if err != nil {
		return cfg, log, nil, err
	}
	db.LimitConnections(cfg.DatabaseMaxConns)
	n, err := db.Migrate(context.Background())
	if err != nil {
		_ = db.Close()
		return cfg, log, nil, err
	}
	if n > 0 {
		log.Info("database migrated", "applied", n)
	}
	return cfg, log, db, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, log, db, err := openDatabase(args, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	clk := clock.Real{}
	e, _, err := handlers.New(db, cfg, clk, log)
	if err != nil {
		return err
	}
	runner, err := jobs.New(db, cfg, clk, log)
	if err != nil {
		return err
	}

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	runner.Start()
	log.Info("rounds is serving", "addr", ln.Addr().String(), "base_url", cfg.BaseURL, "version", version,
		"database", db.Dialect(), "smtp", cfg.SMTPURL != "")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		_ = runner.Shutdown()
		return err
	case <-ctx.Done():
	}

	// In order: stop accepting and drain HTTP, stop the scheduler (letting a
	// running job finish), then close the database.
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("http shutdown", slog.Any("error", err))
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("http", slog.Any("error", err))
	}
	if err := runner.Shutdown(); err != nil {
		log.Warn("scheduler shutdown", slog.Any("error", err))
	}
	log.Info("stopped")
	return nil
}

func migrate(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	_, _, db, err := openDatabase(args, getenv, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is at schema version %d\n", v)
	return nil
}
