package httpx

import (
	"log/slog"
	"net/http"
	"time"
)

// AccessLog logs one line per request after it is answered: method, route,
// path, status, duration, bytes and (through LogHandler) request_id.
//
// It logs the path without its query string, and no header: SCIM filters
// in queries carry emails and user names, and Authorization carries
// tokens. Place it inside AssignRequestID and outside the ServeMux, with
// nothing that replaces the request in between (see Route).
func AccessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := recorderFor(w)
		defer func() {
			// Deferred so that a request whose handler aborted
			// (http.ErrAbortHandler) is still logged.
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("route", rec.routeOf(r)),
				slog.String("path", truncate(r.URL.Path, 256)),
				slog.Int("status", rec.Status()),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int64("bytes", rec.bytes),
				slog.String("remote", r.RemoteAddr),
			)
		}()
		next.ServeHTTP(rec, r)
	})
}

// truncate bounds what a client can make one log line hold.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
