package httpx

import (
	"net/http"
)

// recorder notes what a handler wrote (status and body size) for the
// middleware around it. The middleware share one: each asks recorderFor,
// which reuses the recorder an outer middleware installed, so a request
// pays for one wrapper however many middleware look at it.
type recorder struct {
	http.ResponseWriter
	status int    // 0 until the header is written
	bytes  int64  // body bytes written
	route  string // set by SetRoute, from a mux mounted inside
}

func recorderFor(w http.ResponseWriter) *recorder {
	if rec, ok := w.(*recorder); ok {
		return rec
	}
	return &recorder{ResponseWriter: w}
}

func (rec *recorder) WriteHeader(status int) {
	// 1xx responses (103 Early Hints) are not the final status.
	if rec.status == 0 && status >= 200 {
		rec.status = status
	}
	rec.ResponseWriter.WriteHeader(status)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Status returns the status sent, 200 if the handler wrote nothing (as
// net/http then answers).
func (rec *recorder) Status() int {
	if rec.status == 0 {
		return http.StatusOK
	}
	return rec.status
}

// Flush keeps streaming handlers working through the wrapper, for callers
// that assert http.Flusher rather than use http.ResponseController.
func (rec *recorder) Flush() {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	http.NewResponseController(rec.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the connection's writer
// (deadlines, hijacking).
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// Route returns the ServeMux pattern that routed r ("GET /healthz",
// "/scim/v2/"), or "unmatched". It is the only route name metrics and logs
// use: raw paths carry ids and would make a metric label unbounded.
//
// ServeMux sets r.Pattern on the very request it is given, so middleware
// that read it after calling next must pass r down unchanged (no
// r.WithContext between them and the mux).
func Route(r *http.Request) string {
	if r.Pattern == "" {
		return "unmatched"
	}
	return r.Pattern
}

// SetRoute names the route of a request more precisely than the outer
// ServeMux can: a handler mounted at a prefix ("/scim/v2/") with a mux of
// its own calls SetRoute(w, r.Pattern) with its inner pattern ("GET
// /scim/v2/Users/{id}"), and the access log and metrics use that. The
// pattern must come from a mux, never from the path, to keep labels
// bounded. Without the middleware of this package around w it does
// nothing.
func SetRoute(w http.ResponseWriter, pattern string) {
	for {
		if rec, ok := w.(*recorder); ok {
			rec.route = pattern
			return
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return
		}
		w = u.Unwrap()
	}
}

// routeOf is the route of r as the middleware report it: the inner
// pattern SetRoute gave, else the outer one.
func (rec *recorder) routeOf(r *http.Request) string {
	if rec.route != "" {
		return rec.route
	}
	return Route(r)
}
