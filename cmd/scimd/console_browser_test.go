package main

import (
	"bytes"
	"database/sql"
	"html/template"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/browsertest"
	"github.com/scimd/scimd/internal/secretbox"
	"github.com/scimd/scimd/internal/testdb"
)

// browserIdP is an identity provider that people sign in through in the
// browser tests: the in-process SAML IdP (samlBrowserIdP) or OpenID
// provider (oidcIdP).
type browserIdP interface {
	// connect makes the tenant's connection to the provider through the
	// admin API, and returns the name the sign-in page shows for it.
	connect(w *world) string
	// person chooses who signs in next.
	person(p opPerson)
	// atProvider does what the person does at the provider's pages once
	// the browser is there; nothing for a provider that signs in at once.
	atProvider(step string, b *browsertest.Browser)
	// findings are lines the console's test of a working connection shows.
	findings() []string
}

// oidcIdP is the zitadel OpenID provider of op_test.go, which signs the
// chosen person in without a page of its own.
type oidcIdP struct{ op *testOP }

func (p *oidcIdP) connect(w *world) string {
	w.t.Helper()
	r := w.call("Bearer "+w.adminToken, "POST", "/api/v1/sso/connections", map[string]any{
		"kind": "oidc", "name": "Zitadel", "issuer": p.op.issuer(), "clientId": opClientID, "clientSecret": opSecret})
	if r.status != http.StatusCreated {
		w.t.Fatalf("create connection: %d %s", r.status, r.raw)
	}
	return "Zitadel"
}

func (p *oidcIdP) person(who opPerson)                     { p.op.who(who) }
func (p *oidcIdP) atProvider(string, *browsertest.Browser) {}
func (p *oidcIdP) findings() []string {
	return []string{"the issuer matches: " + p.op.issuer(), "the client secret is set and opens with this server's key"}
}

// samlBrowserIdP is crewjam's samlidp (saml_e2e_test.go), whose sign-in
// page the person fills in. samlidp's own page posts the password to
// /login, which answers with JSON and leaves the browser there; this one
// posts it with the request to the IdP's SSO endpoint, which goes on with
// the sign-in as a real IdP's page does.
type samlBrowserIdP struct {
	*samlIdP
	user string
}

func newSAMLBrowserIdP(t *testing.T) *samlBrowserIdP {
	t.Helper()
	p := &samlBrowserIdP{samlIdP: newSAMLIdP(t, time.Now().Add(365*24*time.Hour))}
	p.idp.LoginFormTemplate = template.Must(template.New("login").Parse(`<!doctype html><html lang="en"><title>samlidp</title>` +
		`<h1>Sign in to samlidp</h1>{{with .Toast}}<p id="toast">{{.}}</p>{{end}}` +
		`<form method="post" action="` + template.HTMLEscapeString(p.idp.IDP.SSOURL.String()) + `">` +
		`<label>User <input type="text" name="user" id="idp-user"></label> ` +
		`<label>Password <input type="password" name="password" id="idp-password"></label>` +
		`<input type="hidden" name="SAMLRequest" value="{{.SAMLRequest}}"><input type="hidden" name="RelayState" value="{{.RelayState}}">` +
		`<button type="submit" id="idp-login">Log in</button></form></html>`))
	return p
}

func (p *samlBrowserIdP) connect(w *world) string {
	w.t.Helper()
	r := w.call("Bearer "+w.adminToken, "POST", "/api/v1/sso/connections", map[string]any{
		"kind": "saml", "name": "samlidp", "idpMetadataUrl": p.metadataURL(), "subjectAttribute": "uid"})
	if r.status != http.StatusCreated {
		w.t.Fatalf("create connection: %d %s", r.status, r.raw)
	}
	p.register("scimd", r.body["saml"].(map[string]any)["metadataUrl"].(string))
	return "samlidp"
}

// person gives the IdP the person, under the subject as user name: the
// connection takes samlidp's uid attribute, the user name, as the id.
func (p *samlBrowserIdP) person(who opPerson) {
	p.addUser(who.Subject, who.Email)
	p.user = who.Subject
}

