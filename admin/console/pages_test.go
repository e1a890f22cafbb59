package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

var secretOnPage = regexp.MustCompile(`<code id="token-secret">(scimd_[A-Za-z0-9_-]+)</code>`)

// TestTokens: a new token's secret is on the page that made it and on no
// other; rotating shows the new one once and ends the old one at once;
// revoking ends it.
func TestTokens(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	tok := csrf(t, e.get("/t/acme/console/settings/tokens", s).body)
	r := e.post("/t/acme/console/settings/tokens", s, url.Values{"csrf": {tok}, "description": {"Okta"}, "scope": {"scim"}})
	m := secretOnPage.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(r.body, "shown this once") {
		t.Fatalf("create: %d\n%s", r.status, r.body)
	}
	first := m[1]
	got, err := e.svc.Authenticate(t.Context(), first)
	if err != nil || got.Scope != directory.ScopeSCIM || got.Description != "Okta" {
		t.Fatalf("the secret shown: %+v %v", got, err)
	}
	if p := e.get("/t/acme/console/settings/tokens", s).body; strings.Contains(p, first) || !strings.Contains(p, "Okta") {
		t.Error("the tokens page shows the secret again, or not the token")
	}
	// An empty description is refused, and the form keeps the scope.
	r = e.post("/t/acme/console/settings/tokens", s, url.Values{"csrf": {tok}, "description": {"x\x00"}, "scope": {"admin"}})
	if r.status != http.StatusBadRequest || secretOnPage.MatchString(r.body) {
		t.Errorf("bad description: %d", r.status)
	}
	r = e.post("/t/acme/console/settings/tokens/"+got.ID+"/rotate", s, url.Values{"csrf": {tok}})
	m = secretOnPage.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || m[1] == first || !strings.Contains(r.body, "The old token stopped working") {
		t.Fatalf("rotate: %d\n%s", r.status, r.body)
	}
	if _, err := e.svc.Authenticate(t.Context(), first); err == nil {
		t.Error("the old secret still works after rotation")
	}
	rotated, err := e.svc.Authenticate(t.Context(), m[1])
	if err != nil {
		t.Fatalf("the rotated secret: %v", err)
	}
	if r := e.post("/t/acme/console/settings/tokens/"+got.ID+"/rotate", s, url.Values{"csrf": {tok}}); r.status != http.StatusNotFound {
		t.Errorf("rotate a revoked token: %d", r.status)
	}
	if r := e.post("/t/acme/console/settings/tokens/"+rotated.ID+"/revoke", s, url.Values{"csrf": {tok}}); r.status != http.StatusSeeOther {
		t.Errorf("revoke: %d", r.status)
	}
	if _, err := e.svc.Authenticate(t.Context(), m[1]); err == nil {
		t.Error("a revoked secret still works")
	}
	if p := e.get("/t/acme/console/settings/tokens?done=token-revoked", s).body; !strings.Contains(p, "No live tokens.") || !strings.Contains(p, "Revoked tokens (2)") {
		t.Errorf("tokens page after revoking:\n%s", p)
	}
}

