package directory

import (
	"context"
	"sync"
	"time"
)

// RequestCounter counts requests per key and fixed window in the store, so
// that every replica of scimd sees the same count.
type RequestCounter interface {
	// CountRequests adds n to key's count in the window starting at start
	// (Unix seconds) and returns the count after the addition, in one
	// statement.
	CountRequests(ctx context.Context, key string, start int64, n int64) (int64, error)
	// SweepRequestWindows deletes the windows that started before before
	// (Unix seconds).
	SweepRequestWindows(ctx context.Context, before int64) error
}

// RateLimiter limits requests per key (a token's id) to Limit per Window,
// counted in the store so that the limit holds across replicas.
//
// Asking the store on every request would cost a write per request, so a
// replica takes its share in batches: it adds Batch requests to the
// window's shared count and spends them locally, asking again when they
// run out. When the shared count is over the limit, the rest of the window
// is refused without asking. A batch is a twentieth of the limit (at most 50). A replica can leave at most one batch of a
// window unspent, so with R replicas the limit admits at least
// Limit - R×Batch requests and never more than Limit.
type RateLimiter struct {
	counter RequestCounter
	now     func() time.Time
	limit   int64
	window  time.Duration
	batch   int64

	mu    sync.Mutex
	keys  map[string]*rateWindow
	swept int64 // window start of the last sweep
}

// rateWindow is one replica's share of a key's current window.
type rateWindow struct {
	start int64 // Unix seconds
	left  int64 // requests taken from the store and not yet spent
	full  bool  // the shared count reached the limit
	mu    sync.Mutex
}

// NewRateLimiter returns a limiter of limit requests per window for each
// key, counted through counter. now is the clock (nil for time.Now).
func NewRateLimiter(counter RequestCounter, limit int, window time.Duration, now func() time.Time) *RateLimiter {
	if now == nil {
		now = time.Now
	}
	if window < time.Second {
		window = time.Second
	}
	// A twentieth of the limit, at most 50: one store write per 20 to 50
	// requests, and little left unspent by a replica that goes quiet.
	batch := min(max(int64(limit)/20, 1), 50)
	return &RateLimiter{counter: counter, now: now, limit: int64(limit), window: window, batch: batch, keys: map[string]*rateWindow{}}
}

// Limit is the number of requests a key may make per window.
func (l *RateLimiter) Limit() int { return int(l.limit) }

// Allow reports whether key may make one more request now. When it may
// not, retry is how long until the window ends. An error from the store is
// returned as is; the request should then fail as the store is failing.
func (l *RateLimiter) Allow(ctx context.Context, key string) (ok bool, retry time.Duration, err error) {
	now := l.now()
	secs := int64(l.window / time.Second)
	start := now.Unix() / secs * secs
	retry = time.Unix(start+secs, 0).Sub(now)

	l.mu.Lock()
	w := l.keys[key]
	if w == nil || w.start != start {
		if len(l.keys) > 100000 { // a bound on memory; windows are short
			clear(l.keys)
		}
		w = &rateWindow{start: start}
		l.keys[key] = w
	}
	sweep := l.swept < start-2*secs
	if sweep {
		l.swept = start
	}
	l.mu.Unlock()

	if sweep {
		// Once per window per replica: windows two back are done.
		if err := l.counter.SweepRequestWindows(ctx, start-2*secs); err != nil {
			return false, 0, err
		}
	}

	w.mu.Lock()
	defer w.mu.Unlock()
	if w.left > 0 {
		w.left--
		return true, 0, nil
	}
	if w.full {
		return false, retry, nil
	}
	total, err := l.counter.CountRequests(ctx, key, start, l.batch)
	if err != nil {
		return false, 0, err
	}
	granted := min(l.batch, l.limit-(total-l.batch))
	if total >= l.limit {
		w.full = true
	}
	if granted <= 0 {
		return false, retry, nil
	}
	w.left = granted - 1
	return true, 0, nil
}
