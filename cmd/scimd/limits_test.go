package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestServeRateLimit: SCIMD_SCIM_RATE_LIMIT reaches the SCIM handler; a
// token past it gets 429 with Retry-After and a SCIM error body.
func TestServeRateLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend) {
		db := b.db()
		ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
		secret := lastLine(ok(t, append([]string{"token", "create", "--tenant", "acme"}, db...)...))
		s := startServer(t, map[string]string{"SCIMD_SCIM_RATE_LIMIT": "3"}, append([]string{"--addr", "127.0.0.1:0"}, db...)...)
		// Three a second pass; requests sent back to back meet the
		// limit within a few (a window may end between them).
		for i := range 1000 {
			r := s.get(t, "/scim/v2/Users?count=1", secret)
			if r.status == http.StatusOK {
				continue
			}
			scimError(t, r, http.StatusTooManyRequests)
			if n, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || n != 1 {
				t.Errorf("Retry-After %q, want 1 (a window is a second)", r.header.Get("Retry-After"))
			}
			if i < 3 {
				t.Errorf("refused after %d requests, want at least 3", i)
			}
			return
		}
		t.Error("1000 requests, none refused, with a limit of 3 a second")
	})
}

func TestRateLimitFlag(t *testing.T) {
	for _, bad := range []string{"-1", "fast", "1000001"} {
		r := cli(t, "serve", "--addr", "127.0.0.1:0", "--scim-rate-limit", bad)
		if r.err == nil || !strings.Contains(r.stderr, "--scim-rate-limit (SCIMD_SCIM_RATE_LIMIT)") {
			t.Errorf("--scim-rate-limit %s: %v %q", bad, r.err, r.stderr)
		}
	}
}
