// Package httpx is the HTTP plumbing every route shares: request ids, the
// logs that carry them, access logs, metrics, panic recovery, and the
// server with its timeouts and graceful shutdown. It knows nothing of SCIM
// or the directory.
package httpx

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"regexp"
)

type requestIDKey struct{}

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-Id"

// validRequestID accepts a caller's id only if it is short and plain, so a
// header can't inject into logs.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id ctx carries, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// AssignRequestID gives every request an id: the caller's X-Request-Id if
// it is plain, else a new one. The id goes into the context and back in the
// response header.
func AssignRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			id = rand.Text()[:20]
		}
		w.Header().Set(RequestIDHeader, id)
		next.ServeHTTP(w, r.WithContext(WithRequestID(r.Context(), id)))
	})
}

// LogHandler wraps h so that every record logged with a context carrying a
// request id has it as request_id.
func LogHandler(h slog.Handler) slog.Handler { return logHandler{h} }

type logHandler struct{ slog.Handler }

func (l logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return l.Handler.Handle(ctx, r)
}

func (l logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{l.Handler.WithAttrs(attrs)}
}

func (l logHandler) WithGroup(name string) slog.Handler {
	return logHandler{l.Handler.WithGroup(name)}
}
