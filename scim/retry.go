package scim

import (
	"errors"
	"net/http"
	"time"

	"github.com/scimd/scimd/directory"
)

// retryWindow is how long after a DELETE succeeded the same token's
// repeat of it is answered 204 again rather than 404. An IdP whose
// connection was cut after the commit retries within seconds; Okta and
// Entra treat a 404 on DELETE as a failure worth an alert, though the
// user is gone as asked.
const retryWindow = 5 * time.Minute

// repeatedDelete reports whether err (from a DELETE of id) is a not-found
// for a resource this request's token deleted successfully within
// retryWindow: the audit log says so. Only the same token's repeat gets
// 204, so another client still learns the resource is not there (RFC 7644
// §3.6: 404 for a resource that doesn't exist), and the answer reveals
// nothing its asker didn't do.
func (h *handler) repeatedDelete(r *http.Request, err error, action, id string) bool {
	if !errors.Is(err, directory.ErrNotFound) {
		return false
	}
	tok := requestToken(r)
	events, aerr := h.svc.AuditEvents(r.Context(), tok.TenantID, directory.AuditQuery{
		ActorKind: directory.ActorToken, ActorID: tok.ID, TargetID: id, Action: action,
		Since: time.Now().Add(-retryWindow), Limit: 10,
	})
	if aerr != nil {
		return false // answer the 404 we have
	}
	for _, e := range events {
		if e.Outcome == directory.OutcomeSuccess {
			return true
		}
	}
	return false
}