func (p *samlBrowserIdP) atProvider(step string, b *browsertest.Browser) {
	b.WaitURL(step, "/sso")
	b.WaitText(step, "h1", "Sign in to samlidp")
	b.Type(step, "#idp-user", p.user)
	b.Type(step, "#idp-password", "hunter2")
	b.Shot("at-the-idp")
	// The IdP answers with a form that its script posts to scimd.
	b.ClickAndLoad(step, "#idp-login")
}

func (p *samlBrowserIdP) findings() []string {
	return []string{"read the IdP's metadata at " + p.metadataURL(), "scimd's service provider key opens with this server's key"}
}

// consoleWorld is the tenant acme with an admin token, a SCIM token for
// its identity provider, an owner, and a sign-in connection to idp.
func consoleWorld(t *testing.T, f *front, idp browserIdP) (*world, string) {
	t.Helper()
	svc := f.svc()
	tn, err := svc.CreateTenant(t.Context(), directory.CLI, "acme", "Acme Inc", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, adminToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeAdmin, "ops")
	_, scimToken, _ := svc.CreateToken(t.Context(), directory.CLI, tn.ID, directory.ScopeSCIM, "IdP provisioning")
	if _, err := svc.CreateUser(t.Context(), directory.CLI, tn.ID, &directory.User{UserName: "root", Active: true, Role: directory.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, f: f, adminToken: adminToken, scimToken: scimToken}
	return w, idp.connect(w)
}

// eventually waits until ok holds, for what happens off the request path
// (the provisioning log is written in batches).
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(30 * time.Second)
	for !ok() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("waited in vain for %s", what)
		}
	}
}

// signInThrough goes from a console page, through the tenant's sign-in
// page and the identity provider, back to that page, signed in as who.
func signInThrough(step string, b *browsertest.Browser, f *front, idp browserIdP, connection, page, who string) {
	b.Open(step, f.url+page)
	b.WaitText(step, "main", "Sign in with "+connection)
	b.Shot("sign-in-page")
	b.ClickAndLoad(step, "a.choice")
	idp.atProvider(step, b)
	b.WaitURL(step, page)
	b.WaitText(step, ".who", who)
}

