package scim_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/postgres"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
	"github.com/scimd/scimd/scim"
)

// The benchmarks here measure scimd end to end, over HTTP, against a
// baseline measured in the same run on the same machine, and report
// ratios: the machine is shared and noisy, so only ratios mean anything.
//
//	go test -run '^$' -bench . -benchtime 2000x ./scim

// benchServer is a SCIM server over HTTP for a benchmark, with a client
// that keeps connections alive.
type benchServer struct {
	*server
	client *http.Client
	dsn    string // PostgreSQL URL, or SQLite path
}

func newBenchServer(b *testing.B, backend string) *benchServer {
	b.Helper()
	var st directory.Store
	var dsn string
	switch backend {
	case "postgres":
		dsn = testdb.Postgres(b)
		s, err := postgres.Open(b.Context(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		st = s
		if _, err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
	default:
		dsn = testdb.SQLite(b)
		s, err := sqlite.Open(b.Context(), dsn)
		if err != nil {
			b.Fatal(err)
		}
		st = s
		if _, err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	srv := newServerTB(b, st)
	// Behind the per-token rate limit, as scimd serves: set far above what
	// the benchmark sends, so it costs what it costs (a store write per
	// batch of 50 requests) without refusing any.
	rl := directory.NewRateLimiter(st, 1_000_000, time.Second, nil)
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	h := scim.NewHandler(scim.Config{Service: srv.svc, Log: slog.New(slog.DiscardHandler), BaseURL: hs.URL, RateLimit: rl})
	mux.Handle("/scim/v2/", h)
	b.Cleanup(func() { hs.Close(); h.Close(context.Background()) })
	srv.url = hs.URL
	return &benchServer{server: srv, dsn: dsn, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// send makes one request and drains the answer.
func (s *benchServer) send(method, path string, body []byte) (int, error) {
	req, err := http.NewRequest(method, s.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("Content-Type", "application/scim+json")
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// userBody is a realistic Okta-style create: about 1 KB.
func userBody(n int64) []byte {
	return fmt.Appendf(nil, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
"userName":"user%d@bench.example","externalId":"00u%d","name":{"givenName":"Given%d","familyName":"Family%d","formatted":"Given%d Family%d"},
"displayName":"Given%d Family%d","title":"Support Engineer","locale":"en-US","preferredLanguage":"en","timezone":"Europe/Paris","active":true,
"emails":[{"value":"user%d@bench.example","type":"work","primary":true}],"phoneNumbers":[{"value":"+1 555 %07d","type":"work"}],
"addresses":[{"streetAddress":"1 Main Street","locality":"Springfield","region":"OR","postalCode":"97477","country":"US","type":"work","primary":true}],
"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"%d","department":"Customer Support","division":"Operations","costCenter":"CC-1200","organization":"Bench Inc"}}`,
		n, n, n, n, n, n, n, n, n, n, n)
}

// alternate runs ops of two kinds, a then b, across clients goroutines,
// n of each in all, and returns the mean latency of each. Interleaving
// them exposes both to the same noise.
func alternate(b *testing.B, clients, n int, opA, opB func(i int64) error) (time.Duration, time.Duration) {
	var next atomic.Int64
	var mu sync.Mutex
	var sumA, sumB time.Duration
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var a, bb time.Duration
			for {
				i := next.Add(1)
				if i > int64(n) {
					break
				}
				start := time.Now()
				if err := opA(i); err != nil {
					b.Error(err)
					return
				}
				mid := time.Now()
				if err := opB(i); err != nil {
					b.Error(err)
					return
				}
				a += mid.Sub(start)
				bb += time.Since(mid)
			}
			mu.Lock()
			sumA += a
			sumB += bb
			mu.Unlock()
		})
	}
	wg.Wait()
	return sumA / time.Duration(max(n, 1)), sumB / time.Duration(max(n, 1))
}

// BenchmarkCreateUser compares POST /Users with single-row INSERTs of an
// equal row (a unique key and about 1 KB of data) straight to the same
// database, at the same concurrency. ratio is scimd's throughput over the
// database's: the goal is 0.6 or more.
func BenchmarkCreateUser(b *testing.B) {
	for _, backend := range []string{"postgres", "sqlite"} {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", backend, clients), func(b *testing.B) {
				s := newBenchServer(b, backend)
				insert := rawInserter(b, backend, s.dsn)
				var seq atomic.Int64
				b.ResetTimer()
				raw, post := alternate(b, clients, b.N, func(int64) error {
					return insert(seq.Add(1))
				}, func(int64) error {
					code, err := s.send("POST", "/scim/v2/Users", userBody(seq.Add(1)))
					if err == nil && code != 201 {
						err = fmt.Errorf("POST /Users: %d", code)
					}
					return err
				})
				b.ReportMetric(float64(post.Microseconds()), "post-µs")
				b.ReportMetric(float64(raw.Microseconds()), "insert-µs")
				b.ReportMetric(float64(raw)/float64(post), "ratio")
			})
		}
	}
}

// rawInserter returns a function that inserts one row of about 1 KB with
// a unique key into a table of its own, as directly as the driver can.
func rawInserter(b *testing.B, backend, dsn string) func(n int64) error {
	data := strings.Repeat("x", 1000)
	ctx := context.Background()
	if backend == "postgres" {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(pool.Close)
		if _, err := pool.Exec(ctx, `CREATE TABLE raw_users (id uuid PRIMARY KEY, tenant_id bigint NOT NULL, user_name text NOT NULL UNIQUE, data text NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		return func(n int64) error {
			_, err := pool.Exec(ctx, `INSERT INTO raw_users (id, tenant_id, user_name, data) VALUES ($1, 1, $2, $3)`,
				directory.NewID(), fmt.Sprintf("raw%d@bench.example", n), data)
			return err
		}
	}
	// The same settings scimd's SQLite store uses: WAL, full sync, one
	// writer.
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE raw_users (id TEXT PRIMARY KEY, tenant_id INTEGER NOT NULL, user_name TEXT NOT NULL UNIQUE, data TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	return func(n int64) error {
		_, err := db.Exec(`INSERT INTO raw_users (id, tenant_id, user_name, data) VALUES ($1, 1, $2, $3)`,
			directory.NewID(), fmt.Sprintf("raw%d@bench.example", n), data)
		return err
	}
}
