package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/scimd/scimd/directory"
)

const wantCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

var (
	scriptTag   = regexp.MustCompile(`(?i)<script[^>]*>`)
	inlineStyle = regexp.MustCompile(`(?i)<style|\sstyle\s*=`)
	inlineEvent = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	staticLink  = regexp.MustCompile(`(?:href|src)="(/t/acme/console/static/[^"]+)"`)
)

// TestEveryPageIsLockedDown: every console page, the pages that refuse,
// and the static files carry the policy and the security headers; no page
// holds a script or style the policy would have to allow inline.
func TestEveryPageIsLockedDown(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	ada := e.user(&directory.User{UserName: "ada@acme.example", ExternalID: "okta-ada", DisplayName: "Ada"}, true)
	agent := e.user(&directory.User{UserName: "bob", ExternalID: "ext-bob"}, false)
	team, err := e.svc.CreateTeam(t.Context(), directory.CLI, e.tenant.ID, &directory.Team{DisplayName: "Support"}, []string{ada.ID})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]struct {
		session string
		status  int
	}{
		"":                                      {s, 200},
		"users":                                 {s, 200},
		"users?q=ada":                           {s, 200},
		"users/" + ada.ID:                       {s, 200},
		"teams":                                 {s, 200},
		"teams/" + team.ID:                      {s, 200},
		"organizations":                         {s, 200},
		"custom-fields":                         {s, 200},
		"provisioning":                          {s, 200},
		"audit":                                 {s, 200},
		"settings/tokens":                       {s, 200},
		"settings/sso":                          {s, 200},
		"settings/sso/connections/" + e.conn.ID: {s, 200},
		"users/" + directory.NewID():            {s, 404},
		"no-such-page":                          {s, 404},
		"users?role=emperor":                    {s, 400},
		"users?as=agent":                        {e.session(agent), 403},
		"teams?x":                               {"", 303},
	}
	var statics []string
	for path, p := range pages {
		r := e.get("/t/acme/console/"+path, p.session)
		if r.status != p.status {
			t.Errorf("%s: status %d, want %d:\n%s", path, r.status, p.status, r.body)
		}
		checkHeaders(t, path, r.header, "no-store")
		if p.status == 303 {
			continue
		}
		if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: Content-Type %q", path, r.header.Get("Content-Type"))
		}
		for _, tag := range scriptTag.FindAllString(r.body, -1) {
			if !strings.Contains(tag, ` src="/t/acme/console/static/`) {
				t.Errorf("%s: a script that is not scimd's file: %s", path, tag)
			}
		}
		if m := inlineStyle.FindString(r.body); m != "" {
			t.Errorf("%s: inline style %q", path, m)
		}
		if m := inlineEvent.FindString(r.body); m != "" {
			t.Errorf("%s: inline event handler %q", path, m)
		}
		for _, m := range staticLink.FindAllStringSubmatch(r.body, -1) {
			statics = append(statics, m[1])
		}
	}
	if len(statics) == 0 {
		t.Fatal("no page links its stylesheet and script")
	}
	for _, path := range statics[:2] {
		r := e.get(path, "")
		if r.status != 200 || len(r.body) == 0 {
			t.Errorf("%s: %d", path, r.status)
		}
		checkHeaders(t, path, r.header, "public, max-age=31536000, immutable")
	}
}

func checkHeaders(t *testing.T, path string, h http.Header, cache string) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": wantCSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
		"Referrer-Policy": "same-origin", "Cache-Control": cache,
	} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %s = %q, want %q", path, name, got, want)
		}
	}
}

// TestChangesOnlyFromTheConsole: a change needs this origin and the
// session's form token. A cross-site POST is refused with its token; a
// POST without the token is refused from this origin too; a browser that
// sends neither Sec-Fetch-Site nor Origin passes only with the token.
// Nothing refused is written, not even an audit event.
func TestChangesOnlyFromTheConsole(t *testing.T) {
	e := newEnv(t)
	_, s := e.admin("root")
	_, other := e.admin("second")
	ada := e.user(&directory.User{UserName: "ada", ExternalID: "ext-ada"}, false)
	path := "/t/acme/console/users/" + ada.ID + "/field"
	token := csrf(t, e.get("/t/acme/console/users/"+ada.ID, s).body)
	otherToken := csrf(t, e.get("/t/acme/console/users", other).body)
	if token == otherToken {
		t.Fatal("two sessions share a form token")
	}
	form := func(tok, ext string) url.Values {
		return url.Values{"csrf": {tok}, "field": {"extension"}, "value": {ext}}
	}
	for _, c := range []struct {
		name string
		form url.Values
		hdr  []string
	}{
		{"cross-site with the token", form(token, "666"), []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
		{"cross-origin by Origin alone", form(token, "666"), []string{"Sec-Fetch-Site", "", "Origin", "https://evil.example"}},
		{"same origin without a token", form("", "666"), nil},
		{"same origin with another session's token", form(otherToken, "666"), nil},
		{"no headers, no token", form("", "666"), []string{"Sec-Fetch-Site", "", "Origin", ""}},
	} {
		r := e.post(path, s, c.form, c.hdr...)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "This change was refused") {
			t.Errorf("%s: %d\n%s", c.name, r.status, r.body)
		}
	}
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, ada.ID, false); u.Extension != "" || u.Version != ada.Version {
		t.Fatalf("a refused change was written: %+v", u)
	}
	if evs, _ := e.svc.AuditEvents(t.Context(), e.tenant.ID, directory.AuditQuery{TargetID: ada.ID, Action: "user.update"}); len(evs) != 0 {
		t.Errorf("refused changes left audit events: %+v", evs)
	}
	// A browser that sends neither header passes with the token.
	if r := e.post(path, s, form(token, "4711"), "Sec-Fetch-Site", "", "Origin", ""); r.status != http.StatusSeeOther {
		t.Errorf("no headers, with the token: %d %s", r.status, r.body)
	}
	if r := e.post(path, s, form(token, "4712")); r.status != http.StatusSeeOther {
		t.Errorf("same origin with the token: %d %s", r.status, r.body)
	}
	if u, _ := e.svc.User(t.Context(), e.tenant.ID, ada.ID, false); u.Extension != "4712" {
		t.Errorf("extension %q after the allowed changes", u.Extension)
	}
}