// TestConsoleInBrowser: an admin signs in through the SAML identity
// provider (crewjam's samlidp, in-process) in Chromium, typing her
// password at its page, and uses the console as a person would: finds a user by
// typing in the search, opens her, tries a locked field and reads why it
// is locked, sets her extension (and the database has it), rotates the
// identity provider's SCIM token and sees the new one once, and reads in
// the provisioning log the error the provider got for a failed request.
func TestConsoleInBrowser(t *testing.T) {
	b := browsertest.New(t)
	dsn := testdb.SQLite(t)
	box, _ := secretbox.New(bytes.Repeat([]byte{3}, 32))
	f := newFront(t, func(base string) []*replica {
		return []*replica{newReplica(t, openTestStore(t, kindSQLite, dsn), base, box)}
	})
	idp := newSAMLBrowserIdP(t)
	w, connection := consoleWorld(t, f, idp)
	svc := f.svc()
	tenant, _ := svc.TenantBySlug(t.Context(), "acme")

	// The identity provider provisions Ada (an admin here) and Grace; a
	// few local users fill the list.
	ada := w.provision("ada@acme.example", "idp-ada")
	w.setRole(ada, "admin")
	r := w.call("Bearer "+w.scimToken, "POST", "/scim/v2/Users", map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "grace@acme.example", "externalId": "idp-grace", "active": true, "displayName": "Grace Hopper",
		"name":   map[string]any{"givenName": "Grace", "familyName": "Hopper"},
		"emails": []map[string]any{{"value": "grace@acme.example", "primary": true, "type": "work"}},
	})
	if r.status != http.StatusCreated {
		t.Fatalf("SCIM create grace: %d %s", r.status, r.raw)
	}
	grace := r.body["id"].(string)
	for _, n := range []string{"alan", "edsger", "barbara"} {
		if _, err := svc.CreateUser(t.Context(), directory.CLI, tenant.ID, &directory.User{UserName: n, DisplayName: strings.ToUpper(n[:1]) + n[1:], Active: true, Role: directory.RoleAgent}); err != nil {
			t.Fatal(err)
		}
	}
	// The provider sends Grace again under a new externalId: refused, and
	// logged with the error it got.
	r = w.call("Bearer "+w.scimToken, "POST", "/scim/v2/Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "grace@acme.example", "externalId": "idp-grace-2",
	})
	if r.status != http.StatusConflict {
		t.Fatalf("SCIM duplicate: %d %s", r.status, r.raw)
	}
	eventually(t, "the failed request in the provisioning log", func() bool {
		got, _ := svc.ProvisioningLog(t.Context(), tenant.ID, directory.ProvisioningQuery{Outcome: directory.ProvisioningFailed})
		return len(got) > 0
	})
	idp.person(opPerson{Subject: "idp-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example", Name: "Ada Lovelace"})

	step := "sign in"
	signInThrough(step, b, f, idp, connection, "/t/acme/console/users", "ada@acme.example")
	b.WaitText(step, "#user-count", "6 users")
	b.Shot("users")

	step = "find a user by typing"
	// From the keyboard: "/" jumps to the search box.
	b.Press(step, "/", "Slash")
	b.WaitFocus(step, "#q")
	b.Keys(step, "hopp")
	b.WaitText(step, "#user-count", "1 user")
	b.WaitText(step, "#users", "Grace Hopper")
	b.WaitGone(step, "#users", "Alan")
	if loc := b.Location(); !strings.HasSuffix(loc, "/t/acme/console/users?q=hopp") {
		t.Errorf("step %q: expected the address to follow the search; it is %s", step, loc)
	}
	b.Shot("search")

	step = "open the user"
	b.ClickAndLoad(step, "#users a[href$='/users/"+grace+"']")
	b.WaitText(step, "#user-name", "Grace Hopper")
	b.WaitText(step, "#user-name", "IdP")

	step = "try a locked field"
	b.WaitText(step, "#field-userName", "grace@acme.example")
	b.WaitText(step, "#field-userName summary", "Managed by your identity provider")
	if n, _ := chromedp.Run(b.Context(), chromedp.Evaluate[int](`document.querySelectorAll('#field-userName input, #field-displayName input').length`)); n != 0 {
		t.Errorf("step %q: expected no box to type the IdP's userName or displayName in; found %d", step, n)
	}
	b.Click(step, "#field-userName summary")
	b.WaitVisible(step, "#field-userName details.lock p")
	b.WaitText(step, "#field-userName details.lock p", "User name comes from your identity provider, so it is read-only here")
	b.Shot("locked-field")

	step = "edit the extension"
	b.Clear(step, "#in-extension")
	b.Type(step, "#in-extension", "4711")
	b.ClickAndLoad(step, "#field-extension button[type=submit]")
	b.WaitText(step, ".flash.ok", "Saved Extension.")
	if v := b.Value(step, "#in-extension"); v != "4711" {
		t.Errorf("step %q: expected the extension box to show 4711 after saving; it shows %q", step, v)
	}
	b.Shot("extension-saved")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ext sql.NullString
	if err := db.QueryRowContext(t.Context(), `SELECT extension FROM users WHERE id = $1`, grace).Scan(&ext); err != nil || ext.String != "4711" {
		t.Errorf("step %q: the database has extension %q (%v), want 4711", step, ext.String, err)
	}
	if evs, _ := svc.AuditEvents(t.Context(), tenant.ID, directory.AuditQuery{TargetID: grace, Action: "user.update"}); len(evs) != 1 || evs[0].Actor.ID != ada {
		t.Errorf("step %q: audit %+v", step, evs)
	}

	step = "rotate the SCIM token"
	var old *directory.Token
	ts, _ := svc.Tokens(t.Context(), tenant.ID)
	for _, tk := range ts {
		if tk.Scope == directory.ScopeSCIM {
			old = tk
		}
	}
	b.Open(step, f.url+"/t/acme/console/settings/tokens")
	row := "#token-" + old.ID
	b.WaitText(step, row, "IdP provisioning")
	b.Click(step, row+" details summary")
	b.WaitText(step, row+" details", "The old one stops working at once")
	b.ClickAndLoad(step, row+" form[action$='/rotate'] button")
	b.WaitText(step, "#new-token", "Copy it now: it is shown this once.")
	secret := b.Text(step, "#token-secret")
	b.Shot("token-rotated")
	if !strings.HasPrefix(secret, "scimd_") {
		t.Fatalf("step %q: expected a token on the page; found %q", step, secret)
	}
	if r := w.call("Bearer "+w.scimToken, "GET", "/scim/v2/Users?count=1", nil); r.status != http.StatusUnauthorized {
		t.Errorf("step %q: the old token still works: %d", step, r.status)
	}
	if r := w.call("Bearer "+secret, "GET", "/scim/v2/Users?count=1", nil); r.status != http.StatusOK {
		t.Errorf("step %q: the new token does not work: %d %s", step, r.status, r.raw)
	}
	b.Open(step, f.url+"/t/acme/console/settings/tokens")
	b.WaitText(step, "#tokens", "IdP provisioning")
	b.WaitGone(step, "main", secret)

	step = "read why the provider failed"
	b.Open(step, f.url+"/t/acme/console/provisioning")
	if err := chromedp.Do(b.Context(), chromedp.SetValue(chromedp.CSS("#outcome"), "failed")); err != nil {
		t.Fatalf("step %q: choose failed: %v", step, err)
	}
	b.ClickAndLoad(step, "form.search button[type=submit]")
	b.WaitText(step, "#provisioning", "userName grace@acme.example is already used by another user")
	b.WaitText(step, "#provisioning", "409")
	b.WaitText(step, "#provisioning", "token: IdP provisioning")
	b.Shot("provisioning-failure")

	step = "test the sign-in connection"
	b.Open(step, f.url+"/t/acme/console/settings/sso")
	b.ClickAndLoad(step, "#connections a")
	b.ClickAndLoad(step, "form[action$='/test'] button")
	for _, want := range idp.findings() {
		b.WaitText(step, "#findings", want)
	}
	b.Shot("connection-test")

	// No page had a script error or broke its Content-Security-Policy.
	if p := b.Problems(func(s string) bool { return strings.Contains(s, "/favicon.ico") }); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}

