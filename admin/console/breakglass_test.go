package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimd/scimd/directory"
)

// breakGlass makes a break-glass account and opens a session with it, as
// scimd recover's link does, and returns the session cookie's value.
func (e *env) breakGlass(email string) (*directory.User, string) {
	e.t.Helper()
	u, _, err := e.svc.CreateBreakGlass(e.t.Context(), directory.CLI, e.tenant.ID, email)
	if err != nil {
		e.t.Fatal(err)
	}
	link, err := e.svc.MintRecoverLink(e.t.Context(), directory.CLI, e.tenant.ID, u.ID, 15*time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	res, err := e.svc.UseRecoverLink(e.t.Context(), e.tenant.ID, link.Secret, "192.0.2.1", "", policy)
	if err != nil {
		e.t.Fatal(err)
	}
	return u, res.Secret
}

var enrollLinkOnPage = regexp.MustCompile(`<code id="enroll-link">([^<]+)</code>`)

// TestBreakGlassConsole: a break-glass session gets the recovery pages
// (the admin API's BreakGlassRoutes) and a 403 saying what it can do
// everywhere else; its nav lists only those pages; every page carries the
// banner; it can't touch the alert webhook; its forms still need the
// token; what it does is audited with its scope.
func TestBreakGlassConsole(t *testing.T) {
	e := newEnv(t)
	_, admin := e.admin("root")
	bg, s := e.breakGlass("breakglass@acme.example")
	ada := e.user(&directory.User{UserName: "ada@acme.example", ExternalID: "okta-ada"}, true)

	want := []string{
		"GET audit", "GET audit/export", "GET settings/break-glass", "GET settings/sso", "GET settings/sso/connections/{id}",
		"POST settings/break-glass", "POST settings/break-glass/{id}/disable", "POST settings/break-glass/{id}/reset",
		"POST settings/sso", "POST settings/sso/connections", "POST settings/sso/connections/{id}",
		"POST settings/sso/connections/{id}/delete", "POST settings/sso/connections/{id}/test",
	}
	if got := e.console.RecoveryPages(); !slices.Equal(got, want) {
		t.Errorf("recovery pages:\n got %q\nwant %q", got, want)
	}

	// Home sends it to the sign-in settings.
	if r := e.get("/t/acme/", s); r.status != http.StatusSeeOther || r.header.Get("Location") != "/t/acme/console/settings/sso" {
		t.Errorf("home: want 303 to the console's sign-in settings, got %d %q", r.status, r.header.Get("Location"))
	}
	banner := regexp.MustCompile(`<p class="banner warning" role="status">Break-glass session — signed in as breakglass@acme\.example, ends at \d\d:\d\d UTC; every action is audited\.</p>`)
	for _, path := range []string{"settings/sso", "settings/sso/connections/" + e.conn.ID, "settings/break-glass", "audit", "audit/export"} {
		r := e.get("/t/acme/console/"+path, s)
		if r.status != http.StatusOK {
			t.Errorf("%s: want 200, got %d\n%s", path, r.status, r.body)
		}
		if path != "audit/export" && !banner.MatchString(r.body) {
			t.Errorf("%s: no break-glass banner", path)
		}
	}
	page := e.get("/t/acme/console/settings/sso", s).body
	nav := page[strings.Index(page, `<nav aria-label="Console">`):strings.Index(page, "</nav>")]
	for _, shown := range []string{"Audit log", "Sign-in", "Break-glass accounts"} {
		if !strings.Contains(nav, ">"+shown+"</a>") {
			t.Errorf("the nav lacks %s:\n%s", shown, nav)
		}
	}
	for _, hidden := range []string{"Overview", "Users", "Teams", "Organizations", "Custom fields", "Provisioning log", "SCIM tokens", "Alert webhook"} {
		if strings.Contains(nav, ">"+hidden+"</a>") {
			t.Errorf("the nav of a break-glass session lists %s", hidden)
		}
	}
	tok := csrf(t, page)
	for _, path := range []string{"", "users", "users/" + ada.ID, "teams", "organizations", "custom-fields", "provisioning",
		"settings/tokens", "settings/alert-webhook", "no-such-page"} {
		r := e.get("/t/acme/console/"+path, s)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "can only repair how Acme Inc signs in") ||
			!strings.Contains(r.body, `id="recovery-pages"`) || !banner.MatchString(r.body) {
			t.Errorf("GET %q: want 403 saying what the session can do, with the banner; got %d\n%s", path, r.status, r.body)
		}
	}
	for path, form := range map[string]url.Values{
		"users/" + ada.ID + "/disable": {},
		"users/" + ada.ID + "/role":    {"role": {"admin"}},
		"settings/tokens":              {"description": {"x"}, "scope": {"admin"}},
		"settings/alert-webhook":       {"alertWebhook": {""}},
		"teams":                        {"displayName": {"Ops"}},
	} {
		form.Set("csrf", tok)
		if r := e.post("/t/acme/console/"+path, s, form); r.status != http.StatusForbidden {
			t.Errorf("POST %s: want 403, got %d", path, r.status)
		}
	}
	// The webhook was set by an owner; the session can't change it, here
	// or through the directory.
	owner := e.user(&directory.User{UserName: "olga", ExternalID: "ext-olga", Role: directory.RoleOwner}, false)
	os := e.session(owner)
	otok := csrf(t, e.get("/t/acme/console/settings/alert-webhook", os).body)
	if r := e.post("/t/acme/console/settings/alert-webhook", os, url.Values{"csrf": {otok}, "alertWebhook": {"https://hooks.acme.example/scimd"}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner sets the webhook: %d\n%s", r.status, r.body)
	}
	if r := e.post("/t/acme/console/settings/alert-webhook", s, url.Values{"csrf": {tok}, "alertWebhook": {""}}); r.status != http.StatusForbidden {
		t.Errorf("break-glass clears the webhook: want 403, got %d", r.status)
	}
	_, err := e.svc.SetBreakGlassSettings(t.Context(), directory.Actor{Kind: directory.ActorUser, ID: bg.ID, Role: directory.RoleOwner, Scope: directory.ScopeBreakGlass},
		e.tenant.ID, func(s *directory.BreakGlassSettings) error { s.AlertWebhook = ""; return nil })
	if _, ok := err.(*directory.InvariantError); !ok {
		t.Errorf("the directory let a break-glass session change the webhook: %v", err)
	}
	if tn, _ := e.svc.Tenant(t.Context(), e.tenant.ID); tn.Settings.BreakGlass.AlertWebhook != "https://hooks.acme.example/scimd" {
		t.Errorf("the webhook is now %q", tn.Settings.BreakGlass.AlertWebhook)
	}
	// An admin (not an owner) sees the webhook but can't change it.
	if r := e.get("/t/acme/console/settings/alert-webhook", admin); r.status != http.StatusOK || !strings.Contains(r.body, "Only an owner can change the alert webhook") {
		t.Errorf("admin's webhook page: %d", r.status)
	}

	// Forms still need the session's token and the page's origin.
	if r := e.post("/t/acme/console/settings/sso", s, url.Values{"enforced": {"on"}}); r.status != http.StatusForbidden {
		t.Errorf("no token: want 403, got %d", r.status)
	}
	if r := e.post("/t/acme/console/settings/sso", s, url.Values{"csrf": {tok}, "enforced": {"on"}}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"); r.status != http.StatusForbidden {
		t.Errorf("cross-site: want 403, got %d", r.status)
	}
	if tn, _ := e.svc.Tenant(t.Context(), e.tenant.ID); tn.Settings.SSO.Enforced {
		t.Fatal("a refused form turned enforcement on")
	}
	// Enforcement off and on, and the connection test, work.
	if r := e.post("/t/acme/console/settings/sso", s, url.Values{"csrf": {tok}, "enforced": {"on"}, "link-externalId": {"on"}}); r.status != http.StatusSeeOther {
		t.Errorf("enforce: %d\n%s", r.status, r.body)
	}
	if tn, _ := e.svc.Tenant(t.Context(), e.tenant.ID); !tn.Settings.SSO.Enforced {
		t.Error("enforcement is not on")
	}
	r := e.post("/t/acme/console/settings/sso/connections/"+e.conn.ID+"/test", s, url.Values{"csrf": {tok}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="findings"`) || !strings.Contains(r.body, "problem") {
		t.Errorf("test (the issuer does not exist): want findings with a problem, got %d\n%s", r.status, r.body)
	}

	// Break-glass accounts: create shows the link once; reset shows a
	// new one; disable.
	r = e.post("/t/acme/console/settings/break-glass", s, url.Values{"csrf": {tok}, "email": {"second@acme.example"}})
	m := enrollLinkOnPage.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil || !strings.Contains(m[1], "/t/acme/break-glass/enroll?token=scimdb_") {
		t.Fatalf("create: want the enrollment link, got %d\n%s", r.status, r.body)
	}
	if p := e.get("/t/acme/console/settings/break-glass", s).body; strings.Contains(p, m[1]) || !strings.Contains(p, "second@acme.example") || !strings.Contains(p, "not enrolled") {
		t.Error("the accounts page shows the link again, or not the new account")
	}
	second, err := e.svc.BreakGlassAccount(t.Context(), e.tenant.ID, "second@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	r = e.post("/t/acme/console/settings/break-glass/"+second.ID+"/reset", s, url.Values{"csrf": {tok}})
	m2 := enrollLinkOnPage.FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m2 == nil || m2[1] == m[1] || !strings.Contains(r.body, "no longer work") {
		t.Errorf("reset: want a new link, got %d", r.status)
	}
	if r := e.post("/t/acme/console/settings/break-glass/"+second.ID+"/disable", s, url.Values{"csrf": {tok}}); r.status != http.StatusSeeOther {
		t.Errorf("disable: %d\n%s", r.status, r.body)
	}
	if r := e.post("/t/acme/console/settings/break-glass", s, url.Values{"csrf": {tok}, "email": {"ada@acme.example"}}); r.status != http.StatusConflict {
		t.Errorf("an IdP user's address: want 409, got %d", r.status)
	}

	// The audit log says it was the break-glass session.
	evs, err := e.svc.AuditEvents(t.Context(), e.tenant.ID, directory.AuditQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var scoped []string
	for _, ev := range evs {
		if ev.Actor.ID == bg.ID && ev.Actor.Scope == directory.ScopeBreakGlass {
			scoped = append(scoped, ev.Action)
		}
	}
	for _, action := range []string{"sso.settings", "breakglass.create", "breakglass.reset", "breakglass.disable"} {
		if !slices.Contains(scoped, action) {
			t.Errorf("no %s by the break-glass session in the audit log: %q", action, scoped)
		}
	}
}

// TestSignInPageLinksBreakGlass: the tenant's sign-in page keeps a
// discreet way to break-glass sign-in.
func TestSignInPageLinksBreakGlass(t *testing.T) {
	e := newEnv(t)
	r := e.get("/t/acme/login", "")
	if r.status != http.StatusOK || !strings.Contains(r.body, `<a href="/t/acme/break-glass">Break-glass sign-in</a>`) {
		t.Errorf("sign-in page: want a link to /t/acme/break-glass, got %d\n%s", r.status, r.body)
	}
}
