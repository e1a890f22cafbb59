package httpx_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimd/scimd/internal/httpx"
)

// logBuffer collects JSON log lines from concurrent writers.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records returns the log lines, each decoded.
func (l *logBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(l.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// stack is the middleware in the order cmd/scimd mounts them, around a
// mux with a few routes of the test's own.
func stack(t *testing.T) (http.Handler, *logBuffer, *prometheus.Registry) {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(httpx.LogHandler(slog.NewJSONHandler(logs, nil)))
	reg := prometheus.NewRegistry()
	m, err := httpx.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "handler ran")
		io.WriteString(w, "item "+r.PathValue("id"))
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /api/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /late-panic", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		panic("late boom")
	})
	mux.HandleFunc("GET /abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	mux.HandleFunc("GET /flush", func(w http.ResponseWriter, r *http.Request) {
		f, ok := w.(http.Flusher)
		if !ok {
			t.Error("the middleware hid http.Flusher")
			return
		}
		io.WriteString(w, "a")
		f.Flush()
	})
	// A handler with a mux of its own, as scim mounts at /scim/v2/, names
	// its inner route; through a writer wrapper of its own, too.
	inner := http.NewServeMux()
	inner.HandleFunc("GET /api/things/{id}", func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(w, r.Pattern)
		io.WriteString(w, "thing")
	})
	mux.Handle("/api/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(wrapped{w}, r.WithContext(r.Context()))
	}))
	var h http.Handler = mux
	h = httpx.Recover(log, h, httpx.PanicBody{Prefix: "/api/", ContentType: "application/json", Body: `{"error":"internal"}`})
	h = m.Handler(h)
	h = httpx.AccessLog(log, h)
	h = httpx.AssignRequestID(h)
	return h, logs, reg
}

// wrapped is a ResponseWriter wrapper such as a handler may add.
type wrapped struct{ http.ResponseWriter }

func (w wrapped) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func get(h http.Handler, target string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestAccessLog(t *testing.T) {
	h, logs, _ := stack(t)
	w := get(h, "/items/42?filter=userName+eq+%22ada@example.com%22", http.Header{
		"Authorization": {"Bearer scimd_supersecret"},
		"X-Request-Id":  {"req-1"},
	})
	if w.Code != 200 || w.Header().Get("X-Request-Id") != "req-1" {
		t.Fatalf("answer %d, request id %q", w.Code, w.Header().Get("X-Request-Id"))
	}
	recs := logs.records(t)
	if len(recs) != 2 {
		t.Fatalf("got %d log lines, want the handler's and the access line:\n%s", len(recs), logs)
	}
	for _, r := range recs {
		if r["request_id"] != "req-1" {
			t.Errorf("line without request_id req-1: %v", r)
		}
	}
	a := recs[1]
	want := map[string]any{"msg": "request", "method": "GET", "route": "GET /items/{id}", "path": "/items/42",
		"status": 200.0, "bytes": 7.0}
	for k, v := range want {
		if a[k] != v {
			t.Errorf("access line %s = %v, want %v", k, a[k], v)
		}
	}
	if _, ok := a["duration_ms"].(float64); !ok {
		t.Errorf("access line has no duration_ms: %v", a)
	}
	for _, secret := range []string{"ada@example.com", "filter", "supersecret", "Bearer"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logs)
		}
	}
}

func TestRequestIDIsAssigned(t *testing.T) {
	h, logs, _ := stack(t)
	// A caller's id that could inject into logs is replaced.
	w := get(h, "/items/1", http.Header{"X-Request-Id": {"bad id\nwith newline"}})
	id := w.Header().Get("X-Request-Id")
	if id == "" || strings.ContainsAny(id, " \n") {
		t.Fatalf("request id %q", id)
	}
	if got := logs.records(t)[1]["request_id"]; got != id {
		t.Errorf("logged request_id %v, answered %q", got, id)
	}
}