// TestProvisioningLog: failed requests show the error the identity
// provider got; the filters keep what they name.
func TestProvisioningLog(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	tk, _, _ := e.svc.CreateToken(t.Context(), directory.CLI, e.tenant.ID, directory.ScopeSCIM, "Okta provisioning")
	now := time.Now()
	if err := e.svc.LogProvisioning(t.Context(), []directory.ProvisioningEntry{
		{TenantID: e.tenant.ID, At: now, TokenID: tk.ID, Method: "POST", Path: "/scim/v2/Users", Status: 201, ResourceID: directory.NewID()},
		{TenantID: e.tenant.ID, At: now, TokenID: tk.ID, Method: "POST", Path: "/scim/v2/Users", Status: 409, SCIMType: "uniqueness",
			Detail: "userName <ada@acme.example> is already used by another user"},
		{TenantID: e.tenant.ID, At: now, TokenID: tk.ID, Method: "PATCH", Path: "/scim/v2/Groups/x", Status: 400, Detail: "members: no such user"},
	}); err != nil {
		t.Fatal(err)
	}
	r := e.get("/t/acme/console/provisioning?outcome=failed&resource=Users", s)
	if r.status != 200 || !strings.Contains(r.body, "userName &lt;ada@acme.example&gt; is already used by another user") ||
		!strings.Contains(r.body, "token: Okta provisioning") || strings.Contains(r.body, "no such user") || strings.Contains(r.body, ">201<") {
		t.Errorf("failed Users requests:\n%s", r.body)
	}
	if r := e.get("/t/acme/console/provisioning?outcome=succeeded", s); !strings.Contains(r.body, ">201<") || strings.Contains(r.body, "409") {
		t.Errorf("succeeded requests:\n%s", r.body)
	}
	if r := e.get("/t/acme/console/", s); !strings.Contains(r.body, "already used by another user") {
		t.Error("the overview does not show the latest failure")
	}
	for _, q := range []string{"?outcome=maybe", "?resource=Tokens", "?before=x"} {
		if r := e.get("/t/acme/console/provisioning"+q, s); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.status)
		}
	}
}

