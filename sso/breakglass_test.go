package sso

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"
)

func TestClientAddr(t *testing.T) {
	lb := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name, remote, xff string
		proxies           []netip.Prefix
		want              string
	}{
		{"peer", "192.0.2.1:5000", "", nil, "192.0.2.1"},
		{"untrusted peer's header is ignored", "192.0.2.1:5000", "203.0.113.9", lb, "192.0.2.1"},
		{"trusted proxy", "10.1.2.3:5000", "203.0.113.9", lb, "203.0.113.9"},
		{"a spoofed hop on the left is skipped", "10.1.2.3:5000", "198.51.100.1, 203.0.113.9", lb, "203.0.113.9"},
		{"chained proxies", "10.1.2.3:5000", "203.0.113.9, 10.0.0.7", lb, "203.0.113.9"},
		{"garbage stops the walk", "10.1.2.3:5000", "nonsense", lb, "10.1.2.3"},
		{"IPv6", "[2001:db8::1]:443", "", nil, "2001:db8::1"},
		{"IPv4 in IPv6", "[::ffff:192.0.2.7]:443", "", nil, "192.0.2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			if tt.xff != "" {
				r.Header.Set("X-Forwarded-For", tt.xff)
			}
			if got := ClientAddr(r, tt.proxies); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestAlerterGivesUp: a webhook that never answers 2xx is tried once and
// then once per back-off step, and then given up; Raise itself never
// waits for it.
func TestAlerterGivesUp(t *testing.T) {
	var tries atomic.Int32
	release := make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		tries.Add(1)
		http.Error(w, "no", http.StatusInternalServerError)
	}))
	defer hook.Close()
	a := NewAlerter(slog.New(slog.DiscardHandler), nil, []time.Duration{time.Millisecond, time.Millisecond})
	a.Raise(t.Context(), hook.URL, Alert{Event: "breakglass.signin", Tenant: "acme"}) // returns with the webhook still blocked
	close(release)
	a.Wait()
	if tries.Load() != 3 {
		t.Errorf("%d tries, want 3", tries.Load())
	}
}
