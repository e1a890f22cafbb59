package httpx_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/internal/httpx"
)

// serve runs httpx.Serve on a loopback port until the returned cancel is
// called; served reports what Serve returned.
func serve(t *testing.T, h http.Handler, grace time.Duration) (addr string, cancel context.CancelFunc, served <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	finished := make(chan struct{})
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	go func() {
		defer close(finished)
		done <- httpx.Serve(ctx, httpx.NewServer(h, log), ln, grace)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Error("Serve did not return")
		}
	})
	return ln.Addr().String(), cancel, done
}

// TestServeFinishesUpload starts a shutdown while a client is still
// sending a request body: the request must complete and be answered, and
// Serve must wait for it, while new connections are refused.
func TestServeFinishesUpload(t *testing.T) {
	gotHalf := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 5)
		if _, err := io.ReadFull(r.Body, buf); err != nil {
			t.Errorf("read first half: %v", err)
			return
		}
		close(gotHalf)
		rest, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read rest: %v", err)
			return
		}
		fmt.Fprintf(w, "got %s%s", buf, rest)
	})
	addr, cancel, served := serve(t, h, 10*time.Second)

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello")
	<-gotHalf

	cancel() // SIGTERM, as far as Serve knows
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a request in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted during shutdown")
	}

	fmt.Fprintf(conn, "world")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "got helloworld" {
		t.Errorf("answer = %d %q, want 200 %q", resp.StatusCode, body, "got helloworld")
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve = %v, want nil after a clean shutdown", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the last request finished")
	}
}

// TestServeGraceIsBounded: a request that never finishes is cut off after
// the grace period, and Serve says so.
func TestServeGraceIsBounded(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
	})
	addr, cancel, served := serve(t, h, 200*time.Millisecond)
	answered := make(chan error, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/stuck")
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	<-started
	begin := time.Now()
	cancel()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "cut off") {
			t.Errorf("Serve = %v, want an error saying requests were cut off", err)
		}
		if d := time.Since(begin); d > 5*time.Second {
			t.Errorf("Serve took %s with a grace of 200ms", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the grace period")
	}
	select {
	case err := <-answered:
		if err == nil {
			t.Error("the stuck request got an answer; want its connection closed")
		}
	case <-time.After(5 * time.Second):
		t.Error("the stuck request's connection was not closed")
	}
}

func TestNewServerTimeouts(t *testing.T) {
	srv := httpx.NewServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= 0 || srv.IdleTimeout <= 0 || srv.MaxHeaderBytes <= 0 {
		t.Errorf("a timeout or limit is unset: %+v", srv)
	}
	if srv.ReadHeaderTimeout > srv.ReadTimeout {
		t.Errorf("ReadHeaderTimeout %s > ReadTimeout %s", srv.ReadHeaderTimeout, srv.ReadTimeout)
	}
	if srv.BaseContext != nil {
		t.Error("BaseContext is set: a shutdown would cancel requests in flight")
	}
}

// TestServeReturnsListenerError: a server that can't serve says why
// instead of waiting for ctx.
func TestServeReturnsListenerError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = httpx.Serve(t.Context(), httpx.NewServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler)), ln, time.Second)
	if err == nil {
		t.Fatal("Serve on a closed listener returned nil")
	}
}
