package console_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/scimd/scimd/directory"
	_ "modernc.org/sqlite"
)

// seed adds n local agents to the tenant in one statement, as a bulk load
// would: user000000 ... in userName order, ids in the same order.
func (e *env) seed(n int) {
	e.t.Helper()
	driver, query := "sqlite", `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $2)
		INSERT INTO users (id, tenant_id, user_name, display_name, active, role, source, availability, version, created_at, updated_at)
		SELECT printf('00000000-0000-7000-8000-%012d', i), $1, printf('user%06d', i), printf('User %06d', i), 1, 'agent', 'local', '',
			1, '2026-03-01T09:00:00Z', '2026-03-01T09:00:00Z' FROM n`
	if e.kind == "postgres" {
		driver, query = "pgx", `INSERT INTO users (id, tenant_id, user_name, display_name, active, role, source, availability, version, created_at, updated_at)
		SELECT ('00000000-0000-7000-8000-' || lpad(i::text, 12, '0'))::uuid, $1, 'user' || lpad(i::text, 6, '0'), 'User ' || lpad(i::text, 6, '0'),
			true, 'agent', 'local', '', 1, '2026-03-01T09:00:00Z', '2026-03-01T09:00:00Z' FROM generate_series(0, $2::int - 1) AS i`
	}
	db, err := sql.Open(driver, e.dsn)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	if _, err = db.ExecContext(e.t.Context(), query, e.tenant.ID, n); err != nil {
		e.t.Fatal(err)
	}
	if e.kind == "postgres" {
		if _, err := db.ExecContext(e.t.Context(), "ANALYZE users"); err != nil { // as autovacuum soon would
			e.t.Fatal(err)
		}
	}
	e.t.Logf("seeded %d users in %v", n, time.Since(start).Round(time.Millisecond))
}

var userNames = regexp.MustCompile(`<span class="muted">(user\d{6})</span>`)

func rowsOf(body string) []string {
	var out []string
	for _, m := range userNames.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

var pageLink = regexp.MustCompile(`rel="(prev|next)" href="([^"]+)"`)

func links(body string) map[string]string {
	out := map[string]string{}
	for _, m := range pageLink.FindAllStringSubmatch(body, -1) {
		out[m[1]] = strings.ReplaceAll(m[2], "&amp;", "&")
	}
	return out
}

// TestPagingAtScale: with 100,000 users, the users list pages by cursor:
// the first page, a page deep in the list, the one before it and the last
// page are each exactly the rows they should be, and a page far down costs
// about what the first one costs (measured and logged; not asserted, the
// machine is shared).
func TestPagingAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 users")
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) { pagingAtScale(t, kind) })
	}
}

func pagingAtScale(t *testing.T, kind string) {
	const n = 100_000
	e := newEnvOn(t, kind)
	_, s := e.admin("aaa-root") // sorts before user000000
	e.seed(n)
	name := func(i int) string { return fmt.Sprintf("user%06d", i) }
	want := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, name(i))
		}
		return out
	}
	timed := func(path string) (*response, time.Duration) {
		start := time.Now()
		r := e.get(path, s)
		return r, time.Since(start)
	}
	first, firstTook := timed("/t/acme/console/users?source=local&role=agent")
	if got := rowsOf(first.body); strings.Join(got, ",") != strings.Join(want(0, 50), ",") {
		t.Fatalf("first page: %v", got)
	}
	if !strings.Contains(first.body, "100,000 users") {
		t.Errorf("first page does not count 100,000 users")
	}
	l := links(first.body)
	if l["prev"] != "" || l["next"] == "" {
		t.Fatalf("first page links: %v", l)
	}
	second := e.get(l["next"], s)
	if got := rowsOf(second.body); strings.Join(got, ",") != strings.Join(want(50, 100), ",") {
		t.Errorf("second page: %v", got)
	}

	// Deep in the list: after the cursor of user099000, as the page before
	// it would link.
	at := 99_000
	cur := (&directory.Cursor{Value: name(at - 1), ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", at-1)}).Encode()
	deep, deepTook := timed("/t/acme/console/users?source=local&role=agent&after=" + url.QueryEscape(cur))
	if got := rowsOf(deep.body); strings.Join(got, ",") != strings.Join(want(at, at+50), ",") {
		t.Fatalf("page at %d: %v", at, got)
	}
	l = links(deep.body)
	back, backTook := timed(l["prev"])
	if got := rowsOf(back.body); strings.Join(got, ",") != strings.Join(want(at-50, at), ",") {
		t.Errorf("page before %d: %v", at, got)
	}
	if got := rowsOf(e.get(links(back.body)["next"], s).body); strings.Join(got, ",") != strings.Join(want(at, at+50), ",") {
		t.Errorf("forward again from the page before %d: %v", at, got)
	}
	// The last page has no next.
	cur = (&directory.Cursor{Value: name(n - 51), ID: fmt.Sprintf("00000000-0000-7000-8000-%012d", n-51)}).Encode()
	last := e.get("/t/acme/console/users?source=local&role=agent&after="+url.QueryEscape(cur), s)
	if got := rowsOf(last.body); len(got) != 50 || got[49] != name(n-1) {
		t.Errorf("last page: %v", got)
	}
	if next := links(last.body)["next"]; next != "" {
		if got := rowsOf(e.get(next, s).body); len(got) != 0 {
			t.Errorf("past the last page: %v", got)
		}
	}
	// A search among them.
	_, searchTook := timed("/t/acme/console/users?q=user09999")
	t.Logf("first page %v, page at %d %v, page before it %v; text search %v",
		firstTook.Round(time.Millisecond), at, deepTook.Round(time.Millisecond), backTook.Round(time.Millisecond), searchTook.Round(time.Millisecond))
}
