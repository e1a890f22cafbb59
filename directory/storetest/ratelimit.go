package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// The rate limit holds across replicas: three limiters on one store (three
// scimd processes) share one window's count. Together they admit no more
// than the limit, and no fewer than the limit less one unspent batch each.
var _ = add("RateLimitSharedByReplicas", func(t *testing.T, e *env) {
	const limit = 200
	// A window of a minute at a fixed instant, so the test never crosses a
	// window's end.
	at := time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)
	now := func() time.Time { return at }
	var replicas []*directory.RateLimiter
	for range 3 {
		replicas = append(replicas, directory.NewRateLimiter(e.store, limit, time.Minute, now))
	}
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i := range 6 {
		l := replicas[i%3]
		wg.Go(func() {
			for range 100 {
				ok, retry, err := l.Allow(e.ctx, "token-a")
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					admitted.Add(1)
				} else if retry != 50*time.Second {
					t.Errorf("retry after %s, want 50s (the window's end)", retry)
				}
			}
		})
	}
	wg.Wait()
	batch := int64(limit / 20)
	if n := admitted.Load(); n > limit || n < limit-3*batch {
		t.Errorf("admitted %d of 600 requests, want %d..%d", n, limit-3*batch, limit)
	}
	// Another key has a window of its own.
	if ok, _, err := replicas[0].Allow(e.ctx, "token-b"); !ok || err != nil {
		t.Errorf("token-b refused: %v %v", ok, err)
	}
	// The next window starts afresh, and old windows are swept.
	at = at.Add(time.Minute)
	if ok, _, err := replicas[1].Allow(e.ctx, "token-a"); !ok || err != nil {
		t.Errorf("the next window refused: %v %v", ok, err)
	}
	if err := e.store.SweepRequestWindows(context.Background(), at.Unix()); err != nil {
		t.Fatal(err)
	}
	if n, err := e.store.CountRequests(e.ctx, "token-a", at.Unix()/60*60-60, 0); err != nil || n != 0 {
		t.Errorf("swept window still counts %d (%v)", n, err)
	}
})
