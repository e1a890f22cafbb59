package scim_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Scale benchmarks fill a tenant set-based (one statement for many rows),
// which is how a load test prepares a million users in minutes; then they
// measure what an IdP does at that size against the same at a small size,
// in the same run.

// fillSQL adds users from..to-1 of the tenant, each with a work email,
// as directly as SQL can. Ids are derived from the number, so they are
// predictable: userID(n).
func fill(b *testing.B, s *benchServer, backend string, from, to int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	const chunk = 100000
	for lo := from; lo < to; lo += chunk {
		hi := min(lo+chunk, to)
		users := fmt.Sprintf(`INSERT INTO users (id, tenant_id, user_name, external_id, given_name, family_name, display_name, active, role, source, idp_owned, availability, custom, multi, version, created_at, updated_at)
			SELECT %s, %d, 'user' || g || '@fill.example', 'ext' || g, 'Given' || g, 'Family' || g, 'Given Family ' || g, TRUE, 'agent', 'scim', '["userName"]', 'offline', '{}', '{}', 1, %s, %s
			FROM %s`, idExpr(backend, "g", 0), s.tenant.ID, tsExpr(backend, now), tsExpr(backend, now), series(backend, lo, hi))
		idents := fmt.Sprintf(`INSERT INTO identities (id, tenant_id, user_id, position, kind, value, type, is_primary, verified)
			SELECT %s, %d, %s, 0, 'email', 'user' || g || '@fill.example', 'work', TRUE, TRUE FROM %s`,
			idExpr(backend, "g", 1), s.tenant.ID, idExpr(backend, "g", 0), series(backend, lo, hi))
		for _, q := range []string{users, idents} {
			if err := execSQL(ctx, backend, s.dsn, q); err != nil {
				b.Fatalf("fill %d..%d: %v", lo, hi, err)
			}
		}
	}
	if backend == "postgres" {
		execSQL(ctx, backend, s.dsn, "ANALYZE")
	}
}

// userID is the id fill gives user n.
func userID(n int) string { return fmt.Sprintf("%08x-0000-7000-8000-%012x", n, n) }

func idExpr(backend, g string, kind int) string {
	if backend == "postgres" {
		return fmt.Sprintf(`(lpad(to_hex(%s), 8, '0') || '-000%d-7000-8000-' || lpad(to_hex(%s), 12, '0'))::uuid`, g, kind, g)
	}
	return fmt.Sprintf(`printf('%%08x-000%d-7000-8000-%%012x', %s, %s)`, kind, g, g)
}

func tsExpr(backend, ts string) string {
	if backend == "postgres" {
		return "'" + ts + "'::timestamptz"
	}
	return "'" + ts + "'"
}

func series(backend string, lo, hi int) string {
	if backend == "postgres" {
		return fmt.Sprintf("generate_series(%d, %d) AS g", lo, hi-1)
	}
	return fmt.Sprintf("(WITH RECURSIVE s(g) AS (SELECT %d UNION ALL SELECT g + 1 FROM s WHERE g < %d) SELECT g FROM s)", lo, hi-1)
}

func execSQL(ctx context.Context, backend, dsn, q string) error {
	if backend == "postgres" {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return err
		}
		defer pool.Close()
		_, err = pool.Exec(ctx, q)
		return err
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(60000)")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, q)
	return err
}

var (
	filledMu sync.Mutex
	filled   = map[string]*benchServer{}
)

// filledServer returns a server whose tenant has n users, made once for
// the top-level benchmark top: the framework runs a sub-benchmark's
// function more than once, and filling a million users takes a while.
func filledServer(top *testing.B, backend string, n int) *benchServer {
	b := top
	filledMu.Lock()
	defer filledMu.Unlock()
	key := fmt.Sprintf("%s/%s/%d", top.Name(), backend, n)
	if s, ok := filled[key]; ok {
		return s
	}
	top.Cleanup(func() {
		filledMu.Lock()
		delete(filled, key)
		filledMu.Unlock()
	})
	s := newBenchServer(b, backend)
	start := time.Now()
	fill(b, s, backend, 1, n+1)
	b.Logf("filled %s with %d users in %v", backend, n, time.Since(start).Round(time.Second))
	filled[key] = s
	return s
}

