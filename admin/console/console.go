// Package console is the tenant admins' web console: server-rendered
// pages under /t/{tenant}/console/ for what the admin API does (users,
// teams, organizations, custom fields, seats, the provisioning and audit
// logs, SCIM tokens, sign-in connections), for a tenant's signed-in owners
// and admins.
//
// Pages are html/template with embedded templates and static files; the
// one script (static/console.js) only makes the user search live and adds
// a copy button, and every page works without it. Every change is a form
// POST that goes through directory.Service with the signed-in user as the
// actor, so the directory's rules hold here as everywhere, and its typed
// errors become page messages in one place (problemFor).
//
// Safety: every POST passes Go's CrossOriginProtection and carries a
// per-session token; every page is sent with a Content-Security-Policy
// that allows scripts and styles from scimd alone, never inline.
package console

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
	"github.com/scimd/scimd/internal/secretbox"
)

// Path is where the console lives under a tenant's pages: /t/{tenant}/console/.
const Path = "console/"

// RecoveryHome is the page, under Path, a break-glass session starts at:
// the sign-in settings it is there to repair.
const RecoveryHome = "settings/sso"

// Pattern is the ServeMux pattern to mount the console's handler at.
const Pattern = "/t/{tenant}/" + Path

// Finding is one line of a sign-in connection's test: what was checked and
// how it went ("ok", "warning" or "problem"), as the admin API answers it.
type Finding = admin.Finding

// Banner is a line shown above every page of a session, such as the
// warning that a break-glass session is short and audited.
type Banner struct {
	Kind string // "info" or "warning": how it is styled
	Text string
}

// Config is what the console needs.
type Config struct {
	Service *directory.Service
	Log     *slog.Logger
	// BaseURL is the public URL of scimd; links and redirects carry its
	// path.
	BaseURL string
	// SignedIn returns the request's live session in tenant t and its user,
	// or an error (directory.ErrNotFound when there is none). The sign-in
	// server provides it (sso.Server.SignedIn).
	SignedIn func(r *http.Request, t *directory.Tenant) (*directory.Session, *directory.User, error)
	// Secrets seals connection secrets (OIDC client secrets) typed into
	// the sign-in settings; without it, setting one is refused.
	Secrets secretbox.Keeper
	// CallbackURL returns the URL a connection's provider sends browsers
	// back to (the OIDC redirect URI, the SAML ACS URL), shown so admins
	// can register it; nil shows none.
	CallbackURL func(t *directory.Tenant, conn *directory.Connection) string
	// MetadataURL returns where scimd's service provider metadata for a
	// connection can be downloaded (SAML), or "" when the kind has none;
	// nil shows none.
	MetadataURL func(t *directory.Tenant, c *directory.Connection) string
	// Check tests a connection as sign-in will use it (discovery or
	// metadata, keys, certificates, secret) and says what it found: the
	// admin API's test. nil hides the test button.
	Check admin.ConnectionTester
	// SAML sets SAML connections up (reads IdP metadata, makes key pairs,
	// describes both sides): the admin API's. nil refuses SAML
	// connections.
	SAML admin.SAMLSetup
	// LinkURL makes a break-glass enrollment link's URL from its secret
	// (sso.Server.LinkURL); nil shows none.
	LinkURL func(t *directory.Tenant, purpose directory.LinkPurpose, secret string) string
	// Banners returns the banners of a session (the slot break-glass
	// sessions use); nil shows none.
	Banners func(r *http.Request, s *directory.Session, u *directory.User) []Banner
}

// Console serves the console's pages.
type Console struct {
	svc      *directory.Service
	log      *slog.Logger
	basePath string
	secure   bool
	cfg      Config
	cop      *http.CrossOriginProtection
	mux      *http.ServeMux
	// recovery says, by route pattern, whether a break-glass session may
	// use a page (see routes).
	recovery map[string]bool
}

// New returns the console. Mount it at Pattern.
func New(cfg Config) (*Console, error) {
	base, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("console: base URL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	c := &Console{svc: cfg.Service, log: cfg.Log, basePath: base.Path, secure: base.Scheme == "https",
		cfg: cfg, cop: http.NewCrossOriginProtection(), mux: http.NewServeMux()}
	c.routes()
	return c, nil
}

// ServeHTTP serves /t/{tenant}/console/....
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