// TestAuditExport: the audit log's export is the filtered log as JSON
// lines, oldest first, in the CLI's format, as a download.
func TestAuditExport(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	for _, n := range []string{"a", "b", "c"} {
		e.user(&directory.User{UserName: n, ExternalID: "ext-" + n}, false)
	}
	page := e.get("/t/acme/console/audit?action=user.", s)
	if !strings.Contains(page.body, `href="/t/acme/console/audit/export?action=user."`) || !strings.Contains(page.body, "user.create") {
		t.Fatalf("audit page:\n%s", page.body)
	}
	r := e.get("/t/acme/console/audit/export?action=user.", s)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Disposition"), `attachment; filename="scimd-audit-acme-`) {
		t.Fatalf("export: %d %v", r.status, r.header)
	}
	var names []string
	sc := bufio.NewScanner(strings.NewReader(r.body))
	for sc.Scan() {
		var rec struct {
			Tenant, Action string
			Target         struct{ Name string }
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if rec.Tenant != "acme" || rec.Action != "user.create" {
			t.Errorf("record %+v", rec)
		}
		names = append(names, rec.Target.Name)
	}
	if strings.Join(names, ",") != "root,a,b,c" {
		t.Errorf("exported %v", names)
	}
}

// TestTeamsOrganizationsCustomFields: the other lists, each with its
// create, edit and delete, and refusals shown on the page.
func TestTeamsOrganizationsCustomFields(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	ada := e.user(&directory.User{UserName: "ada", ExternalID: "ext-ada",
		Identities: []directory.Identity{{Kind: directory.KindEmail, Value: "ada@acme.example", Primary: true}}}, false)
	tok := csrf(t, e.get("/t/acme/console/teams", s).body)
	post := func(path string, form url.Values) *response {
		t.Helper()
		form.Set("csrf", tok)
		return e.post("/t/acme/console/"+path, s, form)
	}
	r := post("teams", url.Values{"name": {"Support"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create team: %d %s", r.status, r.body)
	}
	teamPath := strings.TrimPrefix(strings.SplitN(r.header.Get("Location"), "?", 2)[0], "/t/acme/console/")
	if r := post("teams", url.Values{"name": {"support"}}); r.status != http.StatusConflict || !strings.Contains(r.body, `value="support"`) {
		t.Errorf("duplicate team: %d", r.status)
	}
	if r := post(teamPath+"/members", url.Values{"user": {"ADA@acme.example"}}); r.status != http.StatusSeeOther {
		t.Errorf("add member by email: %d %s", r.status, r.body)
	}
	if r := post(teamPath+"/members", url.Values{"user": {"nobody"}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, "No user has the user name or email address nobody.") {
		t.Errorf("add nobody: %d", r.status)
	}
	if p := e.get("/t/acme/console/"+teamPath, s).body; !strings.Contains(p, "1 member") || !strings.Contains(p, "/users/"+ada.ID) {
		t.Errorf("team page:\n%s", p)
	}
	if r := post(teamPath+"/rename", url.Values{"name": {"Help desk"}}); r.status != http.StatusSeeOther {
		t.Errorf("rename: %d", r.status)
	}
	if r := post(teamPath+"/members/"+ada.ID+"/remove", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("remove member: %d", r.status)
	}
	if r := post(teamPath+"/delete", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("delete team: %d", r.status)
	}

	if r := post("organizations", url.Values{"name": {"Initech"}, "domains": {"initech.example, initech.example.org"}}); r.status != http.StatusSeeOther {
		t.Fatalf("create org: %d %s", r.status, r.body)
	}
	if r := post("organizations", url.Values{"name": {"Bad"}, "domains": {"not a domain"}}); r.status != http.StatusBadRequest || !strings.Contains(r.body, `value="not a domain"`) {
		t.Errorf("bad domain: %d\n%s", r.status, r.body)
	}
	orgs, _ := e.svc.Organizations(t.Context(), e.tenant.ID)
	if len(orgs) != 1 || len(orgs[0].Domains) != 2 {
		t.Fatalf("orgs: %+v", orgs)
	}
	if r := post("organizations/"+orgs[0].ID, url.Values{"name": {"Initech Corp"}, "domains": {"initech.example"}}); r.status != http.StatusSeeOther {
		t.Errorf("update org: %d", r.status)
	}
	if o, _ := e.svc.Organization(t.Context(), e.tenant.ID, orgs[0].ID); o.Name != "Initech Corp" || len(o.Domains) != 1 {
		t.Errorf("org after update: %+v", o)
	}
	if r := post("organizations/"+orgs[0].ID+"/delete", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("delete org: %d", r.status)
	}

	if r := post("custom-fields", url.Values{"name": {"tier"}, "type": {"select"}, "options": {"gold, silver"}}); r.status != http.StatusSeeOther {
		t.Fatalf("define field: %d %s", r.status, r.body)
	}
	if r := post("custom-fields", url.Values{"name": {"9lives"}, "type": {"text"}}); r.status != http.StatusBadRequest {
		t.Errorf("bad field name: %d", r.status)
	}
	// The user's page offers the field as a choice of its options.
	if p := e.get("/t/acme/console/users/"+ada.ID, s).body; !strings.Contains(p, `<option value="gold">gold</option>`) {
		t.Error("custom field not on the user's page")
	}
	if r := post("users/"+ada.ID+"/field", url.Values{"field": {"custom.tier"}, "value": {"platinum"}}); r.status != http.StatusBadRequest ||
		!strings.Contains(r.body, "Custom.tier must be one of gold, silver") {
		t.Errorf("bad option: %d\n%s", r.status, r.body)
	}
	if r := post("users/"+ada.ID+"/field", url.Values{"field": {"custom.tier"}, "value": {"gold"}}); r.status != http.StatusSeeOther {
		t.Errorf("set option: %d", r.status)
	}
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, ada.ID, false); u.Custom["tier"] != "gold" {
		t.Errorf("custom: %v", u.Custom)
	}
	if r := post("custom-fields/tier/delete", url.Values{}); r.status != http.StatusSeeOther {
		t.Errorf("delete field: %d", r.status)
	}
}

// TestSignInSettings: an owner edits how the tenant signs in; an admin
// sees it and is refused a change, by the directory's rule.
func TestSignInSettings(t *testing.T) {
	e := newEnv(t)
	owner := e.user(&directory.User{UserName: "owner", ExternalID: "ext-owner", Role: directory.RoleOwner}, false)
	s := e.session(owner)
	_, adminSession := e.admin("admin")
	page := e.get("/t/acme/console/settings/sso", s).body
	if !strings.Contains(page, "Redirect URI:</span> <code>"+e.srv.URL+"/t/acme/sso/oidc/callback</code>") {
		t.Errorf("no redirect URI:\n%s", page)
	}
	tok := csrf(t, page)
	r := e.post("/t/acme/console/settings/sso", s, url.Values{"csrf": {tok}, "enforced": {"on"}, "link-externalId": {"on"}, "link-userName": {"on"}, "jitRole": {"agent"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.status, r.body)
	}
	tn, _ := e.svc.Tenant(t.Context(), e.tenant.ID)
	if !tn.Settings.SSO.Enforced || len(tn.Settings.SSO.LinkBy) != 2 {
		t.Errorf("settings: %+v", tn.Settings.SSO)
	}
	adminPage := e.get("/t/acme/console/settings/sso", adminSession).body
	if !strings.Contains(adminPage, "Only an owner can change how the tenant signs in") || !strings.Contains(adminPage, "<fieldset disabled>") {
		t.Error("an admin's page does not say they can't change it")
	}
	r = e.post("/t/acme/console/settings/sso", adminSession, url.Values{"csrf": {csrf(t, adminPage)}})
	if r.status != http.StatusConflict || !strings.Contains(r.body, "Only an owner can change how the tenant signs in.") {
		t.Errorf("admin saves settings: %d", r.status)
	}
	if tn, _ := e.svc.Tenant(t.Context(), e.tenant.ID); !tn.Settings.SSO.Enforced {
		t.Error("an admin turned enforcement off")
	}

	// A connection: create, edit (the secret needs a key), delete.
	r = e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"oidc"}, "name": {"Entra"}, "issuer": {"https://login.microsoftonline.example/t/v2.0"}, "clientId": {"app"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create connection: %d %s", r.status, r.body)
	}
	// A refused create keeps what was typed.
	r2 := e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"oidc"}, "name": {"Broken"}, "issuer": {"ftp://x"}, "clientId": {"app"}})
	if r2.status != http.StatusBadRequest || !strings.Contains(r2.body, `value="Broken"`) || !strings.Contains(r2.body, "The issuer must be an https:// URL") {
		t.Errorf("bad issuer: %d\n%s", r2.status, r2.body)
	}
	connPath := strings.SplitN(r.header.Get("Location"), "?", 2)[0]
	r = e.post(connPath, s, url.Values{"csrf": {tok}, "name": {"Entra ID"}, "enabled": {"on"}, "issuer": {"https://login.microsoftonline.example/t/v2.0"},
		"clientId": {"app"}, "scopes": {"email profile"}, "subjectClaim": {"oid"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("edit connection: %d %s", r.status, r.body)
	}
	conns, _ := e.svc.Connections(context.Background(), e.tenant.ID)
	var entra *directory.Connection
	for _, c := range conns {
		if c.Name == "Entra ID" {
			entra = c
		}
	}
	if entra == nil || !entra.Enabled || entra.OIDC.SubjectClaim != "oid" || len(entra.OIDC.Scopes) != 2 {
		t.Fatalf("connection: %+v", entra)
	}
	r = e.post(connPath, s, url.Values{"csrf": {tok}, "name": {"Entra ID"}, "clientSecret": {"s3cret"}})
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "SCIMD_SECRET_KEY") || strings.Contains(r.body, "s3cret") {
		t.Errorf("secret without a key: %d\n%s", r.status, r.body)
	}
	// A SAML connection links scimd's metadata for the provider.
	r = e.post("/t/acme/console/settings/sso/connections", s, url.Values{"csrf": {tok}, "kind": {"saml"}, "name": {"ADFS"},
		"metadataXml": {idpMetadata(t, "ADFS signing", time.Now().Add(time.Hour))}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create SAML connection: %d %s", r.status, r.body)
	}
	samlPath := strings.SplitN(r.header.Get("Location"), "?", 2)[0]
	samlID := samlPath[strings.LastIndexByte(samlPath, '/')+1:]
	if p := e.get(samlPath, s).body; !strings.Contains(p, `href="`+e.srv.URL+`/t/acme/sso/saml/metadata/`+samlID+`" download`) {
		t.Errorf("no metadata link on the SAML connection's page:\n%s", p)
	}
	if p := e.get("/t/acme/console/settings/sso", s).body; !strings.Contains(p, "Download SP metadata") {
		t.Error("no metadata link in the connections list")
	}
	if r := e.post(connPath+"/delete", s, url.Values{"csrf": {tok}}); r.status != http.StatusSeeOther {
		t.Errorf("delete connection: %d", r.status)
	}
}
