package scim

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/scimd/scimd/directory"
)

type tokenKey struct{}

// requestToken returns the authenticated token of a request.
func requestToken(r *http.Request) *directory.Token {
	t, _ := r.Context().Value(tokenKey{}).(*directory.Token)
	return t
}

// outcome is where the handler notes what a request was answered, for the
// provisioning log.
type outcome struct {
	resourceID, scimType, detail string
}

type outcomeKey struct{}

func setOutcome(r *http.Request, e *Error) {
	if o, ok := r.Context().Value(outcomeKey{}).(*outcome); ok {
		o.scimType, o.detail = e.ScimType, e.Detail
	}
}

// setResourceID notes which resource a request was about.
func setResourceID(r *http.Request, id string) {
	if o, ok := r.Context().Value(outcomeKey{}).(*outcome); ok {
		o.resourceID = id
	}
}

// authenticate admits requests with a live SCIM token, naming its tenant.
// A missing or unknown token is 401; an admin token is 403.
func (h *handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), outcomeKey{}, &outcome{})
		r = r.WithContext(ctx)
		auth := r.Header.Get("Authorization")
		scheme, secret, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			h.writeError(w, r, errorf(http.StatusUnauthorized, "", "Authentication required: send the SCIM token of your tenant as a Bearer token."))
			return
		}
		tok, err := h.svc.Authenticate(ctx, strings.TrimSpace(secret))
		if errors.Is(err, directory.ErrNotFound) {
			h.writeError(w, r, errorf(http.StatusUnauthorized, "", "The bearer token is not valid: it is unknown or was revoked."))
			return
		}
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if tok.Scope != directory.ScopeSCIM {
			h.writeError(w, r, errorf(http.StatusForbidden, "", "This token is for the admin API; SCIM needs a token with scope scim."))
			return
		}
		if err := h.limit(r, tok); err != nil {
			h.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, tokenKey{}, tok)))
	})
}

// actor is who a SCIM request acts as: the tenant's identity provider.
func actor(r *http.Request) directory.Actor {
	t := requestToken(r)
	return directory.Actor{Kind: directory.ActorToken, ID: t.ID, Scope: t.Scope, RequestID: requestID(r)}
}
