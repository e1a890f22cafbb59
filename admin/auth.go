package admin

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
	"github.com/scimd/scimd/internal/httpx"
)

// Principal is who a request acts as and in which tenant. The tenant
// comes from the credentials (a token belongs to one tenant; a session to
// one user of one tenant), never from the request.
type Principal struct {
	TenantID int64
	Actor    directory.Actor
}

// Authenticator finds who a request acts as. It returns ok false when the
// request carries no credentials of its kind, so that the next
// authenticator may look; an error ends the request (an *Error with 401
// or 403, or a failure). Bearer tokens are one (TokenAuthenticator);
// sign-in sessions will be another, returning an ActorUser whose role it
// reads from the directory on every request, so that a role change
// applies to the user's next request with no sign-out.
type Authenticator func(r *http.Request) (p Principal, ok bool, err error)

// TokenAuthenticator admits a live admin-scope bearer token. A SCIM token
// is refused with 403: it is the identity provider's, which must not
// administer the tenant; an unknown or revoked one with 401.
func TokenAuthenticator(svc *directory.Service) Authenticator {
	return func(r *http.Request) (Principal, bool, error) {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return Principal{}, false, nil
		}
		scheme, secret, ok := strings.Cut(auth, " ")
		secret = strings.TrimSpace(secret)
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			return Principal{}, false, errorf(http.StatusUnauthorized, CodeUnauthenticated,
				"Send an admin token as Authorization: Bearer TOKEN.")
		}
		tok, err := svc.Authenticate(r.Context(), secret)
		if errors.Is(err, directory.ErrNotFound) {
			return Principal{}, false, errorf(http.StatusUnauthorized, CodeUnauthenticated,
				"The bearer token is not valid: it is unknown or was revoked.")
		}
		if err != nil {
			return Principal{}, false, err
		}
		if tok.Scope != directory.ScopeAdmin {
			return Principal{}, false, errorf(http.StatusForbidden, CodeForbidden,
				"This token is for SCIM provisioning; the admin API needs a token with scope admin (scimd token create --scope admin).")
		}
		return Principal{TenantID: tok.TenantID, Actor: directory.Actor{
			Kind: directory.ActorToken, ID: tok.ID, Scope: tok.Scope, RequestID: httpx.RequestID(r.Context()),
		}}, true, nil
	}
}

type principalKey struct{}

// principal returns the authenticated principal of a request.
func principal(r *http.Request) Principal {
	p, _ := r.Context().Value(principalKey{}).(Principal)
	return p
}

func tenantOf(r *http.Request) int64          { return principal(r).TenantID }
func actorOf(r *http.Request) directory.Actor { return principal(r).Actor }

// authenticate admits requests that one of h's authenticators recognizes
// and that may administer the tenant.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := h.principal(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

func (h *handler) principal(r *http.Request) (Principal, error) {
	for _, auth := range h.auth {
		p, ok, err := auth(r)
		if err != nil {
			return Principal{}, err
		}
		if !ok {
			continue
		}
		if err := authorize(p); err != nil {
			return Principal{}, err
		}
		if err := h.checkBreakGlass(r, p); err != nil {
			return Principal{}, err
		}
		p.Actor.RequestID = httpx.RequestID(r.Context())
		return p, nil
	}
	return Principal{}, errorf(http.StatusUnauthorized, CodeUnauthenticated,
		"Authentication required: send an admin token of your tenant as Authorization: Bearer TOKEN.")
}

// authorize decides whether an authenticated principal may use the admin
// API at all: an admin token, or a signed-in owner or admin. What each
// may change is the directory's to decide (an admin can't edit the
// owner's account), so the actor is passed through as it is.
func authorize(p Principal) error {
	switch p.Actor.Kind {
	case directory.ActorToken:
		if p.Actor.Scope == directory.ScopeAdmin {
			return nil
		}
	case directory.ActorUser:
		if p.Actor.Role.Administers() {
			return nil
		}
		return errorf(http.StatusForbidden, CodeForbidden, "Only the tenant's owners and admins may use the admin API.")
	}
	return errorf(http.StatusForbidden, CodeForbidden, "These credentials can't use the admin API.")
}
