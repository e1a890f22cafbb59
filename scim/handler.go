// Package scim is scimd's SCIM 2.0 service provider (RFC 7643, 7644 and
// 9865): everything under /scim/v2. It maps SCIM onto directory.Service and
// is the one place directory errors become SCIM error bodies.
//
// A request goes: authenticate (bearer token → tenant) → record (the
// provisioning log) → the route below → directory.Service.
package scim

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// MediaType is the content type of every SCIM body we write.
const MediaType = "application/scim+json"

// Schema URNs.
const (
	UserSchema         = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ScimdUserSchema    = "urn:ietf:params:scim:schemas:extension:scimd:2.0:User"
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	ErrorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// Prefix is where the SCIM endpoints live.
const Prefix = "/scim/v2"

// Config is what the SCIM handler needs.
type Config struct {
	Service *directory.Service
	Log     *slog.Logger
	// BaseURL is the public URL scimd is reached at (e.g.
	// https://id.example.com), for meta.location and Location headers.
	BaseURL string
	// RateLimit, when not nil, limits each token's requests (limits.go).
	RateLimit *directory.RateLimiter
}

// Handler serves /scim/v2. Close it at shutdown to write the provisioning
// log entries still queued.
type Handler struct {
	h    *handler
	root http.Handler
}

type handler struct {
	svc  *directory.Service
	log  *slog.Logger
	base string // BaseURL + Prefix
	prov *provLog
	rate *directory.RateLimiter
}

// NewHandler returns the handler for everything under /scim/v2/: it
// authenticates the bearer token, finds the tenant from it, and serves the
// SCIM endpoints. Mount it at "/scim/v2/".
func NewHandler(cfg Config) *Handler {
	h := &handler{
		svc:  cfg.Service,
		log:  cfg.Log,
		base: strings.TrimRight(cfg.BaseURL, "/") + Prefix,
		rate: cfg.RateLimit,
	}
	h.prov = newProvLog(cfg.Service, cfg.Log)
	mux := http.NewServeMux()
	route := func(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
		mux.Handle(pattern, h.route(fn))
	}
	route("GET "+Prefix+"/Users", h.listUsers)
	route("POST "+Prefix+"/Users", h.createUser)
	route("POST "+Prefix+"/Users/.search", h.searchUsers)
	route("GET "+Prefix+"/Users/{id}", h.getUser)
	route("PUT "+Prefix+"/Users/{id}", h.replaceUser)
	route("PATCH "+Prefix+"/Users/{id}", h.patchUser)
	route("DELETE "+Prefix+"/Users/{id}", h.deleteUser)
	route("GET "+Prefix+"/Groups", h.listGroups)
	route("POST "+Prefix+"/Groups", h.createGroup)
	route("POST "+Prefix+"/Groups/.search", h.searchGroups)
	route("GET "+Prefix+"/Groups/{id}", h.getGroup)
	route("PUT "+Prefix+"/Groups/{id}", h.replaceGroup)
	route("PATCH "+Prefix+"/Groups/{id}", h.patchGroup)
	route("DELETE "+Prefix+"/Groups/{id}", h.deleteGroup)
	route("GET "+Prefix+"/ServiceProviderConfig", h.serviceProviderConfig)
	route("GET "+Prefix+"/ResourceTypes", h.resourceTypes)
	route("GET "+Prefix+"/ResourceTypes/{id}", h.resourceTypeByID)
	route("GET "+Prefix+"/Schemas", h.listSchemas)
	route("GET "+Prefix+"/Schemas/{id}", h.schemaByID)
	route("POST "+Prefix+"/Bulk", h.bulk(mux))
	// ServeMux's own 404 and 405 are plain text; a SCIM client gets SCIM.
	route(Prefix+"/", h.notFound)
	return &Handler{h: h, root: h.authenticate(h.record(mux))}
}

// ServeHTTP serves a SCIM request.
func (x *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { x.root.ServeHTTP(w, r) }

// Close writes the queued provisioning log entries.
func (x *Handler) Close(ctx context.Context) error { return x.h.prov.close(ctx) }

// notFound answers paths no route matched: 405 for a path that exists
// with another method (the discovery endpoints are read-only); 501 for a
// search at the root, which RFC 7644 §3.4.3 allows and scimd does not
// do (§3.12: "Service provider does not support the request
// operation"); else 404, also for a method the endpoint takes on a path
// below it that is no resource (/Users/a/b).
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	rest := strings.TrimPrefix(r.URL.Path, Prefix)
	known := []string{"/Users", "/Groups", "/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Bulk", "/.search"}
	for _, k := range known {
		if rest == k || strings.HasPrefix(rest, k+"/") {
			allow := allowed(k, rest)
			if !slices.Contains(strings.Split(allow, ", "), r.Method) {
				w.Header().Set("Allow", allow)
				return errorf(http.StatusMethodNotAllowed, "", "%s does not accept %s.", r.URL.Path, r.Method)
			}
			if rest == "/.search" {
				return errorf(http.StatusNotImplemented, "", "Searching at the root is not supported; search with POST %s/Users/.search or %s/Groups/.search.", Prefix, Prefix)
			}
			break
		}
	}
	return errorf(http.StatusNotFound, "", "There is no SCIM endpoint at %s.", r.URL.Path)
}

func allowed(base, path string) string {
	switch base {
	case "/Users", "/Groups":
		if path == base {
			return "GET, POST"
		}
		return "GET, PUT, PATCH, DELETE"
	case "/Bulk", "/.search":
		return "POST"
	}
	return "GET"
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
