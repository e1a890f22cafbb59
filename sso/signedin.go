package sso

import (
	"net/http"

	"github.com/scimd/scimd/directory"
)

// SignedIn returns the request's live session in tenant t and its user,
// read now (so a role change or a disabled account shows on this very
// request). It returns directory.ErrNotFound when the request has no
// session there: no cookie, an ended or expired session, one of another
// tenant, or a user who is disabled or gone. Pages mounted under
// /t/{tenant}/ beside the Server, such as the console, use it.
func (s *Server) SignedIn(r *http.Request, t *directory.Tenant) (*directory.Session, *directory.User, error) {
	return s.session(r, t)
}
