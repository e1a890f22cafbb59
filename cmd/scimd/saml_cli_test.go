package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSAMLCommands: an operator connects a tenant's SAML IdP from the
// shell. set-saml reads and checks the IdP's metadata before it saves
// anything, makes scimd's key pair, and prints what to give the IdP; show
// describes both sides; test says the connection works.
func TestSAMLCommands(t *testing.T) {
	b := sqliteBackend(t)
	db := b.db()
	vars := map[string]string{"SCIMD_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 32)))}
	ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
	idp := newSAMLIdP(t, time.Now().Add(365*24*time.Hour))
	run := func(args ...string) result {
		t.Helper()
		return cliEnv(t, vars, append(args, db...)...)
	}
	if r := run("sso", "set-saml", "--tenant", "acme", "--metadata-url", idp.metadataURL()); r.err == nil || !strings.Contains(r.stderr, "needs --base-url") {
		t.Errorf("without a base URL: %v %s", r.err, r.stderr)
	}
	vars["SCIMD_BASE_URL"] = "https://id.example.com"
	r := run("sso", "set-saml", "--tenant", "acme", "--name", "Okta", "--metadata-url", idp.metadataURL(), "--subject-attribute", "uid")
	sp := "https://id.example.com/t/acme/sso/saml/"
	for _, want := range []string{`created SAML connection "Okta"`, "state:           on", "entity id:       " + sp + "metadata/", "ACS URL:         " + sp + "acs/",
		"IdP:             " + idp.metadataURL(), "IdP sign-in URL: " + idp.srv.URL + "/sso", "person's id:     the attribute uid",
		"IdP certificate: samlidp signing, valid until", "SP certificate:  valid until"} {
		if r.err != nil || !strings.Contains(r.stdout, want) {
			t.Fatalf("set-saml lacks %q: %v\n%s%s", want, r.err, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "PRIVATE") {
		t.Fatal("set-saml prints the key")
	}
	if r := run("sso", "test", "--tenant", "acme"); r.err != nil || strings.Contains(r.stdout, "problem") || !strings.Contains(r.stdout, "read the IdP's metadata") ||
		!strings.Contains(r.stdout, "scimd's service provider key opens") || !strings.Contains(r.stdout, "is valid until") {
		t.Errorf("test: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	// Changing one flag keeps the others; --new-key makes a new pair.
	r = run("sso", "set-saml", "--tenant", "acme", "--name", "okta", "--email-attribute", "mail", "--new-key")
	if r.err != nil || !strings.Contains(r.stdout, "updated SAML connection") || !strings.Contains(r.stdout, "the attribute uid") ||
		!strings.Contains(r.stdout, "email attr:      mail") || !strings.Contains(r.stderr, "new key pair") {
		t.Errorf("update: %v\n%s%s", r.err, r.stdout, r.stderr)
	}

	// Bad input says what is wrong and changes nothing.
	htmlFile := filepath.Join(t.TempDir(), "metadata.xml")
	os.WriteFile(htmlFile, []byte("<html><body>Sign in to Okta</body></html>"), 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--name", "Bad", "--metadata-file", htmlFile}, "the document is a html, not SAML metadata"},
		{[]string{"--name", "Bad", "--metadata-url", closedURL(t)}, "unreachable"},
		{[]string{"--name", "Bad", "--metadata-url", "http://idp.example.com/metadata"}, "must be an https:// URL"},
		{[]string{"--name", "Bad", "--metadata-url", idp.metadataURL(), "--metadata-file", htmlFile}, "not both"},
		{[]string{"--name", "Bad", "--metadata-url", idp.metadataURL(), "--nameid-format", "x509"}, "is not one of"},
		{[]string{"--name", "Bad", "--enable"}, "can be turned on once it has its identity provider's metadata"},
	} {
		r := run(append([]string{"sso", "set-saml", "--tenant", "acme"}, tt.args...)...)
		if r.err == nil || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: %v %s", tt.args, r.err, r.stderr)
		}
	}
	if r := run("sso", "show", "--tenant", "acme"); strings.Contains(r.stdout, `"Bad"`) {
		t.Errorf("a refused connection was saved:\n%s", r.stdout)
	}
	// Made before the IdP knows scimd: off, with what to do next.
	r = run("sso", "set-saml", "--tenant", "acme", "--name", "Entra", "--subject-attribute", "http://schemas.microsoft.com/identity/claims/objectidentifier")
	if r.err != nil || !strings.Contains(r.stdout, "state:           off") || !strings.Contains(r.stdout, "IdP metadata:    none yet") ||
		!strings.Contains(r.stderr, "--metadata-url URL (or --metadata-file FILE) --enable") {
		t.Errorf("without metadata: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	if r := run("sso", "test", "--tenant", "acme", "--name", "Entra"); r.err == nil || !strings.Contains(r.stdout, "has no metadata of its IdP yet") {
		t.Errorf("test without metadata: %v\n%s", r.err, r.stdout)
	}
	// The metadata as a file, then the connection on.
	mdFile := filepath.Join(t.TempDir(), "idp.xml")
	os.WriteFile(mdFile, []byte(idp.metadata(t)), 0o600)
	if r := run("sso", "set-saml", "--tenant", "acme", "--name", "Entra", "--metadata-file", mdFile, "--enable"); r.err != nil ||
		!strings.Contains(r.stdout, "state:           on") || !strings.Contains(r.stdout, "IdP metadata:    uploaded") {
		t.Errorf("metadata file: %v\n%s%s", r.err, r.stdout, r.stderr)
	}
	if r := run("sso", "set-oidc", "--tenant", "acme", "--name", "Okta", "--client-id", "x"); r.err == nil || !strings.Contains(r.stderr, "is saml, not OIDC") {
		t.Errorf("set-oidc on a SAML connection: %v %s", r.err, r.stderr)
	}
}

// TestSAMLTestFindsExpiredCertificate: sso test says clearly when the
// IdP's signing certificate has expired (the classic SAML lockout: every
// sign-in fails from that second) and warns while it is about to.
func TestSAMLTestFindsExpiredCertificate(t *testing.T) {
	for _, tt := range []struct {
		name     string
		notAfter time.Time
		fails    bool
		want     []string
	}{
		{"expired", time.Now().Add(-24 * time.Hour), true, []string{"problem", "expired on", "nobody can sign in through this connection (the classic SAML lockout)", "break-glass"}},
		{"expiring", time.Now().Add(10 * 24 * time.Hour), false, []string{"warning", "expires on", "in 9 days", "or every sign-in fails from that day"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b := sqliteBackend(t)
			db := b.db()
			vars := map[string]string{"SCIMD_SECRET_KEY": base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 32))), "SCIMD_BASE_URL": "https://id.example.com"}
			ok(t, append([]string{"tenant", "create", "acme"}, db...)...)
			idp := newSAMLIdP(t, tt.notAfter)
			r := cliEnv(t, vars, append([]string{"sso", "set-saml", "--tenant", "acme", "--metadata-url", idp.metadataURL()}, db...)...)
			if r.err != nil || strings.Contains(r.stderr, "warning: the IdP's signing certificate expired on") != tt.fails {
				t.Fatalf("set-saml: %v %s", r.err, r.stderr)
			}
			r = cliEnv(t, vars, append([]string{"sso", "test", "--tenant", "acme"}, db...)...)
			if (r.err != nil) != tt.fails {
				t.Errorf("test: %v\n%s", r.err, r.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, r.stdout)
				}
			}
			if tt.fails {
				if show := cliEnv(t, vars, append([]string{"sso", "show", "--tenant", "acme"}, db...)...); !strings.Contains(show.stdout, "EXPIRED") {
					t.Errorf("show:\n%s", show.stdout)
				}
			}
		})
	}
}
