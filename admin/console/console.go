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
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
	"github.com/scimd/scimd/internal/secretbox"
)

// Path is where the console lives under a tenant's pages: /t/{tenant}/console/.
const Path = "console/"

// Pattern is the ServeMux pattern to mount the console's handler at.
const Pattern = "/t/{tenant}/" + Path

// Finding is one line of a sign-in connection's test: what was checked and
// how it went.
type Finding struct {
	Level   string // "ok", "warning" or "problem"
	Message string
}

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
	// Check tests a connection as sign-in will use it (discovery, keys,
	// secret) and says what it found; nil hides the test button.
	Check func(ctx context.Context, c *directory.Connection) []Finding
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

// routes lists every page. Section is what the navigation marks.
func (c *Console) routes() {
	p := "/t/{tenant}/" + Path
	c.mux.Handle("GET "+p+"static/{version}/{file}", http.HandlerFunc(c.static))
	page := func(pattern string, fn handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		c.mux.Handle(method+" "+p+path, c.page(fn))
	}
	page("GET {$}", c.overview)
	page("GET users", c.users)
	page("GET users/{id}", c.user)
	page("POST users/{id}/field", c.setField)
	page("POST users/{id}/role", c.setRole)
	page("POST users/{id}/disable", c.setActive(false))
	page("POST users/{id}/enable", c.setActive(true))
	page("POST users/{id}/delete", c.deleteUser)
	page("POST users/{id}/identities", c.addIdentity)
	page("POST users/{id}/identities/{identity}/verify", c.identityOp("verify"))
	page("POST users/{id}/identities/{identity}/primary", c.identityOp("primary"))
	page("POST users/{id}/identities/{identity}/remove", c.identityOp("remove"))
	page("POST users/{id}/teams", c.joinTeam)
	page("POST users/{id}/teams/{team}/leave", c.leaveTeam)
	page("GET teams", c.teams)
	page("POST teams", c.createTeam)
	page("GET teams/{id}", c.team)
	page("POST teams/{id}/rename", c.renameTeam)
	page("POST teams/{id}/delete", c.deleteTeam)
	page("POST teams/{id}/members", c.addMember)
	page("POST teams/{id}/members/{user}/remove", c.removeMember)
	page("GET organizations", c.organizations)
	page("POST organizations", c.createOrganization)
	page("POST organizations/{id}", c.updateOrganization)
	page("POST organizations/{id}/delete", c.deleteOrganization)
	page("GET custom-fields", c.customFields)
	page("POST custom-fields", c.createCustomField)
	page("POST custom-fields/{name}/delete", c.deleteCustomField)
	page("GET provisioning", c.provisioning)
	page("GET audit", c.audit)
	page("GET audit/export", c.auditExport)
	page("GET settings/tokens", c.tokens)
	page("POST settings/tokens", c.createToken)
	page("POST settings/tokens/{id}/rotate", c.rotateToken)
	page("POST settings/tokens/{id}/revoke", c.revokeToken)
	page("GET settings/sso", c.sso)
	page("POST settings/sso", c.setSSO)
	page("POST settings/sso/connections", c.createConnection)
	page("GET settings/sso/connections/{id}", c.connection)
	page("POST settings/sso/connections/{id}", c.updateConnection)
	page("POST settings/sso/connections/{id}/test", c.testConnection)
	page("POST settings/sso/connections/{id}/delete", c.deleteConnection)
	c.mux.Handle(p, c.page(c.notFound))
}

// notFound answers every console address no page serves.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, p *page) error {
	return &problem{Status: http.StatusNotFound, Title: "Page not found", Message: "There is no console page at this address."}
}

// paths of the console, from a page's context.
func (c *Console) tenantPath(t *directory.Tenant) string { return c.basePath + "/t/" + t.Slug + "/" }
func (c *Console) home(t *directory.Tenant) string       { return c.tenantPath(t) + Path }

func setRoute(w http.ResponseWriter, r *http.Request) { httpx.SetRoute(w, r.Pattern) }