// TestConsoleSignInOIDCInBrowser: the console's sign-in through the
// OpenID provider, in Chromium; the rest of the console is the same for
// either protocol (TestConsoleInBrowser).
func TestConsoleSignInOIDCInBrowser(t *testing.T) {
	b := browsertest.New(t)
	dsn := testdb.SQLite(t)
	box, _ := secretbox.New(bytes.Repeat([]byte{3}, 32))
	f := newFront(t, func(base string) []*replica {
		return []*replica{newReplica(t, openTestStore(t, kindSQLite, dsn), base, box)}
	})
	idp := &oidcIdP{op: newTestOP(t, opClientID, opSecret)}
	w, connection := consoleWorld(t, f, idp)
	ada := w.provision("ada@acme.example", "idp-ada")
	w.setRole(ada, "admin")
	idp.person(opPerson{Subject: "idp-ada", Email: "ada@acme.example", EmailVerified: true, UserName: "ada@acme.example", Name: "Ada Lovelace"})

	step := "sign in"
	signInThrough(step, b, f, idp, connection, "/t/acme/console/users", "ada@acme.example")
	b.WaitText(step, "#user-count", "2 users")
	b.Shot("signed-in")
	step = "test the sign-in connection"
	b.Open(step, f.url+"/t/acme/console/settings/sso")
	b.ClickAndLoad(step, "#connections a")
	b.ClickAndLoad(step, "form[action$='/test'] button")
	for _, want := range idp.findings() {
		b.WaitText(step, "#findings", want)
	}
	b.Shot("connection-test")
	if p := b.Problems(func(s string) bool { return strings.Contains(s, "/favicon.ico") }); len(p) > 0 {
		t.Errorf("the browser reported:\n%s", strings.Join(p, "\n"))
	}
}