func TestMetricsLabels(t *testing.T) {
	h, _, reg := stack(t)
	get(h, "/items/1", nil)
	get(h, "/items/2", nil)
	get(h, "/nowhere/3", nil)
	get(h, "/api/things/7", nil)
	get(h, "/api/other", nil)
	r := httptest.NewRequest("BREW", "/items/1", nil)
	h.ServeHTTP(httptest.NewRecorder(), r)

	got := series(t, reg, "scimd_http_requests_total")
	want := map[string]float64{
		`method="GET",route="GET /items/{id}",status="200"`:      2,
		`method="GET",route="unmatched",status="404"`:            1,
		`method="other",route="unmatched",status="405"`:          1,
		`method="GET",route="GET /api/things/{id}",status="200"`: 1,
		`method="GET",route="/api/",status="404"`:                1,
	}
	if !maps.Equal(got, want) {
		t.Errorf("scimd_http_requests_total = %v, want %v", got, want)
	}
	if n := len(series(t, reg, "scimd_http_request_duration_seconds")); n != 4 {
		t.Errorf("duration histogram has %d series, want 4 (one per route)", n)
	}
}

// series returns the values of the metric name by its labels, written
// k="v",... in label order; a histogram's value is its count.
func series(t *testing.T, reg *prometheus.Registry, name string) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+strconv.Quote(l.GetValue()))
			}
			v := m.GetCounter().GetValue()
			if h := m.GetHistogram(); h != nil {
				v = float64(h.GetSampleCount())
			}
			out[strings.Join(labels, ",")] = v
		}
	}
	return out
}

func TestRecover(t *testing.T) {
	tests := []struct {
		name, path      string
		wantContentType string
		wantBody        string
	}{
		{"default body", "/panic", "text/plain; charset=utf-8", "Internal server error.\n"},
		{"body by prefix", "/api/panic", "application/json", `{"error":"internal"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, logs, reg := stack(t)
			w := get(h, tt.path, http.Header{"X-Request-Id": {"req-p"}})
			if w.Code != 500 || w.Header().Get("Content-Type") != tt.wantContentType || w.Body.String() != tt.wantBody {
				t.Errorf("answer %d %q %q, want 500 %q %q", w.Code, w.Header().Get("Content-Type"), w.Body, tt.wantContentType, tt.wantBody)
			}
			if strings.Contains(w.Body.String(), "boom") {
				t.Error("the panic value reached the client")
			}
			recs := logs.records(t)
			if len(recs) != 2 {
				t.Fatalf("want a panic line and an access line, got:\n%s", logs)
			}
			p := recs[0]
			if p["level"] != "ERROR" || p["panic"] != "boom" || p["request_id"] != "req-p" ||
				!strings.Contains(p["stack"].(string), "goroutine") {
				t.Errorf("panic line = %v", p)
			}
			if recs[1]["status"] != 500.0 {
				t.Errorf("access line status %v, want 500", recs[1]["status"])
			}
			key := `method="GET",route="GET ` + tt.path + `",status="500"`
			if got := series(t, reg, "scimd_http_requests_total")[key]; got != 1 {
				t.Errorf("500s counted: %v", got)
			}
		})
	}
}

// TestRecoverAfterHeader: once the answer started, a 500 can't be sent,
// so the connection is aborted rather than left looking complete.
func TestRecoverAfterHeader(t *testing.T) {
	h, logs, _ := stack(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/late-panic")
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Error("a response cut by a panic read as complete")
	}
	if !strings.Contains(logs.String(), "late boom") {
		t.Errorf("the panic was not logged:\n%s", logs)
	}
}

func TestAbortHandlerIsNotAnError(t *testing.T) {
	h, logs, _ := stack(t)
	srv := httptest.NewServer(h)
	defer srv.Close()
	if resp, err := http.Get(srv.URL + "/abort"); err == nil {
		resp.Body.Close()
		t.Error("an aborted request got an answer")
	}
	if strings.Contains(logs.String(), "panic serving request") {
		t.Errorf("http.ErrAbortHandler was logged as a panic:\n%s", logs)
	}
}

func TestFlusherPassesThrough(t *testing.T) {
	h, _, _ := stack(t)
	if w := get(h, "/flush", nil); w.Body.String() != "a" || !w.Flushed {
		t.Errorf("flush: body %q, flushed %v", w.Body, w.Flushed)
	}
}
