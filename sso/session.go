package sso

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/scimd/scimd/admin"
	"github.com/scimd/scimd/directory"
)

type slugKey struct{}

// TenantAPI serves h, the admin API, under /t/{tenant}/api/v1/ for the
// tenant's signed-in users: their session cookie's path is the tenant's,
// so the browser sends it there and nowhere else. h sees the request at
// /api/v1/..., with the tenant's slug kept for Authenticator. Mount it at
// "/t/{tenant}/api/v1/".
func (s *Server) TenantAPI(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slug := r.PathValue("tenant")
		prefix := "/t/" + slug
		r2 := r.Clone(context.WithValue(r.Context(), slugKey{}, slug))
		r2.URL.Path = strings.TrimPrefix(r.URL.Path, prefix)
		r2.URL.RawPath = ""
		h.ServeHTTP(w, r2)
	})
}

// Authenticator admits a signed-in user's session to the admin API under
// TenantAPI: the session of the tenant in the path, live, of a live and
// active user, whose role it reads now, so a role change applies to the
// very next request. A write (any method but GET, HEAD and OPTIONS) must
// come from scimd's own pages: a cross-origin one is refused (Go's
// CrossOriginProtection), on top of SameSite cookies and the API's JSON
// bodies. A break-glass session acts with directory.ScopeBreakGlass.
// Outside TenantAPI, or without the cookie, it passes.
func (s *Server) Authenticator() admin.Authenticator {
	return func(r *http.Request) (admin.Principal, bool, error) {
		slug, _ := r.Context().Value(slugKey{}).(string)
		if slug == "" {
			return admin.Principal{}, false, nil
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			return admin.Principal{}, false, nil
		}
		t, err := s.svc.TenantBySlug(r.Context(), slug)
		if errors.Is(err, directory.ErrNotFound) {
			return admin.Principal{}, false, &admin.Error{Status: http.StatusNotFound, Code: admin.CodeNotFound, Message: "There is no such tenant."}
		}
		if err != nil {
			return admin.Principal{}, false, err
		}
		sess, u, err := s.svc.Session(r.Context(), t.ID, c.Value, s.policy)
		if errors.Is(err, directory.ErrNotFound) {
			return admin.Principal{}, false, &admin.Error{Status: http.StatusUnauthorized, Code: admin.CodeUnauthenticated,
				Message: "Your session has ended; sign in again at " + s.tenantPath(t) + "login."}
		}
		if err != nil {
			return admin.Principal{}, false, err
		}
		if err := s.cop.Check(r); err != nil {
			return admin.Principal{}, false, &admin.Error{Status: http.StatusForbidden, Code: admin.CodeForbidden,
				Message: "This request came from another site; scimd accepts changes made with a session only from its own pages."}
		}
		actor := directory.Actor{Kind: directory.ActorUser, ID: u.ID, Role: u.Role}
		if sess.Kind == directory.SessionBreakGlass {
			// Recovery only: the admin API admits this scope to the
			// routes that repair sign-in (admin.BreakGlassRoutes).
			actor.Scope = directory.ScopeBreakGlass
		}
		return admin.Principal{TenantID: t.ID, Actor: actor}, true, nil
	}
}
