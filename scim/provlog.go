package scim

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/scimd/scimd/directory"
)

// provLog writes the provisioning log off the request path: entries queue
// and are written in batches, so logging a request costs it no database
// round trip. A full queue drops entries rather than slowing the IdP, and
// counts them.
type provLog struct {
	svc     *directory.Service
	log     *slog.Logger
	ch      chan directory.ProvisioningEntry
	done    chan struct{}
	dropped atomic.Int64
}

const (
	provQueue     = 10000
	provBatch     = 500
	provFlushEach = 200 * time.Millisecond
)

func newProvLog(svc *directory.Service, log *slog.Logger) *provLog {
	p := &provLog{svc: svc, log: log, ch: make(chan directory.ProvisioningEntry, provQueue), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *provLog) add(e directory.ProvisioningEntry) {
	select {
	case p.ch <- e:
	default:
		if p.dropped.Add(1)%1000 == 1 {
			p.log.Warn("provisioning log queue full; entries dropped", "dropped", p.dropped.Load())
		}
	}
}

func (p *provLog) run() {
	defer close(p.done)
	batch := make([]directory.ProvisioningEntry, 0, provBatch)
	tick := time.NewTicker(provFlushEach)
	defer tick.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.svc.LogProvisioning(ctx, batch); err != nil {
			p.log.Error("provisioning log write failed", "entries", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case e, ok := <-p.ch:
			if !ok {
				flush()
				return
			}
			batch = append(batch, e)
			if len(batch) == provBatch {
				flush()
			}
		case <-tick.C:
			flush()
		}
	}
}

// close writes what is queued and stops.
func (p *provLog) close(ctx context.Context) error {
	close(p.ch)
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
