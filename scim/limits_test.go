package scim_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/scim"
)

// withRateLimit serves s's store again behind a rate limit of limit
// requests per minute at a fixed instant, so no window ends mid-test.
func withRateLimit(t *testing.T, s *server, limit int) {
	at := time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)
	rl := directory.NewRateLimiter(s.store, limit, time.Minute, func() time.Time { return at })
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	h := scim.NewHandler(scim.Config{Service: s.svc, Log: slog.New(slog.DiscardHandler), BaseURL: srv.URL, RateLimit: rl})
	mux.Handle("/scim/v2/", h)
	t.Cleanup(func() { srv.Close(); h.Close(context.Background()) })
	s.url = srv.URL
}

// TestRateLimitPerToken: past its limit a token gets 429 with Retry-After
// and a SCIM error; another token of the same tenant goes on.
func TestRateLimitPerToken(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		withRateLimit(t, s, 10)
		for range 10 {
			s.do("GET", "/scim/v2/Users?count=1", nil).want(t, 200)
		}
		r := s.do("GET", "/scim/v2/Users?count=1", nil).wantError(t, http.StatusTooManyRequests, "")
		if got := r.header.Get("Retry-After"); got != "50" {
			t.Errorf("Retry-After %q, want 50 (the window's end)", got)
		}
		// A write past the limit changes nothing.
		s.do("POST", "/scim/v2/Users", `{"schemas":["`+scim.UserSchema+`"],"userName":"late@acme.example"}`).want(t, http.StatusTooManyRequests)
		_, other, err := s.svc.CreateToken(t.Context(), directory.CLI, s.tenant.ID, directory.ScopeSCIM, "second")
		if err != nil {
			t.Fatal(err)
		}
		first := s.token
		s.token = other
		if n := s.do("GET", "/scim/v2/Users", nil).want(t, 200).body["totalResults"]; n != 0.0 {
			t.Errorf("totalResults %v: the refused create was applied", n)
		}
		s.token = first
	})
}

// TestCompressedBodyRefused: scimd never inflates a body, so a gzip bomb
// is refused as sent (415) rather than expanded, and creates nothing.
func TestCompressedBodyRefused(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write([]byte(`{"schemas":["` + scim.UserSchema + `"],"userName":"bomb@acme.example","title":"`))
		zw.Write(bytes.Repeat([]byte("a"), 64<<20)) // 64 MiB inflated, ~64 KiB sent
		zw.Write([]byte(`"}`))
		zw.Close()
		if z.Len() > 1<<20 {
			t.Fatalf("the bomb is %d bytes compressed; the test wants it under the limit", z.Len())
		}
		for _, enc := range []string{"gzip", "deflate", "br", "GZIP"} {
			s.do("POST", "/scim/v2/Users", z.String(), "Content-Encoding", enc).wantError(t, http.StatusUnsupportedMediaType, "")
		}
		if n := s.do("GET", "/scim/v2/Users", nil).want(t, 200).body["totalResults"]; n != 0.0 {
			t.Errorf("totalResults %v after refused bodies", n)
		}
	})
}

// endless is a body that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// TestBodyCutAtLimit: a body that never ends is cut at the limit and
// answered 413; without the cut this test would not return.
func TestBodyCutAtLimit(t *testing.T) {
	backends(t, func(t *testing.T, s *server) {
		for _, path := range []string{"/scim/v2/Users", "/scim/v2/Bulk", "/scim/v2/Users/.search"} {
			body := io.MultiReader(strings.NewReader(`{"userName":"`), endless{})
			req, err := http.NewRequestWithContext(t.Context(), "POST", s.url+path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+s.token)
			req.Header.Set("Content-Type", scim.MediaType)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				// The server may close the connection while the client
				// still writes; then the client sees the cut itself.
				if !strings.Contains(err.Error(), "connection reset") && !strings.Contains(err.Error(), "broken pipe") {
					t.Fatalf("%s: %v", path, err)
				}
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s: status %d, want 413", path, resp.StatusCode)
			}
		}
	})
}
