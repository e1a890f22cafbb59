package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"
)

// TestSSOCommands: an operator connects a tenant's IdP from the shell;
// the secret is kept sealed and never printed again, and sso test
// reports a working provider as working.
func TestSSOCommands(t *testing.T) {
	b := sqliteBackend(t)
	db := b.db()
	key := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 32)))
	vars := map[string]string{"SCIMD_SECRET_KEY": key}
	ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
	op := newTestOP(t, "scimd-app", "top-secret-value")
	secretFile := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secretFile, []byte("top-secret-value\n"), 0o600)

	run := func(args ...string) result {
		t.Helper()
		return cliEnv(t, vars, append(args, db...)...)
	}
	r := run("sso", "set-oidc", "--tenant", "acme", "--name", "Zitadel", "--issuer", op.issuer(), "--client-id", "scimd-app",
		"--client-secret-file", secretFile, "--subject-claim", "oid", "--scopes", "email,profile groups")
	if r.err != nil || !strings.Contains(r.stdout, `created OIDC connection "Zitadel"`) || !strings.Contains(r.stdout, "subject claim:   oid") ||
		!strings.Contains(r.stdout, "scopes:          openid email profile groups") || !strings.Contains(r.stdout, "client secret:   set") {
		t.Fatalf("set-oidc: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	// Changing one flag keeps the others.
	r = run("sso", "set-oidc", "--tenant", "acme", "--name", "zitadel", "--subject-claim", "sub")
	if r.err != nil || !strings.Contains(r.stdout, "updated OIDC connection") || !strings.Contains(r.stdout, "client id:       scimd-app") || !strings.Contains(r.stdout, "subject claim:   sub") {
		t.Fatalf("set-oidc update: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	if r := run("sso", "set-oidc", "--tenant", "acme", "--name", "Other", "--issuer", op.issuer()); r.err == nil || !strings.Contains(r.stderr, "needs --issuer, --client-id and --client-secret-file") {
		t.Errorf("incomplete new connection: %v %s", r.err, r.stderr)
	}
	r = cliEnv(t, map[string]string{"SCIMD_BASE_URL": "https://id.example.com"}, append([]string{"sso", "show", "--tenant", "acme"}, db...)...)
	if r.err != nil || !strings.Contains(r.stdout, "redirect URI:    https://id.example.com/t/acme/sso/oidc/callback") || !strings.Contains(r.stdout, "enforced:        off") {
		t.Fatalf("show: %v\n%s", r.err, r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "top-secret-value") {
		t.Fatalf("show prints the secret:\n%s", r.stdout)
	}
	// The database holds the secret sealed, not in clear.
	data, _ := os.ReadFile(strings.TrimPrefix(db[1], "sqlite:"))
	wal, _ := os.ReadFile(strings.TrimPrefix(db[1], "sqlite:") + "-wal")
	if strings.Contains(string(data)+string(wal), "top-secret-value") {
		t.Error("the database holds the client secret in clear")
	}
	r = run("sso", "test", "--tenant", "acme")
	if r.err != nil || strings.Contains(r.stdout, "problem") || !strings.Contains(r.stdout, "the issuer matches") || !strings.Contains(r.stdout, "signing key") {
		t.Errorf("test: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	// With another key, the secret does not open, and test says why.
	other := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("o", 32)))
	r = cliEnv(t, map[string]string{"SCIMD_SECRET_KEY": other}, append([]string{"sso", "test", "--tenant", "acme"}, db...)...)
	if r.err == nil || !strings.Contains(r.stdout, "sealed with another SCIMD_SECRET_KEY") {
		t.Errorf("test with another key: %v\n%s", r.err, r.stdout)
	}

	if r := run("sso", "enforce", "--tenant", "acme", "on"); r.err != nil || !strings.Contains(r.stdout, "SSO is enforced") {
		t.Errorf("enforce: %v %s", r.err, r.stderr)
	}
	if r := run("sso", "enforce", "--tenant", "acme", "maybe"); r.err == nil {
		t.Error("enforce maybe accepted")
	}
	if r := run("sso", "settings", "--tenant", "acme", "--link-by", "externalId,userName", "--jit", "on", "--jit-role", "collaborator"); r.err != nil ||
		!strings.Contains(r.stdout, "link by externalId, userName; just in time on (role collaborator)") {
		t.Errorf("settings: %v %s %s", r.err, r.stdout, r.stderr)
	}
	if r := run("sso", "settings", "--tenant", "acme", "--jit-role", "admin"); r.err == nil || !strings.Contains(r.stderr, "can't be owners or admins") {
		t.Errorf("JIT admins: %v %s", r.err, r.stderr)
	}
	if r := run("sso", "show", "--tenant", "acme"); !strings.Contains(r.stdout, "enforced:        on") || !strings.Contains(r.stdout, "just in time:    on") {
		t.Errorf("show after settings:\n%s", r.stdout)
	}
	if r := run("sso", "delete", "--tenant", "acme", "--name", "ZITADEL"); r.err != nil {
		t.Errorf("delete: %v %s", r.err, r.stderr)
	}
	if r := run("sso", "test", "--tenant", "acme"); r.err == nil || !strings.Contains(r.stderr, "has no connection to test") {
		t.Errorf("test without connections: %v %s", r.err, r.stderr)
	}
}

// TestSSOTestFindsProblems: sso test says exactly what is wrong with a
// provider.
func TestSSOTestFindsProblems(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	wrongIssuer := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k", Algorithm: gooidc.RS256}}}
	ws := httptest.NewServer(wrongIssuer)
	defer ws.Close()
	wrongIssuer.SetIssuer(ws.URL + "/")
	noKeys := &oidctest.Server{}
	ns := httptest.NewServer(noKeys)
	defer ns.Close()
	noKeys.SetIssuer(ns.URL)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()

	for _, tt := range []struct {
		name, issuer string
		want         []string
	}{
		{"unreachable", closed, []string{"unreachable"}},
		{"wrong issuer", ws.URL, []string{`names the issuer "` + ws.URL + `/"`, "set --issuer to exactly that"}},
		{"no keys", ns.URL, []string{"publishes no signing keys"}},
		{"not OIDC", ws.URL + "/nowhere", []string{"answered HTTP 404"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := sqliteBackend(t)
			db := b.db()
			vars := map[string]string{"SCIMD_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 32)))}
			ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
			secretFile := filepath.Join(t.TempDir(), "secret")
			os.WriteFile(secretFile, []byte("x"), 0o600)
			if r := cliEnv(t, vars, append([]string{"sso", "set-oidc", "--tenant", "acme", "--issuer", tt.issuer, "--client-id", "c", "--client-secret-file", secretFile}, db...)...); r.err != nil {
				t.Fatalf("set-oidc: %v %s", r.err, r.stderr)
			}
			r := cliEnv(t, vars, append([]string{"sso", "test", "--tenant", "acme"}, db...)...)
			if r.err == nil || !strings.Contains(r.stderr, "problem") {
				t.Errorf("test passed: %s", r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}
