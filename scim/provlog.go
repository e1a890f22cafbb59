package scim

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimd/scimd/directory"
)

// provLog writes the provisioning log off the request path: entries queue
// and are written in batches, so logging a request costs it no database
// round trip. The queue is a slice under a mutex rather than a channel, so
// that a request does not wake the writer: the writer wakes on its timer,
// or when a batch is full. A full queue drops entries rather than slowing
// the IdP, and counts them.
type provLog struct {
	svc *directory.Service
	log *slog.Logger

	mu      sync.Mutex
	queue   []directory.ProvisioningEntry
	closed  bool
	full    chan struct{} // a batch is waiting; buffered, never blocks
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Int64
}

const (
	provQueue     = 10000
	provBatch     = 500
	provFlushEach = 200 * time.Millisecond
)

func newProvLog(svc *directory.Service, log *slog.Logger) *provLog {
	p := &provLog{svc: svc, log: log, full: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *provLog) add(e directory.ProvisioningEntry) {
	p.mu.Lock()
	if p.closed || len(p.queue) >= provQueue {
		p.mu.Unlock()
		if n := p.dropped.Add(1); n%1000 == 1 {
			p.log.Warn("provisioning log queue full; entries dropped", "dropped", n)
		}
		return
	}
	p.queue = append(p.queue, e)
	n := len(p.queue)
	p.mu.Unlock()
	if n == provBatch {
		select {
		case p.full <- struct{}{}:
		default:
		}
	}
}

// take removes and returns what is queued.
func (p *provLog) take() []directory.ProvisioningEntry {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queue
	p.queue = nil
	return q
}

func (p *provLog) run() {
	defer close(p.done)
	tick := time.NewTicker(provFlushEach)
	defer tick.Stop()
	flush := func() {
		for q := p.take(); len(q) > 0; q = q[min(provBatch, len(q)):] {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := p.svc.LogProvisioning(ctx, q[:min(provBatch, len(q))]); err != nil {
				p.log.Error("provisioning log write failed", "entries", min(provBatch, len(q)), "err", err)
			}
			cancel()
		}
	}
	for {
		select {
		case <-p.stop:
			flush()
			return
		case <-p.full:
			flush()
		case <-tick.C:
			flush()
		}
	}
}

// close writes what is queued and stops; entries added after it are
// dropped.
func (p *provLog) close(ctx context.Context) error {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.stop)
	}
	p.mu.Unlock()
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// record logs every authenticated SCIM request: who, what, and what it was
// answered, for the admin who asks why a sync failed.
func (h *handler) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		tok := requestToken(r)
		o, _ := r.Context().Value(outcomeKey{}).(*outcome)
		if tok == nil || o == nil {
			return
		}
		path := r.URL.Path
		if len(path) > 512 {
			path = path[:512]
		}
		h.prov.add(directory.ProvisioningEntry{
			TenantID: tok.TenantID, At: start, TokenID: tok.ID, RequestID: requestID(r),
			Method: r.Method, Path: path, ResourceID: o.resourceID,
			Status: sw.status, SCIMType: o.scimType, Detail: o.detail, Duration: time.Since(start),
		})
	})
}
