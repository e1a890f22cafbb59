// Package admin is scimd's admin JSON API under /api/v1: what a tenant's
// admins (and the console) use to see their directory and change what
// their identity provider does not own: a staff member's extension or
// time zone, local teams, customers' organizations, custom fields. Every
// change goes through directory.Service with the caller as the actor, so
// the directory's rules hold here as everywhere; this package translates
// requests in and the directory's typed errors out, in one place
// (errorFor).
//
// A request goes: authenticate (admin token → tenant and actor) → the
// route → directory.Service. Every answer is JSON; every error is
// {"error": code, "message": ..., and "field", "value", "owner" or "rule"
// where they apply}.
package admin

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
	"github.com/scimd/scimd/internal/secretbox"
)

// Prefix is where the admin API lives.
const Prefix = "/api/v1"

// Config is what the admin API needs.
type Config struct {
	Service *directory.Service
	Log     *slog.Logger
	// Authenticators find who a request acts as, tried in order. nil
	// means admin-scope bearer tokens only (TokenAuthenticator); sign-in
	// sessions add theirs here.
	Authenticators []Authenticator
	// Secrets seals the secrets of sign-in connections (OIDC client
	// secrets) before they are stored; without it, setting one is refused.
	Secrets secretbox.Keeper
	// RedirectURI returns the URL a connection's provider sends browsers
	// back to, shown with each connection so admins can register it; nil
	// shows none.
	RedirectURI func(t *directory.Tenant, conn *directory.Connection) string
	// LinkURL makes a break-glass link's URL from its secret; nil shows
	// none (the answer still says when it expires).
	LinkURL func(t *directory.Tenant, purpose directory.LinkPurpose, secret string) string
	// TestConnection tests a sign-in connection; nil answers 501.
	TestConnection ConnectionTester
	// SAML sets SAML connections up (their key pairs, the IdP's
	// metadata); without it, they can't be made or changed here.
	SAML SAMLSetup
}

type handler struct {
	svc         *directory.Service
	log         *slog.Logger
	auth        []Authenticator
	mux         *http.ServeMux
	secrets     secretbox.Keeper
	redirectURI func(t *directory.Tenant, conn *directory.Connection) string
	linkURL     func(t *directory.Tenant, purpose directory.LinkPurpose, secret string) string
	tester      ConnectionTester
	saml        SAMLSetup
}

// NewHandler returns the handler for everything under /api/v1/. Mount it
// at "/api/v1/".
func NewHandler(cfg Config) http.Handler {
	h := &handler{svc: cfg.Service, log: cfg.Log, auth: cfg.Authenticators, mux: http.NewServeMux(),
		secrets: cfg.Secrets, redirectURI: cfg.RedirectURI, linkURL: cfg.LinkURL, tester: cfg.TestConnection, saml: cfg.SAML}
	if h.auth == nil {
		h.auth = []Authenticator{TokenAuthenticator(cfg.Service)}
	}
	route := func(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
		method, path, _ := strings.Cut(pattern, " ")
		h.mux.Handle(method+" "+Prefix+path, h.route(fn))
	}
	route("GET /users", h.listUsers)
	route("POST /users", h.createUser)
	route("GET /users/{id}", h.getUser)
	route("PATCH /users/{id}", h.patchUser)
	route("DELETE /users/{id}", h.deleteUser)
	route("POST /users/{id}/disable", h.setActive(false))
	route("POST /users/{id}/enable", h.setActive(true))
	route("PUT /users/{id}/role", h.setRole)
	route("POST /users/{id}/identities", h.addIdentity)
	route("POST /users/{id}/identities/{identity}/verify", h.verifyIdentity)
	route("POST /users/{id}/identities/{identity}/primary", h.makePrimary)
	route("DELETE /users/{id}/identities/{identity}", h.removeIdentity)
	route("GET /teams", h.listTeams)
	route("POST /teams", h.createTeam)
	route("GET /teams/{id}", h.getTeam)
	route("PATCH /teams/{id}", h.patchTeam)
	route("DELETE /teams/{id}", h.deleteTeam)
	route("GET /teams/{id}/members", h.listMembers)
	route("POST /teams/{id}/members", h.changeMembers)
	route("PUT /teams/{id}/members/{user}", h.addMember)
	route("DELETE /teams/{id}/members/{user}", h.removeMember)
	route("GET /organizations", h.listOrganizations)
	route("POST /organizations", h.createOrganization)
	route("GET /organizations/{id}", h.getOrganization)
	route("PATCH /organizations/{id}", h.patchOrganization)
	route("DELETE /organizations/{id}", h.deleteOrganization)
	route("GET /custom-fields", h.listCustomFields)
	route("POST /custom-fields", h.createCustomField)
	route("DELETE /custom-fields/{name}", h.deleteCustomField)
	route("GET /seats", h.seats)
	route("GET /audit", h.audit)
	route("GET /sso", h.getSSO)
	route("PATCH /sso/settings", h.patchSSOSettings)
	route("GET /sso/connections", h.listConnections)
	route("POST /sso/connections", h.createConnection)
	route("GET /sso/connections/{id}", h.getConnection)
	route("PATCH /sso/connections/{id}", h.patchConnection)
	route("DELETE /sso/connections/{id}", h.deleteConnection)
	route("POST /sso/connections/{id}/test", h.testConnection)
	route("GET /break-glass", h.getBreakGlass)
	route("PATCH /break-glass/settings", h.patchBreakGlassSettings)
	route("POST /break-glass/accounts", h.createBreakGlass)
	route("POST /break-glass/accounts/{id}/disable", h.disableBreakGlass)
	route("POST /break-glass/accounts/{id}/reset", h.resetBreakGlass)
	// ServeMux's own 404 and 405 are plain text; a client of a JSON API
	// gets JSON.
	h.mux.Handle(Prefix+"/", h.route(h.notFound))
	return h.authenticate(h.mux)
}

// route adapts a handler that returns an error, so each endpoint returns
// and one place writes the error.
func (h *handler) route(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpx.SetRoute(w, r.Pattern) // metrics and access log by endpoint
		if err := fn(w, r); err != nil {
			h.writeError(w, r, err)
		}
	})
}

// notFound answers what no route matched: 405 with Allow when the path
// exists under other methods, else 404.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != Prefix+"/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 && !slices.Contains(allow, r.Method) {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		return errorf(http.StatusMethodNotAllowed, CodeMethodNotAllowed, "%s does not accept %s; it accepts %s.", r.URL.Path, r.Method, strings.Join(allow, ", "))
	}
	return errorf(http.StatusNotFound, CodeNotFound, "There is no admin API endpoint at %s.", r.URL.Path)
}
