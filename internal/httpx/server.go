package httpx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server timeouts. A client must send its headers within
// ReadHeaderTimeout, so one that trickles them can't hold a connection;
// ReadTimeout bounds the whole request with its body and WriteTimeout the
// answer, generous enough for a large SCIM page or bulk request.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
	MaxHeaderBytes    = 64 << 10
)

// NewServer returns a server for h with the timeouts above. net/http's
// own complaints (TLS handshakes, malformed requests) go to log at WARN.
//
// It sets no BaseContext on purpose: request contexts must outlive the
// signal that starts a shutdown, or in-flight requests would be canceled
// instead of finished.
func NewServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve serves srv on ln until ctx ends, then shuts down gracefully: it
// stops accepting, closes idle connections, and waits up to grace for
// requests in flight to finish. It returns nil after a clean shutdown; if
// requests were still running after grace, it closes their connections
// and returns an error saying so.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http: %w", err)
	case <-ctx.Done():
	}
	// ctx is done; the shutdown gets a deadline of its own.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("http: shutdown: requests still running after %s were cut off: %w", grace, err)
	}
	return nil
}