// BenchmarkUserNameLookup looks users up by userName, as Entra does
// before every create, in a directory of 10,000 users and one of
// 1,000,000, alternating. ratio is the big one's latency over the small
// one's: flat is 1, the goal is at most 1.5.
func BenchmarkUserNameLookup(b *testing.B) {
	top := b
	for _, backend := range []string{"postgres", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			small := filledServer(top, backend, 10_000)
			big := filledServer(top, backend, 1_000_000)
			lookup := func(s *benchServer, n int) func(int64) error {
				return func(int64) error {
					f := url.QueryEscape(fmt.Sprintf(`userName eq "user%d@fill.example"`, 1+rand.IntN(n)))
					code, err := s.send("GET", "/scim/v2/Users?filter="+f, nil)
					if err == nil && code != 200 {
						err = fmt.Errorf("lookup: %d", code)
					}
					return err
				}
			}
			b.ResetTimer()
			ls, lb := alternate(b, 1, b.N, lookup(small, 10_000), lookup(big, 1_000_000))
			b.ReportMetric(float64(ls.Microseconds()), "10k-µs")
			b.ReportMetric(float64(lb.Microseconds()), "1M-µs")
			b.ReportMetric(float64(lb)/float64(ls), "ratio")
		})
	}
}

// BenchmarkAddMember adds one member at a time to a group of 100,000
// members and to an empty one, alternating, as Entra adds members. ratio
// is the big group's latency over the empty one's: the goal is at most
// 1.5, since adding a member must not read the group.
func BenchmarkAddMember(b *testing.B) {
	top := b
	for _, backend := range []string{"postgres", "sqlite"} {
		var once sync.Once
		var s *benchServer
		var big, empty string
		var mu sync.Mutex
		const members, spare = 100_000, 50_000
		next := members + 1
		b.Run(backend, func(b *testing.B) {
			once.Do(func() {
				s = filledServer(top, backend, members+spare)
				big = groupWith(b, s, backend, "Big", 1, members+1)
				empty = groupWith(b, s, backend, "Empty", 0, 0)
			})
			add := func(group string) func(int64) error {
				return func(int64) error {
					mu.Lock()
					n := next
					next++
					mu.Unlock()
					if n > members+spare {
						return fmt.Errorf("out of spare users: use -benchtime at most %dx", spare/2)
					}
					body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":%q}]}]}`, userID(n))
					code, err := s.send("PATCH", "/scim/v2/Groups/"+group, []byte(body))
					if err == nil && code != 204 {
						err = fmt.Errorf("add member: %d", code)
					}
					return err
				}
			}
			b.ResetTimer()
			lb, le := alternate(b, 1, b.N, add(big), add(empty))
			b.ReportMetric(float64(le.Microseconds()), "empty-µs")
			b.ReportMetric(float64(lb.Microseconds()), "100k-µs")
			b.ReportMetric(float64(lb)/float64(le), "ratio")
		})
	}
}

// groupWith creates a group through SCIM and gives it users from..to-1
// set-based.
func groupWith(b *testing.B, s *benchServer, backend, name string, from, to int) string {
	b.Helper()
	r := s.do("POST", "/scim/v2/Groups", map[string]any{"displayName": fmt.Sprintf("%s %d", name, rand.Int())})
	if r.status != 201 {
		b.Fatalf("create group: %d %s", r.status, r.raw)
	}
	id := r.str("id")
	if to > from {
		now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
		q := fmt.Sprintf(`INSERT INTO memberships (team_id, user_id, tenant_id, created_at) SELECT '%s', %s, %d, %s FROM %s`,
			id, idExpr(backend, "g", 0), s.tenant.ID, tsExpr(backend, now), series(backend, from, to))
		if err := execSQL(context.Background(), backend, s.dsn, q); err != nil {
			b.Fatal(err)
		}
	}
	return id
}

// BenchmarkPatch10kMembers adds 10,000 members to a group in one PATCH.
// The goal is at most a second.
func BenchmarkPatch10kMembers(b *testing.B) {
	top := b
	for _, backend := range []string{"postgres", "sqlite"} {
		b.Run(backend, func(b *testing.B) {
			s := filledServer(top, backend, 10_000)
			var sb strings.Builder
			sb.WriteString(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[`)
			for n := 1; n <= 10_000; n++ {
				if n > 1 {
					sb.WriteByte(',')
				}
				fmt.Fprintf(&sb, `{"value":%q}`, userID(n))
			}
			sb.WriteString(`]}]}`)
			body := []byte(sb.String())
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				g := groupWith(b, s, backend, "Ten thousand", 0, 0)
				b.StartTimer()
				code, err := s.send("PATCH", "/scim/v2/Groups/"+g, body)
				if err != nil || code != 204 {
					b.Fatalf("PATCH 10k members: %d %v", code, err)
				}
			}
		})
	}
}