// TestOnlyAdminsOfThisTenant: the console admits a signed-in owner or
// admin of the tenant in its path, reading the role on every request.
func TestOnlyAdminsOfThisTenant(t *testing.T) {
	e := newEnv(t)
	root, s := e.admin("root")
	bob := e.user(&directory.User{UserName: "bob", ExternalID: "ext-bob", Role: directory.RoleAdmin}, false)
	bobSession := e.session(bob)

	// No session: the sign-in page, which brings the browser back.
	r := e.get("/t/acme/console/users?q=ada", "")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/t/acme/login?return=%2Ft%2Facme%2Fconsole%2Fusers%3Fq%3Dada" {
		t.Errorf("no session: %d %q", r.status, r.header.Get("Location"))
	}
	if r := e.post("/t/acme/console/users/"+root.ID+"/field", "", url.Values{"field": {"extension"}}); r.status != http.StatusUnauthorized {
		t.Errorf("POST without a session: %d", r.status)
	}
	// A forged or ended session is no session.
	if r := e.get("/t/acme/console/users", "scimds_forged"); r.status != http.StatusSeeOther {
		t.Errorf("forged session: %d", r.status)
	}

	// The tenant's home sends admins on to the console; others stay.
	if r := e.get("/t/acme/", bobSession); r.status != http.StatusSeeOther || r.header.Get("Location") != "/t/acme/console/" {
		t.Errorf("an admin's home: %d %q", r.status, r.header.Get("Location"))
	}

	// Bob is an admin, then an agent: refused on his next request, with a
	// page that says why; then an admin again.
	if r := e.get("/t/acme/console/users", bobSession); r.status != http.StatusOK {
		t.Fatalf("admin: %d", r.status)
	}
	if _, err := e.svc.UpdateUser(t.Context(), directory.CLI, e.tenant.ID, bob.ID, 0, func(u *directory.User) error {
		u.Role = directory.RoleAgent
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r = e.get("/t/acme/console/users", bobSession)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "The console is for owners and admins") ||
		!strings.Contains(r.body, "bob") || strings.Contains(r.body, "root") {
		t.Errorf("agent: %d\n%s", r.status, r.body)
	}
	if r := e.get("/t/acme/", bobSession); r.status != http.StatusOK || !strings.Contains(r.body, "bob") {
		t.Errorf("an agent's home: %d", r.status)
	}
	if r := e.post("/t/acme/console/users/"+root.ID+"/role", bobSession, url.Values{"role": {"agent"}}); r.status != http.StatusForbidden {
		t.Errorf("agent POST: %d", r.status)
	}

	// Another tenant's console refuses acme's session, and acme's console
	// finds none of the other tenant's users.
	globex, err := e.svc.CreateTenant(t.Context(), directory.CLI, "globex", "Globex", 0)
	if err != nil {
		t.Fatal(err)
	}
	wile, err := e.svc.CreateUser(t.Context(), directory.CLI, globex.ID, &directory.User{UserName: "wile", Active: true, Role: directory.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	r = e.get("/t/globex/console/users", s)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), "/t/globex/login?") {
		t.Errorf("acme's session at globex: %d %q", r.status, r.header.Get("Location"))
	}
	token := csrf(t, e.get("/t/acme/console/users", s).body)
	if r := e.post("/t/globex/console/users/"+wile.ID+"/role", s, url.Values{"csrf": {token}, "role": {"agent"}}); r.status != http.StatusUnauthorized {
		t.Errorf("acme's session POSTs at globex: %d", r.status)
	}
	if r := e.get("/t/acme/console/users/"+wile.ID, s); r.status != http.StatusNotFound {
		t.Errorf("globex's user in acme's console: %d", r.status)
	}
	if r := e.get("/t/nobody/console/users", s); r.status != http.StatusNotFound || !strings.Contains(r.body, "No such tenant") {
		t.Errorf("unknown tenant: %d", r.status)
	}
	if u, _ := e.svc.User(t.Context(), globex.ID, wile.ID, false); u.Role != directory.RoleOwner {
		t.Errorf("globex's owner changed: %s", u.Role)
	}
}
