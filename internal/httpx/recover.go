package httpx

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
)

// PanicBody is what Recover answers under a path prefix, so that each API
// answers a crash in its own format (a SCIM client expects a SCIM error).
type PanicBody struct {
	Prefix      string // a path prefix, e.g. "/scim/v2/"
	ContentType string
	Body        string
}

// defaultPanicBody answers paths no PanicBody claims.
var defaultPanicBody = PanicBody{ContentType: "text/plain; charset=utf-8", Body: "Internal server error.\n"}

// Recover turns a panic in next into a logged error and a 500, so one bad
// request neither kills the process nor leaves the client without an
// answer. The panic value and stack go to the log at ERROR; the client
// gets only a generic body, chosen from bodies by the longest matching
// prefix.
//
// If the handler had already started its response, a 500 can't be sent:
// the connection is aborted instead, so the client sees a broken response
// rather than a truncated one that looks whole.
func Recover(log *slog.Logger, next http.Handler, bodies ...PanicBody) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorderFor(w)
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				// The handler's own way to drop the connection, not a bug.
				panic(p)
			}
			log.ErrorContext(r.Context(), "panic serving request",
				"method", r.Method, "route", rec.routeOf(r), "path", truncate(r.URL.Path, 256),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if rec.status != 0 {
				panic(http.ErrAbortHandler)
			}
			b := panicBody(r.URL.Path, bodies)
			h := rec.Header()
			for k := range h {
				delete(h, k) // whatever the handler meant to send no longer applies
			}
			h.Set("Content-Type", b.ContentType)
			h.Set("X-Content-Type-Options", "nosniff")
			if id := RequestID(r.Context()); id != "" {
				h.Set(RequestIDHeader, id)
			}
			rec.WriteHeader(http.StatusInternalServerError)
			rec.Write([]byte(b.Body))
		}()
		next.ServeHTTP(rec, r)
	})
}

func panicBody(path string, bodies []PanicBody) PanicBody {
	best := defaultPanicBody
	for _, b := range bodies {
		if strings.HasPrefix(path, b.Prefix) && len(b.Prefix) >= len(best.Prefix) {
			best = b
		}
	}
	return best
}
