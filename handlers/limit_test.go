package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// TestLimitReads: beyond its slots a GET waits for a turn, and goes on when
// one frees; changes and health checks never wait; a GET whose client gives
// up stops waiting.
func TestLimitReads(t *testing.T) {
	h := &Handler{readSlots: make(chan struct{}, 2)}
	e := echo.New()
	release := make(chan struct{})
	started := make(chan string, 10)
	handler := h.limitReads(func(c echo.Context) error {
		started <- c.Request().Method + " " + c.Request().URL.Path
		if c.Request().URL.Path == "/slow" {
			<-release
		}
		return nil
	})
	serve := func(ctx context.Context, method, path string) chan error {
		done := make(chan error, 1)
		go func() {
			req := httptest.NewRequest(method, path, nil).WithContext(ctx)
			done <- handler(e.NewContext(req, httptest.NewRecorder()))
		}()
		return done
	}
	wait := func(want string) {
		t.Helper()
		select {
		case got := <-started:
			if got != want {
				t.Fatalf("started %q, want %q", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s did not start", want)
		}
	}
	ctx := context.Background()
	slow1, slow2 := serve(ctx, http.MethodGet, "/slow"), serve(ctx, http.MethodGet, "/slow")
	wait("GET /slow")
	wait("GET /slow")

	// Both slots are taken: a page waits, a change and a health check do not.
	page := serve(ctx, http.MethodGet, "/sessions")
	cancelled, cancel := context.WithCancel(ctx)
	gaveUp := serve(cancelled, http.MethodGet, "/account")
	<-serve(ctx, http.MethodPost, "/sessions/1/book")
	wait("POST /sessions/1/book")
	<-serve(ctx, http.MethodGet, "/healthz")
	wait("GET /healthz")
	select {
	case s := <-started:
		t.Fatalf("%s started while every slot was taken", s)
	case <-time.After(100 * time.Millisecond):
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Error("a request whose client went away was served")
	}

	// A slot frees: the waiting page goes on.
	release <- struct{}{}
	var other chan error
	select {
	case <-slow1:
		other = slow2
	case <-slow2:
		other = slow1
	}
	wait("GET /sessions")
	if err := <-page; err != nil {
		t.Fatal(err)
	}
	close(release)
	<-other
	if len(h.readSlots) != 0 {
		t.Errorf("%d slots still taken", len(h.readSlots))
	}
}
