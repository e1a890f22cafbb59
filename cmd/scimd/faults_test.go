package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
)

// scimPost sends a SCIM create and returns the status, Retry-After and
// body.
func scimPost(client *http.Client, base, token, path, body string) (int, string, string, error) {
	req, err := http.NewRequest("POST", base+path, strings.NewReader(body))
	if err != nil {
		return 0, "", "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b), nil
}

func newUserBody(name string) string {
	return `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"` + name + `","active":true}`
}

// TestDatabaseOutage: PostgreSQL goes away under load (a proxy between
// scimd and the server is cut), and comes back. While it is away, every
// SCIM request is answered 503 with Retry-After and a SCIM error, never
// 500, and /readyz is red; when it is back, scimd recovers by itself, with
// no restart; every create acknowledged with 201 is in the database.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	dsn := testdb.Postgres(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	// Fail fast while the proxy refuses, rather than wait out a connect
	// timeout.
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	st, err := postgres.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(st, nil)
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "okta")
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secretbox.New(bytes.Repeat([]byte{5}, 32))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, closeHandlers, err := handler(svc, st, log, "http://scimd.test", signInConfig{keeper: box, now: time.Now, sessions: directory.DefaultSessionPolicy})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); closeHandlers(context.Background()) })
	client := srv.Client()
	ready := func() int {
		resp, err := client.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := ready(); code != 200 {
		t.Fatalf("/readyz %d before the outage", code)
	}

	// Load: four IdP workers creating users until told to stop.
	var (
		stop      atomic.Bool
		seq       atomic.Int64
		mu        sync.Mutex
		acked     []string
		unavail   atomic.Int64
		wg        sync.WaitGroup
		badAnswer atomic.Value
	)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				name := fmt.Sprintf("u%d@acme.example", seq.Add(1))
				code, retry, body, err := scimPost(client, srv.URL, token, "/scim/v2/Users", newUserBody(name))
				switch {
				case err != nil:
					badAnswer.Store(err.Error())
				case code == 201:
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				case code == 503:
					if n, err := strconv.Atoi(retry); err != nil || n < 1 || !strings.Contains(body, `"status":"503"`) {
						badAnswer.Store(fmt.Sprintf("503 with Retry-After %q: %s", retry, body))
					}
					unavail.Add(1)
				default:
					badAnswer.Store(fmt.Sprintf("%d: %s", code, body))
				}
			}
		})
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for range 600 {
			if cond() {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: not within 30 s", what)
	}
	waitFor("creates before the outage", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= 20 })
	proxy.cut()
	waitFor("503s during the outage", func() bool { return unavail.Load() >= 20 })
	if code := ready(); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz %d during the outage, want 503", code)
	}
	proxy.restore()
	mu.Lock()
	before := len(acked)
	mu.Unlock()
	waitFor("recovery", func() bool { mu.Lock(); defer mu.Unlock(); return len(acked) >= before+20 })
	stop.Store(true)
	wg.Wait()
	if v := badAnswer.Load(); v != nil {
		t.Errorf("an answer that is neither 201 nor a proper 503: %v", v)
	}
	if code := ready(); code != 200 {
		t.Errorf("/readyz %d after the outage, want 200", code)
	}
	// Every acknowledged create is there. (A create whose commit landed
	// but whose answer was lost shows up as a 503 and is there too: the
	// IdP's retry then meets 409, see TestRetryAfterLostResponse.)
	page, err := svc.Users(t.Context(), tn.ID, directory.Query{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, u := range page.Users {
		have[u.UserName] = true
	}
	for _, name := range acked {
		if !have[name] {
			t.Errorf("%s was acknowledged with 201 and is not in the database", name)
		}
	}
	t.Logf("%d acknowledged creates, %d answered 503 during the outage", len(acked), unavail.Load())
}