// routes lists every page, each with the admin API route that does the
// same. A break-glass session may use a page exactly when
// admin.BreakGlassRoutes admits its API route: one list decides for both,
// so the console and the API can't drift apart. A page with no API route
// ("") is never for a break-glass session.
func (c *Console) routes() {
	p := "/t/{tenant}/" + Path
	c.mux.Handle("GET "+p+"static/{version}/{file}", http.HandlerFunc(c.static))
	c.recovery = map[string]bool{}
	page := func(pattern string, fn handlerFunc, api string) {
		method, path, _ := strings.Cut(pattern, " ")
		full := method + " " + p + path
		if api != "" {
			apiMethod, apiPath, _ := strings.Cut(api, " ")
			c.recovery[full] = admin.BreakGlassRoutes[apiMethod+" "+admin.Prefix+apiPath]
		}
		c.mux.Handle(full, c.page(fn))
	}
	page("GET {$}", c.overview, "GET /seats")
	page("GET users", c.users, "GET /users")
	page("GET users/{id}", c.user, "GET /users/{id}")
	page("POST users/{id}/field", c.setField, "PATCH /users/{id}")
	page("POST users/{id}/role", c.setRole, "PUT /users/{id}/role")
	page("POST users/{id}/disable", c.setActive(false), "POST /users/{id}/disable")
	page("POST users/{id}/enable", c.setActive(true), "POST /users/{id}/enable")
	page("POST users/{id}/delete", c.deleteUser, "DELETE /users/{id}")
	page("POST users/{id}/identities", c.addIdentity, "POST /users/{id}/identities")
	page("POST users/{id}/identities/{identity}/verify", c.identityOp("verify"), "POST /users/{id}/identities/{identity}/verify")
	page("POST users/{id}/identities/{identity}/primary", c.identityOp("primary"), "POST /users/{id}/identities/{identity}/primary")
	page("POST users/{id}/identities/{identity}/remove", c.identityOp("remove"), "DELETE /users/{id}/identities/{identity}")
	page("POST users/{id}/teams", c.joinTeam, "PUT /teams/{id}/members/{user}")
	page("POST users/{id}/teams/{team}/leave", c.leaveTeam, "DELETE /teams/{id}/members/{user}")
	page("GET teams", c.teams, "GET /teams")
	page("POST teams", c.createTeam, "POST /teams")
	page("GET teams/{id}", c.team, "GET /teams/{id}")
	page("POST teams/{id}/rename", c.renameTeam, "PATCH /teams/{id}")
	page("POST teams/{id}/delete", c.deleteTeam, "DELETE /teams/{id}")
	page("POST teams/{id}/members", c.addMember, "PUT /teams/{id}/members/{user}")
	page("POST teams/{id}/members/{user}/remove", c.removeMember, "DELETE /teams/{id}/members/{user}")
	page("GET organizations", c.organizations, "GET /organizations")
	page("POST organizations", c.createOrganization, "POST /organizations")
	page("POST organizations/{id}", c.updateOrganization, "PATCH /organizations/{id}")
	page("POST organizations/{id}/delete", c.deleteOrganization, "DELETE /organizations/{id}")
	page("GET custom-fields", c.customFields, "GET /custom-fields")
	page("POST custom-fields", c.createCustomField, "POST /custom-fields")
	page("POST custom-fields/{name}/delete", c.deleteCustomField, "DELETE /custom-fields/{name}")
	page("GET provisioning", c.provisioning, "") // the admin API has no provisioning log
	page("GET audit", c.audit, "GET /audit")
	page("GET audit/export", c.auditExport, "GET /audit")
	page("GET settings/tokens", c.tokens, "") // tokens are the CLI's and the console's
	page("POST settings/tokens", c.createToken, "")
	page("POST settings/tokens/{id}/rotate", c.rotateToken, "")
	page("POST settings/tokens/{id}/revoke", c.revokeToken, "")
	page("GET settings/sso", c.sso, "GET /sso")
	page("POST settings/sso", c.setSSO, "PATCH /sso/settings")
	page("POST settings/sso/connections", c.createConnection, "POST /sso/connections")
	page("GET settings/sso/connections/{id}", c.connection, "GET /sso/connections/{id}")
	page("POST settings/sso/connections/{id}", c.updateConnection, "PATCH /sso/connections/{id}")
	page("POST settings/sso/connections/{id}/test", c.testConnection, "POST /sso/connections/{id}/test")
	page("POST settings/sso/connections/{id}/delete", c.deleteConnection, "DELETE /sso/connections/{id}")
	page("GET settings/break-glass", c.breakGlass, "GET /break-glass")
	page("POST settings/break-glass", c.createBreakGlass, "POST /break-glass/accounts")
	page("POST settings/break-glass/{id}/disable", c.disableBreakGlass, "POST /break-glass/accounts/{id}/disable")
	page("POST settings/break-glass/{id}/reset", c.resetBreakGlass, "POST /break-glass/accounts/{id}/reset")
	// The webhook's page is there to change it, which the API never lets
	// a break-glass session do: it can't silence the alarm it raised.
	page("GET settings/alert-webhook", c.alertWebhook, "PATCH /break-glass/settings")
	page("POST settings/alert-webhook", c.setAlertWebhook, "PATCH /break-glass/settings")
	c.mux.Handle(p, c.page(c.notFound))
}

// RecoveryPages are the console's pages a break-glass session may use,
// as "METHOD path" under the console (for the operator docs and tests).
func (c *Console) RecoveryPages() []string {
	var out []string
	for pattern, ok := range c.recovery {
		if ok {
			method, path, _ := strings.Cut(pattern, " ")
			out = append(out, method+" "+strings.TrimPrefix(path, "/t/{tenant}/"+Path))
		}
	}
	slices.Sort(out)
	return out
}

// notFound answers every console address no page serves.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, p *page) error {
	return &problem{Status: http.StatusNotFound, Title: "Page not found", Message: "There is no console page at this address."}
}

// paths of the console, from a page's context.
func (c *Console) tenantPath(t *directory.Tenant) string { return c.basePath + "/t/" + t.Slug + "/" }
func (c *Console) home(t *directory.Tenant) string       { return c.tenantPath(t) + Path }

func setRoute(w http.ResponseWriter, r *http.Request) { httpx.SetRoute(w, r.Pattern) }
