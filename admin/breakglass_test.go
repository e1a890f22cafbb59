package admin_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/directory/sqlite"
	"github.com/scimd/scimd/internal/testdb"
)

// TestBreakGlassRoutes: every route a break-glass session may use is one
// the API serves (a typo in the list would refuse it), and the others are
// refused with a 403 that says why.
func TestBreakGlassRoutes(t *testing.T) {
	st, err := sqlite.Open(t.Context(), testdb.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(st, nil)
	tn, _ := svc.CreateTenant(t.Context(), directory.CLI, "acme", "", 0)
	glass := func(r *http.Request) (admin.Principal, bool, error) {
		return admin.Principal{TenantID: tn.ID, Actor: directory.Actor{Kind: directory.ActorUser, ID: directory.NewID(),
			Role: directory.RoleOwner, Scope: directory.ScopeBreakGlass}}, true, nil
	}
	h := admin.NewHandler(admin.Config{Service: svc, Log: slog.New(slog.DiscardHandler), Authenticators: []admin.Authenticator{glass}})
	const refusal = "A break-glass session can only repair"
	call := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader("{}")))
		b, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(b)
	}
	n := 0
	for pattern := range admin.BreakGlassRoutes {
		method, path, ok := strings.Cut(pattern, " ")
		if !ok {
			continue // the catch-all
		}
		n++
		path = strings.ReplaceAll(path, "{id}", "00000000-0000-7000-8000-000000000000")
		if status, body := call(method, path); status == http.StatusForbidden || status == http.StatusMethodNotAllowed ||
			strings.Contains(body, "There is no admin API endpoint") {
			t.Errorf("%s %s: %d %s", method, path, status, body)
		}
	}
	if n != 13 {
		t.Errorf("%d routes allowed", n)
	}
	for _, p := range []string{"GET /api/v1/users", "POST /api/v1/users", "GET /api/v1/teams", "GET /api/v1/seats",
		"PATCH /api/v1/break-glass/settings", "DELETE /api/v1/custom-fields/x", "POST /api/v1/organizations"} {
		method, path, _ := strings.Cut(p, " ")
		if status, body := call(method, path); status != http.StatusForbidden || !strings.Contains(body, refusal) {
			t.Errorf("%s: %d %s", p, status, body)
		}
	}
	if status, _ := call("GET", "/api/v1/nothing-here"); status != http.StatusNotFound {
		t.Errorf("unknown path: %d", status)
	}
}
